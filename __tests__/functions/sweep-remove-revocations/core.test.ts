import { sweepContext } from '../../fixtures/sweep-context';
import { REVOKE_SESSIONS_POLICY_NAME, revokeOlderSessionsPolicy, type PolicyDocument } from '../../../functions/shared/iam';
import { IamThrottledError, MemberAccountAccessError } from '../../../functions/shared/runtime';
import type { RepairItem, RepairResult, RevocationRemoval, SweepContext } from '../../../functions/shared/sweep';
import { removeRevocations, type Deps } from '../../../functions/sweep-remove-revocations/core';
import { makeHandler } from '../../../functions/sweep-remove-revocations/handler';
import { ACCOUNT_ID, FakeAccountIam, PROVIDER_ARN, appTeamTrustPolicy, baseSettings, logger } from '../../fixtures/port-fakes';

/**
 * The removal of expired revocation policies against an in-memory member account: what the
 * inspection proposed is only a request; every condition is read again from IAM.
 */

const NOW = Date.parse('2025-06-02T12:00:00Z');
const HOURS = 3600 * 1000;
const sweep = { id: '0123456789abcdef' } as SweepContext;
/** The automation's revocation, `ago` milliseconds before NOW. */
const revocation = (ago: number, providerArn = PROVIDER_ARN) => revokeOlderSessionsPolicy(providerArn, new Date(NOW - ago));
const EXPIRED = revocation(25 * HOURS);

function account() {
  const iam = new FakeAccountIam();
  /** A role that left federation with a policy of that name; returns what the inspection would propose. */
  const roleWith = (roleName: string, document: PolicyDocument, path = '/'): RevocationRemoval => {
    const roleId = iam.putRole(roleName, appTeamTrustPolicy());
    iam.roles.get(roleName)!.inlinePolicies[REVOKE_SESSIONS_POLICY_NAME] = document;
    return { roleName, roleId, path, revokedBefore: new Date(NOW - 25 * HOURS).toISOString().replace(/\.\d{3}Z$/, '.000Z') };
  };
  const policyOf = (roleName: string) => iam.roles.get(roleName)?.inlinePolicies[REVOKE_SESSIONS_POLICY_NAME];
  const deps: Deps = {
    settings: { ...baseSettings, protectedRoles: ['OrganizationAccountAccessRole', 'platform/*'] },
    logger,
    openAccount: iam.open,
    now: () => NOW,
  };
  return { iam, roleWith, policyOf, deps };
}

const repairedBefore: RepairResult = {
  accountId: ACCOUNT_ID,
  outcomes: [{ action: 'remove-client-id', target: 'a0000000-0000-4000-8000-000000000001', result: 'done' }],
  federations: [],
};
const input = (removeRevocationPolicies: RevocationRemoval[], repair: Partial<RepairItem> = {}) => ({
  repair: {
    accountId: ACCOUNT_ID,
    deleteApplications: [],
    removeClientIds: [],
    purge: [],
    federate: [],
    removeRevocationPolicies,
    ...repair,
  },
  sweep,
  repaired: repairedBefore,
});
const outcomesOf = async (deps: Deps, items: RevocationRemoval[]) =>
  (await removeRevocations(deps, input(items))).repaired.outcomes.slice(repairedBefore.outcomes.length);

