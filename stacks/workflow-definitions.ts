import { TRANSIENT_ERROR_NAMES } from '../functions/shared/runtime';
import {
  TASK_FUNCTION_NAMES,
  type TaskFunctionName,
  LOCK_HELD_ERROR,
  ROLE_LOCK_ATTRIBUTES,
  ROLE_LOCK_LEASE_SECONDS,
  WORKFLOW_TIMEOUT_SECONDS,
} from '../functions/shared/workflow';

/**
 * The Amazon States Language definitions of `Web-Identity-Role-Create` and
 * `Web-Identity-Role-Delete`, as typed data. The stack renders them with the task
 * functions' ARNs; the end-to-end tests run the rendered JSON from the synthesized
 * configuration with aws-local-stepfunctions.
 *
 * Every task gets the whole state (`Payload.$: "$"`) and returns it with its result
 * added, so `OutputPath: "$.Payload"` keeps one flat, readable execution state.
 */

export interface RetryRule {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds: number;
  readonly MaxAttempts: number;
  readonly BackoffRate: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

export interface CatchRule {
  readonly ErrorEquals: readonly string[];
  readonly ResultPath: string;
  readonly Next: string;
}

/** A Task that invokes one of the task functions. */
export interface TaskState {
  readonly Type: 'Task';
  readonly Comment?: string;
  readonly Resource: 'arn:aws:states:::lambda:invoke';
  readonly Parameters: { readonly FunctionName: string; readonly 'Payload.$': string };
  readonly OutputPath: '$.Payload';
  readonly Retry: readonly RetryRule[];
  readonly Catch?: readonly CatchRule[];
  readonly Next?: string;
  readonly End?: true;
}

/**
 * A Task that writes the role-lock table through Step Functions' optimized DynamoDB integration
 * (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html): no function in between.
 */
export interface LockTaskState {
  readonly Type: 'Task';
  readonly Comment?: string;
  readonly Resource: 'arn:aws:states:::dynamodb:putItem' | 'arn:aws:states:::dynamodb:deleteItem';
  readonly Parameters: Readonly<Record<string, unknown>>;
  /** The lock's answer is of no use downstream: the state's input passes through. */
  readonly ResultPath: null;
  readonly Retry: readonly RetryRule[];
  readonly Catch: readonly CatchRule[];
  readonly Next: string;
}

/** Only operators aws-local-stepfunctions evaluates correctly (its `IsNull: false` never matches). */
export interface ChoiceRule {
  readonly Variable: string;
  readonly StringEquals?: string;
  readonly BooleanEquals?: boolean;
  readonly Next: string;
}

export interface ChoiceState {
  readonly Type: 'Choice';
  readonly Comment?: string;
  readonly Choices: readonly ChoiceRule[];
  readonly Default: string;
}

export interface SucceedState {
  readonly Type: 'Succeed';
  readonly Comment?: string;
}

export type FailState =
  | { readonly Type: 'Fail'; readonly Comment?: string; readonly Error: string; readonly Cause: string }
  /** The error a `Catch` recorded, passed on as the execution's own. */
  | { readonly Type: 'Fail'; readonly Comment?: string; readonly ErrorPath: string; readonly CausePath: string };

/** A Pass that builds the state from the input and the execution's context (`$$`). */
export interface PassState {
  readonly Type: 'Pass';
  readonly Comment?: string;
  readonly Parameters: Readonly<Record<string, unknown>>;
  readonly Next: string;
}

export type State = TaskState | LockTaskState | ChoiceState | SucceedState | FailState | PassState;

export interface StateMachineDefinition {
  readonly Comment: string;
  readonly StartAt: string;
  readonly TimeoutSeconds: number;
  readonly States: Readonly<Record<string, State>>;
}

export type TaskFunctionArns = Readonly<Record<TaskFunctionName, string>>;

/** Where the state machines keep the role locks (the table's name, or a Terraform reference to it). */
export interface LockTable {
  readonly tableName: string;
}

/**
 * Transient errors: throttling and replication lag clear within seconds to minutes, so
 * back off exponentially with full jitter (several executions may hit the same
 * provider or Graph tenant at once) for up to ~10 minutes in all.
 */
const RETRY_TRANSIENT: RetryRule = {
  ErrorEquals: [...TRANSIENT_ERROR_NAMES],
  IntervalSeconds: 2,
  MaxAttempts: 8,
  BackoffRate: 2,
  MaxDelaySeconds: 120,
  JitterStrategy: 'FULL',
};

/** Errors of the Lambda service itself, as AWS recommends retrying for `lambda:invoke`. */
const RETRY_LAMBDA_SERVICE: RetryRule = {
  ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
  IntervalSeconds: 1,
  MaxAttempts: 3,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

const RETRIES = [RETRY_TRANSIENT, RETRY_LAMBDA_SERVICE] as const;

/** A task; `catchTo` catches any error into `catchResultPath` (`$.failure` unless a compensation keeps the first failure). */
function task(
  functionArn: string,
  comment: string,
  next: { Next: string } | { End: true },
  catchTo?: string,
  catchResultPath = '$.failure',
): TaskState {
  return {
    Type: 'Task',
    Comment: comment,
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: functionArn, 'Payload.$': '$' },
    OutputPath: '$.Payload',
    Retry: RETRIES,
    ...(catchTo ? { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: catchResultPath, Next: catchTo }] } : {}),
    ...next,
  };
}

