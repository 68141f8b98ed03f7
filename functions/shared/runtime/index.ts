/**
 * What every function needs to run, whatever its task: the errors it throws on purpose (their
 * names are the contract with the state machines), the environment the stack writes and the
 * settings read from it, the logger, the handler kit that validates input and maps failures, and
 * the capped backoff the Graph and IAM clients share.
 */
export * from './environment';
export * from './errors';
export * from './handler-kit';
export * from './logger';
export * from './retry';
export * from './settings';
