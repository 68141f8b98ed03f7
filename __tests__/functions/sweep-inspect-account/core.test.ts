import { sweepContext } from '../../fixtures/sweep-context';
import fc from 'fast-check';
import { OidcProviderNotFoundError, silentLogger } from '../../../functions/shared/runtime';
import { applicationUniqueName, type EntraApplication } from '../../../functions/shared/entra';
import {
  REVOKE_SESSIONS_POLICY_NAME,
  revokeOlderSessionsPolicy,
  type ListedRole,
  type MemberAccountIam,
  type MemberAccountLister,
  type PolicyDocument,
  type RoleState,
} from '../../../functions/shared/iam';
import type { Inspection, OwnApplication, SweepContext } from '../../../functions/shared/sweep';
import { inspectAccount, inputSchema, type Deps } from '../../../functions/sweep-inspect-account/core';
import { FAILURE_REASONS } from '../../../functions/shared/workflow';

/** The inspection's decisions, one role or client ID at a time, against in-memory ports. */

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ACCOUNT = '111122223333';
const HOST = `sts.windows.net/${TENANT}/`;
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const NOW = Date.parse('2025-06-01T12:00:00Z');
const OLD = '2024-01-01T00:00:00.000Z';
const APP = '0a000000-0000-4000-8000-0000000000a1';
const SP = '0a000000-0000-4000-8000-0000000000b1';
const AUTOMATION_CLIENT_ID = '0a000000-0000-4000-8000-0000000000f1';
const GATEWAY_CLIENT_ID = '9a7e9a7e-6a7e-4a7e-8a7e-9a7e0a7e0001';

const web = (conditions?: Record<string, Record<string, string | string[]>>) => ({
  Effect: 'Allow' as const,
  Principal: { Federated: PROVIDER },
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...(conditions ? { Condition: conditions } : {}),
});
const policy = (...statements: object[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements as never });
const placeholder = policy(web({ StringEquals: { [`${HOST}:aud`]: 'api://replace-me' } }));
const pinned = (appId = APP, sp = SP) => policy(web({ StringEquals: { [`${HOST}:aud`]: appId, [`${HOST}:sub`]: sp } }));

interface FakeRole extends ListedRole {
  tags: Record<string, string>;
  inlinePolicies?: Record<string, PolicyDocument>;
}

function fakes(options: {
  roles: FakeRole[];
  clientIds: string[] | null;
  applications?: OwnApplication[];
  tenant?: Record<string, boolean>;
  servicePrincipals?: { id: string; appId: string }[];
  /** Object IDs of the applications an owner took the automation off. */
  notOwned?: string[];
  /** IAM as it answers after the listing (a role deleted or re-created meanwhile, a refused read). */
  iam?: Partial<MemberAccountIam & MemberAccountLister>;
  trustPolicyMaxChars?: number;
}) {
  const getRoleCalls: string[] = [];
  const sessionNames: string[] = [];
  const iam = {
    accountId: ACCOUNT,
    listRoles: async () => options.roles.map(({ tags: _tags, inlinePolicies: _policies, ...listed }) => listed),
    listRoleInlinePolicies: async () =>
      options.roles
        .filter((r) => Object.keys(r.inlinePolicies ?? {}).length > 0)
        .map((r) => ({ roleName: r.roleName, roleId: r.roleId, path: r.path, policies: r.inlinePolicies ?? {} })),
    getRole: async (name: string): Promise<RoleState | null> => {
      getRoleCalls.push(name);
      const role = options.roles.find((candidate) => candidate.roleName === name);
      return role ? { roleName: role.roleName, roleId: role.roleId, arn: role.arn, trustPolicy: role.trustPolicy, tags: role.tags } : null;
    },
    getProviderClientIds: async () => options.clientIds,
    ...options.iam,
  } as unknown as MemberAccountIam & MemberAccountLister;
  const deps: Deps = {
    settings: {
      tenantId: TENANT,
      tokenVersion: 1,
      trustPolicyMaxChars: options.trustPolicyMaxChars ?? 2048,
      protectedRoles: ['OrganizationAccountAccessRole', 'platform/*'],
      automationClientId: AUTOMATION_CLIENT_ID,
      gatewayClientId: GATEWAY_CLIENT_ID,
    },
    logger: silentLogger,
    openAccount: async (_accountId, sessionName) => {
      sessionNames.push(sessionName);
      return iam;
    },
    // Applications of the tenant by client ID: true = the automation's, false = someone else's.
    directory: {
      findApplicationByAppId: async (appId: string) =>
        appId in (options.tenant ?? {})
          ? { application: { id: appId, appId, uniqueName: '', displayName: '' } as EntraApplication, ours: options.tenant![appId]! }
          : null,
      // Service principals: those of the listed applications, and those with no application here (managed identities).
      getServicePrincipal: async (objectId: string) => {
        const app = (options.applications ?? []).find((candidate) => candidate.servicePrincipalId === objectId);
        if (app) return { id: objectId, appId: app.appId, displayName: '', servicePrincipalType: 'Application' };
        const other = (options.servicePrincipals ?? []).find((sp) => sp.id === objectId);
        return other ? { ...other, displayName: '', servicePrincipalType: 'ManagedIdentity' } : null;
      },
      getServicePrincipalByAppId: async (appId: string) => {
        const other = (options.servicePrincipals ?? []).find((sp) => sp.appId === appId);
        return other ? { ...other, displayName: '', servicePrincipalType: 'ManagedIdentity' } : null;
      },
      ownsApplication: async (objectId: string) => !(options.notOwned ?? []).includes(objectId),
    },
    now: () => NOW,
  };
  const input = {
    account: { accountId: ACCOUNT, applications: options.applications ?? [] },
    sweep: { id: '0123456789abcdef' } as SweepContext,
  };
  return { deps, input, getRoleCalls, sessionNames };
}

