/**
 * Past the ceilings (docs/simulate.md#a-world-at-scale): the generated world of 1,000 accounts
 * × 10 federated roles (4 of which bring their own identity) through the whole local pipeline,
 * once in the shared audience mode and once per-role, each in a fresh process
 * (bench/scale-run.ts). Reports wall time, peak memory, remote calls by kind and the directory
 * objects the automation created per role. `BENCH_SCALE_ACCOUNTS` runs a smaller world.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROLES = 10;
const BROUGHT = 4;

interface Run {
  wallMs: number;
  peakRssMiB: number;
  executions: number;
  failed: number;
  identities: number;
  summary: {
    federatedRoles: { total: number; byStatus: Record<string, number>; byIdentityMode: Record<string, number> };
    providers: { count: number; maxClientIds: number };
    entraObjectsCreated: { total: number; forBroughtIdentities: number };
  };
  calls: Record<string, number>;
}

function runWorld(accounts: number, mode: 'shared' | 'per-role'): Run {
  const root = join(__dirname, '..');
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join('bench', 'scale-run.ts'), String(accounts), String(ROLES), String(BROUGHT), mode],
    {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=8192`.trim() },
    },
  );
  if (result.status !== 0) throw new Error(`scale run (${mode}) failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Run;
}

export async function run(): Promise<void> {
  const accounts = Number(process.env.BENCH_SCALE_ACCOUNTS ?? 1000);
  const runs = (['shared', 'per-role'] as const).map((mode) => [mode, runWorld(accounts, mode)] as const);

  console.log(`${accounts} accounts × ${ROLES} federated roles (${BROUGHT} per account bring their own identity), one run each:\n`);
  console.log(
    '| mode | roles ready | wall time | per role | peak memory | max client IDs per provider | automation identities | Entra objects created | per role with an application | per role that brings its own identity |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [mode, r] of runs) {
    const { federatedRoles, providers, entraObjectsCreated } = r.summary;
    const brought = federatedRoles.byIdentityMode['bring-your-own'] ?? 0;
    console.log(
      `| ${mode} | ${federatedRoles.byStatus.ready ?? 0} / ${federatedRoles.total} | ${(r.wallMs / 1000).toFixed(1)} s | ${(r.wallMs / r.executions).toFixed(1)} ms | ` +
        `${r.peakRssMiB.toFixed(0)} MiB | ${providers.maxClientIds} | ${r.identities} | ${entraObjectsCreated.total} | ` +
        `${(entraObjectsCreated.total / Math.max(1, federatedRoles.total - brought)).toFixed(2)} | ${(entraObjectsCreated.forBroughtIdentities / Math.max(1, brought)).toFixed(2)} |`,
    );
  }
  const keys = [...new Set(runs.flatMap(([, r]) => Object.keys(r.calls)))].sort();
  console.log('\nRemote calls by kind (per role in parentheses):\n');
  console.log(`| call | ${runs.map(([mode]) => mode).join(' | ')} |`);
  console.log(`|---|${runs.map(() => '---:').join('|')}|`);
  for (const key of keys) {
    console.log(
      `| \`${key}\` | ${runs.map(([, r]) => `${r.calls[key] ?? 0} (${((r.calls[key] ?? 0) / r.summary.federatedRoles.total).toFixed(2)})`).join(' | ')} |`,
    );
  }
}
