import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { measureRepeatedly, runs } from './measure';

const ROOT = resolve(__dirname, '..');

/**
 * The README's synth command (`npm run synth`: tsx + cdktf's App, no CLI) against
 * `npx cdktf synth` of a one-resource stack set up the default way (ts-node through
 * the CLI), each the median of several cold runs.
 */
export async function run(): Promise<void> {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  try {
    const ours = measureRepeatedly(['npm', 'run', '--silent', 'synth'], ROOT, { CDKTF_OUTDIR: outdir });
    const baseline = measureRepeatedly(['npx', 'cdktf', 'synth'], join(__dirname, 'default-cdktf-project'));
    rmSync(join(__dirname, 'default-cdktf-project', 'cdktf.out'), { recursive: true, force: true });

    console.log(`median of ${runs()} runs each\n`);
    console.log('| synth | median wall time | peak memory (largest process) |');
    console.log('|---|---:|---:|');
    console.log(`| \`npm run synth\` (whole system, 6 bundled functions) | ${(ours.wallMs / 1000).toFixed(2)} s | ${ours.peakRssMiB.toFixed(0)} MiB |`);
    console.log(`| \`npx cdktf synth\`, one resource, default toolchain | ${(baseline.wallMs / 1000).toFixed(2)} s | ${baseline.peakRssMiB.toFixed(0)} MiB |`);
    console.log(`\nours / default = ${(ours.wallMs / baseline.wallMs).toFixed(2)} (goal: at most 0.33)`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