const role = (
  roleName: string,
  trustPolicy: PolicyDocument,
  tags: Record<string, string> = {},
  extra: Partial<FakeRole> = {},
): FakeRole => ({
  roleName,
  roleId: `AROA${roleName
    .toUpperCase()
    .replace(/[^A-Z]/g, '')
    .padEnd(17, 'X')
    .slice(0, 17)}`,
  arn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
  path: '/',
  trustPolicy,
  createDate: OLD,
  tags,
  ...extra,
});
const ownApp = (r: FakeRole, appId = APP, servicePrincipalId: string | null = SP, createdDateTime = OLD): OwnApplication => ({
  id: '0a000000-0000-4000-8000-0000000000c1',
  appId,
  uniqueName: applicationUniqueName(ACCOUNT, r.roleName, r.roleId),
  roleId: r.roleId,
  createdDateTime,
  servicePrincipalId,
});
const summary = (inspection: Inspection) =>
  inspection.readable
    ? inspection.findings.map((finding) => `${finding.kind} ${finding.roleName ?? finding.appId} ${finding.action}`)
    : ['unreadable'];

describe('sweep-inspect-account', () => {
  it('passes a role exactly as the automation leaves it without reading it again', async () => {
    const ready = role('ready', pinned(), { 'entra:federation-status': 'ready' });
    const { deps, input, getRoleCalls } = fakes({ roles: [ready], clientIds: [APP], applications: [ownApp(ready)] });

    const { inspection } = await inspectAccount(deps, input);

    expect(summary(inspection)).toEqual([]);
    expect(getRoleCalls).toEqual([]);
  });

  it('calls a ready role whose client ID left the provider drifted', async () => {
    const ready = role('ready', pinned(), { 'entra:federation-status': 'ready' });
    const { deps, input } = fakes({ roles: [ready], clientIds: [], applications: [ownApp(ready)] });

    expect(summary((await inspectAccount(deps, input)).inspection)).toEqual(['drifted ready federate']);
  });

  it('reports an application an owner took the automation off as not-owner, never as an orphan to delete, whether its role is ready or gone', async () => {
    const ready = role('ready', pinned(), { 'entra:federation-status': 'ready' });
    const gone = role('gone', placeholder);
    const goneApp = { ...ownApp(gone, '0a000000-0000-4000-8000-0000000000a2'), id: '0a000000-0000-4000-8000-0000000000c2' };
    const { deps, input } = fakes({
      roles: [ready],
      clientIds: [APP],
      applications: [ownApp(ready), goneApp],
      notOwned: [ownApp(ready).id, goneApp.id],
    });

    const { inspection } = await inspectAccount(deps, input);

    expect(summary(inspection)).toEqual(['not-owner ready none', `not-owner ${goneApp.appId} none`]);
    expect(inspection.readable && inspection.repair.deleteApplications).toEqual([]);
    expect(inspection.readable && inspection.findings[1]!.detail).toMatch(/role incarnation AROAGONE\w+ no longer exists/);
  });

  it('federates a role tagged failed:not-owner once the automation owns its application again, and leaves it to the application finding until then', async () => {
    const given = role('given', pinned(), { 'entra:federation-status': 'failed:not-owner' });
    const still = role('still', pinned('0a000000-0000-4000-8000-0000000000a3'), { 'entra:federation-status': 'failed:not-owner' });
    const stillApp = { ...ownApp(still, '0a000000-0000-4000-8000-0000000000a3'), id: '0a000000-0000-4000-8000-0000000000c3' };
    const { deps, input } = fakes({
      roles: [given, still],
      // The given role's client ID left the provider too: a role pinned as written is passed without reading its tags.
      clientIds: [stillApp.appId],
      applications: [ownApp(given), stillApp],
      notOwned: [stillApp.id],
    });

    const { inspection } = await inspectAccount(deps, input);

    expect(summary(inspection)).toEqual(['unfederated given federate', 'not-owner still none']);
  });

  it('never federates a protected role, even one that trusts the provider', async () => {
    const { deps, input } = fakes({
      roles: [role('OrganizationAccountAccessRole', placeholder), role('ops', placeholder, {}, { path: '/platform/' })],
      clientIds: [],
    });

    expect(summary((await inspectAccount(deps, input)).inspection).sort()).toEqual([
      'protected-role OrganizationAccountAccessRole none',
      'protected-role ops none',
    ]);
  });

  it("proposes removing the automation's revocation policies 87,300 s past their time (a role session, a sign-in token's 15 minutes, then a console session made from it), on any role, and nothing else of that name", async () => {
    const revocation = (secondsAgo: number) => revokeOlderSessionsPolicy(PROVIDER, new Date(NOW - secondsAgo * 1000));
    const teams = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EntraRevokeOlderWebIdentitySessions',
          Effect: 'Deny',
          Action: 's3:*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' } },
        },
      ],
    } as PolicyDocument;
    const otherProvider = revokeOlderSessionsPolicy('arn:aws:iam::111122223333:oidc-provider/example.com/', new Date(NOW - 50_000_000));
    // Roles that left federation: they trust EC2, no longer the provider.
    const notFederated = policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
    const left = (name: string, revoking: PolicyDocument, extra: Partial<FakeRole> = {}) =>
      role(name, notFederated, {}, { ...extra, inlinePolicies: { [REVOKE_SESSIONS_POLICY_NAME]: revoking } });
    const { deps, input } = fakes({
      roles: [
        left('expired', revocation(87_300)),
        left('recent', revocation(87_299)),
        left('role-session-over', revocation(43_200)),
        left('teams', teams),
        left('other-provider', otherProvider),
        left('ops', revocation(100_000), { path: '/platform/' }),
        // Keys in another order (as a document may come back) still make the automation's document.
        role(
          'reordered',
          notFederated,
          {},
          {
            inlinePolicies: {
              [REVOKE_SESSIONS_POLICY_NAME]: JSON.parse(JSON.stringify(revocation(90_000)), (_key, value) =>
                value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value,
              ),
              Other: revocation(90_000),
            },
          },
        ),
      ],
      clientIds: [],
    });

    const { inspection } = await inspectAccount(deps, input);
    expect(summary(inspection)).toEqual([
      'expired-revocation expired remove-revocation-policy',
      'expired-revocation reordered remove-revocation-policy',
    ]);
    // What the removal checks again: the incarnation, the path, the time.
    expect(inspection.readable && inspection.repair.removeRevocationPolicies).toEqual([
      { roleName: 'expired', roleId: 'AROAEXPIREDXXXXXXXXXX', path: '/', revokedBefore: new Date(NOW - 87_300_000).toISOString() },
      { roleName: 'reordered', roleId: 'AROAREORDEREDXXXXXXXX', path: '/', revokedBefore: new Date(NOW - 90_000_000).toISOString() },
    ]);
  });

  it.each(['AccessDenied', 'AccessDeniedException'])(
    'still inspects an account whose member role may not read inline policies yet (an older baseline: %s), and fails on any other error of that read',
    async (denial) => {
      const revoking = revokeOlderSessionsPolicy(PROVIDER, new Date(NOW - 100_000 * 1000));
      const notFederated = policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
      const refusing = (name: string) =>
        fakes({
          roles: [role('left', notFederated, {}, { inlinePolicies: { [REVOKE_SESSIONS_POLICY_NAME]: revoking } })],
          clientIds: [],
          iam: {
            listRoleInlinePolicies: async () => {
              throw Object.assign(new Error('not authorized to perform iam:GetAccountAuthorizationDetails'), { name });
            },
          },
        });

      const denied = refusing(denial);
      expect(summary((await inspectAccount(denied.deps, denied.input)).inspection)).toEqual([]);
      const throttled = refusing('ServiceFailure');
      await expect(inspectAccount(throttled.deps, throttled.input)).rejects.toThrow(/GetAccountAuthorizationDetails/);
    },
  );

  it('leaves a role created within the hour, and an application created within the hour, to the events still at work', async () => {
    const fresh = role('fresh', placeholder, {}, { createDate: new Date(NOW - 60_000).toISOString() });
    const gone = role('gone', placeholder);
    const { deps, input } = fakes({
      roles: [fresh],
      clientIds: [APP],
      applications: [ownApp(gone, APP, SP, new Date(NOW - 60_000).toISOString())],
    });

    expect(summary((await inspectAccount(deps, input)).inspection)).toEqual([]);
  });

  it('retries a refusal whose trust policy changed since, and reports one whose cause is still there', async () => {
    const fixed = role('fixed', placeholder, { 'entra:federation-status': 'failed:wildcard' });
    const still = role('still', policy(web(), { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }), {
      'entra:federation-status': 'failed:wildcard',
    });
    const quota = role('quota', placeholder, { 'entra:federation-status': 'failed:entra-quota' });
    const { deps, input } = fakes({ roles: [fixed, still, quota], clientIds: [] });

    expect(summary((await inspectAccount(deps, input)).inspection)).toEqual([
      'unfederated fixed federate',
      'refused quota none',
      'refused still none',
    ]);
  });

  it('reports a revoked role and never federates it, however its trust policy stands', async () => {
    const revoked = role('revoked', placeholder, { 'entra:federation-status': 'revoked' });
    const { deps, input } = fakes({ roles: [revoked], clientIds: [] });

    const { inspection } = await inspectAccount(deps, input);

    expect(summary(inspection)).toEqual(['revoked revoked none']);
    expect(inspection.readable && inspection.repair.federate).toEqual([]);
  });

  it('says when a role it will federate is open to the whole tenant meanwhile', async () => {
    const { deps, input } = fakes({
      roles: [role('open', policy(web()))],
      clientIds: ['07000000-0000-4000-8000-0000000000a0'],
      tenant: { '07000000-0000-4000-8000-0000000000a0': false },
    });

    const { inspection } = await inspectAccount(deps, input);

    expect(inspection.readable && inspection.findings[0]!.detail).toMatch(/open \(any workload of the tenant may assume it\)/);
  });

  it('skips a role whose aud names an application of the automation created after the plan listed Entra (a Create at work)', async () => {
    const newApp = '0a000000-0000-4000-8000-0000000000a9';
    const { deps, input } = fakes({
      roles: [role('racing', pinned(newApp), { 'entra:federation-status': 'ready' })],
      clientIds: [newApp],
      tenant: { [newApp]: true },
    });

    expect(summary((await inspectAccount(deps, input)).inspection)).toEqual([]);
  });

  it('judges only GUID client IDs, and only those that name no application at all', async () => {
    const foreign = '07000000-0000-4000-8000-0000000000a0';
    const dead = 'dead0000-0000-4000-8000-00000000dead';
    const { deps, input } = fakes({ roles: [], clientIds: ['api://legacy-app', foreign, dead], tenant: { [foreign]: false } });

    const { inspection } = await inspectAccount(deps, input);

    expect(summary(inspection)).toEqual([`dead-client-id ${dead} remove-client-id`]);
    expect(inspection.readable && inspection.repair.removeClientIds).toEqual([dead]);
  });

  it('calls an application of the automation an orphan when its role no longer trusts the provider, and proposes deleting it', async () => {
    const moved = role('moved', policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }));
    const { deps, input } = fakes({ roles: [moved], clientIds: [APP], applications: [ownApp(moved)] });

    const { inspection } = await inspectAccount(deps, input);

    expect(summary(inspection)).toEqual(['orphan-application moved delete-application']);
    expect(inspection.readable && inspection.findings[0]!.detail).toBe("its role no longer trusts the tenant's provider");
    expect(inspection.readable && inspection.repair.deleteApplications).toEqual([
      { id: '0a000000-0000-4000-8000-0000000000c1', appId: APP, uniqueName: expect.any(String) },
    ]);
  });

  it('fails (the account is then unreadable) when the account has no provider for the tenant', async () => {
    const { deps, input } = fakes({ roles: [], clientIds: null });

    await expect(inspectAccount(deps, input)).rejects.toThrow(OidcProviderNotFoundError);
  });
});

