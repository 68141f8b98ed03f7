/**
 * Every error a function throws on purpose. The `name` of each class is the contract
 * with the state machines' `Retry`/`Catch` (`ErrorEquals`): the Lambda runtime reports
 * `error.name` as the error type, and Step Functions matches on it. Names are string
 * literals, not `constructor.name`, because the bundles are minified.
 */
export abstract class AutomationError extends Error {
  abstract override readonly name: string;
  /** True when the same call may succeed later (throttling, replication lag, a race). */
  abstract readonly transient: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Microsoft Graph answered 429; `retryAfterSeconds` is its `Retry-After`. */
export class GraphThrottledError extends AutomationError {
  readonly name = 'GraphThrottledError';
  readonly transient = true;
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Microsoft Graph answered 5xx, or the network failed before an answer. */
export class GraphUnavailableError extends AutomationError {
  readonly name = 'GraphUnavailableError';
  readonly transient = true;
}

/**
 * Graph has not yet replicated an object it just created (e.g. a service principal
 * created right after its application fails with `NoBackingApplicationObject`).
 */
export class GraphReplicationLagError extends AutomationError {
  readonly name = 'GraphReplicationLagError';
  readonly transient = true;
}

/** Graph refused the request for good (400, 403, 409…): retrying the same call cannot help. */
export class GraphRequestError extends AutomationError {
  readonly name = 'GraphRequestError';
  readonly transient = false;
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The automation could not get a Microsoft Entra token for itself. */
export class EntraAuthenticationError extends AutomationError {
  readonly name = 'EntraAuthenticationError';
  readonly transient = false;
}

/** IAM `ConcurrentModification` (e.g. two executions changing one OIDC provider at once). */
export class IamConcurrentModificationError extends AutomationError {
  readonly name = 'IamConcurrentModificationError';
  readonly transient = true;
}

/** IAM or STS throttled the call (`Throttling`, `ThrottlingException`, `TooManyRequests`). */
export class IamThrottledError extends AutomationError {
  readonly name = 'IamThrottledError';
  readonly transient = true;
}

/**
 * The automation role in a member account cannot be assumed (AccessDenied, no such role):
 * the member baseline is missing there or does not trust this function's role.
 */
export class MemberAccountAccessError extends AutomationError {
  readonly name = 'MemberAccountAccessError';
  readonly transient = false;
}

/** The role disappeared while an execution was working on it. */
export class RoleNotFoundError extends AutomationError {
  readonly name = 'RoleNotFoundError';
  readonly transient = false;
}

/** The account has no IAM OIDC provider for the tenant (the member baseline is missing). */
export class OidcProviderNotFoundError extends AutomationError {
  readonly name = 'OidcProviderNotFoundError';
  readonly transient = false;
}

/** IAM allows at most 100 client IDs (audiences) per OIDC provider. */
export class AudienceLimitExceededError extends AutomationError {
  readonly name = 'AudienceLimitExceededError';
  readonly transient = false;
}

/** The trust policy cannot be rewritten safely; `reason` is short and goes into the role's status tag. */
export class TrustPolicyRewriteError extends AutomationError {
  readonly name = 'TrustPolicyRewriteError';
  readonly transient = false;
  constructor(
    message: string,
    readonly reason: 'foreign-provider' | 'wildcard' | 'policy-too-large' | 'malformed-policy',
  ) {
    super(message);
  }
}

/**
 * The application name of a role is held by an application the automation did not create
 * (someone registered it first, or made the automation a co-owner of their own). The
 * automation never adopts or modifies it: the role ends `failed:name-taken` and an alarm fires.
 */
export class ApplicationNameTakenError extends AutomationError {
  readonly name = 'ApplicationNameTakenError';
  readonly transient = false;
}

/**
 * Graph refused to create a directory object because the creating principal reached its
 * quota: 250 objects for a principal that is not an administrator, soft-deleted ones
 * included (https://learn.microsoft.com/entra/identity/users/directory-service-limits-restrictions).
 * Retrying cannot help until objects are purged or the quota is raised.
 */
export class EntraQuotaExceededError extends AutomationError {
  readonly name = 'EntraQuotaExceededError';
  readonly transient = false;
}

/**
 * The trust policy names, in `sub`, an identity the tenant does not have (no service principal
 * with that object ID, or one of a kind that cannot sign in as a workload): the role ends
 * `failed:unknown-identity` and nothing is created.
 */
export class UnknownIdentityError extends AutomationError {
  readonly name = 'UnknownIdentityError';
  readonly transient = false;
}

/**
 * The trust policy's statements through the provider do not agree on one identity: some pin
 * `sub` to a service principal and others pin none, a statement pins several, or statements
 * pin different ones. The automation would have to guess which statements to give which
 * audience; it refuses instead (`failed:ambiguous-identity`).
 */
export class AmbiguousIdentityError extends AutomationError {
  readonly name = 'AmbiguousIdentityError';
  readonly transient = false;
}

/**
 * The trust policy names, in `sub`, the automation's own service principal or the gateway's:
 * identities that exist for the platform, not for workloads (`failed:reserved-identity`).
 */
export class ReservedIdentityError extends AutomationError {
  readonly name = 'ReservedIdentityError';
  readonly transient = false;
}

/**
 * The account already has the configured maximum of federated roles with an application of
 * their own (`entra.maxApplicationsPerAccount`), so that one account cannot use everybody's share
 * of the automation's creator quota (`failed:account-quota`).
 */
export class AccountQuotaExceededError extends AutomationError {
  readonly name = 'AccountQuotaExceededError';
  readonly transient = false;
}

/**
 * IAM refused an inline policy on a role because the role's inline policies together would
 * exceed its quota of 10,240 characters (whitespace not counted:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). The automation
 * never removes a team's policies to make room: the role ends `failed:inline-policy-quota` and
 * an alarm fires.
 */
export class InlinePolicyQuotaError extends AutomationError {
  readonly name = 'InlinePolicyQuotaError';
  readonly transient = false;
}

/**
 * An application of the automation (Graph's record, `createdObjects`, says it created it) no
 * longer has the automation among its owners: an owner the role's `entra:owners` named removed
 * it. Under `Application.ReadWrite.OwnedBy` the automation "cannot update any apps that it is not
 * an owner of" (https://learn.microsoft.com/graph/permissions-reference#applicationreadwriteownedby):
 * Graph answers 403 `Authorization_RequestDenied` to a change or a delete, so the automation
 * stops before it writes (`failed:not-owner`, an alarm). An administrator gives the ownership
 * back (docs/operator.md#an-owner-removed-the-automation).
 */
export class NotOwnerError extends AutomationError {
  readonly name = 'NotOwnerError';
  readonly transient = false;
}

/** A function received input that does not match its schema. */
export class InvalidInputError extends AutomationError {
  readonly name = 'InvalidInputError';
  readonly transient = false;
}

/** Every error class the state machines may name, keyed by name. */
export const AUTOMATION_ERRORS = {
  GraphThrottledError,
  GraphUnavailableError,
  GraphReplicationLagError,
  GraphRequestError,
  EntraAuthenticationError,
  IamConcurrentModificationError,
  IamThrottledError,
  MemberAccountAccessError,
  RoleNotFoundError,
  OidcProviderNotFoundError,
  AudienceLimitExceededError,
  TrustPolicyRewriteError,
  ApplicationNameTakenError,
  EntraQuotaExceededError,
  UnknownIdentityError,
  AmbiguousIdentityError,
  ReservedIdentityError,
  AccountQuotaExceededError,
  InlinePolicyQuotaError,
  NotOwnerError,
  InvalidInputError,
} as const;

export type AutomationErrorName = keyof typeof AUTOMATION_ERRORS;

export type TransientErrorName = {
  [K in AutomationErrorName]: InstanceType<(typeof AUTOMATION_ERRORS)[K]>['transient'] extends true ? K : never;
}[AutomationErrorName];

/**
 * Errors worth retrying with backoff: the state machines' `Retry` lists exactly these.
 * Derived from each class's own `transient` flag (read off an instance), so the two cannot
 * disagree.
 */
export const TRANSIENT_ERROR_NAMES: readonly TransientErrorName[] = (
  Object.entries(AUTOMATION_ERRORS) as [AutomationErrorName, new (message: string) => AutomationError][]
)
  .filter(([, ErrorClass]) => new ErrorClass('probe').transient)
  .map(([name]) => name as TransientErrorName);
