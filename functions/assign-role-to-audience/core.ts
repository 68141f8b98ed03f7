import * as z from 'zod/mini';
import {
  ROLE_TAGS,
  deletedResultSchema,
  failureSchema,
  federationTarget,
  identityResultSchema,
  workflowInputSchema,
  teamWriteSchema,
  type TeamWrite,
  ACCESS,
  READY,
  alarmFor,
  failedStatus,
  failureReason,
  type Access,
  federationFor,
  sessionNameFor,
  encodeTrustPolicyWrite,
  epochSecond,
  teamWriteStep,
  nextTrustPolicyWrite,
  policyDigest,
  type TeamWriteOutcome,
} from '../shared/workflow';
import { RoleNotFoundError, TrustPolicyRewriteError, type HandlerDeps } from '../shared/runtime';
import {
  type MemberAccountIam,
  type OpenMemberAccount,
  type PolicyDocument,
  type RoleState,
  accessOf,
  isOpen,
  parsePolicyDocument,
  pinTrustPolicy,
  withLock,
  type ProviderKeys,
} from '../shared/iam';

export const FUNCTION_NAME = 'assign-role-to-audience';

/**
 * Three modes, one function: it holds the member role that writes trust policies (`pin`), and
 * each mode is such a write. With `application` (AssignRoleToAudience) it pins the trust policy
 * and tags the role ready; with `failure` (written by a Catch: RecordFailureOnRole) it tags the
 * role `failed:<reason>` and locks it if it is open; with only `teamWrite` (ReapplyTeamWrite, the
 * first step of a team's `UpdateAssumeRolePolicy`) it writes the team's document again if the
 * automation overwrote it. Every trust policy it writes carries its `entra:trust-policy-write`
 * marker (shared/workflow/team-writes.ts).
 */
export const inputSchema = z.union([
  z.extend(workflowInputSchema, {
    failure: failureSchema,
    /** What the compensation removed, when it ran. */
    deleted: z.optional(deletedResultSchema),
  }),
  z.extend(workflowInputSchema, { application: identityResultSchema }),
  z.extend(workflowInputSchema, { teamWrite: teamWriteSchema }),
]);
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2; readonly trustPolicyMaxChars: number };
  readonly openAccount: OpenMemberAccount;
  /** The clock read just before each `GetRole` a write is computed from (the simulator's is virtual); the system's by default. */
  readonly now?: () => Date;
}

/**
 * `revokeOlderSessions`: the role stopped being federated to the identity its earlier sessions
 * came from (re-pinned to another identity, or locked while it was open), so the state machine
 * revokes the web identity sessions issued before (revoke-older-sessions).
 */
export type AssignResult =
  | { readonly assigned: { readonly status: string; readonly trustPolicyChanged: boolean; readonly revokeOlderSessions: boolean } }
  | { readonly recordedFailure: { readonly status: string; readonly access: Access; readonly revokeOlderSessions: boolean } }
  | { readonly teamWriteOutcome: TeamWriteOutcome };

/** Reads the role, noting the time just before: a write computed from it is marked with that read. */
async function readRole(deps: Deps, iam: MemberAccountIam, roleName: string): Promise<{ role: RoleState | null; readAtMs: number }> {
  const readAtMs = (deps.now?.() ?? new Date()).getTime();
  return { role: await iam.getRole(roleName), readAtMs };
}

/** The marker tag of a trust policy about to be written over `role` as read at `readAtMs`. */
function markerFor(role: RoleState, readAtMs: number, written: PolicyDocument): Record<string, string> {
  return { [ROLE_TAGS.trustPolicyWrite]: encodeTrustPolicyWrite(nextTrustPolicyWrite(role, readAtMs, written)) };
}

/**
 * After a failure: leaves the role closed if it can. An open role gets the lock statement;
 * where the lock cannot be written (too large, unreadable) the role stays open, the tag says
 * so and the error log line `role left open` feeds the alarm.
 */