/**
 * Waiting for a role's lock: another execution of the same role runs (seconds, or up to ~10
 * minutes while it retries an outage). Capped backoff with full jitter, about 17 minutes on
 * average and at most ~35 before the execution gives up (`RoleLockNotAcquired`).
 */
const RETRY_LOCK_HELD: RetryRule = {
  ErrorEquals: [LOCK_HELD_ERROR],
  IntervalSeconds: 1,
  MaxAttempts: 70,
  BackoffRate: 2,
  MaxDelaySeconds: 30,
  JitterStrategy: 'FULL',
};

/**
 * Any other failure of the lock table (throttling, an internal error: `States.TaskFailed`
 * matches every task error but a timeout, https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
 */
const RETRY_LOCK_TABLE: RetryRule = {
  ErrorEquals: ['States.TaskFailed'],
  IntervalSeconds: 1,
  MaxAttempts: 5,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

const { key: KEY, holder: HOLDER, expiresAt: EXPIRES_AT } = ROLE_LOCK_ATTRIBUTES;

/**
 * Takes the role's lock: writes the item unless another execution holds it and its lease has
 * not run out. Taking it again is allowed to the holder (a retried write whose first answer was
 * lost). The lease counts from the router's clock reading (`$.lock.routedAt`), and a waiter
 * compares against its own reading: earlier than now, so it never takes a live lock.
 */
function acquireLock(lock: LockTable, next: string, onFailure: string): LockTaskState {
  return {
    Type: 'Task',
    Comment: "Takes the role's lock: one execution per role at a time (docs/architecture.md#concurrency-one-execution-per-role).",
    Resource: 'arn:aws:states:::dynamodb:putItem',
    Parameters: {
      TableName: lock.tableName,
      Item: {
        [KEY]: { 'S.$': '$.lock.key' },
        [HOLDER]: { 'S.$': '$$.Execution.Id' },
        [EXPIRES_AT]: { 'N.$': `States.Format('{}', States.MathAdd($.lock.routedAt, ${ROLE_LOCK_LEASE_SECONDS}))` },
      },
      ConditionExpression: 'attribute_not_exists(#key) OR #holder = :me OR #expiresAt < :now',
      ExpressionAttributeNames: { '#key': KEY, '#holder': HOLDER, '#expiresAt': EXPIRES_AT },
      ExpressionAttributeValues: {
        ':me': { 'S.$': '$$.Execution.Id' },
        ':now': { 'N.$': "States.Format('{}', $.lock.routedAt)" },
      },
    },
    ResultPath: null,
    Retry: [RETRY_LOCK_HELD, RETRY_LOCK_TABLE],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.lockFailure', Next: onFailure }],
    Next: next,
  };
}

/**
 * Releases the role's lock if this execution still holds it. A release that fails changes
 * nothing about the outcome: the lease frees the role later.
 */
function releaseLock(lock: LockTable, next: string): LockTaskState {
  return {
    Type: 'Task',
    Comment: `Releases the role's lock, then ${next}.`,
    Resource: 'arn:aws:states:::dynamodb:deleteItem',
    Parameters: {
      TableName: lock.tableName,
      Key: { [KEY]: { 'S.$': '$.lock.key' } },
      ConditionExpression: '#holder = :me',
      ExpressionAttributeNames: { '#holder': HOLDER },
      ExpressionAttributeValues: { ':me': { 'S.$': '$$.Execution.Id' } },
    },
    ResultPath: null,
    // Not held any more (its lease ran out and another execution took it): nothing to release.
    Retry: [{ ...RETRY_LOCK_HELD, MaxAttempts: 0 }, RETRY_LOCK_TABLE],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.lockRelease', Next: next }],
    Next: next,
  };
}

/** The name of the state that releases the lock before the terminal state `terminal`. */
const releaseBefore = (terminal: string): string => `ReleaseLockThen${terminal}`;

/** Every terminal state, preceded by the release of the lock. */
function withReleases(lock: LockTable, terminals: Readonly<Record<string, SucceedState | FailState>>): Record<string, State> {
  return Object.fromEntries(
    Object.entries(terminals).flatMap(([name, state]) => [
      [releaseBefore(name), releaseLock(lock, name)],
      [name, state],
    ]),
  );
}

const LOCK_NOT_ACQUIRED: FailState = {
  Type: 'Fail',
  Comment: 'Nothing was changed: the role stays as it was until its next event or a re-run.',
  Error: 'RoleLockNotAcquired',
  Cause:
    "Another execution held the role's lock for longer than this one waits, or the lock table refused: re-run the role (docs/operator.md#re-running-one-role).",
};

/** The task functions a definition invokes (`lambda:invoke` states, those inside Map states included), in registry order. */
export function invokedTasks(definition: object, arns: TaskFunctionArns): TaskFunctionName[] {
  const invoked = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      const node = value as { Resource?: unknown; Parameters?: { FunctionName?: unknown } };
      if (node.Resource === 'arn:aws:states:::lambda:invoke') invoked.add(node.Parameters?.FunctionName);
      Object.values(value).forEach(visit);
    }
  };
  visit(definition);
  return TASK_FUNCTION_NAMES.filter((task) => invoked.has(arns[task]));
}

