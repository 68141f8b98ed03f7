/**
 * `npm run simulate -- --world <world.json> [--events <events.json>] [--sweep report|repair] [--config <config.json>]`
 * One JSON document on stdout; logs (JSON lines) on stderr. Exit 0 when the run completed
 * (failed executions are data), 2 when an input file is unreadable or malformed, 1 on a bug.
 * `--events` may be left out when `--sweep` is given: the sweep runs after the events.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '../functions/shared/logger';
import { ConfigError, parseConfig } from '../stacks/config';
import { EXAMPLE_CONFIG } from '../stacks/example-config';
import { SWEEP_MODES, type SweepMode } from '../functions/shared/sweep-contracts';
import { parseEvents, runSimulation } from './run-simulation';
import { SimulationInputError, parseWorld } from './world';

const USAGE =
  'usage: npm run simulate -- --world <world.json> --events <events.json> [--sweep report|repair] [--config <config.json>]\n' +
  '       npm run simulate -- --world <world.json> --sweep report|repair [--config <config.json>]';

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SimulationInputError(`${what} file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SimulationInputError(`${what} file ${path} is not valid JSON (${(error as Error).message})`);
  }
}

async function main(argv: string[]): Promise<number> {
  let values: { world?: string; events?: string; config?: string; sweep?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { world: { type: 'string' }, events: { type: 'string' }, config: { type: 'string' }, sweep: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`simulate: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.sweep !== undefined && !(SWEEP_MODES as readonly string[]).includes(values.sweep)) {
    process.stderr.write(`simulate: --sweep must be ${SWEEP_MODES.join(' or ')}, not "${values.sweep}"\n${USAGE}\n`);
    return 2;
  }
  if (!values.world || (!values.events && values.sweep === undefined)) {
    process.stderr.write(`simulate: --world is required, and --events unless --sweep is given\n${USAGE}\n`);
    return 2;
  }
  try {
    const config = values.config
      ? parseConfig(readJson(values.config, 'config'), values.config)
      : parseConfig(EXAMPLE_CONFIG, 'the embedded example configuration');
    const world = parseWorld(readJson(values.world, 'world'), values.world);
    const events = values.events ? parseEvents(readJson(values.events, 'events'), values.events) : [];
    const logger = createLogger({ sink: (line) => process.stderr.write(`${line}\n`) });
    const output = await runSimulation({
      world,
      events,
      config,
      logger,
      ...(values.sweep ? { sweep: { mode: values.sweep as SweepMode } } : {}),
    });
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof SimulationInputError || error instanceof ConfigError) {
      process.stderr.write(`simulate: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`simulate: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`simulate: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
