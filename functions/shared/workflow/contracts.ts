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
 * benchmarks and tests iterate it. CONTRIBUTING.md#adding-a-task-function has the checklist.
 */
export const TASKS = {
  'create-service-principal': {
    description: 'Registers the Entra application and service principal of a federated role.',
    capability: 'reader',
    callsGraph: true,
    records: 'create',
    settings: ['appNamePrefix', 'audiences', 'identityPool'],
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
    records: 'remove',
    settings: ['identityPool'],
  },
  'remove-audience-id-provider': {
    description: "Removes applications' client IDs from the account's Entra OIDC provider.",
    capability: 'audience',
    callsGraph: false,
    settings: [],
  },
  'revoke-older-sessions': {
    description: "Denies a role's web identity sessions issued before now through the tenant's provider (EntraRevokeOlderSessions).",
    capability: 'revoke',
    callsGraph: false,
    settings: [],
  },
  // `{Prefix}-Role-Revoke` and `{Prefix}-Role-Restore` (docs/operator.md#revoking-a-role-in-an-incident).
  'revoke-role': {
    description: 'Revoke: locks a role against every web identity token and tags it revoked.',
    capability: 'pin',
    callsGraph: false,
    settings: ['trustPolicyMaxChars'],
  },
  'disable-service-principal': {
    description: "Revoke: disables the role's service principal in Entra (accountEnabled false) and raises the role-revoked alarm.",
    capability: null,
    callsGraph: true,
    settings: ['identityPool'],
    // The identity pool finds the identity that created the application through the records.
    records: 'read',
  },
  'restore-role': {
    description: 'Restore: lifts the revoked status so that the role is federated again (the pin then replaces the lock).',
    capability: 'pin',
    callsGraph: false,
    settings: [],
  },
  'enable-service-principal': {
    description: "Restore: enables the role's service principal in Entra again (accountEnabled true).",
    capability: null,
    callsGraph: true,
    settings: ['identityPool'],
    // The identity pool finds the identity that created the application through the records.
    records: 'read',
  },
  // The sweep (docs/architecture.md#the-sweep): `{Prefix}-Sweep` runs these five.
  'sweep-plan': {
    description: "Sweep: lists the member accounts and the automation's Entra objects once, and writes the per-account items.",
    capability: null,
    callsGraph: true,
    records: 'read',
    settings: ['sweepStorage', 'stackSet', 'identityQuota'],
    timeoutSeconds: 300,
    memorySize: 512,
  },
  'sweep-inspect-account': {
    description: 'Sweep: reads one member account whole (roles, provider audiences) and decides its findings; changes nothing.',
    capability: 'reader',
    callsGraph: true,
    records: 'read',
    settings: ['trustPolicyMaxChars', 'protectedRoles', 'gateway'],
    // An account of thousands of roles on day one reads each one that is not federated.
    timeoutSeconds: 300,
  },
  'sweep-repair-account': {
    description: "Sweep: deletes one account's orphan applications and dead client IDs, and names the roles to federate.",
    capability: 'audience',
    callsGraph: true,
    records: 'remove',
    settings: [],
    // A reviewed run with a raised cap may delete many applications of one account.
    timeoutSeconds: 300,
  },
  'sweep-remove-revocations': {
    description: "Sweep: removes one account's expired EntraRevokeOlderSessions policies, each read again first; leaves anything else.",
    // Writing inline policies is the revoke role's alone (the README's least privilege): not the
    // audience role of sweep-repair-account, which must not be able to write any policy.
    capability: 'revoke',
    callsGraph: false,
    settings: ['protectedRoles'],
    // Three IAM calls a policy: a day-one account whose roles left federation in numbers.
    timeoutSeconds: 300,
  },
  'sweep-report': {
    description: 'Sweep: applies the deletion cap, writes the report and its metrics.',
    capability: null,
    callsGraph: false,
    settings: ['sweepStorage', 'sweepLimits'],
    timeoutSeconds: 300,
    memorySize: 512,
  },
} as const satisfies Readonly<Record<string, TaskSpec>>;

export interface TaskSpec {
  /** The Lambda function's description. */
  readonly description: string;
  /** The member role the function assumes in member accounts; `null` for a task that acts in none (the sweep's central steps). */
  readonly capability: MemberCapability | null;
  /**
   * Whether it calls Microsoft Graph: it then gets the automation's Entra credential and
   * settings, and a longer timeout (Graph calls retry inside the function first).
   */
  readonly callsGraph: boolean;
  /**
   * What it does with the automation's record of its creations (functions/shared/entra/records.ts),
   * which every Graph client of a function reads: required for a task that calls Graph.
   */
  readonly records?: RecordAccess;
  /** Settings beyond the base (and Graph) ones its settings loader reads. */
  readonly settings: readonly TaskSetting[];
  /** Lambda timeout; default TASK_TIMEOUT_SECONDS (120 s for a task that calls Graph, else 60 s). */
  readonly timeoutSeconds?: number;
  /** Lambda memory in MB; default 256. */
  readonly memorySize?: number;
}

