import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import type { TokenCredential } from '@azure/identity';
import { mockClient } from 'aws-sdk-client-mock';
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE } from '../../../../functions/shared/workflow';
import {
  createGraphTokenProvider,
  GRAPH_SCOPE,
  type CredentialFactories,
  type EntraAuthSettings,
} from '../../../../functions/shared/entra';
import { EntraAuthenticationError, IamThrottledError } from '../../../../functions/shared/runtime';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '00001111-aaaa-2222-bbbb-3333cccc4444';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:entra-automation-cert-AbCdEf';
// Not a usable key pair: the credential factory is faked; only the PEM markers are checked.
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

const federated: EntraAuthSettings = { mode: 'federated', tenantId: TENANT, clientId: CLIENT };
const certificate: EntraAuthSettings = { mode: 'certificate', tenantId: TENANT, clientId: CLIENT, certificateSecretArn: SECRET_ARN };

/** A credential that behaves like @azure/identity's: asks for the assertion once, then caches. */
function recordingFactories() {
  const built: Array<{ kind: string; tenantId: string; clientId: string; pem?: string }> = [];
  const scopes: string[] = [];
  const factories: CredentialFactories = {
    assertion: (tenantId, clientId, getAssertion) => {
      built.push({ kind: 'assertion', tenantId, clientId });
      let cached: string | undefined;
      const credential: TokenCredential = {
        getToken: async (scope) => {
          scopes.push(String(scope));
          cached ??= `entra-token-for:${await getAssertion()}`;
          return { token: cached, expiresOnTimestamp: Date.now() + 3600_000 };
        },
      };
      return credential;
    },
    certificate: (tenantId, clientId, pem) => {
      built.push({ kind: 'certificate', tenantId, clientId, pem });
      return { getToken: async () => ({ token: 'entra-token-by-certificate', expiresOnTimestamp: Date.now() + 3600_000 }) };
    },
  };
  return { factories, built, scopes };
}

describe('createGraphTokenProvider, federated mode', () => {
  const sts = mockClient(STSClient);
  afterEach(() => sts.reset());

  it('hands an STS web identity token for api://AzureADTokenExchange (RS256) to the assertion credential', async () => {
    // Prepare
    sts.on(GetWebIdentityTokenCommand).resolves({ WebIdentityToken: 'eyJ.aws-signed.jwt' });
    const { factories, built, scopes } = recordingFactories();
    const getToken = createGraphTokenProvider(federated, { sts: new STSClient({ region: 'eu-west-1' }) }, factories);
    // Act
    const token = await getToken();
    // Assess
    expect(token).toBe('entra-token-for:eyJ.aws-signed.jwt');
    expect(sts.commandCalls(GetWebIdentityTokenCommand)[0]?.args[0].input).toEqual({
      Audience: [ENTRA_TOKEN_EXCHANGE_AUDIENCE],
      SigningAlgorithm: 'RS256',
      DurationSeconds: 300,
    });
    expect(built).toEqual([{ kind: 'assertion', tenantId: TENANT, clientId: CLIENT }]);
    expect(scopes).toEqual([GRAPH_SCOPE]);
  });

  it('builds the credential once and reuses it on warm calls', async () => {
    // Prepare
    sts.on(GetWebIdentityTokenCommand).resolves({ WebIdentityToken: 'jwt' });
    const { factories, built } = recordingFactories();
    const getToken = createGraphTokenProvider(federated, { sts: new STSClient({ region: 'eu-west-1' }) }, factories);
    // Act
    await getToken();
    await getToken();
    await getToken();
    // Assess
    expect(built).toHaveLength(1);
    expect(sts.commandCalls(GetWebIdentityTokenCommand)).toHaveLength(1);
  });

  it('reports STS refusing outbound federation as EntraAuthenticationError with the STS message', async () => {
    // Prepare
    const refusal = Object.assign(new Error('The outbound web identity federation feature is not enabled for this account.'), {
      name: 'OutboundWebIdentityFederationDisabledException',
    });
    sts.on(GetWebIdentityTokenCommand).rejects(refusal);
    const getToken = createGraphTokenProvider(federated, { sts: new STSClient({ region: 'eu-west-1' }) }, recordingFactories().factories);
    // Act
    const outcome = getToken();
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(EntraAuthenticationError);
    await expect(outcome).rejects.toThrow(/outbound web identity federation/);
  });

  it('reports STS throttling as the transient IamThrottledError', async () => {
    // Prepare
    sts.on(GetWebIdentityTokenCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const getToken = createGraphTokenProvider(federated, { sts: new STSClient({ region: 'eu-west-1' }) }, recordingFactories().factories);
    // Act
    const outcome = getToken();
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(IamThrottledError);
  });

  it('keeps the STS error when the real ClientAssertionCredential wraps it', async () => {
    // Prepare: the real credential calls getAssertion before any network request
    sts.on(GetWebIdentityTokenCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const getToken = createGraphTokenProvider(
      { ...federated, authorityHost: 'https://127.0.0.1:9', disableInstanceDiscovery: true },
      { sts: new STSClient({ region: 'eu-west-1' }) },
    );
    // Act
    const outcome = getToken();
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'IamThrottledError' });
  });

  it('rejects settings without a tenant GUID, naming the field', () => {
    // Act & Assess
    expect(() => createGraphTokenProvider({ ...federated, tenantId: 'contoso.onmicrosoft.com' }, { sts: new STSClient({}) })).toThrow(
      /tenantId/,
    );
  });
});

