/**
 * `npm run simulate -- --world <world.json> --events <events.json> [--config <config.json>]
 *   [--sweep report|repair] [--concurrency N] [--seed S] [--duplicates P] [--reorder W] [--check] [--format json|markdown]`
 * One JSON document (or, `--format markdown`, tables) on stdout; logs (JSON lines) on stderr. Exit 0 when the run completed
 * (failed executions are data), 2 when an input file or an option is unreadable or malformed,
 * 3 when `--check` is given and an invariant does not hold, 1 on a bug (docs/simulate.md).
 * `--world w.json --check` without events checks the world file alone; `--events` may also be left
 * out when `--sweep` is given: the sweep runs after the events.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { formatProblems, parseCommandLine } from '../../cli-kit';
import { createLogger } from '../../functions/shared/runtime';
import { ConfigError, parseConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { SWEEP_MODES, type SweepMode } from '../../functions/shared/sweep';
import { checkLoadSettings } from '../engine/load';
import { SIMULATE_EXIT, parseEvents, runSimulation } from '../engine/run-simulation';
import { SimulationInputError, parseWorld } from '../engine/world';
import { simulationMarkdown } from './markdown';

const USAGE = `usage: npm run simulate -- --world <world.json> --events <events.json> [--config <config.json>] [--sweep report|repair]
         [--concurrency N] [--seed S] [--duplicates P] [--reorder W] [--check] [--format json|markdown]
       npm run simulate -- --world <world.json> --sweep report|repair [--config <config.json>] [--format json|markdown] [--html <report.html>]
       npm run simulate -- --world <world.json> [--events <events.json>] --revoke <account>/<roleName> --reason "<text>" [--requested-by <arn>]
         [--restore <account>/<roleName>] [--sweep report|repair]
       npm run simulate -- --world <world.json> --check [--config <config.json>]   (checks the world alone)
Replays IAM events (and the sweep) through the real functions and state machines, locally (docs/simulate.md).
  --world <file>        the accounts, roles and Entra tenant before the first event
  --events <file>       the events, in order (docs/simulate.md#events-file)
  --config <file>       the platform configuration (default: the embedded example)
  --sweep report|repair run the sweep after the events (and after --revoke and --restore)
  --revoke <account>/<roleName>
                        run {Prefix}-Role-Revoke once after the events (--reason required)
  --restore <account>/<roleName>
                        run {Prefix}-Role-Restore (after the revoke when both are given; --reason required)
  --reason <text>, --requested-by <arn>
                        the operator's input of those runs (--requested-by: default arn:aws:iam::000000000000:user/simulate)
  --concurrency N, --seed S, --duplicates P, --reorder W
                        run under load (docs/simulate.md#under-load)
  --check               exit 3 when an invariant does not hold, or (under load) a team's overwritten
                        trust-policy write was not written again
  --format json|markdown
                        one JSON document (default), or Markdown tables for people
  --html <file>         with --sweep: write the sweep's HTML report (as the bucket gets it) to <file>
  --help                this text
Exit codes: 0 completed, 1 simulator failure, 2 bad input or option, 3 invariant violated (--check).`;

const OPTIONS = {
  world: { type: 'string' },
  events: { type: 'string' },
  config: { type: 'string' },
  concurrency: { type: 'string' },
  seed: { type: 'string' },
  duplicates: { type: 'string' },
  reorder: { type: 'string' },
  check: { type: 'boolean' },
  sweep: { type: 'string' },
  format: { type: 'string' },
  html: { type: 'string' },
  revoke: { type: 'string' },
  restore: { type: 'string' },
  reason: { type: 'string' },
  'requested-by': { type: 'string' },
} as const;

/** Who asks, when `--requested-by` is not given: the runbook fills it from `aws sts get-caller-identity`. */
const SIMULATED_REQUESTER = 'arn:aws:iam::000000000000:user/simulate';

