import { pinRole } from '../../../functions/assign-role-to-audience/core';
import { failureReason } from '../../../functions/shared/workflow';
import { LOCK_SID } from '../../../functions/shared/iam';
import { RoleNotFoundError, TrustPolicyRewriteError } from '../../../functions/shared/runtime';
import {
  ACCOUNT_ID,
  FakeAccountIam,
  PROVIDER_ARN,
  PROVIDER_HOST,
  TENANT_ID,
  appTeamTrustPolicy,
  baseSettings,
  logger,
} from '../../fixtures/port-fakes';

const APP_ID = '2b1c7e4a-9f3d-4c5b-8a6e-1d2f3a4b5c6d';
const SP_ID = '4d3e9a6c-1b5f-4e7d-8c9a-3f4b5c6d7e8f';
const GATEWAY = 'a7e0a7e0-0000-4000-8000-00000000a7e0';
const base = { accountId: ACCOUNT_ID, roleName: 'ci-deployer', eventId: 'e1', eventName: 'CreateRole' as const };
const application = {
  outcome: 'registered' as const,
  appId: APP_ID,
  applicationObjectId: '3c2d8f5b-0a4e-4d6c-9b7f-2e3a4b5c6d7e',
  servicePrincipalObjectId: SP_ID,
  roleId: 'AROAEXAMPLEEXAMPLEXX',
  created: true,
};
const settings = { ...baseSettings, trustPolicyMaxChars: 2048 };

