import * as z from 'zod/mini';
import { guidSchema, roleNameSchema } from './contracts';
import { DEPLOYED_ENV as ENV, OTHER_ENV } from './environment';
import { InvalidInputError } from './errors';

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
  [ENV.automationRoleName]: roleNameSchema,
  [OTHER_ENV.region]: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1')),
};

const graphShape = {
  [ENV.entraAuthMode]: z.enum(['federated', 'certificate']),
  [ENV.automationClientId]: guidSchema,
  [ENV.automationServicePrincipalId]: guidSchema,
  [ENV.certificateSecretArn]: z.optional(
    z.string().check(z.regex(/^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN')),
  ),
  [OTHER_ENV.graphBaseUrl]: z._default(z.url({ protocol: /^https?$/ }), DEFAULT_GRAPH_BASE_URL),
};

export interface BaseSettings {
  readonly tenantId: string;
  readonly tokenVersion: 1 | 2;
  readonly automationRoleName: string;
  readonly region: string;
}

export interface GraphSettings extends BaseSettings {
  readonly entraAuthMode: 'federated' | 'certificate';
  readonly automationClientId: string;
  /** Object ID of the automation's own service principal (lowercase GUID). */
  readonly automationServicePrincipalId: string;
  readonly certificateSecretArn?: string;
  readonly graphBaseUrl: string;
}

export interface CreateServicePrincipalSettings extends GraphSettings {
  readonly appNamePrefix: string;
}

export interface AssignRoleSettings extends BaseSettings {
  readonly trustPolicyMaxChars: number;
}

export interface RouterSettings extends BaseSettings {
  readonly createStateMachineArn: string;
  readonly deleteStateMachineArn: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function parseEnv<T extends z.core.$ZodShape>(shape: T, env: Env): z.infer<z.ZodMiniObject<T>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      return env[name] === undefined || env[name] === ''
        ? `${name} is not set`
        : `${name} is invalid (${issue.message})`;
    });
    throw new InvalidInputError(
      `Lambda environment: ${problems.join('; ')}. Fix: redeploy the stack, which sets these variables.`,
    );
  }
  return result.data;
}

function base(values: z.infer<z.ZodMiniObject<typeof baseShape>>): BaseSettings {
  return {
    tenantId: values[ENV.tenantId].toLowerCase(),
    tokenVersion: values[ENV.tokenVersion] === '2' ? 2 : 1,
    automationRoleName: values[ENV.automationRoleName],
    region: values[OTHER_ENV.region],
  };
}

/** add-audience-id-provider, remove-audience-id-provider. */
export function loadBaseSettings(env: Env): BaseSettings {
  return base(parseEnv(baseShape, env));
}

/** delete-service-principal (Graph and IAM). */
export function loadGraphSettings(env: Env): GraphSettings {
  const values = parseEnv({ ...baseShape, ...graphShape }, env);
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
  };
}

/** create-service-principal (Graph, IAM and the display-name prefix). */
export function loadCreateServicePrincipalSettings(env: Env): CreateServicePrincipalSettings {
  const values = parseEnv({ [ENV.appNamePrefix]: z.string().check(z.minLength(1), z.maxLength(60)) }, env);
  return { ...loadGraphSettings(env), appNamePrefix: values[ENV.appNamePrefix] };
}

/** assign-role-to-audience. */
export function loadAssignRoleSettings(env: Env): AssignRoleSettings {
  const values = parseEnv(
    // IAM's trust policy quota of the member accounts (the stack writes the configured value).
    { ...baseShape, [ENV.trustPolicyMaxChars]: z.coerce.number().check(z.int(), z.minimum(1)) },
    env,
  );
  return { ...base(values), trustPolicyMaxChars: values[ENV.trustPolicyMaxChars] };
}

/** router. */
export function loadRouterSettings(env: Env): RouterSettings {
  const values = parseEnv(
    { ...baseShape, [ENV.createStateMachineArn]: stateMachineArn, [ENV.deleteStateMachineArn]: stateMachineArn },
    env,
  );
  return {
    ...base(values),
    createStateMachineArn: values[ENV.createStateMachineArn],
    deleteStateMachineArn: values[ENV.deleteStateMachineArn],
  };
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
