import * as z from 'zod/mini';
import {
  ROLE_TAGS,
  deletedResultSchema,
  failureSchema,
  federationTarget,
  identityResultSchema,
  workflowInputSchema,
  ACCESS,
  READY,
  alarmFor,
  failedStatus,
  failureReason,
  type Access,
  federationFor,
  sessionNameFor,
} from '../shared/workflow';
import { RoleNotFoundError, TrustPolicyRewriteError, type HandlerDeps } from '../shared/runtime';
import {
  type MemberAccountIam,
  type OpenMemberAccount,
  type PolicyDocument,
  type RoleState,
  accessOf,
  isOpen,
  pinTrustPolicy,
  withLock,
  type ProviderKeys,
} from '../shared/iam';

export const FUNCTION_NAME = 'assign-role-to-audience';

/**
 * Two modes, one function (the state machine calls it from AssignRoleToAudience and from
 * RecordFailureOnRole): without `failure` it pins the trust policy and tags the role
 * ready; with `failure` (written by a Catch) it tags the role `failed:<reason>` and locks
 * it if it is open.
 */
export const inputSchema = z.union([
  z.extend(workflowInputSchema, {
    failure: failureSchema,
    /** What the compensation removed, when it ran. */
    deleted: z.optional(deletedResultSchema),
  }),
  z.extend(workflowInputSchema, { application: identityResultSchema }),
]);
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2; readonly trustPolicyMaxChars: number };
  readonly openAccount: OpenMemberAccount;
}

/**
 * `revokeOlderSessions`: the role stopped being federated to the identity its earlier sessions
 * came from (re-pinned to another identity, or locked while it was open), so the state machine
 * revokes the web identity sessions issued before (revoke-older-sessions).
 */
export type AssignResult =
  | { readonly assigned: { readonly status: string; readonly trustPolicyChanged: boolean; readonly revokeOlderSessions: boolean } }
  | { readonly recordedFailure: { readonly status: string; readonly access: Access; readonly revokeOlderSessions: boolean } };

/**
 * After a failure: leaves the role closed if it can. An open role gets the lock statement;
 * where the lock cannot be written (too large, unreadable) the role stays open, the tag says
 * so and the error log line `role left open` feeds the alarm.
 */
async function closeRole(
  deps: Deps,
  iam: MemberAccountIam,
  role: RoleState | 'unreadable',
  keys: ProviderKeys,
): Promise<{ access: Access; lockedNow: boolean }> {
  if (role === 'unreadable') return { access: ACCESS.open, lockedNow: false };
  const held = (await iam.getProviderClientIds(keys.providerArn)) ?? [];
  if (!isOpen(role.trustPolicy, keys, held)) return { access: accessOf(role.trustPolicy, keys, held), lockedNow: false };
  try {
    await iam.updateTrustPolicy(role.roleName, withLock(role.trustPolicy, keys, deps.settings.trustPolicyMaxChars));
    return { access: ACCESS.locked, lockedNow: true };
  } catch (error) {
    if (error instanceof TrustPolicyRewriteError) return { access: ACCESS.open, lockedNow: false };
    throw error;
  }
}

/**
 * The pinned policy, locked when it is still open (with the audiences the pin is about to be
 * added to the provider counted as held), and its `entra:access`.
 */
async function closeAfterPin(
  deps: Deps,
  iam: MemberAccountIam,
  policy: PolicyDocument,
  keys: ProviderKeys,
  audiences: readonly string[],
  handMadeAudiences: readonly string[],
): Promise<{ policy: PolicyDocument; access: Access }> {
  const held = [...new Set([...((await iam.getProviderClientIds(keys.providerArn)) ?? []), ...audiences])];
  if (!isOpen(policy, keys, held)) return { policy, access: accessOf(policy, keys, held) };
  try {
    return { policy: withLock(policy, keys, deps.settings.trustPolicyMaxChars, handMadeAudiences), access: ACCESS.locked };
  } catch (error) {
    if (error instanceof TrustPolicyRewriteError) return { policy, access: ACCESS.open };
    throw error;
  }
}