/**
 * Settings beyond the base ones (functions/shared/runtime/settings.ts): `appNamePrefix` (display names),
 * `trustPolicyMaxChars` (the member accounts' trust policy quota), `audiences` (the audience mode
 * and the gateway application, docs/architecture.md#audience-modes), `gateway` (the gateway's
 * client ID alone, for the one judgement of a role outside the Create), `identityPool` (the
 * automation identities and their quota, docs/operator.md#the-creator-quota), and the sweep's:
 * `protectedRoles`, `sweepStorage`, `stackSet`, `sweepLimits`, `identityQuota` (the identities'
 * client IDs and each one's share, to count them: unlike `identityPool`, the identities after the
 * first do not trust the function, whose reads go through the first one's Directory.Read.All).
 */
export type TaskSetting =
  | 'appNamePrefix'
  | 'trustPolicyMaxChars'
  | 'audiences'
  | 'gateway'
  | 'identityPool'
  | 'identityQuota'
  | 'protectedRoles'
  | 'sweepStorage'
  | 'stackSet'
  | 'sweepLimits';

/** `create`: writes intents and completes them; `remove`: reads, completes an open intent before a delete, and removes; `read`: reads. */
export type RecordAccess = 'create' | 'remove' | 'read';

export type TaskFunctionName = keyof typeof TASKS;
export const TASK_FUNCTION_NAMES = Object.keys(TASKS) as TaskFunctionName[];

/**
 * The member baseline splits what the automation may do in a member account into four
 * roles, so that a task function can only do what its step needs: `reader` reads roles
 * (`iam:GetRole`), `audience` adds and removes client IDs of the tenant's OIDC provider,
 * `pin` rewrites trust policies and writes `entra:*` tags, `revoke` writes and deletes the one
 * inline policy that revokes older sessions (`EntraRevokeOlderSessions`), reading the role it is
 * on. Each is named
 * `{aws.automationRoleName}-{capability}`.
 */
export const MEMBER_CAPABILITIES = ['reader', 'audience', 'pin', 'revoke'] as const;
export type MemberCapability = (typeof MEMBER_CAPABILITIES)[number];

/**
 * Which member role each task function assumes (from `TASKS`). The stack derives each
 * function's permission to assume, each member role's trust policy and the function's
 * environment from it; the central rule and the router derive the automation's own
 * sessions from `MEMBER_CAPABILITIES`.
 */
export const TASK_CAPABILITIES = Object.fromEntries(TASK_FUNCTION_NAMES.map((task) => [task, TASKS[task].capability])) as Readonly<
  Record<TaskFunctionName, MemberCapability | null>
>;

/** The tasks that act in member accounts, each through the member role of its capability. */
export const MEMBER_ACCOUNT_TASKS = TASK_FUNCTION_NAMES.filter((task) => TASK_CAPABILITIES[task] !== null);

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

/** Entra object IDs, client IDs and tenant IDs: GUIDs in their 8-4-4-4-12 hex form. The one copy of the pattern. */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const accountIdSchema = z.string().check(z.regex(/^\d{12}$/, 'a 12-digit AWS account ID'));
/** IAM role names: 1–64 characters of `[\w+=,.@-]`. */
export const roleNameSchema = z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name'));
export const guidSchema = z.string().check(z.regex(GUID_PATTERN, 'a GUID'));

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

/**
 * How a role's identity is set up (the `entra:identity-mode` tag): an application of its own
 * whose client ID is the audience (`per-role`), an application of its own behind the gateway
 * audience (`shared`), or an identity the app team already has, named in the trust policy's
 * `sub` (`bring-your-own`). See docs/architecture.md#audience-modes.
 */
export const IDENTITY_MODES = ['per-role', 'shared', 'bring-your-own'] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];

/** The configuration's `entra.audienceMode`: what the audience of a role with an application of its own is. */
export const AUDIENCE_MODES = ['per-role', 'shared'] as const;
export type AudienceMode = (typeof AUDIENCE_MODES)[number];

/**
 * Entra accepts at most 20 federated identity credentials per application
 * (https://learn.microsoft.com/graph/api/application-post-federatedidentitycredentials).
 */
export const MAX_FEDERATED_CREDENTIALS = 20;

/**
 * The `eventName` of a Create the sweep starts (no IAM call caused it): its `eventId` names the
 * sweep (`sweep-<id>`), so the member account's CloudTrail shows which sweep acted.
 */
