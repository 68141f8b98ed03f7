import * as z from 'zod/mini';
import { registeredApplicationSchema, workflowInputSchema } from '../shared/contracts';
import type { HandlerDeps } from '../shared/handler-kit';
import type { OpenMemberAccount } from '../shared/ports';
import { federationFor, sessionNameFor } from '../shared/task-context';

export const FUNCTION_NAME = 'add-audience-id-provider';

/** The state machine skips this task unless the application was registered. */
export const inputSchema = z.extend(workflowInputSchema, { application: registeredApplicationSchema });
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2 };
  readonly openAccount: OpenMemberAccount;
}

export interface AudienceResult {
  readonly audience: { readonly clientId: string };
}

export async function core(deps: Deps, input: Input): Promise<AudienceResult> {
  const { appId } = input.application;
  const { providerArn } = federationFor(deps.settings, input.accountId);
  const iam = await deps.openAccount(input.accountId, sessionNameFor(FUNCTION_NAME, input.eventId));
  await iam.addClientId(providerArn, appId);
  return { audience: { clientId: appId } };
}
