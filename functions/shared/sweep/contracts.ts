import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { SWEEP_EVENT_NAME, accountIdSchema, failureSchema, guidSchema, roleNameSchema, type WorkflowInput } from '../workflow/contracts';
import { roleLockInput, roleLockInputSchema } from '../workflow/role-lock';

/**
 * The data that flows through `{Prefix}-Sweep` (docs/architecture.md#the-sweep): its input,
 * what each step hands the next (through the state, or through S3 where it can grow with the
 * organization), the findings and the report. One source for the simulator, the functions and
 * the docs (a test ties the docs' table of finding kinds to `FINDING_KINDS`).
 */

export const SWEEP_MODES = ['report', 'repair'] as const;
export type SweepMode = (typeof SWEEP_MODES)[number];

/** The most a `deletionCap` may be, in the configuration or an execution's input. */
export const MAX_DELETION_CAP = 10_000;

/**
 * What `aws stepfunctions start-execution` (or the schedule) gives the sweep. `deletionCap`
 * overrides the configured cap for this one run (e.g. to let a reviewed mass clean-up through).
 */
export const sweepInputSchema = z.object({
  mode: z.enum(SWEEP_MODES),
  deletionCap: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(MAX_DELETION_CAP))),
});
export type SweepInput = z.infer<typeof sweepInputSchema>;

/**
 * An application created this recently may belong to a Create still running (the Create
 * state machine's timeout, 3600 s): the sweep neither calls it an orphan nor acts on it.
 * It also covers IAM's eventual consistency: a role created seconds before the sweep may be
 * missing from `ListRoles` (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
 */
export const RECENT_APPLICATION_SECONDS = 3600;

/** What the plan step hands every later step (small: it travels in the execution state). */
export const sweepContextSchema = z.object({
  /** 16 hex characters derived from the execution name: names the sessions and the Create executions it starts. */
  id: z.string().check(z.regex(/^[0-9a-f]{16}$/)),
  executionName: z.string().check(z.minLength(1)),
  mode: z.enum(SWEEP_MODES),
  /** The cap this run applies (the input's, else the configured one). */
  deletionCap: z.optional(z.number().check(z.int(), z.minimum(0))),
  startedAt: z.string(),
  bucket: z.string().check(z.minLength(3)),
  /** `sweeps/<execution name>/`: everything of this run. */
  prefix: z.string(),
  /** The Distributed Map's items (a JSON array of `AccountItem`). */
  accountsKey: z.string(),
  /** Where the two maps write their results. */
  inspectPrefix: z.string(),
  repairPrefix: z.string(),
  /** The tenant-level part: findings and counts from the plan (`TenantPlan`). */
  tenantKey: z.string(),
  accounts: z.number(),
});
export type SweepContext = z.infer<typeof sweepContextSchema>;

/** The sweep's id: stable for an execution name, so a retried step names the same sessions and executions. */
export const sweepId = (executionName: string): string => createHash('sha256').update(executionName, 'utf8').digest('hex').slice(0, 16);

/** An application of the automation, as the per-account item carries it. */
export const ownApplicationSchema = z.object({
  id: guidSchema,
  appId: guidSchema,
  uniqueName: z.string(),
  /** The role incarnation its name embeds (IAM's `RoleId`, upper case). */
  roleId: z.string(),
  createdDateTime: z.nullable(z.string()),
  /** Its service principal, when it has one of the automation's. */
  servicePrincipalId: z.nullable(guidSchema),
});
export type OwnApplication = z.infer<typeof ownApplicationSchema>;

/** One item of the inspection map: an account and the automation's applications named for it. */
export const accountItemSchema = z.object({ accountId: accountIdSchema, applications: z.array(ownApplicationSchema) });
export type AccountItem = z.infer<typeof accountItemSchema>;

/**
 * Every kind of finding, what it means and what `repair` does about it. docs/operator.md
 * lists the same table (a test keeps them equal).
 */