/** A second application of the automation (another role's), a foreign one, a managed identity, a dead client ID. */
const APP_B = '0a000000-0000-4000-8000-0000000000a2';
const SP_B = '0a000000-0000-4000-8000-0000000000b2';
const FOREIGN_APP = '07000000-0000-4000-8000-0000000000a0';
const FOREIGN_SP = '07000000-0000-4000-8000-0000000000b0';
const MI_SP = '0b000000-0000-4000-8000-0000000000e1';
const MI_APP = '0b000000-0000-4000-8000-0000000000e2';
const DEAD = 'dead0000-0000-4000-8000-00000000dead';
const READY_TAGS = { 'entra:federation-status': 'ready' };

const aud = `${HOST}:aud`;
const sub = `${HOST}:sub`;
/** Role B: another role of the account, ready and pinned as written, so only what its identity means to role A matters. */
const roleB = () => role('bravo', pinned(APP_B, SP_B), READY_TAGS);
const appB = () => ({ ...ownApp(roleB(), APP_B, SP_B), id: '0a000000-0000-4000-8000-0000000000c2' });
const details = (inspection: Inspection) =>
  inspection.readable ? inspection.findings.map((f) => `${f.kind}: ${f.detail}`) : ['unreadable'];

describe('sweep-inspect-account: ready roles it passes without a repair', () => {
  // Each is not what `pinTrustPolicy` would write for the role's own client ID alone, so it is
  // read again and judged: the one judgement, not the fast path, must pass it.
  it.each([
    ['in gateway audience mode (aud is the gateway, its own client ID not on the provider)', [GATEWAY_CLIENT_ID], GATEWAY_CLIENT_ID],
    [
      'while moving between audience modes (its own client ID and the gateway, the provider holding the gateway in upper case)',
      [APP, GATEWAY_CLIENT_ID.toUpperCase()],
      [APP, GATEWAY_CLIENT_ID],
    ],
  ])('a role of ours %s', async (_mode, clientIds, audience) => {
    const ready = role('ready', policy(web({ StringEquals: { [aud]: audience, [sub]: SP } })), READY_TAGS);
    const { deps, input, getRoleCalls } = fakes({ roles: [ready], clientIds, applications: [ownApp(ready)] });

    const { inspection } = await inspectAccount(deps, input);

    expect(getRoleCalls).toEqual(['ready']);
    // The gateway on the provider is the platform's: never a dead client ID.
    expect(summary(inspection)).toEqual([]);
  });

  it("a role of ours that keeps a team's own closed federation (a foreign application and its identity) beside the automation's pin", async () => {
    const ready = role(
      'ready',
      policy(web({ StringEquals: { [aud]: APP, [sub]: SP } }), web({ StringEquals: { [aud]: FOREIGN_APP, [sub]: FOREIGN_SP } })),
      READY_TAGS,
    );
    const { deps, input, getRoleCalls } = fakes({
      roles: [ready],
      clientIds: [APP, FOREIGN_APP],
      applications: [ownApp(ready)],
      tenant: { [FOREIGN_APP]: false },
    });

    expect(summary((await inspectAccount(deps, input)).inspection)).toEqual([]);
    expect(getRoleCalls).toEqual(['ready']);
  });

  it('a role a team brought its own identity to (a managed identity through the gateway): nothing of the automation pinned, nothing created', async () => {
    const brought = role('brought', policy(web({ StringEquals: { [aud]: GATEWAY_CLIENT_ID, [sub]: MI_SP } })), READY_TAGS);
    const { deps, input } = fakes({
      roles: [brought],
      clientIds: [GATEWAY_CLIENT_ID.toUpperCase()],
      servicePrincipals: [{ id: MI_SP, appId: MI_APP }],
    });

    expect(summary((await inspectAccount(deps, input)).inspection)).toEqual([]);
  });

  it("never counts the gateway's nor the automation's own client ID on the provider as dead", async () => {
    const { deps, input } = fakes({ roles: [], clientIds: [GATEWAY_CLIENT_ID, AUTOMATION_CLIENT_ID, DEAD] });

    const { inspection } = await inspectAccount(deps, input);

    expect(summary(inspection)).toEqual([`dead-client-id ${DEAD} remove-client-id`]);
    expect(details(inspection)).toEqual(['dead-client-id: names no application nor service principal in the tenant']);
  });
});

