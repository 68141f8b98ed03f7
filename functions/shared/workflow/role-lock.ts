// zod/mini, as contracts.ts: the router bundles this.
import * as z from 'zod/mini';
import { TASK_TIMEOUT_SECONDS } from './task-timeouts';

/**
 * One execution at a time per role (docs/architecture.md#concurrency-one-execution-per-role).
 * Every Create and Delete execution first takes the role's lock, an item in the central
 * account's DynamoDB table written with a condition, and releases it on every path that
 * ends the execution. The state machines write and delete the item themselves (Step
 * Functions' DynamoDB integration: stacks/workflow-definitions.ts); the router puts the
 * lock's key and its clock reading in the execution's input, because Amazon States
 * Language's JSONPath can neither lower-case a string nor read the time as a number.
 *
 * The names below are the one source for the table's attributes: the stack, the state
 * machines, the router and the simulator's table all read them.
 */

/** Attribute names of a lock item. */
export const ROLE_LOCK_ATTRIBUTES = {
  /** Partition key (S): `{accountId}/{role name, lower case}`. */
  key: 'lockKey',
  /** (S) The execution ARN (`$$.Execution.Id`) holding the lock. */
  holder: 'holder',
  /** (N) Epoch seconds after which the lock is stale; also the table's TTL attribute. */
  expiresAt: 'expiresAt',
} as const;

/** The table's name in the central account. */
export function roleLockTableName(namePrefix: string): string {
  return `${namePrefix}-role-locks`;
}

/** The state machines' `TimeoutSeconds`: no execution outlives it. */
export const WORKFLOW_TIMEOUT_SECONDS = 3600;

/**
 * The longest a task invocation of these state machines may still run after its execution timed
 * out: the Graph-calling functions' Lambda timeout, the longest (the sweep's longer-running
 * functions have a state machine of their own and take no lock).
 */
const LONGEST_TASK_SECONDS = TASK_TIMEOUT_SECONDS.callsGraph;

/**
 * How long a lock holds before another execution may take it over: the holder's execution
 * cannot act any more by then (its timeout, plus a task invocation still running when it
 * timed out, plus a margin for clock differences between router invocations). Only an
 * execution that never released (stopped by hand, or timed out) leaves a lock that long;
 * every other path releases it.
 */
export const ROLE_LOCK_LEASE_SECONDS = WORKFLOW_TIMEOUT_SECONDS + LONGEST_TASK_SECONDS + 180;

/** IAM role names are unique regardless of case, and events carry the name as the caller wrote it. */
export function roleLockKey(accountId: string, roleName: string): string {
  return `${accountId}/${roleName.toLowerCase()}`;
}

/** What the router adds to each execution's input. */
export const roleLockInputSchema = z.object({
  key: z.string().check(z.minLength(1)),
  /** Epoch seconds when the router started the execution: the lease runs from here, and a waiter compares stale locks against it. */
  routedAt: z.int().check(z.gte(0)),
});
export type RoleLockInput = z.infer<typeof roleLockInputSchema>;

export function roleLockInput(accountId: string, roleName: string, nowMs: number): RoleLockInput {
  return { key: roleLockKey(accountId, roleName), routedAt: Math.floor(nowMs / 1000) };
}

/**
 * Step Functions names a DynamoDB error of an optimized integration `DynamoDB.` + the
 * exception's name ("For optimized integrations, the exception prefix will be DynamoDB",
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html): a condition that
 * does not hold is `DynamoDB.ConditionalCheckFailedException`
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#API_PutItem_Errors).
 */
export const LOCK_HELD_ERROR = 'DynamoDB.ConditionalCheckFailedException';
