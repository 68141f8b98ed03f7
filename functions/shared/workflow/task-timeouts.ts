/**
 * The task functions' default Lambda timeouts (a task's `timeoutSeconds` in the registry
 * overrides them). One source for the stack, which sets them, and the role lock, whose lease
 * must outlast the longest task still running after its execution timed out.
 */
export const TASK_TIMEOUT_SECONDS = {
  /** Graph calls retry inside the function (Retry-After, replication lag) before Step Functions' own backoff takes over. */
  callsGraph: 120,
  other: 60,
} as const;