describe('assign-role-to-audience core (pin)', () => {
  it.each([
    ['another identity than its tags name', { 'entra:service-principal-id': '9f9f9f9f-1b5f-4e7d-8c9a-3f4b5c6d7e8f' }, true],
    ['the identity its tags name (a retry, a re-applied placeholder)', { 'entra:service-principal-id': SP_ID.toUpperCase() }, false],
    ['a role never federated before', {}, false],
  ])('asks to revoke older sessions when re-pinned to %s', async (_case, tags, revoke) => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), tags, application.roleId);
    const result = await pinRole({ settings, openAccount: iam.open, logger }, { ...base, application });
    expect(result).toEqual({ assigned: { status: 'ready', trustPolicyChanged: true, revokeOlderSessions: revoke } });
  });

  it('pins aud and sub and tags the role ready', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), { team: 'payments' }, application.roleId);
    const result = await pinRole({ settings, openAccount: iam.open, logger }, { ...base, application });
    expect(result).toEqual({ assigned: { status: 'ready', trustPolicyChanged: true, revokeOlderSessions: false } });
    const role = iam.roles.get('ci-deployer')!;
    expect(JSON.stringify(role.trustPolicy)).toContain(`"${PROVIDER_HOST}:aud":"${APP_ID}"`);
    expect(JSON.stringify(role.trustPolicy)).toContain(`"${PROVIDER_HOST}:sub":"${SP_ID}"`);
    expect(JSON.stringify(role.trustPolicy)).not.toContain('placeholder');
    expect(role.tags).toEqual({
      team: 'payments',
      'entra:client-id': APP_ID,
      'entra:tenant-id': TENANT_ID,
      'entra:service-principal-id': SP_ID,
      'entra:federation-status': 'ready',
      'entra:access': 'pinned',
      'entra:audience': APP_ID,
      'entra:identity-mode': 'per-role',
      'entra:trust-policy-write': expect.stringMatching(/^since=\S+Z seen=[0-9a-f]{32} applied=- wrote=[0-9a-f]{32}$/),
    });
  });

  it('pins the gateway audience and the role’s own sub in the shared mode, and says what to request', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), {}, application.roleId);
    const shared = {
      ...application,
      audiences: [GATEWAY],
      requestAudience: GATEWAY,
      identityMode: 'shared' as const,
      federatedCredentialsStatus: 'added',
    };
    await pinRole({ settings, openAccount: iam.open, logger }, { ...base, application: shared });
    const role = iam.roles.get('ci-deployer')!;
    expect(JSON.stringify(role.trustPolicy)).toContain(`"${PROVIDER_HOST}:aud":"${GATEWAY}"`);
    expect(JSON.stringify(role.trustPolicy)).toContain(`"${PROVIDER_HOST}:sub":"${SP_ID}"`);
    expect(role.tags).toMatchObject({
      'entra:client-id': APP_ID,
      'entra:audience': GATEWAY,
      'entra:identity-mode': 'shared',
      'entra:federated-credentials-status': 'added',
    });
  });

  describe('entra:access from the whole final policy (a statement the pin keeps may still admit the tenant)', () => {
    const TEAM_APP = '7e000000-0000-4000-8000-0000000000a7';
    const keptOpen = () => ({
      Version: '2012-10-17',
      Statement: [
        ...(appTeamTrustPolicy().Statement as object[]),
        {
          Effect: 'Allow',
          Principal: { Federated: PROVIDER_ARN },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${PROVIDER_HOST}:aud`]: [TEAM_APP, GATEWAY] } },
        },
      ],
    });
    const handMade = { ...application, handMadeAudiences: [TEAM_APP] };

    it('locks every path but the pinned identity and the team’s own audience: ready, entra:access=locked', async () => {
      // Attack on main before the fix: tagged pinned while any workload of the tenant could get a gateway token and assume it.
      const iam = new FakeAccountIam();
      iam.putRole('ci-deployer', keptOpen() as never, {}, application.roleId);
      iam.providers.set(PROVIDER_ARN, [TEAM_APP, GATEWAY]);
      const result = await pinRole({ settings, openAccount: iam.open, logger }, { ...base, application: handMade });
      expect(result).toEqual({ assigned: { status: 'ready', trustPolicyChanged: true, revokeOlderSessions: false } });
      const role = iam.roles.get('ci-deployer')!;
      expect(role.tags['entra:access']).toBe('locked');
      const statements = role.trustPolicy.Statement as { Sid?: string; Effect: string; Condition?: unknown }[];
      expect(statements[1]).toEqual(keptOpen().Statement[1]);
      expect(statements[2]).toMatchObject({
        Sid: LOCK_SID,
        Effect: 'Deny',
        Condition: { StringNotEquals: { [`${PROVIDER_HOST}:aud`]: TEAM_APP, [`${PROVIDER_HOST}:sub`]: SP_ID } },
      });
    });

    it('tags entra:access=open and logs the role-open alarm line when no lock fits', async () => {
      const iam = new FakeAccountIam();
      iam.putRole('ci-deployer', keptOpen() as never, {}, application.roleId);
      iam.providers.set(PROVIDER_ARN, [TEAM_APP, GATEWAY]);
      const errors: unknown[] = [];
      const spy = { ...logger, error: (message: string, fields?: object) => errors.push({ message, ...fields }), child: () => spy };
      const tight = { ...settings, trustPolicyMaxChars: JSON.stringify(keptOpen()).length + 200 };
      const result = await pinRole({ settings: tight, openAccount: iam.open, logger: spy }, { ...base, application: handMade });
      expect(result).toEqual({ assigned: { status: 'ready', trustPolicyChanged: true, revokeOlderSessions: false } });
      expect(iam.roles.get('ci-deployer')!.tags['entra:access']).toBe('open');
      expect(JSON.stringify(iam.roles.get('ci-deployer')!.trustPolicy)).not.toContain(LOCK_SID);
      expect(errors).toContainEqual(expect.objectContaining({ message: 'role left open', alarm: 'role-open' }));
    });
  });

  it('admits both audiences while a migration runs', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), {}, application.roleId);
    await pinRole({ settings, openAccount: iam.open, logger }, { ...base, application: { ...application, audiences: [GATEWAY, APP_ID] } });
    expect(JSON.stringify(iam.roles.get('ci-deployer')!.trustPolicy)).toContain(`"${PROVIDER_HOST}:aud":["${GATEWAY}","${APP_ID}"]`);
  });

  it('pins a brought identity by its own sub and tags its client ID', async () => {
    const iam = new FakeAccountIam();
    const identity = { id: '6f5a1c8e-3d7b-4a9f-8ebc-5b6c7d8e9f0a', appId: '7a6b2d9f-4e8c-4bab-9fcd-6c7d8e9f0a1b' };
    const policy = appTeamTrustPolicy() as unknown as { Statement: { Condition: { StringEquals: Record<string, string> } }[] };
    policy.Statement[0]!.Condition.StringEquals[`${PROVIDER_HOST}:sub`] = identity.id;
    iam.putRole('vm-reader', policy as never, {}, application.roleId);
    const brought = {
      outcome: 'bring-your-own' as const,
      roleId: application.roleId,
      servicePrincipalObjectId: identity.id,
      identityAppId: identity.appId,
      audiences: [GATEWAY],
      requestAudience: GATEWAY,
    };
    await pinRole({ settings, openAccount: iam.open, logger }, { ...base, roleName: 'vm-reader', application: brought });
    const role = iam.roles.get('vm-reader')!;
    expect(JSON.stringify(role.trustPolicy)).toContain(`"${PROVIDER_HOST}:aud":"${GATEWAY}"`);
    expect(JSON.stringify(role.trustPolicy)).toContain(`"${PROVIDER_HOST}:sub":"${identity.id}"`);
    expect(role.tags).toMatchObject({
      'entra:client-id': identity.appId,
      'entra:service-principal-id': identity.id,
      'entra:audience': GATEWAY,
      'entra:identity-mode': 'bring-your-own',
      'entra:federation-status': 'ready',
    });
  });

  it('skips the IAM trust-policy write when the policy is already pinned', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), {}, application.roleId);
    const deps = { settings, openAccount: iam.open, logger };
    await pinRole(deps, { ...base, application });
    iam.calls.length = 0;
    const second = await pinRole(deps, { ...base, application });
    expect(second).toEqual({ assigned: { status: 'ready', trustPolicyChanged: false, revokeOlderSessions: false } });
    expect(iam.calls).not.toContain('updateTrustPolicy ci-deployer');
  });

  it('throws RoleNotFoundError when the role was deleted part-way', async () => {
    const iam = new FakeAccountIam();
    await expect(pinRole({ settings, openAccount: iam.open, logger }, { ...base, application })).rejects.toBeInstanceOf(RoleNotFoundError);
  });

  it('throws RoleNotFoundError when the role was re-created meanwhile (another incarnation, another Create)', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    await expect(pinRole({ settings, openAccount: iam.open, logger }, { ...base, application })).rejects.toBeInstanceOf(RoleNotFoundError);
    expect(iam.calls).not.toContain('updateTrustPolicy ci-deployer');
  });

  it('refuses a policy that would outgrow the trust-policy quota, and writes nothing', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), {}, application.roleId);
    const tiny = { ...settings, trustPolicyMaxChars: 200 };
    await expect(pinRole({ settings: tiny, openAccount: iam.open, logger }, { ...base, application })).rejects.toBeInstanceOf(
      TrustPolicyRewriteError,
    );
    expect(iam.calls).toEqual(['getRole ci-deployer']);
  });

  it('writes the owners status on its own tag, and the role is ready whatever it says', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), {}, application.roleId);
    const ownersStatus = 'failed:authorization-request-denied 5f2b8a3c-1d4e-4f60-9a7b-8c9d0e1f2a3b';
    const result = await pinRole({ settings, openAccount: iam.open, logger }, { ...base, application: { ...application, ownersStatus } });
    expect(result).toEqual({ assigned: { status: 'ready', trustPolicyChanged: true, revokeOlderSessions: false } });
    expect(iam.roles.get('ci-deployer')!.tags).toMatchObject({ 'entra:federation-status': 'ready', 'entra:owners-status': ownersStatus });
  });

  it('lifts the lock a failed federation left', async () => {
    const iam = new FakeAccountIam();
    const locked = appTeamTrustPolicy();
    iam.putRole(
      'ci-deployer',
      {
        ...locked,
        Statement: [
          ...(locked.Statement as object[]),
          { Sid: LOCK_SID, Effect: 'Deny', Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity' },
        ],
      } as never,
      {},
      application.roleId,
    );
    await pinRole({ settings, openAccount: iam.open, logger }, { ...base, application });
    expect(JSON.stringify(iam.roles.get('ci-deployer')!.trustPolicy)).not.toContain(LOCK_SID);
  });
});

/** A statement open to the whole tenant: through the provider, no sub, no aud test. */
const openPolicy = () => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow' as const, Principal: { Federated: PROVIDER_ARN }, Action: 'sts:AssumeRoleWithWebIdentity' }],
});
const graphDown = { Error: 'GraphUnavailableError', Cause: 'no answer' };

describe('assign-role-to-audience core (record failure)', () => {
  it('tags failed:audience-limit and drops the client-id tags of an application the compensation removed', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), { 'entra:client-id': APP_ID, 'entra:service-principal-id': SP_ID });
    iam.providers.set(PROVIDER_ARN, [APP_ID]);
    const failure = {
      Error: 'AudienceLimitExceededError',
      Cause: JSON.stringify({ errorType: 'AudienceLimitExceededError', errorMessage: 'quota', trace: [] }),
    };
    const result = await pinRole(
      { settings, openAccount: iam.open, logger },
      { ...base, failure, deleted: { appIds: [APP_ID], any: true } },
    );
    expect(result).toEqual({ recordedFailure: { status: 'failed:audience-limit', access: 'closed', revokeOlderSessions: false } });
    expect(iam.roles.get('ci-deployer')!.tags).toEqual({
      'entra:tenant-id': TENANT_ID,
      'entra:federation-status': 'failed:audience-limit',
      'entra:access': 'closed',
    });
    expect(iam.calls).not.toContain('updateTrustPolicy ci-deployer');
  });

  it('locks an open role it could not federate, keeping the app team’s statements', async () => {
    // Attack on today's main: a role with no aud test stays open to every workload of the tenant when federation fails.
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', openPolicy());
    iam.providers.set(PROVIDER_ARN, ['other-teams-client-id']);
    const result = await pinRole({ settings, openAccount: iam.open, logger }, { ...base, failure: graphDown });
    expect(result).toEqual({ recordedFailure: { status: 'failed:graph-unavailable', access: 'locked', revokeOlderSessions: true } });
    const statements = iam.roles.get('ci-deployer')!.trustPolicy.Statement as { Sid?: string; Effect: string }[];
    expect(statements).toHaveLength(2);
    expect(statements[1]).toMatchObject({ Sid: LOCK_SID, Effect: 'Deny' });
    expect(statements[0]).toEqual(openPolicy().Statement[0]);
  });

  it('says open, and logs the alarm line, when the lock does not fit the quota', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', openPolicy());
    iam.providers.set(PROVIDER_ARN, ['other-teams-client-id']);
    const errors: unknown[] = [];
    const spy = { ...logger, error: (message: string, fields?: object) => errors.push({ message, ...fields }), child: () => spy };
    const tiny = { ...settings, trustPolicyMaxChars: 150 };
    const result = await pinRole({ settings: tiny, openAccount: iam.open, logger: spy }, { ...base, failure: graphDown });
    expect(result).toEqual({ recordedFailure: { status: 'failed:graph-unavailable', access: 'open', revokeOlderSessions: false } });
    expect(iam.roles.get('ci-deployer')!.tags['entra:access']).toBe('open');
    expect(errors).toContainEqual(expect.objectContaining({ message: 'role left open', alarm: 'role-open' }));
  });

  it('does not lock a role whose placeholder audience the provider does not hold', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    iam.providers.set(PROVIDER_ARN, ['other-teams-client-id']);
    const result = await pinRole({ settings, openAccount: iam.open, logger }, { ...base, failure: graphDown });
    expect(result).toEqual({ recordedFailure: { status: 'failed:graph-unavailable', access: 'closed', revokeOlderSessions: false } });
    expect(iam.calls).not.toContain('updateTrustPolicy ci-deployer');
  });

  it('throws RoleNotFoundError when the role is gone (the state machine ends cleanly)', async () => {
    const iam = new FakeAccountIam();
    const failure = { Error: 'GraphRequestError', Cause: 'forbidden' };
    await expect(pinRole({ settings, openAccount: iam.open, logger }, { ...base, failure })).rejects.toBeInstanceOf(RoleNotFoundError);
  });
});

describe('assign-role-to-audience core (a team write applied again)', () => {
  const EC2 = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow' as const, Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  const READ_AT = Date.parse('2026-02-02T09:00:01.400Z');
  /** A role the automation pinned from a read at READ_AT, its team's write at `eventTime` then delivered. */
  async function pinnedThenTeamEvent(eventTime: string, teamChangedItSince = false) {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), {}, application.roleId);
    await pinRole({ settings, openAccount: iam.open, logger, now: () => new Date(READ_AT) }, { ...base, application });
    const pinned = iam.roles.get('ci-deployer')!.trustPolicy;
    if (teamChangedItSince) iam.roles.get('ci-deployer')!.trustPolicy = { ...appTeamTrustPolicy(), Id: 'newer' };
    iam.calls.length = 0;
    const teamWrite = { eventTime, policyDocument: JSON.stringify(EC2) };
    const result = await pinRole(
      { settings, openAccount: iam.open, logger, now: () => new Date(READ_AT + 5000) },
      { ...base, eventName: 'UpdateAssumeRolePolicy', teamWrite },
    );
    return { iam, result, pinned };
  }

  it('writes the team’s document again, marker first, when the automation’s write landed over it (same second as the read counts)', async () => {
    const { iam, result } = await pinnedThenTeamEvent('2026-02-02T09:00:01Z');
    expect(result).toEqual({ teamWriteOutcome: 'reapplied' });
    expect(iam.roles.get('ci-deployer')!.trustPolicy).toEqual(EC2);
    expect(iam.calls).toEqual(['getRole ci-deployer', 'tagRole ci-deployer', 'updateTrustPolicy ci-deployer']);
    // The window keeps the pin's read; the call is recorded as applied.
    expect(iam.roles.get('ci-deployer')!.tags['entra:trust-policy-write']).toMatch(
      /^since=2026-02-02T09:00:01Z seen=[0-9a-f]{32} applied=2026-02-02T09:00:01Z\/[0-9a-f]{32} wrote=[0-9a-f]{32}$/,
    );
  });

  it('leaves the role as it is when the call is older than the pin’s read, or the role holds a newer write', async () => {
    const older = await pinnedThenTeamEvent('2026-02-02T09:00:00Z');
    expect(older.result).toEqual({ teamWriteOutcome: 'older-than-read' });
    expect(older.iam.roles.get('ci-deployer')!.trustPolicy).toEqual(older.pinned);
    const newer = await pinnedThenTeamEvent('2026-02-02T09:00:02Z', true);
    expect(newer.result).toEqual({ teamWriteOutcome: 'not-overwritten' });
    expect(newer.iam.roles.get('ci-deployer')!.trustPolicy).toEqual({ ...appTeamTrustPolicy(), Id: 'newer' });
    expect([...older.iam.calls, ...newer.iam.calls]).toEqual(['getRole ci-deployer', 'getRole ci-deployer']);
  });

  it('does not write again the document the pin’s read saw, and notes its second (a tag write only)', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), {}, application.roleId);
    await pinRole({ settings, openAccount: iam.open, logger, now: () => new Date(READ_AT) }, { ...base, application });
    const pinned = iam.roles.get('ci-deployer')!.trustPolicy;
    iam.calls.length = 0;
    const teamWrite = { eventTime: '2026-02-02T09:00:01Z', policyDocument: JSON.stringify(appTeamTrustPolicy()) };
    const result = await pinRole({ settings, openAccount: iam.open, logger }, { ...base, eventName: 'UpdateAssumeRolePolicy', teamWrite });
    expect(result).toEqual({ teamWriteOutcome: 'seen-by-read' });
    expect(iam.calls).toEqual(['getRole ci-deployer', 'tagRole ci-deployer']);
    expect(iam.roles.get('ci-deployer')!.trustPolicy).toEqual(pinned);
    expect(iam.roles.get('ci-deployer')!.tags['entra:trust-policy-write']).toMatch(/ seen=[0-9a-f]{32}\/2026-02-02T09:00:01Z /);
  });

  it('does nothing for a role that is gone, and names the field of an unreadable document', async () => {
    const iam = new FakeAccountIam();
    const teamWrite = { eventTime: '2026-02-02T09:00:01Z', policyDocument: JSON.stringify(EC2) };
    const input = { ...base, eventName: 'UpdateAssumeRolePolicy' as const, teamWrite };
    await expect(pinRole({ settings, openAccount: iam.open, logger }, input)).resolves.toEqual({ teamWriteOutcome: 'role-gone' });
    await expect(
      pinRole({ settings, openAccount: iam.open, logger }, { ...input, teamWrite: { ...teamWrite, policyDocument: '{"Statement": 3' } }),
    ).rejects.toThrow(/^malformed-policy: the team's document/);
  });
});

describe('failureReason', () => {
  it.each([
    [{ Error: 'AudienceLimitExceededError' }, 'audience-limit'],
    [
      {
        Error: 'TrustPolicyRewriteError',
        Cause: JSON.stringify({ errorType: 'TrustPolicyRewriteError', errorMessage: 'wildcard: statement 0 uses *' }),
      },
      'wildcard',
    ],
    [{ Error: 'TrustPolicyRewriteError', Cause: 'policy-too-large: 2100 > 2048' }, 'policy-too-large'],
    [{ Error: 'TrustPolicyRewriteError', Cause: 'no reason prefix' }, 'malformed-policy'],
    [{ Error: 'ApplicationNameTakenError' }, 'name-taken'],
    [{ Error: 'EntraQuotaExceededError' }, 'entra-quota'],
    [{ Error: 'States.Timeout' }, 'timeout'],
    [{ Error: 'Lambda.Unknown' }, 'unknown'],
    [{ Error: 'SomethingNewError' }, 'unknown'],
  ])('maps %j to %s', (failure, reason) => {
    expect(failureReason(failure)).toBe(reason);
  });
});
