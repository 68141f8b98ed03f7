import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { createGraphTokenProvider } from './entra-auth';
import { GraphDirectory } from './graph-client';
import type { EntraSettings } from './settings';

/**
 * Microsoft Graph with the automation's own token (federated or certificate, docs/architecture.md#entra-id),
 * for the handlers' `loadDeps` (first invocation, never at import). Only the functions
 * that talk to Graph import this module, so the others do not bundle MSAL.
 */
export function liveDirectory(settings: EntraSettings): GraphDirectory {
  const common = { tenantId: settings.tenantId, clientId: settings.automationClientId };
  const getToken =
    settings.entraAuthMode === 'certificate'
      ? createGraphTokenProvider(
          { ...common, mode: 'certificate', certificateSecretArn: settings.certificateSecretArn ?? '' },
          { secretsManager: new SecretsManagerClient({ region: settings.region }) },
        )
      : createGraphTokenProvider({ ...common, mode: 'federated' }, { sts: new STSClient({ region: settings.region }) });
  return new GraphDirectory({
    baseUrl: settings.graphBaseUrl,
    automationServicePrincipalId: settings.automationServicePrincipalId,
    getToken,
  });
}
