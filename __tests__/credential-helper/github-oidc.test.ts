/**
 * requestGitHubOidcToken on its own, against plain loopback servers: what GitHub's answer must
 * look like, and where the bearer request token may go (only to the URL GitHub gave the job).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXIT_CODES } from '../../credential-helper/exit-codes';
import { refusal } from './support/refusal';
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE, requestGitHubOidcToken } from '../../credential-helper/github-oidc';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vcjpyZWY6cmVmcy9oZWFkcy9tYWluIn0.c2ln';
const REQUEST_TOKEN = 'the-job-request-token';

interface Seen {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

interface Loopback {
  readonly url: string;
  readonly seen: Seen[];
  stop(): Promise<void>;
}

/** A server that records each request and answers with `answer(path)`. */
async function serve(answer: (url: string) => { status: number; body?: string; location?: string }): Promise<Loopback> {
  const seen: Seen[] = [];
  const server: Server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', headers: request.headers });
    const { status, body = '', location } = answer(request.url ?? '');
    response.writeHead(status, { 'content-type': 'application/json', ...(location ? { location } : {}) });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

const servers: Loopback[] = [];
async function github(answer: Parameters<typeof serve>[0]): Promise<Loopback> {
  const server = await serve(answer);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

describe('requestGitHubOidcToken', () => {
  it("asks for the audience Entra expects of a federated token (and a federated credential's default)", () => {
    // https://learn.microsoft.com/graph/api/resources/federatedidentitycredential (audiences)
    expect(ENTRA_TOKEN_EXCHANGE_AUDIENCE).toBe('api://AzureADTokenExchange');
  });

  it("asks for Entra's audience with the bearer request token, keeping GitHub's own query, and returns the JWT", async () => {
    const endpoint = await github(() => ({ status: 200, body: JSON.stringify({ value: JWT }) }));

    const token = await requestGitHubOidcToken({ url: `${endpoint.url}/token?api-version=2.0`, token: REQUEST_TOKEN });

    expect(token).toBe(JWT);
    const [request] = endpoint.seen;
    const query = new URL(request.url, endpoint.url).searchParams;
    expect(Object.fromEntries(query)).toEqual({ 'api-version': '2.0', audience: ENTRA_TOKEN_EXCHANGE_AUDIENCE });
    expect(request.headers.authorization).toBe(`Bearer ${REQUEST_TOKEN}`);
    expect(request.headers.accept).toBe('application/json');
  });

  it('replaces an audience already in the URL rather than sending two', async () => {
    const endpoint = await github(() => ({ status: 200, body: JSON.stringify({ value: JWT }) }));

    await requestGitHubOidcToken({ url: `${endpoint.url}/token?audience=sts.amazonaws.com`, token: REQUEST_TOKEN });

    expect(new URL(endpoint.seen[0].url, endpoint.url).searchParams.getAll('audience')).toEqual([ENTRA_TOKEN_EXCHANGE_AUDIENCE]);
  });

  it('does not follow a redirect: the bearer request token never reaches the host it points to', async () => {
    // Attack: an endpoint (or a proxy on the path) that answers 302 to a host it controls would
    // receive the job's request token, with which it could mint OIDC tokens for any audience.
    const elsewhere = await github(() => ({ status: 200, body: JSON.stringify({ value: JWT }) }));
    const endpoint = await github(() => ({ status: 302, location: `${elsewhere.url}/steal` }));

    const error = await refusal(requestGitHubOidcToken({ url: `${endpoint.url}/token`, token: REQUEST_TOKEN }));

    expect(error.exitCode).toBe(EXIT_CODES.tokenSourceUnavailable);
    expect(endpoint.seen).toHaveLength(1);
    expect(elsewhere.seen).toEqual([]);
  });

  it.each([
    ['no URL', { token: REQUEST_TOKEN }],
    ['no request token', { url: 'http://127.0.0.1:9/token' }],
    ['neither', undefined],
  ])('explains a job GitHub gave no OIDC request (%s), without sending anything', async (_case, request) => {
    const error = await refusal(requestGitHubOidcToken(request));
    expect(error.exitCode).toBe(EXIT_CODES.tokenSourceUnavailable);
    expect(error.message).toContain('permissions: id-token: write');
  });

  it.each([
    ['a refusal', 403, JSON.stringify({ message: 'no' })],
    ['a server error', 500, ''],
  ])("explains %s of GitHub's endpoint with its status", async (_case, status, body) => {
    const endpoint = await github(() => ({ status, body }));
    const error = await refusal(requestGitHubOidcToken({ url: `${endpoint.url}/token`, token: REQUEST_TOKEN }));
    expect(error.exitCode).toBe(EXIT_CODES.tokenSourceUnavailable);
    expect(error.message).toContain(`answered ${status}`);
  });

  it.each([
    ['not JSON', 'value=abc'],
    ['no value', JSON.stringify({ token: JWT })],
    ['a value that is not a string', JSON.stringify({ value: 42 })],
    ['a value that is not a JWT (two parts)', JSON.stringify({ value: 'abc.def' })],
    ['a value that is not a JWT (four parts)', JSON.stringify({ value: `${JWT}.more` })],
  ])('refuses an answer with %s', async (_case, body) => {
    const endpoint = await github(() => ({ status: 200, body }));
    const error = await refusal(requestGitHubOidcToken({ url: `${endpoint.url}/token`, token: REQUEST_TOKEN }));
    expect(error.exitCode).toBe(EXIT_CODES.tokenSourceUnavailable);
    expect(error.message).toContain('did not answer');
  });

  it('explains an endpoint that cannot be reached', async () => {
    const endpoint = await github(() => ({ status: 200 }));
    await endpoint.stop();
    servers.splice(servers.indexOf(endpoint), 1);

    const error = await refusal(requestGitHubOidcToken({ url: `${endpoint.url}/token`, token: REQUEST_TOKEN }));

    expect(error.exitCode).toBe(EXIT_CODES.tokenSourceUnavailable);
    expect(error.message).toContain('Could not reach');
  });
});
