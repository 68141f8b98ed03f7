import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { securityScenarios, type Scenario } from './security';
import { sweepScenarios, type SweepScenario } from './sweep';

/** Where `npm run scenarios:write` puts each scenario: `<dir>/<name>/{world,events}.json` and a README line. */
export const SCENARIO_DIR = resolve(__dirname, '..', 'examples', 'security');
/** And each sweep scenario: `<dir>/<name>/world.json` (and `config.json` when it has its own). */
export const SWEEP_SCENARIO_DIR = resolve(__dirname, '..', 'examples', 'sweep');

export function sweepScenarioFiles(scenario: SweepScenario): Record<string, string> {
  return {
    'world.json': `${JSON.stringify(scenario.world, null, 2)}\n`,
    ...(scenario.config ? { 'config.json': `${JSON.stringify(scenario.config, null, 2)}\n` } : {}),
  };
}

export function scenarioFiles(scenario: Scenario): Record<string, string> {
  return {
    'world.json': `${JSON.stringify(scenario.world, null, 2)}\n`,
    'events.json': `${JSON.stringify(scenario.events, null, 2)}\n`,
    ...(scenario.config ? { 'config.json': `${JSON.stringify(scenario.config, null, 2)}\n` } : {}),
  };
}

if (require.main === module) {
  for (const scenario of securityScenarios()) {
    const dir = join(SCENARIO_DIR, scenario.name);
    mkdirSync(dir, { recursive: true });
    for (const [file, content] of Object.entries(scenarioFiles(scenario))) writeFileSync(join(dir, file), content);
  }
  console.log(`wrote ${securityScenarios().length} scenarios under ${SCENARIO_DIR}`);
  for (const scenario of sweepScenarios()) {
    const dir = join(SWEEP_SCENARIO_DIR, scenario.name);
    mkdirSync(dir, { recursive: true });
    for (const [file, content] of Object.entries(sweepScenarioFiles(scenario))) writeFileSync(join(dir, file), content);
  }
  console.log(`wrote ${sweepScenarios().length} sweep scenarios under ${SWEEP_SCENARIO_DIR}`);
}
