import { readFile } from 'node:fs/promises';
import { refuseClearTextEndpoints } from './endpoints';
import { EXIT_CODES, HelperError } from './exit-codes';
import type { TrustPolicy } from './doctor';

export interface RoleFacts {
  trustPolicy: TrustPolicy;
  /** The role's `entra:*` tags, when read from IAM. */
  tags: Record<string, string>;
}

/**
 * Reads a trust policy from a file: the policy document itself, the output of
 * `aws iam get-role` ({ "Role": { "AssumeRolePolicyDocument": … } }), or either URL-encoded
 * as the raw IAM API returns it.
 */
export async function readTrustPolicyFile(path: string): Promise<TrustPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new HelperError(
      EXIT_CODES.usage,
      `Cannot read --trust-policy ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      { cause: error },
    );
  }
  const document = parsePolicy(text, `--trust-policy ${path}`) as { Role?: { AssumeRolePolicyDocument?: unknown } } & TrustPolicy;
  const inner = document.Role?.AssumeRolePolicyDocument;
  if (inner === undefined) return document;
  return typeof inner === 'string' ? (parsePolicy(inner, `--trust-policy ${path}`) as TrustPolicy) : (inner as TrustPolicy);
}

function parsePolicy(text: string, what: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed.startsWith('%7B') || trimmed.startsWith('%7b') ? decodeURIComponent(trimmed) : trimmed);
  } catch (error) {
    throw new HelperError(EXIT_CODES.usage, `${what} is not a JSON policy document (nor aws iam get-role output).`, { cause: error });
  }
}

/** Reads the role with the caller's own AWS credentials (iam:GetRole). */
export async function readRoleFromIam(roleArn: string, region: string, endpoint: string | undefined): Promise<RoleFacts> {
  const { IAMClient, GetRoleCommand } = await import('@aws-sdk/client-iam');
  const client = new IAMClient({ region, endpoint });
  refuseClearTextEndpoints(client, 'IAM');
  const roleName = roleArn.split('/').at(-1) as string;
  try {
    const { Role } = await client.send(new GetRoleCommand({ RoleName: roleName }));
    if (!Role?.AssumeRolePolicyDocument) throw new Error('GetRole returned no trust policy');
    // IAM returns the policy URL-encoded (RFC 3986); the SDK does not decode it.
    const trustPolicy = JSON.parse(decodeURIComponent(Role.AssumeRolePolicyDocument)) as TrustPolicy;
    const tags = Object.fromEntries(
      (Role.Tags ?? []).filter((tag) => tag.Key?.startsWith('entra:')).map((tag) => [tag.Key as string, tag.Value ?? '']),
    );
    return { trustPolicy, tags };
  } catch (error) {
    if (error instanceof HelperError) throw error;
    throw new HelperError(
      EXIT_CODES.unexpected,
      `Could not read role ${roleName} with your AWS credentials (iam:GetRole): ${(error as Error).message}. Give the trust policy as a file instead: aws iam get-role --role-name ${roleName} > role.json; then --trust-policy role.json`,
      { cause: error },
    );
  } finally {
    client.destroy();
  }
}

/** The OIDC provider's client ID list (iam:GetOpenIDConnectProvider); undefined with the reason when unreadable. */
export async function readProviderClientIds(
  providerArn: string,
  region: string,
  endpoint: string | undefined,
): Promise<{ clientIds?: string[]; problem?: string }> {
  const { IAMClient, GetOpenIDConnectProviderCommand } = await import('@aws-sdk/client-iam');
  const client = new IAMClient({ region, endpoint });
  refuseClearTextEndpoints(client, 'IAM');
  try {
    const provider = await client.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn }));
    return { clientIds: provider.ClientIDList ?? [] };
  } catch (error) {
    if (error instanceof HelperError) throw error;
    return { problem: `Could not read ${providerArn} (iam:GetOpenIDConnectProvider): ${(error as Error).message}` };
  } finally {
    client.destroy();
  }
}
