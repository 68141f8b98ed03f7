import type * as z from 'zod/mini';
import {
  MAX_FEDERATED_CREDENTIALS,
  REVOKED,
  ROLE_TAGS,
  guidSchema,
  workflowInputSchema,
  type ApplicationResult,
  type AudienceMode,
  type BroughtIdentityResult,
  FAILED_PREFIX,
  federationFor,
  sessionNameFor,
} from '../shared/workflow';
import {
  AutomationError,
  AccountQuotaExceededError,
  AmbiguousIdentityError,
  ReservedIdentityError,
  UnknownIdentityError,
  NotOwnerError,
  type HandlerDeps,
} from '../shared/runtime';
import {
  applicationDisplayName,
  applicationNamePrefix,
  applicationUniqueName,
  type AddFederatedCredentialOutcome,
  type AddOwnerOutcome,
  type EntraApplication,
  type EntraDirectory,
  type FederatedCredentialSpec,
} from '../shared/entra';
import {
  type OpenMemberAccount,
  type PolicyDocument,
  type RoleState,
  candidateHandMadeAudiences,
  hasStatementsToPin,
  namedIdentity,
  pinnedAudiences,
  type ProviderKeys,
} from '../shared/iam';
import { DirectoryFactsReader, applicationOwnership, isFederation, judgeRole, namedInPolicy, notOwnerError } from '../shared/federation';

export const FUNCTION_NAME = 'create-service-principal';

export const inputSchema = workflowInputSchema;
export type Input = z.infer<typeof inputSchema>;

/** The audience settings (docs/architecture.md#audience-modes) and the identities that are the platform's own. */
export interface AudienceSettings {
  readonly audienceMode: AudienceMode;
  /** While true, a role with an application of its own admits both its own and the gateway audience (a migration). */
  readonly dualAudience: boolean;
  /** The gateway application the plan creates: the shared audience, and the one identities brought by app teams use. */
  readonly gatewayClientId: string;
  readonly gatewayServicePrincipalId: string;
  /** Client IDs and service principal object IDs of the automation's own identities: never a workload's. */
  readonly automationClientIds: readonly string[];
  readonly automationServicePrincipalId: string;
  /** Roles with an application of their own per account; 0: no cap. */
  readonly maxApplicationsPerAccount: number;
}

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2; readonly appNamePrefix: string } & AudienceSettings;
  readonly openAccount: OpenMemberAccount;
  readonly directory: EntraDirectory;
}

/** IAM tag values hold at most 256 characters (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html). */
const TAG_VALUE_MAX = 256;

/**
 * Splits the `entra:owners` tag (user object IDs separated by spaces, docs/app-teams.md#2-name-the-owners-who-may-add-certificates).
 * Returns the well-formed IDs to add and the malformed tokens.
 */
export function parseOwnersTag(value: string | undefined): { ids: string[]; malformed: string[] } {
  const ids: string[] = [];
  const malformed: string[] = [];
  for (const token of new Set((value ?? '').split(/\s+/).filter(Boolean))) {
    if (guidSchema.safeParse(token).success) ids.push(token.toLowerCase());
    else malformed.push(token);
  }
  return { ids: [...new Set(ids)], malformed };
}

/** `refused` codes in kebab case: `Authorization_RequestDenied` → `authorization-request-denied`. */
const kebab = (code: string): string =>
  code
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

/**
 * The `entra:owners-status` value: `added`, or `failed:<reason> <id> <id>…` with the IDs that
 * were not added, cut to IAM's 256 characters with a `+N` count of the IDs left out. The
 * reason is the first failure's (`not-found`, `malformed`, or Graph's refusal code).
 */
export function ownersStatus(outcomes: readonly (readonly [string, AddOwnerOutcome | 'malformed'])[]): string {
  return failuresStatus(
    outcomes.flatMap(([id, outcome]) => {
      if (outcome === 'added' || outcome === 'already-owner') return [];
      return [{ id, reason: typeof outcome === 'object' ? kebab(outcome.refused) : outcome }];
    }),
  );
}

