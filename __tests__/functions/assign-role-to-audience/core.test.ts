import { core, failureReason, readyStatus } from '../../../functions/assign-role-to-audience/core';
import { RoleNotFoundError, TrustPolicyRewriteError } from '../../../functions/shared/errors';
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
const base = { accountId: ACCOUNT_ID, roleName: 'ci-deployer', eventId: 'e1', eventName: 'CreateRole' as const };
const application = {
  outcome: 'registered' as const,
  appId: APP_ID,
  applicationObjectId: '3c2d8f5b-0a4e-4d6c-9b7f-2e3a4b5c6d7e',
  servicePrincipalObjectId: SP_ID,
  ownerProblems: [] as string[],
};
const settings = { ...baseSettings, trustPolicyMaxChars: 2048 };
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

describe('assign-role-to-audience core (pin)', () => {
  it('pins aud and sub and tags the role ready', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), { team: 'payments' });
    const result = await core({ settings, openAccount: iam.open, logger }, { ...base, application });
    expect(result).toEqual({ assigned: { status: 'ready', trustPolicyChanged: true } });
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
    });
  });

  it('skips the IAM trust-policy write when the policy is already pinned', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const deps = { settings, openAccount: iam.open, logger };
    await core(deps, { ...base, application });
    iam.calls.length = 0;
    const second = await core(deps, { ...base, application });
    expect(second).toEqual({ assigned: { status: 'ready', trustPolicyChanged: false } });
    expect(iam.calls).not.toContain('updateTrustPolicy ci-deployer');
  });

  it('throws RoleNotFoundError when the role was deleted part-way', async () => {
    const iam = new FakeAccountIam();
    await expect(core({ settings, openAccount: iam.open, logger }, { ...base, application })).rejects.toBeInstanceOf(
      RoleNotFoundError,
    );
  });

  it('refuses a policy that would outgrow the trust-policy quota, and writes nothing', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const tiny = { ...settings, trustPolicyMaxChars: 200 };
    await expect(core({ settings: tiny, openAccount: iam.open, logger }, { ...base, application })).rejects.toBeInstanceOf(
      TrustPolicyRewriteError,
    );
    expect(iam.calls).toEqual(['getRole ci-deployer']);
  });

  it('reports rejected owners in the status', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const ownerProblems = ['not-a-guid: not a user object ID (expected a GUID)'];
    const result = await core({ settings, openAccount: iam.open, logger }, { ...base, application: { ...application, ownerProblems } });
    expect(result).toEqual({ assigned: { status: 'ready owners-rejected=not-a-guid', trustPolicyChanged: true } });
  });
});

describe('assign-role-to-audience core (record failure)', () => {
  it('tags failed:audience-limit and drops the client-id tags of a removed application', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), { 'entra:client-id': APP_ID, 'entra:service-principal-id': SP_ID });
    const failure = {
      Error: 'AudienceLimitExceededError',
      Cause: JSON.stringify({ errorType: 'AudienceLimitExceededError', errorMessage: 'quota', trace: [] }),
    };
    const result = await core({ settings, openAccount: iam.open, logger }, { ...base, application, failure });
    expect(result).toEqual({ recordedFailure: { status: 'failed:audience-limit' } });
    expect(iam.roles.get('ci-deployer')!.tags).toEqual({
      'entra:tenant-id': TENANT_ID,
      'entra:federation-status': 'failed:audience-limit',
    });
    expect(JSON.stringify(iam.roles.get('ci-deployer')!.trustPolicy)).toContain(PROVIDER_ARN);
  });

  it('throws RoleNotFoundError when the role is gone (the state machine ends cleanly)', async () => {
    const iam = new FakeAccountIam();
    const failure = { Error: 'GraphRequestError', Cause: 'forbidden' };
    await expect(core({ settings, openAccount: iam.open, logger }, { ...base, failure })).rejects.toBeInstanceOf(
      RoleNotFoundError,
    );
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
    [{ Error: 'TrustPolicyRewriteError', Cause: 'no reason prefix' }, 'trust-policy'],
    [{ Error: 'States.Timeout' }, 'timeout'],
    [{ Error: 'Lambda.Unknown' }, 'lambda-unknown'],
    [{ Error: 'SomethingNewError' }, 'something-new'],
  ])('maps %j to %s', (failure, reason) => {
    expect(failureReason(failure)).toBe(reason);
  });
});

describe('readyStatus', () => {
  it('keeps within the IAM tag value limits however many owners were rejected', () => {
    const problems = Array.from({ length: 12 }, (_, i) => `${'0'.repeat(8)}-0000-4000-8000-${String(i).padStart(12, '0')}: no such user`);
    const status = readyStatus(problems);
    expect(status).toMatch(TAG_VALUE);
    expect(status).toMatch(/^ready owners-rejected=\S+( \S+)* and-\d+-more$/);
  });

  it('replaces characters IAM does not allow in a tag value', () => {
    expect(readyStatus(['a,b;c: not a user object ID'])).toBe('ready owners-rejected=a_b_c');
  });
});