describe('sweep-inspect-account: ready roles that are no longer as the automation left them', () => {
  const inspectReady = async (trustPolicy: PolicyDocument, options: Partial<Parameters<typeof fakes>[0]> = {}) => {
    const ready = role('ready', trustPolicy, READY_TAGS);
    const { deps, input } = fakes({ roles: [ready], clientIds: [APP], applications: [ownApp(ready)], ...options });
    const { inspection } = await inspectAccount(deps, input);
    return inspection;
  };

  it("calls a role of ours drifted, open, once a team adds a statement that admits anyone (Principal '*'), and proposes federating it again", async () => {
    const inspection = await inspectReady(
      policy(web({ StringEquals: { [aud]: APP, [sub]: SP } }), {
        Effect: 'Allow',
        Principal: '*',
        Action: 'sts:AssumeRoleWithWebIdentity',
      }),
    );

    expect(details(inspection)).toEqual([
      'drifted: its trust policy is open: a web identity statement pins no sub; its trust policy is open (any workload of the tenant may assume it) until it is federated',
    ]);
    expect(inspection.readable && inspection.repair.federate).toEqual([
      { roleName: 'ready', roleId: 'AROAREADYXXXXXXXXXXXX', kind: 'drifted' },
    ]);
    expect(inspection.readable && inspection.findings.map((f) => f.result)).toEqual(['proposed']);
  });

  it("calls a role of ours drifted, open, when a team's own statement pins a foreign audience the provider holds but no sub (the whole tenant gets in)", async () => {
    const inspection = await inspectReady(
      policy(web({ StringEquals: { [aud]: APP, [sub]: SP } }), web({ StringEquals: { [aud]: FOREIGN_APP } })),
      { clientIds: [APP, FOREIGN_APP], tenant: { [FOREIGN_APP]: false } },
    );

    expect(summary(inspection)).toEqual(['drifted ready federate']);
    expect(details(inspection)[0]).toMatch(/^drifted: its trust policy is open: a web identity statement pins no sub/);
  });

  it.each([
    ['a sub that lists a second service principal beside its own', [web({ StringEquals: { [aud]: APP, [sub]: [SP, SP_B] } })]],
    [
      "a second statement that admits another role's service principal",
      [web({ StringEquals: { [aud]: APP, [sub]: SP } }), web({ StringEquals: { [aud]: APP, [sub]: SP_B } })],
    ],
  ])('federates again a role of ours that admits another identity too: %s', async (_shape, statements) => {
    const ready = role('ready', policy(...statements), READY_TAGS);
    const { deps, input } = fakes({
      roles: [ready, roleB()],
      clientIds: [APP, APP_B],
      applications: [ownApp(ready), appB()],
    });

    // Role B, pinned as written, is passed.
    expect(details((await inspectAccount(deps, input)).inspection)).toEqual([
      'drifted: its trust policy is no longer pinned as the automation wrote it',
    ]);
  });

  it('calls a pin to an audience that names no application a broken pin', async () => {
    const inspection = await inspectReady(policy(web({ StringEquals: { [aud]: [APP, DEAD], [sub]: SP } })), { clientIds: [APP, DEAD] });

    // The dead client ID is proposed for removal as well: it names nothing.
    expect(details(inspection)).toEqual([
      `broken-pin: aud ${DEAD} names no application`,
      'dead-client-id: names no application nor service principal in the tenant',
    ]);
  });

  it('calls a pin to a service principal that is gone (the application has a new one) a broken pin', async () => {
    const gone = '0a000000-0000-4000-8000-0000000000b9';
    const inspection = await inspectReady(pinned(APP, gone));

    expect(details(inspection)).toEqual([`broken-pin: sub does not name its application's service principal ${SP}`]);
  });

  it.each([
    ['its application still has its service principal', SP, `broken-pin: sub does not name its application's service principal ${SP}`],
    ['its application has no service principal any more', null, 'broken-pin: its application has no service principal any more'],
  ])("never passes a role whose sub names another role's service principal (%s)", async (_case, servicePrincipalId, expected) => {
    const stolen = role('stolen', pinned(APP, SP_B), READY_TAGS);
    const b = roleB();
    const { deps, input } = fakes({
      roles: [stolen, b],
      clientIds: [APP, APP_B],
      applications: [ownApp(stolen, APP, servicePrincipalId), appB()],
    });

    expect(details((await inspectAccount(deps, input)).inspection)).toEqual([expected]);
  });

  it('calls a role whose application lost its service principal a broken pin', async () => {
    const ready = role('ready', pinned(), READY_TAGS);
    const { deps, input } = fakes({ roles: [ready], clientIds: [APP], applications: [ownApp(ready, APP, null)] });

    expect(details((await inspectAccount(deps, input)).inspection)).toEqual([
      'broken-pin: its application has no service principal any more',
    ]);
  });

  it('names the client ID that left the provider', async () => {
    const inspection = await inspectReady(pinned(), { clientIds: [] });

    expect(details(inspection)).toEqual([`drifted: its client ID ${APP} is not on the provider`]);
  });

  it('calls a role drifted when, between audience modes, the provider holds the gateway but no longer its own client ID', async () => {
    const inspection = await inspectReady(policy(web({ StringEquals: { [aud]: [APP, GATEWAY_CLIENT_ID], [sub]: SP } })), {
      clientIds: [GATEWAY_CLIENT_ID],
    });

    expect(details(inspection)).toEqual([`drifted: its client ID ${APP} is not on the provider`]);
  });

  it('calls a role in gateway mode whose service principal is gone drifted, not healthy', async () => {
    const ready = role('ready', policy(web({ StringEquals: { [aud]: GATEWAY_CLIENT_ID, [sub]: SP } })), READY_TAGS);
    const { deps, input } = fakes({ roles: [ready], clientIds: [GATEWAY_CLIENT_ID], applications: [ownApp(ready)] });
    // Graph no longer knows the service principal the plan listed: the statement pins nothing of ours.
    deps.directory.getServicePrincipal = async () => null;

    expect(details((await inspectAccount(deps, input)).inspection)).toEqual([
      'drifted: its trust policy is no longer pinned as the automation wrote it',
    ]);
  });

  it('federates again a role of ours that also admits a brought identity through an audience the provider no longer holds', async () => {
    const inspection = await inspectReady(
      policy(web({ StringEquals: { [aud]: APP, [sub]: SP } }), web({ StringEquals: { [aud]: GATEWAY_CLIENT_ID, [sub]: MI_SP } })),
      { servicePrincipals: [{ id: MI_SP, appId: MI_APP }] },
    );

    expect(details(inspection)).toEqual(['drifted: its trust policy is no longer pinned as the automation wrote it']);
  });

  it.each([
    ['the gateway is not on the provider', { [aud]: GATEWAY_CLIENT_ID, [sub]: MI_SP }],
    ['it pins no audience at all', { [sub]: MI_SP }],
  ])('federates again a ready role of a brought identity when %s', async (_case, conditions) => {
    const brought = role('brought', policy(web({ StringEquals: conditions })), READY_TAGS);
    const { deps, input } = fakes({ roles: [brought], clientIds: [], servicePrincipals: [{ id: MI_SP, appId: MI_APP }] });

    expect(details((await inspectAccount(deps, input)).inspection)).toEqual([
      'drifted: its trust policy is no longer pinned as the automation wrote it',
    ]);
  });

  it('federates a brought identity the automation never federated (no status tag): the Create tags it', async () => {
    const brought = role('brought', policy(web({ StringEquals: { [aud]: GATEWAY_CLIENT_ID, [sub]: MI_SP } })));
    const { deps, input } = fakes({ roles: [brought], clientIds: [GATEWAY_CLIENT_ID], servicePrincipals: [{ id: MI_SP, appId: MI_APP }] });

    expect(details((await inspectAccount(deps, input)).inspection)).toEqual(['unfederated: never federated']);
  });
});

