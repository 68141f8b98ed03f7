import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { measureRepeatedly, runs } from './measure';

const ROOT = resolve(__dirname, '..');
const BUNDLE_CACHE = join(ROOT, '.build', 'functions', 'bundles.json');

/**
 * The README's synth command (`npm run synth`: tsx + cdktf's App, no CLI) against
 * `npx cdktf synth` of a one-resource stack set up the default way (ts-node through the
 * CLI). Ours twice: cold (every function bundled, as on a fresh clone) and with the
 * bundle cache warm (code unchanged since the last synth, as in `cdktf diff` then `deploy`).
 */
export async function run(): Promise<void> {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const synth = ['bash', '-c', `[ -z "$BUNDLE_CACHE_TO_DROP" ] || rm -f "$BUNDLE_CACHE_TO_DROP"; npm run --silent synth`];
  try {
    const cold = measureRepeatedly(synth, ROOT, { CDKTF_OUTDIR: outdir, BUNDLE_CACHE_TO_DROP: BUNDLE_CACHE });
    const warm = measureRepeatedly(synth, ROOT, { CDKTF_OUTDIR: outdir, BUNDLE_CACHE_TO_DROP: '' });
    const baseline = measureRepeatedly(['npx', 'cdktf', 'synth'], join(__dirname, 'default-cdktf-project'));
    rmSync(join(__dirname, 'default-cdktf-project', 'cdktf.out'), { recursive: true, force: true });

    const row = (what: string, m: { wallMs: number; peakRssMiB: number }) =>
      console.log(
        `| ${what} | ${(m.wallMs / 1000).toFixed(2)} s | ${(m.wallMs / baseline.wallMs).toFixed(2)} | ${m.peakRssMiB.toFixed(0)} MiB |`,
      );
    console.log(`median of ${runs()} runs each\n`);
    console.log('| synth | median wall time | vs default | peak memory (largest process) |');
    console.log('|---|---:|---:|---:|');
    row('`npm run synth`, whole system, cold: all 6 functions bundled', cold);
    row('`npm run synth`, whole system, functions unchanged (bundle cache)', warm);
    row('`npx cdktf synth`, one resource, default toolchain (ts-node)', baseline);
    console.log('\ngoal: at most 0.33 of the default toolchain');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
