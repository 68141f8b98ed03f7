import fc from 'fast-check';
import type { AccountRepair, Finding, RepairItem } from '../../../functions/shared/sweep';
import { makeHandler } from '../../../functions/sweep-report/handler';
import { reportSweep, type Decision } from '../../../functions/sweep-report/core';
import { MemorySweepStore } from '../../../simulation/engine/local-sweep';
import {
  A,
  APP,
  B,
  BUCKET,
  inspected,
  quietTenant,
  readable,
  readableA,
  recordingLogger,
  repaired,
  settleSweep,
  tenant,
  writeMapRun,
} from './sweep-state';

/**
 * The decision's counts, the report's totals and the lines the stack's metric filters turn into
 * alarms and the dashboard (docs/operator.md#reading-the-alarms, #the-dashboard).
 */

const repairOf = (n: { applications: number; clientIds: number; federate: number; revocations: number }): AccountRepair => ({
  deleteApplications: Array.from({ length: n.applications }, (_, i) => ({ id: APP(100 + i), appId: APP(i), uniqueName: `aws-${A}-${i}` })),
  removeClientIds: Array.from({ length: n.clientIds }, (_, i) => APP(200 + i)),
  federate: Array.from({ length: n.federate }, (_, i) => ({ roleName: `role-${i}`, roleId: `AROA${i}`, kind: 'unfederated' })),
  removeRevocationPolicies: Array.from({ length: n.revocations }, (_, i) => ({
    roleName: `old-${i}`,
    roleId: `AROAOLD${i}`,
    path: '/',
    revokedBefore: '2025-05-01T00:00:00.000Z',
  })),
});

describe('sweep-report: the decision (property)', () => {
  const SEED = 2718;
  const count = fc.integer({ min: 0, max: 2 });

  it(`counts every proposed deletion against the cap and hands out exactly the items with work (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ applications: count, clientIds: count, federate: count, revocations: count }),
        count,
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom('report' as const, 'repair' as const),
        async (n, purges, cap, mode) => {
          const inspection = { ...readable(A), repair: repairOf(n) };
          const purge = Array.from({ length: purges }, (_, i) => ({ id: APP(300 + i), kind: 'application' as const, appId: APP(400 + i) }));
          const prepared = await inspected(mode, [inspection], { deletionCap: cap, tenant: { ...quietTenant, purge } });

          const { decision } = (await reportSweep(prepared.deps, prepared.state)) as { decision: Decision };

          // Revocation removals and federations are no deletions (DELETING_ACTIONS).
          const deletions = n.applications + n.clientIds + purges;
          const overCap = mode === 'repair' && deletions > cap;
          expect(decision).toEqual({ repair: expect.any(Boolean), repairsKey: 'sweeps/run-1/repairs.json', deletions, cap, overCap });
          const items = prepared.store.objects.has(decision.repairsKey)
            ? ((await prepared.store.getJson(decision.repairsKey)) as RepairItem[])
            : [];
          const accountWork = (overCap ? 0 : n.applications + n.clientIds) + n.federate + n.revocations;
          const tenantWork = overCap ? 0 : purges;
          expect(items.map((item) => item.accountId)).toEqual(
            mode === 'report' ? [] : [...(accountWork > 0 ? [A] : []), ...(tenantWork > 0 ? [null] : [])],
          );
          expect(decision.repair).toBe(items.length > 0);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('sweep-report: the totals', () => {
  it('counts the accounts, their federated roles, and as unread also those the plan found without a baseline stack instance', async () => {
    const outside: Finding = {
      kind: 'unreadable-account',
      account: '444444444444',
      action: 'none',
      result: 'reported',
      detail: 'no member baseline stack instance: 2 application(s) of the automation name this account and are kept',
    };
    const prepared = await inspected('report', [readable(A, 10, 4), readable(B, 20, 7)], {
      tenant: { ...tenant, findings: [...tenant.findings, outside] },
      failed: [{ Status: 'FAILED', Input: JSON.stringify({ account: { accountId: '555555555555' } }), Error: 'States.Timeout' }],
    });

    const { report, output } = await settleSweep(prepared);

    expect(report.totals).toMatchObject({
      accounts: 3,
      // One account the inspection could not read, one the plan could not.
      unreadableAccounts: 2,
      federatedRoles: 11,
      findings: 3,
      byKind: { 'unreadable-account': 2, 'soft-deleted': 1 },
      byResult: { reported: 2, proposed: 1 },
      maxClientIdsPerProvider: 20,
    });
    expect(output).toEqual({ bucket: prepared.store.bucket, key: 'sweeps/run-1/report.json', totals: report.totals });
  });

  it('says which sweep it is and lists every account, with its client IDs and federated roles when it was read', async () => {
    const { report } = await settleSweep(
      await inspected('report', [readable(A, 10, 4)], {
        failed: [{ Status: 'FAILED', Input: JSON.stringify({ account: { accountId: B } }), Error: 'States.Timeout' }],
      }),
    );

    expect(report.sweep).toEqual({
      id: '0123456789abcdef',
      executionName: 'run-1',
      mode: 'report',
      startedAt: '2025-06-01T00:00:00Z',
      finishedAt: '2025-06-01T01:00:00.000Z',
    });
    expect(report.deletionCap).toBe(25);
    expect(report.accounts).toEqual([
      { accountId: A, readable: true, clientIds: 10, federatedRoles: 4 },
      { accountId: B, readable: false },
    ]);
  });

  it('dates its finish by the clock when it is given none', async () => {
    const prepared = await inspected('report', [readableA]);
    const { now: _, ...withoutClock } = prepared.deps;
    const before = Date.now();

    const { report } = await settleSweep({ ...prepared, deps: withoutClock });

    const finishedAt = Date.parse(report.sweep.finishedAt);
    expect(report.sweep.finishedAt).toBe(new Date(finishedAt).toISOString());
    expect(finishedAt).toBeGreaterThanOrEqual(before);
    expect(finishedAt).toBeLessThanOrEqual(Date.now());
  });

  it('writes the page for people as HTML beside the report', async () => {
    const types = new Map<string, string>();
    // The memory store keeps only the body; the media type is what S3 serves the page with.
    class TypedStore extends MemorySweepStore {
      override async putText(key: string, body: string, contentType?: string): Promise<void> {
        types.set(key, String(contentType));
        await super.putText(key, body);
      }
    }
    const store = new TypedStore(BUCKET);

    await settleSweep(await inspected('report', [readableA], { store }));

    expect(types).toEqual(new Map([['sweeps/run-1/report.html', 'text/html; charset=utf-8']]));
    expect(store.objects.get('sweeps/run-1/report.html')).toMatch(/^<!doctype html>/i);
  });
});

describe('sweep-report: the lines for the alarms and the dashboard', () => {
  const linesOf = (lines: Record<string, unknown>[], message: string) =>
    lines.filter((line) => line.message === message).map(({ message: _, level, timestamp, service, sampling_rate, ...fields }) => fields);

  it('counts applications an owner took the automation off for their alarm', async () => {
    const notOwner: Finding = { kind: 'not-owner', account: A, appId: APP(9), objectId: APP(109), action: 'none', result: 'reported' };
    const { logger, lines } = recordingLogger();
    const prepared = await inspected('report', [{ ...readable(A), findings: [notOwner, notOwner] }], {
      tenant: quietTenant,
      logger,
    });

    await settleSweep(prepared);

    expect(linesOf(lines, 'sweep metrics')[0]).toMatchObject({
      metrics: { notOwnerApplications: 2, orphanApplications: 0, unreadableAccounts: 0, failedActions: 0, deletionsWithheld: 0 },
      report: `s3://${prepared.store.bucket}/sweeps/run-1/report.json`,
      html: `s3://${prepared.store.bucket}/sweeps/run-1/report.html`,
    });
    expect(linesOf(lines, 'sweep findings of a kind')).toContainEqual({ kind: 'not-owner', count: 2 });
    expect(linesOf(lines, 'sweep findings of a kind')).toContainEqual({ kind: 'orphan-application', count: 0 });
  });

  it('logs the ten fullest providers, fullest first, the account ID deciding between equals', async () => {
    // Twelve accounts: 12 client IDs for the first, down to 1; two accounts at 5 each.
    const accounts = Array.from({ length: 12 }, (_, i) => readable(String(100000000000 + i * 11111), i === 9 ? 5 : 12 - i));
    const { logger, lines } = recordingLogger();
    const prepared = await inspected('report', [...accounts].reverse(), { tenant: quietTenant, logger });

    await settleSweep(prepared);

    expect(linesOf(lines, 'sweep provider among the fullest')).toEqual([
      { account: '100000000000', clientIds: 12 },
      { account: '100000011111', clientIds: 11 },
      { account: '100000022222', clientIds: 10 },
      { account: '100000033333', clientIds: 9 },
      { account: '100000044444', clientIds: 8 },
      { account: '100000055555', clientIds: 7 },
      { account: '100000066666', clientIds: 6 },
      { account: '100000077777', clientIds: 5 },
      { account: '100000099999', clientIds: 5 },
      { account: '100000088888', clientIds: 4 },
    ]);
  });
});

