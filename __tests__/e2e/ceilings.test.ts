import { randomUUID } from 'node:crypto';
import { ROLE_TAGS } from '../../functions/shared/workflow';
import type { PolicyDocument, PolicyStatement } from '../../functions/shared/iam';
import { DEFAULT_GATEWAY_APP_ID } from '../../simulation/fakes/graph-state';
import { parseEvents, playEvents } from '../../simulation/engine/run-simulation';
import { silentLogger } from '../../functions/shared/runtime';
import { createRoleEvent, deleteRoleEvent, tagRoleEvent, updateAssumeRolePolicyEvent } from '../fixtures/cloudtrail';
import { ACCOUNT, HOST, PROVIDER_ARN, federatedPolicy, startE2eWorld, type E2eWorld } from './harness';

/**
 * The ceilings end to end (docs/architecture.md#audience-modes): the shared audience, identities
 * the app teams bring, federated identity credentials named at CreateRole, and the attacks on
 * them, through the router, the synthesized state machines, the real handlers, the Graph fake
 * and the IAM model.
 */

let world: E2eWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const at = { accountId: ACCOUNT };
const GITHUB = 'https://token.actions.githubusercontent.com';

/** The app team's placeholder policy, with `sub` pinned to an identity they bring. */
function broughtPolicy(servicePrincipalObjectId: string): PolicyDocument {
  const [statement] = federatedPolicy().Statement as PolicyStatement[];
  return {
    Version: '2012-10-17',
    Statement: [
      { ...statement!, Condition: { StringEquals: { [`${HOST}:aud`]: 'placeholder', [`${HOST}:sub`]: servicePrincipalObjectId } } },
    ],
  };
}

const pins = (w: E2eWorld, roleName: string) =>
  (w.iam.role(ACCOUNT, roleName)!.assumeRolePolicyDocument.Statement as PolicyStatement[])[0]!.Condition!.StringEquals!;
const tags = (w: E2eWorld, roleName: string) => w.iam.role(ACCOUNT, roleName)!.tags;
const gatewayOf = (_w: E2eWorld) => DEFAULT_GATEWAY_APP_ID;

/**
 * Whether a trust policy's Allow statements through the provider admit a token with these
 * claims, reading `StringEquals` (the only operator the automation writes) and any explicit Deny
 * of the provider. (The independent evaluator the stack tests use, @cloud-copilot/iam-simulate,
 * ignores condition keys of custom OIDC providers such as `sts.windows.net/{tenant}/:aud`, so it
 * cannot decide this.)
 */
function admits(policy: PolicyDocument, claims: Record<string, string>): boolean {
  const statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) as PolicyStatement[];
  const matches = (s: PolicyStatement) =>
    [s.Principal === '*' ? [] : [s.Principal?.Federated ?? []].flat()].flat().includes(PROVIDER_ARN) &&
    Object.entries(s.Condition?.StringEquals ?? {}).every(([key, values]) =>
      [values]
        .flat()
        .map(String)
        .includes(claims[key] ?? '\u0000'),
    );
  return (
    statements.some((s) => s.Effect === 'Allow' && matches(s)) &&
    !statements.some((s) => s.Effect === 'Deny' && s.Condition === undefined && matches(s))
  );
}

function managedIdentity(w: E2eWorld): { id: string; appId: string } {
  const identity = { id: randomUUID(), appId: randomUUID() };
  w.graph.state.seedServicePrincipal({ ...identity, displayName: 'vm-inventory', servicePrincipalType: 'ManagedIdentity' });
  return identity;
}

