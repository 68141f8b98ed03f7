import * as z from 'zod/mini';
import type { HandlerDeps } from '../shared/runtime';
import {
  type SweepStore,
  DELETING_ACTIONS,
  SWEEP_METRICS_MESSAGE,
  SWEEP_FINDINGS_MESSAGE,
  SWEEP_PROVIDER_MESSAGE,
  SWEEP_IDENTITY_MESSAGE,
  DASHBOARD_FULLEST_PROVIDERS,
  FINDING_KIND_NAMES,
  renderSweepReportHtml,
  inspectionSchema,
  repairResultSchema,
  sweepContextSchema,
  tenantPlanSchema,
  type Finding,
  type FindingKind,
  type Inspection,
  type RepairItem,
  type RepairResult,
  type SweepContext,
  type SweepMetric,
  type SweepReport,
  type SweepResult,
  type SweepTotals,
} from '../shared/sweep';

export const FUNCTION_NAME = 'sweep-report';

/** `part` as a percentage of `whole`, one decimal. */
const percentOf = (part: number, whole: number) => Math.round((part / whole) * 1000) / 10;

/**
 * What a Distributed Map with a `ResultWriter` leaves in the state: where its manifest is
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html).
 */
const mapRunSchema = z.object({
  MapRunArn: z.optional(z.string()),
  ResultWriterDetails: z.object({ Bucket: z.string(), Key: z.string() }),
});

export const decisionSchema = z.object({
  /** Whether the repair map has anything to do. */
  repair: z.boolean(),
  repairsKey: z.string(),
  deletions: z.number(),
  cap: z.number(),
  overCap: z.boolean(),
});
export type Decision = z.infer<typeof decisionSchema>;

/**
 * Two modes, one function (like assign-role-to-audience): after the inspection map it decides
 * (the cap, the repair items); with `decision` present it writes the report and its metrics.
 */
export const inputSchema = z.object({
  sweep: sweepContextSchema,
  inspection: mapRunSchema,
  decision: z.optional(decisionSchema),
  /** The repair map's run, when it ran. */
  repairs: z.optional(mapRunSchema),
});
export type Input = z.infer<typeof inputSchema>;

export interface Deps extends HandlerDeps {
  readonly settings: { readonly deletionCap: number; readonly entraObjectQuota: number };
  readonly store: SweepStore;
  readonly now?: () => Date;
}

/** The manifest the result writer leaves, and its result files (arrays of child executions). */
const manifestSchema = z.object({
  ResultFiles: z.record(z.string(), z.array(z.object({ Key: z.string() }))),
});
const childExecutionSchema = z.object({
  Status: z.optional(z.string()),
  Input: z.optional(z.unknown()),
  Output: z.optional(z.unknown()),
  Error: z.optional(z.string()),
  Cause: z.optional(z.string()),
});
type ChildExecution = z.infer<typeof childExecutionSchema>;

/** Input and Output are JSON strings in the result files; an object is taken as it is. */
const json = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
};

/** Every child execution a map run wrote (succeeded, failed, pending), from its manifest. */
async function readMapRun(store: SweepStore, run: z.infer<typeof mapRunSchema>): Promise<ChildExecution[]> {
  if (run.ResultWriterDetails.Bucket !== store.bucket) {
    throw new Error(`the map's results are in bucket ${run.ResultWriterDetails.Bucket}, not the sweep's bucket ${store.bucket}`);
  }
  const manifest = z.parse(manifestSchema, await store.getJson(run.ResultWriterDetails.Key));
  const children: ChildExecution[] = [];
  for (const [status, files] of Object.entries(manifest.ResultFiles)) {
    for (const file of files) {
      for (const child of z.parse(z.array(childExecutionSchema), await store.getJson(file.Key))) {
        children.push({ ...child, Status: child.Status ?? status });
      }
    }
  }
  return children;
}

/**
 * A child that did not succeed, or whose output is not what the item processor returns, counts
 * as unread (closed: nothing of it is deleted). Its account comes from its input; an input that
 * names none (the result files not as documented) is reported under the placeholder account.
 */
