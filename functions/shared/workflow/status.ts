import type { AutomationErrorName } from '../runtime/errors';
import type { Failure, TaskFunctionName } from './contracts';

/**
 * What the automation writes on a role about its federation, in one place: the status
 * values, every `failed:<reason>` with what fixes it, and how an error becomes a reason.
 * docs/operator.md lists the same reasons; a test keeps the two equal.
 */

export const READY = 'ready';
/**
 * Revoked by an operator (`{Prefix}-Role-Revoke`, for an incident): neither the role's events nor
 * the sweep federate it again; only `{Prefix}-Role-Restore` lifts it.
 */
export const REVOKED = 'revoked';
export const FAILED_PREFIX = 'failed:';

export interface FailureReasonInfo {
  /** Whether a later attempt (the next event, a re-run) can succeed without anyone changing anything. */
  readonly retryable: boolean;
  /** What the app team or the operator does about it. */
  readonly fix: string;
}

export const FAILURE_REASONS = {
  'audience-limit': {
    retryable: false,
    fix: "The account's OIDC provider holds IAM's maximum of 100 client IDs: delete unused federated roles in the account.",
  },
  'provider-not-found': {
    retryable: false,
    fix: 'The member baseline is missing in the account: the operator deploys the StackSet there.',
  },
  'policy-too-large': {
    retryable: false,
    fix: 'The pinned trust policy would exceed the account quota: shorten the policy, or raise the quota and set trustPolicyMaxChars.',
  },
  wildcard: { retryable: false, fix: 'The trust policy trusts a wildcard principal or action: name principals and actions exactly.' },
  'foreign-provider': { retryable: false, fix: 'Move other principals out of the statement that trusts the Entra provider.' },
  'malformed-policy': { retryable: false, fix: 'IAM cannot read the trust policy: fix its JSON.' },
  'name-taken': {
    retryable: false,
    fix: "The role's application name is held by an application the automation did not create: a tenant administrator removes it, then the role is updated or re-created.",
  },
  'entra-quota': {
    retryable: false,
    fix: "The automation's identities used their configured share of the Entra creator quota (250 objects each, soft-deleted ones included): the operator purges deleted objects or adds automation identities.",
  },
  'unknown-identity': {
    retryable: false,
    fix: "The trust policy's sub names no service principal of the tenant: name the object ID of an existing identity (a managed identity's principal ID), or leave sub out to get an application.",
  },
  'ambiguous-identity': {
    retryable: false,
    fix: 'The statements that trust the Entra provider must all pin sub to the same one identity, or none of them may: make them agree.',
  },
  'reserved-identity': {
    retryable: false,
    fix: "The trust policy's sub names the automation's or the gateway's own service principal, which no workload may use: name the workload's identity.",
  },
  'account-quota': {
    retryable: false,
    fix: 'The account has the configured maximum of roles with an application of their own: delete unused ones, bring your own identity, or ask the operator to raise entra.maxApplicationsPerAccount.',
  },
  'inline-policy-quota': {
    retryable: false,
    fix: "The role's inline policies fill IAM's 10,240 characters, so the automation could not add the policy that revokes older web identity sessions: the app team moves inline policies to managed ones (which do not count), then updates the trust policy.",
  },
  'not-owner': {
    retryable: false,
    fix: "An owner of the role's application removed the automation from its owners: the automation can neither change nor delete it, and it counts against the automation's quota. A tenant administrator adds the automation's service principal back as an owner (docs/operator.md#an-owner-removed-the-automation); the next event or repair sweep then federates the role again.",
  },
  'entra-authentication': { retryable: false, fix: 'The automation could not sign in to Entra: the operator checks its credential.' },
  'graph-request-refused': { retryable: false, fix: 'Microsoft Graph refused a request: the operator reads the execution for the code.' },
  'graph-throttled': { retryable: true, fix: 'Microsoft Graph throttled the automation: update the trust policy again later.' },
  'graph-unavailable': { retryable: true, fix: 'Microsoft Graph was unavailable: update the trust policy again later.' },
  'graph-replication-lag': { retryable: true, fix: 'Entra had not replicated a new object yet: update the trust policy again later.' },
  'iam-concurrent-modification': { retryable: true, fix: 'IAM reported concurrent changes: update the trust policy again later.' },
  'iam-throttled': { retryable: true, fix: 'IAM throttled the automation: update the trust policy again later.' },
  'member-account-access': {
    retryable: false,
    fix: 'The central functions cannot assume the member roles: the operator checks the StackSet instance of the account.',
  },
  'invalid-input': { retryable: false, fix: 'The execution input was malformed: the operator reads the execution.' },
  timeout: { retryable: true, fix: 'The execution timed out: update the trust policy again later.' },
  unknown: { retryable: false, fix: 'An unexpected error: the operator reads the failed execution.' },
} as const satisfies Record<string, FailureReasonInfo>;

export type FailureReason = keyof typeof FAILURE_REASONS;

