import { randomUUID } from 'node:crypto';
import { TASK_CAPABILITIES, type TaskFunctionName } from '../../functions/shared/workflow';
import { TRANSIENT_ERROR_NAMES, type TaskHandler, type Logger } from '../../functions/shared/runtime';
import type { BaselineInstance, SweepStore, Finding, SweepMode, SweepReport, SweepTotals } from '../../functions/shared/sweep';
import { type SWEEP_STATES, sweepDefinition } from '../../stacks/sweep-definition';
import { loadTaskHandlerFactory, type PipelineSettings } from './local-pipeline';
import type { LocalWorld } from './local-world';

/**
 * `{Prefix}-Sweep` in one process. The local Step Functions emulator has no Distributed Map
 * (no ItemReader, no ResultWriter), so this runs the machine's states itself, in the order
 * `SWEEP_STATES` names them, with the REAL handlers of the five sweep functions, the real Graph
 * client on the fake and the real IAM client on the model:
 *
 * * a Distributed Map reads its items from the (in-memory) bucket, runs each child (the task,
 *   its Retry of the transient errors, its Catch into a result), and writes the children as the
 *   result writer does: a `manifest.json` and `SUCCEEDED_0.json` of child executions with their
 *   `Input` and `Output` as JSON strings;
 * * `states:startExecution.sync:2` starts the Create in the local pipeline and waits for it.
 *
 * The structure itself (ItemReader, ResultWriter, the Catch states) is checked with
 * asl-validator against the synthesized definition (__tests__/stacks/sweep-definition.test.ts).
 */

export interface LocalSweepSettings extends PipelineSettings {
  /** The configuration's `sweep.deletionCap` and `sweep.entraObjectQuota`. */
  readonly deletionCap: number;
  readonly entraObjectQuota: number;
}

export interface LocalSweepOptions {
  readonly mode: SweepMode;
  /** Overrides the configured cap for this run, as the execution input may. */
  readonly deletionCap?: number;
  readonly executionName?: string;
  /** Children run at once in each map (the configuration's `sweep.maxConcurrency`); 1 keeps the run's order reproducible. */
  readonly concurrency?: number;
  readonly settings: LocalSweepSettings;
  readonly logger: Logger;
  /** Handed the report's HTML page the report step wrote beside report.json (`simulate --html`). */
  readonly onReportHtml?: (html: string) => void;
}

/** The `sweep` section of the simulator's output. */
export interface SweepOutput {
  readonly mode: SweepMode;
  readonly findings: readonly Finding[];
  readonly totals: SweepTotals;
  /** Where the real sweep would have written the report, and the states the run went through. */
  readonly report: string;
  readonly states: readonly string[];
}

/** The sweep's bucket, in memory. */
export class MemorySweepStore implements SweepStore {
  readonly objects = new Map<string, string>();
  constructor(readonly bucket: string) {}
  async putJson(key: string, value: unknown): Promise<void> {
    this.objects.set(key, JSON.stringify(value));
  }
  async putText(key: string, body: string): Promise<void> {
    this.objects.set(key, body);
  }
  async getJson(key: string): Promise<unknown> {
    const text = this.objects.get(key);
    if (text === undefined) throw Object.assign(new Error(`NoSuchKey: s3://${this.bucket}/${key}`), { name: 'NoSuchKey' });
    return JSON.parse(text) as unknown;
  }
}

const LOCAL_ARN = 'arn:aws:states:us-east-1:000000000000';

/** The Cause `lambda:invoke` reports for a function error, as the pipeline's emulation does. */
const failureOf = (error: unknown) => {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return { Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: message, trace: [] }) };
};

