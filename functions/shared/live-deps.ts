import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { createGraphTokenProvider } from './entra-auth';
import { createOpenMemberAccount } from './iam';
import { GraphDirectory } from './graph-client';
import { createLogger, type Logger } from './logger';
import type { EntraDirectory, OpenMemberAccount } from './ports';
import type { BaseSettings, GraphSettings } from './settings';

/**
 * The real clients of a deployed function. Handlers call these inside their `loadDeps`
 * (first invocation), never at import; the result stays in the handler's closure so
 * warm invocations reuse the token and the SDK clients.
 */

export function liveLogger(): Logger {
  return createLogger();
}

/** Microsoft Graph with the automation's own token (federated or certificate, DESIGN §5). */
export function liveDirectory(settings: GraphSettings): EntraDirectory {
  const common = { tenantId: settings.tenantId, clientId: settings.automationClientId };
  const getToken =
    settings.entraAuthMode === 'certificate'
      ? createGraphTokenProvider(
          { ...common, mode: 'certificate', certificateSecretArn: settings.certificateSecretArn ?? '' },
          { secretsManager: new SecretsManagerClient({ region: settings.region }) },
        )
      : createGraphTokenProvider({ ...common, mode: 'federated' }, { sts: new STSClient({ region: settings.region }) });
  return new GraphDirectory({ baseUrl: settings.graphBaseUrl, getToken });
}

/** IAM in member accounts through the baseline's automation role; sessions cached in the closure. */
export function liveOpenAccount(settings: BaseSettings): OpenMemberAccount {
  return createOpenMemberAccount({
    sts: new STSClient({ region: settings.region }),
    automationRoleName: settings.automationRoleName,
    region: settings.region,
  });
}
