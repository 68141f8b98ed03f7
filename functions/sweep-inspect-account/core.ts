import * as z from 'zod/mini';
import {
  ROLE_TAGS,
  guidSchema,
  FAILED_PREFIX,
  FAILURE_REASONS,
  READY,
  REVOKED,
  TRUST_POLICY_REASONS,
  federationFor,
  sessionNameFor,
} from '../shared/workflow';
import { OidcProviderNotFoundError, TrustPolicyRewriteError, type HandlerDeps } from '../shared/runtime';
import { applicationUniqueName } from '../shared/entra';
import {
  type ListedRole,
  type OpenMemberAccountLister,
  type PolicyDocument,
  protectedBy,
  pinTrustPolicy,
  pinnedSubjects,
  type ProviderKeys,
  type RoleInlinePolicies,
  REVOKE_SESSIONS_POLICY_NAME,
  automationRevocation,
  revocationExpired,
} from '../shared/iam';
import {
  DirectoryFactsReader,
  applicationOwnership,
  type DirectoryFacts,
  type DirectoryReader,
  type OwnershipReader,
  type RoleJudgement,
  isFederation,
  isLiveClientId,
  judgeRole,
  namedInPolicy,
} from '../shared/federation';
import {
  RECENT_APPLICATION_SECONDS,
  accountItemSchema,
  sweepContextSchema,
  type AccountRepair,
  type Finding,
  type FindingKind,
  type Inspection,
} from '../shared/sweep';

export const FUNCTION_NAME = 'sweep-inspect-account';

/** One item of the inspection map (the Distributed Map's ItemSelector adds the sweep). */
export const inputSchema = z.object({ account: accountItemSchema, sweep: sweepContextSchema });
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: {
    readonly tenantId: string;
    readonly tokenVersion: 1 | 2;
    readonly trustPolicyMaxChars: number;
    readonly protectedRoles: readonly string[];
    readonly automationClientId: string;
    /** Lower case. */
    readonly gatewayClientId: string;
  };
  readonly openAccount: OpenMemberAccountLister;
  readonly directory: DirectoryReader & OwnershipReader;
  readonly now?: () => number;
}

/** IAM's refusal as the SDK names it (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html: AccessDenied; the JSON protocol's AccessDeniedException). */
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/** Roles read (`GetRole`, Graph lookups) at once in one account. */
const ROLES_AT_ONCE = 8;

/** Stands in for an application and service principal when only the policy's shape matters. */
const PROBE_GUID = '00000000-0000-4000-8000-000000000000';
const isGuid = (value: string) => guidSchema.safeParse(value).success;

/** What the steps of one account's inspection share: read once, at the start. */
interface AccountView {
  readonly deps: Deps;
  readonly accountId: string;
  readonly keys: ProviderKeys;
  readonly iam: Awaited<ReturnType<OpenMemberAccountLister>>;
  readonly roles: readonly ListedRole[];
  /** The roles that hold inline policies, with them. */
  /** `null`: the member role may not read them yet (an older baseline). */
  readonly inlinePolicies: readonly RoleInlinePolicies[] | null;
  /** When the inspection started (epoch milliseconds). */
  readonly now: number;
  /** The provider's client IDs. */
  readonly held: readonly string[];
  /** The automation's applications named for this account (the plan's listing), by unique name and by client ID. */
  readonly applications: Input['account']['applications'];
  readonly byUniqueName: ReadonlyMap<string, Input['account']['applications'][number]>;
  readonly ownAppIds: ReadonlySet<string>;
  /** Object IDs of those applications an owner took the automation off (shared/federation applicationOwnership). */
  readonly notOwned: ReadonlySet<string>;
  readonly facts: DirectoryFactsReader;
  /** Created less than RECENT_APPLICATION_SECONDS ago: an execution may still be at work on it. */
  readonly recent: (iso: string | null) => boolean;
}

type Outcome = { readonly finding: Finding; readonly federate?: AccountRepair['federate'][number] } | undefined;

