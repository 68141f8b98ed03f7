/**
 * The token sources besides the certificate, end to end: the real bin against loopback fakes
 * of the endpoint each one talks to (support/world.ts): Azure IMDS and App Service's
 * IDENTITY_ENDPOINT for a managed identity, Entra's token endpoint with a Kubernetes
 * projected service account token (workload identity), and GitHub Actions' OIDC endpoint then
 * Entra. @azure/identity is pointed at the fakes through the platforms' own variables:
 * AZURE_POD_IDENTITY_AUTHORITY_HOST replaces IMDS's http://169.254.169.254 (MSAL's Imds source),
 * IDENTITY_ENDPOINT + IDENTITY_HEADER select the App Service source
 * (https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference),
 * and --authority-host replaces login.microsoftonline.com.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHelperArgs, type CredentialsArgs } from '../../credential-helper/args';
import { cacheEntry } from '../../credential-helper/cache';
import { credentialsCacheKey } from '../../credential-helper/cli';
import { EXIT_CODES } from '../../credential-helper/exit-codes';
import {
  APP,
  BYO_SYSTEM_ROLE,
  BYO_USER_ROLE,
  GATEWAY,
  GITHUB_SUBJECT,
  KUBERNETES_SUBJECT,
  MI_NOT_ASSIGNED,
  MI_SYSTEM,
  MI_USER,
  PROVIDER,
  ROLE,
  TENANT,
  TOKEN_EXCHANGE_AUDIENCE,
  V2_APP,
  startWorld,
  trustPolicy,
  type World,
} from './support/world';

let world: World;

beforeAll(async () => {
  world = await startWorld();
});

afterAll(async () => {
  await world?.stop();
});

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
}

function common(overrides: Record<string, string> = {}): string[] {
  const values: Record<string, string> = {
    '--region': 'eu-central-1',
    '--authority-host': world.entra.url,
    '--sts-endpoint': world.aws.url,
    '--cache-dir': mkdtempSync(join(world.work, 'cache-')),
    ...overrides,
  };
  return Object.entries(values).flat();
}

function expectCredentials(stdout: string): void {
  expect(JSON.parse(stdout)).toEqual({
    Version: 1,
    AccessKeyId: expect.stringMatching(/^ASIA/),
    SecretAccessKey: expect.any(String),
    SessionToken: expect.any(String),
    Expiration: expect.any(String),
  });
}

describe('managed identity', () => {
  const imds = () => ({ AZURE_POD_IDENTITY_AUTHORITY_HOST: world.managedIdentity.imdsUrl });

  it("gets a user-assigned identity's token for the gateway from IMDS (Metadata: true, api-version, client_id) and assumes the role pinned to it", async () => {
    // Prepare
    const before = world.managedIdentity.requests.length;

    // Act
    const result = await run(
      ['--token-source', 'managed-identity', '--client-id', MI_USER.appId, '--audience', GATEWAY.appId, '--role-arn', BYO_USER_ROLE],
      imds(),
    );

    // Assess
    expect(result.stderr).not.toContain('entra-aws-credentials:');
    expect(result.code).toBe(EXIT_CODES.ok);
    expectCredentials(result.stdout);
    const [request] = world.managedIdentity.requests.slice(before);
    expect(request.path).toBe('/metadata/identity/oauth2/token');
    expect(request.headers.metadata).toBe('true');
    expect(request.query).toMatchObject({ 'api-version': '2018-02-01', resource: GATEWAY.appId, client_id: MI_USER.appId });
  });

  it('uses the system-assigned identity when no --client-id is given', async () => {
    const before = world.managedIdentity.requests.length;
    const result = await run(['--token-source', 'managed-identity', '--audience', GATEWAY.appId, '--role-arn', BYO_SYSTEM_ROLE], imds());
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(world.managedIdentity.requests.slice(before)[0].query.client_id).toBeUndefined();
  });

  it('gets the token from App Service / Functions (IDENTITY_ENDPOINT with the X-IDENTITY-HEADER secret)', async () => {
    // Prepare
    const before = world.managedIdentity.requests.length;
    const tokenFile = join(world.work, 'app-service-token');

    // Act
    const result = await run(
      ['--token-source', 'managed-identity', '--client-id', MI_USER.appId, '--audience', GATEWAY.appId, '--token-file', tokenFile],
      { IDENTITY_ENDPOINT: world.managedIdentity.appServiceEndpoint, IDENTITY_HEADER: world.managedIdentity.appServiceHeader },
    );

    // Assess
    expect(result.code).toBe(EXIT_CODES.ok);
    const [request] = world.managedIdentity.requests.slice(before);
    expect(request.path).toBe('/msi/token');
    expect(request.headers['x-identity-header']).toBe(world.managedIdentity.appServiceHeader);
    expect(request.query).toMatchObject({ 'api-version': '2019-08-01', resource: GATEWAY.appId, client_id: MI_USER.appId });
    // A v1 token from the gateway: aud is the gateway (what IAM compares), sub the identity's service principal.
    expect(claimsOf(readFileSync(tokenFile, 'utf8'))).toMatchObject({
      aud: GATEWAY.appId,
      appid: MI_USER.appId,
      sub: MI_USER.sp,
      ver: '1.0',
    });
  });

  it('names the default session after the client ID that signed in', async () => {
    const result = await run(
      [
        '--token-source',
        'managed-identity',
        '--client-id',
        MI_USER.appId,
        '--audience',
        GATEWAY.appId,
        '--role-arn',
        BYO_USER_ROLE,
        '--no-cache',
      ],
      imds(),
    );
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(world.aws.sessions.at(-1)).toBe(`entra-${MI_USER.appId}`);
  });

  it('explains an identity that is not assigned to this resource (exit 13)', async () => {
    const result = await run(
      [
        '--token-source',
        'managed-identity',
        '--client-id',
        MI_NOT_ASSIGNED.appId,
        '--audience',
        GATEWAY.appId,
        '--role-arn',
        BYO_USER_ROLE,
      ],
      imds(),
    );
    expect(result.code).toBe(EXIT_CODES.tokenSourceUnavailable);
    expect(result.stderr).toContain(`This resource has no managed identity with client ID ${MI_NOT_ASSIGNED.appId}`);
    expect(result.stdout).toBe('');
  });

  it('explains an audience that names no application (exit 7)', async () => {
    const unknown = '0d0d0d0d-1111-4222-8333-444455556666';
    const result = await run(['--token-source', 'managed-identity', '--audience', unknown, '--role-arn', BYO_SYSTEM_ROLE], imds());
    expect(result.code).toBe(EXIT_CODES.entraOther);
    expect(result.stderr).toContain(`Entra has no application ${unknown}`);
  });

  it('doctor explains a role pinned to another identity: the sub is this managed identity', async () => {
    // Prepare: the role admits the system-assigned identity; the workload uses the user-assigned one
    const policyFile = join(world.work, 'byo-system-policy.json');
    writeFileSync(policyFile, JSON.stringify(trustPolicy(GATEWAY.appId, MI_SYSTEM.sp)));

    // Act
    const result = await run(
      [
        'doctor',
        '--role-arn',
        BYO_SYSTEM_ROLE,
        '--token-source',
        'managed-identity',
        '--client-id',
        MI_USER.appId,
        '--audience',
        GATEWAY.appId,
        '--trust-policy',
        policyFile,
        '--provider-client-ids',
        GATEWAY.appId,
      ],
      imds(),
    );

    // Assess
    expect(result.code).toBe(EXIT_CODES.doctorMismatch);
    expect(result.stdout).toMatch(/ok +audience/);
    expect(result.stdout).toContain(`MISMATCH subject: The token's sub is ${MI_USER.sp}`);
    expect(result.stdout).toContain(`is the object ID of this managed identity's service principal (client ID ${MI_USER.appId})`);
    expect(result.stdout).toContain(`StringEquals ${PROVIDER}:sub = ${MI_USER.sp}`);
  });

  it('doctor explains an audience requested by URI, which a v1 token carries as is', async () => {
    const policyFile = join(world.work, 'byo-user-policy.json');
    writeFileSync(policyFile, JSON.stringify(trustPolicy(GATEWAY.appId, MI_USER.sp)));
    const result = await run(
      [
        'doctor',
        '--role-arn',
        BYO_USER_ROLE,
        '--token-source',
        'managed-identity',
        '--client-id',
        MI_USER.appId,
        '--audience',
        GATEWAY.uri,
        '--trust-policy',
        policyFile,
        '--provider-client-ids',
        GATEWAY.appId,
      ],
      imds(),
    );
    expect(result.code).toBe(EXIT_CODES.doctorMismatch);
    expect(result.stdout).toContain(`MISMATCH audience`);
    expect(result.stdout).toContain(`use --audience ${GATEWAY.appId}`);
    expect(result.stdout).toMatch(/MISMATCH provider client IDs.*\n.*request it by application ID/);
  });
});

describe('workload identity (Kubernetes federated token file)', () => {
  function podEnvironment(claims: Record<string, unknown> = {}, clientId = APP.appId): Record<string, string> {
    const now = Math.floor(Date.now() / 1000);
    const file = join(mkdtempSync(join(world.work, 'sa-')), 'azure-identity-token');
    writeFileSync(
      file,
      world.kubernetes.sign({ sub: KUBERNETES_SUBJECT, aud: [TOKEN_EXCHANGE_AUDIENCE], iat: now, nbf: now, exp: now + 3600, ...claims }),
    );
    // What the workload identity webhook injects into the pod.
    return { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: clientId, AZURE_FEDERATED_TOKEN_FILE: file };
  }

  it("exchanges the service account token for the role's application token and assumes the role", async () => {
    // Prepare
    const before = world.entra.requests.length;

    // Act
    const result = await run(['--token-source', 'workload-identity', '--role-arn', ROLE, ...common()], podEnvironment());

    // Assess
    expect(result.stderr).not.toContain('entra-aws-credentials:');
    expect(result.code).toBe(EXIT_CODES.ok);
    expectCredentials(result.stdout);
    expect(world.entra.requests.slice(before)).toContain(`POST /${TENANT}/oauth2/v2.0/token`);
  });

  it('explains a service account the application has no federated credential for (exit 14)', async () => {
    const result = await run(
      ['--token-source', 'workload-identity', '--role-arn', ROLE, ...common()],
      podEnvironment({ sub: 'system:serviceaccount:payments:other' }),
    );
    expect(result.code).toBe(EXIT_CODES.entraFederatedCredentialMismatch);
    expect(result.stderr).toContain('AADSTS700213');
    expect(result.stderr).toContain('subject system:serviceaccount:payments:other');
    expect(result.stderr).toContain(`az ad app federated-credential list --id ${APP.appId}`);
  });

  it('explains a missing token file (exit 13): the pod is not set up for workload identity', async () => {
    const env = { ...podEnvironment(), AZURE_FEDERATED_TOKEN_FILE: join(world.work, 'no-such-token') };
    const result = await run(['--token-source', 'workload-identity', '--role-arn', ROLE, ...common()], env);
    expect(result.code).toBe(EXIT_CODES.tokenSourceUnavailable);
    expect(result.stderr).toContain('azure.workload.identity/use');
  });

  it("doctor explains a v2 token against the role's v1 provider (issuer and token version)", async () => {
    const policyFile = join(world.work, 'v1-policy.json');
    writeFileSync(policyFile, JSON.stringify(trustPolicy(V2_APP.appId, V2_APP.sp)));
    const result = await run(
      [
        'doctor',
        '--role-arn',
        ROLE,
        '--token-source',
        'workload-identity',
        '--authority-host',
        world.entra.url,
        '--trust-policy',
        policyFile,
        '--provider-client-ids',
        V2_APP.appId,
      ],
      podEnvironment({}, V2_APP.appId),
    );
    expect(result.code).toBe(EXIT_CODES.doctorMismatch);
    expect(result.stdout).toContain(`MISMATCH issuer: The token's issuer is https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(result.stdout).toContain("MISMATCH token version: The token is a v2.0 token, but the role's provider expects v1.0 tokens.");
  });
});

describe('GitHub Actions OIDC', () => {
  const job = () => ({ ACTIONS_ID_TOKEN_REQUEST_URL: world.github.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.github.requestToken });

  it('asks GitHub for a token for api://AzureADTokenExchange with the bearer request token, exchanges it at Entra, and assumes the role', async () => {
    // Prepare
    const before = world.github.requests.length;

    // Act
    const result = await run(
      ['--token-source', 'github-actions', '--tenant-id', TENANT, '--client-id', APP.appId, '--role-arn', ROLE, ...common()],
      job(),
    );

    // Assess
    expect(result.stderr).not.toContain('entra-aws-credentials:');
    expect(result.code).toBe(EXIT_CODES.ok);
    expectCredentials(result.stdout);
    const [request] = world.github.requests.slice(before);
    expect(request.authorization).toBe(`Bearer ${world.github.requestToken}`);
    expect(request.query).toEqual({ 'api-version': '2.0', audience: TOKEN_EXCHANGE_AUDIENCE });
  });

  it('explains a job without "permissions: id-token: write" (exit 13)', async () => {
    const result = await run([
      '--token-source',
      'github-actions',
      '--tenant-id',
      TENANT,
      '--client-id',
      APP.appId,
      '--role-arn',
      ROLE,
      ...common(),
    ]);
    expect(result.code).toBe(EXIT_CODES.tokenSourceUnavailable);
    expect(result.stderr).toContain('permissions: id-token: write');
  });

  it('explains a repository or branch the application does not trust (exit 14)', async () => {
    // Prepare: an application with federated credentials for other issuers only
    const result = await run(
      [
        '--token-source',
        'github-actions',
        '--tenant-id',
        TENANT,
        '--client-id',
        MI_SYSTEM.appId,
        '--audience',
        GATEWAY.appId,
        '--role-arn',
        BYO_SYSTEM_ROLE,
        ...common(),
      ],
      job(),
    );
    expect(result.code).toBe(EXIT_CODES.entraFederatedCredentialMismatch);
    expect(result.stderr).toContain('AADSTS700211');
    expect(result.stderr).toContain(`subject ${GITHUB_SUBJECT}`);
    expect(result.stderr).toContain('repo:OWNER/REPO:environment:NAME');
  });

  it('doctor explains a token requested for the wrong audience in the shared-audience mode', async () => {
    // Prepare: the role trusts the gateway audience and the application's service principal
    const policyFile = join(world.work, 'shared-policy.json');
    writeFileSync(policyFile, JSON.stringify(trustPolicy(GATEWAY.appId, APP.sp)));

    // Act: no --audience, so the token is requested for the application itself
    const result = await run(
      [
        'doctor',
        '--role-arn',
        ROLE,
        '--token-source',
        'github-actions',
        '--tenant-id',
        TENANT,
        '--client-id',
        APP.appId,
        '--authority-host',
        world.entra.url,
        '--trust-policy',
        policyFile,
        '--provider-client-ids',
        GATEWAY.appId,
      ],
      job(),
    );

    // Assess
    expect(result.code).toBe(EXIT_CODES.doctorMismatch);
    expect(result.stdout).toContain(
      `MISMATCH audience: IAM reads the audience from the token's aud claim: ${APP.appId}; the trust policy's :aud condition expects ${GATEWAY.appId}`,
    );
    expect(result.stdout).toContain('--audience <gateway application ID>');
    expect(result.stdout).toMatch(/MISMATCH provider client IDs/);
    expect(result.stdout).toMatch(/ok +subject/);
  });
});

describe('the cache key covers every request parameter, the token source and the audience', () => {
  const base = ['--tenant-id', TENANT, '--client-id', APP.appId, '--role-arn', ROLE, '--cache-dir', '/c'];
  const env = { AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token' };
  const fileOf = (argv: string[]) => cacheEntry('/c', credentialsCacheKey(parseHelperArgs(argv, env) as CredentialsArgs)).file;

  it('gives each source and each audience its own entry for the same tenant, client and role', () => {
    const files = [
      fileOf([...base, '--certificate', 'a.pem']),
      fileOf([...base, '--certificate', 'b.pem']),
      fileOf([...base, '--certificate', 'a.pem', '--audience', GATEWAY.appId]),
      fileOf([...base, '--token-source', 'workload-identity']),
      fileOf([...base, '--token-source', 'github-actions']),
      fileOf([...base, '--token-source', 'github-actions', '--audience', GATEWAY.appId]),
      fileOf([...base, '--token-source', 'managed-identity', '--audience', GATEWAY.appId]),
      fileOf([...base, '--token-source', 'managed-identity', '--audience', APP.appId]),
    ];
    expect(new Set(files).size).toBe(files.length);
  });

  it.each([
    ['--tenant-id', '99999999-0000-cccc-1111-dddd2222eeee'],
    ['--client-id', V2_APP.appId],
    ['--role-arn', 'arn:aws:iam::111122223333:role/other'],
    ['--role-session-name', 'nightly'],
    ['--duration-seconds', '900'],
    ['--region', 'us-west-2'],
    ['--sts-endpoint', 'https://sts.us-west-2.amazonaws.com'],
    ['--authority-host', 'https://login.microsoftonline.us'],
  ])('gives %s its own entry', (flag, value) => {
    const certificate = [...base, '--certificate', 'a.pem'];
    const changed = certificate.includes(flag)
      ? certificate.map((arg, index) => (certificate[index - 1] === flag ? value : arg))
      : [...certificate, flag, value];
    expect(fileOf(changed)).not.toBe(fileOf(certificate));
  });

  it('end to end: a cached certificate-mode entry is not served to a GitHub Actions call for the same role', async () => {
    // Prepare
    const cacheDir = mkdtempSync(join(world.work, 'cache-'));
    await run(world.credentialArgs({}, cacheDir));
    const githubBefore = world.github.requests.length;

    // Act
    const result = await run(
      [
        '--token-source',
        'github-actions',
        '--tenant-id',
        TENANT,
        '--client-id',
        APP.appId,
        '--role-arn',
        ROLE,
        ...common({ '--cache-dir': cacheDir }),
      ],
      {
        ACTIONS_ID_TOKEN_REQUEST_URL: world.github.requestUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.github.requestToken,
      },
    );

    // Assess
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(world.github.requests.length).toBe(githubBefore + 1);
  });
});

function run(args: string[], env: Record<string, string> = {}) {
  const withCommon = args.includes('--region') || args[0] === 'doctor' ? args : [...args, ...common()];
  return world.run(withCommon, env);
}