describe('sweep-inspect-account: roles a team federated by hand', () => {
  it.each([
    ['closed (it pins its own identity)', { [aud]: FOREIGN_APP, [sub]: FOREIGN_SP }, ''],
    [
      'open (no sub)',
      { [aud]: FOREIGN_APP },
      '; its trust policy is open (a statement admits the tenant without a sub): the team must pin sub',
    ],
  ])('reports a hand-made role, %s, and leaves it exactly as it is', async (_case, conditions, openNote) => {
    const team = role('team', policy(web({ StringEquals: conditions })));
    const { deps, input } = fakes({ roles: [team], clientIds: [FOREIGN_APP], tenant: { [FOREIGN_APP]: false } });

    const { inspection } = await inspectAccount(deps, input);

    expect(inspection.readable && inspection.findings).toEqual([
      {
        kind: 'hand-made',
        account: ACCOUNT,
        result: 'reported',
        roleName: 'team',
        appId: FOREIGN_APP,
        action: 'none',
        detail: `aud names an identity the automation did not create: left exactly as it is${openNote}`,
      },
    ]);
    expect(inspection.readable && inspection.repair.federate).toEqual([]);
  });
});

describe('sweep-inspect-account: roles tagged failed', () => {
  it('retries a failure a retry can fix', async () => {
    const throttled = role('throttled', placeholder, { 'entra:federation-status': 'failed:graph-throttled' });
    const { deps, input } = fakes({ roles: [throttled], clientIds: [] });

    const { inspection } = await inspectAccount(deps, input);

    expect(details(inspection)).toEqual(['retryable-failure: failed:graph-throttled: a retry can fix it']);
    expect(inspection.readable && inspection.repair.federate).toEqual([
      { roleName: 'throttled', roleId: 'AROATHROTTLEDXXXXXXXX', kind: 'retryable-failure' },
    ]);
  });

  it("reports a refusal with the fix its reason names, and a reason it does not know with a pointer to the role's tag", async () => {
    const quota = role('quota', placeholder, { 'entra:federation-status': 'failed:entra-quota' });
    const future = role('future', placeholder, { 'entra:federation-status': 'failed:a-reason-of-a-newer-version' });
    const { deps, input } = fakes({ roles: [quota, future], clientIds: [] });

    const { inspection } = await inspectAccount(deps, input);

    expect(details(inspection)).toEqual([
      "refused: failed:a-reason-of-a-newer-version: see the role's tag and the failed execution",
      `refused: failed:entra-quota: ${FAILURE_REASONS['entra-quota'].fix}`,
    ]);
    expect(inspection.readable && inspection.findings.map((f) => f.result)).toEqual(['reported', 'reported']);
    expect(inspection.readable && inspection.repair.federate).toEqual([]);
  });

  it('says why it federates a refusal again: the trust policy changed since', async () => {
    const fixed = role('fixed', placeholder, { 'entra:federation-status': 'failed:wildcard' });
    const { deps, input } = fakes({ roles: [fixed], clientIds: [] });

    expect(details((await inspectAccount(deps, input)).inspection)).toEqual([
      'unfederated: failed:wildcard, but the trust policy changed since',
    ]);
  });

  it('fails (the account is unreadable) rather than guess, when it cannot tell whether a refusal still stands', async () => {
    // An unusable quota makes the pin itself fail: no reason to compare, so nothing is federated on a guess.
    const still = role('still', placeholder, { 'entra:federation-status': 'failed:wildcard' });
    const { deps, input } = fakes({ roles: [still], clientIds: [], trustPolicyMaxChars: 0 });

    await expect(inspectAccount(deps, input)).rejects.toThrow(/maxPolicyChars/);
  });

  it("leaves a role tagged failed:not-owner whose application is still not the automation's to that application's finding, even when its pin drifted", async () => {
    const still = role('still', pinned(), { 'entra:federation-status': 'failed:not-owner' });
    const app = ownApp(still);
    // Its client ID left the provider: not pinned as written, so it is read and judged.
    const { deps, input } = fakes({ roles: [still], clientIds: [], applications: [app], notOwned: [app.id] });

    expect(summary((await inspectAccount(deps, input)).inspection)).toEqual(['not-owner still none']);
  });

  it('federates a role tagged failed:not-owner whose application is gone, and says so', async () => {
    const orphaned = role('orphaned', placeholder, { 'entra:federation-status': 'failed:not-owner' });
    const { deps, input } = fakes({ roles: [orphaned], clientIds: [] });

    expect(details((await inspectAccount(deps, input)).inspection)).toEqual(['unfederated: failed:not-owner, but its application is gone']);
  });

  it('says a role tagged failed:not-owner is federated because the automation owns its application again', async () => {
    const given = role('given', pinned(), { 'entra:federation-status': 'failed:not-owner' });
    const { deps, input } = fakes({ roles: [given], clientIds: [], applications: [ownApp(given)] });

    expect(details((await inspectAccount(deps, input)).inspection)).toEqual([
      'unfederated: failed:not-owner, but the automation owns its application again',
    ]);
  });
});

