import * as z from 'zod/mini';
import { guidSchema, roleNameSchema } from './contracts';
import { InvalidInputError } from './errors';

/**
 * The functions' environment, read only here, only on first invocation (never at import),
 * and validated with zod so a bad deployment fails with the variable's name and the fix.
 * Each function asks only for the variables it uses.
 */

const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';
/** IAM's default quota for a role trust policy (the account may have raised it). */
const DEFAULT_TRUST_POLICY_MAX_CHARS = 2048;

const stateMachineArn = z
  .string()
  .check(z.regex(/^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]{1,80}$/, 'a Step Functions state machine ARN'));

const baseShape = {
  TENANT_ID: guidSchema,
  TOKEN_VERSION: z.enum(['1', '2']),
  AUTOMATION_ROLE_NAME: roleNameSchema,
  /** Set by Lambda itself. */
  AWS_REGION: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1')),
};

const graphShape = {
  ENTRA_AUTH_MODE: z.enum(['federated', 'certificate']),
  AUTOMATION_CLIENT_ID: guidSchema,
  AUTOMATION_SERVICE_PRINCIPAL_ID: guidSchema,
  CERTIFICATE_SECRET_ARN: z.optional(
    z.string().check(z.regex(/^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN')),
  ),
  GRAPH_BASE_URL: z._default(z.url({ protocol: /^https?$/ }), DEFAULT_GRAPH_BASE_URL),
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
  /** Object ID of the automation's own service principal (whose createdObjects prove "ours"). */
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
    tenantId: values.TENANT_ID.toLowerCase(),
    tokenVersion: values.TOKEN_VERSION === '2' ? 2 : 1,
    automationRoleName: values.AUTOMATION_ROLE_NAME,
    region: values.AWS_REGION,
  };
}

/** add-audience-id-provider, remove-audience-id-provider. */
export function loadBaseSettings(env: Env): BaseSettings {
  return base(parseEnv(baseShape, env));
}

/** delete-service-principal (Graph and IAM). */
export function loadGraphSettings(env: Env): GraphSettings {
  const values = parseEnv({ ...baseShape, ...graphShape }, env);
  if (values.ENTRA_AUTH_MODE === 'certificate' && !values.CERTIFICATE_SECRET_ARN) {
    throw new InvalidInputError(
      'Lambda environment: CERTIFICATE_SECRET_ARN is not set but ENTRA_AUTH_MODE is certificate. Fix: redeploy the stack (automationCredential.mode = "certificate" creates the secret and sets it).',
    );
  }
  return {
    ...base(values),
    entraAuthMode: values.ENTRA_AUTH_MODE,
    automationClientId: values.AUTOMATION_CLIENT_ID,
    automationServicePrincipalId: values.AUTOMATION_SERVICE_PRINCIPAL_ID,
    ...(values.CERTIFICATE_SECRET_ARN ? { certificateSecretArn: values.CERTIFICATE_SECRET_ARN } : {}),
    graphBaseUrl: values.GRAPH_BASE_URL.replace(/\/+$/, ''),
  };
}

/** create-service-principal (Graph, IAM and the display-name prefix). */
export function loadCreateServicePrincipalSettings(env: Env): CreateServicePrincipalSettings {
  const { APP_NAME_PREFIX } = parseEnv({ APP_NAME_PREFIX: z.string().check(z.minLength(1), z.maxLength(60)) }, env);
  return { ...loadGraphSettings(env), appNamePrefix: APP_NAME_PREFIX };
}

/** assign-role-to-audience. */
export function loadAssignRoleSettings(env: Env): AssignRoleSettings {
  const values = parseEnv(
    {
      ...baseShape,
      TRUST_POLICY_MAX_CHARS: z._default(
        z.coerce.number().check(z.int(), z.minimum(1)),
        DEFAULT_TRUST_POLICY_MAX_CHARS,
      ),
    },
    env,
  );
  return { ...base(values), trustPolicyMaxChars: values.TRUST_POLICY_MAX_CHARS };
}

/** router. */
export function loadRouterSettings(env: Env): RouterSettings {
  const values = parseEnv(
    { ...baseShape, CREATE_STATE_MACHINE_ARN: stateMachineArn, DELETE_STATE_MACHINE_ARN: stateMachineArn },
    env,
  );
  return {
    ...base(values),
    createStateMachineArn: values.CREATE_STATE_MACHINE_ARN,
    deleteStateMachineArn: values.DELETE_STATE_MACHINE_ARN,
  };
}