/**
 * A team's `UpdateAssumeRolePolicy` first writes the team's document again if the automation
 * overwrote it (functions/shared/workflow/team-writes.ts), then the workflow judges the role as
 * after any update. Other events go straight to `next`.
 */
function teamWriteStates(arns: TaskFunctionArns, next: string, onFailure: string): Record<string, State> {
  return {
    IsTeamWrite: {
      Type: 'Choice',
      Comment: "An app team's UpdateAssumeRolePolicy: its document may have been overwritten by the automation.",
      Choices: [{ Variable: '$.eventName', StringEquals: 'UpdateAssumeRolePolicy', Next: 'ReapplyTeamWrite' }],
      Default: next,
    },
    ReapplyTeamWrite: task(
      arns['assign-role-to-audience'],
      "Writes the team's document again if the automation's write overwrote it (the role's entra:trust-policy-write says when that write's read was).",
      { Next: next },
      onFailure,
    ),
  };
}

/**
 * The role's lock → (a team's write applied again) → create-service-principal → add-audience-id-provider → assign-role-to-audience.
 * Any failure compensates: the role's application and its audience are removed unless the
 * role's trust policy is pinned to them (a role that was ready keeps working; found by the
 * role's unique name, so also when the failing step never returned), then the role is
 * tagged `failed:<reason>` and locked if it is open, unless it is gone: a clean end. Every
 * way out releases the role's lock; an execution that never got it changed nothing and
 * ends `RoleLockNotAcquired`.
 */

