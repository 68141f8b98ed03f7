import * as z from 'zod/mini';
import type { HandlerDeps } from '../shared/runtime';
import {
  REVOKE_SESSIONS_POLICY_NAME,
  automationRevocation,
  protectedBy,
  revocationExpired,
  type MemberAccountIam,
  type OpenMemberAccount,
} from '../shared/iam';
import {
  attempt,
  repairItemSchema,
  repairResultSchema,
  sweepContextSchema,
  type RepairOutcome,
  type RepairResult,
  type RevocationRemoval,
} from '../shared/sweep';
import { federationFor, sessionNameFor } from '../shared/workflow';

export const FUNCTION_NAME = 'sweep-remove-revocations';

/**
 * The repair map's item after RepairAccount: the approved item, the sweep, and what RepairAccount
 * did (this step adds its outcomes to it, so the item's result stays one `RepairResult`).
 */
export const inputSchema = z.object({ repair: repairItemSchema, sweep: sweepContextSchema, repaired: repairResultSchema });
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2; readonly protectedRoles: readonly string[] };
  /** Through the revoke member role: GetRole, GetRolePolicy, DeleteRolePolicy. */
  readonly openAccount: OpenMemberAccount;
  /** The clock each policy's expiry is judged against, at its re-read; `Date.now` by default. */
  readonly now?: () => number;
}

const ACTION = 'remove-revocation-policy';

/**
 * Why a policy is left where it is, or `undefined` when it may go. Every condition is read from
 * IAM now, not taken from the inspection: between the two the role may have been deleted and
 * created again, its policy replaced by a team's or moved forward by a new revocation.
 */
async function reasonToKeep(deps: Deps, iam: MemberAccountIam, providerArn: string, item: RevocationRemoval): Promise<string | undefined> {
  // The inspection skips protected roles, and the member roles are denied every role write on
  // them (stacks/member-baseline-template.ts): checked again, as the router does, so an item the
  // inspection should not have made changes nothing either.
  const protection = protectedBy(deps.settings.protectedRoles, { roleName: item.roleName, path: item.path });
  if (protection !== undefined) return `protected by ${protection}: the automation never changes it`;
  // GetRolePolicy does not say which incarnation of the role it read
  // (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html): GetRole does.
  const role = await iam.getRole(item.roleName);
  if (role === null) return 'the role is gone';
  if (role.roleId !== item.roleId)
    return `the role was deleted and created again since the inspection (role ID ${role.roleId}, not ${item.roleId}): its policy is not the one inspected`;
  // GetRolePolicy returns the document URL-encoded (same reference); getRolePolicy decodes and parses it.
  const document = await iam.getRolePolicy(item.roleName, REVOKE_SESSIONS_POLICY_NAME);
  if (document === null) return 'the policy is already gone';
  // The one judgement the inspection made, made again on what IAM holds now.
  const before = automationRevocation(document, providerArn);
  if (before === null) return `${REVOKE_SESSIONS_POLICY_NAME} is no longer the automation's revocation: another document bears the name`;
  if (!revocationExpired(document, new Date((deps.now ?? Date.now)())))
    return `it revokes sessions issued before ${before.toISOString()} (the inspection read ${item.revokedBefore}): some may still be live`;
  return undefined;
}

/**
 * Removes one account's expired `EntraRevokeOlderSessions` policies, the last step of its repair
 * (docs/operator.md#expired-revocation-policies). Each policy is read again, and deleted only if
 * the role is not protected, is still the incarnation the inspection read (its role ID), and the
 * document is still exactly the automation's revocation for the tenant's provider, past the
 * longest session it may deny (`SESSION_REVOCATION_TTL_SECONDS`) at the moment of the read. Anything else leaves it, reported `skipped`.
 *
 * The role's `entra:federation-status` is not consulted: a role an operator revoked
 * (`{Prefix}-Role-Revoke`) is locked by its trust policy and its disabled service principal, which
 * this never touches; an expired revocation on it denies only sessions that have all expired, so
 * removing it opens nothing on a revoked role either.
 *
 * A failure closes: the policy stays (a stale Deny only denies sessions that have expired), and
 * the outcome is `failed` with the error. A transient error leaves the function, and the state
 * machine retries the step (every attempt reads again before it deletes). What remains is the
 * moment between the read and the delete: a revocation written in it (by the Delete or Revoke
 * workflow, on that very role, in that very moment) would be removed with the old one. IAM has
 * no conditional DeleteRolePolicy (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRolePolicy.html
 * takes a role and a name only), and IAM's eventual consistency makes the window a little longer
 * than one call: a read may return the older document for a while after another's write
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency;
 * docs/architecture.md#revoking-older-sessions says what it leaves).
 */
export async function removeRevocations(deps: Deps, input: Input): Promise<{ repaired: RepairResult }> {
  const { repair, sweep, repaired } = input;
  const outcomes: RepairOutcome[] = [];
  // The tenant-wide item (no account) has no roles.
  if (repair.accountId !== null && repair.removeRevocationPolicies.length > 0) {
    const { providerArn } = federationFor(deps.settings, repair.accountId);
    // An account that cannot be opened fails the step: its Catch keeps the rest of the item's
    // repair and reports these policies failed (they stay).
    const iam = await deps.openAccount(repair.accountId, sessionNameFor(FUNCTION_NAME, `sweep-${sweep.id}`));
    for (const item of repair.removeRevocationPolicies) {
      outcomes.push(
        await attempt(
          ACTION,
          item.roleName,
          async () => {
            const keep = await reasonToKeep(deps, iam, providerArn, item);
            if (keep !== undefined) return { skipped: keep };
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRolePolicy.html: NoSuchEntity
            // (the policy or the role gone meanwhile) is nothing left to delete; deleteRolePolicy takes it as done.
            await iam.deleteRolePolicy(item.roleName, REVOKE_SESSIONS_POLICY_NAME);
            deps.logger.info('expired revocation policy removed', {
              roleName: item.roleName,
              policy: REVOKE_SESSIONS_POLICY_NAME,
              revokedBefore: item.revokedBefore,
            });
            return 'done';
          },
          'the policy stays: ',
        ),
      );
    }
  }
  return { repaired: { ...repaired, outcomes: [...repaired.outcomes, ...outcomes] } };
}
