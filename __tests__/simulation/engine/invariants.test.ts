import { applicationNamePrefix, applicationUniqueName } from '../../../functions/shared/entra';
import { type PolicyDocument, type PolicyStatement, LOCK_SID } from '../../../functions/shared/iam';
import { checkInvariants, failedRemovalsOf, type WorldView } from '../../../simulation/engine/invariants';
import type { AccountSnapshot } from '../../../simulation/fakes/iam-state';

const TENANT = '00000000-0000-4000-8000-000000000001';
const SETTINGS = { tenantId: TENANT, tokenVersion: 1 as const };
const HOST = `sts.windows.net/${TENANT}/`;
const ACCOUNT = '222222222222';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const ROLE_ID = 'AROAREADYREADYREADY01';
const OWN = { appId: 'a0000000-0000-4000-8000-0000000000a1', sp: 'b0000000-0000-4000-8000-0000000000b1' };
const OTHER = { appId: 'a0000000-0000-4000-8000-0000000000a2', sp: 'b0000000-0000-4000-8000-0000000000b2' };
const FOREIGN_APP = 'f0000000-0000-4000-8000-0000000000f1';
const MANAGED_IDENTITY = 'e0000000-0000-4000-8000-0000000000e1';
/** The gateway's client ID as the simulator's Graph fake seeds it. */
const GATEWAY = '9a7e9a7e-6a7e-4a7e-8a7e-9a7e0a7e0001';

const statement = (condition?: Record<string, string>): PolicyStatement => ({
  Effect: 'Allow',
  Principal: { Federated: PROVIDER },
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...(condition ? { Condition: { StringEquals: condition } } : {}),
});
const policy = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const pinned = (appId: string, sp: string) => policy(statement({ [`${HOST}:aud`]: appId, [`${HOST}:sub`]: sp }));

function role(
  roleName: string,
  trust: PolicyDocument,
  tags: Record<string, string> = {},
  roleId = ROLE_ID,
): AccountSnapshot['roles'][number] {
  return { roleName, roleId, arn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`, assumeRolePolicyDocument: trust, tags, inlinePolicies: {} };
}

/** A world with one ready role `ci` pinned to its own application, plus what each test adds. */
function world(
  changes: {
    roles?: AccountSnapshot['roles'];
    clientIds?: string[];
    applications?: WorldView['entra']['applications'];
    servicePrincipals?: WorldView['entra']['servicePrincipals'];
  } = {},
): WorldView {
  return {
    iam: {
      [ACCOUNT]: {
        roles: changes.roles ?? [role('ci', pinned(OWN.appId, OWN.sp), { 'entra:federation-status': 'ready' })],
        oidcProviders: [{ url: `https://${HOST}`, arn: PROVIDER, clientIds: changes.clientIds ?? [OWN.appId] }],
      },
    },
    entra: {
      applications: changes.applications ?? [
        { appId: OWN.appId, uniqueName: applicationUniqueName(ACCOUNT, 'ci', ROLE_ID), createdBy: 'automation' },
      ],
      servicePrincipals: changes.servicePrincipals ?? [{ id: OWN.sp, appId: OWN.appId }],
    },
  };
}

const invariantsOf = (view: WorldView) => checkInvariants(view, SETTINGS).violations.map((v) => v.invariant);

