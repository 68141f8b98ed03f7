/**
 * How the router reads the queue: batches of up to 10 messages, gathered for up to 1 s, at most
 * 5 router invocations at once (docs/operator.md#under-load-what-bounds-concurrency has what these bound). The stack's
 * event source mapping (central-pipeline.ts) is built from it, and the simulator delivers events
 * the same way under load; a module of its own so that the simulator does not load cdktf
 * (CONTRIBUTING.md#layers-what-may-import-what).
 */
export const ROUTER_EVENT_SOURCE = { batchSize: 10, maximumBatchingWindowInSeconds: 1, maximumConcurrency: 5 } as const;
