import * as z from 'zod/mini';
import { REVOKED, ROLE_TAGS, roleRevocationRequestSchema, sessionNameFor, type RoleRevocationRequest } from '../shared/workflow';
import { InvalidInputError, RoleNotFoundError, type HandlerDeps } from '../shared/runtime';
import type { OpenMemberAccount } from '../shared/iam';

export const FUNCTION_NAME = 'restore-role';

/** `request`: the execution's input as the operator wrote it; `eventId`: the execution's name. */
export const inputSchema = z.object({ request: roleRevocationRequestSchema, eventId: z.string().check(z.minLength(1)) });
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly openAccount: OpenMemberAccount;
}

export interface RestoreRoleResult extends RoleRevocationRequest {
  readonly eventName: 'Restore';
  readonly restoration: { readonly servicePrincipalObjectId: string | null; readonly identityMode: string | null };
}

/**
 * The first step of `{Prefix}-Role-Restore`: lifts the status `revoked`, so that the Create steps
 * that follow federate the role again, to the same application (its name derives from the role's
 * incarnation). The lock stays until their pin replaces it: should the federation fail, the role
 * stays closed. The revocation policy stays until the sweep's time for it
 * (docs/architecture.md#revoking-older-sessions): sessions from before the revocation stay denied.
 */
export async function restoreRole(deps: Deps, input: Input): Promise<RestoreRoleResult> {
  const { accountId, roleName } = input.request;
  const iam = await deps.openAccount(accountId, sessionNameFor(FUNCTION_NAME, input.eventId));
  const role = await iam.getRole(roleName);
  if (!role) {
    throw new RoleNotFoundError(`roleName: ${roleName} does not exist in account ${accountId}: check the account ID and the role name`);
  }
  const status = role.tags[ROLE_TAGS.status];
  if (status !== REVOKED) {
    throw new InvalidInputError(
      `roleName: ${roleName} in account ${accountId} is not revoked (entra:federation-status is ${status ?? 'absent'}): nothing to restore`,
    );
  }
  await iam.untagRole(roleName, [ROLE_TAGS.status]);
  return {
    ...input.request,
    eventName: 'Restore',
    restoration: {
      servicePrincipalObjectId: role.tags[ROLE_TAGS.servicePrincipalId] ?? null,
      identityMode: role.tags[ROLE_TAGS.identityMode] ?? null,
    },
  };
}
