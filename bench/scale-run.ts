/**
 * One run of a generated world (simulation/engine/scale-world.ts) in a process of its own, for
 * bench/ceilings.bench.ts: prints one JSON line with the wall time, the process's peak memory,
 * the summary and the calls. `tsx bench/scale-run.ts <accounts> <roles> <brought> <shared|per-role>`
 */
import { silentLogger } from '../functions/shared/runtime';
import { parseEvents, runSimulation } from '../simulation/engine/run-simulation';
import { scaleWorld } from '../simulation/engine/scale-world';
import { parseWorld } from '../simulation/engine/world';
import { parseConfig } from '../stacks/config';

async function main(): Promise<void> {
  const [accounts, roles, brought, mode] = process.argv.slice(2);
  if (mode !== 'shared' && mode !== 'per-role') throw new Error('usage: scale-run.ts <accounts> <roles> <brought> <shared|per-role>');
  const generated = scaleWorld({
    accounts: Number(accounts),
    rolesPerAccount: Number(roles),
    broughtPerAccount: Number(brought),
    audienceMode: mode,
  });
  const input = {
    world: parseWorld(generated.world),
    events: parseEvents(generated.events),
    config: parseConfig(generated.config),
    logger: silentLogger,
  };
  const started = performance.now();
  const output = await runSimulation(input);
  const wallMs = performance.now() - started;
  const failed = output.executions.filter((execution) => execution.status !== 'SUCCEEDED').length;
  process.stdout.write(
    `${JSON.stringify({
      wallMs,
      // getrusage(2) ru_maxrss, in KiB on Linux: the whole run, generation included.
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      executions: output.executions.length,
      failed,
      identities: input.config.entra.automationIdentities,
      summary: output.summary,
      calls: output.calls,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