const UNKNOWN_ACCOUNT = '000000000000';
function inspectionOf(child: ChildExecution): Inspection {
  const parsed = inspectionSchema.safeParse(json(child.Output));
  if (child.Status === 'SUCCEEDED' && parsed.success) return parsed.data;
  const accountId = (json(child.Input) as { account?: { accountId?: unknown } } | undefined)?.account?.accountId;
  return {
    accountId: typeof accountId === 'string' ? accountId : UNKNOWN_ACCOUNT,
    readable: false,
    failure: { Error: child.Error ?? `States.${child.Status ?? 'Unknown'}`, ...(child.Cause ? { Cause: child.Cause } : {}) },
  };
}

function repairResultOf(child: ChildExecution): RepairResult {
  const parsed = repairResultSchema.safeParse(json(child.Output));
  if (child.Status === 'SUCCEEDED' && parsed.success) return parsed.data;
  const accountId = (json(child.Input) as { repair?: { accountId?: unknown } } | undefined)?.repair?.accountId;
  return {
    accountId: typeof accountId === 'string' ? accountId : null,
    outcomes: [],
    federations: [],
    failure: { Error: child.Error ?? `States.${child.Status ?? 'Unknown'}`, ...(child.Cause ? { Cause: child.Cause } : {}) },
  };
}

const causeText = (failure: { Error: string; Cause?: string | undefined }): string => {
  let cause = failure.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // a bare message
  }
  return `${failure.Error}${cause ? `: ${cause}` : ''}`.slice(0, 500);
};

async function sources(deps: Deps, input: Input) {
  const [children, tenant] = await Promise.all([readMapRun(deps.store, input.inspection), deps.store.getJson(input.sweep.tenantKey)]);
  return {
    inspections: children.map(inspectionOf).sort((a, b) => a.accountId.localeCompare(b.accountId)),
    tenant: z.parse(tenantPlanSchema, tenant),
  };
}

const capOf = (deps: Deps, sweep: SweepContext) => sweep.deletionCap ?? deps.settings.deletionCap;

/**
 * After the inspection: counts every deletion proposed (applications, client IDs, purges).
 * Over the cap, a repair run deletes none of them (a mass deletion is far more likely a bug or
 * a partial listing than reality) but still federates and removes expired revocation policies
 * (not a deletion the cap counts: `DELETING_ACTIONS`); in a report run nothing is repaired.
 */
async function decide(deps: Deps, input: Input): Promise<{ decision: Decision }> {
  const { sweep } = input;
  const { inspections, tenant } = await sources(deps, input);
  const readable = inspections.filter((inspection) => inspection.readable);
  const deletions =
    readable.reduce((sum, inspection) => sum + inspection.repair.deleteApplications.length + inspection.repair.removeClientIds.length, 0) +
    tenant.purge.length;
  const cap = capOf(deps, sweep);
  const overCap = sweep.mode === 'repair' && deletions > cap;
  const items: RepairItem[] =
    sweep.mode === 'repair'
      ? [
          ...readable.map((inspection) => ({
            accountId: inspection.accountId,
            deleteApplications: overCap ? [] : inspection.repair.deleteApplications,
            removeClientIds: overCap ? [] : inspection.repair.removeClientIds,
            purge: [],
            federate: inspection.repair.federate,
            removeRevocationPolicies: inspection.repair.removeRevocationPolicies,
          })),
          {
            accountId: null,
            deleteApplications: [],
            removeClientIds: [],
            purge: overCap ? [] : tenant.purge,
            federate: [],
            removeRevocationPolicies: [],
          },
        ].filter(
          (item) =>
            item.deleteApplications.length +
              item.removeClientIds.length +
              item.purge.length +
              item.federate.length +
              item.removeRevocationPolicies.length >
            0,
        )
      : [];
  const repairsKey = `${sweep.prefix}repairs.json`;
  if (items.length > 0) await deps.store.putJson(repairsKey, items);
  if (overCap) {
    deps.logger.error('deletions withheld: over the deletion cap', { deletions, cap });
  }
  return { decision: { repair: items.length > 0, repairsKey, deletions, cap, overCap } };
}

