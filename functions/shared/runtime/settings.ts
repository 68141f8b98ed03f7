import * as z from 'zod/mini';
import { AUDIENCE_MODES, guidSchema, roleNameSchema, type AudienceMode } from '../workflow/contracts';
import { DEPLOYED_ENV as ENV, OTHER_ENV } from './environment';
import { InvalidInputError } from './errors';
import { PROTECTED_ROLE_PATTERN } from '../iam/protected-roles';

/**
 * The functions' environment, read only here, only on first invocation (never at import),
 * and validated with zod so a bad deployment fails with the variable's name and the fix.
 * Each function asks only for the variables it uses, and every variable the stack writes is
 * required (no default): a variable the stack stopped writing, or wrote under another name,
 * fails the first invocation instead of running with a guess. The names come from
 * `environment.ts`, which the stack writes them from.
 */

const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';

const stateMachineArn = z
  .string()
  .check(z.regex(/^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]{1,80}$/, 'a Step Functions state machine ARN'));

const baseShape = {
  [ENV.tenantId]: guidSchema,
  [ENV.tokenVersion]: z.enum(['1', '2']),
  [OTHER_ENV.region]: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1')),
};

/** The task functions: which member role they assume (one capability each). */
const memberAccountShape = { ...baseShape, [ENV.memberRoleName]: roleNameSchema };

const graphShape = {
  [ENV.entraAuthMode]: z.enum(['federated', 'certificate']),
  [ENV.automationClientId]: guidSchema,
  [ENV.automationServicePrincipalId]: guidSchema,
  [ENV.certificateSecretArn]: z.optional(
    z.string().check(z.regex(/^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN')),
  ),
  [OTHER_ENV.graphBaseUrl]: z._default(z.url({ protocol: /^https?$/ }), DEFAULT_GRAPH_BASE_URL),
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
  [ENV.automationRecordsTable]: z.string().check(z.regex(/^[\w.-]{3,255}$/, 'a DynamoDB table name (3-255 of a-z A-Z 0-9 _ - .)')),
};

export interface BaseSettings {
  readonly tenantId: string;
  readonly tokenVersion: 1 | 2;
  readonly region: string;
}

/** A task function, which acts in member accounts through the member role of its capability. */
export interface MemberAccountSettings extends BaseSettings {
  readonly memberRoleName: string;
}

/** How a function signs in to Microsoft Graph as the automation. */
export interface EntraSettings extends BaseSettings {
  readonly entraAuthMode: 'federated' | 'certificate';
  readonly automationClientId: string;
  /** Object ID of the automation's own service principal (lowercase GUID). */
  readonly automationServicePrincipalId: string;
  readonly certificateSecretArn?: string;
  readonly graphBaseUrl: string;
  /** The table of the automation's own record of its creations (functions/shared/entra/records.ts). */
  readonly automationRecordsTable: string;
}

/** The automation's identities beyond the first, and how much of each one's creator quota may be used (identity-pool.ts). */
export interface IdentityPoolSettings {
  readonly automationPoolClientIds: readonly string[];
  /** `Infinity`: up to Graph's own refusal at the quota. */
  readonly identityObjectLimit: number;
}

export interface AudienceSettingsView {
  readonly audienceMode: AudienceMode;
  readonly dualAudience: boolean;
  readonly gatewayClientId: string;
  readonly gatewayServicePrincipalId: string;
  readonly maxApplicationsPerAccount: number;
}

export interface GraphSettings extends MemberAccountSettings, EntraSettings {}

export interface CreateServicePrincipalSettings extends GraphSettings, IdentityPoolSettings, AudienceSettingsView {
  readonly appNamePrefix: string;
}

export interface DeleteServicePrincipalSettings extends GraphSettings, IdentityPoolSettings {}

export interface AssignRoleSettings extends MemberAccountSettings {
  readonly trustPolicyMaxChars: number;
}

export interface RouterSettings extends BaseSettings {
  /** Base name of the member roles, whose calls are the automation's own. */
  readonly automationRoleName: string;
  /** Role patterns whose events start nothing. */
  readonly protectedRoles: readonly string[];
  readonly createStateMachineArn: string;
  readonly deleteStateMachineArn: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function parseEnv<T extends z.core.$ZodShape>(shape: T, env: Env): z.infer<z.ZodMiniObject<T>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      return env[name] === undefined || env[name] === '' ? `${name} is not set` : `${name} is invalid (${issue.message})`;
    });
    throw new InvalidInputError(`Lambda environment: ${problems.join('; ')}. Fix: redeploy the stack, which sets these variables.`);
  }
  return result.data;
}

