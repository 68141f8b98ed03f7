/**
 * Microsoft Entra ID, through Microsoft Graph: the Graph client, the automation's sign-in to
 * Graph, the pool of automation identities, application naming, the ports the function cores
 * see and the live wiring of them.
 */
export * from './auth';
export * from './graph-client';
export * from './identity-pool';
export * from './live-graph';
export * from './naming';
export * from './ports';
export * from './records';
export * from './records-store';