describe('sweep-report: the handler', () => {
  it('takes the state the map leaves, decides, then reports, each time adding its result to the state, its lines marked as its own', async () => {
    const { logger, lines } = recordingLogger();
    const prepared = await inspected('repair', [readableA], { logger });
    const handler = makeHandler(() => prepared.deps);

    const decided = (await handler(prepared.state, undefined as never)) as typeof prepared.state & { decision: Decision };
    expect(decided).toEqual({
      ...prepared.state,
      decision: { repair: true, repairsKey: 'sweeps/run-1/repairs.json', deletions: 3, cap: 25, overCap: false },
    });

    const repairs = await writeMapRun(prepared.store, 'sweeps/run-1/repair', repaired({ accountId: A, outcomes: [], federations: [] }));
    const reported = (await handler({ ...decided, repairs }, undefined as never)) as {
      report: { key: string; totals: { deletions: number } };
    };
    expect(reported.report).toMatchObject({ key: 'sweeps/run-1/report.json', totals: { deletions: 3, findings: 5 } });
    expect((await prepared.store.getJson('sweeps/run-1/report.json')) as { deletionCap: number }).toMatchObject({ deletionCap: 25 });
    // The dashboard's filters read the report function's log group: its lines say whose they are.
    expect(lines.find((line) => line.message === 'sweep metrics')).toMatchObject({ function: 'sweep-report' });
  });

  it('refuses a state without the map run it reads', async () => {
    const prepared = await inspected('report', [readableA]);
    const handler = makeHandler(() => prepared.deps);

    await expect(handler({ sweep: prepared.state.sweep }, undefined as never)).rejects.toThrow(/inspection/);
    await expect(handler({ ...prepared.state, inspection: { MapRunArn: 'arn' } }, undefined as never)).rejects.toThrow(
      /ResultWriterDetails/,
    );
  });
});
