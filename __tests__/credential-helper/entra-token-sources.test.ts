/**
 * getEntraToken against the loopback fakes, in this process: what each token source hands to
 * @azure/identity (authority, scope, client ID, the GitHub assertion) and what it returns.
 * token-sources.test.ts runs the same paths through the real bin as a child process, where
 * StrykerJS's mutants are not active; this suite is what `npm run mutate` sees of them.
 *
 * Two things a child process gets from its start, set here in-process instead:
 * - Trust in the fakes' test-time certificate: tls.setDefaultCACertificates (Node.js 22.19+,
 *   https://nodejs.org/api/tls.html#tlssetdefaultcacertificatescerts) in place of
 *   NODE_EXTRA_CA_CERTS. @azure/core-rest-pipeline's Node.js client makes its https.Agent
 *   without a `ca` of its own (node_modules/@typespec/ts-http-runtime/dist/commonjs/nodeHttpClient.js,
 *   getOrCreateAgent), and so does undici for fetch, so both take the default list.
 * - MSAL's managed identity endpoint, from the environment (AZURE_POD_IDENTITY_AUTHORITY_HOST
 *   replaces IMDS's http://169.254.169.254), which jest gives each suite a copy of.
 *
 * No request may leave the machine, even from a mutant that drops the authority host or turns
 * instance discovery back on (both would ask login.microsoftonline.com): every request
 * @azure/identity makes goes through its pipeline's proxy policy, which takes HTTPS_PROXY /
 * HTTP_PROXY and NO_PROXY from the environment
 * (node_modules/@typespec/ts-http-runtime/dist/commonjs/policies/proxyPolicy.js). Here the proxy
 * is a loopback port nothing listens on and only 127.0.0.1 bypasses it, and the default CA
 * list holds the fakes' certificate alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { generate } from 'selfsigned';
import type { TokenSourceArgs } from '../../credential-helper/args';
import { getEntraToken } from '../../credential-helper/entra-token';
import { EXIT_CODES } from '../../credential-helper/exit-codes';
import { startEntraFake, type EntraFake, type FakeApplication } from './support/entra-fake';
import { startGitHubOidcFake, type GitHubOidcFake } from './support/github-oidc-fake';
import { makeLoopbackTls } from './support/https-server';
import { startManagedIdentityFake, type ManagedIdentityFake } from './support/managed-identity-fake';
import { makeOidcIssuer, type OidcIssuer } from './support/oidc-issuer';
import { refusal } from './support/refusal';

const TENANT = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';
const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
const KUBERNETES_ISSUER = `https://oidc.prod-aks.azure.com/${TENANT}/0c0c0c0c-1111-4222-8333-444455556666/`;
const KUBERNETES_SUBJECT = 'system:serviceaccount:payments:deployer';
const GITHUB_SUBJECT = 'repo:contoso/payments:ref:refs/heads/main';
/** Nothing listens on the discard port: a request sent through the proxy fails at once. */
const NOWHERE = 'http://127.0.0.1:9';

const application = (appId: string, extra: Partial<FakeApplication> = {}): FakeApplication => ({
  appId,
  servicePrincipalId: `${appId.slice(0, -4)}5555`,
  certificates: [],
  accessTokenVersion: 1,
  ...extra,
});
const APP = application('00001111-aaaa-2222-bbbb-3333cccc4444');
/** An application that trusts the same issuers, but other subjects. */
const OTHER_APP = application('22223333-cccc-4444-dddd-5555eeee6666');
const GATEWAY = application('0a0a0a0a-1111-4222-8333-444455556666');
const MI_SYSTEM = application('a1a1a1a1-2222-4333-8444-555566667777');
const MI_USER = application('a2a2a2a2-2222-4333-8444-555566667777');

const ENVIRONMENT = ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'AZURE_POD_IDENTITY_AUTHORITY_HOST', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER'];
const savedEnvironment: Record<string, string | undefined> = {};
let savedCertificates: string[];
let work: string;
let entra: EntraFake;
let managedIdentity: ManagedIdentityFake;
let github: GitHubOidcFake;
let kubernetes: OidcIssuer;
let certificate: string;

