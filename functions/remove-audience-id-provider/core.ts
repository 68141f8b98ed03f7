import * as z from 'zod/mini';
import { deletedResultSchema, guidSchema, workflowInputSchema } from '../shared/contracts';
import type { HandlerDeps } from '../shared/handler-kit';
import type { OpenMemberAccount } from '../shared/ports';
import { federationFor, sessionNameFor } from '../shared/task-context';

export const FUNCTION_NAME = 'remove-audience-id-provider';

export const inputSchema = z.extend(workflowInputSchema, {
  deleted: z.extend(deletedResultSchema, { appId: guidSchema }),
});
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2 };
  readonly openAccount: OpenMemberAccount;
}

export interface AudienceRemovalResult {
  readonly audienceRemoval: { readonly clientId: string };
}

export async function core(deps: Deps, input: Input): Promise<AudienceRemovalResult> {
  const clientId = input.deleted.appId;
  const { providerArn } = federationFor(deps.settings, input.accountId);
  const iam = await deps.openAccount(input.accountId, sessionNameFor(FUNCTION_NAME, input.eventId));
  await iam.removeClientId(providerArn, clientId);
  return { audienceRemoval: { clientId } };
}
