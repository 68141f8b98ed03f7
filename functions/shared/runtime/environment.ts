/**
 * The names of the functions' environment variables, in one place: the stack writes them
 * (`stacks/`), `settings.ts` reads them. Plain constants with no imports, so the stack can use
 * them without pulling anything into the Lambda bundles and the bundles without pulling cdktf.
 * `__tests__/functions/shared/runtime/environment.test.ts` feeds each synthesized function's
 * environment to that function's own settings loader.
 */

/** Written by the stack on deployment; every one is required by the loaders that read it. */
export const DEPLOYED_ENV = {
  tenantId: 'TENANT_ID',
  tokenVersion: 'TOKEN_VERSION',
  /** Router: base name of the member roles, whose calls are the automation's own. */
  automationRoleName: 'AUTOMATION_ROLE_NAME',
  /** Task functions: the member role of the function's capability (contracts.ts TASK_CAPABILITIES). */
  memberRoleName: 'MEMBER_ROLE_NAME',
  /** Router: JSON array of the protected role patterns (protected-roles.ts). */
  protectedRoles: 'PROTECTED_ROLES',
  entraAuthMode: 'ENTRA_AUTH_MODE',
  automationClientId: 'AUTOMATION_CLIENT_ID',
  /** Object ID of the automation's own service principal in Entra. */
  automationServicePrincipalId: 'AUTOMATION_SERVICE_PRINCIPAL_ID',
  /** Certificate mode only. */
  certificateSecretArn: 'CERTIFICATE_SECRET_ARN',
  appNamePrefix: 'APP_NAME_PREFIX',
  /** `per-role` or `shared` (contracts.ts AUDIENCE_MODES). */
  audienceMode: 'AUDIENCE_MODE',
  /** `true` while roles admit both their own and the gateway audience (a migration between modes). */
  dualAudience: 'DUAL_AUDIENCE',
  /** The gateway application the plan creates: client ID and its service principal's object ID. */
  gatewayClientId: 'GATEWAY_CLIENT_ID',
  gatewayServicePrincipalId: 'GATEWAY_SERVICE_PRINCIPAL_ID',
  /** Roles with an application of their own per account; `0`: no cap. */
  maxApplicationsPerAccount: 'MAX_APPLICATIONS_PER_ACCOUNT',
  /** JSON array of the client IDs of the automation identities after the first (identity-pool.ts). */
  automationPoolClientIds: 'AUTOMATION_POOL_CLIENT_IDS',
  /** Objects each automation identity may have created before the next one takes over; `none`: up to Graph's own refusal. */
  identityObjectLimit: 'IDENTITY_OBJECT_LIMIT',
  /** Sweep plan: the objects of one automation identity's share of its creator quota (the gauge's full scale). */
  identityQuotaShare: 'IDENTITY_QUOTA_SHARE',
  trustPolicyMaxChars: 'TRUST_POLICY_MAX_CHARS',
  createStateMachineArn: 'CREATE_STATE_MACHINE_ARN',
  deleteStateMachineArn: 'DELETE_STATE_MACHINE_ARN',
  /** Sweep: the bucket of its items, map results and reports. */
  sweepBucket: 'SWEEP_BUCKET',
  /** Sweep plan: the member baseline's StackSet, how to call it, and the region of its instances. */
  stackSetName: 'STACK_SET_NAME',
  stackSetCallAs: 'STACK_SET_CALL_AS',
  stackSetInstanceRegion: 'STACK_SET_INSTANCE_REGION',
  /** Sweep report: the configured deletion cap and the automation's Entra object quota. */
  deletionCap: 'SWEEP_DELETION_CAP',
  entraObjectQuota: 'ENTRA_OBJECT_QUOTA',
} as const;

/** Not written by the stack. */
export const OTHER_ENV = {
  /**
   * Set by Lambda itself; a reserved key the stack may not set
   * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html, "Defined runtime environment variables").
   */
  region: 'AWS_REGION',
  /** Optional override of Microsoft Graph's endpoint (tests, local runs); default Graph v1.0. */
  graphBaseUrl: 'GRAPH_BASE_URL',
  /**
   * Optional log level of the functions and the simulator (`settings.ts` `loadLogLevel`); default
   * INFO. Powertools for AWS Lambda's own names, the first one winning
   * (https://docs.aws.amazon.com/powertools/typescript/latest/core/logger/). Lambda's advanced
   * logging controls (`logging_config.application_log_level`, which Lambda passes as
   * AWS_LAMBDA_LOG_LEVEL: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html)
   * win over both; Powertools reads that one itself.
   */
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  logLevelAlias: 'LOG_LEVEL',
  /**
   * Set by Lambda (`on-demand`, `provisioned-concurrency`, `snap-start`…; same page as
   * AWS_REGION). Powertools' logger reads it: only an `on-demand` environment reports a cold start.
   */
  initializationType: 'AWS_LAMBDA_INITIALIZATION_TYPE',
} as const;

export type DeployedVariable = (typeof DEPLOYED_ENV)[keyof typeof DEPLOYED_ENV];

/** A function's environment as the stack writes it. */
export type DeployedEnvironment = Readonly<Partial<Record<DeployedVariable, string>>>;