beforeAll(async () => {
  if (typeof tls.setDefaultCACertificates !== 'function')
    throw new Error('This suite needs Node.js 22.19 or later (tls.setDefaultCACertificates).');
  work = mkdtempSync(join(tmpdir(), 'entra-token-sources-'));
  const loopback = await makeLoopbackTls();
  const workload = await generate([{ name: 'commonName', value: 'workload' }], { keySize: 2048, algorithm: 'sha256' });
  certificate = join(work, 'workload.pem');
  writeFileSync(certificate, `${workload.cert}${workload.private}`, { mode: 0o600 });

  kubernetes = makeOidcIssuer(KUBERNETES_ISSUER);
  github = await startGitHubOidcFake(loopback, GITHUB_SUBJECT);
  const trusting = (subject: (issuer: string) => string) =>
    [kubernetes.issuer, github.issuer.issuer].map((issuer) => ({ issuer, subject: subject(issuer), audiences: [TOKEN_EXCHANGE_AUDIENCE] }));
  APP.certificates = [{ pem: workload.cert }];
  APP.federatedCredentials = trusting((issuer) => (issuer === kubernetes.issuer ? KUBERNETES_SUBJECT : GITHUB_SUBJECT));
  OTHER_APP.federatedCredentials = trusting((issuer) =>
    issuer === kubernetes.issuer ? 'system:serviceaccount:other:other' : 'repo:contoso/other:ref:refs/heads/main',
  );
  entra = await startEntraFake(loopback, { [TENANT]: [APP, OTHER_APP, GATEWAY, MI_SYSTEM, MI_USER] });
  entra.trustIssuer(kubernetes.issuer, kubernetes.jwks);
  entra.trustIssuer(github.issuer.issuer, github.issuer.jwks);
  managedIdentity = await startManagedIdentityFake(entra, { tenant: TENANT, systemAssigned: MI_SYSTEM, userAssigned: [MI_USER] });

  savedCertificates = tls.getCACertificates('default');
  tls.setDefaultCACertificates([loopback.caPem]);
  for (const name of ENVIRONMENT) savedEnvironment[name] = process.env[name];
  Object.assign(process.env, {
    HTTPS_PROXY: NOWHERE,
    HTTP_PROXY: NOWHERE,
    NO_PROXY: '127.0.0.1',
    AZURE_POD_IDENTITY_AUTHORITY_HOST: managedIdentity.imdsUrl,
  });
  delete process.env.IDENTITY_ENDPOINT;
  delete process.env.IDENTITY_HEADER;
}, 60_000);

