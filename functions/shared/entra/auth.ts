import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetWebIdentityTokenCommand, type STSClient } from '@aws-sdk/client-sts';
import { ClientAssertionCredential, ClientCertificateCredential, type TokenCredential } from '@azure/identity';
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE, GUID_PATTERN as GUID } from '../workflow/contracts';
import { AutomationError, EntraAuthenticationError, IamThrottledError } from '../runtime/errors';

/**
 * The automation's own Microsoft Entra token for Microsoft Graph (docs/architecture.md#entra-id).
 *
 * - federated (default): AWS outbound identity federation. `sts:GetWebIdentityToken`
 *   signs a JWT for the Lambda's role; Entra accepts it as a client assertion through the
 *   application's federated identity credential. No secret exists anywhere.
 * - certificate (fallback): the certificate and its private key, as one PEM, read from
 *   a Secrets Manager secret.
 *
 * The credential is built lazily, once per provider (build the provider in `makeDeps()`,
 * so a warm Lambda reuses it); `@azure/identity` credentials cache their tokens, so warm
 * invocations do not go back to Entra until the token nears expiry.
 */

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

interface CommonSettings {
  readonly tenantId: string;
  /** Client (application) ID of the automation's own application. */
  readonly clientId: string;
  /** Override of `https://login.microsoftonline.com` (sovereign clouds, loopback tests). */
  readonly authorityHost?: string;
  /** Only for a loopback token endpoint in tests: Entra's instance discovery would go online. */
  readonly disableInstanceDiscovery?: boolean;
}

export type EntraAuthSettings =
  | (CommonSettings & { readonly mode: 'federated' })
  | (CommonSettings & { readonly mode: 'certificate'; readonly certificateSecretArn: string });

export interface EntraAuthClients {
  /**
   * Regional STS (federated mode): `GetWebIdentityToken` is not served by the global
   * endpoint (@aws-sdk/client-sts GetWebIdentityTokenCommand docs).
   */
  readonly sts?: Pick<STSClient, 'send'>;
  /** Secrets Manager (certificate mode). */
  readonly secretsManager?: Pick<SecretsManagerClient, 'send'>;
}

/** Seams for tests; default to the `@azure/identity` classes. */
export interface CredentialFactories {
  readonly assertion?: (
    tenantId: string,
    clientId: string,
    getAssertion: () => Promise<string>,
    options: CredentialOptions,
  ) => TokenCredential;
  readonly certificate?: (tenantId: string, clientId: string, pem: string, options: CredentialOptions) => TokenCredential;
}

export interface CredentialOptions {
  readonly authorityHost?: string;
  readonly disableInstanceDiscovery?: boolean;
}

/** `() => Promise<token>` for `GraphDirectory.getToken`; every failure is `EntraAuthenticationError` (STS throttling: `IamThrottledError`). */
export function createGraphTokenProvider(
  settings: EntraAuthSettings,
  clients: EntraAuthClients,
  factories: CredentialFactories = {},
): () => Promise<string> {
  validate(settings, clients);
  const options: CredentialOptions = {
    ...(settings.authorityHost ? { authorityHost: settings.authorityHost } : {}),
    ...(settings.disableInstanceDiscovery ? { disableInstanceDiscovery: true } : {}),
  };
  // The credential wraps errors from getAssertion; keep the original to report it as is.
  let assertionError: unknown;
  let credential: Promise<TokenCredential> | undefined;

  const build = async (): Promise<TokenCredential> => {
    if (settings.mode === 'federated') {
      const sts = clients.sts as Pick<STSClient, 'send'>;
      const getAssertion = async (): Promise<string> => {
        assertionError = undefined;
        try {
          return await webIdentityToken(sts);
        } catch (error) {
          assertionError = error;
          throw error;
        }
      };
      const make = factories.assertion ?? ((t, c, g, o) => new ClientAssertionCredential(t, c, g, o));
      return make(settings.tenantId, settings.clientId, getAssertion, options);
    }
    const pem = await certificatePem(clients.secretsManager as Pick<SecretsManagerClient, 'send'>, settings.certificateSecretArn);
    const make = factories.certificate ?? ((t, c, p, o) => new ClientCertificateCredential(t, c, { certificate: p }, o));
    return make(settings.tenantId, settings.clientId, pem, options);
  };

  return async () => {
    try {
      // A failed build (e.g. the secret could not be read) is not cached: the next call tries again.
      credential ??= build().catch((error: unknown) => {
        credential = undefined;
        throw error;
      });
      const token = await (await credential).getToken(GRAPH_SCOPE);
      if (!token?.token) throw new Error('Microsoft Entra returned no access token');
      return token.token;
    } catch (error) {
      const cause = assertionError ?? error;
      assertionError = undefined;
      if (cause instanceof AutomationError) throw cause;
      if (isThrottling(cause)) {
        throw new IamThrottledError(`sts:GetWebIdentityToken was throttled: ${describe(cause)}`, { cause });
      }
      throw new EntraAuthenticationError(
        `could not get a Microsoft Graph token (${settings.mode} mode, tenant ${settings.tenantId}, client ${settings.clientId}): ${describe(cause)}`,
        { cause },
      );
    }
  };
}

async function webIdentityToken(sts: Pick<STSClient, 'send'>): Promise<string> {
  // The duration is explicit (300 s is also STS's default) because the functions' policy
  // bounds it with sts:DurationSeconds, and a condition on an absent key never matches.
  const out = await sts.send(
    new GetWebIdentityTokenCommand({ Audience: [ENTRA_TOKEN_EXCHANGE_AUDIENCE], SigningAlgorithm: 'RS256', DurationSeconds: 300 }),
  );
  if (!out.WebIdentityToken) throw new EntraAuthenticationError('sts:GetWebIdentityToken returned no token');
  return out.WebIdentityToken;
}

async function certificatePem(secrets: Pick<SecretsManagerClient, 'send'>, secretArn: string): Promise<string> {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const pem = out.SecretString ?? '';
  if (!/-----BEGIN CERTIFICATE-----/.test(pem) || !/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) {
    throw new EntraAuthenticationError(
      `certificateSecretArn: secret ${secretArn} must hold one PEM with the certificate and its unencrypted private key ` +
        `(-----BEGIN CERTIFICATE----- … -----BEGIN PRIVATE KEY----- …); put it there with aws secretsmanager put-secret-value`,
    );
  }
  return pem;
}

function validate(settings: EntraAuthSettings, clients: EntraAuthClients): void {
  if (!GUID.test(settings.tenantId)) {
    throw new EntraAuthenticationError(`tenantId: expected the Entra tenant GUID, got ${JSON.stringify(settings.tenantId)}`);
  }
  if (!GUID.test(settings.clientId)) {
    throw new EntraAuthenticationError(
      `clientId: expected the automation application's client ID (a GUID), got ${JSON.stringify(settings.clientId)}`,
    );
  }
  if (settings.mode === 'federated' && !clients.sts) {
    throw new EntraAuthenticationError('federated mode needs an STS client (clients.sts) in the Lambda region');
  }
  if (settings.mode === 'certificate') {
    if (!clients.secretsManager) {
      throw new EntraAuthenticationError('certificate mode needs a Secrets Manager client (clients.secretsManager)');
    }
    if (!/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$/.test(settings.certificateSecretArn)) {
      throw new EntraAuthenticationError(
        `certificateSecretArn: expected a Secrets Manager secret ARN, got ${JSON.stringify(settings.certificateSecretArn)}`,
      );
    }
  }
}

function isThrottling(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'Throttling' || name === 'ThrottlingException' || name === 'TooManyRequestsException';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
