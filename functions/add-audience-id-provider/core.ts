import * as z from 'zod/mini';
import { federationTarget, identityResultSchema, workflowInputSchema, federationFor, sessionNameFor } from '../shared/workflow';
import type { HandlerDeps } from '../shared/runtime';
import type { OpenMemberAccount } from '../shared/iam';

export const FUNCTION_NAME = 'add-audience-id-provider';

/** The state machine skips this task unless the role has an identity (registered, or brought by the app team). */
export const inputSchema = z.extend(workflowInputSchema, { application: identityResultSchema });
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2 };
  readonly openAccount: OpenMemberAccount;
}

export interface AudienceResult {
  readonly audience: { readonly clientIds: readonly string[]; readonly removed: readonly string[] };
}

/**
 * Adds the client IDs the role's trust policy will admit (its own application's, or the
 * gateway's: one for the whole account in the shared mode), before the pin; then removes the
 * ones the role no longer needs (its own, once it moved to the gateway). Both calls are
 * idempotent in IAM (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddClientIDToOpenIDConnectProvider.html,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_RemoveClientIDFromOpenIDConnectProvider.html).
 */
export async function addAudience(deps: Deps, input: Input): Promise<AudienceResult> {
  const { audiences, retiredAudiences } = federationTarget(input.application);
  const { providerArn } = federationFor(deps.settings, input.accountId);
  const iam = await deps.openAccount(input.accountId, sessionNameFor(FUNCTION_NAME, input.eventId));
  for (const clientId of audiences) await iam.addClientId(providerArn, clientId);
  const removed = retiredAudiences.filter((clientId) => !audiences.includes(clientId));
  for (const clientId of removed) await iam.removeClientId(providerArn, clientId);
  return { audience: { clientIds: audiences, removed } };
}