/**
 * Reads one member account whole and decides what is wrong with it; changes nothing.
 *
 * * Roles: a role that trusts the tenant's provider is healthy when the application of its
 *   incarnation (by name, from the plan's listing), that application's service principal and
 *   its client ID on the provider all exist, and `pinTrustPolicy` would leave its policy as it
 *   is. Anything else is read again with `GetRole` (the listing has no tags) and classified
 *   with the same definitions the event path uses: hand-made (left alone), refused (a
 *   permanent reason its trust policy still has), or federated again through Create.
 * * Applications of the automation named for this account that it no longer owns (an owner
 *   removed it) are reported `not-owner`: nothing can be done to them but by an administrator.
 * * The others whose role incarnation is gone or no longer trusts the provider are orphans;
 *   client IDs that name no application at all are dead. Both are only proposed here: the cap
 *   and the repair decide.
 * * The automation's revocation policies past IAM's longest session are proposed for removal;
 *   the repair reads each again before it removes it.
 *
 * Any error leaves the account unread: the state machine records it as `unreadable-account`
 * and nothing is deleted for it in this run.
 */
export async function inspectAccount(deps: Deps, input: Input): Promise<{ inspection: Inspection }> {
  const view = await readAccount(deps, input);
  const findings: Finding[] = [];
  const repair: AccountRepair = { deleteApplications: [], removeClientIds: [], federate: [], removeRevocationPolicies: [] };

  const trusting = [...view.roles]
    .sort((a, b) => a.roleName.localeCompare(b.roleName))
    .filter((role) => isFederation(role.trustPolicy, view.keys.providerArn));
  // A few roles at a time: an account of thousands of roles on day one stays well inside the
  // function's timeout, and IAM's per-account read rate is not strained.
  for (let start = 0; start < trusting.length; start += ROLES_AT_ONCE) {
    for (const outcome of await Promise.all(trusting.slice(start, start + ROLES_AT_ONCE).map((role) => classifyRole(view, role)))) {
      if (!outcome) continue;
      findings.push(outcome.finding);
      if (outcome.federate) repair.federate.push(outcome.federate);
    }
  }
  findings.push(...findNotOwnedApplications(view));
  for (const orphan of findOrphanApplications(view)) {
    findings.push(orphan.finding);
    repair.deleteApplications.push(orphan.application);
  }
  for (const dead of await findDeadClientIds(view)) {
    findings.push(dead);
    repair.removeClientIds.push(dead.appId as string);
  }
  for (const expired of findExpiredRevocations(view)) {
    findings.push(expired.finding);
    repair.removeRevocationPolicies.push(expired.removal);
  }

  const { accountId, roles, held } = view;
  deps.logger.info('account inspected', {
    roles: roles.length,
    federatedRoles: trusting.length,
    clientIds: held.length,
    findings: findings.length,
  });
  return { inspection: { accountId, readable: true, clientIds: held.length, federatedRoles: trusting.length, findings, repair } };
}

/** Step 1: the account's roles and its provider's client IDs, in one session. */
async function readAccount(deps: Deps, input: Input): Promise<AccountView> {
  const { accountId, applications } = input.account;
  const { settings } = deps;
  const federation = federationFor(settings, accountId);
  const keys: ProviderKeys = { providerArn: federation.providerArn, conditionKeyPrefix: federation.host };
  const now = (deps.now ?? Date.now)();

  const iam = await deps.openAccount(accountId, sessionNameFor(FUNCTION_NAME, `sweep-${input.sweep.id}`));
  const [roles, inlinePolicies, held] = await Promise.all([
    iam.listRoles(),
    // A member baseline the StackSet has not updated yet (it rolls out after the central
    // functions) lacks iam:GetAccountAuthorizationDetails: the rest of the inspection stands, only
    // the expired revocations go unread this run.
    iam.listRoleInlinePolicies().catch((error: unknown) => {
      if (!ACCESS_DENIED.has(error instanceof Error ? error.name : '')) throw error;
      deps.logger.warn('inline policies unreadable: the member baseline may predate this permission', { detail: String(error) });
      return null;
    }),
    iam.getProviderClientIds(keys.providerArn),
  ]);
  if (held === null) {
    throw new OidcProviderNotFoundError(
      `account ${accountId} has no OIDC provider ${keys.providerArn}: the member baseline is not intact there`,
    );
  }
  const ownAppIds = new Set(applications.map((app) => app.appId.toLowerCase()));
  // One owners read per application of the automation here (the one judgement of ownership).
  const notOwned = new Set<string>();
  for (const app of applications) if ((await applicationOwnership(deps.directory, app)) === 'not-owner') notOwned.add(app.id);
  return {
    deps,
    accountId,
    keys,
    iam,
    roles,
    inlinePolicies,
    now,
    held,
    applications,
    byUniqueName: new Map(applications.map((app) => [app.uniqueName, app])),
    ownAppIds,
    notOwned,
    facts: new DirectoryFactsReader(deps.directory, [settings.automationClientId, settings.gatewayClientId], ownAppIds),
    recent: (iso) => iso !== null && now - Date.parse(iso) < RECENT_APPLICATION_SECONDS * 1000,
  };
}

