/**
 * The sweep (docs/architecture.md#the-sweep): its contracts between the state machine's steps,
 * the ports it reads besides IAM and Graph (the member baseline's accounts, the report bucket),
 * and their AWS implementations.
 */
export * from './attempt';
export * from './aws';
export * from './contracts';
export * from './ports';
export * from './report-html';
