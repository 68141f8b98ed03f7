// zod/mini's `safeParse` takes any zod 4 schema, mini or classic (simulation/ and tests use classic).
import * as z from 'zod/mini';
import { AutomationError, InvalidInputError, TrustPolicyRewriteError } from './errors';
import type { LambdaContext, Logger } from './logger';

/**
 * The common shape of every task handler: parse the execution state with the task's
 * zod schema → `core(deps, input)` → return the whole state with the task's result
 * added (the state machines use `OutputPath: "$.Payload"`).
 *
 * Deps are built lazily by `loadDeps` on the first invocation and kept in the closure
 * for warm invocations (tokens, SDK clients); a failed build is not cached, so the next
 * invocation tries again. Tests pass a `loadDeps` that returns fakes.
 */

export interface HandlerDeps {
  readonly logger: Logger;
}

export type LoadDeps<D> = () => D | Promise<D>;

/** `issue.path: message` for every problem, so the error names the field. */
export function describeIssues(error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ');
}

export function parseInput<S extends z.core.$ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const result = z.safeParse(schema, raw);
  if (!result.success) {
    throw new InvalidInputError(`${what}: ${describeIssues(result.error)}`);
  }
  return result.data;
}

export function memoizeDeps<D>(loadDeps: LoadDeps<D>): () => Promise<D> {
  let pending: Promise<D> | undefined;
  return () => {
    pending ??= Promise.resolve()
      .then(loadDeps)
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
}

/**
 * Step Functions sees `error.name` as the error and `error.message` as the Cause's
 * `errorMessage`. RecordFailureOnRole reads the reason of a TrustPolicyRewriteError from
 * the start of that message, so make sure it is there whoever wrote the message.
 */
function forStepFunctions(error: unknown): unknown {
  if (error instanceof TrustPolicyRewriteError && !error.message.startsWith(`${error.reason}:`)) {
    const prefixed = new TrustPolicyRewriteError(`${error.reason}: ${error.message}`, error.reason);
    prefixed.stack = error.stack;
    return prefixed;
  }
  return error;
}

export interface TaskDefinition<S extends z.core.$ZodType, D extends HandlerDeps, R extends object> {
  /** The function's name (`create-service-principal`…), for logs. */
  readonly name: string;
  readonly schema: S;
  readonly core: (deps: D, input: z.infer<S>) => Promise<R>;
}

/**
 * Lambda calls `handler(event, context)`; the context is optional so the simulator and the
 * tests may call `handler(event)`.
 */
export type TaskHandler = (event: unknown, context?: LambdaContext) => Promise<Record<string, unknown>>;

export function makeTaskHandler<S extends z.core.$ZodType, D extends HandlerDeps, R extends object>(
  task: TaskDefinition<S, D, R>,
  loadDeps: LoadDeps<D>,
): TaskHandler {
  const deps = memoizeDeps(loadDeps);
  return async (event, context) => {
    const resolved = await deps();
    if (context) resolved.logger.addLambdaContext(context);
    const state = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
    const logger = resolved.logger.child({
      function: task.name,
      eventId: typeof state.eventId === 'string' ? state.eventId : undefined,
      accountId: typeof state.accountId === 'string' ? state.accountId : undefined,
      roleName: typeof state.roleName === 'string' ? state.roleName : undefined,
    });
    try {
      const input = parseInput(task.schema, event, `${task.name} input`);
      const result = await task.core({ ...resolved, logger }, input);
      logger.info('task succeeded', { result });
      return { ...state, ...result };
    } catch (error) {
      const transient = error instanceof AutomationError && error.transient;
      logger[transient ? 'warn' : 'error']('task failed', { error });
      throw forStepFunctions(error);
    }
  };
}