export function createWorkflowDefinition(arns: TaskFunctionArns, lock: LockTable): StateMachineDefinition {
  return {
    Comment: 'Registers an Entra application for an IAM role that trusts the tenant, adds its audience and pins the trust policy.',
    StartAt: 'AcquireRoleLock',
    TimeoutSeconds: WORKFLOW_TIMEOUT_SECONDS,
    States: {
      AcquireRoleLock: acquireLock(lock, 'IsTeamWrite', 'RoleLockNotAcquired'),
      RoleLockNotAcquired: LOCK_NOT_ACQUIRED,
      ...teamWriteStates(arns, 'CreateServicePrincipal', 'RemoveApplication'),
      CreateServicePrincipal: task(
        arns['create-service-principal'],
        'Reads the role; upserts its Entra application and service principal; adds the owners named in entra:owners.',
        { Next: 'IsRoleFederated' },
        'RemoveApplication',
      ),
      IsRoleFederated: {
        Type: 'Choice',
        Comment: 'A role that is gone, no longer trusts the tenant, or is federated by hand needs nothing.',
        Choices: [{ Variable: '$.application.outcome', StringEquals: 'skipped', Next: releaseBefore('NothingToFederate') }],
        Default: 'AddAudienceToProvider',
      },
      AddAudienceToProvider: task(
        arns['add-audience-id-provider'],
        "Adds the application's client ID to the account's OIDC provider.",
        { Next: 'AssignRoleToAudience' },
        'RemoveApplication',
      ),
      AssignRoleToAudience: task(
        arns['assign-role-to-audience'],
        'Pins aud and sub in the trust policy and tags the role.',
        { Next: 'WasRolePinnedElsewhere' },
        'RemoveApplication',
      ),
      WasRolePinnedElsewhere: {
        Type: 'Choice',
        Comment: "Re-pinned to another identity than its tags named: the earlier identity's sessions are revoked.",
        Choices: [{ Variable: '$.assigned.revokeOlderSessions', BooleanEquals: true, Next: 'RevokeSessionsAfterPin' }],
        Default: releaseBefore('Federated'),
      },
      RevokeSessionsAfterPin: {
        ...task(arns['revoke-older-sessions'], "Denies the role's web identity sessions issued before now (EntraRevokeOlderSessions).", {
          Next: releaseBefore('Federated'),
        }),
        // The role stays pinned to its new identity; a full inline policy quota is tagged on it (and alarms).
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'IsRoleGone' }],
      },
      RemoveApplication: task(
        arns['delete-service-principal'],
        "Compensation: deletes and purges the role's application and service principal, unless the role is pinned to it.",
        { Next: 'WasApplicationRemoved' },
        'LockAfterFailedCompensation',
        '$.compensationFailure',
      ),
      WasApplicationRemoved: {
        Type: 'Choice',
        Choices: [{ Variable: '$.deleted.any', BooleanEquals: true, Next: 'RemoveAudience' }],
        Default: 'IsRoleGone',
      },
      RemoveAudience: task(
        arns['remove-audience-id-provider'],
        "Compensation: removes the application's client ID from the provider.",
        { Next: 'IsRoleGone' },
        'LockAfterFailedCompensation',
        '$.compensationFailure',
      ),
      IsRoleGone: {
        Type: 'Choice',
        Comment: 'A role deleted part-way is a clean end: its Delete execution owns the rest.',
        Choices: [{ Variable: '$.failure.Error', StringEquals: 'RoleNotFoundError', Next: releaseBefore('RoleGone') }],
        Default: 'RecordFailureOnRole',
      },
      RecordFailureOnRole: {
        ...task(
          arns['assign-role-to-audience'],
          'Tags the role entra:federation-status=failed:<reason> so the app team sees why, and locks it if it is open.',
          { Next: 'WasRoleLockedNow' },
        ),
        Catch: [
          { ErrorEquals: ['RoleNotFoundError'], ResultPath: '$.recordFailure', Next: releaseBefore('RoleGone') },
          { ErrorEquals: ['States.ALL'], ResultPath: '$.recordFailure', Next: releaseBefore('FailureNotRecorded') },
        ],
      },
      WasRoleLockedNow: {
        Type: 'Choice',
        Comment: 'A role that was open until the lock: the sessions anyone of the tenant took are revoked.',
        Choices: [{ Variable: '$.recordedFailure.revokeOlderSessions', BooleanEquals: true, Next: 'RevokeSessionsAfterLock' }],
        Default: releaseBefore('FederationFailed'),
      },
      RevokeSessionsAfterLock: {
        ...task(
          arns['revoke-older-sessions'],
          "Denies the locked role's web identity sessions issued before now (EntraRevokeOlderSessions).",
          { Next: releaseBefore('FederationFailed') },
        ),
        // Recorded on the role in place of the first reason; the role is locked by now, so the second record revokes nothing more.
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RecordFailureOnRole' }],
      },
      LockAfterFailedCompensation: {
        // The compensation's own error is in $.compensationFailure; $.failure still says why
        // the Create failed, which is the reason the role is tagged with.
        ...task(
          arns['assign-role-to-audience'],
          'The compensation failed (Graph down, say): still tag the role failed:<reason> and lock it if it is open, which needs no Graph.',
          { Next: 'WasRoleLockedAfterCompensation' },
        ),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.lockFailure', Next: releaseBefore('CompensationFailed') }],
      },
      WasRoleLockedAfterCompensation: {
        Type: 'Choice',
        Choices: [{ Variable: '$.recordedFailure.revokeOlderSessions', BooleanEquals: true, Next: 'RevokeSessionsAfterCompensationLock' }],
        Default: releaseBefore('CompensationFailed'),
      },
      RevokeSessionsAfterCompensationLock: {
        ...task(
          arns['revoke-older-sessions'],
          "Denies the locked role's web identity sessions issued before now (EntraRevokeOlderSessions).",
          { Next: releaseBefore('CompensationFailed') },
        ),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'LockAfterFailedCompensation' }],
      },
      // Every way out releases the role's lock first.
      ...withReleases(lock, {
        NothingToFederate: { Type: 'Succeed' },
        Federated: { Type: 'Succeed' },
        RoleGone: { Type: 'Succeed' },
        FederationFailed: {
          Type: 'Fail',
          Error: 'FederationFailed',
          Cause: 'The role could not be federated; its entra:federation-status tag says why.',
        },
        FailureNotRecorded: {
          Type: 'Fail',
          Comment: "The role's failure could not be tagged on it: the execution ends with that error.",
          ErrorPath: '$.recordFailure.Error',
          CausePath: '$.recordFailure.Cause',
        },
        CompensationFailed: {
          Type: 'Fail',
          Error: 'CompensationFailed',
          Cause:
            "An application or audience may be left behind: the role's next event removes it, or an operator does (docs/operator.md, runbook).",
        },
      }),
    },
  };
}

