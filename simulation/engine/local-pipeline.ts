import { StateMachine } from 'aws-local-stepfunctions';
import type { BatchResponse, ExecutionStarter } from '../../functions/router/core';
import { makeRouterHandler } from '../../functions/router/handler';
import {
  TASK_CAPABILITIES,
  TASK_FUNCTION_NAMES,
  type AudienceMode,
  type MemberCapability,
  type TaskFunctionName,
  type WorkflowInput,
  stateMachineNames,
} from '../../functions/shared/workflow';
import type { TaskHandler, Logger } from '../../functions/shared/runtime';
import type { EntraDirectory } from '../../functions/shared/entra';
import type { OpenMemberAccount } from '../../functions/shared/iam';
import type { DynamoDbTable } from '../fakes/dynamodb-model';
import type { VirtualScheduler } from './scheduler';
import { IgnoredEvents, observingLogger, type IgnoredEvent } from './ignored-events';

/**
 * The central pipeline in one process: SQS batch → the real router handler → a local
 * "Step Functions" that runs the state machines' ASL with aws-local-stepfunctions, whose
 * Task states call the real task handlers (Lambda tasks) or the role-lock table (DynamoDB
 * tasks). Used by the end-to-end tests and `simulate`.
 *
 * Under load (`timing`, the simulator's virtual clock) it also plays what
 * aws-local-stepfunctions does in real time or not at all: a task invocation takes time;
 * a Step Functions retry waits its interval (IntervalSeconds × BackoffRate^n, capped by
 * MaxDelaySeconds, with full jitter where the rule says so:
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html) on the
 * virtual clock, read from the state's own `Retry`; an execution that outlives the
 * definition's `TimeoutSeconds` times out; at most `maxConcurrentExecutions` run at once.
 */

export interface PipelineSettings {
  /** The configuration's `namePrefix`: it names the state machines. */
  readonly namePrefix: string;
  readonly tenantId: string;
  readonly tokenVersion: 1 | 2;
  /** Base name of the member roles (`{name}-reader`, `-audience`, `-pin`). */
  readonly automationRoleName: string;
  /** Role patterns the router ignores (stacks/member-baseline-template.ts protectedRolePatterns). */
  readonly protectedRoles: readonly string[];
  readonly appNamePrefix: string;
  readonly trustPolicyMaxChars: number;
  /** `entra.audienceMode`, `entra.dualAudience`, `entra.maxApplicationsPerAccount` (0: none) of the configuration. */
  readonly audienceMode: AudienceMode;
  readonly dualAudience: boolean;
  readonly maxApplicationsPerAccount: number;
  /** `entra.automationIdentities`, and what each may create (stacks/config.ts identityObjectLimit). */
  readonly automationIdentities: number;
  readonly identityObjectLimit: number;
  /** Objects of each identity's share of its creator quota, as the sweep counts it (stacks/config.ts identityQuotaShare). */
  readonly identityQuotaShare: number;
}

/** The tenant's platform identities the plan makes, as the stack passes them to the functions. */
export interface PlatformIdentities {
  readonly gatewayClientId: string;
  readonly gatewayServicePrincipalId: string;
  readonly automationServicePrincipalId: string;
  /** Every automation identity's client ID, the first one first. */
  readonly automationClientIds: readonly string[];
}

export interface LocalPipelineOptions {
  /** The ASL of the machines (from the synthesized configuration); the operator's two when an operation runs. */
  readonly definitions: { readonly create: object; readonly delete: object; readonly revoke?: object; readonly restore?: object };
  readonly settings: PipelineSettings & PlatformIdentities;
  /** IAM in member accounts through the member role of a capability (each task function has one). */
  readonly openAccountAs: (capability: MemberCapability) => OpenMemberAccount;
  readonly directory: EntraDirectory;
  readonly logger: Logger;
  /** Called before each task function invocation: tests use it to change the world mid-execution. */
  readonly beforeTask?: (stateName: string, input: WorkflowInput) => void | Promise<void>;
  /** The role-lock table the state machines' DynamoDB tasks write. */
  readonly lockTable: DynamoDbTable;
  /** Virtual time (see the header); without it every task is instantaneous and retries do not wait. */
  readonly timing?: PipelineTiming;
  /** At most this many executions run at once; the others wait for a slot. Default: no limit. */
  readonly maxConcurrentExecutions?: number;
  /** The router's clock, in milliseconds since the epoch (`Date.now` by default). */
  readonly now?: () => number;
}