describe('sweep-inspect-account: races with the events', () => {
  it.each([
    ['deleted', async () => null],
    [
      're-created (another incarnation)',
      async (name: string) => ({
        roleName: name,
        roleId: 'AROANEWINCARNATIONXX',
        arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
        trustPolicy: placeholder,
        tags: {},
      }),
    ],
  ])('leaves a role %s since the listing to its own events', async (_case, getRole) => {
    const { deps, input } = fakes({ roles: [role('racing', placeholder)], clientIds: [], iam: { getRole } });

    expect(summary((await inspectAccount(deps, input)).inspection)).toEqual([]);
  });

  it('judges a role created within the hour once an execution has tagged it', async () => {
    const fresh = role('fresh', placeholder, READY_TAGS, { createDate: new Date(NOW - 60_000).toISOString() });
    const { deps, input } = fakes({ roles: [fresh], clientIds: [] });

    expect(summary((await inspectAccount(deps, input)).inspection)).toEqual(['drifted fresh federate']);
  });

  it('no longer waits for a role or an application created exactly an hour ago', async () => {
    const anHourAgo = new Date(NOW - 3_600_000).toISOString();
    const untagged = role('untagged', placeholder, {}, { createDate: anHourAgo });
    const gone = role('gone', placeholder);
    const { deps, input } = fakes({ roles: [untagged], clientIds: [APP], applications: [ownApp(gone, APP, SP, anHourAgo)] });

    const { inspection } = await inspectAccount(deps, input);

    expect(details(inspection)).toEqual([
      'unfederated: never federated',
      `orphan-application: role incarnation ${gone.roleId} no longer exists`,
    ]);
    expect(inspection.readable && inspection.findings[1]!.roleName).toBeUndefined();
  });
});