export const FINDING_KINDS = {
  unfederated: {
    action: 'federate',
    meaning:
      "The role trusts the tenant's provider but is not federated (created before the system, its event lost, or its trust policy changed since it was refused).",
  },
  'retryable-failure': { action: 'federate', meaning: 'The role is tagged failed:<reason> with a reason a retry can fix.' },
  'broken-pin': {
    action: 'federate',
    meaning:
      "The role's pin names an application that no longer exists, or its `sub` does not name the service principal its application has now (gone, or another role's).",
  },
  drifted: {
    action: 'federate',
    meaning: "The role is ready but its trust policy or its provider's audiences are no longer what the automation wrote.",
  },
  'hand-made': { action: 'none', meaning: 'The role pins aud to an application the automation did not create: left exactly as it is.' },
  refused: {
    action: 'none',
    meaning: 'The role is tagged failed:<reason> with a reason a retry cannot fix, and the cause is still there (its tag says what to do).',
  },
  revoked: {
    action: 'none',
    meaning: 'An operator revoked the role (entra:federation-status=revoked): nothing federates it again until it is restored.',
  },
  'protected-role': { action: 'none', meaning: 'A protected role trusts the provider: the automation never changes it.' },
  'orphan-application': {
    action: 'delete-application',
    meaning: "An application of the automation whose role incarnation no longer exists, or no longer trusts the tenant's provider.",
  },
  'dead-client-id': {
    action: 'remove-client-id',
    meaning: "A client ID on the account's provider that names no application in the tenant at all.",
  },
  'soft-deleted': {
    action: 'purge-deleted-item',
    meaning:
      "A soft-deleted object of the automation still in directory/deletedItems (counting against its quota); reported only when Graph's record cannot prove it is the automation's.",
  },
  'not-owner': {
    action: 'none',
    meaning:
      'An application of the automation that no longer has the automation among its owners (an owner removed it): the automation can neither change nor delete it, and it counts against its quota. A tenant administrator gives the ownership back.',
  },
  'expired-revocation': {
    action: 'remove-revocation-policy',
    meaning:
      "The automation's EntraRevokeOlderSessions policy on a role is more than 87,300 s (IAM's longest role session, a sign-in token's 15 minutes, then the longest console session made from it) past its time: every session it revokes has expired. The repair removes it after reading it again (docs/operator.md#expired-revocation-policies).",
  },
  'unreadable-account': { action: 'none', meaning: 'The account could not be read completely: nothing is deleted for it in this run.' },
  'over-deletion-cap': {
    action: 'none',
    meaning:
      'The run would delete more than the deletion cap: it deletes no application, client ID or soft-deleted object, reports each such deletion as withheld, and alarms.',
  },
} as const satisfies Record<string, { action: SweepAction; meaning: string }>;

export type FindingKind = keyof typeof FINDING_KINDS;
export const FINDING_KIND_NAMES = Object.keys(FINDING_KINDS) as FindingKind[];

export const SWEEP_ACTIONS = [
  'federate',
  'delete-application',
  'remove-client-id',
  'purge-deleted-item',
  'remove-revocation-policy',
  'none',
] as const;
export type SweepAction = (typeof SWEEP_ACTIONS)[number];

/**
 * What became of a finding's action: `proposed` (a `report` run), `done`, `failed`,
 * `withheld` (over the deletion cap), `skipped` (the repair found nothing left to do, e.g. a
 * dead client ID that now names an application), `reported` (action `none`).
 */
export const SWEEP_RESULTS = ['proposed', 'done', 'failed', 'withheld', 'skipped', 'reported'] as const;
export type SweepResult = (typeof SWEEP_RESULTS)[number];

export const findingSchema = z.object({
  kind: z.enum(FINDING_KIND_NAMES as [FindingKind, ...FindingKind[]]),
  /** The member account; `null` for what belongs to the tenant (soft-deleted objects, the cap). */
  account: z.nullable(accountIdSchema),
  roleName: z.optional(roleNameSchema),
  /** The application's client ID, or the dead client ID. */
  appId: z.optional(z.string()),
  /** The directory object ID (applications and soft-deleted objects). */
  objectId: z.optional(z.string()),
  action: z.enum(SWEEP_ACTIONS),
  result: z.enum(SWEEP_RESULTS),
  detail: z.optional(z.string()),
});
export type Finding = z.infer<typeof findingSchema>;