/** Every error a Catch may record, by name, and the reason written for it. */
const REASON_BY_ERROR: Readonly<Partial<Record<AutomationErrorName | 'States.Timeout', FailureReason>>> = {
  AudienceLimitExceededError: 'audience-limit',
  OidcProviderNotFoundError: 'provider-not-found',
  InvalidInputError: 'invalid-input',
  EntraAuthenticationError: 'entra-authentication',
  GraphRequestError: 'graph-request-refused',
  GraphThrottledError: 'graph-throttled',
  GraphUnavailableError: 'graph-unavailable',
  GraphReplicationLagError: 'graph-replication-lag',
  IamConcurrentModificationError: 'iam-concurrent-modification',
  IamThrottledError: 'iam-throttled',
  MemberAccountAccessError: 'member-account-access',
  ApplicationNameTakenError: 'name-taken',
  EntraQuotaExceededError: 'entra-quota',
  UnknownIdentityError: 'unknown-identity',
  AmbiguousIdentityError: 'ambiguous-identity',
  ReservedIdentityError: 'reserved-identity',
  AccountQuotaExceededError: 'account-quota',
  InlinePolicyQuotaError: 'inline-policy-quota',
  NotOwnerError: 'not-owner',
  'States.Timeout': 'timeout',
};

/** The reasons a trust policy itself causes: a change of the policy may remove them. */
export const TRUST_POLICY_REASONS: ReadonlySet<string> = new Set<string>([
  'policy-too-large',
  'wildcard',
  'foreign-provider',
  'malformed-policy',
]);

/**
 * The message of a Lambda error as Step Functions reports it: the Cause is the JSON
 * `{"errorType","errorMessage","trace"}` the runtime writes, or a bare message.
 */
function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { errorMessage?: unknown }).errorMessage === 'string') {
      return (parsed as { errorMessage: string }).errorMessage;
    }
  } catch {
    // not JSON: the cause is the message itself
  }
  return cause;
}

/** The `<reason>` of `failed:<reason>` for a failure a Catch recorded. */
export function failureReason(failure: Failure): FailureReason {
  if (failure.Error === 'TrustPolicyRewriteError') {
    // The rewrite's reasons (`wildcard`, `policy-too-large`…) lead its message.
    const prefix = /^([a-z-]+):/.exec(causeMessage(failure.Cause))?.[1];
    return prefix && TRUST_POLICY_REASONS.has(prefix) ? (prefix as FailureReason) : 'malformed-policy';
  }
  return REASON_BY_ERROR[failure.Error as keyof typeof REASON_BY_ERROR] ?? 'unknown';
}

export const failedStatus = (reason: FailureReason): string => `${FAILED_PREFIX}${reason}`;

/**
 * `entra:access`: what the role's whole trust policy admits after the automation ran, by the one
 * judgement's definition of open. `pinned`: pinned identities only, nothing open (the role is
 * ready). `closed`: federation failed, but no statement is open (see `openStatements`).
 * `locked`: the role was open (a failed federation, or a pin that kept a team's statement still
 * admitting the tenant) and the automation denied the provider's tokens but for the pinned
 * identities and the team's own hand-made audiences. `open`: it could not close the role (the
 * lock does not fit, or the policy is unreadable): any identity of the tenant may get in; an alarm fires.
 */
export const ACCESS = { pinned: 'pinned', closed: 'closed', locked: 'locked', open: 'open' } as const;
export type Access = (typeof ACCESS)[keyof typeof ACCESS];

/**
 * Alarms raised from the functions' logs: the assign function's `role left open` and `role
 * tagged as failed` lines (and the Delete's line for an application it may no longer delete)
 * carry `alarm: <name>`, and a metric filter per name and writer (stacks/security-alarms.ts)
 * counts them. One list, read by both sides.
 */
export const LOG_ALARMS = {
  'name-taken':
    'A role could not be federated because an application the automation did not create holds its name: someone may be squatting names.',
  'entra-quota':
    'The automation reached its Entra directory object quota: no new role can be federated until objects are purged or the quota is raised.',
  'role-open': 'A role could not be pinned nor locked: any workload of the tenant may assume it. Fix its trust policy now.',
  'inline-policy-quota':
    "A role stopped being federated, but its inline policies fill IAM's quota: the web identity sessions issued before were not revoked.",
  'role-revoked':
    'An operator revoked a role ({Prefix}-Role-Revoke): the log line says who asked, why, and whether its identity was disabled.',
  'not-owner':
    "An owner removed the automation from the owners of a role's application: the automation can neither change nor delete it, and its quota leaks. A tenant administrator gives the ownership back.",
} as const;
export type LogAlarm = keyof typeof LOG_ALARMS;

/**
 * The functions whose log lines carry each alarm: a metric filter on each one's log group. The
 * assign function tags the role failed; the Delete has no role left to tag when an application
 * it must delete is no longer the automation's to delete; disable-service-principal writes the
 * one line of an operator's revocation.
 */
export const LOG_ALARM_WRITERS: Readonly<Record<LogAlarm, readonly TaskFunctionName[]>> = {
  'name-taken': ['assign-role-to-audience'],
  'entra-quota': ['assign-role-to-audience'],
  'role-open': ['assign-role-to-audience'],
  'inline-policy-quota': ['assign-role-to-audience'],
  'role-revoked': ['disable-service-principal'],
  'not-owner': ['assign-role-to-audience', 'delete-service-principal'],
};

/** The alarm a failure reason raises, if any. */
export const alarmFor = (reason: FailureReason): LogAlarm | undefined =>
  reason === 'name-taken' || reason === 'entra-quota' || reason === 'inline-policy-quota' || reason === 'not-owner' ? reason : undefined;
