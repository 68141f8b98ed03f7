import { randomUUID } from 'node:crypto';
import { applicationNamePrefix } from '../../functions/shared/entra';
import { createRoleEvent, deleteRoleEvent, tagRoleEvent } from '../fixtures/cloudtrail';
import { ACCOUNT, HOST, PROVIDER_ARN, federatedPolicy, settings, startE2eWorld, type E2eWorld } from './harness';

/**
 * The whole pipeline, locally: CloudTrail event → router → the synthesized state machines
 * run by aws-local-stepfunctions → the real handlers → the real Graph client (loopback
 * fake) and IAM adapter (SDK clients backed by the IAM model).
 */

let world: E2eWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const at = { accountId: ACCOUNT };
/** Every incarnation's applications of a role name share this unique-name prefix. */
const prefixOf = (roleName: string) => applicationNamePrefix(ACCOUNT, roleName);

function tagsOf(w: E2eWorld, roleName: string): Record<string, string> | undefined {
  return w.iam.role(ACCOUNT, roleName)?.tags;
}

function expectNothingLeftFor(w: E2eWorld, roleName: string): void {
  const state = w.graph.state;
  const ofRole = state.listApplications().filter((app) => app.uniqueName?.startsWith(prefixOf(roleName)));
  expect(ofRole).toEqual([]);
  expect(state.listDeletedApplications().filter((app) => app.uniqueName?.startsWith(prefixOf(roleName)))).toEqual([]);
}