describe('ceilings end to end', () => {
  it('shared mode: 101 roles of one account are ready behind one client ID, each pinned to its own identity', async () => {
    // Prepare: past IAM's 100 client IDs per provider, which the per-role mode cannot pass
    world = await startE2eWorld({ settings: { audienceMode: 'shared' } });
    const names = Array.from({ length: 101 }, (_, i) => `role-${i}`);
    // Act
    for (const name of names) await world.play(createRoleEvent(name, federatedPolicy(), { ...at, eventId: randomUUID() }));
    // Assess
    const gateway = gatewayOf(world);
    expect(world.iam.provider(ACCOUNT, PROVIDER_ARN)?.clientIds).toEqual([gateway]);
    expect(names.map((name) => tags(world!, name)[ROLE_TAGS.status])).toEqual(names.map(() => 'ready'));
    const subs = new Set(names.map((name) => pins(world!, name)[`${HOST}:sub`]));
    expect(subs.size).toBe(101);
    expect(names.every((name) => pins(world!, name)[`${HOST}:aud`] === gateway && tags(world!, name)[ROLE_TAGS.audience] === gateway)).toBe(
      true,
    );
  });

  it('shared mode: deleting a role removes its application and keeps the gateway, which the other roles use', async () => {
    world = await startE2eWorld({ settings: { audienceMode: 'shared' } });
    await world.play(
      createRoleEvent('one', federatedPolicy(), { ...at, eventId: randomUUID() }),
      createRoleEvent('two', federatedPolicy(), { ...at, eventId: randomUUID() }),
    );
    await world.play(deleteRoleEvent('one', { ...at, eventId: randomUUID() }));
    expect(world.graph.state.listApplications()).toHaveLength(1);
    expect(world.iam.provider(ACCOUNT, PROVIDER_ARN)?.clientIds).toEqual([gatewayOf(world)]);
    expect(tags(world, 'two')[ROLE_TAGS.status]).toBe('ready');
  });

  it('bring your own identity: the role is ready with no Entra object created, pinned to the managed identity', async () => {
    world = await startE2eWorld();
    const identity = managedIdentity(world);
    await world.play(createRoleEvent('inventory-vm', broughtPolicy(identity.id), { ...at, eventId: randomUUID() }));
    expect(world.graph.state.listApplications()).toEqual([]);
    expect(world.graph.state.ownedObjectCount()).toBe(0);
    expect(pins(world, 'inventory-vm')).toEqual({ [`${HOST}:aud`]: gatewayOf(world), [`${HOST}:sub`]: identity.id });
    expect(tags(world, 'inventory-vm')).toMatchObject({
      [ROLE_TAGS.status]: 'ready',
      [ROLE_TAGS.identityMode]: 'bring-your-own',
      [ROLE_TAGS.clientId]: identity.appId,
      [ROLE_TAGS.audience]: gatewayOf(world),
      [ROLE_TAGS.access]: 'pinned',
    });
  });

  it('a sub that names no identity of the tenant ends failed:unknown-identity, closed, with nothing created', async () => {
    world = await startE2eWorld();
    await world.play(createRoleEvent('inventory-vm', broughtPolicy(randomUUID()), { ...at, eventId: randomUUID() }));
    // `pinned`: its statement pins sub (to an identity that does not exist), so nothing is open.
    expect(tags(world, 'inventory-vm')).toMatchObject({ [ROLE_TAGS.status]: 'failed:unknown-identity', [ROLE_TAGS.access]: 'pinned' });
    expect(world.graph.state.listApplications()).toEqual([]);
    expect(world.iam.provider(ACCOUNT, PROVIDER_ARN)?.clientIds).toEqual([]);
  });

  it("attack: naming another team's identity gains nothing of that team's, and that team's role keeps working", async () => {
    // Prepare: team B's role is ready with an application of its own
    world = await startE2eWorld();
    await world.play(createRoleEvent('team-b', federatedPolicy(), { ...at, eventId: randomUUID() }));
    const b = { sub: pins(world, 'team-b')[`${HOST}:sub`] as string, aud: pins(world, 'team-b')[`${HOST}:aud`] as string };
    const before = structuredClone(world.graph.state.listApplications());
    // Act: team A names B's identity in its own role, and asks for a credential and an owner of its own on it
    const attacker = randomUUID();
    world.graph.state.addUsers(attacker);
    await world.play(
      createRoleEvent('team-a', broughtPolicy(b.sub), {
        ...at,
        eventId: randomUUID(),
        tags: { [ROLE_TAGS.owners]: attacker, 'entra:federated-credential:mine': `${GITHUB} repo:team-a/x:ref:refs/heads/main` },
      }),
    );
    // Assess: A's role admits B's identity (A's own decision about A's role) and nothing more
    expect(pins(world, 'team-a')[`${HOST}:sub`]).toBe(b.sub);
    expect(tags(world, 'team-a')[ROLE_TAGS.federatedCredentialsStatus]).toBe('failed:bring-your-own mine');
    expect(tags(world, 'team-a')[ROLE_TAGS.ownersStatus]).toBe(`failed:bring-your-own ${attacker}`);
    expect(world.graph.state.listApplications()).toEqual(before);
    expect(pins(world, 'team-b')).toEqual({ [`${HOST}:aud`]: b.aud, [`${HOST}:sub`]: b.sub });
  });

  it("attack: the gateway does not let one role's identity into another role", async () => {
    // Prepare: two shared-mode roles; identity A can get gateway tokens (every identity of the tenant can)
    world = await startE2eWorld({ settings: { audienceMode: 'shared' } });
    await world.play(
      createRoleEvent('role-a', federatedPolicy(), { ...at, eventId: randomUUID() }),
      createRoleEvent('role-b', federatedPolicy(), { ...at, eventId: randomUUID() }),
    );
    const token = (roleName: string) => ({
      [`${HOST}:aud`]: gatewayOf(world!),
      [`${HOST}:sub`]: pins(world!, roleName)[`${HOST}:sub`] as string,
    });
    const roleB = world.iam.role(ACCOUNT, 'role-b')!.assumeRolePolicyDocument;
    // Act / Assess: B admits B's token and not A's; without the sub pin it would admit A's (the control)
    expect(admits(roleB, token('role-b'))).toBe(true);
    expect(admits(roleB, token('role-a'))).toBe(false);
    const audOnly = structuredClone(roleB) as PolicyDocument;
    delete ((audOnly.Statement as PolicyStatement[])[0]!.Condition!.StringEquals as Record<string, unknown>)[`${HOST}:sub`];
    expect(admits(audOnly, token('role-a'))).toBe(true);
  });

  it('federated identity credentials named at CreateRole are added; one named by a later TagRole is not', async () => {
    world = await startE2eWorld();
    const subject = 'repo:contoso/payments:environment:prod';
    await world.play(
      createRoleEvent('payments-ci', federatedPolicy(), {
        ...at,
        eventId: randomUUID(),
        tags: { 'entra:federated-credential:prod': `${GITHUB} ${subject}` },
      }),
    );
    // Attack: someone who may tag the role, then re-trigger it, names their own workload
    await world.play(
      tagRoleEvent(
        'payments-ci',
        { 'entra:federated-credential:evil': `${GITHUB} repo:attacker/x:ref:refs/heads/main` },
        { ...at, eventId: randomUUID() },
      ),
      updateAssumeRolePolicyEvent('payments-ci', federatedPolicy(), { ...at, eventId: randomUUID() }),
    );
    const [app] = world.graph.state.listApplications();
    expect(app?.federatedCredentials.map(({ name, issuer, subject: s }) => ({ name, issuer, subject: s }))).toEqual([
      { name: 'prod', issuer: GITHUB, subject },
    ]);
    expect(tags(world, 'payments-ci')[ROLE_TAGS.federatedCredentialsStatus]).toBe('added');
  });

  it('moves a ready per-role role to the shared audience without a window: both audiences first, then the gateway alone', async () => {
    // Prepare: a ready per-role role
    world = await startE2eWorld();
    await world.play(createRoleEvent('ci', federatedPolicy(), { ...at, eventId: randomUUID() }));
    const own = pins(world, 'ci')[`${HOST}:aud`] as string;
    const gateway = gatewayOf(world);
    // A redeploy with another configuration, then a re-run of the role (the sweep, or the runbook's manual start)
    const rerun = async (settings: Parameters<E2eWorld['pipelineWith']>[0]) => {
      const redeployed = { ...world!, pipeline: world!.pipelineWith(settings) };
      const event = updateAssumeRolePolicyEvent('ci', world!.iam.role(ACCOUNT, 'ci')!.assumeRolePolicyDocument, {
        ...at,
        eventId: randomUUID(),
      });
      await playEvents(redeployed, parseEvents([event]), silentLogger);
    };
    // Act 1: dual audience (the step of the migration): both tokens work
    await rerun({ audienceMode: 'shared', dualAudience: true });
    const dual = { aud: pins(world, 'ci')[`${HOST}:aud`], clientIds: [...world.iam.provider(ACCOUNT, PROVIDER_ARN)!.clientIds].sort() };
    // Act 2: shared alone
    await rerun({ audienceMode: 'shared', dualAudience: false });
    // Assess
    expect(dual).toEqual({ aud: [gateway, own], clientIds: [gateway, own].sort() });
    expect(pins(world, 'ci')[`${HOST}:aud`]).toBe(gateway);
    expect(world.iam.provider(ACCOUNT, PROVIDER_ARN)?.clientIds).toEqual([gateway]);
    expect(tags(world, 'ci')).toMatchObject({ [ROLE_TAGS.identityMode]: 'shared', [ROLE_TAGS.status]: 'ready' });
  });
});