/** What became of each finding, from the mode, the cap and the repair map's results. */
function settle(findings: readonly Finding[], sweep: SweepContext, decision: Decision, repairs: readonly RepairResult[]): Finding[] {
  const byAccount = new Map(repairs.map((result) => [result.accountId ?? '', result]));
  return findings.map((finding): Finding => {
    const result = (value: SweepResult, detail?: string): Finding => ({
      ...finding,
      result: value,
      ...(detail ? { detail: finding.detail ? `${finding.detail}; ${detail}` : detail } : {}),
    });
    if (finding.action === 'none') return result('reported');
    if (sweep.mode === 'report') return result('proposed');
    if (decision.overCap && DELETING_ACTIONS.includes(finding.action))
      return result('withheld', `over the deletion cap (${decision.deletions} > ${decision.cap})`);
    const repaired = byAccount.get(finding.kind === 'soft-deleted' ? '' : (finding.account ?? ''));
    if (!repaired) return result('failed', 'no repair result for it');
    if (repaired.failure) return result('failed', `the repair failed: ${causeText(repaired.failure)}`);
    if (finding.action === 'federate') {
      const federation = repaired.federations.find((candidate) => candidate.roleName === finding.roleName);
      const execution = federation?.execution;
      if (!federation || !execution) return result('failed', 'no Create execution was started for it');
      if ('status' in execution && execution.status === 'SUCCEEDED') return result('done', `Create execution ${federation.executionName}`);
      const why = 'status' in execution ? `ended ${execution.status}` : causeText(execution);
      return result('failed', `Create execution ${federation.executionName} ${why}; the role's entra:federation-status says why`);
    }
    const target =
      finding.action === 'purge-deleted-item'
        ? finding.objectId
        : finding.action === 'remove-revocation-policy'
          ? finding.roleName
          : finding.appId;
    const outcome = repaired.outcomes.find((candidate) => candidate.action === finding.action && candidate.target === target);
    if (!outcome && finding.action === 'remove-revocation-policy' && repaired.revocationFailure)
      return result('failed', `the removal failed, the policy stays: ${causeText(repaired.revocationFailure)}`);
    if (!outcome) return result('failed', 'the repair did not act on it');
    return result(outcome.result, outcome.detail);
  });
}

