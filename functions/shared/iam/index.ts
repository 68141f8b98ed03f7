/**
 * AWS IAM in a member account: the IAM calls through the member roles, the trust-policy logic
 * (the pin, the lock, the one definition of open), policy documents, the roles the automation
 * never writes, the ports the function cores see and the live wiring of them.
 */
export * from './live-iam';
export * from './member-account';
export * from './policy-document';
export * from './ports';
export * from './protected-roles';
export * from './session-revocation';
export * from './trust-policy';
