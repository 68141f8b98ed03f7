import type * as z from 'zod/mini';
import { workflowInputSchema, federationFor, sessionNameFor } from '../shared/workflow';
import { InlinePolicyQuotaError, RoleNotFoundError, type HandlerDeps } from '../shared/runtime';
import { REVOKE_SESSIONS_POLICY_NAME, revokeOlderSessionsPolicy, type OpenMemberAccount } from '../shared/iam';

export const FUNCTION_NAME = 'revoke-older-sessions';

/** The state machines call it after a step said the role stopped being federated (docs/architecture.md#revoking-older-sessions). */
export const inputSchema = workflowInputSchema;
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2 };
  readonly openAccount: OpenMemberAccount;
  /** The clock the revocation time is read from. */
  readonly now?: () => Date;
}

export interface RevocationResult {
  /** `revokedBefore`: web identity sessions through the tenant's provider issued before it are denied; `null`: the role is gone. */
  readonly sessionsRevoked: { readonly revokedBefore: string | null };
}

/**
 * Writes (or moves forward) the role's `EntraRevokeOlderSessions` policy: every session issued
 * through the tenant's provider before now is denied everything. A role that is gone has no
 * sessions left to revoke. A role whose inline policies are full fails with
 * `InlinePolicyQuotaError`: the state machine tags it `failed:inline-policy-quota`, which alarms;
 * nothing of the team's is removed to make room.
 */
export async function revokeOlderSessions(deps: Deps, input: Input): Promise<RevocationResult> {
  const { providerArn } = federationFor(deps.settings, input.accountId);
  const iam = await deps.openAccount(input.accountId, sessionNameFor(FUNCTION_NAME, input.eventId));
  const at = (deps.now ?? (() => new Date()))();
  const policy = revokeOlderSessionsPolicy(providerArn, at);
  try {
    await iam.putRolePolicy(input.roleName, REVOKE_SESSIONS_POLICY_NAME, policy);
  } catch (error) {
    if (error instanceof RoleNotFoundError) {
      deps.logger.info('role gone: no session left to revoke', { roleName: input.roleName });
      return { sessionsRevoked: { revokedBefore: null } };
    }
    if (error instanceof InlinePolicyQuotaError) {
      deps.logger.warn('older web identity sessions not revoked: the role holds too much inline policy', { roleName: input.roleName });
    }
    throw error;
  }
  // The policy compares to the second: sessions of this very second are not revoked.
  const revokedBefore = new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString();
  deps.logger.info('older web identity sessions revoked', { roleName: input.roleName, revokedBefore, policy: REVOKE_SESSIONS_POLICY_NAME });
  return { sessionsRevoked: { revokedBefore } };
}
