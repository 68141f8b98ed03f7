import * as z from 'zod/mini';
import { InvalidInputError, type HandlerDeps } from '../shared/runtime';
import type { EntraDirectory, EntraInventory } from '../shared/entra';
import type { OpenMemberAccount } from '../shared/iam';
import {
  attempt,
  federationExecutionName,
  federationInput,
  repairItemSchema,
  sweepContextSchema,
  type RepairOutcome,
  type RepairResult,
} from '../shared/sweep';
import { federationFor, sessionNameFor } from '../shared/workflow';
import { DirectoryFactsReader, type DirectoryReader, isLiveClientId } from '../shared/federation';

export const FUNCTION_NAME = 'sweep-repair-account';

/** One item of the repair map (the Distributed Map's ItemSelector adds the sweep). */
export const inputSchema = z.object({ repair: repairItemSchema, sweep: sweepContextSchema });
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2 };
  readonly openAccount: OpenMemberAccount;
  readonly directory: Pick<EntraDirectory, 'deleteApplication'> & DirectoryReader & Pick<EntraInventory, 'purgeDeletedItem'>;
  /** The clock the Creates' role locks count their lease from; `Date.now` by default. */
  readonly now?: () => number;
}

/**
 * Applies one account's approved repair: deletes and purges its orphan applications (and
 * their service principals) and removes their client IDs; removes dead client IDs after
 * checking once more that no application has that client ID; purges the tenant's soft-deleted
 * objects (the item without an account). The roles to federate come back as Create executions
 * for the state machine to run (`states:startExecution.sync:2`): the Create workflow is the
 * only code that federates.
 */
export async function repairAccount(deps: Deps, input: Input): Promise<{ repaired: RepairResult }> {
  const { repair, sweep } = input;
  const outcomes: RepairOutcome[] = [];
  const accountId = repair.accountId;
  const iam =
    accountId !== null && (repair.deleteApplications.length > 0 || repair.removeClientIds.length > 0)
      ? await deps.openAccount(accountId, sessionNameFor(FUNCTION_NAME, `sweep-${sweep.id}`))
      : undefined;
  const providerArn = accountId === null ? '' : federationFor(deps.settings, accountId).providerArn;
  /** Client IDs live in an account's provider: the tenant-wide item (no account) has none to remove. */
  const removeClientId = (clientId: string): Promise<unknown> => {
    if (iam === undefined)
      throw new InvalidInputError(`repair item without an account names client ID ${clientId}: nothing to remove it from`);
    return iam.removeClientId(providerArn, clientId);
  };

  for (const app of repair.deleteApplications) {
    outcomes.push(
      await attempt('delete-application', app.appId, async () => {
        await deps.directory.deleteApplication({ ...app, displayName: '' });
        await removeClientId(app.appId);
        deps.logger.info('orphan application deleted and purged; its client ID removed', { appId: app.appId, uniqueName: app.uniqueName });
        return 'done';
      }),
    );
  }
  for (const clientId of repair.removeClientIds) {
    outcomes.push(
      await attempt('remove-client-id', clientId, async () => {
        // Checked once more with the one judgement's vocabulary: an application, or a service
        // principal with no application here (a managed identity), makes the client ID live.
        if (isLiveClientId(await new DirectoryFactsReader(deps.directory, []).clientId(clientId)))
          return { skipped: 'an application or a service principal with this client ID exists now' };
        await removeClientId(clientId);
        deps.logger.info('dead client ID removed', { clientId });
        return 'done';
      }),
    );
  }
  for (const item of repair.purge) {
    outcomes.push(
      await attempt('purge-deleted-item', item.id, async () => {
        await deps.directory.purgeDeletedItem(item.id);
        deps.logger.info('soft-deleted object purged', { objectId: item.id, kind: item.kind, appId: item.appId });
        return 'done';
      }),
    );
  }

  const federations =
    accountId === null
      ? []
      : repair.federate.map((role) => ({
          roleName: role.roleName,
          executionName: federationExecutionName(sweep.id, role.roleId),
          input: federationInput(sweep, accountId, role.roleName, (deps.now ?? Date.now)()),
        }));
  return { repaired: { accountId, outcomes, federations } };
}
