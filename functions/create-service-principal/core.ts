import * as z from 'zod/mini';
import { guidSchema, workflowInputSchema, type ApplicationResult } from '../shared/contracts';
import type { HandlerDeps } from '../shared/handler-kit';
import { applicationDisplayName, applicationUniqueName } from '../shared/naming';
import type { AddOwnerOutcome, EntraDirectory, OpenMemberAccount } from '../shared/ports';
import { FAILED_PREFIX } from '../shared/status';
import { federationFor, sessionNameFor } from '../shared/task-context';
import { candidateHandMadeAudiences, hasStatementsToPin, referencesProvider } from '../shared/trust-policy';

export const FUNCTION_NAME = 'create-service-principal';

export const inputSchema = workflowInputSchema;
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2; readonly appNamePrefix: string };
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
  const failed = outcomes.flatMap(([id, outcome]) => {
    if (outcome === 'added' || outcome === 'already-owner') return [];
    const reason = typeof outcome === 'object' ? kebab(outcome.refused) : outcome;
    return [{ id: id.replace(/[^\p{L}\p{N}_.:/=+\-@]/gu, '_'), reason }];
  });
  if (failed.length === 0) return 'added';
  const head = `${FAILED_PREFIX}${failed[0]!.reason}`;
  const render = (count: number) =>
    [head, ...failed.slice(0, count).map((f) => f.id), ...(count < failed.length ? [`+${failed.length - count}`] : [])].join(' ');
  let kept = failed.length;
  while (kept > 0 && render(kept).length > TAG_VALUE_MAX) kept -= 1;
  return render(kept).slice(0, TAG_VALUE_MAX);
}

/**
 * Registers the Entra identity of one role incarnation. Only ever uses an application the
 * automation created itself (`registerApplication` proves it); a role whose audience is
 * pinned to an application the automation did not create is a hand-made federation and is
 * left exactly as it is. Owners are added only when the `CreateRole` call named them, and
 * never decide whether the role federates.
 */
export async function core(deps: Deps, input: Input): Promise<{ application: ApplicationResult }> {
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
  const federation = federationFor(deps.settings, accountId);
  if (!referencesProvider(role.trustPolicy, federation.providerArn)) {
    deps.logger.info("role no longer trusts the tenant's provider; nothing to register");
    return { application: { outcome: 'skipped', reason: 'not-federated' } };
  }
  const keys = { providerArn: federation.providerArn, conditionKeyPrefix: federation.host };
  const handMadeAudiences: string[] = [];
  for (const audience of candidateHandMadeAudiences(role.trustPolicy, keys)) {
    const found = await deps.directory.findApplicationByAppId(audience);
    if (found && !found.ours) handMadeAudiences.push(audience);
  }
  // Hand-made is decided per statement: those pinning an application the automation did not
  // create stay exactly as they are; any other statement through the provider is federated (or,
  // should that fail, locked). A role with hand-made statements only is left alone.
  if (handMadeAudiences.length > 0 && !hasStatementsToPin(role.trustPolicy, keys, handMadeAudiences)) {
    deps.logger.info('hand-made federation: every statement pins an application the automation did not create; left as it is', {
      handMadeAudiences,
    });
    return { application: { outcome: 'skipped', reason: 'hand-made' } };
  }

  const { application, created } = await deps.directory.registerApplication({
    uniqueName: applicationUniqueName(accountId, roleName, role.roleId),
    displayName: applicationDisplayName(deps.settings.appNamePrefix, accountId, roleName),
    notes: `Web identity federation for IAM role ${role.arn} (role ID ${role.roleId}). Managed by automation.`,
    tokenVersion: deps.settings.tokenVersion,
  });

  // Owners do not depend on the service principal: adding them in parallel keeps the
  // critical path of a Create at POST application → POST servicePrincipal.
  const owners = input.requestedOwners === undefined ? undefined : parseOwnersTag(input.requestedOwners);
  const [servicePrincipalObjectId, ownerOutcomes] = await Promise.all([
    deps.directory.ensureServicePrincipal(application.appId),
    Promise.all(
      (owners?.ids ?? []).map(async (id) => [id, await deps.directory.addOwner(application.id, id)] as const),
    ),
  ]);
  const status = owners && ownersStatus([...owners.malformed.map((token) => [token, 'malformed'] as const), ...ownerOutcomes]);
  if (status && status !== 'added') deps.logger.warn('some owners were not added', { ownersStatus: status });

  return {
    application: {
      outcome: 'registered',
      roleId: role.roleId,
      appId: application.appId,
      applicationObjectId: application.id,
      servicePrincipalObjectId,
      created,
      ...(status ? { ownersStatus: status } : {}),
      ...(handMadeAudiences.length > 0 ? { handMadeAudiences } : {}),
    },
  };
}
