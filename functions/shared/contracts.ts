// zod/mini's functional API tree-shakes (a namespace import, not `{ z }`): classic zod adds
// ~445 KiB to every Lambda bundle. Issue messages are the same (both are zod/v4/core).
import * as z from 'zod/mini';
import { roleLockInputSchema } from './role-lock';

/**
 * The data that flows through `Web-Identity-Role-Create` and `Web-Identity-Role-Delete`.
 * Every task receives the whole execution state (`Payload.$: "$"`) and returns it with
 * its own result added (`OutputPath: "$.Payload"`), so each task's schema below names
 * only what that task reads; the handler passes everything else through untouched.
 */

/**
 * The one registry of task functions: adding a task is an entry here and its folder
 * `functions/<name>/` (a `handler.ts` exporting `makeHandler` and `handler`, a pure
 * `core.ts`). The stack builds each function (description, member role, Entra credential,
 * environment, timeout) from its entry; the simulator loads its handler by name; the
 * benchmarks and tests iterate it. docs/architecture.md#adding-a-task-function has the checklist.
 */
export const TASKS = {
  'create-service-principal': {
    description: 'Registers the Entra application and service principal of a federated role.',
    capability: 'reader',
    callsGraph: true,
    settings: ['appNamePrefix'],
  },
  'add-audience-id-provider': {
    description: "Adds an application's client ID to the account's Entra OIDC provider.",
    capability: 'audience',
    callsGraph: false,
    settings: [],
  },
  'assign-role-to-audience': {
    description: 'Pins aud and sub in the role trust policy and tags the role; locks a role it cannot pin.',
    capability: 'pin',
    callsGraph: false,
    settings: ['trustPolicyMaxChars'],
  },
  'delete-service-principal': {
    description: "Deletes and purges a role's Entra applications and service principals.",
    capability: 'reader',
    callsGraph: true,
    settings: [],
  },
  'remove-audience-id-provider': {
    description: "Removes applications' client IDs from the account's Entra OIDC provider.",
    capability: 'audience',
    callsGraph: false,
    settings: [],
  },
} as const satisfies Readonly<Record<string, TaskSpec>>;

export interface TaskSpec {
  /** The Lambda function's description. */
  readonly description: string;
  /** The member role the function assumes in member accounts. */
  readonly capability: MemberCapability;
  /**
   * Whether it calls Microsoft Graph: it then gets the automation's Entra credential and
   * settings, and a longer timeout (Graph calls retry inside the function first).
   */
  readonly callsGraph: boolean;
  /** Settings beyond the base (and Graph) ones its settings loader reads. */
  readonly settings: readonly ('appNamePrefix' | 'trustPolicyMaxChars')[];
}

export type TaskFunctionName = keyof typeof TASKS;
export const TASK_FUNCTION_NAMES = Object.keys(TASKS) as TaskFunctionName[];

/**
 * The member baseline splits what the automation may do in a member account into three
 * roles, so that a task function can only do what its step needs: `reader` reads roles
 * (`iam:GetRole`), `audience` adds and removes client IDs of the tenant's OIDC provider,
 * `pin` rewrites trust policies and writes `entra:*` tags. Each is named
 * `{aws.automationRoleName}-{capability}`.
 */
export const MEMBER_CAPABILITIES = ['reader', 'audience', 'pin'] as const;
export type MemberCapability = (typeof MEMBER_CAPABILITIES)[number];

/**
 * Which member role each task function assumes (from `TASKS`). The stack derives each
 * function's permission to assume, each member role's trust policy and the function's
 * environment from it; the central rule and the router derive the automation's own
 * sessions from `MEMBER_CAPABILITIES`.
 */
export const TASK_CAPABILITIES = Object.fromEntries(
  TASK_FUNCTION_NAMES.map((task) => [task, TASKS[task].capability]),
) as Readonly<Record<TaskFunctionName, MemberCapability>>;

/** The longest suffix `memberRoleName` adds ("-audience"), so a base name must leave room for it. */
export const MEMBER_ROLE_SUFFIX_MAX_LENGTH = Math.max(...MEMBER_CAPABILITIES.map((capability) => capability.length + 1));

/** The member role of one capability, e.g. `web-identity-automation-pin`. */
export function memberRoleName(automationRoleName: string, capability: MemberCapability): string {
  return `${automationRoleName}-${capability}`;
}

