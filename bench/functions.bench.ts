/**
 * The functions' figures:
 * 1. remote calls on the critical path of one Create and one Delete: every remote call
 *    (Graph over the loopback fake, IAM/STS over the model) gets the same added latency,
 *    so floor(wall time / latency) ≈ calls made one after another (parallel ones count once).
 *    The Graph token is static (warm); STS sessions are per function and event, so each
 *    task's AssumeRole is on the path and reported separately.
 * 2. per function: minified bundle size (the stack's esbuild settings) and the time to
 *    load the bundle in a fresh `node` process (median of 7).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASK_FUNCTION_NAMES } from '../functions/shared/workflow';
import { silentLogger } from '../functions/shared/runtime';
import { bundleFunctionCodes } from '../stacks/bundling';
import { median } from './measure';
import { parseConfig } from '../stacks/config';
import { EXAMPLE_CONFIG } from '../stacks/example-config';
import { startLocalWorld } from '../simulation/engine/local-world';
import { localDefinitions, parseEvents, pipelineSettings, playEvents } from '../simulation/engine/run-simulation';

const LATENCY_MS = 100;
const ACCOUNT = '222222222222';
const LOAD_RUNS = 7;

function cloudTrail(eventName: string, requestParameters: Record<string, unknown>) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {
      eventID: randomUUID(),
      eventName,
      eventSource: 'iam.amazonaws.com',
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/platform-admin/alice` },
      requestParameters,
      recipientAccountId: ACCOUNT,
    },
  };
}

async function criticalPath(): Promise<void> {
  const settings = pipelineSettings(parseConfig(EXAMPLE_CONFIG));
  const host = `sts.windows.net/${settings.tenantId}/`;
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${host}:aud`]: 'placeholder' } },
      },
    ],
  };
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
    return realFetch(...args);
  };
  const world = await startLocalWorld({
    definitions: localDefinitions(),
    settings,
    logger: silentLogger,
    remoteLatencyMs: LATENCY_MS,
  });
  try {
    world.iam.addAccount(ACCOUNT);
    world.iam.createOidcProvider(ACCOUNT, { url: `https://${host}` });
    const measure = async (event: object) => {
      const before = { ...world.calls() };
      const started = performance.now();
      await playEvents(world, parseEvents([event]), silentLogger);
      const elapsed = performance.now() - started;
      const after = world.calls();
      const delta = Object.fromEntries(
        Object.entries(after)
          .map(([key, count]) => [key, count - (before[key] ?? 0)] as const)
          .filter(([, count]) => count > 0),
      );
      const total = Object.values(delta).reduce((sum, count) => sum + count, 0);
      const assumeRoles = delta['sts:AssumeRole'] ?? 0;
      return { sequential: Math.floor(elapsed / LATENCY_MS), total, assumeRoles, delta, status: world.pipeline.executions.at(-1)?.status };
    };
    // A first Create warms module loading and the JIT, which would otherwise count as calls.
    await measure(cloudTrail('CreateRole', { roleName: 'warm-up', assumeRolePolicyDocument: JSON.stringify(policy) }));
    const create = await measure(cloudTrail('CreateRole', { roleName: 'bench-role', assumeRolePolicyDocument: JSON.stringify(policy) }));
    const del = await measure(cloudTrail('DeleteRole', { roleName: 'bench-role' }));
    for (const [name, figures] of [
      ['create', create],
      ['delete', del],
    ] as const) {
      console.log(
        `${name}: ${figures.status}; ~${figures.sequential} sequential remote calls (${figures.sequential - figures.assumeRoles} without the ` +
          `${figures.assumeRoles} sts:AssumeRole); ${figures.total} calls in all`,
      );
      console.log(`  ${JSON.stringify(figures.delta)}`);
    }
    console.log(`  (goal for create: ≤ 6 sequential remote calls with a warm token and no fixed sleep; latency per call ${LATENCY_MS} ms)`);
  } finally {
    globalThis.fetch = realFetch;
    await world.close();
  }
}

function bundles(): void {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  console.log('\n| function | minified bundle | load in fresh node (median of 7) |');
  console.log('|---|---|---|');
  const names = ['router', ...TASK_FUNCTION_NAMES];
  const { codes } = bundleFunctionCodes(names);
  for (const name of names) {
    const code = codes.get(name)!;
    const file = join(dir, `${name}.js`);
    writeFileSync(file, code);
    const script = `const t=process.hrtime.bigint();const m=require(${JSON.stringify(file)});if(typeof m.handler!=='function')process.exit(3);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
    const times: number[] = [];
    for (let run = 0; run < LOAD_RUNS; run++) {
      const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`${name}: loading the bundle failed (${result.status}): ${result.stderr}`);
      times.push(Number(result.stdout));
    }
    const kib = code.byteLength / 1024;
    console.log(`| ${name} | ${kib.toFixed(0)} KiB${kib > 1024 ? ' (over the 1 MiB goal)' : ''} | ${median(times).toFixed(1)} ms |`);
  }
}

export async function run(): Promise<void> {
  await criticalPath();
  bundles();
}