describe('local end-to-end', () => {
  it('create → ready: registers the application, adds the audience, pins the trust policy, tags the role', async () => {
    // Prepare
    world = await startE2eWorld();
    const owner = randomUUID();
    world.graph.state.addUsers(owner);
    const event = createRoleEvent('ci-deployer', federatedPolicy(), { ...at, eventId: randomUUID() });
    (event.detail.requestParameters as Record<string, unknown>).tags = [{ key: 'entra:owners', value: owner }];
    // Act
    await world.play(event);
    // Assess
    const [app] = world.graph.state.listApplications();
    const [sp] = world.graph.state.listServicePrincipals();
    // The automation's service principal owns what it creates (Application.ReadWrite.OwnedBy).
    expect(app).toMatchObject({
      uniqueName: expect.stringMatching(new RegExp(`^${prefixOf('ci-deployer')}aroa[a-z0-9]{17}$`)),
      owners: [world.graph.state.automationServicePrincipalId, owner],
      requestedAccessTokenVersion: 1,
    });
    expect(sp?.appId).toBe(app?.appId);
    expect(world.iam.provider(ACCOUNT, PROVIDER_ARN)?.clientIds).toEqual([app?.appId]);
    expect(tagsOf(world, 'ci-deployer')).toEqual({
      'entra:owners': owner,
      'entra:client-id': app?.appId,
      'entra:tenant-id': settings.tenantId,
      'entra:service-principal-id': sp?.id,
      'entra:federation-status': 'ready',
      'entra:access': 'pinned',
      'entra:owners-status': 'added',
      'entra:audience': app?.appId,
      'entra:identity-mode': 'per-role',
      // When the pin's read was, and a digest of what it wrote (docs/architecture.md#a-team-write-is-never-lost)
      'entra:trust-policy-write': expect.stringMatching(/^since=\S+Z seen=[0-9a-f]{32} applied=- wrote=[0-9a-f]{32}$/),
    });
    expect(world.iam.role(ACCOUNT, 'ci-deployer')?.assumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Federated: PROVIDER_ARN },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${HOST}:aud`]: app?.appId, [`${HOST}:sub`]: sp?.id } },
      },
    ]);
    expect(world.pipeline.executions.map((e) => [e.stateMachine, e.status, e.states.at(-1)])).toEqual([
      ['Web-Identity-Role-Create', 'SUCCEEDED', 'Federated'],
    ]);
  });

  it('ignores owners named by a later TagRole: nobody who may only tag the role becomes owner', async () => {
    // Attack on today's main: TagRole entra:owners=<attacker> made the attacker owner of the role's application.
    world = await startE2eWorld();
    const attacker = randomUUID();
    world.graph.state.addUsers(attacker);
    await world.play(createRoleEvent('ci-deployer', federatedPolicy(), { ...at, eventId: randomUUID() }));
    const pinned = world.iam.role(ACCOUNT, 'ci-deployer')?.assumeRolePolicyDocument;
    // Act
    await world.play(tagRoleEvent('ci-deployer', { 'entra:owners': attacker }, { ...at, eventId: randomUUID() }));
    // Assess
    expect(world.graph.state.listApplications()).toEqual([
      expect.objectContaining({ owners: [world.graph.state.automationServicePrincipalId] }),
    ]);
    expect(world.iam.role(ACCOUNT, 'ci-deployer')?.assumeRolePolicyDocument).toEqual(pinned);
    expect(world.pipeline.executions.map((e) => [e.stateMachine, e.name.split('-')[0], e.status])).toEqual([
      ['Web-Identity-Role-Create', 'CreateRole', 'SUCCEEDED'],
    ]);
  });

  it('delete → nothing left: application, service principal, deleted item and audience are gone', async () => {
    world = await startE2eWorld();
    await world.play(
      createRoleEvent('ci-deployer', federatedPolicy(), { ...at, eventId: randomUUID() }),
      deleteRoleEvent('ci-deployer', { ...at, eventId: randomUUID() }),
    );
    expectNothingLeftFor(world, 'ci-deployer');
    expect(world.graph.state.listServicePrincipals()).toEqual([]);
    // Deleting an application soft-deletes its service principal too: both are purged.
    expect(world.graph.state.listDeletedServicePrincipals()).toEqual([]);
    expect(world.iam.provider(ACCOUNT, PROVIDER_ARN)?.clientIds).toEqual([]);
    expect(world.pipeline.executions.map((e) => [e.stateMachine, e.status, e.states.at(-1)])).toEqual([
      ['Web-Identity-Role-Create', 'SUCCEEDED', 'Federated'],
      ['Web-Identity-Role-Delete', 'SUCCEEDED', 'Deleted'],
    ]);
  });

  it('create and delete racing: the role is deleted while Create runs, and both converge on nothing', async () => {
    // Prepare: the app team deletes the role just before Create pins its trust policy.
    const deletion = deleteRoleEvent('ci-deployer', { ...at, eventId: randomUUID() });
    let deleted = false;
    world = await startE2eWorld({
      beforeTask: async (stateName) => {
        if (stateName !== 'AssignRoleToAudience' || deleted) return;
        deleted = true;
        world!.iam.applyCloudTrailCall(ACCOUNT, 'DeleteRole', deletion.detail.requestParameters);
        await world!.pipeline.deliver([deletion]);
      },
    });
    // Act
    const creation = createRoleEvent('ci-deployer', federatedPolicy(), { ...at, eventId: randomUUID() });
    await world.pipeline.deliver([creation]);
    world.iam.applyCloudTrailCall(
      ACCOUNT,
      'CreateRole',
      { roleName: 'ci-deployer', assumeRolePolicyDocument: JSON.stringify(federatedPolicy()) },
      (creation.detail.responseElements as { role?: { roleId?: string } } | null)?.role?.roleId,
    );
    await world.pipeline.drain();
    // Assess
    expect(deleted).toBe(true);
    expectNothingLeftFor(world, 'ci-deployer');
    expect(world.iam.provider(ACCOUNT, PROVIDER_ARN)?.clientIds).toEqual([]);
    const create = world.pipeline.executions.find((e) => e.stateMachine === 'Web-Identity-Role-Create');
    expect(create?.states).toEqual(expect.arrayContaining(['AssignRoleToAudience', 'RemoveApplication', 'RoleGone']));
    expect(world.pipeline.executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
  });

  it('a redelivered event starts nothing new', async () => {
    world = await startE2eWorld();
    const event = createRoleEvent('ci-deployer', federatedPolicy(), { ...at, eventId: randomUUID() });
    await world.play(event, event);
    expect(world.pipeline.executions).toHaveLength(1);
    expect(world.calls()['graph:POST /applications']).toBe(1);
    expect(world.logs.some((line) => line.includes('execution already started (redelivery)'))).toBe(true);
  });

  it('a fault storm (429, 503, replication lag, ConcurrentModification, Throttling) still converges', async () => {
    // Prepare
    world = await startE2eWorld({ seed: 42 });
    world.graph.faults.replicationLag(3);
    world.graph.faults.inject({ method: 'POST', kind: 'throttle', count: 2, retryAfterSeconds: 30 });
    world.graph.faults.startStorm({ probability: 0.25, seed: 7 });
    // STS never answers ConcurrentModification, so the storm spares AssumeRole; it gets throttled instead.
    world.iam.startStorm({
      rate: 0.25,
      faults: ['ConcurrentModification', 'Throttling'],
      commands: [
        'iam:GetRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:GetOpenIDConnectProvider',
        'iam:AddClientIDToOpenIDConnectProvider',
        'iam:RemoveClientIDFromOpenIDConnectProvider',
      ],
    });
    world.iam.failNext('sts:AssumeRole', 'Throttling', 2);
    const roles = ['storm-a', 'storm-b', 'storm-c', 'storm-d'];
    // Act
    await world.play(
      ...roles.map((roleName) => createRoleEvent(roleName, federatedPolicy(), { ...at, eventId: randomUUID() })),
      deleteRoleEvent('storm-d', { ...at, eventId: randomUUID() }),
    );
    // Assess
    const served = world.graph.faults.served;
    expect(served.throttle + served.unavailable + served['replication-lag']).toBeGreaterThan(3);
    expect(world.iam.history.filter((call) => call.fault !== null).length).toBeGreaterThan(0);
    for (const roleName of roles.slice(0, 3)) {
      expect(tagsOf(world, roleName)?.['entra:federation-status']).toBe('ready');
    }
    const live = world.graph.state.listApplications();
    expect(live.map((app) => app.uniqueName?.slice(0, prefixOf('x').length)).sort()).toEqual(roles.slice(0, 3).map(prefixOf).sort());
    expect(world.iam.provider(ACCOUNT, PROVIDER_ARN)?.clientIds.sort()).toEqual(live.map((app) => app.appId).sort());
    expectNothingLeftFor(world, 'storm-d');
  });

  it('keeps the extra statements and conditions of the app team intact', async () => {
    world = await startE2eWorld();
    const ec2 = { Sid: 'Ec2', Effect: 'Allow' as const, Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
    const policy = federatedPolicy([ec2]);
    const first = (policy.Statement as object[])[0] as { Condition: Record<string, Record<string, string>> };
    first.Condition.StringLike = { [`${HOST}:amr`]: 'pwd*' };
    await world.play(createRoleEvent('mixed', policy, { ...at, eventId: randomUUID() }));
    const statements = world.iam.role(ACCOUNT, 'mixed')?.assumeRolePolicyDocument.Statement as object[];
    expect(statements).toHaveLength(2);
    expect(statements[1]).toEqual(ec2);
    expect(statements[0]).toMatchObject({ Condition: { StringLike: { [`${HOST}:amr`]: 'pwd*' } } });
    expect(tagsOf(world, 'mixed')?.['entra:federation-status']).toBe('ready');
  });

  it('ignores a role of another provider', async () => {
    world = await startE2eWorld();
    const github = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow' as const,
          Principal: { Federated: github },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
        },
      ],
    };
    await world.play(createRoleEvent('gh-actions', policy, { ...at, eventId: randomUUID() }));
    expect(world.pipeline.executions).toEqual([]);
    expect(world.graph.state.listApplications()).toEqual([]);
    expect(world.iam.role(ACCOUNT, 'gh-actions')?.assumeRolePolicyDocument).toEqual(policy);
    expect(tagsOf(world, 'gh-actions')).toEqual({});
  });

  it('the 101st role in an account ends failed:audience-limit with no orphan Entra application', async () => {
    // Prepare: the provider already holds IAM's maximum of 100 client IDs.
    world = await startE2eWorld();
    const existing = Array.from({ length: 100 }, () => randomUUID());
    world.iam.addAccount('444455556666');
    const full = `https://${HOST}`;
    world.iam.createOidcProvider('444455556666', { url: full, clientIds: existing });
    const providerArn = `arn:aws:iam::444455556666:oidc-provider/${HOST}`;
    const policy = JSON.stringify(federatedPolicy()).replaceAll(ACCOUNT, '444455556666');
    // Act
    await world.play(createRoleEvent('role-101', policy, { accountId: '444455556666', eventId: randomUUID() }));
    // Assess
    expect(world.iam.role('444455556666', 'role-101')?.tags).toEqual({
      'entra:tenant-id': settings.tenantId,
      'entra:federation-status': 'failed:audience-limit',
      'entra:access': 'closed',
    });
    expect(world.graph.state.listApplications()).toEqual([]);
    expect(world.graph.state.listDeletedApplications()).toEqual([]);
    expect(world.graph.state.listServicePrincipals()).toEqual([]);
    expect(world.graph.state.listDeletedServicePrincipals()).toEqual([]);
    expect(world.iam.provider('444455556666', providerArn)?.clientIds).toEqual(existing);
    expect(world.pipeline.executions.map((e) => [e.status, e.states.at(-1)])).toEqual([['FAILED', 'FederationFailed']]);
  });
});
