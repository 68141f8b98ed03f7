import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * One Node.js major version everywhere: `.nvmrc` names it, and the toolchain (`engines`,
 * `@types/node`, the esbuild targets), the example workflows (actions/setup-node reads `.nvmrc`),
 * the Lambda runtime (`nodejs<major>.x`), the README and the Node.js that runs this test agree.
 * Node.js 22 is in maintenance until 2027-04-30 (https://github.com/nodejs/Release#release-schedule),
 * the day Lambda deprecates `nodejs22.x` (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html):
 * the move to 24 is due before then (CONTRIBUTING.md#nodejs-versions).
 */

const ROOT = resolve(__dirname, '..');
const read = (path: string) => readFileSync(resolve(ROOT, path), 'utf8');
const MAJOR = read('.nvmrc').trim();
const manifest = JSON.parse(read('package.json')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

/** The tracked and untracked (not ignored) files under `directory` whose names match `pattern`. */
function files(directory: string, pattern: RegExp): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', directory], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => pattern.test(file));
}

describe('the Node.js version', () => {
  it('.nvmrc names one major version', () => {
    expect(MAJOR).toMatch(/^\d+$/);
  });

  it('runs this suite (`. scripts/use-node.sh` fetches it where the machine has another)', () => {
    expect(`node ${process.versions.node.split('.')[0]}`).toBe(`node ${MAJOR}`);
  });

  it('is what package.json requires and types', () => {
    // A minor floor is allowed (22.19: tls.setDefaultCACertificates, CONTRIBUTING.md), not another major.
    expect(manifest.engines.node).toMatch(new RegExp(`^\\^${MAJOR}\\.\\d+\\.0$`));
    expect(manifest.devDependencies['@types/node']).toMatch(new RegExp(`^${MAJOR}\\.`));
  });

  it('is every esbuild target: the functions, the credential helper and its benchmark', () => {
    const targets = [
      ...[...read('stacks/bundling.ts').matchAll(/target: '(node\d+)'/g)].map((m) => m[1]),
      ...[...manifest.scripts['build:credential-helper']!.matchAll(/--target=(node\d+)/g)].map((m) => m[1]),
      ...[...read('bench/credential-helper.bench.ts').matchAll(/target: '(node\d+)'/g)].map((m) => m[1]),
    ];
    expect(targets).toEqual([`node${MAJOR}`, `node${MAJOR}`, `node${MAJOR}`]);
  });

  it('is the Lambda runtime of every function the stack and the member template declare', () => {
    const runtimes = files('stacks', /\.(ts|js)$/).flatMap((file) => [...read(file).matchAll(/nodejs(\d+)\.x/g)].map((m) => m[0]));
    expect(runtimes.length).toBeGreaterThan(0);
    expect(new Set(runtimes)).toEqual(new Set([`nodejs${MAJOR}.x`]));
  });

  it('is what the example workflows set up, read from .nvmrc', () => {
    type Step = { uses?: string; with?: Record<string, unknown> };
    const setups = files('examples/github-actions', /\.ya?ml$/).flatMap((file) =>
      Object.values((parse(read(file)) as { jobs: Record<string, { steps: Step[] }> }).jobs)
        .flatMap((job) => job.steps)
        .filter((step) => step.uses?.startsWith('actions/setup-node@')),
    );
    expect(setups.length).toBeGreaterThan(0);
    for (const step of setups) expect(step.with).toEqual({ 'node-version-file': '.nvmrc', cache: 'npm' });
  });

  it('is what the README asks for', () => {
    const named = [...read('README.md').matchAll(/Node\.js (\d+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set([MAJOR]));
  });
});