/** A role the repair federates through the Create workflow. */
export const federateRequestSchema = z.object({ roleName: roleNameSchema, roleId: z.string(), kind: z.string() });

/**
 * An expired revocation policy the repair removes (sweep-remove-revocations), as the inspection
 * read it: the role's incarnation (`roleId`: a role deleted and created again under the name is
 * another role, whose policy is not this one), its path (the protected-role patterns with a `/`
 * need it; a role's path never changes, https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateRole.html
 * has no path, so the same incarnation has the same path) and the time the policy revokes from.
 */
export const revocationRemovalSchema = z.object({
  roleName: roleNameSchema,
  roleId: z.string().check(z.minLength(1)),
  path: z.string().check(z.regex(/^\/(.*\/)?$/, 'an IAM path')),
  /** ISO 8601: the policy's `aws:TokenIssueTime` as the inspection read it. */
  revokedBefore: z.iso.datetime(),
});
export type RevocationRemoval = z.infer<typeof revocationRemovalSchema>;

/** What one account's repair does; the inspection proposes it, the cap may withhold the deletions. */
export const accountRepairSchema = z.object({
  deleteApplications: z.array(z.object({ id: guidSchema, appId: guidSchema, uniqueName: z.string() })),
  removeClientIds: z.array(z.string()),
  federate: z.array(federateRequestSchema),
  removeRevocationPolicies: z.array(revocationRemovalSchema),
});
export type AccountRepair = z.infer<typeof accountRepairSchema>;

/** The inspection's result for one account (what the map's result writer stores). */
export const inspectionSchema = z.union([
  z.object({
    accountId: accountIdSchema,
    readable: z.literal(true),
    /** Client IDs on the account's provider (IAM allows 100). */
    clientIds: z.number(),
    /** Roles that trust the tenant's provider. */
    federatedRoles: z.number(),
    findings: z.array(findingSchema),
    repair: accountRepairSchema,
  }),
  z.object({ accountId: accountIdSchema, readable: z.literal(false), failure: failureSchema }),
]);
export type Inspection = z.infer<typeof inspectionSchema>;

/**
 * One automation identity's use of its creator quota, as the plan counted it: `identity` is its
 * number (1 the deployment's first, then `entra.automationIdentities` in order: docs/operator.md#the-creator-quota),
 * `objects` the live directory objects Graph's record says it created (what the identity pool
 * counts before it moves on), `share` the objects it may use (`entra.quotaShare` × `entra.creatorQuota`).
 */
export const identityQuotaSchema = z.object({
  identity: z.number().check(z.int(), z.minimum(1)),
  objects: z.number().check(z.int(), z.minimum(0)),
  share: z.number().check(z.int(), z.minimum(1)),
});
export type IdentityQuota = z.infer<typeof identityQuotaSchema>;

/** What the plan found at the tenant level, stored beside the items. */
export const tenantPlanSchema = z.object({
  findings: z.array(findingSchema),
  /** Soft-deleted objects proven the automation's: purged by a repair under the cap. */
  purge: z.array(z.object({ id: guidSchema, kind: z.enum(['application', 'servicePrincipal']), appId: guidSchema })),
  /** Directory objects of the automation: live applications and service principals, soft-deleted ones it may own. */
  directoryObjects: z.number(),
  /** Accounts with a baseline stack instance. */
  accounts: z.number(),
  /** Each automation identity's use of its share of the creator quota. */
  identities: z.array(identityQuotaSchema),
});
export type TenantPlan = z.infer<typeof tenantPlanSchema>;