/** What the pipeline needs of the virtual clock (simulation/engine/scheduler.ts). */
export type PipelineTiming = Pick<VirtualScheduler, 'sleep' | 'travel' | 'now' | 'next' | 'at'>;

export interface PipelineStats {
  /** The most executions that ran at once. */
  maxInFlight: number;
  /** Step Functions retries, by the error that caused them. */
  readonly retries: Record<string, number>;
}

export interface ExecutionRecord {
  /** `{Prefix}-Role-Create` or `{Prefix}-Role-Delete`, as deployed. */
  readonly stateMachine: string;
  readonly name: string;
  readonly input: WorkflowInput;
  /** What the machine is started with when it is not `input`: an operator's request (revoke, restore). */
  readonly operatorRequest?: OperatorRequest;
  /** `TIMED_OUT`: it outlived the definition's `TimeoutSeconds` (under `timing` only). */
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  /** Every state entered, in order (retries show as repeats). */
  readonly states: string[];
  output?: unknown;
  error?: { readonly Error: string; readonly Cause?: unknown };
}

export interface LocalPipeline {
  /** Delivers EventBridge events to the router as one SQS batch; executions start in the background. */
  deliver(events: readonly unknown[]): Promise<BatchResponse>;
  /** Waits until every started execution has ended (including ones started meanwhile). */
  drain(): Promise<void>;
  readonly executions: readonly ExecutionRecord[];
  /** StartExecution on the local machines (the router's, and the sweep's `startExecution.sync`). */
  readonly starter: ExecutionStarter;
  /** The machines' local ARNs. */
  readonly stateMachineArns: { readonly create: string; readonly delete: string };
  /** Executions started and not ended yet (waiting for a slot included). */
  unfinished(): number;
  /** Delivered events that started nothing, with the router's reason (docs/simulate.md#ignored-events). */
  ignoredEvents(): IgnoredEvent[];
  readonly stats: PipelineStats;
  /** Runs `{Prefix}-Role-Revoke` or `-Restore` with an operator's input, to its end. */
  operate(workflow: 'revoke' | 'restore', request: OperatorRequest): Promise<ExecutionRecord>;
}

/** What an operator starts `{Prefix}-Role-Revoke` and `-Restore` with (docs/operator.md#revoking-a-role-in-an-incident). */
export interface OperatorRequest {
  readonly accountId: string;
  readonly roleName: string;
  readonly requestedBy?: string;
  readonly reason?: string;
}

type Workflow = 'create' | 'delete' | 'revoke' | 'restore';

/** `functions/<task>/handler.ts` exports `makeHandler(loadDeps)`: the registry's contract with each folder. */
export function loadTaskHandlerFactory(task: TaskFunctionName): (loadDeps: () => object) => TaskHandler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- by name, so a new task needs no import here
  const module = require(`../../functions/${task}/handler`) as { makeHandler?: (loadDeps: () => object) => TaskHandler };
  if (typeof module.makeHandler !== 'function') throw new Error(`functions/${task}/handler.ts must export makeHandler(loadDeps)`);
  return module.makeHandler;
}

interface RetryRuleView {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: string;
}

interface TaskStateView {
  readonly Type: string;
  readonly Resource?: string;
  readonly Parameters?: { readonly FunctionName?: unknown };
  readonly Retry?: readonly RetryRuleView[];
  readonly TimeoutSeconds?: number;
}

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const DYNAMODB_PUT_ITEM = 'arn:aws:states:::dynamodb:putItem';
const DYNAMODB_DELETE_ITEM = 'arn:aws:states:::dynamodb:deleteItem';

/**
 * A deep copy made of this realm's objects and arrays. aws-local-stepfunctions resolves nested
 * `"key.$"` paths only inside objects whose prototype is its realm's `Object.prototype`; under
 * jest, `JSON.parse` and `structuredClone` build objects of another realm, and the lock
 * states' `Item` would be passed on unresolved.
 */
function plainCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainCopy);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plainCopy(inner)]));
  }
  return value;
}

/**
 * Step Functions puts no timeout on a Task that names none
 * (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-stuck-execution.html): the Lambda
 * function's own timeout ends it. aws-local-stepfunctions defaults to 60 s of real time, which
 * a task waiting on the virtual clock of a long run could reach; the local copy of a Task
 * without `TimeoutSeconds` gets the longest a Node timer allows instead.
 */
const NO_TASK_TIMEOUT_SECONDS = 2_000_000;

/**
 * The wait before Step Functions retries `error`, or null when no retrier takes it (or its
 * attempts are spent): the first rule whose `ErrorEquals` names the error, `States.ALL` or
 * `States.TaskFailed` applies (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html;
 * defaults: 1 s, ×2, 3 attempts). `attempts` counts per rule, as Step Functions does.
 */
export function stepFunctionsRetryDelayMs(
  rules: readonly RetryRuleView[],
  attempts: number[],
  errorName: string,
  random: () => number,
): number | null {
  for (const [index, rule] of rules.entries()) {
    if (!rule.ErrorEquals.some((name) => name === errorName || name === 'States.ALL' || name === 'States.TaskFailed')) continue;
    const done = attempts[index] ?? 0;
    if (done >= (rule.MaxAttempts ?? 3)) return null;
    attempts[index] = done + 1;
    const interval = Math.min(
      (rule.IntervalSeconds ?? 1) * (rule.BackoffRate ?? 2) ** done,
      rule.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
    );
    return Math.round((rule.JitterStrategy === 'FULL' ? random() : 1) * interval * 1000);
  }
  return null;
}

/** Which function a Task state invokes, from its FunctionName (an ARN or a Terraform reference naming it). */
export function taskFunctionOf(stateName: string, state: TaskStateView): TaskFunctionName {
  const functionName = String(state.Parameters?.FunctionName ?? '').replace(/_/g, '-');
  const resolved = TASK_FUNCTION_NAMES.find((name) => functionName.includes(name));
  if (!resolved) throw new Error(`state ${stateName}: cannot tell which function its FunctionName ${functionName} is`);
  return resolved;
}

/**
 * What `arn:aws:states:::lambda:invoke` does with a function error: the error type is
 * the execution's `Error`, and the Cause is the JSON the Lambda runtime reports.
 */
class LambdaFunctionError extends Error {
  constructor(error: unknown) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    super(JSON.stringify({ errorType: name, errorMessage: message, trace: [] }));
    this.name = name;
  }
}