function base(values: z.infer<z.ZodMiniObject<typeof baseShape>>): BaseSettings {
  return {
    tenantId: values[ENV.tenantId].toLowerCase(),
    tokenVersion: values[ENV.tokenVersion] === '2' ? 2 : 1,
    region: values[OTHER_ENV.region],
  };
}

function memberAccount(values: z.infer<z.ZodMiniObject<typeof memberAccountShape>>): MemberAccountSettings {
  return { ...base(values), memberRoleName: values[ENV.memberRoleName] };
}

/** add-audience-id-provider, remove-audience-id-provider. */
export function loadBaseSettings(env: Env): MemberAccountSettings {
  return memberAccount(parseEnv(memberAccountShape, env));
}

type GraphValues = z.infer<z.ZodMiniObject<typeof baseShape & typeof graphShape>>;

/** The Graph part of a function that calls Graph, with or without a member role. */
function entra(values: GraphValues): EntraSettings {
  const certificateSecretArn = values[ENV.certificateSecretArn];
  if (values[ENV.entraAuthMode] === 'certificate' && !certificateSecretArn) {
    throw new InvalidInputError(
      `Lambda environment: ${ENV.certificateSecretArn} is not set but ${ENV.entraAuthMode} is certificate. Fix: redeploy the stack (automationCredential.mode = "certificate" creates the secret and sets it).`,
    );
  }
  return {
    ...base(values),
    entraAuthMode: values[ENV.entraAuthMode],
    automationClientId: values[ENV.automationClientId],
    automationServicePrincipalId: values[ENV.automationServicePrincipalId].toLowerCase(),
    ...(certificateSecretArn ? { certificateSecretArn } : {}),
    graphBaseUrl: values[OTHER_ENV.graphBaseUrl].replace(/\/+$/, ''),
    automationRecordsTable: values[ENV.automationRecordsTable],
  };
}

const clientIdList = z.pipe(
  z.string().check(
    z.refine((value) => {
      try {
        const parsed: unknown = JSON.parse(value);
        return Array.isArray(parsed) && parsed.every((item) => guidSchema.safeParse(item).success);
      } catch {
        return false;
      }
    }, 'a JSON array of client IDs (GUIDs)'),
  ),
  z.transform((value: string) => (JSON.parse(value) as string[]).map((id) => id.toLowerCase())),
);

function loadIdentityPool(env: Env): IdentityPoolSettings {
  const values = parseEnv(
    {
      [ENV.automationPoolClientIds]: clientIdList,
      [ENV.identityObjectLimit]: z.union([z.literal('none'), z.string().check(z.regex(/^[1-9]\d*$/, 'a positive integer, or none'))]),
    },
    env,
  );
  const limit = values[ENV.identityObjectLimit];
  return { automationPoolClientIds: values[ENV.automationPoolClientIds], identityObjectLimit: limit === 'none' ? Infinity : Number(limit) };
}

/** delete-service-principal, sweep-repair-account (Graph and IAM). */
export function loadGraphSettings(env: Env): GraphSettings {
  const values = parseEnv({ ...memberAccountShape, ...graphShape }, env);
  return { ...entra(values), ...memberAccount(values) };
}