describe('sweep-remove-revocations', () => {
  it("removes the automation's expired revocation and adds its outcome to the repair's", async () => {
    const { iam, roleWith, policyOf, deps } = account();
    const item = roleWith('left-federation', EXPIRED);

    const { repaired } = await removeRevocations(deps, input([item]));

    expect(policyOf('left-federation')).toBeUndefined();
    expect(repaired).toEqual({
      ...repairedBefore,
      outcomes: [...repairedBefore.outcomes, { action: 'remove-revocation-policy', target: 'left-federation', result: 'done' }],
    });
    expect(iam.sessions).toEqual(['wi-sweepremover-sweep-0123456789abcdef']);
  });

  it("never deletes a team's own policy named EntraRevokeOlderSessions, nor the revocation of another provider", async () => {
    const { roleWith, policyOf, deps } = account();
    // The automation's document but for its Action: the team's own, however alike.
    const teams = JSON.parse(JSON.stringify(EXPIRED).replace('"Action":"*"', '"Action":"s3:*"')) as PolicyDocument;
    const otherProvider = revocation(25 * HOURS, `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`);
    // The inspection's proposal may be stale: the team replaced the document since.
    const items = [roleWith('teams-own', teams), roleWith('github', otherProvider)];

    const outcomes = await outcomesOf(deps, items);

    expect(policyOf('teams-own')).toEqual(teams);
    expect(policyOf('github')).toEqual(otherProvider);
    expect(outcomes.map((outcome) => [outcome.target, outcome.result, outcome.detail])).toEqual([
      ['teams-own', 'skipped', "EntraRevokeOlderSessions is no longer the automation's revocation: another document bears the name"],
      ['github', 'skipped', "EntraRevokeOlderSessions is no longer the automation's revocation: another document bears the name"],
    ]);
  });

  it('keeps a revocation moved forward since the inspection, judged by its own time at the re-read', async () => {
    const { roleWith, policyOf, deps } = account();
    // Revoked again an hour ago (the Delete workflow): the sessions it denies may be live.
    const refreshed = roleWith('revoked-again', revocation(1 * HOURS));
    // Exactly IAM's longest session, a sign-in token's 15 minutes and the longest console session
    // made from it past its time: every session it revokes has expired.
    const justExpired = roleWith('just-expired', revocation(87_300 * 1000));
    const notYet = roleWith('not-yet', revocation(87_299 * 1000));

    const outcomes = await outcomesOf(deps, [refreshed, justExpired, notYet]);

    expect(policyOf('revoked-again')).toEqual(revocation(1 * HOURS));
    expect(policyOf('just-expired')).toBeUndefined();
    expect(policyOf('not-yet')).toEqual(revocation(87_299 * 1000));
    expect(outcomes.map((outcome) => [outcome.target, outcome.result])).toEqual([
      ['revoked-again', 'skipped'],
      ['just-expired', 'done'],
      ['not-yet', 'skipped'],
    ]);
    expect(outcomes[0]!.detail).toBe(
      `it revokes sessions issued before 2025-06-02T11:00:00.000Z (the inspection read ${refreshed.revokedBefore}): some may still be live`,
    );
  });

  it('keeps a revocation 43,200 s past its time: a console session made from a session it denies may still be live', async () => {
    const { roleWith, policyOf, deps } = account();
    // A session issued just before the revocation, for 12 hours (the role's maximum), asks the
    // federation endpoint for a console sign-in token a moment before its credentials expire, for
    // a 12-hour console session (SessionDuration is not bounded by the role's maximum session
    // duration), signing in up to 15 minutes later: that console session may live until
    // 87,300 s after the revocation's time.
    const twelveHours = roleWith('twelve-hours', revocation(43_200 * 1000));
    const thirteenHours = roleWith('thirteen-hours', revocation(13 * HOURS));
    const twentyFourHours = roleWith('twenty-four-hours', revocation(24 * HOURS));

    const outcomes = await outcomesOf(deps, [twelveHours, thirteenHours, twentyFourHours]);

    expect(policyOf('twelve-hours')).toEqual(revocation(43_200 * 1000));
    expect(policyOf('thirteen-hours')).toEqual(revocation(13 * HOURS));
    expect(policyOf('twenty-four-hours')).toEqual(revocation(24 * HOURS));
    expect(outcomes.map((outcome) => [outcome.target, outcome.result])).toEqual([
      ['twelve-hours', 'skipped'],
      ['thirteen-hours', 'skipped'],
      ['twenty-four-hours', 'skipped'],
    ]);
  });

  it('does not touch a role deleted and created again under the same name, nor a role that is gone', async () => {
    const { iam, roleWith, policyOf, deps } = account();
    const inspected = roleWith('recreated', EXPIRED);
    const gone = roleWith('gone', EXPIRED);
    // The new incarnation holds an expired revocation of its own: still not the one inspected.
    const newRoleId = iam.putRole('recreated', appTeamTrustPolicy());
    iam.roles.get('recreated')!.inlinePolicies[REVOKE_SESSIONS_POLICY_NAME] = EXPIRED;
    iam.roles.delete('gone');
    iam.calls.length = 0;

    const outcomes = await outcomesOf(deps, [inspected, gone]);

    expect(policyOf('recreated')).toEqual(EXPIRED);
    expect(iam.calls).toEqual(['getRole recreated', 'getRole gone']);
    expect(outcomes).toEqual([
      {
        action: 'remove-revocation-policy',
        target: 'recreated',
        result: 'skipped',
        detail: `the role was deleted and created again since the inspection (role ID ${newRoleId}, not ${inspected.roleId}): its policy is not the one inspected`,
      },
      { action: 'remove-revocation-policy', target: 'gone', result: 'skipped', detail: 'the role is gone' },
    ]);
  });

  it('does not touch a protected role, by name or by path, even when asked to', async () => {
    const { iam, roleWith, policyOf, deps } = account();
    const items = [roleWith('OrganizationAccountAccessRole', EXPIRED), roleWith('ops', EXPIRED, '/platform/')];
    iam.calls.length = 0;

    const outcomes = await outcomesOf(deps, items);

    expect(iam.calls).toEqual([]);
    expect([policyOf('OrganizationAccountAccessRole'), policyOf('ops')]).toEqual([EXPIRED, EXPIRED]);
    expect(outcomes.map((outcome) => [outcome.target, outcome.result, outcome.detail])).toEqual([
      ['OrganizationAccountAccessRole', 'skipped', 'protected by OrganizationAccountAccessRole: the automation never changes it'],
      ['ops', 'skipped', 'protected by platform/*: the automation never changes it'],
    ]);
  });

  it('removes the expired revocation of a role an operator revoked: it denies only sessions that have all expired', async () => {
    const { iam, roleWith, policyOf, deps } = account();
    const item = roleWith('revoked', EXPIRED);
    iam.roles.get('revoked')!.tags['entra:federation-status'] = 'revoked';

    expect(await outcomesOf(deps, [item])).toEqual([{ action: 'remove-revocation-policy', target: 'revoked', result: 'done' }]);
    expect(policyOf('revoked')).toBeUndefined();
  });

  it('reports a policy already gone as skipped', async () => {
    const { iam, roleWith, deps } = account();
    const item = roleWith('cleaned-by-hand', EXPIRED);
    delete iam.roles.get('cleaned-by-hand')!.inlinePolicies[REVOKE_SESSIONS_POLICY_NAME];

    expect(await outcomesOf(deps, [item])).toEqual([
      { action: 'remove-revocation-policy', target: 'cleaned-by-hand', result: 'skipped', detail: 'the policy is already gone' },
    ]);
  });

  it('leaves the policy on any error, reports it failed and goes on with the next', async () => {
    const { iam, roleWith, policyOf, deps } = account();
    const unreadable = roleWith('unreadable', EXPIRED);
    const undeletable = roleWith('undeletable', EXPIRED);
    const fine = roleWith('fine', EXPIRED);
    const denied = (call: string) => Object.assign(new Error(`not authorized to perform iam:${call}`), { name: 'AccessDenied' });
    const getRolePolicy = iam.getRolePolicy.bind(iam);
    const deleteRolePolicy = iam.deleteRolePolicy.bind(iam);
    iam.getRolePolicy = async (roleName, policyName) => {
      if (roleName === 'unreadable') throw denied('GetRolePolicy');
      return getRolePolicy(roleName, policyName);
    };
    iam.deleteRolePolicy = async (roleName, policyName) => {
      if (roleName === 'undeletable') throw denied('DeleteRolePolicy');
      return deleteRolePolicy(roleName, policyName);
    };

    const outcomes = await outcomesOf(deps, [unreadable, undeletable, fine]);

    expect([policyOf('unreadable'), policyOf('undeletable'), policyOf('fine')]).toEqual([EXPIRED, EXPIRED, undefined]);
    expect(outcomes).toEqual([
      {
        action: 'remove-revocation-policy',
        target: 'unreadable',
        result: 'failed',
        detail: 'the policy stays: AccessDenied: not authorized to perform iam:GetRolePolicy',
      },
      {
        action: 'remove-revocation-policy',
        target: 'undeletable',
        result: 'failed',
        detail: 'the policy stays: AccessDenied: not authorized to perform iam:DeleteRolePolicy',
      },
      { action: 'remove-revocation-policy', target: 'fine', result: 'done' },
    ]);
  });

  it('leaves a transient error to the state machine to retry, and an account it cannot open to its Catch, deleting nothing', async () => {
    const { iam, roleWith, policyOf, deps } = account();
    const item = roleWith('throttled', EXPIRED);
    iam.getRole = async () => {
      throw new IamThrottledError('Rate exceeded');
    };

    await expect(removeRevocations(deps, input([item]))).rejects.toThrow(IamThrottledError);
    await expect(
      removeRevocations(
        {
          ...deps,
          openAccount: async () => {
            throw new MemberAccountAccessError('cannot assume web-identity-automation-revoke');
          },
        },
        input([item]),
      ),
    ).rejects.toThrow(MemberAccountAccessError);
    expect(policyOf('throttled')).toEqual(EXPIRED);
  });

  it('opens no account when there is nothing to remove, and the tenant-wide item has none', async () => {
    const { iam, deps } = account();

    const accountItem = await removeRevocations(deps, input([]));
    const tenantItem = await removeRevocations(deps, {
      ...input([{ roleName: 'x', roleId: 'AROAX', path: '/', revokedBefore: '2025-01-01T00:00:00.000Z' }], { accountId: null }),
      repaired: { ...repairedBefore, accountId: null },
    });

    expect(iam.sessions).toEqual([]);
    expect(accountItem.repaired).toEqual(repairedBefore);
    expect(tenantItem.repaired.outcomes).toEqual(repairedBefore.outcomes);
  });

  // The incarnation is what keeps a removal from reaching a role created again under the name:
  // an item without one is refused whole, as the state machine handed it, before any account is opened.
  it('refuses, through its handler, a removal that names no role incarnation, opening no account and deleting nothing', async () => {
    const { iam, roleWith, policyOf, deps } = account();
    const item = roleWith('left-federation', EXPIRED);
    const handler = makeHandler(() => deps);
    const state = {
      ...input([{ ...item, roleId: '' }]),
      sweep: sweepContext(),
    };

    await expect(handler(state)).rejects.toThrow(/^sweep-remove-revocations input: repair\.removeRevocationPolicies\.0\.roleId: /);
    expect(iam.sessions).toEqual([]);
    expect(policyOf('left-federation')).toEqual(EXPIRED);
  });
});