export async function pinRole(deps: Deps, input: Input): Promise<AssignResult> {
  const federation = federationFor(deps.settings, input.accountId);
  const keys: ProviderKeys = { providerArn: federation.providerArn, conditionKeyPrefix: federation.host };
  const iam = await deps.openAccount(input.accountId, sessionNameFor(FUNCTION_NAME, input.eventId));

  if ('failure' in input) {
    const reason = failureReason(input.failure);
    const status = failedStatus(reason);
    let role: RoleState | 'unreadable';
    try {
      const found = await iam.getRole(input.roleName);
      if (!found) throw new RoleNotFoundError(`role ${input.roleName} in account ${input.accountId} is gone`);
      role = found;
    } catch (error) {
      if (!(error instanceof TrustPolicyRewriteError)) throw error;
      role = 'unreadable';
    }
    // A role that was open until now: any identity of the tenant may hold a session of it.
    const { access, lockedNow } = await closeRole(deps, iam, role, keys);
    // Tags name the application only while it exists: the compensation may have removed it.
    if (input.deleted?.any) {
      await iam.untagRole(input.roleName, [ROLE_TAGS.clientId, ROLE_TAGS.servicePrincipalId, ROLE_TAGS.audience, ROLE_TAGS.identityMode]);
    }
    await iam.tagRole(input.roleName, {
      [ROLE_TAGS.tenantId]: deps.settings.tenantId,
      [ROLE_TAGS.status]: status,
      [ROLE_TAGS.access]: access,
    });
    if (access === ACCESS.open) {
      deps.logger.error('role left open', { alarm: 'role-open', status, failure: input.failure.Error });
    } else {
      const alarm = alarmFor(reason);
      deps.logger[alarm ? 'error' : 'warn']('role tagged as failed', {
        status,
        access,
        failure: input.failure.Error,
        ...(alarm ? { alarm } : {}),
      });
    }
    return { recordedFailure: { status, access, revokeOlderSessions: lockedNow } };
  }

  const { roleId, ownersStatus, federatedCredentialsStatus } = input.application;
  const handMadeAudiences = input.application.outcome === 'registered' ? input.application.handMadeAudiences : undefined;
  const target = federationTarget(input.application);
  const [appId, ...alsoAllowedAudiences] = target.audiences as [string, ...string[]];
  const role = await iam.getRole(input.roleName);
  // A role re-created while this execution ran is another incarnation with its own Create.
  if (!role || role.roleId !== roleId) {
    throw new RoleNotFoundError(`role ${input.roleName} in account ${input.accountId} was deleted while it was being federated`);
  }
  const pinned = pinTrustPolicy(role.trustPolicy, {
    providerArn: federation.providerArn,
    conditionKeyPrefix: federation.host,
    appId,
    alsoAllowedAudiences,
    servicePrincipalObjectId: target.servicePrincipalObjectId,
    maxPolicyChars: deps.settings.trustPolicyMaxChars,
    ...(handMadeAudiences ? { handMadeAudiences } : {}),
  });
  // `entra:access` is the whole final policy's, by the one definition of open: a statement the
  // pin kept (a team's hand-made one admitting the gateway, say) may still let the tenant in. Then
  // a lock closes every path but the pinned identities and the team's own hand-made audiences.
  const { policy, access } = await closeAfterPin(deps, iam, pinned.policy, keys, target.audiences, handMadeAudiences ?? []);
  if (access === ACCESS.open) {
    deps.logger.error('role left open', { alarm: 'role-open', status: READY, detail: 'a statement the pin kept admits the tenant' });
  }
  // The two writes are independent; running them together keeps a Create's critical path short.
  await Promise.all([
    pinned.changed || policy !== pinned.policy ? iam.updateTrustPolicy(input.roleName, policy) : Promise.resolve(),
    iam.tagRole(input.roleName, {
      [ROLE_TAGS.clientId]: target.clientId,
      [ROLE_TAGS.tenantId]: deps.settings.tenantId,
      [ROLE_TAGS.servicePrincipalId]: target.servicePrincipalObjectId,
      [ROLE_TAGS.audience]: target.requestAudience,
      [ROLE_TAGS.identityMode]: target.identityMode,
      [ROLE_TAGS.status]: READY,
      [ROLE_TAGS.access]: access,
      ...(ownersStatus ? { [ROLE_TAGS.ownersStatus]: ownersStatus } : {}),
      ...(federatedCredentialsStatus ? { [ROLE_TAGS.federatedCredentialsStatus]: federatedCredentialsStatus } : {}),
    }),
  ]);
  // Re-pinned to another identity than the one the role's tags name: the sessions the earlier
  // identity took must not outlive the change.
  const earlier = role.tags[ROLE_TAGS.servicePrincipalId];
  const revokeOlderSessions = earlier !== undefined && earlier.toLowerCase() !== target.servicePrincipalObjectId.toLowerCase();
  return { assigned: { status: READY, trustPolicyChanged: pinned.changed, revokeOlderSessions } };
}
