/**
 * A loopback GitHub Actions OIDC token endpoint: GET ACTIONS_ID_TOKEN_REQUEST_URL with
 * `&audience=…` and `Authorization: bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>`, answering
 * `{ "value": "<JWT>" }` signed by https://token.actions.githubusercontent.com, whose `aud` is
 * the requested audience and `sub` describes the job (repo:OWNER/REPO:ref:refs/heads/BRANCH, …):
 * https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
 */
import type { Server } from 'node:https';
import { randomBytes } from 'node:crypto';
import { sendJson, startHttpsServer, stopServer, type LoopbackTls } from './https-server';
import { makeOidcIssuer, type OidcIssuer } from './oidc-issuer';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface GitHubOidcFake {
  /** ACTIONS_ID_TOKEN_REQUEST_URL (it already holds a query, as GitHub's does). */
  requestUrl: string;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string;
  issuer: OidcIssuer;
  /** The job's subject claim. */
  subject: string;
  requests: { query: Record<string, string>; authorization?: string }[];
  stop: () => Promise<void>;
}

export async function startGitHubOidcFake(tls: LoopbackTls, subject: string): Promise<GitHubOidcFake> {
  const issuer = makeOidcIssuer(GITHUB_ISSUER);
  const requestToken = randomBytes(24).toString('hex');
  const requests: GitHubOidcFake['requests'] = [];
  const { server, url } = await startHttpsServer(tls, (request, _body, response) => {
    const query = Object.fromEntries(new URL(request.url ?? '/', 'https://127.0.0.1').searchParams);
    requests.push({ query, authorization: request.headers.authorization });
    const [scheme, credential] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || credential !== requestToken) return sendJson(response, 401, { message: 'Bad credentials' });
    const now = Math.floor(Date.now() / 1000);
    const value = issuer.sign({
      sub: subject,
      aud: query.audience ?? 'https://github.com/contoso',
      repository: subject.split(':')[1],
      ref: 'refs/heads/main',
      iat: now,
      nbf: now,
      exp: now + 300,
    });
    sendJson(response, 200, { count: 1, value });
  });
  return {
    requestUrl: `${url}/_apis/distributedtask/hubs/build/plans/1/jobs/2/idtoken?api-version=2.0`,
    requestToken,
    issuer,
    subject,
    requests,
    stop: () => stopServer(server as Server),
  };
}