describe('sweep-inspect-account: the account as a whole', () => {
  it('reads the account in a session that names the function and the sweep (what CloudTrail shows)', async () => {
    const { deps, input, sessionNames } = fakes({ roles: [], clientIds: [] });

    await inspectAccount(deps, input);

    expect(sessionNames).toEqual([expect.stringMatching(/^wi-sweepinspect-sweep-0123456789abcdef$/)]);
  });

  it('accepts the map item the ItemSelector builds, whole, and refuses one without its account', () => {
    const item = {
      account: { accountId: ACCOUNT, applications: [ownApp(role('ready', pinned()))] },
      sweep: sweepContext({ executionName: 'sweep-1', mode: 'report', startedAt: '2025-06-01T12:00:00Z', bucket: 'reports-bucket' }),
    };

    expect(inputSchema.parse(item)).toEqual(item);
    expect(inputSchema.safeParse({ sweep: item.sweep }).success).toBe(false);
  });

  it('tells the operator, of an application it no longer owns whose role still exists, how to give it back', async () => {
    const ready = role('ready', pinned(), READY_TAGS);
    const app = ownApp(ready);
    const { deps, input } = fakes({ roles: [ready], clientIds: [APP], applications: [app], notOwned: [app.id] });

    expect(details((await inspectAccount(deps, input)).inspection)).toEqual([
      "not-owner: the automation is no longer among its owners: it can neither change nor delete it, and it counts against the automation's quota. A tenant administrator adds the automation back as owner (docs/operator.md#an-owner-removed-the-automation)",
    ]);
  });

  it('proposes expired revocations in role-name order, whatever order IAM lists them in, and says what they revoked', async () => {
    const revoked = new Date(NOW - 100_000_000);
    const revoking = revokeOlderSessionsPolicy(PROVIDER, revoked);
    const notFederated = policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
    const left = (name: string) => role(name, notFederated, {}, { inlinePolicies: { [REVOKE_SESSIONS_POLICY_NAME]: revoking } });
    const { deps, input } = fakes({ roles: [left('zulu'), left('alpha'), left('mike')], clientIds: [] });

    const { inspection } = await inspectAccount(deps, input);

    expect(summary(inspection)).toEqual([
      'expired-revocation alpha remove-revocation-policy',
      'expired-revocation mike remove-revocation-policy',
      'expired-revocation zulu remove-revocation-policy',
    ]);
    expect(details(inspection)[0]).toBe(
      `expired-revocation: ${REVOKE_SESSIONS_POLICY_NAME} revokes sessions issued before ${revoked.toISOString()}: all have expired (docs/operator.md#expired-revocation-policies)`,
    );
  });

  it('says which protected pattern covers a protected role', async () => {
    const { deps, input } = fakes({ roles: [role('ops', placeholder, {}, { path: '/platform/' })], clientIds: [] });

    expect(details((await inspectAccount(deps, input)).inspection)).toEqual([
      'protected-role: protected by platform/*: the automation never changes it',
    ]);
  });

  it('reports a revoked role with how to lift the revocation', async () => {
    const { deps, input } = fakes({ roles: [role('revoked', placeholder, { 'entra:federation-status': 'revoked' })], clientIds: [] });

    expect(details((await inspectAccount(deps, input)).inspection)).toEqual([
      'revoked: revoked by an operator: only {Prefix}-Role-Restore federates it again',
    ]);
  });
});

