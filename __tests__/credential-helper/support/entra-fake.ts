/**
 * A loopback Microsoft Entra token service, just enough of it for app-only certificate
 * sign-in, modelled on:
 * - OpenID discovery: https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration
 * - client credentials with a certificate assertion (x5t / x5t#S256 header, aud = token endpoint,
 *   iss = sub = client ID): https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 * - access token claims (v1: iss https://sts.windows.net/{tid}/, aud, appid, oid, sub, tid, ver "1.0";
 *   v2: iss https://login.microsoftonline.com/{tid}/v2.0, azp, ver "2.0"):
 *   https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
 * - error bodies ({ error, error_description: "AADSTS…", error_codes }):
 *   https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 * - federated client assertions (workload identity federation): a token from an external issuer
 *   whose iss, sub and aud must equal one federated identity credential's issuer, subject and
 *   one of its audiences, else AADSTS70021 / 700211 (issuer) / 700213 (subject) / 700212
 *   (audience): https://learn.microsoft.com/entra/workload-id/workload-identity-federation and
 *   https://azure.github.io/azure-workload-identity/docs/troubleshooting.html
 * - `aud` of an access token: "In v2.0 tokens, this value is always the client ID of the API. In
 *   v1.0 tokens, it can be the client ID or the resource URI used in the request."
 *   (access-token-claims-reference above)
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  verify,
  X509Certificate,
  constants,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type { Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import { sendJson, startHttpsServer, stopServer, type LoopbackTls } from './https-server';

export interface FakeApplication {
  /** The client ID (for a managed identity, its client ID; it has no application registration to sign in with a certificate). */
  appId: string;
  servicePrincipalId: string;
  /** Registered certificate credentials (PEM) and when each registration ends. */
  certificates: { pem: string; endDateTime?: Date }[];
  /** Application ID URIs (e.g. api://…): a token may be requested for the application by one of them. */
  identifierUris?: string[];
  /** Federated identity credentials: which external tokens may sign in as this client (at most 20 in Entra). */
  federatedCredentials?: { issuer: string; subject: string; audiences: string[] }[];
  /** The manifest's api.requestedAccessTokenVersion: which token version Entra issues for this resource. */
  accessTokenVersion: 1 | 2;
  /**
   * Issue tokens whose `exp` has already passed while `expires_in` looks fine: what STS sees
   * when the token service's and STS's clocks disagree, or a token file went stale.
   */
  issuesExpiredTokens?: boolean;
}

export interface EntraFake {
  url: string;
  /** Requests received, by path; a cache hit must leave this unchanged. */
  requests: string[];
  jwks: { keys: JsonWebKeyWithKid[] };
  /** Signs claims with the fake's token-signing key (for tokens the tests build by hand). */
  signToken: (claims: Record<string, unknown>) => string;
  /**
   * Issues an access token for `client` to `resource` (an application ID or identifier URI), as
   * Entra does behind a managed identity endpoint; undefined when the tenant has no such resource.
   */
  issueAccessToken: (tenant: string, client: FakeApplication, resource: string) => { token: string; expiresIn: number } | undefined;
  /** Trusts an external issuer's signing keys, as Entra reads them through the issuer's OpenID discovery. */
  trustIssuer: (issuer: string, jwks: { keys: JsonWebKeyWithKid[] }) => void;
  stop: () => Promise<void>;
}

export type JsonWebKeyWithKid = JsonWebKey & { kid: string };