/** One item of the repair map: an account's approved repair, or (accountId null) the tenant's purges. */
export const repairItemSchema = z.object({
  accountId: z.nullable(accountIdSchema),
  deleteApplications: accountRepairSchema.shape.deleteApplications,
  removeClientIds: z.array(z.string()),
  purge: tenantPlanSchema.shape.purge,
  federate: z.array(federateRequestSchema),
  removeRevocationPolicies: accountRepairSchema.shape.removeRevocationPolicies,
});
export type RepairItem = z.infer<typeof repairItemSchema>;

/** One deletion the repair made or tried. */
export const repairOutcomeSchema = z.object({
  action: z.enum(SWEEP_ACTIONS),
  /** The application's client ID, the client ID, the object ID purged, or the role whose revocation policy is removed. */
  target: z.string(),
  result: z.enum(['done', 'failed', 'skipped']),
  detail: z.optional(z.string()),
});
export type RepairOutcome = z.infer<typeof repairOutcomeSchema>;

/** A Create execution the repair asks the state machine to run (`states:startExecution.sync:2`). */
export const federationSchema = z.object({
  roleName: roleNameSchema,
  executionName: z.string(),
  input: z.object({
    accountId: accountIdSchema,
    roleName: roleNameSchema,
    eventId: z.string(),
    eventName: z.literal(SWEEP_EVENT_NAME),
    lock: roleLockInputSchema,
  }),
});
export type Federation = z.infer<typeof federationSchema>;

/** The repair map's result for one item: the deletions, and the Create executions with how they ended. */
export const repairResultSchema = z.object({
  accountId: z.nullable(accountIdSchema),
  outcomes: z.array(repairOutcomeSchema),
  federations: z.array(
    z.extend(federationSchema, {
      /** `{ status }` from the execution, or the Catch's `{ Error, Cause }` when it failed or could not start. */
      execution: z.optional(z.union([z.object({ status: z.string() }), failureSchema])),
    }),
  ),
  /** The repair of this item failed as a whole (the item's Catch). */
  failure: z.optional(failureSchema),
  /**
   * The removal of the item's expired revocation policies failed as a whole (its own Catch, after
   * the rest of the item's repair): those policies stay, the rest of the item stands.
   */
  revocationFailure: z.optional(failureSchema),
});
export type RepairResult = z.infer<typeof repairResultSchema>;

