import { createHash } from 'node:crypto';
import { InvalidInputError } from '../runtime/errors';
import { accountIdSchema, roleNameSchema } from '../workflow/contracts';

/** IAM unique IDs: upper-case letters and digits, `AROA…` for roles (21 characters today). */
const ROLE_ID = /^[A-Z0-9]{16,128}$/;

/**
 * The `uniqueName` of the Entra application registered for one incarnation of an IAM role:
 *
 *   `aws-{accountId}-{roleKey}-{roleId, lowercased}`, roleKey = first 16 hex of SHA-256(role name, lowercased)
 *
 * `uniqueName` is the application's client-provided alternate key, immutable once set and
 * unique across live and soft-deleted applications
 * (https://learn.microsoft.com/graph/api/resources/application). The role's IAM `RoleId`
 * makes it unpredictable before the role exists, so no tenant user can register it first,
 * and a role deleted and created again gets a new name, never its predecessor's
 * application. The role key lets the Delete flow find every incarnation of a role name by
 * prefix (`applicationNamePrefix`); IAM role names are unique case-insensitively, hence
 * the lowercasing. Lowercase letters, digits and hyphens only (safe in an OData key literal
 * and a URL path), 55 characters.
 */
export function applicationUniqueName(accountId: string, roleName: string, roleId: string): string {
  if (!ROLE_ID.test(roleId)) {
    throw new InvalidInputError(
      `roleId: expected an IAM unique ID (upper-case letters and digits, e.g. AROA…), got ${JSON.stringify(roleId)}`,
    );
  }
  return `${applicationNamePrefix(accountId, roleName)}${roleId.toLowerCase()}`;
}

/** The part of `applicationUniqueName` shared by every incarnation of one role name. */
export function applicationNamePrefix(accountId: string, roleName: string): string {
  const { account, role } = parseKey(accountId, roleName);
  const key = createHash('sha256').update(role.toLowerCase(), 'utf8').digest('hex').slice(0, 16);
  return `aws-${account}-${key}-`;
}

/**
 * The account, role key and role incarnation an application's `uniqueName` names, or `null`
 * for a name `applicationUniqueName` does not make. The sweep reads an application's role
 * incarnation from its name: `RoleId` is upper case in IAM, lower case in the name.
 */
export function parseApplicationUniqueName(uniqueName: string): { accountId: string; roleKey: string; roleId: string } | null {
  const match = /^aws-(\d{12})-([0-9a-f]{16})-([a-z0-9]{16,128})$/.exec(uniqueName);
  return match ? { accountId: match[1], roleKey: match[2], roleId: match[3].toUpperCase() } : null;
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