/**
 * The role's lock → (a team's write applied again) → delete-service-principal →
 * (revoke-older-sessions, when the role left federation) → remove-audience-id-provider; each is a
 * no-op when nothing exists. A failed task ends the execution with its own error, after the lock is released.
 */
export function deleteWorkflowDefinition(arns: TaskFunctionArns, lock: LockTable): StateMachineDefinition {
  return {
    Comment: 'Removes the Entra application of a role that no longer trusts the tenant, and its audience.',
    StartAt: 'AcquireRoleLock',
    TimeoutSeconds: WORKFLOW_TIMEOUT_SECONDS,
    States: {
      AcquireRoleLock: acquireLock(lock, 'IsTeamWrite', 'RoleLockNotAcquired'),
      RoleLockNotAcquired: LOCK_NOT_ACQUIRED,
      ...teamWriteStates(arns, 'DeleteServicePrincipal', releaseBefore('DeleteFailed')),
      DeleteServicePrincipal: task(
        arns['delete-service-principal'],
        "Deletes the role's applications of every earlier incarnation (and the current one unless the role still trusts the tenant) with their service principals, and purges them.",
        { Next: 'DidRoleLeaveFederation' },
        releaseBefore('DeleteFailed'),
      ),
      DidRoleLeaveFederation: {
        Type: 'Choice',
        Comment:
          'The role exists, its tags name an identity and it no longer trusts the tenant: its older web identity sessions are revoked.',
        Choices: [{ Variable: '$.deleted.revokeOlderSessions', BooleanEquals: true, Next: 'RevokeOlderSessions' }],
        Default: 'HadApplication',
      },
      RevokeOlderSessions: {
        ...task(
          arns['revoke-older-sessions'],
          "Denies the role's web identity sessions issued before now through the tenant's provider (EntraRevokeOlderSessions).",
          { Next: 'HadApplication' },
        ),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RecordRevocationFailure' }],
      },
      RecordRevocationFailure: {
        ...task(
          arns['assign-role-to-audience'],
          'Tags the role entra:federation-status=failed:<reason> (inline-policy-quota: its older sessions live on; an alarm fires).',
          { Next: 'HadApplication' },
        ),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.recordFailure', Next: 'HadApplication' }],
      },
      HadApplication: {
        Type: 'Choice',
        Choices: [{ Variable: '$.deleted.any', BooleanEquals: false, Next: releaseBefore('NothingToDelete') }],
        Default: 'RemoveAudienceFromProvider',
      },
      RemoveAudienceFromProvider: task(
        arns['remove-audience-id-provider'],
        "Removes the deleted applications' client IDs from the account's OIDC provider.",
        { Next: releaseBefore('Deleted') },
        releaseBefore('DeleteFailed'),
      ),
      // Every way out releases the role's lock first.
      ...withReleases(lock, {
        NothingToDelete: { Type: 'Succeed' },
        Deleted: { Type: 'Succeed' },
        DeleteFailed: {
          Type: 'Fail',
          Comment: "The failed task's error is the execution's: the role's next event, or an operator, finishes the delete.",
          ErrorPath: '$.failure.Error',
          CausePath: '$.failure.Cause',
        },
      }),
    },
  };
}

