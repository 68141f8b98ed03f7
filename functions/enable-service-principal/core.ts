import * as z from 'zod/mini';
import { accountIdSchema, guidSchema, roleNameSchema } from '../shared/workflow';
import type { HandlerDeps } from '../shared/runtime';
import type { EntraDirectory } from '../shared/entra';

export const FUNCTION_NAME = 'enable-service-principal';

export const inputSchema = z.object({
  accountId: accountIdSchema,
  roleName: roleNameSchema,
  requestedBy: z.string(),
  reason: z.string(),
  restoration: z.object({ servicePrincipalObjectId: z.nullable(guidSchema), identityMode: z.nullable(z.string()) }),
});
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly directory: EntraDirectory;
}

/**
 * The step of `{Prefix}-Role-Restore` that enables the role's service principal again
 * (https://learn.microsoft.com/graph/api/serviceprincipal-update). A brought identity was never
 * disabled by the automation and is left as the team keeps it.
 */
export async function enableServicePrincipal(
  deps: Deps,
  input: Input,
): Promise<{ identity: { outcome: 'enabled' | 'not-ours' | 'not-found' | 'none' } }> {
  const { servicePrincipalObjectId, identityMode } = input.restoration;
  if (servicePrincipalObjectId === null || identityMode === 'bring-your-own')
    return { identity: { outcome: servicePrincipalObjectId === null ? 'none' : 'not-ours' } };
  const answer = await deps.directory.setServicePrincipalEnabled(servicePrincipalObjectId, true);
  const outcome = answer === 'done' ? 'enabled' : answer === 'not-found' ? 'not-found' : 'not-ours';
  deps.logger.info('service principal enabled again', {
    servicePrincipalObjectId,
    outcome,
    requestedBy: input.requestedBy,
    reason: input.reason,
  });
  return { identity: { outcome } };
}