afterAll(async () => {
  if (savedCertificates) tls.setDefaultCACertificates(savedCertificates);
  for (const name of ENVIRONMENT) {
    if (savedEnvironment[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnvironment[name];
  }
  await Promise.all([entra?.stop(), managedIdentity?.stop(), github?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
}

const federated = (source: Partial<TokenSourceArgs> & Pick<TokenSourceArgs, 'kind'>): TokenSourceArgs => ({
  tenantId: TENANT,
  clientId: APP.appId,
  audience: APP.appId,
  authorityHost: entra.url,
  ...source,
});

function kubernetesTokenFile(subject = KUBERNETES_SUBJECT): string {
  const now = Math.floor(Date.now() / 1000);
  const path = join(mkdtempSync(join(work, 'sa-')), 'azure-identity-token');
  writeFileSync(path, kubernetes.sign({ sub: subject, aud: [TOKEN_EXCHANGE_AUDIENCE], iat: now, nbf: now, exp: now + 3600 }));
  return path;
}

const job = () => ({ url: github.requestUrl, token: github.requestToken });

describe('getEntraToken, each source against its loopback fake', () => {
  it("returns Entra's token for {audience}/.default from the --authority-host, and when it expires", async () => {
    // Prepare
    const before = entra.requests.length;
    const asked = Date.now();

    // Act
    const { token, expiresOn } = await getEntraToken(federated({ kind: 'certificate', certificate }), new Date());

    // Assess: the application's own token (the per-role audience), from the fake, not another host.
    expect(claimsOf(token)).toMatchObject({ aud: APP.appId, appid: APP.appId, tid: TENANT });
    expect(entra.requests.slice(before)).toContain(`POST /${TENANT}/oauth2/v2.0/token`);
    // MSAL dates the token from expires_in (3599 s in the fake) when it receives it.
    expect(expiresOn.getTime()).toBeGreaterThanOrEqual(asked + 3_599_000 - 1000);
    expect(expiresOn.getTime()).toBeLessThanOrEqual(Date.now() + 3_599_000 + 1000);
  });

  it('asks for the audience it is given, not the client ID', async () => {
    const { token } = await getEntraToken(federated({ kind: 'certificate', certificate, audience: GATEWAY.appId }), new Date());
    expect(claimsOf(token)).toMatchObject({ aud: GATEWAY.appId, appid: APP.appId });
  });

  it("gets a user-assigned managed identity's token from IMDS, naming the identity by its client ID", async () => {
    // Prepare
    const before = managedIdentity.requests.length;

    // Act
    const { token } = await getEntraToken({ kind: 'managed-identity', clientId: MI_USER.appId, audience: GATEWAY.appId }, new Date());

    // Assess
    expect(claimsOf(token)).toMatchObject({ aud: GATEWAY.appId, appid: MI_USER.appId, sub: MI_USER.servicePrincipalId });
    expect(managedIdentity.requests.slice(before).map((request) => request.query.client_id)).toEqual([MI_USER.appId]);
  });

  it("gets the system-assigned managed identity's token when no client ID is given", async () => {
    const { token } = await getEntraToken({ kind: 'managed-identity', audience: GATEWAY.appId }, new Date());
    expect(claimsOf(token)).toMatchObject({ aud: GATEWAY.appId, appid: MI_SYSTEM.appId });
  });

  it("exchanges a Kubernetes service account token for the application's token", async () => {
    const { token } = await getEntraToken(federated({ kind: 'workload-identity', federatedTokenFile: kubernetesTokenFile() }), new Date());
    expect(claimsOf(token)).toMatchObject({ aud: APP.appId, appid: APP.appId });
  });

  it("exchanges the GitHub job's OIDC token for the application's token", async () => {
    // Prepare
    const before = github.requests.length;

    // Act
    const { token } = await getEntraToken(federated({ kind: 'github-actions', githubTokenRequest: job() }), new Date());

    // Assess
    expect(claimsOf(token)).toMatchObject({ aud: APP.appId, appid: APP.appId });
    expect(github.requests.slice(before).map((request) => request.query.audience)).toEqual([TOKEN_EXCHANGE_AUDIENCE]);
  });

  it.each([
    [
      'a Kubernetes service account',
      () => federated({ kind: 'workload-identity', federatedTokenFile: kubernetesTokenFile() }),
      () => KUBERNETES_ISSUER,
      KUBERNETES_SUBJECT,
    ],
    ['a GitHub job', () => federated({ kind: 'github-actions', githubTokenRequest: job() }), () => github.issuer.issuer, GITHUB_SUBJECT],
  ])('names the issuer and subject of %s the application has no federated credential for', async (_case, source, issuer, subject) => {
    const error = await refusal(getEntraToken({ ...source(), clientId: OTHER_APP.appId, audience: OTHER_APP.appId }, new Date()));
    expect(error.exitCode).toBe(EXIT_CODES.entraFederatedCredentialMismatch);
    expect(error.message).toContain('(AADSTS700213)');
    expect(error.message).toContain(`issuer ${issuer()}, subject ${subject}, audience ${TOKEN_EXCHANGE_AUDIENCE}`);
  });
});
