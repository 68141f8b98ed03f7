/**
 * The workflow the functions are steps of: the task registry (which function does what, with
 * which member capability), the input and output contracts between the state machines and the
 * functions, the role tags and `entra:federation-status` values, the per-role lock, the state
 * machines' names and what a task derives from its input (the provider, its session name), and
 * why the router ignores an event.
 */
export * from './contracts';
export * from './ignore-reasons';
export * from './role-lock';
export * from './state-machines';
export * from './status';
export * from './task-context';
export * from './task-timeouts';
export * from './team-writes';
