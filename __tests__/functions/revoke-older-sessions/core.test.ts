import { revokeOlderSessions } from '../../../functions/revoke-older-sessions/core';
import { REVOKE_SESSIONS_POLICY_NAME, revocationExpired, revokedBefore } from '../../../functions/shared/iam';
import { InlinePolicyQuotaError } from '../../../functions/shared/runtime';
import { ACCOUNT_ID, FakeAccountIam, PROVIDER_ARN, appTeamTrustPolicy, baseSettings, logger } from '../../fixtures/port-fakes';

const input = { accountId: ACCOUNT_ID, roleName: 'ci-deployer', eventId: 'e3', eventName: 'UpdateAssumeRolePolicy' as const };

describe('revoke-older-sessions core', () => {
  it("denies everything to sessions issued through the tenant's provider before now, and moves the time forward in place", async () => {
    // Prepare
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    let now = new Date('2025-06-01T10:00:00.500Z');
    const deps = { settings: baseSettings, openAccount: iam.open, logger, now: () => now };
    // Act
    const first = await revokeOlderSessions(deps, input);
    now = new Date('2025-06-01T11:00:00Z');
    const second = await revokeOlderSessions(deps, input);
    // Assess
    const policies = iam.roles.get('ci-deployer')!.inlinePolicies;
    expect(Object.keys(policies)).toEqual([REVOKE_SESSIONS_POLICY_NAME]);
    expect(first).toEqual({ sessionsRevoked: { revokedBefore: '2025-06-01T10:00:00.000Z' } });
    expect(second).toEqual({ sessionsRevoked: { revokedBefore: '2025-06-01T11:00:00.000Z' } });
    expect(policies[REVOKE_SESSIONS_POLICY_NAME]).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EntraRevokeOlderWebIdentitySessions',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: {
            DateLessThan: { 'aws:TokenIssueTime': '2025-06-01T11:00:00Z' },
            StringEquals: { 'aws:FederatedProvider': PROVIDER_ARN },
          },
        },
      ],
    });
  });

  it('a role that is gone has nothing to revoke', async () => {
    const iam = new FakeAccountIam();
    const result = await revokeOlderSessions({ settings: baseSettings, openAccount: iam.open, logger }, input);
    expect(result).toEqual({ sessionsRevoked: { revokedBefore: null } });
  });

  it('a role whose inline policies are full fails with InlinePolicyQuotaError, its own policies untouched', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const teams = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'x'.repeat(10_100), Effect: 'Allow' as const, Action: 's3:*', Resource: '*' }],
    };
    iam.roles.get('ci-deployer')!.inlinePolicies.teams = teams;
    await expect(revokeOlderSessions({ settings: baseSettings, openAccount: iam.open, logger }, input)).rejects.toBeInstanceOf(
      InlinePolicyQuotaError,
    );
    expect(iam.roles.get('ci-deployer')!.inlinePolicies).toEqual({ teams });
  });

  it("the policy expires 87,300 seconds after its time (a 12-hour role session, a sign-in token's 15 minutes, then a 12-hour console session made from it), not a second earlier", () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EntraRevokeOlderWebIdentitySessions',
          Effect: 'Deny' as const,
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2025-06-01T00:00:00Z' } },
        },
      ],
    };
    expect(revokedBefore(policy)?.toISOString()).toBe('2025-06-01T00:00:00.000Z');
    expect(revocationExpired(policy, new Date('2025-06-01T12:00:00Z'))).toBe(false);
    expect(revocationExpired(policy, new Date('2025-06-02T00:00:00Z'))).toBe(false);
    expect(revocationExpired(policy, new Date('2025-06-02T00:14:59Z'))).toBe(false);
    expect(revocationExpired(policy, new Date('2025-06-02T00:15:00Z'))).toBe(true);
    expect(revocationExpired({ Version: '2012-10-17', Statement: [] }, new Date('2030-01-01T00:00:00Z'))).toBe(false);
  });
});