/** Runs up to `limit` at once; results in item order. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}

export async function runLocalSweep(world: LocalWorld, options: LocalSweepOptions): Promise<SweepOutput> {
  const { settings, logger } = options;
  const executionName = options.executionName ?? `local-${randomUUID()}`;
  const store = new MemorySweepStore(`${settings.namePrefix}-sweep-000000000000-us-east-1`);
  const baseline = {
    // Every account of the world has the member baseline's stack instance.
    list: async (): Promise<BaselineInstance[]> =>
      world.iam.accountIds().map((accountId) => ({ accountId, status: 'CURRENT', detailedStatus: 'SUCCEEDED' })),
  };
  const deps = (task: TaskFunctionName) => {
    const capability = TASK_CAPABILITIES[task];
    return {
      // As deployed: the stack sets the gateway's and the automation's client IDs in the environment.
      settings: { ...settings, ...world.platform },
      logger,
      // As deployed (functions/shared/entra/live-graph.ts liveInventory): the sweep works through the first automation identity.
      directory: world.inventory,
      inventory: world.inventory,
      identities: world.identityCounters,
      baseline,
      store,
      ...(capability === null ? {} : { openAccount: world.openAccountAs(capability) }),
    };
  };
  const handler = (task: TaskFunctionName): TaskHandler => loadTaskHandlerFactory(task)(() => deps(task));
  const handlers = {
    plan: handler('sweep-plan'),
    inspect: handler('sweep-inspect-account'),
    repair: handler('sweep-repair-account'),
    removeRevocations: handler('sweep-remove-revocations'),
    report: handler('sweep-report'),
  };
  const definition = sweepDefinition({
    functionArns: new Proxy({}, { get: (_target, name) => `${LOCAL_ARN}:function:${String(name)}` }) as never,
    createStateMachineArn: world.pipeline.stateMachineArns.create,
    maxConcurrency: options.concurrency ?? 1,
  });
  // The Retry of the map children's tasks: which errors, how many attempts (no waits locally).
  const childRetry = definition.States.InspectAccounts.ItemProcessor.States.InspectAccount.Retry;
  const retrying = async <T>(work: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        const rule = childRetry.find((candidate) => candidate.ErrorEquals.includes(name));
        if (!rule || attempt > rule.MaxAttempts || !(TRANSIENT_ERROR_NAMES as readonly string[]).includes(name)) throw error;
      }
    }
  };

  /** A Distributed Map: items from the bucket, children (with their Catch) in a pool, results as the result writer leaves them. */
  const distributedMap = async <T>(
    label: string,
    itemsKey: string,
    resultPrefix: string,
    child: (item: T) => Promise<{ input: unknown; output: unknown }>,
  ) => {
    const items = (await store.getJson(itemsKey)) as T[];
    const runId = randomUUID();
    const children = await pool(items, options.concurrency ?? 1, async (item) => {
      const started = new Date().toISOString();
      const { input, output } = await child(item);
      return {
        ExecutionArn: `${LOCAL_ARN}:execution:local-sweep/${label}:${randomUUID()}`,
        Input: JSON.stringify(input),
        InputDetails: { Included: true },
        Name: randomUUID(),
        Output: JSON.stringify(output),
        OutputDetails: { Included: true },
        StartDate: started,
        StateMachineArn: `${LOCAL_ARN}:stateMachine:local-sweep/${label}`,
        Status: 'SUCCEEDED',
        StopDate: new Date().toISOString(),
      };
    });
    const base = `${resultPrefix}/${runId}`;
    await store.putJson(`${base}/SUCCEEDED_0.json`, children);
    await store.putJson(`${base}/manifest.json`, {
      DestinationBucket: store.bucket,
      MapRunArn: `${LOCAL_ARN}:mapRun:local-sweep/${label}:${runId}`,
      ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: `${base}/SUCCEEDED_0.json`, Size: 0 }] },
    });
    return {
      MapRunArn: `${LOCAL_ARN}:mapRun:local-sweep/${label}:${runId}`,
      ResultWriterDetails: { Bucket: store.bucket, Key: `${base}/manifest.json` },
    };
  };

  const states: string[] = [];
  const enter = (state: (typeof SWEEP_STATES)[number]) => states.push(state);

  enter('Plan');
  const input = { mode: options.mode, ...(options.deletionCap === undefined ? {} : { deletionCap: options.deletionCap }) };
  let state = (await retrying(() => handlers.plan({ input, executionName, startedAt: new Date().toISOString() }))) as Record<
    string,
    unknown
  > & {
    sweep: { accountsKey: string; inspectPrefix: string; repairPrefix: string };
  };

  enter('InspectAccounts');
  state.inspection = await distributedMap<{ accountId: string }>(
    'InspectAccounts',
    state.sweep.accountsKey,
    state.sweep.inspectPrefix,
    async (account) => {
      const childInput = { account, sweep: state.sweep };
      try {
        const result = (await retrying(() => handlers.inspect(childInput))) as { inspection: unknown };
        return { input: childInput, output: result.inspection };
      } catch (error) {
        return { input: childInput, output: { accountId: account.accountId, readable: false, failure: failureOf(error) } };
      }
    },
  );

  enter('Decide');
  state = (await retrying(() => handlers.report(state))) as typeof state;

  enter('ShouldRepair');
  const decision = state.decision as { repair: boolean; repairsKey: string };
  if (decision.repair) {
    enter('RepairAccounts');
    state.repairs = await distributedMap<{ accountId: string | null }>(
      'RepairAccounts',
      decision.repairsKey,
      state.sweep.repairPrefix,
      async (repair) => {
        const childInput = { repair, sweep: state.sweep };
        type Repaired = {
          accountId: string | null;
          outcomes: unknown[];
          federations: { executionName: string; input: unknown }[];
          revocationFailure?: ReturnType<typeof failureOf>;
        };
        let repaired: Repaired;
        try {
          repaired = ((await retrying(() => handlers.repair(childInput))) as { repaired: Repaired }).repaired;
        } catch (error) {
          return { input: childInput, output: { accountId: repair.accountId, outcomes: [], federations: [], failure: failureOf(error) } };
        }
        // RemoveRevocationPolicies: its outcomes added to the repair's; RevocationPoliciesKept on a failure.
        try {
          repaired = ((await retrying(() => handlers.removeRevocations({ ...childInput, repaired }))) as { repaired: Repaired }).repaired;
        } catch (error) {
          repaired = { ...repaired, revocationFailure: failureOf(error) };
        }
        // FederateRoles: one Create at a time, waited for (startExecution.sync:2).
        const federations = [];
        for (const federation of repaired.federations) {
          const started = await world.pipeline.starter.start({
            stateMachineArn: world.pipeline.stateMachineArns.create,
            name: federation.executionName,
            input: federation.input as never,
          });
          // FederationDidNotSucceed keeps only the error of a Create that did not succeed.
          if (started === 'already-exists') {
            federations.push({ ...federation, execution: { Error: 'StepFunctions.ExecutionAlreadyExistsException' } });
            continue;
          }
          await world.pipeline.drain();
          const record = world.pipeline.executions.find((execution) => execution.name === federation.executionName);
          federations.push({
            ...federation,
            execution: record?.status === 'SUCCEEDED' ? { status: 'SUCCEEDED' } : { Error: 'States.TaskFailed' },
          });
        }
        return { input: childInput, output: { ...repaired, federations } };
      },
    );
  }

  enter('Report');
  const { report } = (await retrying(() => handlers.report(state))) as { report: { bucket: string; key: string } };
  const written = (await store.getJson(report.key)) as SweepReport;
  const html = store.objects.get(report.key.replace(/\.json$/, '.html'));
  if (html !== undefined) options.onReportHtml?.(html);
  return { mode: options.mode, findings: written.findings, totals: written.totals, report: `s3://${report.bucket}/${report.key}`, states };
}
