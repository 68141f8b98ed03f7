import * as z from 'zod/mini';
import {
  ACCESS,
  REVOKED,
  ROLE_TAGS,
  federationFor,
  roleRevocationRequestSchema,
  sessionNameFor,
  type RoleRevocationRequest,
} from '../shared/workflow';
import { RoleNotFoundError, TrustPolicyRewriteError, type HandlerDeps } from '../shared/runtime';
import { withLock, type OpenMemberAccount, type ProviderKeys } from '../shared/iam';

export const FUNCTION_NAME = 'revoke-role';

/** `request`: the execution's input as the operator wrote it; `eventId`: the execution's name. */
export const inputSchema = z.object({ request: roleRevocationRequestSchema, eventId: z.string().check(z.minLength(1)) });
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2; readonly trustPolicyMaxChars: number };
  readonly openAccount: OpenMemberAccount;
}

export interface RevokeRoleResult extends RoleRevocationRequest {
  readonly eventName: 'Revoke';
  readonly revocation: {
    /** Whether the lock is on the role; false when it does not fit the trust policy quota (the role-open alarm fires). */
    readonly locked: boolean;
    /** The identity the role was federated to, from its tags; `null` when it names none. */
    readonly servicePrincipalObjectId: string | null;
    readonly identityMode: string | null;
  };
}

/**
 * The first step of `{Prefix}-Role-Revoke`: a lock that denies every web identity token of the
 * tenant's provider, the pinned identity's too (no exemption), and the status `revoked`, which
 * neither the role's events nor the sweep undo. Nothing is deleted: the trust policy keeps the
 * team's statements and the pin under the lock, the application and its audience stay.
 */
export async function revokeRole(deps: Deps, input: Input): Promise<RevokeRoleResult> {
  const { accountId, roleName } = input.request;
  const federation = federationFor(deps.settings, accountId);
  const keys: ProviderKeys = { providerArn: federation.providerArn, conditionKeyPrefix: federation.host };
  const iam = await deps.openAccount(accountId, sessionNameFor(FUNCTION_NAME, input.eventId));
  const role = await iam.getRole(roleName);
  if (!role) {
    throw new RoleNotFoundError(`roleName: ${roleName} does not exist in account ${accountId}: check the account ID and the role name`);
  }
  let locked = true;
  try {
    await iam.updateTrustPolicy(roleName, withLock(role.trustPolicy, keys, deps.settings.trustPolicyMaxChars, [], false));
  } catch (error) {
    if (!(error instanceof TrustPolicyRewriteError)) throw error;
    locked = false;
    // The role-revoked alarm line (disable-service-principal) says locked: false.
    deps.logger.error('revoked role could not be locked', { detail: error.message });
  }
  await iam.tagRole(roleName, { [ROLE_TAGS.status]: REVOKED, [ROLE_TAGS.access]: locked ? ACCESS.locked : ACCESS.open });
  return {
    ...input.request,
    eventName: 'Revoke',
    revocation: {
      locked,
      servicePrincipalObjectId: role.tags[ROLE_TAGS.servicePrincipalId] ?? null,
      identityMode: role.tags[ROLE_TAGS.identityMode] ?? null,
    },
  };
}
