import { TRANSIENT_ERROR_NAMES } from '../functions/shared/errors';
import { TASK_FUNCTION_NAMES, type TaskFunctionName } from '../functions/shared/contracts';

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

export interface FailState {
  readonly Type: 'Fail';
  readonly Comment?: string;
  readonly Error: string;
  readonly Cause: string;
}

export type State = TaskState | ChoiceState | SucceedState | FailState;

export interface StateMachineDefinition {
  readonly Comment: string;
  readonly StartAt: string;
  readonly TimeoutSeconds: number;
  readonly States: Readonly<Record<string, State>>;
}

export type TaskFunctionArns = Readonly<Record<TaskFunctionName, string>>;

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
  ErrorEquals: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ],
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
 * create-service-principal → add-audience-id-provider → assign-role-to-audience.
 * Any failure compensates: the role's application and its audience are removed unless the
 * role's trust policy is pinned to them (a role that was ready keeps working; found by the
 * role's unique name, so also when the failing step never returned), then the role is
 * tagged `failed:<reason>` and locked if it is open, unless it is gone: a clean end.
 */
export function createWorkflowDefinition(arns: TaskFunctionArns): StateMachineDefinition {
  return {
    Comment: 'Registers an Entra application for an IAM role that trusts the tenant, adds its audience and pins the trust policy.',
    StartAt: 'CreateServicePrincipal',
    TimeoutSeconds: 3600,
    States: {
      CreateServicePrincipal: task(
        arns['create-service-principal'],
        'Reads the role; upserts its Entra application and service principal; adds the owners named in entra:owners.',
        { Next: 'IsRoleFederated' },
        'RemoveApplication',
      ),
      IsRoleFederated: {
        Type: 'Choice',
        Comment: 'A role that is gone, no longer trusts the tenant, or is federated by hand needs nothing.',
        Choices: [{ Variable: '$.application.outcome', StringEquals: 'skipped', Next: 'NothingToFederate' }],
        Default: 'AddAudienceToProvider',
      },
      NothingToFederate: { Type: 'Succeed' },
      AddAudienceToProvider: task(
        arns['add-audience-id-provider'],
        "Adds the application's client ID to the account's OIDC provider.",
        { Next: 'AssignRoleToAudience' },
        'RemoveApplication',
      ),
      AssignRoleToAudience: task(
        arns['assign-role-to-audience'],
        'Pins aud and sub in the trust policy and tags the role.',
        { Next: 'Federated' },
        'RemoveApplication',
      ),
      Federated: { Type: 'Succeed' },
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
        Choices: [{ Variable: '$.failure.Error', StringEquals: 'RoleNotFoundError', Next: 'RoleGone' }],
        Default: 'RecordFailureOnRole',
      },
      RoleGone: { Type: 'Succeed' },
      RecordFailureOnRole: {
        ...task(
          arns['assign-role-to-audience'],
          'Tags the role entra:federation-status=failed:<reason> so the app team sees why, and locks it if it is open.',
          { Next: 'FederationFailed' },
        ),
        Catch: [{ ErrorEquals: ['RoleNotFoundError'], ResultPath: '$.recordFailure', Next: 'RoleGone' }],
      },
      LockAfterFailedCompensation: {
        // The compensation's own error is in $.compensationFailure; $.failure still says why
        // the Create failed, which is the reason the role is tagged with.
        ...task(
          arns['assign-role-to-audience'],
          'The compensation failed (Graph down, say): still tag the role failed:<reason> and lock it if it is open, which needs no Graph.',
          { Next: 'CompensationFailed' },
        ),
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.lockFailure', Next: 'CompensationFailed' }],
      },
      FederationFailed: {
        Type: 'Fail',
        Error: 'FederationFailed',
        Cause: 'The role could not be federated; its entra:federation-status tag says why.',
      },
      CompensationFailed: {
        Type: 'Fail',
        Error: 'CompensationFailed',
        Cause:
          "An application or audience may be left behind: the role's next event removes it, or an operator does (docs/operator.md, runbook).",
      },
    },
  };
}

/** delete-service-principal → remove-audience-id-provider; both are no-ops when nothing exists. */
export function deleteWorkflowDefinition(arns: TaskFunctionArns): StateMachineDefinition {
  return {
    Comment: "Removes the Entra application of a role that no longer trusts the tenant, and its audience.",
    StartAt: 'DeleteServicePrincipal',
    TimeoutSeconds: 3600,
    States: {
      DeleteServicePrincipal: task(
        arns['delete-service-principal'],
        "Deletes the role's applications of every earlier incarnation (and the current one unless the role still trusts the tenant) with their service principals, and purges them.",
        { Next: 'HadApplication' },
      ),
      HadApplication: {
        Type: 'Choice',
        Choices: [{ Variable: '$.deleted.any', BooleanEquals: false, Next: 'NothingToDelete' }],
        Default: 'RemoveAudienceFromProvider',
      },
      NothingToDelete: { Type: 'Succeed' },
      RemoveAudienceFromProvider: task(
        arns['remove-audience-id-provider'],
        "Removes the deleted applications' client IDs from the account's OIDC provider.",
        { End: true },
      ),
    },
  };
}
