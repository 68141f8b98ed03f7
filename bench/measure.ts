import { spawnSync } from 'node:child_process';

export interface Measurement {
  readonly wallMs: number;
  /** Peak resident memory of the largest process the command ran (getrusage RUSAGE_CHILDREN). */
  readonly peakRssMiB: number;
}

// Node exposes only its own rusage; Python's RUSAGE_CHILDREN sees every process the command forks.
const RUNNER = `
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[2:], cwd=sys.argv[1], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
wall = (time.perf_counter() - start) * 1000
print(json.dumps({"code": code, "wallMs": wall, "maxRssKiB": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
`;

/** Runs a command once in a fresh process tree and measures it. */
export function measure(command: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Measurement {
  const result = spawnSync('python3', ['-c', RUNNER, cwd, ...command], {
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env },
  });
  if (result.status !== 0) throw new Error(`measuring ${command.join(' ')} failed: ${result.stderr}`);
  const { code, wallMs, maxRssKiB } = JSON.parse(result.stdout) as { code: number; wallMs: number; maxRssKiB: number };
  if (code !== 0) throw new Error(`${command.join(' ')} exited ${code}`);
  return { wallMs, peakRssMiB: maxRssKiB / 1024 };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** How many runs each figure is the median of: `BENCH_RUNS`, at least 5. */
export function runs(): number {
  return Math.max(5, Number(process.env.BENCH_RUNS ?? 5));
}

/** Measures a command `runs()` times; returns the median wall time and the largest peak memory. */
export function measureRepeatedly(command: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Measurement {
  const samples = Array.from({ length: runs() }, () => measure(command, cwd, env));
  return { wallMs: median(samples.map((s) => s.wallMs)), peakRssMiB: Math.max(...samples.map((s) => s.peakRssMiB)) };
}
