import { sweepContext } from '../../fixtures/sweep-context';
import { createLogger, silentLogger, type Logger } from '../../../functions/shared/runtime';
import {
  federationExecutionName,
  federationInput,
  type Federation,
  type Inspection,
  type RepairResult,
  type SweepContext,
  type SweepReport,
  type TenantPlan,
} from '../../../functions/shared/sweep';
import { reportSweep, type Decision, type Deps, type Input } from '../../../functions/sweep-report/core';
import { MemorySweepStore } from '../../../simulation/engine/local-sweep';

/**
 * The report step's inputs as the sweep leaves them: the plan's tenant file, and the inspection
 * (and repair) maps' results as a Distributed Map's result writer writes them
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html): a manifest
 * naming SUCCEEDED/FAILED files of child executions, whose Input and Output are JSON strings.
 */

export const BUCKET = 'web-identity-sweep-111111111111-eu-central-1';
export const A = '222222222222';
export const B = '333333333333';
export const APP = (n: number) => `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const sweep = (mode: 'report' | 'repair', deletionCap?: number): SweepContext =>
  sweepContext({ executionName: 'run-1', mode, deletionCap, startedAt: '2025-06-01T00:00:00Z', bucket: BUCKET, accounts: 2 });

/** An inspection of an account that could be read. */
export type ReadInspection = Extract<Inspection, { readable: true }>;

export const readableA: ReadInspection = {
  accountId: A,
  readable: true,
  clientIds: 92,
  federatedRoles: 3,
  findings: [
    { kind: 'orphan-application', account: A, appId: APP(1), objectId: APP(101), action: 'delete-application', result: 'proposed' },
    { kind: 'dead-client-id', account: A, appId: APP(2), action: 'remove-client-id', result: 'proposed' },
    { kind: 'unfederated', account: A, roleName: 'payments-ci', action: 'federate', result: 'proposed' },
    { kind: 'expired-revocation', account: A, roleName: 'left-federation', action: 'remove-revocation-policy', result: 'proposed' },
  ],
  repair: {
    deleteApplications: [{ id: APP(101), appId: APP(1), uniqueName: 'aws-x' }],
    removeClientIds: [APP(2)],
    federate: [{ roleName: 'payments-ci', roleId: 'AROAPAYMENTSPAYMENTS1', kind: 'unfederated' }],
    removeRevocationPolicies: [
      { roleName: 'left-federation', roleId: 'AROALEFTFEDERATION001', path: '/', revokedBefore: '2025-05-01T00:00:00.000Z' },
    ],
  },
};

export const tenant: TenantPlan = {
  findings: [{ kind: 'soft-deleted', account: null, appId: APP(3), objectId: APP(103), action: 'purge-deleted-item', result: 'proposed' }],
  purge: [{ id: APP(103), kind: 'application', appId: APP(3) }],
  directoryObjects: 210,
  accounts: 2,
  identities: [
    { identity: 1, objects: 180, share: 225 },
    { identity: 2, objects: 30, share: 225 },
  ],
};

/** A tenant with nothing to report: no findings, nothing to purge. */
export const quietTenant: TenantPlan = { ...tenant, findings: [], purge: [] };

/** A readable account with nothing to repair. */
export const readable = (accountId: string, clientIds = 0, federatedRoles = 0): ReadInspection => ({
  accountId,
  readable: true,
  clientIds,
  federatedRoles,
  findings: [],
  repair: { deleteApplications: [], removeClientIds: [], federate: [], removeRevocationPolicies: [] },
});

/** A child execution as the result writer stores it; the tests leave fields out or malform them on purpose. */
export type ChildRecord = { Status?: string; Input?: unknown; Output?: unknown; Error?: string; Cause?: string };

/** Writes a map run's result files as they are given (file status → children); returns what the Map state leaves in the state. */
export async function writeMapRun(store: MemorySweepStore, prefix: string, files: Record<string, ChildRecord[]>) {
  const resultFiles: Record<string, { Key: string; Size: number }[]> = {};
  for (const [status, children] of Object.entries(files)) {
    const key = `${prefix}/run/${status}_0.json`;
    await store.putJson(key, children);
    resultFiles[status] = [{ Key: key, Size: 1 }];
  }
  await store.putJson(`${prefix}/run/manifest.json`, {
    DestinationBucket: BUCKET,
    MapRunArn: 'arn:aws:states:eu-central-1:111111111111:mapRun:Web-Identity-Sweep/InspectAccounts:run',
    ResultFiles: { PENDING: [], ...resultFiles },
  });
  return { MapRunArn: 'arn', ResultWriterDetails: { Bucket: BUCKET, Key: `${prefix}/run/manifest.json` } };
}

/** Writes a map run as the result writer does: succeeded children with their output, failed ones with their error. */
export async function mapRun(
  store: MemorySweepStore,
  prefix: string,
  succeeded: { input: unknown; output: unknown }[],
  failed: { input: unknown; error: string; cause: string }[] = [],
) {
  return writeMapRun(store, prefix, {
    FAILED: failed.map((child) => ({ Status: 'FAILED', Input: JSON.stringify(child.input), Error: child.error, Cause: child.cause })),
    SUCCEEDED: succeeded.map((child) => ({
      Status: 'SUCCEEDED',
      Input: JSON.stringify(child.input),
      Output: JSON.stringify(child.output),
    })),
  });
}

export const deps = (store: MemorySweepStore, logger: Logger = silentLogger): Deps => ({
  settings: { deletionCap: 25, entraObjectQuota: 250 },
  store,
  logger,
  now: () => new Date('2025-06-01T01:00:00Z'),
});

/** A sweep whose inspection map read `inspections` (their children succeeded) and wrote `files` besides. */
export async function inspected(
  mode: 'report' | 'repair',
  inspections: readonly Inspection[],
  options: { deletionCap?: number; tenant?: TenantPlan; failed?: ChildRecord[]; logger?: Logger; store?: MemorySweepStore } = {},
) {
  const store = options.store ?? new MemorySweepStore(BUCKET);
  await store.putJson('sweeps/run-1/tenant.json', options.tenant ?? tenant);
  const inspection = await writeMapRun(store, 'sweeps/run-1/inspect', {
    FAILED: options.failed ?? [],
    SUCCEEDED: inspections.map((output) => ({
      Status: 'SUCCEEDED',
      Input: JSON.stringify({ account: { accountId: output.accountId, applications: [] } }),
      Output: JSON.stringify(output),
    })),
  });
  return { store, deps: deps(store, options.logger), state: { sweep: sweep(mode, options.deletionCap), inspection } satisfies Input };
}

/** The sweep of `core.test.ts`: A read, B's child failed outright (its result over the payload limit). */
export async function prepared(
  mode: 'report' | 'repair',
  deletionCap?: number,
  inspectedA: Inspection = readableA,
  tenantPlan: TenantPlan = tenant,
) {
  return inspected(mode, [inspectedA], {
    ...(deletionCap === undefined ? {} : { deletionCap }),
    tenant: tenantPlan,
    failed: [
      {
        Status: 'FAILED',
        Input: JSON.stringify({ account: { accountId: B, applications: [] } }),
        Error: 'States.DataLimitExceeded',
        Cause: 'The state/task returned a result with a size exceeding the maximum number of bytes service limit.',
      },
    ],
  });
}

/** A logger whose lines the test reads, as CloudWatch's metric filters would (one JSON object a line). */
export function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ sink: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

/**
 * The rest of the sweep after the inspection: the decision, the repair map's results (its children
 * as given, when it ran) and the report. Returns the decision, the report as written, and the output.
 */
export async function settleSweep(
  prepared: { store: MemorySweepStore; deps: Deps; state: Input },
  repairs?: Record<string, ChildRecord[]>,
) {
  const { store, deps, state } = prepared;
  const { decision } = (await reportSweep(deps, state)) as { decision: Decision };
  const repairRun = repairs ? await writeMapRun(store, 'sweeps/run-1/repair', repairs) : undefined;
  const output = (await reportSweep(deps, { ...state, decision, ...(repairRun ? { repairs: repairRun } : {}) })) as {
    report: { bucket: string; key: string; totals: SweepReport['totals'] };
  };
  const report = (await store.getJson(output.report.key)) as SweepReport;
  return { decision, report, output: output.report };
}

/** The repair map's children that succeeded, each with its result (as the repair item's input names its account). */
export const repaired = (...results: RepairResult[]): Record<string, ChildRecord[]> => ({
  SUCCEEDED: results.map((result) => ({
    Status: 'SUCCEEDED',
    Input: JSON.stringify({ repair: { accountId: result.accountId } }),
    Output: JSON.stringify(result),
  })),
});

/** A Create execution the repair started for `roleName` in `accountId`, and how it ended (none: it never started). */
export function federation(
  accountId: string,
  roleName: string,
  roleId: string,
  execution?: { status: string } | { Error: string; Cause?: string },
) {
  return {
    roleName,
    executionName: federationExecutionName('0123456789abcdef', roleId),
    input: federationInput({ id: '0123456789abcdef' }, accountId, roleName, 1) as Federation['input'],
    ...(execution ? { execution } : {}),
  };
}

/** `[kind, result, detail]` of each finding, the report's table (docs/operator.md#reading-the-report). */
export const table = (report: SweepReport) => report.findings.map((finding) => [finding.kind, finding.result, finding.detail]);
