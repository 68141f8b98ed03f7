import type { PolicyDocument } from './ports';

/**
 * Revoking the web identity sessions a role issued before it stopped being federated, the way
 * AWS documents for roles: an inline policy that denies every action to sessions whose
 * `aws:TokenIssueTime` is earlier than the revocation
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html), scoped
 * with `aws:FederatedProvider` to the sessions obtained through the tenant's OIDC provider, so
 * that the role's other principals (EC2, another identity provider, an account principal) keep
 * working. `aws:FederatedProvider` is present in sessions of a role assumed through an IAM OIDC
 * provider and holds the provider's ARN
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-federatedprovider).
 * What it does not reach (sessions chained from a web identity session, which carry their own,
 * later issue time) is in docs/architecture.md#revoking-older-sessions.
 *
 * One policy per role, replaced in place at each revocation (its time only moves forward), and
 * removed by the sweep once every session it denies has run out since its time
 * (`SESSION_REVOCATION_TTL_SECONDS`).
 */

/** The inline policy's name on the role. */
export const REVOKE_SESSIONS_POLICY_NAME = 'EntraRevokeOlderSessions';

/**
 * How long after its time a revocation may still deny a live session: IAM's longest role session
 * plus the longest console session made from it.
 *
 * * A role's maximum session duration is one to twelve hours
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-settings.html#id_roles_update-session-duration),
 *   so the credentials of a session issued before the revocation expire within 43,200 s of it.
 * * But those credentials, while still valid (and a Deny does not stop it), can ask the federation
 *   endpoint for a console sign-in token, whose `SessionDuration` (900 to 43,200 s) is separate
 *   from the session's `DurationSeconds`: the role's maximum session duration "does not apply when
 *   you use those operations to create a console URL"
 *   (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateRole.html, `MaxSessionDuration`;
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html).
 *   The sign-in token it returns is used within 15 minutes of its issue, and the console session
 *   lasts up to 43,200 s. Whether that console session keeps the session's `aws:TokenIssueTime`
 *   is not documented: if it does, the revocation denies it until then.
 *
 * So no session the policy denies outlives it by more than 43,200 + 900 + 43,200 = 87,300 s;
 * removing it sooner could give such a console session its permissions back.
 */
export const SESSION_REVOCATION_TTL_SECONDS = 87_300;

const SID = 'EntraRevokeOlderWebIdentitySessions';

/** IAM dates in conditions: ISO 8601 in UTC; to the second, as `aws:TokenIssueTime` is compared. */
const isoSeconds = (at: Date): string => `${at.toISOString().slice(0, 19)}Z`;

/** The policy that denies every request of a session issued through `providerArn` before `at`. */
export function revokeOlderSessionsPolicy(providerArn: string, at: Date): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: SID,
        Effect: 'Deny',
        // Every action on every resource: the sessions must do nothing more. A Deny with a
        // wildcard grants nothing.
        Action: '*',
        Resource: '*',
        Condition: {
          DateLessThan: { 'aws:TokenIssueTime': isoSeconds(at) },
          StringEquals: { 'aws:FederatedProvider': providerArn },
        },
      },
    ],
  };
}

/** When a revocation policy (as `revokeOlderSessionsPolicy` wrote it) revokes from; `null` for any other document. */
export function revokedBefore(policy: PolicyDocument): Date | null {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const value = statements.find((statement) => statement.Sid === SID)?.Condition?.DateLessThan?.['aws:TokenIssueTime'];
  if (typeof value !== 'string') return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time);
}

/** Whether every session the policy revokes has expired by `now`, so the policy may go. */
export function revocationExpired(policy: PolicyDocument, now: Date): boolean {
  const before = revokedBefore(policy);
  return before !== null && now.getTime() - before.getTime() >= SESSION_REVOCATION_TTL_SECONDS * 1000;
}

/** Keys in order, so that two documents compare equal whatever order IAM returns their keys in. */
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, inner]) => [key, canonical(inner)]),
        )
      : value;

/**
 * When the document is exactly the automation's revocation for this provider (as
 * `revokeOlderSessionsPolicy` writes it, whatever its time), that time; `null` for any other
 * document, such as a team's own policy that happens to bear the name.
 */
export function automationRevocation(policy: PolicyDocument, providerArn: string): Date | null {
  const before = revokedBefore(policy);
  if (before === null) return null;
  const expected = revokeOlderSessionsPolicy(providerArn, before);
  return JSON.stringify(canonical(policy)) === JSON.stringify(canonical(expected)) ? before : null;
}