/** `--revoke 123456789012/ci-deployer` → the operator's request; the flag and the fix named when malformed. */
function operatorRequest(flag: string, target: string, reason: string | undefined, requestedBy: string) {
  const match = /^(\d{12})\/([\w+=,.@-]{1,64})$/.exec(target);
  if (!match) throw new SimulationInputError(`${flag} ${JSON.stringify(target)}: expected <12-digit account>/<role name>`);
  if (!reason)
    throw new SimulationInputError(`${flag} needs --reason "<text>": why the role is revoked or restored (it goes into the alarm)`);
  return { accountId: match[1]!, roleName: match[2]!, requestedBy, reason };
}
const FORMATS = ['json', 'markdown'] as const;

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SimulationInputError(
      `${what} file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SimulationInputError(`${what} file ${path} is not valid JSON (${(error as Error).message})`);
  }
}

/** A number option: the flag and what it expects are named when it is not one. */
function numberOption(value: string | undefined, flag: string, expected: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new SimulationInputError(`${flag} ${JSON.stringify(value)}: expected ${expected}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine({ usage: USAGE, options: OPTIONS }, argv);
  if (line.kind === 'help') {
    process.stdout.write(`${line.text}\n`);
    return SIMULATE_EXIT.completed;
  }
  if (line.kind === 'error') {
    process.stderr.write(formatProblems('simulate', line));
    return SIMULATE_EXIT.badInput;
  }
  const values = line.values as { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };
  const format = values.format ?? 'json';
  if (!(FORMATS as readonly string[]).includes(format)) {
    process.stderr.write(`simulate: --format must be ${FORMATS.join(' or ')}, not "${format}"\n${USAGE}\n`);
    return SIMULATE_EXIT.badInput;
  }
  if (values.sweep !== undefined && !(SWEEP_MODES as readonly string[]).includes(values.sweep)) {
    process.stderr.write(`simulate: --sweep must be ${SWEEP_MODES.join(' or ')}, not "${values.sweep}"\n${USAGE}\n`);
    return SIMULATE_EXIT.badInput;
  }
  if (values.html !== undefined && values.sweep === undefined) {
    process.stderr.write(`simulate: --html writes the sweep's report: give --sweep report|repair too\n${USAGE}\n`);
    return SIMULATE_EXIT.badInput;
  }
  const operates = values.revoke !== undefined || values.restore !== undefined;
  if (!values.world || (!values.events && !values.check && values.sweep === undefined && !operates)) {
    process.stderr.write(`simulate: --world is required, and --events unless --sweep, --revoke, --restore or --check is given\n${USAGE}\n`);
    return SIMULATE_EXIT.badInput;
  }
  try {
    const concurrency = numberOption(values.concurrency, '--concurrency', 'a whole number of 1 or more');
    const seed = numberOption(values.seed, '--seed', 'a whole number') ?? 1;
    const duplicates = numberOption(values.duplicates, '--duplicates', 'a chance between 0 and 1');
    const reorder = numberOption(values.reorder, '--reorder', 'seconds, 0 or more');
    // Under load when any load option asks for it; `--concurrency 1` alone is the one-event-at-a-time run.
    const underLoad = (concurrency ?? 1) > 1 || duplicates !== undefined || reorder !== undefined;
    const load = underLoad ? { concurrency: concurrency ?? 1, duplicates: duplicates ?? 0, reorderSeconds: reorder ?? 0 } : undefined;
    checkLoadSettings({ concurrency: concurrency ?? 1, seed, duplicates: duplicates ?? 0, reorderSeconds: reorder ?? 0 });
    if (!values.events && load) throw new SimulationInputError('--concurrency, --duplicates and --reorder need --events');
    if (operates && load)
      throw new SimulationInputError('--revoke and --restore run after the events, one at a time: leave out the load options');
    const requestedBy = values['requested-by'] ?? SIMULATED_REQUESTER;
    const operations = {
      ...(values.revoke !== undefined ? { revoke: operatorRequest('--revoke', values.revoke, values.reason, requestedBy) } : {}),
      ...(values.restore !== undefined ? { restore: operatorRequest('--restore', values.restore, values.reason, requestedBy) } : {}),
    };

    const config = values.config
      ? parseConfig(readJson(values.config, 'config'), values.config)
      : parseConfig(EXAMPLE_CONFIG, 'the embedded example configuration');
    const world = parseWorld(readJson(values.world, 'world'), values.world);
    const events = values.events
      ? parseEvents(readJson(values.events, 'events'), values.events, { automationRoleName: config.aws.automationRoleName })
      : [];
    const htmlFile = values.html;
    const html = htmlFile
      ? (text: string) => {
          try {
            writeFileSync(htmlFile, text);
          } catch (error) {
            throw new SimulationInputError(
              `--html ${htmlFile} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
            );
          }
        }
      : undefined;
    const logger = createLogger({ sink: (line) => process.stderr.write(`${line}\n`) });
    const output = await runSimulation({
      world,
      events,
      config,
      logger,
      seed,
      ...(load ? { load } : {}),
      ...(operates ? { operations } : {}),
      ...(values.sweep ? { sweep: { mode: values.sweep as SweepMode, ...(html ? { onReportHtml: html } : {}) } } : {}),
    });
    process.stdout.write(format === 'markdown' ? simulationMarkdown(output) : `${JSON.stringify(output, null, 2)}\n`);
    const { violations } = output.invariants;
    if (violations.length > 0) {
      process.stderr.write(
        `simulate: ${violations.length} invariant violation(s):\n${violations.map((v) => `  ${v.invariant}: account ${v.accountId}: ${v.message}`).join('\n')}\n`,
      );
      if (values.check) return SIMULATE_EXIT.invariantViolated;
    }
    const lost = (output.load?.trustPolicyOverwrites ?? []).filter((overwrite) => !overwrite.repaired);
    if (lost.length > 0) {
      process.stderr.write(
        `simulate: ${lost.length} team trust-policy write(s) overwritten and not written again:\n${lost.map((o) => `  account ${o.accountId}: ${o.roleName}`).join('\n')}\n`,
      );
      if (values.check) return SIMULATE_EXIT.invariantViolated;
    }
    return SIMULATE_EXIT.completed;
  } catch (error) {
    if (error instanceof SimulationInputError || error instanceof ConfigError) {
      process.stderr.write(`simulate: ${error.message}\n`);
      return SIMULATE_EXIT.badInput;
    }
    process.stderr.write(`simulate: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
    return SIMULATE_EXIT.failed;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`simulate: ${String(error)}\n`);
    process.exitCode = SIMULATE_EXIT.failed;
  },
);
