import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTER_EVENT_SOURCE } from '../../stacks/router-event-source';
import { INVARIANTS } from '../../simulation/engine/invariants';
import { SIMULATE_EXIT } from '../../simulation/engine/run-simulation';
import { DEFAULT_LATENCIES } from '../../simulation/engine/scheduler';
import { IGNORE_REASONS } from '../../functions/shared/workflow';
import { labelsOf, tableUnder } from '../support/markdown-tables';

/** docs/simulate.md and the operator's load table say what the code does: each table is tied to its source. */
const docs = (name: string) => readFileSync(join(__dirname, '..', '..', 'docs', name), 'utf8');
const section = (text: string, heading: string) => {
  const start = text.indexOf(heading);
  const next = text.indexOf('\n## ', start + heading.length);
  return text.slice(start, next < 0 ? undefined : next);
};
const simulate = docs('simulate.md');

describe('docs/simulate.md', () => {
  it('lists every exit code of npm run simulate, once each', () => {
    const codes = labelsOf(tableUnder(simulate, 'Exit codes', ['code', 'meaning'])).map(Number);
    expect(codes).toEqual(Object.values(SIMULATE_EXIT).sort((a, b) => a - b));
  });

  it('lists every invariant the checker reports, and only those', () => {
    const names = labelsOf(tableUnder(simulate, 'Invariants', ['invariant', 'holds when']));
    expect(names).toEqual(INVARIANTS.map((name) => `\`${name}\``));
  });

  it('gives one key order for the output, the one the CLI tests check', () => {
    const sentences = [...simulate.matchAll(/Keys come in this\s+order: ([^.]+)\./g)];
    expect(sentences).toHaveLength(1);
    const keys = [...sentences[0]![1]!.matchAll(/`(\w+)`/g)].map(([, key]) => key);
    expect(keys).toEqual([
      'accounts',
      'entra',
      'automationRecords',
      'faults',
      'failedRemovals',
      'iam',
      'executions',
      'ignoredEvents',
      'calls',
      'summary',
      'load',
      'invariants',
      'sweep',
    ]);
  });

  it('lists every reason an event is ignored for, with its meaning, as IGNORE_REASONS has them', () => {
    const rows = tableUnder(simulate, 'Ignored events', ['reason', 'meaning']).rows.map((row) => row.cells);
    expect(rows).toEqual(Object.entries(IGNORE_REASONS).map(([reason, meaning]) => [`\`${reason}\``, meaning]));
  });

  it("gives the virtual clock's latencies as the scheduler draws them", () => {
    const rows = tableUnder(simulate, 'Virtual time', ['kind', 'one round trip (ms)']).rows.map((row) =>
      row.cells[1]!.split(' to ').map(Number),
    );
    expect(rows).toEqual(['iam', 'iam-write', 'sts', 'graph', 'dynamodb', 'lambda'].map((kind) => [...DEFAULT_LATENCIES[kind]!]));
  });
});

describe('docs/operator.md, under load', () => {
  it("names the router event source's deployed settings", () => {
    const table = section(docs('operator.md'), '## Under load: what bounds concurrency');
    expect(table).toContain(`\`maximum_concurrency\` ${ROUTER_EVENT_SOURCE.maximumConcurrency} `);
    expect(table).toContain(
      `batch size ${ROUTER_EVENT_SOURCE.batchSize}, batching window ${ROUTER_EVENT_SOURCE.maximumBatchingWindowInSeconds} s`,
    );
  });
});
