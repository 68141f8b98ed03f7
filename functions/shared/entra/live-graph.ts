import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { createGraphTokenProvider } from './auth';
import { GraphDirectory } from './graph-client';
import { AutomationIdentityPool } from './identity-pool';
import { createLogger } from '../runtime/logger';
import type { EntraDirectory } from './ports';
import type { EntraSettings, IdentityPoolSettings } from '../runtime/settings';

/**
 * Microsoft Graph with the automation's own tokens (federated or certificate, docs/architecture.md#entra-id),
 * for the handlers' `loadDeps` (first invocation, never at import): one GraphDirectory per
 * automation identity, as one pool (identity-pool.ts). Only the functions that talk to Graph
 * import this module, so the others do not bundle MSAL.
 */
export function liveDirectory(settings: EntraSettings & IdentityPoolSettings): EntraDirectory {
  const clients = {
    secretsManager: new SecretsManagerClient({ region: settings.region }),
    sts: new STSClient({ region: settings.region }),
  };
  const tokenFor = (clientId: string) => {
    const common = { tenantId: settings.tenantId, clientId };
    return settings.entraAuthMode === 'certificate'
      ? createGraphTokenProvider({ ...common, mode: 'certificate', certificateSecretArn: settings.certificateSecretArn ?? '' }, clients)
      : createGraphTokenProvider({ ...common, mode: 'federated' }, clients);
  };
  const members = [
    new GraphDirectory({
      baseUrl: settings.graphBaseUrl,
      automationServicePrincipalId: settings.automationServicePrincipalId,
      getToken: tokenFor(settings.automationClientId),
    }),
    ...settings.automationPoolClientIds.map(
      (clientId) => new GraphDirectory({ baseUrl: settings.graphBaseUrl, automationClientId: clientId, getToken: tokenFor(clientId) }),
    ),
  ];
  const logger = createLogger();
  return new AutomationIdentityPool({
    members,
    usableObjectsPerIdentity: settings.identityObjectLimit,
    onIdentityFull: (index, used) =>
      logger.warn('an automation identity has used its share of the creator quota; the next one takes over', { identity: index + 1, used }),
  });
}

/**
 * The sweep's view of Graph: the first automation identity's, for listing what the automation
 * created and deleting orphans. (With several automation identities, see
 * docs/architecture.md#the-sweep for what the sweep covers.)
 */
export function liveInventory(settings: EntraSettings): GraphDirectory {
  return new GraphDirectory({
    baseUrl: settings.graphBaseUrl,
    automationServicePrincipalId: settings.automationServicePrincipalId,
    getToken: inventoryToken(settings),
  });
}

/** The first automation identity's token, as the sweep gets it. */
function inventoryToken(settings: EntraSettings): () => Promise<string> {
  const common = { tenantId: settings.tenantId, clientId: settings.automationClientId };
  return settings.entraAuthMode === 'certificate'
    ? createGraphTokenProvider(
        { ...common, mode: 'certificate', certificateSecretArn: settings.certificateSecretArn ?? '' },
        { secretsManager: new SecretsManagerClient({ region: settings.region }) },
      )
    : createGraphTokenProvider({ ...common, mode: 'federated' }, { sts: new STSClient({ region: settings.region }) });
}

/**
 * Every automation identity as the sweep counts its creator quota: the first is the inventory;
 * the others are read with the first one's token (Directory.Read.All reads any service
 * principal's `createdObjects`, https://learn.microsoft.com/graph/api/serviceprincipal-list-createdobjects),
 * so they need not trust the sweep's function.
 */
export function liveIdentityCounters(
  settings: EntraSettings & { readonly automationPoolClientIds: readonly string[] },
  inventory: GraphDirectory,
): GraphDirectory[] {
  const getToken = inventoryToken(settings);
  return [
    inventory,
    ...settings.automationPoolClientIds.map(
      (clientId) => new GraphDirectory({ baseUrl: settings.graphBaseUrl, automationClientId: clientId, getToken }),
    ),
  ];
}