describe('sweep-inspect-account: an account of many roles', () => {
  const SEED = 20250601;
  /** A client ID (and service principal, object ID) per role of ours, from its place in the account. */
  const guid = (prefix: string, n: number) => `${prefix}000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  type Expected = { kind: string; action: string; result: string } | undefined;
  /** Role shapes, and what the inspection must say of each: one finding per role, or none for a healthy one. */
  const SHAPES: Record<string, { tags?: Record<string, string>; path?: string; trust?: PolicyDocument; expected: Expected }> = {
    'never federated': { expected: { kind: 'unfederated', action: 'federate', result: 'proposed' } },
    revoked: { tags: { 'entra:federation-status': 'revoked' }, expected: { kind: 'revoked', action: 'none', result: 'reported' } },
    protected: { path: '/platform/', expected: { kind: 'protected-role', action: 'none', result: 'reported' } },
    refused: {
      tags: { 'entra:federation-status': 'failed:entra-quota' },
      expected: { kind: 'refused', action: 'none', result: 'reported' },
    },
    retryable: {
      tags: { 'entra:federation-status': 'failed:iam-throttled' },
      expected: { kind: 'retryable-failure', action: 'federate', result: 'proposed' },
    },
    'hand-made': {
      trust: policy(web({ StringEquals: { [`${HOST}:aud`]: FOREIGN_APP, [`${HOST}:sub`]: FOREIGN_SP } })),
      expected: { kind: 'hand-made', action: 'none', result: 'reported' },
    },
    ready: { tags: READY_TAGS, expected: undefined },
  };

  it(`finds each role once, in role-name order, however many and in whatever order IAM lists them (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        // Up to 20 roles: more than one batch of roles read at once.
        fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-w]{1,8}$/), shape: fc.constantFrom(...Object.keys(SHAPES)) }), {
          selector: (generated) => generated.name,
          maxLength: 20,
        }),
        async (generated) => {
          const applications: OwnApplication[] = [];
          const roles = generated.map(({ name, shape }, n) => {
            const { tags = {}, path = '/', trust } = SHAPES[shape]!;
            const made = role(name, trust ?? (shape === 'ready' ? pinned(guid('0c', n), guid('0d', n)) : placeholder), tags, { path });
            if (shape === 'ready') applications.push({ ...ownApp(made, guid('0c', n), guid('0d', n)), id: guid('0e', n) });
            return made;
          });
          const { deps, input } = fakes({
            roles,
            clientIds: [FOREIGN_APP, ...applications.map((app) => app.appId)],
            applications,
            tenant: { [FOREIGN_APP]: false },
          });

          const { inspection } = await inspectAccount(deps, input);

          const expected = [...roles]
            .sort((a, b) => a.roleName.localeCompare(b.roleName))
            .flatMap((r) => {
              const outcome = SHAPES[generated.find((g) => g.name === r.roleName)!.shape]!.expected;
              return outcome ? [{ ...outcome, roleName: r.roleName, roleId: r.roleId }] : [];
            });
          if (!inspection.readable) throw new Error('the account was not read');
          expect(inspection.federatedRoles).toBe(roles.length);
          expect(inspection.findings.map(({ kind, roleName, action, result }) => ({ kind, roleName, action, result }))).toEqual(
            expected.map(({ kind, roleName, action, result }) => ({ kind, roleName, action, result })),
          );
          // The repair federates exactly the roles proposed for it, by incarnation.
          expect(inspection.repair.federate).toEqual(
            expected.filter((e) => e.action === 'federate').map(({ roleName, roleId, kind }) => ({ roleName, roleId, kind })),
          );
        },
      ),
      { seed: SEED, numRuns: 100 },
    );
  });
});
