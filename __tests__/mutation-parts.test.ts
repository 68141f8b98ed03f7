import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
type Part = {
  readonly mutate: readonly string[];
  readonly tests: readonly string[];
  readonly typeCheck?: boolean;
  readonly synthesizeOnce?: boolean;
};
// CommonJS, shared with Stryker's and jest's configurations (a configuration file, not a module of the
// TypeScript layers that __tests__/layers.test.ts reads: loaded by path).
const { MUTATION_PARTS, currentPart } = require(join(ROOT, 'mutation', 'parts.js')) as {
  MUTATION_PARTS: Record<string, Part>;
  currentPart: () => Part & { name: string };
};

/** What bench/README.md promises `npm run mutate` covers. */
const PROMISED = [
  'functions/shared/iam/trust-policy.ts',
  'functions/router/core.ts',
  'functions/shared/iam/member-account.ts',
  'functions/shared/entra/graph-client.ts',
  'credential-helper/cache.ts',
  'functions/sweep-plan/core.ts',
  'functions/sweep-inspect-account/core.ts',
  'functions/sweep-repair-account/core.ts',
  'functions/sweep-remove-revocations/core.ts',
  'functions/sweep-report/core.ts',
  'functions/shared/entra/identity-pool.ts',
  'functions/shared/workflow/role-lock.ts',
  'functions/create-service-principal/core.ts',
  'plan-review/rules.ts',
  'simulation/engine/invariants.ts',
  'credential-helper/entra-token.ts',
  'credential-helper/github-oidc.ts',
];

describe('the parts of npm run mutate', () => {
  const parts = Object.entries(MUTATION_PARTS);

  /** `file` or `file:start-end` (Stryker's line range) as the file and its lines. */
  const entries = parts.flatMap(([, part]) =>
    part.mutate.map((entry) => {
      const [, file, start, end] = /^([^:]+)(?::(\d+)-(\d+))?$/.exec(entry) ?? [];
      return { entry, file: file ?? entry, start: Number(start ?? 1), end: end === undefined ? Infinity : Number(end) };
    }),
  );

  it('mutate every promised module, each line in exactly one part', () => {
    expect(entries.map((entry) => entry.file)).toEqual(expect.arrayContaining(PROMISED));
    for (const file of new Set(entries.map((entry) => entry.file))) {
      const ranges = entries.filter((entry) => entry.file === file).sort((a, b) => a.start - b.start);
      const lines = readFileSync(join(ROOT, file), 'utf8').split('\n').length;
      // Contiguous from the first line to the last (a file cut in ranges: none lost, none twice).
      expect({ file, from: ranges[0]!.start }).toEqual({ file, from: 1 });
      for (const [i, range] of ranges.slice(1).entries()) expect({ file, start: range.start }).toEqual({ file, start: ranges[i]!.end + 1 });
      expect({ file, reachesTheEnd: ranges.at(-1)!.end >= lines }).toEqual({ file, reachesTheEnd: true });
    }
  });

  it.each(parts)('%s names modules and test paths that exist', (_name, part) => {
    for (const file of part.mutate.map((entry) => entry.replace(/:\d+-\d+$/, '')))
      expect({ file, exists: existsSync(join(ROOT, file)) }).toEqual({ file, exists: true });
    for (const path of part.tests) expect({ path, exists: existsSync(join(ROOT, '__tests__', path)) }).toEqual({ path, exists: true });
  });

  it('synthesizes the stack once only for parts whose modules the stack does not import (no mutant could change it)', () => {
    const stackSources = readdirSync(join(ROOT, 'stacks'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join(ROOT, 'stacks', file), 'utf8'))
      .concat(readFileSync(join(ROOT, 'main.ts'), 'utf8'));
    const once = parts.filter(([, part]) => part.synthesizeOnce);

    expect(once.map(([name]) => name)).toEqual(expect.arrayContaining(['plan-review-verdict', 'plan-review-policy']));
    for (const [name, part] of once) {
      for (const file of part.mutate)
        expect({ name, file, reviewOnly: file.startsWith('plan-review/') }).toEqual({ name, file, reviewOnly: true });
    }
    expect(stackSources.filter((source) => /from '[./]*plan-review\//.test(source))).toEqual([]);
  });

  it('refuses a part it does not know, naming the ones it knows', () => {
    const saved = process.env.MUTATE_PART;
    process.env.MUTATE_PART = 'sweeep';
    try {
      expect(() => currentPart()).toThrow(/MUTATE_PART="sweeep" names no part: use one of core, sweep/);
      process.env.MUTATE_PART = 'sweep';
      expect(currentPart().mutate).toContain('functions/sweep-inspect-account/core.ts');
    } finally {
      process.env.MUTATE_PART = saved;
    }
  });
});