describe('createGraphTokenProvider, certificate mode', () => {
  const secrets = mockClient(SecretsManagerClient);
  afterEach(() => secrets.reset());

  it('reads the PEM from the named secret and builds a certificate credential', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: PEM });
    const { factories, built } = recordingFactories();
    const getToken = createGraphTokenProvider(certificate, { secretsManager: new SecretsManagerClient({}) }, factories);
    // Act
    const token = await getToken();
    await getToken();
    // Assess
    expect(token).toBe('entra-token-by-certificate');
    expect(built).toEqual([{ kind: 'certificate', tenantId: TENANT, clientId: CLIENT, pem: PEM }]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('explains an empty secret and tries again on the next call', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: '' }).resolves({ SecretString: PEM });
    const getToken = createGraphTokenProvider(
      certificate,
      { secretsManager: new SecretsManagerClient({}) },
      recordingFactories().factories,
    );
    // Act
    const first = getToken();
    await expect(first).rejects.toBeInstanceOf(EntraAuthenticationError);
    await expect(first).rejects.toThrow(/certificateSecretArn: .*PEM/);
    const second = await getToken();
    // Assess
    expect(second).toBe('entra-token-by-certificate');
  });

  it('requires a Secrets Manager client and a secret ARN', () => {
    // Act & Assess
    expect(() => createGraphTokenProvider(certificate, {})).toThrow(/Secrets Manager client/);
    expect(() =>
      createGraphTokenProvider({ ...certificate, certificateSecretArn: 'entra-cert' }, { secretsManager: new SecretsManagerClient({}) }),
    ).toThrow(/certificateSecretArn/);
  });
});

describe('default @azure/identity credentials', () => {
  // A loopback authority on a closed port: should the credential go online, it fails here, never on the internet.
  const offline = { authorityHost: 'https://127.0.0.1:9', disableInstanceDiscovery: true };

  it('reports a certificate credential that cannot use the PEM as EntraAuthenticationError', async () => {
    // Prepare
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: PEM });
    const getToken = createGraphTokenProvider({ ...certificate, ...offline }, { secretsManager: new SecretsManagerClient({}) });
    // Act
    const outcome = getToken();
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(EntraAuthenticationError);
    await expect(outcome).rejects.toThrow(/certificate mode/);
    secrets.restore();
  });
});
