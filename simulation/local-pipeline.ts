import './promise-polyfill';
import { StateMachine } from 'aws-local-stepfunctions';
import type { BatchResponse, ExecutionStarter } from '../functions/router/core';
import { makeRouterHandler } from '../functions/router/handler';
import {
  TASK_CAPABILITIES,
  TASK_FUNCTION_NAMES,
  type AudienceMode,
  type MemberCapability,
  type TaskFunctionName,
  type WorkflowInput,
} from '../functions/shared/contracts';
import type { TaskHandler } from '../functions/shared/handler-kit';
import type { Logger } from '../functions/shared/logger';
import type { EntraDirectory, OpenMemberAccount } from '../functions/shared/ports';
import { stateMachineNames } from '../functions/shared/state-machines';

/**
 * The central pipeline in one process: SQS batch → the real router handler → a local
 * "Step Functions" that runs the state machines' ASL with aws-local-stepfunctions, whose
 * Task states call the real task handlers. Used by the end-to-end tests and `simulate`.
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
  /** The ASL of both machines (from the synthesized configuration). */
  readonly definitions: { readonly create: object; readonly delete: object };
  readonly settings: PipelineSettings & PlatformIdentities;
  /** IAM in member accounts through the member role of a capability (each task function has one). */
  readonly openAccountAs: (capability: MemberCapability) => OpenMemberAccount;
  readonly directory: EntraDirectory;
  readonly logger: Logger;
  /** Called before each task invocation: tests use it to change the world mid-execution. */
  readonly beforeTask?: (stateName: string, input: WorkflowInput) => void | Promise<void>;
}

export interface ExecutionRecord {
  /** `{Prefix}-Role-Create` or `{Prefix}-Role-Delete`, as deployed. */
  readonly stateMachine: string;
  readonly name: string;
  readonly input: WorkflowInput;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
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
}

/** `functions/<task>/handler.ts` exports `makeHandler(loadDeps)`: the registry's contract with each folder. */
export function loadTaskHandlerFactory(task: TaskFunctionName): (loadDeps: () => object) => TaskHandler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- by name, so a new task needs no import here
  const module = require(`../functions/${task}/handler`) as { makeHandler?: (loadDeps: () => object) => TaskHandler };
  if (typeof module.makeHandler !== 'function') throw new Error(`functions/${task}/handler.ts must export makeHandler(loadDeps)`);
  return module.makeHandler;
}

interface TaskStateView {
  readonly Type: string;
  readonly Parameters?: { readonly FunctionName?: unknown };
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
    };
  };
  // Every task of the registry, by its folder: adding a task needs no change here.
  const handlers = Object.fromEntries(
    TASK_FUNCTION_NAMES.map((task) => [task, loadTaskHandlerFactory(task)(() => deps(task))]),
  ) as Record<TaskFunctionName, TaskHandler>;

  const machines = {
    create: prepare(options.definitions.create),
    delete: prepare(options.definitions.delete),
  };
  const executions: ExecutionRecord[] = [];
  const running = new Set<Promise<void>>();

  function prepare(definition: object) {
    const states = (definition as { States: Record<string, TaskStateView> }).States;
    const taskStates = Object.entries(states).filter(([, state]) => state.Type === 'Task');
    const localHandlers = Object.fromEntries(
      taskStates.map(([stateName, state]) => {
        const handler = handlers[taskFunctionOf(stateName, state)];
        return [
          stateName,
          // The local handler gets the effective input (`Parameters` applied: FunctionName, Payload).
          async (parameters: { Payload?: unknown }) => {
            const payload = structuredClone(parameters.Payload);
            await options.beforeTask?.(stateName, payload as WorkflowInput);
            try {
              // A JSON round trip, as the payload crosses the Lambda boundary.
              return { Payload: JSON.parse(JSON.stringify(await handler(payload))) as unknown };
            } catch (error) {
              throw new LambdaFunctionError(error);
            }
          },
        ];
      }),
    );
    // Retries keep their semantics (which errors, how many attempts) but not their waits.
    const retryIntervalOverrides = Object.fromEntries(taskStates.map(([stateName]) => [stateName, 0]));
    return { machine: new StateMachine(structuredClone(definition) as never), localHandlers, retryIntervalOverrides };
  }

  async function run(workflow: 'create' | 'delete', record: ExecutionRecord): Promise<void> {
    const { machine, localHandlers, retryIntervalOverrides } = machines[workflow];
    const execution = machine.run(record.input as never, {
      overrides: { taskResourceLocalHandlers: localHandlers as never, retryIntervalOverrides },
    });
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
    }
    await settled;
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

  const router = makeRouterHandler(() => ({
    settings: { ...options.settings, createStateMachineArn: localArns.create, deleteStateMachineArn: localArns.delete },
    logger: options.logger,
    starter,
  }));

  let messageCount = 0;
  return {
    executions,
    starter,
    stateMachineArns: localArns,
    async deliver(events) {
      const Records = events.map((event) => ({ messageId: `local-${++messageCount}`, body: JSON.stringify(event) }));
      return router({ Records });
    },
    async drain() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
