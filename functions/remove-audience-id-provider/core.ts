import * as z from 'zod/mini';
import { deletedResultSchema, workflowInputSchema, federationFor, sessionNameFor } from '../shared/workflow';
import type { HandlerDeps } from '../shared/runtime';
import type { OpenMemberAccount } from '../shared/iam';

export const FUNCTION_NAME = 'remove-audience-id-provider';

export const inputSchema = z.extend(workflowInputSchema, { deleted: deletedResultSchema });
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2 };
  readonly openAccount: OpenMemberAccount;
}

export interface AudienceRemovalResult {
  readonly audienceRemoval: { readonly clientIds: readonly string[] };
}

/** Removes the client IDs of the applications the previous step deleted (nothing else uses them). */
export async function removeAudience(deps: Deps, input: Input): Promise<AudienceRemovalResult> {
  const clientIds = input.deleted.appIds;
  const { providerArn } = federationFor(deps.settings, input.accountId);
  const iam = await deps.openAccount(input.accountId, sessionNameFor(FUNCTION_NAME, input.eventId));
  for (const clientId of clientIds) await iam.removeClientId(providerArn, clientId);
  return { audienceRemoval: { clientIds } };
}