/**
 * The operator's input as the tasks see it: `request` (validated by the first task, which names
 * a missing or wrong field) and `eventId`, the execution's name, which names the member account
 * sessions in CloudTrail.
 */
const TAKE_REQUEST: PassState = {
  Type: 'Pass',
  Comment: "The operator's input under request; the execution's name as the event ID.",
  Parameters: { 'request.$': '$', 'eventId.$': '$$.Execution.Name' },
  Next: 'Start',
};

const failWith = (cause: string): FailState => ({
  Type: 'Fail',
  ErrorPath: '$.failure.Error',
  CausePath: '$.failure.Cause',
  Comment: cause,
});

/**
 * An operator's switch for an incident (docs/operator.md#revoking-a-role-in-an-incident): locks the
 * role against every web identity token and tags it `revoked` → revokes its web identity sessions
 * issued before now → disables its service principal in Entra and writes the one log line that
 * raises the `role-revoked` alarm with who asked and why. Deletes nothing. A failed session
 * revocation (a full inline policy quota) does not stop the rest: the log line says so.
 */
export function revokeWorkflowDefinition(arns: TaskFunctionArns): StateMachineDefinition {
  return {
    Comment: 'Revokes one role in an incident: lock, revoke its sessions, disable its service principal, alarm. Deletes nothing.',
    StartAt: 'TakeRequest',
    TimeoutSeconds: WORKFLOW_TIMEOUT_SECONDS,
    States: {
      TakeRequest: { ...TAKE_REQUEST, Next: 'RevokeRole' },
      RevokeRole: task(
        arns['revoke-role'],
        'Validates the request; locks the role against every web identity token; tags it revoked.',
        { Next: 'RevokeSessions' },
        'RevokeFailed',
      ),
      RevokeSessions: {
        ...task(arns['revoke-older-sessions'], "Denies the role's web identity sessions issued before now (EntraRevokeOlderSessions).", {
          Next: 'DisableServicePrincipal',
        }),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.sessionsFailure', Next: 'DisableServicePrincipal' }],
      },
      DisableServicePrincipal: task(
        arns['disable-service-principal'],
        "Disables the role's service principal (not a brought identity) and raises the role-revoked alarm.",
        { Next: 'Revoked' },
        'RevokeFailed',
      ),
      Revoked: { Type: 'Succeed' },
      RevokeFailed: failWith('The role is revoked as far as the failed step got; run the revocation again (every step is idempotent).'),
    },
  };
}

