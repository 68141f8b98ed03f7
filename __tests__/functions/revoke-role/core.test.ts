import { makeHandler } from '../../../functions/revoke-role/handler';
import { revokeRole } from '../../../functions/revoke-role/core';
import { LOCK_SID } from '../../../functions/shared/iam';
import { ACCOUNT_ID, FakeAccountIam, appTeamTrustPolicy, baseSettings, logger } from '../../fixtures/port-fakes';

const settings = { ...baseSettings, trustPolicyMaxChars: 2048 };
const request = { accountId: ACCOUNT_ID, roleName: 'ci-deployer', requestedBy: 'arn:aws:iam::111111111111:user/alice', reason: 'INC-42' };
const SP = '4d3e9a6c-1b5f-4e7d-8c9a-3f4b5c6d7e8f';

describe('revoke-role core', () => {
  it('locks every web identity token out (no exemption for the pinned identity) and tags the role revoked', async () => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), { 'entra:service-principal-id': SP, 'entra:federation-status': 'ready' });

    const result = await revokeRole({ settings, openAccount: iam.open, logger }, { request, eventId: 'revoke-1' });

    const role = iam.roles.get('ci-deployer')!;
    const statements = role.trustPolicy.Statement as { Sid?: string; Effect: string; Condition?: unknown }[];
    expect(statements.find((statement) => statement.Sid === LOCK_SID)).toMatchObject({ Effect: 'Deny' });
    expect(statements.find((statement) => statement.Sid === LOCK_SID)!.Condition).toBeUndefined();
    expect(role.tags).toMatchObject({ 'entra:federation-status': 'revoked', 'entra:access': 'locked' });
    expect(result).toEqual({
      ...request,
      eventName: 'Revoke',
      revocation: { locked: true, servicePrincipalObjectId: SP, identityMode: null },
    });
  });

  it.each([
    ['requestedBy', { ...request, requestedBy: undefined }, /request\.requestedBy: who asks: fill it from `aws sts get-caller-identity/],
    ['reason', { ...request, reason: '' }, /request\.reason: why/],
    ['roleName', { ...request, roleName: 'not a role' }, /request\.roleName: an IAM role name/],
  ])('refuses an input without a valid %s, naming the field and the fix, before touching the role', async (_field, bad, message) => {
    const iam = new FakeAccountIam();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const handler = makeHandler(() => ({ settings, openAccount: iam.open, logger }));

    await expect(handler({ request: bad, eventId: 'revoke-1' }, {} as never)).rejects.toThrow(message);
    expect(iam.calls).toEqual([]);
  });
});