export const SWEEP_EVENT_NAME = 'Sweep';

/**
 * The `eventName` of the executions an operator starts (`{Prefix}-Role-Revoke`, `{Prefix}-Role-Restore`):
 * their `eventId` is the execution's name, so the member account's CloudTrail shows which one acted.
 */
export const OPERATOR_EVENT_NAMES = ['Revoke', 'Restore'] as const;

/**
 * What an operator starts `{Prefix}-Role-Revoke` and `{Prefix}-Role-Restore` with
 * (docs/operator.md#revoking-a-role-in-an-incident). Step Functions does not pass the caller to
 * the execution, so `requestedBy` is the operator's own statement (the runbook fills it from
 * `aws sts get-caller-identity`); both it and `reason` go into the alarm and the log line.
 */
export const roleRevocationRequestSchema = z.object({
  accountId: accountIdSchema,
  roleName: roleNameSchema,
  requestedBy: z
    .string('who asks: fill it from `aws sts get-caller-identity --query Arn` (docs/operator.md#revoking-a-role-in-an-incident)')
    .check(
      z.minLength(1, 'who asks: fill it from `aws sts get-caller-identity --query Arn` (docs/operator.md#revoking-a-role-in-an-incident)'),
      z.maxLength(1024),
    ),
  reason: z
    .string('why: a sentence or a ticket, for the alarm and the audit log')
    .check(z.minLength(1, 'why: a sentence or a ticket, for the alarm and the audit log'), z.maxLength(1024)),
});
export type RoleRevocationRequest = z.infer<typeof roleRevocationRequestSchema>;

/** An app team's `UpdateAssumeRolePolicy`, as `WorkflowInput.teamWrite` carries it. */
export const teamWriteSchema = z.object({
  /** CloudTrail `eventTime`: ISO 8601, to the second. */
  eventTime: z.string().check(z.refine((value) => Number.isFinite(Date.parse(value)), 'an ISO 8601 time')),
  /** `requestParameters.policyDocument`. IAM's largest trust policy quota is 8,192 characters; CloudTrail may escape some. */
  policyDocument: z.string().check(z.minLength(1), z.maxLength(65536)),
});

/** What the router (or the sweep) starts each execution with. */
export const workflowInputSchema = z.object({
  accountId: accountIdSchema,
  roleName: roleNameSchema,
  /** CloudTrail `eventID` of the IAM call that caused the execution (`sweep-<id>` for the sweep). */
  eventId: z.string().check(z.minLength(1)),
  eventName: z.enum([...IAM_EVENT_NAMES, SWEEP_EVENT_NAME, ...OPERATOR_EVENT_NAMES]),
  /** The `entra:owners` tag as the `CreateRole` call itself set it; absent for every other event. */
  requestedOwners: z.optional(z.string().check(z.maxLength(256))),
  /**
   * The role ID `CreateRole` answered with (CloudTrail `responseElements.role.roleId`): the
   * execution acts only on that incarnation of the role. Absent for other events.
   */
  roleId: z.optional(z.string().check(z.regex(/^[A-Z0-9]{16,128}$/, 'an IAM role ID'))),
  /**
   * The `entra:federated-credential:<name>` tags as the `CreateRole` call itself set them, by
   * name (the key without its prefix); absent for every other event. IAM allows 50 tags per
   * role, values of 256 characters.
   */
  requestedFederatedCredentials: z.optional(
    z
      .record(z.string().check(z.minLength(1), z.maxLength(128)), z.string().check(z.maxLength(256)))
      .check(z.refine((record) => Object.keys(record).length <= 50, 'at most 50 (IAM tags per role)')),
  ),
  /**
   * An app team's `UpdateAssumeRolePolicy` (the router sets it for that call only): its CloudTrail
   * `eventTime` and the document it wrote (`requestParameters.policyDocument`, a JSON string), so
   * that the execution can write it again if the automation overwrote it (team-writes.ts).
   */
  teamWrite: z.optional(teamWriteSchema),
  /** The role's lock (role-lock.ts): the router always sets it; the state machines take it first. */
  lock: z.optional(roleLockInputSchema),
});
export type WorkflowInput = z.infer<typeof workflowInputSchema>;
export type TeamWrite = z.infer<typeof teamWriteSchema>;

/**
 * The audience a role is federated to: `audiences` are the client IDs its trust policy's `:aud`
 * admits and the provider holds (absent: the application's own `appId`); `requestAudience` is
 * the one a workload asks Entra for (the `entra:audience` tag; absent: `appId`).
 */
