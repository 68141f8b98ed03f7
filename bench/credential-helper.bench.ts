/**
 * `entra-aws-credentials` on a cache hit: what every AWS CLI / SDK call pays when the helper is
 * its credential_process. Measured as child processes (that is how the SDKs run it) next to a
 * bare `node -e ''`, through bin.js both ways it can start: from source via tsx and from the
 * esbuild bundle (`npm run build:credential-helper`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { parseHelperArgs, type CredentialsArgs } from '../credential-helper/args';
import { cacheEntry, writeCachedCredentials } from '../credential-helper/cache';
import { credentialsCacheKey } from '../credential-helper/cli';
import { median } from './measure';

const RUNS = 7;
const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'credential-helper', 'bin.js');
const BUNDLE = join(ROOT, '.build', 'credential-helper', 'cli.js');

function medianMs(command: string[], check?: (stdout: string) => void): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const start = process.hrtime.bigint();
    const stdout = execFileSync(process.execPath, command, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    check?.(stdout);
  }
  return median(times);
}

export async function run(): Promise<void> {
  // mkdtemp creates the directory 0700, as the cache requires.
  const dir = mkdtempSync(join(tmpdir(), 'credential-helper-bench-'));
  const helperArgs = [
    ...['--tenant-id', 'aaaabbbb-0000-cccc-1111-dddd2222eeee', '--client-id', '00001111-aaaa-2222-bbbb-3333cccc4444'],
    ...['--role-arn', 'arn:aws:iam::111122223333:role/payments-ci'],
    ...['--certificate', join(dir, 'not-read-on-a-cache-hit.pem'), '--cache-dir', dir, '--region', 'eu-central-1'],
  ];
  const cached = {
    Version: 1 as const,
    AccessKeyId: 'ASIAIOSFODNN7EXAMPLE',
    SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    SessionToken: 'FwoGZXIvYXdzEXAMPLE',
    Expiration: new Date(Date.now() + 3600_000).toISOString(),
  };
  // The key the helper computes for these arguments, so the runs below are cache hits.
  const parsed = parseHelperArgs(helperArgs, { PATH: process.env.PATH ?? '' }) as CredentialsArgs;
  await writeCachedCredentials(cacheEntry(dir, credentialsCacheKey(parsed)), cached);
  const args = [BIN, ...helperArgs];
  const isCacheHit = (stdout: string) => {
    if (JSON.parse(stdout).AccessKeyId !== cached.AccessKeyId) throw new Error(`not a cache hit: ${stdout}`);
  };
  const hadBundle = existsSync(BUNDLE);
  try {
    const baseline = medianMs(['-e', '']);
    const rows: [string, number][] = [["node -e ''", baseline]];
    if (!hadBundle) rows.push(['bin.js via tsx (no build)', medianMs(args, isCacheHit)]);
    buildSync({
      entryPoints: [join(ROOT, 'credential-helper', 'cli.ts')],
      bundle: true,
      platform: 'node',
      target: 'node22',
      packages: 'external',
      outfile: BUNDLE,
      logLevel: 'error',
    });
    rows.push(['bin.js via bundle', medianMs(args, isCacheHit)]);
    console.log(`median wall time of ${RUNS} runs, cache hit, child process`);
    for (const [name, ms] of rows) {
      console.log(`  ${name.padEnd(28)} ${ms.toFixed(0).padStart(5)} ms  (+${(ms - baseline).toFixed(0)} ms over node)`);
    }
  } finally {
    if (!hadBundle) rmSync(BUNDLE, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}
