import { PLATFORM_ENV } from './args';
import { EXIT_CODES, HelperError } from './exit-codes';

/**
 * The audience Entra expects in a federated token (and the default of a federated identity
 * credential): https://learn.microsoft.com/graph/api/resources/federatedidentitycredential
 */
export const ENTRA_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/**
 * Asks GitHub Actions for the job's OIDC token, for Entra's audience: a GET of
 * ACTIONS_ID_TOKEN_REQUEST_URL with `&audience=…`, the request token as a bearer credential,
 * answering `{ "value": "<JWT>" }`:
 * https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#updating-your-actions-for-oidc
 * The URL was checked (https://, or http:// to loopback) with the other endpoint overrides;
 * redirects are refused so the bearer token goes nowhere else.
 */
export async function requestGitHubOidcToken(request: { url?: string; token?: string } | undefined): Promise<string> {
  if (!request?.url || !request.token) {
    throw new HelperError(
      EXIT_CODES.tokenSourceUnavailable,
      `GitHub Actions gave this job no OIDC token (${PLATFORM_ENV.githubTokenRequestUrl} / ${PLATFORM_ENV.githubTokenRequestToken} are not set). Give the job "permissions: id-token: write" (a pull_request from a fork never gets one), and run the helper in a step of that job.`,
    );
  }
  const url = new URL(request.url);
  url.searchParams.set('audience', ENTRA_TOKEN_EXCHANGE_AUDIENCE);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Authorization: `Bearer ${request.token}`, Accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new HelperError(
      EXIT_CODES.tokenSourceUnavailable,
      `Could not reach GitHub's OIDC token endpoint ${url.origin}: ${(error as Error).message}.`,
      { cause: error },
    );
  }
  const text = await response.text();
  if (!response.ok) {
    throw new HelperError(
      EXIT_CODES.tokenSourceUnavailable,
      `GitHub's OIDC token endpoint answered ${response.status}: ${text.slice(0, 300)}. The request token lives as long as the job; run the helper in the job that has "permissions: id-token: write".`,
    );
  }
  let value: unknown;
  try {
    value = (JSON.parse(text) as { value?: unknown }).value;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string' || value.split('.').length !== 3) {
    throw new HelperError(EXIT_CODES.tokenSourceUnavailable, `GitHub's OIDC token endpoint did not answer { "value": "<JWT>" }.`);
  }
  return value;
}