/** create-service-principal (Graph, IAM, the display-name prefix, the audience mode and the identity pool). */
export function loadCreateServicePrincipalSettings(env: Env): CreateServicePrincipalSettings {
  const values = parseEnv(
    {
      [ENV.appNamePrefix]: z.string().check(z.minLength(1), z.maxLength(60)),
      [ENV.audienceMode]: z.enum(AUDIENCE_MODES),
      [ENV.dualAudience]: z.enum(['true', 'false']),
      [ENV.gatewayClientId]: guidSchema,
      [ENV.gatewayServicePrincipalId]: guidSchema,
      [ENV.maxApplicationsPerAccount]: z.string().check(z.regex(/^\d+$/, 'a whole number (0: no cap)')),
    },
    env,
  );
  return {
    ...loadGraphSettings(env),
    ...loadIdentityPool(env),
    appNamePrefix: values[ENV.appNamePrefix],
    audienceMode: values[ENV.audienceMode],
    dualAudience: values[ENV.dualAudience] === 'true',
    gatewayClientId: values[ENV.gatewayClientId].toLowerCase(),
    gatewayServicePrincipalId: values[ENV.gatewayServicePrincipalId].toLowerCase(),
    maxApplicationsPerAccount: Number(values[ENV.maxApplicationsPerAccount]),
  };
}

/** delete-service-principal (Graph, IAM and the identity pool). */
export function loadDeleteServicePrincipalSettings(env: Env): DeleteServicePrincipalSettings {
  return { ...loadGraphSettings(env), ...loadIdentityPool(env) };
}

/** disable-service-principal, enable-service-principal: Graph through the identity pool, no member role. */
export function loadServicePrincipalSwitchSettings(env: Env): EntraSettings & IdentityPoolSettings {
  return { ...entra(parseEnv({ ...baseShape, ...graphShape }, env)), ...loadIdentityPool(env) };
}

/** assign-role-to-audience. */
export function loadAssignRoleSettings(env: Env): AssignRoleSettings {
  const values = parseEnv(
    // IAM's trust policy quota of the member accounts (the stack writes the configured value).
    { ...memberAccountShape, [ENV.trustPolicyMaxChars]: z.coerce.number().check(z.int(), z.minimum(1)) },
    env,
  );
  return { ...memberAccount(values), trustPolicyMaxChars: values[ENV.trustPolicyMaxChars] };
}

/** router. */
export function loadRouterSettings(env: Env): RouterSettings {
  const values = parseEnv(
    {
      ...baseShape,
      [ENV.automationRoleName]: roleNameSchema,
      [ENV.protectedRoles]: z.string(),
      [ENV.createStateMachineArn]: stateMachineArn,
      [ENV.deleteStateMachineArn]: stateMachineArn,
    },
    env,
  );
  return {
    ...base(values),
    automationRoleName: values[ENV.automationRoleName],
    protectedRoles: protectedRolesFrom(values[ENV.protectedRoles]),
    createStateMachineArn: values[ENV.createStateMachineArn],
    deleteStateMachineArn: values[ENV.deleteStateMachineArn],
  };
}