/**
 * The `entra:federated-credentials-status` value, in the form of `ownersStatus`: `added`, or
 * `failed:<reason> <name> <name>…` with the credentials that were not added. Reasons:
 * `malformed` (the tag value is not `<https issuer> <subject>`), `limit` (beyond Entra's 20 per
 * application), `conflict` (one of that name says something else), `bring-your-own` (there is
 * no application of the automation's to add them to), or Graph's refusal code.
 */
export function federatedCredentialsStatus(
  outcomes: readonly (readonly [string, AddFederatedCredentialOutcome | 'malformed' | 'limit' | 'bring-your-own'])[],
): string {
  return failuresStatus(
    outcomes.flatMap(([name, outcome]) => {
      if (outcome === 'added' || outcome === 'already-present') return [];
      return [{ id: name, reason: typeof outcome === 'object' ? kebab(outcome.refused) : outcome }];
    }),
  );
}

function failuresStatus(failures: readonly { readonly id: string; readonly reason: string }[]): string {
  const failed = failures.map((f) => ({ ...f, id: f.id.replace(/[^\p{L}\p{N}_.:/=+\-@]/gu, '_') }));
  if (failed.length === 0) return 'added';
  const head = `${FAILED_PREFIX}${failed[0].reason}`;
  const render = (count: number) =>
    [head, ...failed.slice(0, count).map((f) => f.id), ...(count < failed.length ? [`+${failed.length - count}`] : [])].join(' ');
  let kept = failed.length;
  while (kept > 0 && render(kept).length > TAG_VALUE_MAX) kept -= 1;
  return render(kept).slice(0, TAG_VALUE_MAX);
}

/** Entra's rule for a federated identity credential's name: at most 120 URL-friendly characters. */
const CREDENTIAL_NAME = /^[A-Za-z0-9_-]{1,120}$/;

/**
 * The federated identity credentials the `CreateRole` call named (`entra:federated-credential:<name>`
 * = `<issuer> <subject>`): the well-formed ones to add (Entra's first 20 by name) and, by name, the
 * ones refused. The issuer is an https URL (Entra matches it with the external token's `iss`); the
 * subject is the rest of the value, as the external token's `sub` says it.
 * https://learn.microsoft.com/graph/api/resources/federatedidentitycredential
 */
