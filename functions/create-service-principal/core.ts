import * as z from 'zod/mini';
import { ROLE_TAGS, guidSchema, workflowInputSchema, type ApplicationResult } from '../shared/contracts';
import type { HandlerDeps } from '../shared/handler-kit';
import { applicationDisplayName, applicationUniqueName } from '../shared/naming';
import type { EntraDirectory, OpenMemberAccount } from '../shared/ports';
import { federationFor, sessionNameFor } from '../shared/task-context';
import { referencesProvider } from '../shared/trust-policy';

export const FUNCTION_NAME = 'create-service-principal';

export const inputSchema = workflowInputSchema;
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2; readonly appNamePrefix: string };
  readonly openAccount: OpenMemberAccount;
  readonly directory: EntraDirectory;
}

/**
 * Splits the `entra:owners` tag (user object IDs separated by spaces, docs/app-teams.md#2-name-the-owners-who-may-add-certificates).
 * Returns the well-formed IDs to add and a problem line (`<id>: <why>`) for the rest.
 */
export function parseOwnersTag(value: string | undefined): { ids: string[]; problems: string[] } {
  const ids: string[] = [];
  const problems: string[] = [];
  for (const token of new Set((value ?? '').split(/\s+/).filter(Boolean))) {
    if (guidSchema.safeParse(token).success) ids.push(token.toLowerCase());
    else problems.push(`${token}: not a user object ID (expected a GUID)`);
  }
  return { ids: [...new Set(ids)], problems };
}

export async function core(deps: Deps, input: Input): Promise<{ application: ApplicationResult }> {
  const { accountId, roleName, eventId } = input;
  const iam = await deps.openAccount(accountId, sessionNameFor(FUNCTION_NAME, eventId));
  const role = await iam.getRole(roleName);
  if (!role) {
    deps.logger.info('role is gone; nothing to register');
    return { application: { outcome: 'skipped', reason: 'role-not-found' } };
  }
  if (!referencesProvider(role.trustPolicy, federationFor(deps.settings, accountId).providerArn)) {
    deps.logger.info("role no longer trusts the tenant's provider; nothing to register");
    return { application: { outcome: 'skipped', reason: 'not-federated' } };
  }

  const application = await deps.directory.upsertApplication({
    uniqueName: applicationUniqueName(accountId, roleName),
    displayName: applicationDisplayName(deps.settings.appNamePrefix, accountId, roleName),
    notes: `Web identity federation for IAM role ${role.arn}. Managed by automation: changes are overwritten.`,
    tokenVersion: deps.settings.tokenVersion,
  });

  // Owners do not depend on the service principal: adding them in parallel keeps the
  // critical path of a Create at PATCH application → POST servicePrincipal.
  const owners = parseOwnersTag(role.tags[ROLE_TAGS.owners]);
  const [servicePrincipalObjectId, ownerOutcomes] = await Promise.all([
    deps.directory.ensureServicePrincipal(application.appId),
    Promise.all(owners.ids.map(async (id) => [id, await deps.directory.addOwner(application.id, id)] as const)),
  ]);
  const ownerProblems = [
    ...owners.problems,
    ...ownerOutcomes.filter(([, outcome]) => outcome === 'not-found').map(([id]) => `${id}: no such user in the tenant`),
  ];
  if (ownerProblems.length > 0) deps.logger.warn('some owners were not added', { ownerProblems });

  return {
    application: {
      outcome: 'registered',
      appId: application.appId,
      applicationObjectId: application.id,
      servicePrincipalObjectId,
      ownerProblems,
    },
  };
}
