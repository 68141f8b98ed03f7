import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { forbiddenChains, importCycles, importGraph } from './support/import-graph';

/**
 * The layers (CONTRIBUTING.md#layers-what-may-import-what): only `stacks/` and `main.ts` load
 * the CDKTF framework (`cdktf`, `constructs`, the `@cdktf/*` provider bindings). The functions,
 * the simulator, the credential helper and plan review do not, directly or through anything they
 * import, so they run without it (Lambda bundles, `npm run simulate`, the helper on a workload)
 * and survive the framework's replacement (CONTRIBUTING.md#cdktfs-end-of-life). And no
 * TypeScript file of the repository imports itself through a cycle.
 */

const ROOT = resolve(__dirname, '..');
const OUTSIDE_STACKS = /^(functions|simulation|credential-helper|plan-review|cli-kit)\//;
const isFramework = (pkg: string): boolean => pkg === 'cdktf' || pkg === 'constructs' || pkg.startsWith('@cdktf/');

function compilerOptions(root: string): ts.CompilerOptions {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, root).options;
}

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file && !file.endsWith('.d.ts'));
const graph = importGraph(ROOT, files, compilerOptions(ROOT));

describe('layers', () => {
  it('reads the whole repository', () => {
    expect(graph.size).toBe(files.length);
    expect(graph.get('main.ts')?.files).toContain('stacks/federation-stack.ts');
    expect(graph.get('stacks/central-pipeline.ts')?.packages).toEqual(expect.arrayContaining(['constructs', '@cdktf/provider-aws']));
  });

  it('no code outside stacks/ and main.ts loads cdktf, constructs or the provider bindings', () => {
    const entries = files.filter((file) => OUTSIDE_STACKS.test(file));
    expect(entries.length).toBeGreaterThan(50);
    expect(forbiddenChains(graph, entries, isFramework)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  describe('negative controls', () => {
    let root: string;
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };

    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'layers-'));
      write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node' } }));
      write('functions/handler.ts', "import { limit } from '../stacks/settings';\nexport const h = limit;\n");
      write('stacks/settings.ts', "import { App } from 'cdktf';\nexport const limit = 1;\nexport const app = App;\n");
      write('simulation/a.ts', "import type { B } from './b';\nexport type A = B;\n");
      write('simulation/b.ts', "import { c } from './c';\nexport type B = string;\nexport const b = c;\n");
      write('simulation/c.ts', "export * from './a';\nexport const c = require('./index');\n");
      write('simulation/index.ts', "export const i = import('node:fs');\n");
      write('credential-helper/cli.ts', "import * as fs from 'node:fs';\nexport const f = fs;\n");
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('finds a framework import through another layer, with its chain', () => {
      const fixture = importGraph(root, ['functions/handler.ts', 'credential-helper/cli.ts'], compilerOptions(root));
      expect(forbiddenChains(fixture, ['functions/handler.ts', 'credential-helper/cli.ts'], isFramework)).toEqual([
        'functions/handler.ts → stacks/settings.ts → cdktf',
      ]);
    });

    it('finds a cycle closed by a type-only import, a re-export and a require; import() of a package is a package', () => {
      const fixture = importGraph(root, ['simulation/a.ts'], compilerOptions(root));
      expect(fixture.get('simulation/index.ts')?.packages).toEqual(['node:fs']);
      expect(importCycles(fixture)).toEqual([['simulation/a.ts', 'simulation/b.ts', 'simulation/c.ts']]);
    });

    it('refuses a relative import that resolves to nothing', () => {
      write('plan-review/broken.ts', "import { x } from './missing';\nexport const y = x;\n");
      expect(() => importGraph(root, ['plan-review/broken.ts'], compilerOptions(root))).toThrow(
        'plan-review/broken.ts: ./missing resolves to no file of the repository',
      );
    });
  });
});
