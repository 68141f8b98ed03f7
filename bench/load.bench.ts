/**
 * The system under a burst (docs/simulate.md#under-load): 500 role events over 50 accounts
 * (creates, tag changes, trust updates, deletes, re-creations, redeliveries), delivered with
 * duplicates (10 %) and out of order (within 3 s), at `--concurrency 50`, over 20 seeds. For each
 * run: the real time the simulator took, the virtual time the burst took to converge (the model's
 * latencies, docs/simulate.md#virtual-time), executions in flight at most, retries caused by
 * ConcurrentModification, throttling and held locks, remote calls by kind, invariant violations.
 * Then the same burst one execution at a time against fifty at once, and under throttling.
 *
 * `BENCH_SEEDS=5 npm run bench -- load` runs fewer seeds.
 */
import { silentLogger } from '../functions/shared/runtime';
import { parseConfig } from '../stacks/config';
import { EXAMPLE_CONFIG } from '../stacks/example-config';
import { generateBurst, unexpectedEnds } from '../simulation/engine/burst';
import { parseEvents, runSimulation, type SimulationOutput } from '../simulation/engine/run-simulation';
import { parseWorld } from '../simulation/engine/world';
import { median } from './measure';

const config = parseConfig(EXAMPLE_CONFIG);
const EVENTS = 500;
const ACCOUNTS = 50;
const LOAD = { concurrency: 50, duplicates: 0.1, reorderSeconds: 3 };

interface Figures {
  readonly seed: number;
  readonly realMs: number;
  readonly output: SimulationOutput;
  /** Roles that did not end as their lifecycle says. */
  readonly unexpected: string[];
}

async function burst(seed: number, options: { concurrency?: number; faults?: object[] } = {}): Promise<Figures> {
  const generated = generateBurst({ seed, events: EVENTS, accounts: ACCOUNTS });
  const world = options.faults ? { ...(generated.world as object), faults: options.faults } : generated.world;
  const started = performance.now();
  const output = await runSimulation({
    world: parseWorld(world),
    events: parseEvents(generated.events),
    config,
    logger: silentLogger,
    seed,
    load: { ...LOAD, concurrency: options.concurrency ?? LOAD.concurrency },
  });
  return { seed, realMs: performance.now() - started, output, unexpected: unexpectedEnds(output, generated) };
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const fmt = (n: number, digits = 0) => n.toFixed(digits);

function row(label: string, runs: readonly Figures[]): string {
  const load = runs.map((r) => r.output.load!);
  const violations = sum(runs.map((r) => r.output.invariants.violations.length));
  return [
    label,
    runs.length,
    `${fmt(median(runs.map((r) => r.realMs)) / 1000, 1)} s`,
    `${fmt(median(load.map((l) => l.virtualSeconds)), 1)} s (max ${fmt(Math.max(...load.map((l) => l.virtualSeconds)), 1)})`,
    fmt(median(load.map((l) => l.executions.started))),
    Math.max(...load.map((l) => l.executions.maxInFlight)),
    fmt(median(load.map((l) => l.retries.concurrentModification))),
    fmt(median(load.map((l) => l.retries.throttled))),
    fmt(median(load.map((l) => l.retries.lockWaits))),
    fmt(median(load.map((l) => l.trustPolicyOverwrites.length))),
    violations,
    sum(runs.map((r) => r.unexpected.length)),
  ].join(' | ');
}

export async function run(): Promise<void> {
  const seeds = Array.from({ length: Number(process.env.BENCH_SEEDS ?? 20) }, (_, i) => i + 1);
  // Warm module loading and the JIT, which would otherwise count against the first seed.
  await burst(0);

  const concurrent: Figures[] = [];
  for (const seed of seeds) concurrent.push(await burst(seed));
  const sequential: Figures[] = [];
  for (const seed of seeds.slice(0, 3)) sequential.push(await burst(seed, { concurrency: 1 }));
  // IAM and Graph throttling on top: the first 20 AddClientID calls answer Throttling, the first 40 application creations 429 (Retry-After 1 s).
  const throttling = [
    { call: 'iam:AddClientIDToOpenIDConnectProvider', status: 400, code: 'Throttling', times: 20 },
    { call: 'graph:POST /applications', status: 429, code: 'TooManyRequests', times: 40 },
  ];
  const throttled: Figures[] = [];
  for (const seed of seeds.slice(0, 3)) throttled.push(await burst(seed, { faults: throttling }));

  console.log(
    `${EVENTS} role events over ${ACCOUNTS} accounts, duplicates ${LOAD.duplicates * 100} %, reordered within ${LOAD.reorderSeconds} s; medians over the seeds\n`,
  );
  console.log(
    '| run | seeds | real time | virtual time to converge | executions | in flight at most | ConcurrentModification answers | throttled answers | lock waits | trust policies overwritten | invariant violations (all seeds) | roles not ending as they should (all seeds) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(`| ${row(`--concurrency ${LOAD.concurrency}`, concurrent)} |`);
  console.log(`| ${row('--concurrency 1 (one execution at a time)', sequential)} |`);
  console.log(`| ${row(`--concurrency ${LOAD.concurrency}, throttled`, throttled)} |`);

  const retries: Record<string, number[]> = {};
  for (const figures of concurrent) {
    for (const [error, count] of Object.entries(figures.output.load!.retries.stepFunctions))
      retries[error] = [...(retries[error] ?? []), count];
  }
  console.log('\nStep Functions retries by error (--concurrency 50, median over the seeds):');
  for (const [error, counts] of Object.entries(retries)) console.log(`  ${error}: ${fmt(median(counts))}`);

  const calls: Record<string, number[]> = {};
  for (const figures of concurrent)
    for (const [key, count] of Object.entries(figures.output.calls)) calls[key] = [...(calls[key] ?? []), count];
  const kinds: Record<string, number> = {};
  for (const [key, counts] of Object.entries(calls)) kinds[key.split(':')[0]!] = (kinds[key.split(':')[0]!] ?? 0) + median(counts);
  console.log(
    `\nRemote calls per burst by kind (median): ${Object.entries(kinds)
      .map(([kind, count]) => `${kind} ${fmt(count)}`)
      .join(', ')}`,
  );
  console.log('\n| call | median per burst |');
  console.log('|---|---:|');
  for (const [key, counts] of Object.entries(calls).sort(([a], [b]) => a.localeCompare(b)))
    console.log(`| ${key} | ${fmt(median(counts))} |`);

  const worst = [...concurrent, ...sequential, ...throttled].filter(
    (r) => r.output.invariants.violations.length > 0 || r.unexpected.length > 0,
  );
  if (worst.length > 0) {
    const first = worst[0]!;
    console.log(
      `\nNOT CONVERGED for seeds ${worst.map((r) => r.seed).join(', ')}: ${JSON.stringify([...first.output.invariants.violations.slice(0, 3), ...first.unexpected.slice(0, 3)])}`,
    );
  }
}
