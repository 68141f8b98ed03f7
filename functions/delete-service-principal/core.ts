import * as z from 'zod/mini';
import { failureSchema, workflowInputSchema, type DeletedResult } from '../shared/contracts';
import type { HandlerDeps } from '../shared/handler-kit';
import { applicationUniqueName } from '../shared/naming';
import type { EntraDirectory, OpenMemberAccount } from '../shared/ports';
import { federationFor, sessionNameFor } from '../shared/task-context';
import { referencesProvider } from '../shared/trust-policy';

export const FUNCTION_NAME = 'delete-service-principal';

/** `failure` is present when the Create machine compensates (RemoveApplication). */
export const inputSchema = z.extend(workflowInputSchema, { failure: z.optional(failureSchema) });
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2 };
  readonly openAccount: OpenMemberAccount;
  readonly directory: EntraDirectory;
}

export async function core(deps: Deps, input: Input): Promise<{ deleted: DeletedResult }> {
  const { accountId, roleName, eventId } = input;
  if (!input.failure) {
    // Events can arrive late or out of order: a DeleteRole delivered after the role was
    // re-created must not break the new role's federation. IAM's state now decides.
    const iam = await deps.openAccount(accountId, sessionNameFor(FUNCTION_NAME, eventId));
    const role = await iam.getRole(roleName);
    if (role && referencesProvider(role.trustPolicy, federationFor(deps.settings, accountId).providerArn)) {
      deps.logger.info("role still trusts the tenant's provider; the event is stale, nothing deleted");
      return { deleted: { appId: null } };
    }
  }

  const uniqueName = applicationUniqueName(accountId, roleName);
  const live = await deps.directory.findApplication(uniqueName);
  if (live) {
    await deps.directory.deleteApplication(live.id);
    await deps.directory.purgeDeletedApplication(live.id);
    deps.logger.info('application deleted and purged', { appId: live.appId, uniqueName });
    return { deleted: { appId: live.appId } };
  }
  // A previous run may have deleted it and failed before the purge or the audience
  // removal: finish both, so the next step still gets the client ID to remove.
  const softDeleted = await deps.directory.findDeletedApplication(uniqueName);
  if (softDeleted) {
    await deps.directory.purgeDeletedApplication(softDeleted.id);
    deps.logger.info('soft-deleted application purged', { appId: softDeleted.appId, uniqueName });
    return { deleted: { appId: softDeleted.appId } };
  }
  return { deleted: { appId: null } };
}