const finding = (view: AccountView, kind: FindingKind, fields: Omit<Finding, 'kind' | 'account' | 'result'>): Finding => ({
  kind,
  account: view.accountId,
  result: fields.action === 'none' ? 'reported' : 'proposed',
  ...fields,
});
const report = (view: AccountView, role: ListedRole, kind: FindingKind, detail: string, appId?: string): Outcome => ({
  finding: finding(view, kind, { roleName: role.roleName, ...(appId ? { appId } : {}), action: 'none', detail }),
});
const federate = (view: AccountView, role: ListedRole, kind: FindingKind, detail: string): Outcome => ({
  finding: finding(view, kind, { roleName: role.roleName, action: 'federate', detail }),
  federate: { roleName: role.roleName, roleId: role.roleId, kind },
});

/** Whether `pinTrustPolicy` would leave the policy as it is for this application and service principal. */
function pinnedAsWritten(view: AccountView, policy: PolicyDocument, appId: string, servicePrincipalObjectId: string): boolean {
  try {
    const { changed } = pinTrustPolicy(policy, {
      ...view.keys,
      appId,
      servicePrincipalObjectId,
      maxPolicyChars: view.deps.settings.trustPolicyMaxChars,
    });
    return !changed;
  } catch {
    return false;
  }
}

/** The reason `pinTrustPolicy` would refuse the policy today, if any. */
function refusal(view: AccountView, policy: PolicyDocument): string | undefined {
  try {
    pinTrustPolicy(policy, {
      ...view.keys,
      appId: PROBE_GUID,
      servicePrincipalObjectId: PROBE_GUID,
      maxPolicyChars: view.deps.settings.trustPolicyMaxChars,
    });
    return undefined;
  } catch (error) {
    if (error instanceof TrustPolicyRewriteError) return error.reason;
    throw error;
  }
}

/**
 * A ready role as the automation leaves it, whatever the audience mode: nothing open, every
 * statement the automation pinned names this incarnation's service principal through an audience
 * the provider holds (its own client ID, or the gateway), every brought one a live identity
 * through an audience the provider holds.
 */
function healthy(
  view: AccountView,
  judgement: RoleJudgement,
  app: { appId: string } | undefined,
  servicePrincipalId: string | null,
): boolean {
  if (judgement.open || (judgement.kind !== 'ours' && judgement.kind !== 'brought')) return false;
  const { gatewayClientId } = view.deps.settings;
  const heldAll = (audiences: readonly string[]) =>
    audiences.length > 0 && audiences.every((aud) => view.held.some((id) => id.toLowerCase() === aud));
  return judgement.statements.every((statement) => {
    if (statement.kind === 'hand-made') return true;
    if (statement.kind === 'brought') return heldAll(statement.audiences);
    return (
      app !== undefined &&
      servicePrincipalId !== null &&
      statement.subjects.length === 1 &&
      statement.subjects[0] === servicePrincipalId.toLowerCase() &&
      statement.audiences.every((aud) => aud === app.appId.toLowerCase() || aud === gatewayClientId) &&
      heldAll(statement.audiences)
    );
  });
}

