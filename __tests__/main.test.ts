import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { TASK_FUNCTION_NAMES } from '../functions/shared/workflow';
import { EXAMPLE_CONFIG } from '../stacks/example-config';

const ROOT = resolve(__dirname, '..');

/** Runs the README's synth (`npm run synth` = `node -r tsx/cjs main.ts`) in a scratch directory. */
function synth(cwd: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), join(ROOT, 'main.ts')], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env },
  });
}

/** Every file below a directory, by relative path, with its bytes. */
function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(relative(dir, full), readFileSync(full));
    }
  };
  walk(dir);
  return files;
}

function touchEverySource(dir: string, when: Date): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) touchEverySource(full, when);
    else if (full.endsWith('.ts')) utimesSync(full, when, when);
  }
}

describe('main.ts (npm run synth)', () => {
  it('says on stderr which configuration it read and which file it wrote, and leaves only that format (JSON or --hcl) in the stack folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-formats-'));
    const stack = join(dir, 'cdktf.out', 'stacks', 'web-identity-federation');
    const config = join(dir, 'my-config.json');
    writeFileSync(config, JSON.stringify(EXAMPLE_CONFIG));

    // cdktf synth --hcl runs the app with SYNTH_HCL_OUTPUT=true (@cdktf/cli-core synth-stack.js).
    const hcl = synth(dir, { SYNTH_HCL_OUTPUT: 'true', WEB_IDENTITY_CONFIG: config });
    expect(hcl.status).toBe(0);
    expect(hcl.stderr.trim().split('\n')).toEqual([
      `synth: configuration ${config}; wrote cdktf.out/stacks/web-identity-federation/cdk.tf`,
    ]);
    expect(readdirSync(stack).sort()).toEqual(['assets', 'cdk.tf', 'metadata.json']);

    const json = synth(dir);
    expect(json.status).toBe(0);
    expect(json.stderr.trim().split('\n')).toEqual([
      'synth: the embedded example configuration (set WEB_IDENTITY_CONFIG to use yours); wrote cdktf.out/stacks/web-identity-federation/cdk.tf.json',
    ]);
    expect(readdirSync(stack).sort()).toEqual(['assets', 'cdk.tf.json']);

    // "1" is what the stack's synthesizer also takes as HCL: the file name follows the content.
    expect(synth(dir, { SYNTH_HCL_OUTPUT: '1' }).status).toBe(0);
    expect(readdirSync(stack).sort()).toEqual(['assets', 'cdk.tf', 'metadata.json']);
    expect(readFileSync(join(stack, 'cdk.tf'), 'utf8')).toMatch(/^terraform \{/);
  });

  it('fails with every bad field listed, a non-zero exit and nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-bad-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        entra: { tenantId: 'nope' },
        aws: { centralAccountId: '1' },
        automationCredential: { mode: 'federated', issuerUrl: 'ftp://x' },
      }),
    );

    const result = synth(dir, { WEB_IDENTITY_CONFIG: file });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Invalid configuration in ${file}:`);
    expect(result.stderr).toMatch(/entra\.tenantId: expected the Entra tenant ID as a GUID/);
    expect(result.stderr).toMatch(/aws\.centralAccountId: expected a 12-digit AWS account ID/);
    expect(result.stderr).toMatch(/aws\.organizationId: missing: expected an AWS Organization ID/);
    expect(result.stderr).toMatch(/automationCredential\.issuerUrl: expected an https URL/);
    expect(existsSync(join(dir, 'cdktf.out'))).toBe(false);
  });

  it('writes byte-identical output twice, also when it bundles again after every source file was touched', () => {
    const first = mkdtempSync(join(tmpdir(), 'synth-a-'));
    const second = mkdtempSync(join(tmpdir(), 'synth-b-'));

    expect(synth(first).status).toBe(0);
    const functionsDir = join(ROOT, 'functions');
    const before = statSync(join(functionsDir, 'router', 'handler.ts')).mtime;
    touchEverySource(functionsDir, new Date());
    // Without the bundle cache, so the second synth bundles again from the touched sources.
    rmSync(join(ROOT, '.build', 'functions', 'bundles.json'), { force: true });
    try {
      expect(synth(second).status).toBe(0);
    } finally {
      touchEverySource(functionsDir, before);
    }

    const a = tree(join(first, 'cdktf.out'));
    const b = tree(join(second, 'cdktf.out'));
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [path, bytes] of a) expect({ path, same: bytes.equals(b.get(path)!) }).toEqual({ path, same: true });
    // One zip per function: the router and every task of the registry.
    expect([...a.keys()].filter((path) => path.endsWith('.zip'))).toHaveLength(1 + TASK_FUNCTION_NAMES.length);
  });

  it('synthesizes the example configuration of the repository', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-example-'));
    cpSync(join(ROOT, 'examples', 'config.example.json'), join(dir, 'config.json'));

    const result = synth(dir, { WEB_IDENTITY_CONFIG: join(dir, 'config.json') });

    // Nothing on stderr but the one line that says what it did.
    expect(result.stderr).toBe(
      `synth: configuration ${join(dir, 'config.json')}; wrote cdktf.out/stacks/web-identity-federation/cdk.tf.json\n`,
    );
    expect(result.status).toBe(0);
    const stack = JSON.parse(readFileSync(join(dir, 'cdktf.out', 'stacks', 'web-identity-federation', 'cdk.tf.json'), 'utf8'));
    expect(stack.terraform.backend.s3).toMatchObject({ use_lockfile: true, encrypt: true });
  });
});
