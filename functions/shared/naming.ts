import { createHash } from 'node:crypto';
import { InvalidInputError } from './errors';
import { accountIdSchema, roleNameSchema } from './contracts';

/**
 * Names of the Entra application registered for one IAM role.
 *
 * `uniqueName` is the application's client-provided alternate key
 * (https://learn.microsoft.com/graph/api/resources/application: "Immutable";
 * https://learn.microsoft.com/graph/api/application-upsert). The docs do not list the
 * characters it accepts, so the name is kept to lowercase letters, digits and hyphens,
 * which are safe in an OData key literal and in a URL path without escaping:
 *
 *   readable:  `aws-{accountId}-r-{role name, lowercased}`  when the name is `[A-Za-z0-9-]+`
 *   hashed:    `aws-{accountId}-h-{first 32 hex of SHA-256(role name, lowercased)}` otherwise
 *
 * Lowercasing is exact, not lossy: IAM role names are unique case-insensitively, so
 * `Deployer` and `deployer` cannot both exist in one account. The `r-`/`h-` markers keep
 * the two forms disjoint (a role literally named `h-<hex>` still gets an `r-` name), so
 * the mapping is injective up to a 128-bit hash collision. At most 83 characters.
 */
export function applicationUniqueName(accountId: string, roleName: string): string {
  const { account, role } = parseKey(accountId, roleName);
  const lower = role.toLowerCase();
  if (/^[a-z0-9-]+$/.test(lower)) return `aws-${account}-r-${lower}`;
  const digest = createHash('sha256').update(lower, 'utf8').digest('hex').slice(0, 32);
  return `aws-${account}-h-${digest}`;
}

/**
 * What people see in the Entra portal: `{prefix}-{accountId}-{roleName}`, the role name
 * as written (display names need not be unique; `uniqueName` is the key).
 */
export function applicationDisplayName(prefix: string, accountId: string, roleName: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/.test(prefix)) {
    throw new InvalidInputError(
      `displayNamePrefix: expected 1–64 letters, digits, spaces, '.', '_' or '-' starting with a letter or digit, got ${JSON.stringify(prefix)}`,
    );
  }
  const { account, role } = parseKey(accountId, roleName);
  return `${prefix}-${account}-${role}`;
}

function parseKey(accountId: string, roleName: string): { account: string; role: string } {
  const account = accountIdSchema.safeParse(accountId);
  if (!account.success) {
    throw new InvalidInputError(`accountId: expected a 12-digit AWS account ID, got ${JSON.stringify(accountId)}`);
  }
  const role = roleNameSchema.safeParse(roleName);
  if (!role.success) {
    throw new InvalidInputError(
      `roleName: expected an IAM role name (1–64 characters of letters, digits and +=,.@_-), got ${JSON.stringify(roleName)}`,
    );
  }
  return { account: account.data, role: role.data };
}
