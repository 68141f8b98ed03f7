import type { ProcessCredentials } from './cache';
import { refuseClearTextEndpoints } from './endpoints';
import { EXIT_CODES, HelperError } from './exit-codes';

export interface ExchangeRequest {
  token: string;
  roleArn: string;
  roleSessionName: string;
  durationSeconds: number;
  region: string;
  /** Only for tests against a fake; the default is the region's public STS endpoint (or the SDK's configured endpoint). */
  endpoint?: string;
}

/**
 * `AssumeRoleWithWebIdentity` is an unsigned STS call: the token is the credential.
 * The client gets a credentials provider that fails loudly instead of the SDK's default chain,
 * so the helper never reads (or needs) AWS keys, profiles or instance metadata.
 */
export async function exchangeToken(request: ExchangeRequest): Promise<ProcessCredentials> {
  const { STSClient, AssumeRoleWithWebIdentityCommand } = await import('@aws-sdk/client-sts');
  const client = new STSClient({
    region: request.region,
    endpoint: request.endpoint,
    credentials: () => Promise.reject(new Error('AssumeRoleWithWebIdentity must not need AWS credentials')),
  });
  refuseClearTextEndpoints(client, 'STS');
  try {
    const response = await client.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: request.roleArn,
        RoleSessionName: request.roleSessionName,
        WebIdentityToken: request.token,
        DurationSeconds: request.durationSeconds,
      }),
    );
    const credentials = response.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken || !credentials.Expiration) {
      throw new HelperError(EXIT_CODES.stsOther, 'STS answered AssumeRoleWithWebIdentity without complete credentials.');
    }
    return {
      Version: 1,
      AccessKeyId: credentials.AccessKeyId,
      SecretAccessKey: credentials.SecretAccessKey,
      SessionToken: credentials.SessionToken,
      Expiration: credentials.Expiration.toISOString(),
    };
  } catch (error) {
    throw error instanceof HelperError ? error : explainStsError(error, request.roleArn);
  } finally {
    client.destroy();
  }
}

function explainStsError(error: unknown, roleArn: string): HelperError {
  const name = (error as { name?: string }).name ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const doctor = `Run the same command with "doctor" first (entra-aws-credentials doctor --role-arn ${roleArn} --tenant-id … --client-id … --certificate …) to see which check fails.`;
  switch (name) {
    case 'AccessDenied':
      return new HelperError(
        EXIT_CODES.stsAccessDenied,
        `STS denied AssumeRoleWithWebIdentity on ${roleArn}: the role's trust policy does not accept this token (its :aud or :sub condition, or its provider). STS said: ${message}\n${doctor}`,
        { cause: error },
      );
    case 'InvalidIdentityToken':
    case 'InvalidIdentityTokenException':
      return new HelperError(
        EXIT_CODES.stsInvalidIdentityToken,
        `STS rejected the Entra token as invalid: ${message}\nUsually the account has no OIDC provider for the token's issuer (v1 vs v2 token), or the provider does not list the client ID.\n${doctor}`,
        { cause: error },
      );
    case 'ExpiredToken':
    case 'ExpiredTokenException':
      return new HelperError(
        EXIT_CODES.stsExpiredToken,
        `STS says the Entra token has expired: ${message}\nCheck this machine's clock.\n${doctor}`,
        { cause: error },
      );
    default:
      return new HelperError(EXIT_CODES.stsOther, `STS AssumeRoleWithWebIdentity failed (${name || 'error'}): ${message}`, {
        cause: error,
      });
  }
}
