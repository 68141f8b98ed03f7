import type { MiddlewareStack } from '@smithy/types';
import { EXIT_CODES, HelperError } from './exit-codes';

/**
 * Endpoint overrides carry secrets: the STS endpoint receives the Entra token (a bearer
 * credential for the role), the IAM endpoint the caller's signed requests and session token,
 * the GitHub OIDC request URL its bearer request token. Over plain HTTP any host on the path
 * reads them, so an override must be https://, or http:// to this machine (a local fake or
 * proxy), where nothing leaves the host.
 *
 * Platform endpoints that are plain HTTP by design are not overrides and are left as the
 * platform defines them: Azure IMDS at http://169.254.169.254 (link-local, answered by the
 * host: https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token),
 * App Service's IDENTITY_ENDPOINT (https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference),
 * and AZURE_POD_IDENTITY_AUTHORITY_HOST, which @azure/identity reads itself.
 */
export function endpointProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'an absolute http(s):// URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return url.protocol === 'http:'
    ? `https:// (http:// is only accepted to a loopback address: 127.0.0.0/8, [::1] or localhost; ${url.hostname} is not one, and the token would cross the network in clear text)`
    : `an https:// URL (not ${url.protocol}//)`;
}

/** 127.0.0.0/8, ::1 and localhost. `URL` has already normalised the host (e.g. 127.1 → 127.0.0.1, brackets kept on IPv6). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets?.slice(1).every((octet) => Number(octet) <= 255) ?? false;
}

/**
 * Refuses to send a request of `client` to a clear-text, non-loopback endpoint, wherever the
 * SDK found it: our flags, or the SDK's own configured endpoints (AWS_ENDPOINT_URL_<SERVICE>,
 * AWS_ENDPOINT_URL, a profile's endpoint_url:
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html). Runs in the
 * `build` step, after the endpoint is resolved and before anything is sent.
 */
export function refuseClearTextEndpoints<Input extends object, Output extends object>(
  // The type of every AWS SDK v3 client's stack (@smithy/types is the SDK's own type package; a type-only import loads nothing).
  client: { middlewareStack: MiddlewareStack<Input, Output> },
  service: 'STS' | 'IAM',
): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { protocol?: string; hostname?: string; port?: number };
      const url = `${request.protocol ?? ''}//${request.hostname ?? ''}${request.port ? `:${request.port}` : ''}`;
      const problem = endpointProblem(url);
      if (problem) {
        throw new HelperError(
          EXIT_CODES.usage,
          `The ${service} endpoint ${url} must be ${problem}. It came from --${service.toLowerCase()}-endpoint, AWS_ENDPOINT_URL_${service}, AWS_ENDPOINT_URL or the profile's endpoint_url; fix or unset it.`,
        );
      }
      return next(args);
    },
    { step: 'build', name: 'refuseClearTextEndpoints' },
  );
}
