import * as z from 'zod/mini';
import { applicationResultSchema, workflowInputSchema } from '../shared/contracts';
import type { HandlerDeps } from '../shared/handler-kit';
import type { OpenMemberAccount } from '../shared/ports';
import { federationFor, sessionNameFor } from '../shared/task-context';

export const FUNCTION_NAME = 'add-audience-id-provider';

export const inputSchema = z.extend(workflowInputSchema, {
  application: applicationResultSchema.check(
    z.refine((application) => application.outcome === 'registered', {
      error: 'expected a registered application (the state machine skips this task otherwise)',
    }),
  ),
});
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly tenantId: string; readonly tokenVersion: 1 | 2 };
  readonly openAccount: OpenMemberAccount;
}

export interface AudienceResult {
  readonly audience: { readonly clientId: string };
}

export async function core(deps: Deps, input: Input): Promise<AudienceResult> {
  if (input.application.outcome !== 'registered') throw new Error('unreachable: schema requires a registered application');
  const { appId } = input.application;
  const { providerArn } = federationFor(deps.settings, input.accountId);
  const iam = await deps.openAccount(input.accountId, sessionNameFor(FUNCTION_NAME, input.eventId));
  await iam.addClientId(providerArn, appId);
  return { audience: { clientId: appId } };
}