async function closeRole(
  deps: Deps,
  iam: MemberAccountIam,
  role: RoleState | 'unreadable',
  readAtMs: number,
  keys: ProviderKeys,
): Promise<{ access: Access; lockedNow: boolean }> {
  if (role === 'unreadable') return { access: ACCESS.open, lockedNow: false };
  const held = (await iam.getProviderClientIds(keys.providerArn)) ?? [];
  if (!isOpen(role.trustPolicy, keys, held)) return { access: accessOf(role.trustPolicy, keys, held), lockedNow: false };
  try {
    const locked = withLock(role.trustPolicy, keys, deps.settings.trustPolicyMaxChars);
    // The marker first: a team write landing between the two is then applied again (team-writes.ts).
    await iam.tagRole(role.roleName, markerFor(role, readAtMs, locked));
    await iam.updateTrustPolicy(role.roleName, locked);
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
    let readAtMs = (deps.now?.() ?? new Date()).getTime();
    try {
      const read = await readRole(deps, iam, input.roleName);
      readAtMs = read.readAtMs;
      if (!read.role) throw new RoleNotFoundError(`role ${input.roleName} in account ${input.accountId} is gone`);
      role = read.role;
    } catch (error) {
      if (!(error instanceof TrustPolicyRewriteError)) throw error;
      role = 'unreadable';
    }
    // A role that was open until now: any identity of the tenant may hold a session of it.
    const { access, lockedNow } = await closeRole(deps, iam, role, readAtMs, keys);
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

  if (!('application' in input)) return { teamWriteOutcome: await reapplyTeamWrite(deps, iam, input) };

  const { roleId, ownersStatus, federatedCredentialsStatus } = input.application;
  const handMadeAudiences = input.application.outcome === 'registered' ? input.application.handMadeAudiences : undefined;
  const target = federationTarget(input.application);
  const [appId, ...alsoAllowedAudiences] = target.audiences as [string, ...string[]];
  const { role, readAtMs } = await readRole(deps, iam, input.roleName);
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
  const writes = pinned.changed || policy !== pinned.policy;
  // The two writes run together, keeping a Create's critical path short: the marker names the
  // policy it describes by digest, so whichever lands first, it counts only while the role holds
  // that policy (team-writes.ts).
  await Promise.all([
    writes ? iam.updateTrustPolicy(input.roleName, policy) : Promise.resolve(),
    iam.tagRole(input.roleName, {
      ...(writes ? markerFor(role, readAtMs, policy) : {}),
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

/**
 * ReapplyTeamWrite: the team's `UpdateAssumeRolePolicy` is written again when the automation
 * overwrote it, that is when the role still holds the automation's write and the call is not older
 * than the read that write came from (shared/workflow/team-writes.ts has the rule and its ties).
 * The marker written with it keeps that read's time and records the call, so that a team call
 * overwritten by the same write is applied again too, but never one older than this call.
 * The steps after it judge the role as after any update.
 */
async function reapplyTeamWrite(deps: Deps, iam: MemberAccountIam, input: { roleName: string; teamWrite: TeamWrite }) {
  let document: PolicyDocument;
  try {
    document = parsePolicyDocument(input.teamWrite.policyDocument);
  } catch (error) {
    throw new TrustPolicyRewriteError(
      `malformed-policy: the team's document in the CloudTrail record cannot be read (${(error as Error).message})`,
      'malformed-policy',
    );
  }
  const { role } = await readRole(deps, iam, input.roleName);
  const call = { second: epochSecond(input.teamWrite.eventTime), digest: policyDigest(document) };
  const { outcome, marker, reapply } = teamWriteStep(role, call);
  if (marker) await iam.tagRole(input.roleName, { [ROLE_TAGS.trustPolicyWrite]: encodeTrustPolicyWrite(marker) });
  if (!reapply) {
    deps.logger.info('team write not applied again', { outcome, eventTime: input.teamWrite.eventTime });
    return outcome;
  }
  await iam.updateTrustPolicy(input.roleName, document);
  deps.logger.warn('team write applied again: the automation had overwritten it', { eventTime: input.teamWrite.eventTime });
  return outcome;
}
