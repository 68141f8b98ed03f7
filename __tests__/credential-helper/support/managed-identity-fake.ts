/**
 * Loopback fakes of the two managed identity endpoints @azure/identity (through MSAL) talks to.
 * Both are plain HTTP by design: the platform answers them on the machine itself.
 *
 * IMDS (Azure VMs and scale sets; http://169.254.169.254, or AZURE_POD_IDENTITY_AUTHORITY_HOST):
 * https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token
 * - GET /metadata/identity/oauth2/token?api-version=2018-02-01 (or later)&resource=…
 *   [&client_id=|object_id=|msi_res_id=], header `Metadata: true` (lower case; an SSRF guard);
 * - without the header: 400 bad_request_102 "Required metadata header not specified";
 * - an identity not assigned to the VM: 400 {"error":"invalid_request","error_description":"Identity not found"}
 *   (https://github.com/Azure/azure-sdk-for-net/issues/37278);
 * - an unknown resource: 400 invalid_resource with the AADSTS code;
 * - success: access_token, expires_in / expires_on / not_before as strings of seconds, resource, token_type.
 *
 * App Service and Azure Functions (IDENTITY_ENDPOINT, IDENTITY_HEADER):
 * https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
 * - GET {IDENTITY_ENDPOINT}?resource=…&api-version=2019-08-01[&client_id=…], header
 *   X-IDENTITY-HEADER = the IDENTITY_HEADER value;
 * - success: access_token, expires_on (seconds), resource, token_type, client_id.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EntraFake, FakeApplication } from './entra-fake';

export interface ManagedIdentityRequest {
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
}

export interface ManagedIdentityFake {
  /** IMDS: the value for AZURE_POD_IDENTITY_AUTHORITY_HOST (a base URL; MSAL appends the token path). */
  imdsUrl: string;
  /** App Service: the values for IDENTITY_ENDPOINT and IDENTITY_HEADER. */
  appServiceEndpoint: string;
  appServiceHeader: string;
  requests: ManagedIdentityRequest[];
  stop: () => Promise<void>;
}

export interface FakeManagedIdentities {
  tenant: string;
  /** The resource's system-assigned identity, if any. */
  systemAssigned?: FakeApplication;
  userAssigned: FakeApplication[];
}

const IMDS_PATH = '/metadata/identity/oauth2/token';
const APP_SERVICE_PATH = '/msi/token';
const APP_SERVICE_HEADER = 'b0a5c1d2-aaaa-4bbb-8ccc-0123456789ab';

export async function startManagedIdentityFake(entra: EntraFake, identities: FakeManagedIdentities): Promise<ManagedIdentityFake> {
  const requests: ManagedIdentityRequest[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    // MSAL asks IMDS for .../oauth2/token/ (its URL normaliser adds the slash), which IMDS serves as .../token.
    const path = url.pathname.replace(/(.)\/$/, '$1');
    requests.push({ path, query, headers: request.headers });
    if (request.method !== 'GET') return send(response, 405, { error: 'method_not_allowed' });
    if (path === IMDS_PATH) return imds(request, query, response);
    if (path === APP_SERVICE_PATH) return appService(request, query, response);
    send(response, 404, { error: 'not_found' });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function identity(query: Record<string, string>): FakeApplication | undefined {
    if (query.client_id) return identities.userAssigned.find((candidate) => candidate.appId === query.client_id);
    if (query.object_id || query.principal_id) {
      return identities.userAssigned.find((candidate) => candidate.servicePrincipalId === (query.object_id ?? query.principal_id));
    }
    return identities.systemAssigned;
  }

  function imds(request: IncomingMessage, query: Record<string, string>, response: ServerResponse) {
    if (request.headers.metadata !== 'true')
      return send(response, 400, { error: 'bad_request_102', error_description: 'Required metadata header not specified' });
    if (!query['api-version'] || query['api-version'] < '2018-02-01') {
      return send(response, 400, {
        error: 'invalid_request',
        error_description: 'Required query variable api-version (2018-02-01 or later) is missing or invalid',
      });
    }
    if (!query.resource)
      return send(response, 400, { error: 'invalid_request', error_description: 'Required query variable resource is missing' });
    tokenFor(query, response, (issued, client) => ({
      access_token: issued.token,
      client_id: client.appId,
      expires_in: String(issued.expiresIn),
      expires_on: String(Math.floor(Date.now() / 1000) + issued.expiresIn),
      ext_expires_in: String(issued.expiresIn),
      not_before: String(Math.floor(Date.now() / 1000)),
      resource: query.resource,
      token_type: 'Bearer',
    }));
  }

  function appService(request: IncomingMessage, query: Record<string, string>, response: ServerResponse) {
    if (request.headers['x-identity-header'] !== APP_SERVICE_HEADER) {
      return send(response, 401, { statusCode: 401, message: 'Unauthorized: the X-IDENTITY-HEADER header is missing or wrong.' });
    }
    if (query['api-version'] !== '2019-08-01')
      return send(response, 400, { statusCode: 400, message: `Unsupported api-version ${query['api-version']}` });
    if (!query.resource) return send(response, 400, { statusCode: 400, message: 'Required query variable resource is missing' });
    tokenFor(query, response, (issued, client) => ({
      access_token: issued.token,
      expires_on: String(Math.floor(Date.now() / 1000) + issued.expiresIn),
      resource: query.resource,
      token_type: 'Bearer',
      client_id: client.appId,
    }));
  }

  function tokenFor(
    query: Record<string, string>,
    response: ServerResponse,
    body: (issued: { token: string; expiresIn: number }, client: FakeApplication) => Record<string, string>,
  ) {
    const client = identity(query);
    if (!client) return send(response, 400, { error: 'invalid_request', error_description: 'Identity not found' });
    const issued = entra.issueAccessToken(identities.tenant, client, query.resource);
    if (!issued) {
      return send(response, 400, {
        error: 'invalid_resource',
        error_description: `AADSTS500011: The resource principal named ${query.resource} was not found in the tenant named ${identities.tenant}.`,
      });
    }
    send(response, 200, body(issued, client));
  }

  return {
    imdsUrl: base,
    appServiceEndpoint: `${base}${APP_SERVICE_PATH}`,
    appServiceHeader: APP_SERVICE_HEADER,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => (server as Server).close(() => resolve()));
    },
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}