/** Every member role the automation acts through (its own calls must not trigger it). */
export function memberRoleNames(automationRoleName: string): string[] {
  return MEMBER_CAPABILITIES.map((capability) => memberRoleName(automationRoleName, capability));
}

export const accountIdSchema = z.string().check(z.regex(/^\d{12}$/, 'a 12-digit AWS account ID'));
/** IAM role names: 1–64 characters of `[\w+=,.@-]`. */
export const roleNameSchema = z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name'));
export const guidSchema = z
  .string()
  .check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a GUID'));

/**
 * The audience Entra requires in a federated client assertion: the automation's AWS-issued
 * token carries it, and its federated identity credentials name it.
 */
export const ENTRA_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/**
 * The IAM calls the pipeline reacts to. `TagRole` is not one of them: naming who may obtain a
 * role's identity must take no less than writing its trust policy, so `entra:owners` counts
 * only when `CreateRole` sets it (see docs/architecture.md#who-may-name-owners).
 */
export const IAM_EVENT_NAMES = ['CreateRole', 'UpdateAssumeRolePolicy', 'DeleteRole'] as const;

/** What the router starts each execution with. */
export const workflowInputSchema = z.object({
  accountId: accountIdSchema,
  roleName: roleNameSchema,
  /** CloudTrail `eventID` of the IAM call that caused the execution. */
  eventId: z.string().check(z.minLength(1)),
  eventName: z.enum(IAM_EVENT_NAMES),
  /** The `entra:owners` tag as the `CreateRole` call itself set it; absent for every other event. */
  requestedOwners: z.optional(z.string().check(z.maxLength(256))),
  /** The role's lock (role-lock.ts): the router always sets it; the state machines take it first. */
  lock: z.optional(roleLockInputSchema),
});
export type WorkflowInput = z.infer<typeof workflowInputSchema>;

/** `create-service-principal` adds `application`: registered… */
export const registeredApplicationSchema = z.object({
  outcome: z.literal('registered'),
  /** The role incarnation the application belongs to. */
  roleId: z.string().check(z.minLength(1)),
  appId: guidSchema,
  applicationObjectId: guidSchema,
  servicePrincipalObjectId: guidSchema,
  /** Whether this execution created the application (false: a retry found its own). */
  created: z.boolean(),
  /** The `entra:owners-status` value, when the execution was asked to add owners. */
  ownersStatus: z.optional(z.string()),
});
export type RegisteredApplicationResult = z.infer<typeof registeredApplicationSchema>;

/** …or skipped. */
export const applicationResultSchema = z.discriminatedUnion('outcome', [
  registeredApplicationSchema,
  z.object({
    outcome: z.literal('skipped'),
    /** `hand-made`: the role is federated to an application the automation did not create. */
    reason: z.enum(['role-not-found', 'not-federated', 'hand-made']),
  }),
]);
export type ApplicationResult = z.infer<typeof applicationResultSchema>;

/** `delete-service-principal` adds `deleted`: the client IDs of the applications it removed. */
export const deletedResultSchema = z.object({ appIds: z.array(guidSchema), any: z.boolean() });
export type DeletedResult = z.infer<typeof deletedResultSchema>;

/** What a `Catch` with `ResultPath: "$.failure"` writes. */
export const failureSchema = z.object({ Error: z.string(), Cause: z.optional(z.string()) });
export type Failure = z.infer<typeof failureSchema>;

/** Role tags the automation writes (IAM tag values: letters, digits, spaces and `_.:/=+-@`; 256 chars). */
export const ROLE_TAGS = {
  clientId: 'entra:client-id',
  tenantId: 'entra:tenant-id',
  servicePrincipalId: 'entra:service-principal-id',
  status: 'entra:federation-status',
  /** How adding the owners went: `added`, or `failed:<reason> <id> <id>… [+N]`. */
  ownersStatus: 'entra:owners-status',
  /** What the role's web identity statements admit: see `ACCESS` in status.ts. */
  access: 'entra:access',
  /** Written by the app team at CreateRole: user object IDs separated by spaces (docs/app-teams.md#2-name-the-owners-who-may-add-certificates). */
  owners: 'entra:owners',
} as const;
