import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTER_EVENT_SOURCE } from '../../stacks/central-pipeline';
import { INVARIANTS } from '../../simulation/engine/invariants';
import { SIMULATE_EXIT } from '../../simulation/engine/run-simulation';
import { DEFAULT_LATENCIES } from '../../simulation/engine/scheduler';

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
    const codes = [...section(simulate, '## Exit codes').matchAll(/^\| (\d+) \|/gm)].map(([, code]) => Number(code));
    expect(codes).toEqual(Object.values(SIMULATE_EXIT).sort((a, b) => a - b));
  });

  it('lists every invariant the checker reports, and only those', () => {
    const names = [...section(simulate, '## Invariants').matchAll(/^\| `([a-z-]+)` \|/gm)].map(([, name]) => name);
    expect(names).toEqual([...INVARIANTS]);
  });

  it("gives the virtual clock's latencies as the scheduler draws them", () => {
    const rows = [...section(simulate, '### Virtual time').matchAll(/^\| [^|]+ \| (\d+) to (\d+) \|/gm)].map(([, min, max]) => [
      Number(min),
      Number(max),
    ]);
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
