/**
 * The sweep over a generated organization of 1,000 accounts × 10 roles with a few percent of
 * drift (simulation/scenarios/sweep.ts `generatedSweepWorld`), in the simulator: a report run,
 * a repair run, and a second repair run that must change nothing. Prints wall time, memory and
 * remote calls by kind for each, and the state transitions and Lambda invocations a run costs
 * (docs/architecture.md#cost-per-run turns them into dollars).
 *
 * `BENCH_SWEEP_ACCOUNTS` changes the organization's size (default 1000).
 */
import { silentLogger } from '../functions/shared/runtime';
import { parseConfig } from '../stacks/config';
import { EXAMPLE_CONFIG } from '../stacks/example-config';
import { SWEEP_STATES } from '../stacks/sweep-definition';
import { runLocalSweep, type SweepOutput } from '../simulation/engine/local-sweep';
import { startLocalWorld } from '../simulation/engine/local-world';
import { localDefinitions, pipelineSettings } from '../simulation/engine/run-simulation';
import { generatedSweepWorld } from '../simulation/scenarios/sweep';
import { parseWorld, seedWorld } from '../simulation/engine/world';

const WRITES = /^(graph:(POST|PATCH|DELETE) |iam:(Add|Remove)ClientID|iam:(UpdateAssumeRolePolicy|TagRole|UntagRole))/;
/** Step Functions standard workflows, US East (N. Virginia) and Europe (Frankfurt): https://aws.amazon.com/step-functions/pricing/ */
const PRICE_PER_TRANSITION = 0.025 / 1000;

export async function run(): Promise<void> {
  const accounts = Number(process.env.BENCH_SWEEP_ACCOUNTS ?? 1000);
  const generated = generatedSweepWorld({
    accounts,
    rolesPerAccount: 10,
    unfederatedEvery: 33,
    brokenPinEvery: 50,
    orphanEvery: 40,
    deadClientIdEvery: 60,
  });
  const config = parseConfig(EXAMPLE_CONFIG);
  const settings = { ...pipelineSettings(config), deletionCap: 1000, entraObjectQuota: 100_000 };

  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const seeded = performance.now();
  const world = await startLocalWorld({ definitions: localDefinitions(), settings, logger: silentLogger });
  try {
    seedWorld(world, parseWorld(generated.world));
    console.log(
      `organization: ${accounts} accounts × 10 roles (${generated.expected.roles} roles): ${generated.expected.unfederated} unfederated, ` +
        `${generated.expected.brokenPin} broken pins, ${generated.expected.orphans} orphan applications, ${generated.expected.deadClientIds} dead client IDs; ` +
        `seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s\n`,
    );
    console.log('| run | wall time | findings | remote calls | of which writes | Create executions |');
    console.log('|---|---:|---:|---:|---:|---:|');
    const details: string[] = [];
    const runs: { name: string; output: SweepOutput; creates: number; createStates: number }[] = [];
    for (const [name, mode] of [
      ['report', 'report'],
      ['repair', 'repair'],
      ['repair again', 'repair'],
    ] as const) {
      const before = world.calls();
      const executionsBefore = world.pipeline.executions.length;
      const started = performance.now();
      const output = await runLocalSweep(world, {
        mode,
        executionName: `bench-${name.replace(' ', '-')}`,
        settings,
        logger: silentLogger,
        concurrency: config.sweep.maxConcurrency,
      });
      const wall = (performance.now() - started) / 1000;
      const calls = Object.fromEntries(
        Object.entries(world.calls())
          .map(([key, count]) => [key, count - (before[key] ?? 0)] as const)
          .filter(([, count]) => count > 0),
      );
      const total = Object.values(calls).reduce((sum, count) => sum + count, 0);
      const writes = Object.entries(calls)
        .filter(([key]) => WRITES.test(key))
        .reduce((sum, [, count]) => sum + count, 0);
      const creates = world.pipeline.executions.slice(executionsBefore);
      runs.push({
        name,
        output,
        creates: creates.length,
        createStates: creates.reduce((sum, execution) => sum + execution.states.length, 0),
      });
      console.log(`| ${name} | ${wall.toFixed(1)} s | ${output.findings.length} | ${total} | ${writes} | ${creates.length} |`);
      details.push(`${name}: ${JSON.stringify(calls)}`);
      details.push(`  findings by kind ${JSON.stringify(output.totals.byKind)}, by result ${JSON.stringify(output.totals.byResult)}`);
    }
    console.log(`\npeak resident memory of the process (simulator, fakes and all): ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
    console.log('\nremote calls by kind:');
    for (const line of details) console.log(`  ${line}`);

    // What the same runs cost on Step Functions: every state entered is a transition
    // (https://aws.amazon.com/step-functions/pricing/); a Distributed Map child enters its task
    // (and, for the repair, the inline map and one Federate per role).
    console.log('\n| run | state transitions (sweep, its children, the Creates) | Step Functions cost | Lambda invocations |');
    console.log('|---|---:|---:|---:|');
    for (const { name, output, creates, createStates } of runs) {
      const repaired = output.states.includes('RepairAccounts');
      const repairItems = repaired
        ? new Set(output.findings.filter((finding) => finding.action !== 'none').map((finding) => finding.account)).size
        : 0;
      const transitions = output.states.length + output.totals.accounts * 2 + (repaired ? repairItems * 3 + creates * 2 : 0) + createStates;
      const invocations = 3 + output.totals.accounts + repairItems + createStates - creates * 2;
      console.log(`| ${name} | ${transitions} | $${(transitions * PRICE_PER_TRANSITION).toFixed(3)} | ~${invocations} |`);
    }
    console.log(`\n(states of the sweep: ${SWEEP_STATES.join(' → ')})`);
  } finally {
    clearInterval(sampler);
    await world.close();
  }
}