/** Step 2, per role that trusts the provider: what it needs, if anything. */
async function classifyRole(view: AccountView, role: ListedRole): Promise<Outcome> {
  const { settings } = view.deps;
  const { accountId, keys, held, facts, ownAppIds } = view;
  const protection = protectedBy(settings.protectedRoles, { roleName: role.roleName, path: role.path });
  if (protection !== undefined) return report(view, role, 'protected-role', `protected by ${protection}: the automation never changes it`);
  const app = view.byUniqueName.get(applicationUniqueName(accountId, role.roleName, role.roleId));
  const servicePrincipalId = app?.servicePrincipalId ?? null;
  if (app && servicePrincipalId && held.includes(app.appId) && pinnedAsWritten(view, role.trustPolicy, app.appId, servicePrincipalId))
    return undefined;

  // Not as the automation leaves a ready role: read it whole (tags), as the Create would.
  const current = await view.iam.getRole(role.roleName);
  if (!current || current.roleId !== role.roleId) return undefined; // deleted or re-created meanwhile: its own events handle it
  const status = current.tags[ROLE_TAGS.status];
  if (status === undefined && view.recent(role.createDate)) return undefined; // its CreateRole's execution may still be running
  // Revoked by an operator: reported, never federated again by a repair (only a restore lifts it).
  if (status === REVOKED) return report(view, role, 'revoked', 'revoked by an operator: only {Prefix}-Role-Restore federates it again');

  const known: DirectoryFacts = await facts.read(namedInPolicy(current.trustPolicy, keys));
  const judgement = judgeRole(current.trustPolicy, {
    keys,
    held,
    tokenVersion: settings.tokenVersion,
    gatewayClientId: settings.gatewayClientId,
    facts: known,
  });
  if (judgement.kind === 'hand-made') {
    return report(
      view,
      role,
      'hand-made',
      `aud names an identity the automation did not create: left exactly as it is${
        judgement.open ? '; its trust policy is open (a statement admits the tenant without a sub): the team must pin sub' : ''
      }`,
      judgement.handMadeAudiences[0],
    );
  }
  const kindOf = (clientId: string) => (clientId === settings.gatewayClientId ? 'platform' : facts.clientId(clientId));
  const pinnedApps = [...new Set(judgement.statements.flatMap((statement) => statement.audiences))];
  const kinds = new Map(await Promise.all(pinnedApps.map(async (aud) => [aud, await kindOf(aud)] as const)));
  // Pinned to an application of the automation created after the plan listed Entra: a Create is at work.
  if (pinnedApps.some((aud) => kinds.get(aud) === 'ours' && !ownAppIds.has(aud))) return undefined;
  if (status === READY && healthy(view, judgement, app, servicePrincipalId)) return undefined;

  const open = judgement.open ? '; its trust policy is open (any workload of the tenant may assume it) until it is federated' : '';
  if (status?.startsWith(FAILED_PREFIX)) {
    const reason = status.slice(FAILED_PREFIX.length);
    if (reason === 'not-owner') {
      // Still not the automation's: its application's own not-owner finding says so. Given back
      // (or gone): federated again, as the runbook promises.
      if (app && view.notOwned.has(app.id)) return undefined;
      return federate(
        view,
        role,
        'unfederated',
        `${status}, but ${app ? 'the automation owns its application again' : 'its application is gone'}${open}`,
      );
    }
    const info = (FAILURE_REASONS as Readonly<Record<string, { retryable: boolean; fix: string }>>)[reason];
    if (info?.retryable) return federate(view, role, 'retryable-failure', `${status}: a retry can fix it${open}`);
    if (TRUST_POLICY_REASONS.has(reason) && refusal(view, current.trustPolicy) !== reason) {
      return federate(view, role, 'unfederated', `${status}, but the trust policy changed since${open}`);
    }
    return report(view, role, 'refused', `${status}: ${info?.fix ?? "see the role's tag and the failed execution"}`);
  }
  if (status === READY) {
    const pinnedSps = pinnedSubjects(current.trustPolicy, keys);
    if (judgement.open) return federate(view, role, 'drifted', `its trust policy is open: a web identity statement pins no sub${open}`);
    const brokenApp = pinnedApps.find((audience) => kinds.get(audience) === 'nothing');
    if (brokenApp !== undefined) return federate(view, role, 'broken-pin', `aud ${brokenApp} names no application`);
    if (app && !servicePrincipalId) return federate(view, role, 'broken-pin', 'its application has no service principal any more');
    if (app && servicePrincipalId && pinnedApps.includes(app.appId) && !pinnedSps.includes(servicePrincipalId)) {
      // Gone, or another role's: either way not the one its application has now.
      return federate(view, role, 'broken-pin', `sub does not name its application's service principal ${servicePrincipalId}`);
    }
    if (app && servicePrincipalId && pinnedApps.includes(app.appId) && !held.includes(app.appId))
      return federate(view, role, 'drifted', `its client ID ${app.appId} is not on the provider`);
    return federate(view, role, 'drifted', `its trust policy is no longer pinned as the automation wrote it${open}`);
  }
  return federate(view, role, 'unfederated', `never federated${open}`);
}

/**
 * Step 3: applications an owner took the automation off. A deletion would be refused (403
 * Authorization_RequestDenied), so they are reported, never proposed as orphans.
 */