const bucketName = z.string().check(z.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'));

export interface SweepPlanSettings extends EntraSettings {
  readonly sweepBucket: string;
  readonly stackSetName: string;
  readonly stackSetCallAs: 'SELF' | 'DELEGATED_ADMIN';
  /** The region of the member baseline's stack instances (us-east-1). */
  readonly stackSetInstanceRegion: string;
  /** The client IDs of the automation identities after the first (counted, never used to sign in). */
  readonly automationPoolClientIds: readonly string[];
  /** Objects of one identity's share of its creator quota. */
  readonly identityQuotaShare: number;
}

/** sweep-plan (Graph, the StackSet, the sweep's bucket; no member role). */
export function loadSweepPlanSettings(env: Env): SweepPlanSettings {
  const values = parseEnv(
    {
      ...baseShape,
      ...graphShape,
      [ENV.sweepBucket]: bucketName,
      [ENV.stackSetName]: z.string().check(z.regex(/^[a-zA-Z][a-zA-Z0-9-]{0,127}$/, 'a StackSet name')),
      [ENV.stackSetCallAs]: z.enum(['SELF', 'DELEGATED_ADMIN']),
      [ENV.stackSetInstanceRegion]: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1')),
      [ENV.automationPoolClientIds]: clientIdList,
      [ENV.identityQuotaShare]: z.string().check(z.regex(/^[1-9]\d*$/, 'a positive integer')),
    },
    env,
  );
  return {
    ...entra(values),
    automationPoolClientIds: values[ENV.automationPoolClientIds],
    identityQuotaShare: Number(values[ENV.identityQuotaShare]),
    sweepBucket: values[ENV.sweepBucket],
    stackSetName: values[ENV.stackSetName],
    stackSetCallAs: values[ENV.stackSetCallAs],
    stackSetInstanceRegion: values[ENV.stackSetInstanceRegion],
  };
}

export interface SweepInspectSettings extends GraphSettings {
  readonly trustPolicyMaxChars: number;
  readonly protectedRoles: readonly string[];
  /** The gateway's client ID: the platform's, neither hand-made nor dead (the one judgement needs it). */
  readonly gatewayClientId: string;
}

/** sweep-inspect-account (Graph, the reader role, the trust policy quota and the protected roles). */
export function loadSweepInspectSettings(env: Env): SweepInspectSettings {
  const values = parseEnv(
    {
      ...memberAccountShape,
      ...graphShape,
      [ENV.trustPolicyMaxChars]: z.coerce.number().check(z.int(), z.minimum(1)),
      [ENV.protectedRoles]: z.string(),
      [ENV.gatewayClientId]: guidSchema,
    },
    env,
  );
  return {
    ...entra(values),
    ...memberAccount(values),
    trustPolicyMaxChars: values[ENV.trustPolicyMaxChars],
    protectedRoles: protectedRolesFrom(values[ENV.protectedRoles]),
    gatewayClientId: values[ENV.gatewayClientId].toLowerCase(),
  };
}

export interface SweepRemoveRevocationsSettings extends MemberAccountSettings {
  readonly protectedRoles: readonly string[];
}

/** sweep-remove-revocations (the revoke role and the protected roles; no Graph). */
export function loadSweepRemoveRevocationsSettings(env: Env): SweepRemoveRevocationsSettings {
  const values = parseEnv({ ...memberAccountShape, [ENV.protectedRoles]: z.string() }, env);
  return { ...memberAccount(values), protectedRoles: protectedRolesFrom(values[ENV.protectedRoles]) };
}

export interface SweepReportSettings extends BaseSettings {
  readonly sweepBucket: string;
  readonly deletionCap: number;
  readonly entraObjectQuota: number;
}

/** sweep-report (the sweep's bucket and limits; no member role, no Graph). */
export function loadSweepReportSettings(env: Env): SweepReportSettings {
  const values = parseEnv(
    {
      ...baseShape,
      [ENV.sweepBucket]: bucketName,
      [ENV.deletionCap]: z.coerce.number().check(z.int(), z.minimum(0)),
      [ENV.entraObjectQuota]: z.coerce.number().check(z.int(), z.minimum(1)),
    },
    env,
  );
  return {
    ...base(values),
    sweepBucket: values[ENV.sweepBucket],
    deletionCap: values[ENV.deletionCap],
    entraObjectQuota: values[ENV.entraObjectQuota],
  };
}

/** PROTECTED_ROLES: a JSON array of role patterns; anything else fails (a router that protects nothing must not run). */
function protectedRolesFrom(value: string): string[] {
  const problem = (why: string) =>
    new InvalidInputError(`Lambda environment: ${ENV.protectedRoles} is invalid (${why}). Fix: redeploy the stack, which sets it.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw problem('not JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw problem('expected a non-empty JSON array of role patterns');
  const wrong = parsed.find((pattern) => typeof pattern !== 'string' || !PROTECTED_ROLE_PATTERN.test(pattern));
  if (wrong !== undefined) throw problem(`${JSON.stringify(wrong)} is not a role pattern`);
  return parsed as string[];
}

/** The levels Powertools' logger knows, least to most severe (SILENT logs nothing). */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/**
 * The log level: POWERTOOLS_LOG_LEVEL, else LOG_LEVEL, else INFO; any case. Not written by
 * the stack. A value Powertools does not know fails here, naming the variable, rather than
 * being ignored as Powertools would.
 */
export function loadLogLevel(env: Env): LogLevelName {
  for (const name of [OTHER_ENV.logLevel, OTHER_ENV.logLevelAlias]) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const level = value.toUpperCase();
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new InvalidInputError(
        `Lambda environment: ${name} is invalid ("${value}"). Fix: set it to one of ${LOG_LEVELS.join(', ')}, or remove it for INFO.`,
      );
    }
    return level as LogLevelName;
  }
  return 'INFO';
}