describe('the invariants', () => {
  it('hold for a ready role pinned to its own application, whose client ID the provider holds', () => {
    const report = checkInvariants(world(), SETTINGS);
    expect(report.violations).toEqual([]);
    expect(report.checked).toEqual({ roles: 1, applications: 1, clientIds: 1 });
  });

  it('find a federated role that is not pinned', () => {
    const unpinned = role('ci', policy(statement({ [`${HOST}:aud`]: 'placeholder' })));
    expect(invariantsOf(world({ roles: [unpinned] }))).toEqual(['federated-role-not-pinned']);
  });

  it('do not count a role tagged failed, or a hand-made federation, as federated', () => {
    const failed = role('ci', policy(statement({ [`${HOST}:aud`]: 'placeholder' })), { 'entra:federation-status': 'failed:wildcard' });
    const handMade = role('hand', pinned(FOREIGN_APP, OTHER.sp), {}, 'AROAHANDMADEHANDMADE1');
    const view = world({
      roles: [failed, handMade],
      applications: [
        { appId: OWN.appId, uniqueName: applicationUniqueName(ACCOUNT, 'ci', ROLE_ID), createdBy: 'automation' },
        { appId: FOREIGN_APP, uniqueName: null, createdBy: '4a000000-0000-4000-8000-00000000004a' },
      ],
      servicePrincipals: [
        { id: OWN.sp, appId: OWN.appId },
        { id: OTHER.sp, appId: FOREIGN_APP },
      ],
    });
    expect(invariantsOf(view)).toEqual([]);
  });

  it('find a role pinned to an application or service principal that no longer exists', () => {
    const view = world({ applications: [], servicePrincipals: [], clientIds: [] });
    expect(invariantsOf(view)).toEqual(['pinned-to-missing-identity', 'pinned-to-missing-identity', 'federated-role-not-pinned']);
  });

  it("find a role pinned to another role's application, a takeover", () => {
    const other = {
      appId: OTHER.appId,
      uniqueName: applicationUniqueName(ACCOUNT, 'other', 'AROAOTHEROTHEROTHER01'),
      createdBy: 'automation',
    };
    const view = world({
      roles: [role('ci', pinned(OTHER.appId, OTHER.sp)), role('other', pinned(OTHER.appId, OTHER.sp), {}, 'AROAOTHEROTHEROTHER01')],
      applications: [other],
      servicePrincipals: [{ id: OTHER.sp, appId: OTHER.appId }],
      clientIds: [OTHER.appId],
    });
    expect(invariantsOf(view)).toEqual(['pinned-to-another-role', 'pinned-to-another-role', 'federated-role-not-pinned']);
  });

  it('find a client ID that names nothing in the tenant, and accept one of another tenant’s application that has a service principal here', () => {
    const multiTenant = 'c0000000-0000-4000-8000-0000000000c1';
    const view = world({
      clientIds: [OWN.appId, 'dead0000-0000-4000-8000-00000000dead', multiTenant, 'api://not-a-guid'],
      servicePrincipals: [
        { id: OWN.sp, appId: OWN.appId },
        { id: 'c0000000-0000-4000-8000-0000000000c2', appId: multiTenant },
      ],
    });
    expect(checkInvariants(view, SETTINGS).violations).toEqual([
      expect.objectContaining({ invariant: 'client-id-without-application', message: expect.stringContaining('dead0000') }),
    ]);
  });

  it("do not count the gateway's client ID as naming nothing: it is the platform's (made by the plan, not listed with the world's applications)", () => {
    const view = world({ clientIds: [OWN.appId, GATEWAY] });
    expect(invariantsOf(view)).toEqual([]);
    // Another deployment's gateway: this client ID then names nothing.
    const elsewhere = checkInvariants(view, { ...SETTINGS, gatewayClientId: 'aaaa0000-0000-4000-8000-00000000aaaa' });
    expect(elsewhere.violations.map((v) => v.invariant)).toEqual(['client-id-without-application']);
  });

  it('find a role pinned to its own application’s aud with the sub of some other live identity', () => {
    const hijacked = role('ci', pinned(OWN.appId, OTHER.sp), { 'entra:federation-status': 'ready' });
    const view = world({
      roles: [hijacked],
      servicePrincipals: [
        { id: OWN.sp, appId: OWN.appId },
        { id: OTHER.sp, appId: MANAGED_IDENTITY },
      ],
    });
    expect(invariantsOf(view)).toEqual(['federated-role-not-pinned']);
  });

  it('accept a role that brings a live identity through the gateway, and find one whose brought identity is gone', () => {
    const brought = role('mi', pinned(GATEWAY, OTHER.sp), { 'entra:federation-status': 'ready' }, 'AROABROUGHTBROUGHT001');
    const identity = { id: OTHER.sp, appId: MANAGED_IDENTITY };
    const base = world().iam[ACCOUNT]!.roles[0]!;
    expect(invariantsOf(world({ roles: [base, brought], servicePrincipals: [{ id: OWN.sp, appId: OWN.appId }, identity] }))).toEqual([]);
    expect(invariantsOf(world({ roles: [base, brought] }))).toEqual(['pinned-to-missing-identity', 'federated-role-not-pinned']);
  });

  it('find an application of ours whose role incarnation is gone, or no longer trusts the provider', () => {
    const gone = world({ roles: [] });
    const unfederated = world({
      roles: [
        role('ci', {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      ],
    });
    const recreated = world({ roles: [role('ci', pinned(OWN.appId, OWN.sp), {}, 'AROANEWINCARNATION001')] });
    expect(invariantsOf(gone)).toEqual(['application-without-role']);
    expect(invariantsOf(unfederated)).toEqual(['application-without-role']);
    expect(invariantsOf(recreated)).toContain('application-without-role');
  });

  it("report an orphan apart when its role's Delete failed in the run: the alarm fired, the runbook removes it", () => {
    const failedRemovals = failedRemovalsOf([
      {
        stateMachine: 'Web-Identity-Role-Delete',
        status: 'FAILED',
        states: ['DeleteFailed'],
        input: { accountId: ACCOUNT, roleName: 'CI' },
      },
    ]);
    const report = checkInvariants(world({ roles: [] }), SETTINGS, { failedRemovals });
    expect(failedRemovals).toEqual(new Set([applicationNamePrefix(ACCOUNT, 'ci')]));
    expect(report.violations).toEqual([]);
    expect(report.afterFailedDeletes.map((v) => v.invariant)).toEqual(['application-without-role']);
  });

  it('find a role left open (the one definition: isOpen), and not once it is locked', () => {
    const open = role(
      'team',
      policy(statement()),
      { 'entra:federation-status': 'failed:policy-too-large', 'entra:access': 'open' },
      'AROAOPENOPENOPENOPEN1',
    );
    const locked = role(
      'team',
      {
        ...policy(statement(), {
          Sid: LOCK_SID,
          Effect: 'Deny',
          Principal: { Federated: PROVIDER },
          Action: 'sts:AssumeRoleWithWebIdentity',
        }),
      },
      { 'entra:federation-status': 'failed:wildcard' },
      'AROAOPENOPENOPENOPEN1',
    );
    const ready = world().iam[ACCOUNT]!.roles[0]!;
    expect(checkInvariants(world({ roles: [ready, open] }), SETTINGS).violations).toEqual([
      expect.objectContaining({ invariant: 'role-open', roleName: 'team', message: expect.stringContaining('role-open alarm fired') }),
    ]);
    expect(invariantsOf(world({ roles: [ready, locked] }))).toEqual([]);
  });

  it('read IDs regardless of case: a pin or a client ID in upper case names the same identity', () => {
    const upper = role('ci', pinned(OWN.appId.toUpperCase(), OWN.sp.toUpperCase()), { 'entra:federation-status': 'ready' });
    const view = world({ roles: [upper], clientIds: [OWN.appId.toUpperCase()] });
    expect(invariantsOf(view)).toEqual([]);
    expect(
      checkInvariants(world({ clientIds: [OWN.appId, GATEWAY.toUpperCase()] }), { ...SETTINGS, gatewayClientId: GATEWAY }).violations,
    ).toEqual([]);
  });

  it("hold a federated role to exactly its own pin: one sub and at least one audience, its own or the gateway's", () => {
    const pin = (condition: Record<string, string | string[]>) =>
      role('ci', policy({ ...statement(), Condition: { StringEquals: condition } }), { 'entra:federation-status': 'ready' });
    const aud = `${HOST}:aud`;
    const sub = `${HOST}:sub`;
    const views = {
      own: pin({ [aud]: OWN.appId, [sub]: OWN.sp }),
      throughTheGateway: pin({ [aud]: [OWN.appId, GATEWAY], [sub]: OWN.sp }),
      twoSubjects: pin({ [aud]: OWN.appId, [sub]: [OWN.sp, OTHER.sp] }),
      noAudience: pin({ [sub]: OWN.sp }),
    };
    const servicePrincipals = [
      { id: OWN.sp, appId: OWN.appId },
      { id: OTHER.sp, appId: MANAGED_IDENTITY },
      { id: 'f0000000-0000-4000-8000-0000000000f2', appId: FOREIGN_APP },
    ];
    const verdicts = Object.fromEntries(
      Object.entries(views).map(([name, r]) => [
        name,
        invariantsOf(world({ roles: [r], servicePrincipals, clientIds: [OWN.appId, GATEWAY] })).includes('federated-role-not-pinned'),
      ]),
    );
    expect(verdicts).toEqual({ own: false, throughTheGateway: false, twoSubjects: true, noAudience: true });
  });

  it('say whether a role that is not pinned has its application at all', () => {
    const unpinned = role('ci', policy(statement({ [`${HOST}:aud`]: 'placeholder' })));
    const [withApp] = checkInvariants(world({ roles: [unpinned] }), SETTINGS).violations;
    const [withoutApp] = checkInvariants(world({ roles: [unpinned], applications: [] }), SETTINGS).violations;
    expect(withApp!.message).toContain(`not pinned to aud ${OWN.appId} and sub ${OWN.sp}`);
    expect(withoutApp!.message).toContain('does not exist');
    expect(withoutApp).toMatchObject({ invariant: 'federated-role-not-pinned', accountId: ACCOUNT, roleName: 'ci' });
  });

  it('check only pins that look like client IDs against the tenant, and only on a role that pins a sub', () => {
    const uriAudience = role('ci', pinned('api://ci', OWN.sp), { 'entra:federation-status': 'ready' });
    const audOnly = role('team', policy(statement({ [`${HOST}:aud`]: 'dead0000-0000-4000-8000-00000000dead' })), {
      'entra:federation-status': 'failed:wildcard',
    });
    const missing = (view: WorldView) => invariantsOf(view).filter((name) => name === 'pinned-to-missing-identity');
    expect(missing(world({ roles: [uriAudience] }))).toEqual([]);
    expect(missing(world({ roles: [audOnly] }))).toEqual([]);
  });

  it('count what they checked: every role and client ID, and only our applications', () => {
    const view = world({
      clientIds: [OWN.appId, GATEWAY, 'api://x'],
      applications: [
        { appId: OWN.appId, uniqueName: applicationUniqueName(ACCOUNT, 'ci', ROLE_ID), createdBy: 'automation' },
        { appId: FOREIGN_APP, uniqueName: null, createdBy: '4a000000-0000-4000-8000-00000000004a' },
      ],
    });
    const report = checkInvariants(
      { ...view, iam: { [ACCOUNT]: { ...view.iam[ACCOUNT]!, roles: [...view.iam[ACCOUNT]!.roles, role('plain', policy())] } } },
      SETTINGS,
    );
    expect(report.checked).toEqual({ roles: 2, applications: 1, clientIds: 3 });
  });

  it('name an application of ours that is not named after a role, and its account when it is', () => {
    const stray = { appId: OTHER.appId, uniqueName: 'hand-named', createdBy: 'automation' };
    const unnamed = { appId: 'a0000000-0000-4000-8000-0000000000a3', uniqueName: null, createdBy: 'automation' };
    const gone = {
      appId: 'a0000000-0000-4000-8000-0000000000a4',
      uniqueName: applicationUniqueName('333333333333', 'x', ROLE_ID),
      createdBy: 'automation',
    };
    const report = checkInvariants(world({ applications: [...world().entra.applications, stray, unnamed, gone] }), SETTINGS);
    expect(report.violations.map((v) => [v.accountId, v.message])).toEqual([
      ['(unknown)', expect.stringContaining('(hand-named) is ours but not named after a role incarnation')],
      ['(unknown)', expect.stringContaining('(no uniqueName) is ours but not named')],
      ['333333333333', expect.stringContaining('belongs to no existing role incarnation')],
    ]);
  });

  it('report apart only the orphans of the roles whose removal failed', () => {
    const failedRemovals = new Set([applicationNamePrefix(ACCOUNT, 'ci')]);
    const other = { appId: OTHER.appId, uniqueName: applicationUniqueName(ACCOUNT, 'other', ROLE_ID), createdBy: 'automation' };
    const report = checkInvariants(world({ roles: [], applications: [...world().entra.applications, other] }), SETTINGS, {
      failedRemovals,
    });
    expect(report.afterFailedDeletes.map((v) => v.message)).toEqual([
      expect.stringContaining(applicationUniqueName(ACCOUNT, 'ci', ROLE_ID)),
    ]);
    expect(report.violations.map((v) => v.message)).toEqual([expect.stringContaining(other.uniqueName)]);
  });

  it('count as a failed removal a Delete that did not succeed, a Create whose compensation failed, and any timed-out execution', () => {
    const execution = (stateMachine: string, status: string, states: string[], roleName: string) => ({
      stateMachine,
      status,
      states,
      input: { accountId: ACCOUNT, roleName },
    });
    const failed = failedRemovalsOf([
      execution('Web-Identity-Role-Delete', 'FAILED', [], 'delete-failed'),
      execution('Web-Identity-Role-Delete', 'SUCCEEDED', [], 'delete-ok'),
      execution('Web-Identity-Role-Create', 'FAILED', ['CompensationFailed'], 'compensation-failed'),
      execution('Web-Identity-Role-Create', 'FAILED', ['Compensate'], 'create-failed'),
      execution('Web-Identity-Role-Create', 'TIMED_OUT', [], 'create-timed-out'),
      execution('Web-Identity-Role-Create', 'SUCCEEDED', [], 'create-ok'),
    ]);
    expect([...failed].sort()).toEqual(
      ['delete-failed', 'compensation-failed', 'create-timed-out'].map((name) => applicationNamePrefix(ACCOUNT, name)).sort(),
    );
  });

  it("read the tenant's provider among several, and hold a role to nothing when the account has none", () => {
    const base = world({ clientIds: ['dead0000-0000-4000-8000-00000000dead'] });
    const account = base.iam[ACCOUNT]!;
    const other = {
      url: 'https://token.actions.githubusercontent.com',
      arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
      clientIds: ['sts.amazonaws.com'],
    };
    const twoProviders = { ...base, iam: { [ACCOUNT]: { ...account, oidcProviders: [other, ...account.oidcProviders] } } };
    const none = { ...base, iam: { [ACCOUNT]: { ...account, oidcProviders: [] } } };
    expect(checkInvariants(twoProviders, SETTINGS).violations).toEqual([
      { invariant: 'client-id-without-application', accountId: ACCOUNT, message: expect.stringContaining('dead0000') },
    ]);
    expect(checkInvariants(none, SETTINGS).checked.clientIds).toBe(0);
  });

  it('say an open role fired its alarm only when it is tagged so', () => {
    const open = role('team', policy(statement()), {}, 'AROAOPENOPENOPENOPEN1');
    const [violation] = checkInvariants(world({ roles: [open] }), SETTINGS).violations.filter((v) => v.invariant === 'role-open');
    expect(violation!.message).not.toContain('alarm fired');
  });

  it('hold a role tagged failed to nothing, even with the automation’s placeholder, and the same role untagged to its pin', () => {
    const placeholder = policy(statement({ [`${HOST}:aud`]: 'dead0000-0000-4000-8000-00000000dead' }));
    expect(invariantsOf(world({ roles: [role('ci', placeholder, { 'entra:federation-status': 'failed:entra-quota' })] }))).toEqual([]);
    expect(invariantsOf(world({ roles: [role('ci', placeholder)] }))).toContain('federated-role-not-pinned');
  });

  it('find a role pinned with one sub and its audience when its application or its service principal is gone', () => {
    const noApplication = world({ roles: [role('ci', pinned(OTHER.appId, OWN.sp))], applications: [] });
    const noServicePrincipal = world({ servicePrincipals: [] });
    expect(invariantsOf(noApplication)).toContain('federated-role-not-pinned');
    const violations = checkInvariants(noServicePrincipal, SETTINGS).violations;
    expect(violations.map((v) => v.invariant)).toContain('federated-role-not-pinned');
    expect(violations.find((v) => v.invariant === 'federated-role-not-pinned')!.message).toContain('sub (no service principal)');
  });

  it('take a statement as pinned only when every audience is its own or the gateway', () => {
    const extra = role('ci', pinned(OWN.appId, OWN.sp), { 'entra:federation-status': 'ready' });
    const statements = extra.assumeRolePolicyDocument.Statement as PolicyStatement[];
    const condition = statements[0]!.Condition as { StringEquals: Record<string, string | string[]> };
    condition.StringEquals[`${HOST}:aud`] = [OWN.appId, 'dead0000-0000-4000-8000-00000000dead'];
    expect(invariantsOf(world({ roles: [extra] }))).toContain('federated-role-not-pinned');
  });

  it('leave a hand-made statement beside the automation’s own pin alone', () => {
    const handMade = {
      ...statement({ [`${HOST}:aud`]: FOREIGN_APP, [`${HOST}:sub`]: OTHER.sp }),
    };
    const mixed = role('ci', policy(...(pinned(OWN.appId, OWN.sp).Statement as PolicyStatement[]), handMade), {
      'entra:federation-status': 'ready',
    });
    const view = world({
      roles: [mixed],
      applications: [
        ...world().entra.applications,
        { appId: FOREIGN_APP, uniqueName: null, createdBy: '4a000000-0000-4000-8000-00000000004a' },
      ],
      servicePrincipals: [
        { id: OWN.sp, appId: OWN.appId },
        { id: OTHER.sp, appId: FOREIGN_APP },
      ],
    });
    expect(invariantsOf(view)).toEqual([]);
  });

  it('check only whole GUIDs as client IDs, and parse only whole application names', () => {
    const dead = 'dead0000-0000-4000-8000-00000000dead';
    expect(invariantsOf(world({ clientIds: [OWN.appId, `urn:${dead}`, `${dead}x`] }))).toEqual([]);
    const name = applicationUniqueName('333333333333', 'x', ROLE_ID);
    const report = checkInvariants(
      world({
        applications: [
          ...world().entra.applications,
          { appId: OTHER.appId, uniqueName: `x${name}`, createdBy: 'automation' },
          { appId: FOREIGN_APP, uniqueName: `${name}-`, createdBy: 'automation' },
        ],
      }),
      SETTINGS,
    );
    expect(report.violations.map((v) => v.accountId)).toEqual(['(unknown)', '(unknown)']);
  });
});
