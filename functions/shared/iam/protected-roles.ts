/**
 * Roles the automation never writes: platform roles (organization access, Control Tower,
 * StackSet execution, CDK bootstrap, service-linked and IAM Identity Center roles) and the
 * baseline's own roles. The member roles deny every role write action on them in IAM (the
 * guarantee); the router also ignores their events, so nothing even starts.
 *
 * A pattern uses IAM's ARN wildcards (`*` any run of characters, `/` included; `?` one
 * character, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards)
 * over the part of the role ARN after `role/`, which is the role's path without its leading
 * `/` followed by its name (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns):
 * `aws-service-role/*` covers every service-linked role. A pattern without `/` names roles
 * by name at any path (`cdk-*`).
 */

/** 1–100 of IAM's name and path characters plus the wildcards, not starting with `/`. */
export const PROTECTED_ROLE_PATTERN = /^(?!\/)[\w+=,.@/*?-]{1,100}$/;

/** The ARN suffixes (after `role/`) a pattern covers: a bare name at the root and under any path. */
export function protectedRoleArnSuffixes(pattern: string): string[] {
  return pattern.includes('/') ? [pattern] : [pattern, `*/${pattern}`];
}

const escapeRegExp = (value: string): string => value.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** IAM compares role ARNs as written; the router is case-insensitive (IAM role names are unique regardless of case). */
function wildcardRegExp(pattern: string): RegExp {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : escapeRegExp(char)))
    .join('');
  return new RegExp(`^${source}$`, 'is');
}

export interface RoleReference {
  readonly roleName: string;
  /** The role's path (`/` or `/a/b/`), when the event carries it (CreateRole does; other calls name only the role). */
  readonly path?: string;
}

/**
 * The first pattern that protects the role, or `undefined`. Without a path only patterns
 * without `/` can be decided; a role under a protected path whose event names only the role
 * still meets the member roles' Deny in IAM.
 */
export function protectedBy(patterns: readonly string[], role: RoleReference): string | undefined {
  const path = role.path === undefined ? undefined : role.path.replace(/^\//, '');
  return patterns.find((pattern) => {
    if (path === undefined) return !pattern.includes('/') && wildcardRegExp(pattern).test(role.roleName);
    const suffix = `${path}${role.roleName}`;
    return protectedRoleArnSuffixes(pattern).some((covered) => wildcardRegExp(covered).test(suffix));
  });
}
