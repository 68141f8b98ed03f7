// zod/mini's functional API tree-shakes (a namespace import, not `{ z }`): classic zod adds
// ~445 KiB to every Lambda bundle. Issue messages are the same (both are zod/v4/core).
import * as z from 'zod/mini';

/**
 * The data that flows through `Web-Identity-Role-Create` and `Web-Identity-Role-Delete`.
 * Every task receives the whole execution state (`Payload.$: "$"`) and returns it with
 * its own result added (`OutputPath: "$.Payload"`), so each task's schema below names
 * only what that task reads; the handler passes everything else through untouched.
 */

export const TASK_FUNCTION_NAMES = [
  'create-service-principal',
  'add-audience-id-provider',
  'assign-role-to-audience',
  'delete-service-principal',
  'remove-audience-id-provider',
] as const;
export type TaskFunctionName = (typeof TASK_FUNCTION_NAMES)[number];

export const accountIdSchema = z.string().check(z.regex(/^\d{12}$/, 'a 12-digit AWS account ID'));
/** IAM role names: 1–64 characters of `[\w+=,.@-]`. */
export const roleNameSchema = z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name'));
export const guidSchema = z
  .string()
  .check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a GUID'));

/**
 * The IAM calls the pipeline reacts to. `TagRole` counts only when it sets the
 * `entra:owners` tag: app teams name owners after creating a role, and a Create
 * execution then adds them (it converges on everything else).
 */
/**
 * The audience Entra requires in a federated client assertion: the automation's AWS-issued
 * token carries it, and its federated identity credentials name it.
 */
export const ENTRA_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export const IAM_EVENT_NAMES = ['CreateRole', 'UpdateAssumeRolePolicy', 'DeleteRole', 'TagRole'] as const;

/** What the router starts each execution with. */
export const workflowInputSchema = z.object({
  accountId: accountIdSchema,
  roleName: roleNameSchema,
  /** CloudTrail `eventID` of the IAM call that caused the execution. */
  eventId: z.string().check(z.minLength(1)),
  eventName: z.enum(IAM_EVENT_NAMES),
});
export type WorkflowInput = z.infer<typeof workflowInputSchema>;

/** `create-service-principal` adds `application`. */
export const applicationResultSchema = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('registered'),
    appId: guidSchema,
    applicationObjectId: guidSchema,
    servicePrincipalObjectId: guidSchema,
    /** Owner IDs from `entra:owners` that could not be added, with why. */
    ownerProblems: z.array(z.string()),
  }),
  z.object({
    outcome: z.literal('skipped'),
    reason: z.enum(['role-not-found', 'not-federated']),
  }),
]);
export type ApplicationResult = z.infer<typeof applicationResultSchema>;

/** `delete-service-principal` adds `deleted`; `appId` is `null` when no application existed. */
export const deletedResultSchema = z.object({ appId: z.nullable(guidSchema) });
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
  /** Written by the app team: user object IDs separated by spaces (docs/app-teams.md#2-name-the-owners-who-may-add-certificates). */
  owners: 'entra:owners',
} as const;