function findNotOwnedApplications(view: AccountView): Finding[] {
  const rolesById = new Map(view.roles.map((role) => [role.roleId, role]));
  return view.applications
    .filter((app) => view.notOwned.has(app.id))
    .map((app) => {
      const role = rolesById.get(app.roleId);
      return finding(view, 'not-owner', {
        ...(role ? { roleName: role.roleName } : {}),
        appId: app.appId,
        objectId: app.id,
        action: 'none',
        detail: `the automation is no longer among its owners: it can neither change nor delete it${
          role ? '' : ` (its role incarnation ${app.roleId} no longer exists)`
        }, and it counts against the automation's quota. A tenant administrator adds the automation back as owner (docs/operator.md#an-owner-removed-the-automation)`,
      });
    });
}

/** Step 4: applications of the automation whose role incarnation is gone (or no longer federated). */
function findOrphanApplications(view: AccountView): { finding: Finding; application: AccountRepair['deleteApplications'][number] }[] {
  const rolesById = new Map(view.roles.map((role) => [role.roleId, role]));
  return view.applications.flatMap((app) => {
    if (view.recent(app.createdDateTime) || view.notOwned.has(app.id)) return [];
    const role = rolesById.get(app.roleId);
    if (role && isFederation(role.trustPolicy, view.keys.providerArn)) return [];
    return [
      {
        finding: finding(view, 'orphan-application', {
          ...(role ? { roleName: role.roleName } : {}),
          appId: app.appId,
          objectId: app.id,
          action: 'delete-application',
          detail: role ? "its role no longer trusts the tenant's provider" : `role incarnation ${app.roleId} no longer exists`,
        }),
        application: { id: app.id, appId: app.appId, uniqueName: app.uniqueName },
      },
    ];
  });
}

/**
 * Step 5: client IDs that name no application at all. Only GUIDs can be client IDs of Entra
 * applications; anything else (an App ID URI of a hand-made federation) is not judged. The
 * gateway, an application, a service principal without an application here (a managed identity,
 * another tenant's application): all live (the one judgement's vocabulary).
 */
async function findDeadClientIds(view: AccountView): Promise<Finding[]> {
  const dead: Finding[] = [];
  for (const clientId of view.held) {
    if (!isGuid(clientId) || view.ownAppIds.has(clientId.toLowerCase())) continue;
    if (isLiveClientId(await view.facts.clientId(clientId))) continue;
    dead.push(
      finding(view, 'dead-client-id', {
        appId: clientId,
        action: 'remove-client-id',
        detail: 'names no application nor service principal in the tenant',
      }),
    );
  }
  return dead;
}

/**
 * Step 6: the automation's revocation policies whose every revoked session has expired
 * (`revocationExpired`: the longest session they may deny, `SESSION_REVOCATION_TTL_SECONDS`, past their time), proposed for removal, on any role,
 * federated or not: a role that left federation no longer trusts the provider, so only the inline
 * policies find it. Only a
 * document that is exactly the automation's revocation for this account's provider counts (a
 * team's own policy of the same name is not the automation's); a protected role is never
 * judged (the automation never writes to it).
 */
function findExpiredRevocations(view: AccountView): { finding: Finding; removal: AccountRepair['removeRevocationPolicies'][number] }[] {
  const { protectedRoles } = view.deps.settings;
  return (view.inlinePolicies ?? [])
    .filter((role) => protectedBy(protectedRoles, { roleName: role.roleName, path: role.path }) === undefined)
    .sort((a, b) => a.roleName.localeCompare(b.roleName))
    .flatMap((role) => {
      const document = role.policies[REVOKE_SESSIONS_POLICY_NAME];
      const before = document ? automationRevocation(document, view.keys.providerArn) : null;
      if (!document || before === null || !revocationExpired(document, new Date(view.now))) return [];
      return [
        {
          finding: finding(view, 'expired-revocation', {
            roleName: role.roleName,
            action: 'remove-revocation-policy',
            detail: `${REVOKE_SESSIONS_POLICY_NAME} revokes sessions issued before ${before.toISOString()}: all have expired (docs/operator.md#expired-revocation-policies)`,
          }),
          // What the removal checks again against IAM before it deletes (sweep-remove-revocations).
          removal: { roleName: role.roleName, roleId: role.roleId, path: role.path, revokedBefore: before.toISOString() },
        },
      ];
    });
}