export function parseFederatedCredentialTags(tags: Readonly<Record<string, string>> | undefined): {
  credentials: FederatedCredentialSpec[];
  refused: [string, 'malformed' | 'limit'][];
} {
  const credentials: FederatedCredentialSpec[] = [];
  const refused: [string, 'malformed' | 'limit'][] = [];
  // By name in code-unit order; tag keys are unique, so no two compare equal.
  for (const [name, value] of Object.entries(tags ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const match = /^(https:\/\/\S+) (\S.*)$/.exec(value.trim());
    if (!CREDENTIAL_NAME.test(name) || !match) refused.push([name, 'malformed']);
    else if (credentials.length >= MAX_FEDERATED_CREDENTIALS) refused.push([name, 'limit']);
    // The value is trimmed and the subject starts with a non-space: nothing to trim at either end.
    else credentials.push({ name, issuer: match[1], subject: match[2] });
  }
  return { credentials, refused };
}

const BROUGHT_TYPES = new Set(['Application', 'ManagedIdentity']);

/**
 * The identity a role's `sub` names, checked: it exists in the tenant, it can sign in as a
 * workload, and it is not one of the platform's own. `own` when it is the service principal of
 * an application the automation made for this role name (any incarnation): the role then keeps,
 * or gets, an application of its own, as before bring-your-own existed.
 */
async function broughtIdentity(
  deps: Deps,
  servicePrincipalObjectId: string,
  ownPrefix: string,
): Promise<{ kind: 'own' } | { kind: 'brought'; appId: string; servicePrincipalObjectId: string }> {
  const { settings } = deps;
  const sp = await deps.directory.getServicePrincipal(servicePrincipalObjectId);
  if (!sp) {
    throw new UnknownIdentityError(
      `unknown-identity: the trust policy pins sub to ${servicePrincipalObjectId}, which is no service principal of the tenant. ` +
        "Name an existing identity's object ID (a managed identity's principal ID), or leave sub out and the automation creates an application for the role.",
    );
  }
  const reserved =
    [settings.automationServicePrincipalId, settings.gatewayServicePrincipalId].includes(sp.id) ||
    [...settings.automationClientIds, settings.gatewayClientId].includes(sp.appId);
  if (reserved) {
    throw new ReservedIdentityError(
      `reserved-identity: the trust policy pins sub to ${sp.id} ("${sp.displayName}"), the automation's or the gateway's own service principal; name the workload's identity.`,
    );
  }
  if (!BROUGHT_TYPES.has(sp.servicePrincipalType)) {
    throw new UnknownIdentityError(
      `unknown-identity: ${sp.id} is a service principal of type ${sp.servicePrincipalType || 'unknown'}, not an application's nor a managed identity's: it cannot sign in as a workload.`,
    );
  }
  if (sp.servicePrincipalType === 'Application') {
    const app = await deps.directory.findApplicationByAppId(sp.appId);
    if (app?.ours && app.application.uniqueName.startsWith(ownPrefix)) return { kind: 'own' };
  }
  return { kind: 'brought', appId: sp.appId, servicePrincipalObjectId: sp.id };
}

/**
 * Refuses a new application once the account has the configured number (its own existing one
 * aside). Only the automation's own creations count, by the same proof as everywhere else
 * (`ownApplicationNamesWithPrefix`): any tenant user may register names under `aws-<account>-`,
 * and those must not fill a victim account's cap (issue 17, item 6).
 */
async function checkAccountQuota(deps: Deps, accountId: string, uniqueName: string): Promise<void> {
  const max = deps.settings.maxApplicationsPerAccount;
  if (max <= 0) return;
  const names = await deps.directory.ownApplicationNamesWithPrefix(`aws-${accountId}-`);
  if (names.includes(uniqueName) || names.length < max) return;
  throw new AccountQuotaExceededError(
    `account-quota: account ${accountId} already has ${names.length} roles with an application of their own (entra.maxApplicationsPerAccount = ${max}). ` +
      'Delete unused federated roles, bring your own identity (a managed identity), or ask the platform team to raise the cap.',
  );
}

/** Audiences of a role with an application of its own, for the configured mode (docs/architecture.md#audience-modes). */
function ownApplicationAudiences(settings: AudienceSettings, appId: string, policy: PolicyDocument, keys: ProviderKeys) {
  const [primary, other] = settings.audienceMode === 'shared' ? [settings.gatewayClientId, appId] : [appId, settings.gatewayClientId];
  const audiences = settings.dualAudience ? [primary, other] : [primary];
  // Moving to the gateway: the provider no longer needs the role's own client ID. The gateway
  // itself is never retired: other roles of the account use it.
  const retiredAudiences =
    settings.audienceMode === 'shared' && !settings.dualAudience && pinnedAudiences(policy, keys).includes(appId) ? [appId] : [];
  return {
    audiences,
    requestAudience: primary,
    identityMode: settings.audienceMode,
    ...(retiredAudiences.length ? { retiredAudiences } : {}),
  };
}

/**
 * Registers the Entra identity of one role incarnation, or checks the one the app team brings.
 *
 * - A role whose audience is pinned to an application the automation did not create (the
 *   gateway aside) is a hand-made federation, left exactly as it is.
 * - A role whose statements pin `sub` to a service principal of the tenant brings its own
 *   identity: nothing is created; the role is federated to it through the gateway audience.
 * - Any other role gets an application of its own (only ever one the automation created:
 *   `registerApplication` proves it), with the owners and federated identity credentials the
 *   `CreateRole` call named.
 */
export async function registerIdentity(deps: Deps, input: Input): Promise<{ application: ApplicationResult }> {
  const { accountId, roleName, eventId } = input;
  const iam = await deps.openAccount(accountId, sessionNameFor(FUNCTION_NAME, eventId));
  const role = await iam.getRole(roleName);
  if (!role) {
    deps.logger.info('role is gone; nothing to register');
    return { application: { outcome: 'skipped', reason: 'role-not-found' } };
  }
  // A CreateRole names its incarnation: an event of a deleted role must not act on (or name
  // owners for) a role created later under the same name.
  if (input.roleId !== undefined && input.roleId !== role.roleId) {
    deps.logger.info('the role was deleted and created again since this event; the new incarnation has its own', {
      eventRoleId: input.roleId,
      roleId: role.roleId,
    });
    return { application: { outcome: 'skipped', reason: 'role-not-found' } };
  }
  // Revoked by an operator: no event federates it again, only {Prefix}-Role-Restore does.
  if (role.tags[ROLE_TAGS.status] === REVOKED) {
    deps.logger.info('the role is revoked; nothing federates it until it is restored');
    return { application: { outcome: 'skipped', reason: 'revoked' } };
  }
  const federation = federationFor(deps.settings, accountId);
  if (!isFederation(role.trustPolicy, federation.providerArn)) {
    deps.logger.info("role no longer trusts the tenant's provider; nothing to register");
    return { application: { outcome: 'skipped', reason: 'not-federated' } };
  }
  const keys: ProviderKeys = { providerArn: federation.providerArn, conditionKeyPrefix: federation.host };
  // The one judgement (shared/federation): hand-made is decided per statement. Those pinning a
  // live identity the automation did not create (an application, or a service principal with no
  // application here) stay exactly as they are; any other statement through the provider is
  // federated (or, should that fail, locked). A role with hand-made statements only is left alone.
  const judgement = await judge(deps, role.trustPolicy, keys);
  const handMadeAudiences = [...judgement.handMadeAudiences];
  if (judgement.kind === 'hand-made' || (handMadeAudiences.length > 0 && !hasStatementsToPin(role.trustPolicy, keys, handMadeAudiences))) {
    deps.logger.info('hand-made federation: every statement pins an identity the automation did not create; left as it is', {
      handMadeAudiences,
    });
    return { application: { outcome: 'skipped', reason: 'hand-made' } };
  }

  const named = namedIdentity(role.trustPolicy, keys, handMadeAudiences);
  if (named.kind === 'ambiguous') {
    throw new AmbiguousIdentityError(
      `ambiguous-identity: ${named.detail}. Pin sub to one identity in every statement that trusts the provider, or in none.`,
    );
  }
  // A brought identity is recognised by its `sub` (the judgement), whatever its `aud`: with v2
  // tokens that is the identity's own client ID, which names no application of ours.
  if (
    named.kind === 'named' &&
    (judgement.kind === 'brought' || !wasPinnedByTheAutomation(deps, role.trustPolicy, keys, handMadeAudiences))
  ) {
    const identity = await broughtIdentity(deps, named.servicePrincipalObjectId, applicationNamePrefix(accountId, roleName));
    if (identity.kind === 'brought') return { application: broughtResult(deps, input, role, identity) };
  }
  return { application: await ownApplication(deps, input, role, keys, handMadeAudiences) };
}

/** The role as the one judgement sees it, with what Graph says about the identities its policy names. */
async function judge(deps: Deps, policy: PolicyDocument, keys: ProviderKeys) {
  const { settings } = deps;
  const facts = await new DirectoryFactsReader(deps.directory, [...settings.automationClientIds, settings.gatewayClientId]).read(
    namedInPolicy(policy, keys),
  );
  return judgeRole(policy, { keys, held: [], tokenVersion: settings.tokenVersion, gatewayClientId: settings.gatewayClientId, facts });
}

/**
 * A `sub` pinned next to an `aud` pinned to an application client ID (not the gateway's, not a
 * hand-made one) is the automation's own pin of an application of the role's: the role keeps, or
 * gets back, an application of its own. That is also the case when the pinned application or
 * service principal no longer exists (a broken pin the sweep re-federates): an identity an app
 * team brings comes with no `aud` pin, a placeholder, or the gateway.
 */
function wasPinnedByTheAutomation(deps: Deps, policy: PolicyDocument, keys: ProviderKeys, handMadeAudiences: readonly string[]): boolean {
  const handMade = new Set(handMadeAudiences);
  return candidateHandMadeAudiences(policy, keys).some(
    (audience) => audience.toLowerCase() !== deps.settings.gatewayClientId && !handMade.has(audience),
  );
}

function broughtResult(
  deps: Deps,
  input: Input,
  role: RoleState,
  identity: { appId: string; servicePrincipalObjectId: string },
): BroughtIdentityResult {
  const { gatewayClientId } = deps.settings;
  // IAM's :aud key and the provider's client-ID list read `azp` when the token has one (v2),
  // else `aud` (v1): a v1 token for the gateway carries the gateway, a v2 one the identity's own
  // client ID (docs/architecture.md#audience-modes).
  const audiences = deps.settings.tokenVersion === 1 ? [gatewayClientId] : [identity.appId];
  const owners = input.requestedOwners === undefined ? undefined : parseOwnersTag(input.requestedOwners);
  const credentialNames = Object.keys(input.requestedFederatedCredentials ?? {}).sort();
  if (owners || credentialNames.length > 0) {
    deps.logger.warn('the role brings its own identity: owners and federated credentials named at CreateRole do not apply', {
      credentialNames,
    });
  }
  deps.logger.info('the role brings its own identity; no Entra object is created', {
    servicePrincipalObjectId: identity.servicePrincipalObjectId,
  });
  return {
    outcome: 'bring-your-own',
    roleId: role.roleId,
    servicePrincipalObjectId: identity.servicePrincipalObjectId,
    identityAppId: identity.appId,
    audiences,
    requestAudience: gatewayClientId,
    ...(owners
      ? { ownersStatus: failuresStatus([...owners.ids, ...owners.malformed].map((id) => ({ id, reason: 'bring-your-own' }))) }
      : {}),
    ...(credentialNames.length
      ? { federatedCredentialsStatus: federatedCredentialsStatus(credentialNames.map((name) => [name, 'bring-your-own'] as const)) }
      : {}),
  };
}

/**
 * The step failed for good after its own request created the application (Graph answered 201
 * Created to it): the compensation never learns of an application the step did not return, so
 * the step removes it itself. Only then: an application it found (a ready role's, a retry's) is
 * never removed on failure. A transient error is retried by the state machine, which reuses it.
 */
async function undoOwnCreation(deps: Deps, application: EntraApplication, created: boolean, error: unknown): Promise<void> {
  if (!created || (error instanceof AutomationError && error.transient)) return;
  try {
    await deps.directory.deleteApplication(application);
    deps.logger.warn('the application this step created is removed: the step failed', { appId: application.appId });
  } catch (cleanup) {
    // Left for the next run of the role, which reuses it, or the role's Delete.
    deps.logger.warn('the application this step created could not be removed', { appId: application.appId, error: cleanup });
  }
}

const notOwnerOf = (application: EntraApplication) =>
  notOwnerError(application, "manage it (nor delete it when the role goes), and it counts against the automation's quota");

async function ownApplication(
  deps: Deps,
  input: Input,
  role: RoleState,
  keys: ProviderKeys,
  handMadeAudiences: readonly string[],
): Promise<ApplicationResult> {
  const { accountId, roleName } = input;
  const uniqueName = applicationUniqueName(accountId, roleName, role.roleId);
  await checkAccountQuota(deps, accountId, uniqueName);
  // A CreateRole makes a new incarnation, whose application does not exist yet: create first,
  // one call on the critical path. Any other event is about a role that may have its application
  // already (a placeholder a team's Terraform or CloudFormation applied again, docs/app-teams.md#8-roles-as-code):
  // read first and write only what is missing, so that a re-pin makes no Graph write at all.
  const existing = input.eventName === 'CreateRole' ? null : await deps.directory.findOwnApplication(uniqueName);
  const { application, created } = existing
    ? { application: existing, created: false }
    : await deps.directory.registerApplication({
        uniqueName,
        displayName: applicationDisplayName(deps.settings.appNamePrefix, accountId, roleName),
        notes: `Web identity federation for IAM role ${role.arn} (role ID ${role.roleId}). Managed by automation.`,
        tokenVersion: deps.settings.tokenVersion,
        role: { account: accountId, roleName, roleId: role.roleId },
      });
  // A service principal exists only for one appId per tenant, so whoever made it, it is the application's.
  const foundServicePrincipalId = existing ? (await deps.directory.getServicePrincipalByAppId(application.appId))?.id : undefined;
  // An application found (a ready role's, a retry's) may have lost the automation as owner: an
  // owner the role's entra:owners named can remove it. Then the role ends failed:not-owner with
  // its alarm: the application could never be deleted. Its owners are read beside the service
  // principal (the critical path stays POST application → POST servicePrincipal), and no owner
  // or credential is sent before the answer (Graph would refuse them with 403).
  const ownership = created ? Promise.resolve('owned' as const) : applicationOwnership(deps.directory, application);
  const mayWrite = ownership.then((found) => found === 'owned');

  // Owners and credentials do not depend on the service principal: adding them in parallel
  // keeps the critical path of a Create at POST application → POST servicePrincipal.
  const owners = input.requestedOwners === undefined ? undefined : parseOwnersTag(input.requestedOwners);
  const credentials =
    input.requestedFederatedCredentials === undefined ? undefined : parseFederatedCredentialTags(input.requestedFederatedCredentials);
  let servicePrincipalObjectId: string;
  let ownerOutcomes: (readonly [string, AddOwnerOutcome])[];
  let credentialOutcomes: (readonly [string, AddFederatedCredentialOutcome])[];
  try {
    [servicePrincipalObjectId, ownerOutcomes, credentialOutcomes] = await Promise.all([
      foundServicePrincipalId ?? deps.directory.ensureServicePrincipal(application.appId),
      mayWrite.then((ok) =>
        ok ? Promise.all((owners?.ids ?? []).map(async (id) => [id, await deps.directory.addOwner(application.id, id)] as const)) : [],
      ),
      mayWrite.then((ok) =>
        ok
          ? Promise.all(
              (credentials?.credentials ?? []).map(
                async (credential) => [credential.name, await deps.directory.addFederatedCredential(application.id, credential)] as const,
              ),
            )
          : [],
      ),
    ]);
    if ((await ownership) === 'not-owner') throw notOwnerOf(application);
  } catch (error) {
    // A refusal of the service principal's creation on an application an owner took away is that.
    const cause =
      !created && !(error instanceof NotOwnerError) && (await ownership.catch(() => 'owned')) === 'not-owner'
        ? notOwnerOf(application)
        : error;
    await undoOwnCreation(deps, application, created, cause);
    throw cause;
  }
  const status = owners && ownersStatus([...owners.malformed.map((token) => [token, 'malformed'] as const), ...ownerOutcomes]);
  if (status && status !== 'added') deps.logger.warn('some owners were not added', { ownersStatus: status });
  const credentialStatus = credentials && federatedCredentialsStatus([...credentials.refused, ...credentialOutcomes]);
  if (credentialStatus && credentialStatus !== 'added')
    deps.logger.warn('some federated credentials were not added', { federatedCredentialsStatus: credentialStatus });

  return {
    outcome: 'registered',
    roleId: role.roleId,
    appId: application.appId,
    applicationObjectId: application.id,
    servicePrincipalObjectId,
    created,
    ...(status ? { ownersStatus: status } : {}),
    ...(credentialStatus ? { federatedCredentialsStatus: credentialStatus } : {}),
    ...ownApplicationAudiences(deps.settings, application.appId, role.trustPolicy, keys),
    ...(handMadeAudiences.length > 0 ? { handMadeAudiences: [...handMadeAudiences] } : {}),
  };
}
