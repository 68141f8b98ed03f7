import * as z from 'zod/mini';
import { accountIdSchema, guidSchema, roleNameSchema } from '../shared/workflow';
import type { HandlerDeps } from '../shared/runtime';
import type { EntraDirectory } from '../shared/entra';

export const FUNCTION_NAME = 'disable-service-principal';

export const inputSchema = z.object({
  accountId: accountIdSchema,
  roleName: roleNameSchema,
  requestedBy: z.string(),
  reason: z.string(),
  revocation: z.object({
    locked: z.boolean(),
    servicePrincipalObjectId: z.nullable(guidSchema),
    identityMode: z.nullable(z.string()),
  }),
  /** From revoke-older-sessions; absent when it failed (a full inline policy quota, say). */
  sessionsRevoked: z.optional(z.object({ revokedBefore: z.nullable(z.string()) })),
});
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly directory: EntraDirectory;
}

/** `disabled`; `not-ours`: a brought identity (Application.ReadWrite.OwnedBy cannot change it); `none`: the role names no identity. */
export type IdentityOutcome = 'disabled' | 'not-ours' | 'not-found' | 'none';

/**
 * The last step of `{Prefix}-Role-Revoke`: disables the role's service principal in Entra, so
 * that it gets no token at all (https://learn.microsoft.com/graph/api/serviceprincipal-update,
 * `accountEnabled`), then writes the one structured line of the revocation, which raises the
 * `role-revoked` alarm with who asked and why.
 */
export async function disableServicePrincipal(deps: Deps, input: Input): Promise<{ identity: { outcome: IdentityOutcome } }> {
  const { servicePrincipalObjectId, identityMode, locked } = input.revocation;
  let outcome: IdentityOutcome = 'none';
  if (servicePrincipalObjectId !== null) {
    // A brought identity is the team's (a managed identity, their own application): not ours to disable.
    const answer =
      identityMode === 'bring-your-own' ? 'refused' : await deps.directory.setServicePrincipalEnabled(servicePrincipalObjectId, false);
    outcome = answer === 'done' ? 'disabled' : answer === 'not-found' ? 'not-found' : 'not-ours';
  }
  deps.logger.error('role revoked', {
    alarm: 'role-revoked',
    accountId: input.accountId,
    roleName: input.roleName,
    requestedBy: input.requestedBy,
    reason: input.reason,
    locked,
    sessionsRevokedBefore: input.sessionsRevoked?.revokedBefore ?? null,
    servicePrincipalObjectId,
    identity: outcome,
    ...(outcome === 'not-ours'
      ? { identityNotDisabled: 'the identity is the team’s own, not the automation’s: it was NOT disabled; disable it in Entra' }
      : {}),
  });
  return { identity: { outcome } };
}