export async function startEntraFake(
  tls: LoopbackTls,
  tenants: Record<string, FakeApplication[]>,
  tokenLifetimeSeconds = 3599,
): Promise<EntraFake> {
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = createHash('sha256')
    .update(signingKey.publicKey.export({ format: 'der', type: 'spki' }))
    .digest('base64url')
    .slice(0, 27);
  const jwk: JsonWebKeyWithKid = { ...signingKey.publicKey.export({ format: 'jwk' }), kid, use: 'sig' };
  const requests: string[] = [];
  const signToken = (claims: Record<string, unknown>) => signJwt({ typ: 'JWT', alg: 'RS256', kid }, claims, signingKey.privateKey);

  let base = '';
  const { server, url } = await startHttpsServer(tls, (request, body, response) => {
    const path = (request.url ?? '/').split('?')[0];
    requests.push(`${request.method} ${path}`);
    const match = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token)$/.exec(path);
    if (!match) return sendJson(response, 404, { error: 'not_found' });
    const [, tenant, endpoint] = match;
    const applications = tenants[tenant];
    if (!applications) {
      return aadError(
        response,
        400,
        'invalid_tenant',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    if (endpoint.startsWith('v2.0')) {
      return sendJson(response, 200, {
        token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
        jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
        issuer: `${base}/${tenant}/v2.0`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        id_token_signing_alg_values_supported: ['RS256'],
        tenant_region_scope: 'EU',
      });
    }
    if (endpoint.startsWith('discovery')) return sendJson(response, 200, { keys: [jwk] });
    return token(tenant, applications, new URLSearchParams(body), `${base}/${tenant}/oauth2/v2.0/token`, response);
  });
  base = url;

  const trustedIssuers = new Map<string, { keys: JsonWebKeyWithKid[] }>();

  function issueAccessToken(tenant: string, client: FakeApplication, requested: string): { token: string; expiresIn: number } | undefined {
    const resource = (tenants[tenant] ?? []).find((app) => app.appId === requested || app.identifierUris?.includes(requested));
    if (!resource) return undefined;
    const issuedAt = Math.floor(Date.now() / 1000) - (client.issuesExpiredTokens ? tokenLifetimeSeconds + 120 : 0);
    const common = {
      iat: issuedAt,
      nbf: issuedAt,
      exp: issuedAt + tokenLifetimeSeconds,
      oid: client.servicePrincipalId,
      sub: client.servicePrincipalId,
      tid: tenant,
      roles: [] as string[],
    };
    const claims =
      resource.accessTokenVersion === 1
        ? {
            aud: requested,
            iss: `https://sts.windows.net/${tenant}/`,
            appid: client.appId,
            appidacr: '2',
            idp: `https://sts.windows.net/${tenant}/`,
            ver: '1.0',
            ...common,
          }
        : {
            aud: resource.appId,
            iss: `https://login.microsoftonline.com/${tenant}/v2.0`,
            azp: client.appId,
            azpacr: '2',
            ver: '2.0',
            ...common,
          };
    return { token: signToken(claims), expiresIn: tokenLifetimeSeconds };
  }

  function token(tenant: string, applications: FakeApplication[], form: URLSearchParams, endpoint: string, response: ServerResponse) {
    const clientId = form.get('client_id') ?? '';
    const application = applications.find((app) => app.appId === clientId);
    if (form.get('grant_type') !== 'client_credentials')
      return aadError(response, 400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (!application) {
      return aadError(
        response,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      );
    }
    // An assertion the client signed itself names it as issuer; any other issuer is a federated token.
    const assertion = decodeAssertion(form);
    if (assertion && assertion.claims.iss !== application.appId) {
      const refused = checkFederatedAssertion(assertion, application, trustedIssuers);
      if (refused) return aadError(response, refused.status, 'invalid_client', refused.code, refused.description);
    } else {
      const assertionProblem = checkAssertion(form, application, endpoint);
      if (assertionProblem) return aadError(response, 401, 'invalid_client', 700027, assertionProblem);
    }
    const scope = form.get('scope') ?? '';
    const requested = scope.replace(/\/\.default$/, '');
    const issued = scope.endsWith('/.default') ? issueAccessToken(tenant, application, requested) : undefined;
    if (!issued) {
      return aadError(
        response,
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${requested} was not found in the tenant named ${tenant}.`,
      );
    }
    sendJson(response, 200, {
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      ext_expires_in: issued.expiresIn,
      access_token: issued.token,
    });
  }

  return {
    url,
    requests,
    jwks: { keys: [jwk] },
    signToken,
    issueAccessToken,
    trustIssuer: (issuer, keys) => void trustedIssuers.set(issuer, keys),
    stop: () => stopServer(server as Server),
  };
}

interface Assertion {
  header: Record<string, string>;
  claims: Record<string, unknown>;
  raw: string;
}

function decodeAssertion(form: URLSearchParams): Assertion | undefined {
  const raw = form.get('client_assertion') ?? '';
  const parts = raw.split('.');
  if (parts.length !== 3) return undefined;
  try {
    return {
      header: JSON.parse(Buffer.from(parts[0], 'base64url').toString()) as Record<string, string>,
      claims: JSON.parse(Buffer.from(parts[1], 'base64url').toString()) as Record<string, unknown>,
      raw,
    };
  } catch {
    return undefined;
  }
}

/** Checks a federated token against the application's federated identity credentials, as Entra does. */
function checkFederatedAssertion(
  assertion: Assertion,
  application: FakeApplication,
  trustedIssuers: Map<string, { keys: JsonWebKeyWithKid[] }>,
): { status: number; code: number; description: string } | undefined {
  const { iss, sub, aud } = assertion.claims as { iss?: string; sub?: string; aud?: string | string[] };
  const audiences = ([] as string[]).concat(aud ?? []);
  const check =
    'Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation';
  const credentials = application.federatedCredentials ?? [];
  const forIssuer = credentials.filter((credential) => credential.issuer === iss);
  if (forIssuer.length === 0) {
    return {
      status: 400,
      code: 700211,
      description: `No matching federated identity record found for presented assertion issuer '${iss}'. ${check}`,
    };
  }
  const forSubject = forIssuer.filter((credential) => credential.subject === sub);
  if (forSubject.length === 0) {
    return {
      status: 400,
      code: 700213,
      description: `No matching federated identity record found for presented assertion subject '${sub}'. ${check}`,
    };
  }
  if (!forSubject.some((credential) => credential.audiences.some((audience) => audiences.includes(audience)))) {
    return {
      status: 400,
      code: 700212,
      description: `No matching federated identity record found for presented assertion audience '${audiences.join(',')}'. ${check}`,
    };
  }
  const keys = trustedIssuers.get(iss as string);
  if (!keys || !verifyJwt(assertion.raw, keys)) {
    return { status: 401, code: 50013, description: 'Assertion failed signature validation. [Reason - The key was not found.]' };
  }
  const exp = assertion.claims.exp;
  if (typeof exp !== 'number' || exp * 1000 < Date.now()) {
    return {
      status: 400,
      code: 700024,
      description: `Client assertion is not within its valid time range. Current time: ${new Date().toISOString()}, expiry time of assertion ${typeof exp === 'number' ? new Date(exp * 1000).toISOString() : '(none)'}.`,
    };
  }
  return undefined;
}

/** Verifies the client assertion as Entra does; returns the AADSTS700027 description on failure. */
function checkAssertion(form: URLSearchParams, application: FakeApplication, endpoint: string): string | undefined {
  if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    return 'Client assertion type is missing.';
  const parts = (form.get('client_assertion') ?? '').split('.');
  if (parts.length !== 3) return 'Client assertion is not a JWT.';
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString()) as Record<string, string>;
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString()) as Record<string, unknown>;
  const registered = application.certificates.find(({ pem }) => {
    const der = new X509Certificate(pem).raw;
    return (
      header['x5t#S256'] === createHash('sha256').update(der).digest('base64url') ||
      header.x5t === createHash('sha1').update(der).digest('base64url')
    );
  });
  if (!registered) {
    return `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${header.x5t ?? header['x5t#S256']}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${application.appId}'.]`;
  }
  const key = new X509Certificate(registered.pem).publicKey;
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  const valid =
    header.alg === 'RS256'
      ? verify('sha256', data, key, signature)
      : header.alg === 'PS256'
        ? verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature)
        : false;
  if (!valid) return 'Client assertion contains an invalid signature. [Reason - The key was not found.]';
  if (registered.endDateTime && registered.endDateTime.getTime() < Date.now()) {
    return `Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '${header.x5t ?? header['x5t#S256']}', Found key 'End=${registered.endDateTime.toISOString()}']`;
  }
  if (claims.aud !== endpoint || claims.iss !== application.appId || claims.sub !== application.appId)
    return 'Client assertion audience or issuer is wrong.';
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return 'Client assertion is not within its valid time range.';
  return undefined;
}

function aadError(response: ServerResponse, status: number, error: string, code: number, description: string): void {
  const traceId = randomUUID();
  sendJson(response, status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString().replace('T', ' ').slice(0, 19)}Z`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: traceId,
    correlation_id: randomUUID(),
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}

export function signJwt(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const encoded = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${encoded}.${sign('sha256', Buffer.from(encoded), key).toString('base64url')}`;
}

/** Verifies an RS256 JWT against a JWKS: the check a relying party (here, the STS fake) makes. */
export function verifyJwt(token: string, jwks: { keys: JsonWebKeyWithKid[] }): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString()) as Record<string, string>;
    const jwk = jwks.keys.find((key) => key.kid === header.kid);
    if (!jwk || header.alg !== 'RS256') return undefined;
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    if (!verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'))) return undefined;
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