const audienceFields = {
  audiences: z.optional(z.array(guidSchema).check(z.minLength(1))),
  requestAudience: z.optional(guidSchema),
};

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
  /** Audiences of statements federated by hand (applications the automation did not create): kept as they are. */
  handMadeAudiences: z.optional(z.array(z.string())),
  /** The `entra:federated-credentials-status` value, when the execution was asked to add some. */
  federatedCredentialsStatus: z.optional(z.string()),
  ...audienceFields,
  /** `per-role` or `shared` (absent: `per-role`, as before audience modes existed). */
  identityMode: z.optional(z.enum(['per-role', 'shared'])),
  /**
   * Client IDs the provider no longer needs for this role: its own application's, once the
   * role moves to the gateway audience (docs/architecture.md#switching-audience-modes).
   */
  retiredAudiences: z.optional(z.array(guidSchema)),
});
export type RegisteredApplicationResult = z.infer<typeof registeredApplicationSchema>;

/** …or an identity the app team brought (the trust policy's `sub`): no Entra object is created… */
export const broughtIdentitySchema = z.object({
  outcome: z.literal('bring-your-own'),
  roleId: z.string().check(z.minLength(1)),
  /** The service principal the trust policy names. */
  servicePrincipalObjectId: guidSchema,
  /** Its client ID (a managed identity's client ID): the helper's `--client-id`. */
  identityAppId: guidSchema,
  audiences: z.array(guidSchema).check(z.minLength(1)),
  requestAudience: guidSchema,
  /** `failed:bring-your-own …` when the `CreateRole` call named owners or federated credentials: there is no application to add them to. */
  ownersStatus: z.optional(z.string()),
  federatedCredentialsStatus: z.optional(z.string()),
});
export type BroughtIdentityResult = z.infer<typeof broughtIdentitySchema>;

/** What `add-audience-id-provider` and `assign-role-to-audience` federate the role to. */
export const identityResultSchema = z.discriminatedUnion('outcome', [registeredApplicationSchema, broughtIdentitySchema]);
export type IdentityResult = z.infer<typeof identityResultSchema>;

/** What a role is federated to, whichever way its identity was set up (defaults for executions started before audience modes). */
export function federationTarget(result: IdentityResult): {
  readonly audiences: readonly string[];
  readonly requestAudience: string;
  readonly retiredAudiences: readonly string[];
  readonly clientId: string;
  readonly servicePrincipalObjectId: string;
  readonly identityMode: IdentityMode;
} {
  if (result.outcome === 'bring-your-own') {
    return {
      audiences: result.audiences,
      requestAudience: result.requestAudience,
      retiredAudiences: [],
      clientId: result.identityAppId,
      servicePrincipalObjectId: result.servicePrincipalObjectId,
      identityMode: 'bring-your-own',
    };
  }
  return {
    audiences: result.audiences ?? [result.appId],
    requestAudience: result.requestAudience ?? result.appId,
    retiredAudiences: result.retiredAudiences ?? [],
    clientId: result.appId,
    servicePrincipalObjectId: result.servicePrincipalObjectId,
    identityMode: result.identityMode ?? 'per-role',
  };
}

/** …or skipped. */
export const applicationResultSchema = z.discriminatedUnion('outcome', [
  registeredApplicationSchema,
  broughtIdentitySchema,
  z.object({
    outcome: z.literal('skipped'),
    /** `hand-made`: the role is federated to an application the automation did not create; `revoked`: an operator revoked it. */
    reason: z.enum(['role-not-found', 'not-federated', 'hand-made', 'revoked']),
  }),
]);
export type ApplicationResult = z.infer<typeof applicationResultSchema>;

/** `delete-service-principal` adds `deleted`: the client IDs of the applications it removed. */
export const deletedResultSchema = z.object({
  appIds: z.array(guidSchema),
  any: z.boolean(),
  /** Delete only: the role left federation, so the state machine revokes its older web identity sessions. */
  revokeOlderSessions: z.optional(z.boolean()),
});
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
  /** The audience a workload requests its Entra token for: the helper's `--audience`. */
  audience: 'entra:audience',
  /** `per-role`, `shared` or `bring-your-own` (IDENTITY_MODES). */
  identityMode: 'entra:identity-mode',
  /** How adding the federated identity credentials went: `added`, or `failed:<reason> <name> <name>… [+N]`. */
  federatedCredentialsStatus: 'entra:federated-credentials-status',
  /**
   * Written with every trust policy the automation writes: when the read it came from happened and
   * a digest of what it wrote, so that a team write it overwrote is applied again (team-writes.ts).
   */
  trustPolicyWrite: 'entra:trust-policy-write',
} as const;

/**
 * Written by the app team at CreateRole, one tag per credential: key
 * `entra:federated-credential:<name>`, value `<issuer> <subject>` (docs/app-teams.md#federated-identity-credentials-by-tag).
 */
export const FEDERATED_CREDENTIAL_TAG_PREFIX = 'entra:federated-credential:';
