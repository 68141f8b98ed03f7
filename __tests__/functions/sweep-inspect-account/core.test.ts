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
import { inspectAccount, type Deps } from '../../../functions/sweep-inspect-account/core';

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

const web = (conditions?: Record<string, Record<string, string>>) => ({
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
}) {
  const getRoleCalls: string[] = [];
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
  } as unknown as MemberAccountIam & MemberAccountLister;
  const deps: Deps = {
    settings: {
      tenantId: TENANT,
      tokenVersion: 1,
      trustPolicyMaxChars: 2048,
      protectedRoles: ['OrganizationAccountAccessRole', 'platform/*'],
      automationClientId: AUTOMATION_CLIENT_ID,
      gatewayClientId: GATEWAY_CLIENT_ID,
    },
    logger: silentLogger,
    openAccount: async () => iam,
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
  return { deps, input, getRoleCalls };
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

  it('still inspects an account whose member role may not read inline policies yet (an older baseline), and fails on any other error of that read', async () => {
    const revoking = revokeOlderSessionsPolicy(PROVIDER, new Date(NOW - 100_000 * 1000));
    const notFederated = policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
    const refusing = (name: string) => {
      const made = fakes({
        roles: [role('left', notFederated, {}, { inlinePolicies: { [REVOKE_SESSIONS_POLICY_NAME]: revoking } })],
        clientIds: [],
      });
      const open = made.deps.openAccount;
      const deps: Deps = {
        ...made.deps,
        openAccount: async (...args: Parameters<typeof open>) => ({
          ...(await open(...args)),
          listRoleInlinePolicies: async () => {
            throw Object.assign(new Error('not authorized to perform iam:GetAccountAuthorizationDetails'), { name });
          },
        }),
      };
      return { deps, input: made.input };
    };

    const denied = refusing('AccessDenied');
    expect(summary((await inspectAccount(denied.deps, denied.input)).inspection)).toEqual([]);
    const throttled = refusing('ServiceFailure');
    await expect(inspectAccount(throttled.deps, throttled.input)).rejects.toThrow(/GetAccountAuthorizationDetails/);
  });

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