/**
 * Lifts a revocation: removes the status `revoked` → enables the service principal again → the
 * Create steps federate the role again, to the same application, and their pin replaces the lock.
 * The revocation policy stays (the sessions from before stay denied). A failure tags the role
 * `failed:<reason>` and leaves it locked.
 */
export function restoreWorkflowDefinition(arns: TaskFunctionArns): StateMachineDefinition {
  return {
    Comment: 'Restores one revoked role: enables its service principal and federates it again to the same application.',
    StartAt: 'TakeRequest',
    TimeoutSeconds: WORKFLOW_TIMEOUT_SECONDS,
    States: {
      TakeRequest: { ...TAKE_REQUEST, Next: 'RestoreRole' },
      RestoreRole: task(
        arns['restore-role'],
        'Validates the request; lifts the revoked status.',
        { Next: 'EnableServicePrincipal' },
        'RestoreFailed',
      ),
      EnableServicePrincipal: task(
        arns['enable-service-principal'],
        "Enables the role's service principal again (a brought identity is left as it is).",
        { Next: 'CreateServicePrincipal' },
        'RecordFailureOnRole',
      ),
      CreateServicePrincipal: task(
        arns['create-service-principal'],
        "Reads the role; finds its application (the same, by the role's unique name) and service principal.",
        { Next: 'IsRoleFederated' },
        'RecordFailureOnRole',
      ),
      IsRoleFederated: {
        Type: 'Choice',
        Comment: 'A role that is gone or no longer trusts the tenant needs nothing more.',
        Choices: [{ Variable: '$.application.outcome', StringEquals: 'skipped', Next: 'Restored' }],
        Default: 'AddAudienceToProvider',
      },
      AddAudienceToProvider: task(
        arns['add-audience-id-provider'],
        "Adds the application's client ID to the provider, if absent.",
        { Next: 'AssignRoleToAudience' },
        'RecordFailureOnRole',
      ),
      AssignRoleToAudience: task(
        arns['assign-role-to-audience'],
        'Pins aud and sub again (the pin replaces the lock) and tags the role ready.',
        { Next: 'Restored' },
        'RecordFailureOnRole',
      ),
      RecordFailureOnRole: {
        ...task(arns['assign-role-to-audience'], 'Tags the role failed:<reason>; the lock stays.', { Next: 'RestoreFailed' }),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.recordFailure', Next: 'RestoreFailed' }],
      },
      Restored: { Type: 'Succeed' },
      RestoreFailed: failWith('The role is not restored; its entra:federation-status says why. Fix the cause and run the restore again.'),
    },
  };
}