function count<K extends string>(values: readonly K[]): Partial<Record<K, number>> {
  const counts: Partial<Record<K, number>> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** With the decision made and the repair done: the report (to S3), its metrics (to the log), a summary (the execution's output). */
async function finish(
  deps: Deps,
  input: Input & { decision: Decision },
): Promise<{ report: { bucket: string; key: string; totals: SweepTotals } }> {
  const { sweep, decision } = input;
  const { inspections, tenant } = await sources(deps, input);
  const repairs = input.repairs ? (await readMapRun(deps.store, input.repairs)).map(repairResultOf) : [];
  const unreadable: Finding[] = inspections.flatMap((inspection) =>
    inspection.readable
      ? []
      : [
          {
            kind: 'unreadable-account',
            account: inspection.accountId,
            action: 'none',
            result: 'reported',
            detail: causeText(inspection.failure),
          },
        ],
  );
  const proposed = [...tenant.findings, ...inspections.flatMap((inspection) => (inspection.readable ? inspection.findings : []))];
  const findings: Finding[] = [
    ...unreadable,
    ...settle(proposed, sweep, decision, repairs),
    ...(decision.overCap
      ? [
          {
            kind: 'over-deletion-cap' as FindingKind,
            account: null,
            action: 'none' as const,
            result: 'reported' as const,
            detail: `${decision.deletions} deletions proposed, cap ${decision.cap}: none made in this run. Check the report; start a repair with a higher "deletionCap" if they are right.`,
          },
        ]
      : []),
  ];
  const readable = inspections.filter((inspection): inspection is Extract<Inspection, { readable: true }> => inspection.readable);
  const byKind = count(findings.map((finding) => finding.kind));
  const byResult = count(findings.map((finding) => finding.result));
  const totals: SweepTotals = {
    accounts: inspections.length,
    unreadableAccounts:
      inspections.length - readable.length + tenant.findings.filter((finding) => finding.kind === 'unreadable-account').length,
    federatedRoles: readable.reduce((sum, inspection) => sum + inspection.federatedRoles, 0),
    findings: findings.length,
    byKind,
    byResult,
    deletions: decision.deletions,
    deletionsWithheld: decision.overCap,
    maxClientIdsPerProvider: Math.max(0, ...readable.map((inspection) => inspection.clientIds)),
    directoryObjects: tenant.directoryObjects,
    directoryObjectQuotaPercent: percentOf(tenant.directoryObjects, deps.settings.entraObjectQuota),
    identities: tenant.identities.map((identity) => ({ ...identity, percent: percentOf(identity.objects, identity.share) })),
  };
  const report: SweepReport = {
    sweep: {
      id: sweep.id,
      executionName: sweep.executionName,
      mode: sweep.mode,
      startedAt: sweep.startedAt,
      finishedAt: (deps.now ?? (() => new Date()))().toISOString(),
    },
    deletionCap: decision.cap,
    findings,
    totals,
    accounts: inspections.map((inspection) =>
      inspection.readable
        ? { accountId: inspection.accountId, readable: true, clientIds: inspection.clientIds, federatedRoles: inspection.federatedRoles }
        : { accountId: inspection.accountId, readable: false },
    ),
  };
  const key = `${sweep.prefix}report.json`;
  await deps.store.putJson(key, report);
  // The same report for people, beside it (docs/operator.md#reading-the-report).
  const htmlKey = `${sweep.prefix}report.html`;
  await deps.store.putText(
    htmlKey,
    renderSweepReportHtml(report, { entraObjectQuota: deps.settings.entraObjectQuota }),
    'text/html; charset=utf-8',
  );
  const metrics: Record<SweepMetric, number> = {
    maxClientIdsPerProvider: totals.maxClientIdsPerProvider,
    directoryObjectQuotaPercent: totals.directoryObjectQuotaPercent,
    orphanApplications: byKind['orphan-application'] ?? 0,
    notOwnerApplications: byKind['not-owner'] ?? 0,
    unreadableAccounts: totals.unreadableAccounts,
    deletionsWithheld: decision.overCap ? 1 : 0,
    failedActions: byResult.failed ?? 0,
  };
  deps.logger.info(SWEEP_METRICS_MESSAGE, {
    metrics,
    report: `s3://${deps.store.bucket}/${key}`,
    html: `s3://${deps.store.bucket}/${htmlKey}`,
  });
  for (const kind of FINDING_KIND_NAMES) deps.logger.info(SWEEP_FINDINGS_MESSAGE, { kind, count: byKind[kind] ?? 0 });
  const fullest = [...readable].sort((a, b) => b.clientIds - a.clientIds || a.accountId.localeCompare(b.accountId));
  for (const inspection of fullest.slice(0, DASHBOARD_FULLEST_PROVIDERS)) {
    deps.logger.info(SWEEP_PROVIDER_MESSAGE, { account: inspection.accountId, clientIds: inspection.clientIds });
  }
  // One per identity: a handful (entra.automationIdentities), each the dashboard's line against its share.
  for (const identity of totals.identities) deps.logger.info(SWEEP_IDENTITY_MESSAGE, { ...identity, identity: String(identity.identity) });
  return { report: { bucket: deps.store.bucket, key, totals } };
}

export async function reportSweep(
  deps: Deps,
  input: Input,
): Promise<{ decision: Decision } | { report: { bucket: string; key: string; totals: SweepTotals } }> {
  return input.decision ? finish(deps, { ...input, decision: input.decision }) : decide(deps, input);
}