export function createLocalPipeline(options: LocalPipelineOptions): LocalPipeline {
  const names = stateMachineNames(options.settings.namePrefix);
  const executionArnPrefix = 'arn:aws:states:us-east-1:000000000000:execution:';
  const localArns = {
    create: `arn:aws:states:us-east-1:000000000000:stateMachine:${names.create}`,
    delete: `arn:aws:states:us-east-1:000000000000:stateMachine:${names.delete}`,
  } as const;
  // Each task function acts through the member role of its capability, as deployed.
  const deps = (task: TaskFunctionName) => {
    const capability = TASK_CAPABILITIES[task];
    return {
      settings: options.settings,
      logger: options.logger,
      ...(capability === null ? {} : { openAccount: options.openAccountAs(capability) }),
      directory: options.directory,
      // The run's clock (virtual under load): the revocation time of revoke-older-sessions, the
      // trust policy marker's read times (compared with CloudTrail's event times).
      now: () => new Date((options.now ?? Date.now)()),
    };
  };
  // Every task of the registry, by its folder: adding a task needs no change here.
  const handlers = Object.fromEntries(TASK_FUNCTION_NAMES.map((task) => [task, loadTaskHandlerFactory(task)(() => deps(task))])) as Record<
    TaskFunctionName,
    TaskHandler
  >;

  const executions: ExecutionRecord[] = [];
  const running = new Set<Promise<void>>();
  const stats: PipelineStats = { maxInFlight: 0, retries: {} };
  const timing = options.timing;
  const random = timing ? () => timing.next() : Math.random;

  const { revoke, restore } = options.definitions;
  const machines: Partial<Record<Workflow, ReturnType<typeof prepare>>> = {
    create: prepare(options.definitions.create),
    delete: prepare(options.definitions.delete),
    ...(revoke ? { revoke: prepare(revoke) } : {}),
    ...(restore ? { restore: prepare(restore) } : {}),
  };

  /** What a Task state does when invoked: a task function, or a write to the lock table. */
  function localHandlerOf(stateName: string, state: TaskStateView): (parameters: never) => Promise<unknown> {
    if (state.Resource === LAMBDA_INVOKE) {
      const handler = handlers[taskFunctionOf(stateName, state)];
      // The local handler gets the effective input (`Parameters` applied: FunctionName, Payload).
      return async (parameters: { Payload?: unknown }) => {
        const payload = structuredClone(parameters.Payload);
        await options.beforeTask?.(stateName, payload as WorkflowInput);
        try {
          // A JSON round trip, as the payload crosses the Lambda boundary.
          return { Payload: JSON.parse(JSON.stringify(await handler(payload))) as unknown };
        } catch (error) {
          throw new LambdaFunctionError(error);
        }
      };
    }
    if (state.Resource === DYNAMODB_PUT_ITEM) return async (parameters: object) => options.lockTable.putItem(parameters);
    if (state.Resource === DYNAMODB_DELETE_ITEM) return async (parameters: object) => options.lockTable.deleteItem(parameters);
    throw new Error(`state ${stateName}: the local pipeline does not run the resource ${String(state.Resource)}`);
  }

  function prepare(definition: object) {
    const copy = plainCopy(definition) as { States: Record<string, TaskStateView & { TimeoutSeconds?: number }>; TimeoutSeconds?: number };
    const taskStates = Object.entries(copy.States).filter(([, state]) => state.Type === 'Task');
    for (const [, state] of taskStates) state.TimeoutSeconds ??= NO_TASK_TIMEOUT_SECONDS;
    const localHandlers = Object.fromEntries(
      taskStates.map(([stateName, state]) => {
        const invoke = localHandlerOf(stateName, state);
        if (!timing) return [stateName, invoke];
        const kind = state.Resource === LAMBDA_INVOKE ? 'lambda' : 'dynamodb';
        return [
          stateName,
          async (parameters: never, attempts: number[]) => {
            await timing.travel(kind);
            try {
              const result = await invoke(parameters);
              await timing.travel(kind);
              return result;
            } catch (error) {
              await timing.travel(kind);
              const name = (error as Error).name;
              const delay = stepFunctionsRetryDelayMs(state.Retry ?? [], attempts, name, random);
              if (delay !== null) {
                stats.retries[name] = (stats.retries[name] ?? 0) + 1;
                await timing.sleep(delay);
              }
              throw error;
            }
          },
        ];
      }),
    );
    // Retries keep their semantics (which errors, how many attempts); their waits are virtual (above) or none.
    const retryIntervalOverrides = Object.fromEntries(taskStates.map(([stateName]) => [stateName, 0]));
    return {
      machine: new StateMachine(copy as never),
      localHandlers,
      retryIntervalOverrides,
      timeoutSeconds: copy.TimeoutSeconds,
    };
  }

  let inFlight = 0;
  const slotWaiters: (() => void)[] = [];
  const maxConcurrent = options.maxConcurrentExecutions ?? Number.POSITIVE_INFINITY;

  async function run(workflow: Workflow, record: ExecutionRecord): Promise<void> {
    if (inFlight >= maxConcurrent) await new Promise<void>((resolve) => slotWaiters.push(resolve));
    inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    try {
      await runMachine(workflow, record);
    } finally {
      inFlight -= 1;
      slotWaiters.shift()?.();
    }
  }

  async function runMachine(workflow: Workflow, record: ExecutionRecord): Promise<void> {
    const prepared = machines[workflow];
    if (!prepared) throw new Error(`local pipeline: no definition of the ${workflow} machine was given`);
    const { machine, localHandlers, retryIntervalOverrides, timeoutSeconds } = prepared;
    // Step Functions counts retry attempts per execution, state and rule.
    const handlersOfThisRun = Object.fromEntries(
      Object.entries(localHandlers).map(([stateName, handler]) => {
        const attempts: number[] = [];
        return [stateName, (parameters: never) => (handler as (p: never, a: number[]) => Promise<unknown>)(parameters, attempts)];
      }),
    );
    const execution = machine.run((record.operatorRequest ?? record.input) as never, {
      overrides: { taskResourceLocalHandlers: handlersOfThisRun as never, retryIntervalOverrides },
      context: { Execution: { Id: `${executionArnPrefix}${record.stateMachine}:${record.name}`, Name: record.name } } as never,
    });
    // The definition's TimeoutSeconds on the virtual clock; aws-local-stepfunctions' own is real time.
    let timedOut = false;
    const cancelTimeout =
      timing && timeoutSeconds !== undefined
        ? timing.at(timing.now() + timeoutSeconds * 1000, () => {
            timedOut = true;
            execution.abort();
          })
        : () => undefined;
    // A failed execution rejects `result`; the event log below says how it ended.
    const settled = execution.result.catch(() => undefined);
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') record.states.push(event.state.name);
      if (event.type === 'ExecutionSucceeded') {
        record.status = 'SUCCEEDED';
        record.output = event.output;
      }
      if (event.type === 'ExecutionFailed') {
        record.status = 'FAILED';
        record.error = { Error: event.Error, Cause: event.Cause };
      }
      if (event.type === 'ExecutionAborted' && timedOut) {
        record.status = 'TIMED_OUT';
        record.error = { Error: 'States.Timeout', Cause: `the execution outlived its TimeoutSeconds (${timeoutSeconds})` };
      }
    }
    await settled;
    cancelTimeout();
    options.logger.info('execution ended', { stateMachine: record.stateMachine, executionName: record.name, status: record.status });
  }

  const starter: ExecutionStarter = {
    async start({ stateMachineArn, name, input }) {
      const workflow = stateMachineArn === localArns.create ? 'create' : 'delete';
      const stateMachine = names[workflow];
      if (executions.some((execution) => execution.stateMachine === stateMachine && execution.name === name)) {
        return 'already-exists';
      }
      const record: ExecutionRecord = { stateMachine, name, input, status: 'RUNNING', states: [] };
      executions.push(record);
      const promise: Promise<void> = run(workflow, record).finally(() => running.delete(promise));
      running.add(promise);
      return 'started';
    },
  };

  const ignored = new IgnoredEvents();
  const router = makeRouterHandler(() => ({
    settings: { ...options.settings, createStateMachineArn: localArns.create, deleteStateMachineArn: localArns.delete },
    logger: observingLogger(options.logger, ignored.observe),
    starter,
    ...(options.now ? { now: options.now } : {}),
  }));

  let messageCount = 0;
  let operations = 0;
  return {
    async operate(workflow, request) {
      const record: ExecutionRecord = {
        stateMachine: names[workflow],
        name: `${workflow}-${String(++operations).padStart(4, '0')}`,
        // The role and the execution, as the other records name them; the machine gets the request.
        input: {
          accountId: request.accountId,
          roleName: request.roleName,
          eventId: `${workflow}-${String(operations).padStart(4, '0')}`,
          eventName: workflow === 'revoke' ? 'Revoke' : 'Restore',
        },
        operatorRequest: request,
        status: 'RUNNING',
        states: [],
      };
      executions.push(record);
      await run(workflow, record);
      return record;
    },
    executions,
    starter,
    stateMachineArns: localArns,
    stats,
    unfinished: () => running.size,
    ignoredEvents: () => ignored.list(new Set(executions.map((execution) => execution.input.eventId))),
    async deliver(events) {
      const Records = events.map((event) => {
        const messageId = `local-${++messageCount}`;
        ignored.delivering(messageId, event);
        return { messageId, body: JSON.stringify(event) };
      });
      return router({ Records });
    },
    async drain() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