/** Step Functions execution names: 1–80 of `[A-Za-z0-9_-]`, unique per state machine for 90 days. */
export function federationExecutionName(id: string, roleId: string): string {
  return `Sweep-${id}-${roleId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
}

/** The Create input of a role the sweep federates: no owners (only a `CreateRole` call names them). */
export function federationInput(
  sweep: Pick<SweepContext, 'id'>,
  accountId: string,
  roleName: string,
  nowMs: number,
): WorkflowInput & Federation['input'] {
  // The Create takes the role's lock first, like an execution the router starts (role-lock.ts).
  return {
    accountId,
    roleName,
    eventId: `sweep-${sweep.id}`,
    eventName: SWEEP_EVENT_NAME,
    lock: roleLockInput(accountId, roleName, nowMs),
  };
}

/** The report: every finding with what became of it, and the totals. */
export interface SweepReport {
  readonly sweep: {
    readonly id: string;
    readonly executionName: string;
    readonly mode: SweepMode;
    readonly startedAt: string;
    readonly finishedAt: string;
  };
  readonly deletionCap: number;
  readonly findings: readonly Finding[];
  readonly totals: SweepTotals;
  readonly accounts: readonly {
    readonly accountId: string;
    readonly readable: boolean;
    readonly clientIds?: number;
    readonly federatedRoles?: number;
  }[];
}

export interface SweepTotals {
  readonly accounts: number;
  readonly unreadableAccounts: number;
  readonly federatedRoles: number;
  readonly findings: number;
  readonly byKind: Readonly<Partial<Record<FindingKind, number>>>;
  readonly byResult: Readonly<Partial<Record<SweepResult, number>>>;
  /** Deletions the run would make (applications, client IDs, purges), against the cap. */
  readonly deletions: number;
  readonly deletionsWithheld: boolean;
  /** The largest number of client IDs on one account's provider (IAM allows 100). */
  readonly maxClientIdsPerProvider: number;
  /** Directory objects of the automation, and that as a percentage of the configured quota. */
  readonly directoryObjects: number;
  readonly directoryObjectQuotaPercent: number;
  /** Each automation identity's objects against its share, and that as a percentage. */
  readonly identities: readonly (IdentityQuota & { readonly percent: number })[];
}

/**
 * The numbers the report step logs on its `sweep metrics` line; the stack turns each into a
 * CloudWatch metric (a metric filter on that log group) and an alarm at its threshold.
 */
export const SWEEP_METRICS = {
  maxClientIdsPerProvider: {
    threshold: 90,
    description:
      "An account's OIDC provider holds 90 or more of IAM's 100 client IDs: its next federated roles will fail with audience-limit.",
  },
  directoryObjectQuotaPercent: {
    threshold: 80,
    description:
      "The automation's Entra directory objects reached 80 % of its quota (sweep.entraObjectQuota): purge deleted objects or raise the quota.",
  },
  orphanApplications: {
    threshold: 1,
    description: 'The sweep found applications of the automation whose roles are gone: events were lost, or deletions failed.',
  },
  notOwnerApplications: {
    threshold: 1,
    description:
      'The sweep found applications of the automation that an owner took the automation off: it can neither change nor delete them, and they count against its quota. A tenant administrator gives the ownership back.',
  },
  unreadableAccounts: {
    threshold: 1,
    description: 'The sweep could not read a member account completely: nothing was deleted for it. The report says why.',
  },
  deletionsWithheld: {
    threshold: 1,
    description:
      'A repair sweep would have deleted more than the deletion cap and deleted nothing: read the report before raising the cap.',
  },
  failedActions: {
    threshold: 1,
    description: 'A repair the sweep tried failed (a deletion, or a Create it started): the report says which.',
  },
} as const satisfies Record<string, { threshold: number; description: string }>;
export type SweepMetric = keyof typeof SWEEP_METRICS;

/** The message of the report step's metrics line (the metric filters match it). */
export const SWEEP_METRICS_MESSAGE = 'sweep metrics';

/**
 * The report step's lines for the dashboard (docs/operator.md#the-dashboard), each matched by a
 * metric filter with a dimension: one per finding kind (`kind`, `count`; every kind, zero
 * included, so a graph falls back to 0), and one per provider among the fullest
 * (`account`, `clientIds`), only `DASHBOARD_FULLEST_PROVIDERS` of them so that a large
 * organization does not make a custom metric per account.
 */
export const SWEEP_FINDINGS_MESSAGE = 'sweep findings of a kind';
export const SWEEP_PROVIDER_MESSAGE = 'sweep provider among the fullest';
/**
 * One line per automation identity (`identity` as a string, the metric's dimension; `objects`;
 * `share`; `percent`): the dashboard shows each identity's objects against its share.
 */
export const SWEEP_IDENTITY_MESSAGE = 'sweep identity quota';
export const DASHBOARD_FULLEST_PROVIDERS = 10;

/**
 * The destructive actions the cap counts. `remove-revocation-policy` is not one of them: the cap
 * guards against a mass deletion that a bug or a partial listing made look right (a live
 * application taken for an orphan), and an expired revocation cannot be made to look expired by
 * a partial listing: its removal rests on the policy's own time, read again from IAM at the moment
 * of the removal (sweep-remove-revocations). What it removes is a Deny that applies only to
 * sessions issued more than 87,300 s before (IAM's longest role session, a sign-in token's 15
 * minutes, then the longest console session made from it: `SESSION_REVOCATION_TTL_SECONDS` in functions/shared/iam/session-revocation.ts),
 * all of which have expired: it opens nothing. Counting it would let a day of many old
 * revocations withhold the orphan clean-up, or a withheld clean-up keep the roles' policies
 * piling up towards IAM's inline policy quota.
 */
export const DELETING_ACTIONS: readonly SweepAction[] = ['delete-application', 'remove-client-id', 'purge-deleted-item'];
