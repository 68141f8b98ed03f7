import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FINDING_KINDS } from '../../functions/shared/sweep';
import { parseConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { labelsOf, tableUnder } from '../support/markdown-tables';
import { sweepScenarios } from '../../simulation/scenarios/sweep';

/**
 * The sweep's public names, documented once and kept equal to the code: the finding kinds
 * (docs/operator.md#what-the-sweep-finds and `FINDING_KINDS`), the configuration fields
 * (docs/operator.md#configuration and the schema), the scenarios (docs/simulate.md#sweep-scenarios).
 */

const ROOT = resolve(__dirname, '../..');
const operator = readFileSync(join(ROOT, 'docs', 'operator.md'), 'utf8');
const simulate = readFileSync(join(ROOT, 'docs', 'simulate.md'), 'utf8');

describe('the sweep in the docs', () => {
  it('the runbook lists every finding kind with its repair and meaning, as the code does', () => {
    const rows = tableUnder(operator, 'What the sweep finds', ['kind', 'repair', 'what it is']).rows.map((row) => row.cells);

    expect(rows).toEqual(Object.entries(FINDING_KINDS).map(([kind, { action, meaning }]) => [`\`${kind}\``, `\`${action}\``, meaning]));
  });

  it('the configuration table documents every field of the sweep section', () => {
    const fields = Object.keys(parseConfig(EXAMPLE_CONFIG).sweep);
    const documented = labelsOf(tableUnder(operator, 'Configuration', ['field', 'required', 'default', 'meaning']))
      .filter((label) => label.startsWith('`sweep.'))
      .map((label) => label.slice('`sweep.'.length, -1));

    expect(documented).toEqual(fields);
  });

  it('docs/simulate.md lists every sweep scenario as it is', () => {
    const rows = tableUnder(simulate, 'Sweep scenarios', ['scenario', 'what it shows']).rows.map((row) => row.cells);

    expect(rows).toEqual(sweepScenarios().map((scenario) => [`\`${scenario.name}\``, scenario.shows]));
  });
});
