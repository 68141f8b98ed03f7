import { silentLogger } from '../../../functions/shared/runtime';
import { renderSweepReportHtml, type Inspection, type RepairResult, type SweepReport } from '../../../functions/shared/sweep';
import { reportSweep, type Decision } from '../../../functions/sweep-report/core';
import { A, APP, mapRun, prepared, readableA, tenant } from './sweep-state';

/**
 * The report step against the result files as a Distributed Map's result writer leaves them
 * (./sweep-state.ts writes them as documented).
 */

describe('sweep-report: deciding', () => {
  it('in a report run proposes nothing to repair and writes no repair items', async () => {
    const { store, deps, state } = await prepared('report');

    const { decision } = (await reportSweep(deps, state)) as { decision: Decision };

    expect(decision).toEqual({ repair: false, repairsKey: 'sweeps/run-1/repairs.json', deletions: 3, cap: 25, overCap: false });
    expect(store.objects.has('sweeps/run-1/repairs.json')).toBe(false);
  });

  it('in a repair run under the cap hands each account its repair, and the tenant its purges', async () => {
    const { store, deps, state } = await prepared('repair');

    const { decision } = (await reportSweep(deps, state)) as { decision: Decision };

    expect(decision).toMatchObject({ repair: true, deletions: 3, overCap: false });
    expect(await store.getJson(decision.repairsKey)).toEqual([
      { accountId: A, ...readableA.repair, purge: [] },
      { accountId: null, deleteApplications: [], removeClientIds: [], purge: tenant.purge, federate: [], removeRevocationPolicies: [] },
    ]);
  });

  it('over the cap (the input may lower it) withholds every deletion but still federates and removes expired revocations', async () => {
    const { store, deps, state } = await prepared('repair', 2);

    const { decision } = (await reportSweep(deps, state)) as { decision: Decision };

    expect(decision).toMatchObject({ repair: true, deletions: 3, cap: 2, overCap: true });
    expect(await store.getJson(decision.repairsKey)).toEqual([
      {
        accountId: A,
        deleteApplications: [],
        removeClientIds: [],
        purge: [],
        federate: readableA.repair.federate,
        removeRevocationPolicies: readableA.repair.removeRevocationPolicies,
      },
    ]);
  });

  it('hands an account whose only repair is removing expired revocations its item, and does not count them against the cap', async () => {
    const onlyRevocations: Inspection = {
      ...readableA,
      findings: readableA.findings.filter((finding) => finding.kind === 'expired-revocation'),
      repair: { ...readableA.repair, deleteApplications: [], removeClientIds: [], federate: [] },
    };
    const { store, deps, state } = await prepared('repair', 0, onlyRevocations, { ...tenant, findings: [], purge: [] });

    const { decision } = (await reportSweep(deps, state)) as { decision: Decision };

    expect(decision).toMatchObject({ repair: true, deletions: 0, cap: 0, overCap: false });
    expect(await store.getJson(decision.repairsKey)).toEqual([{ accountId: A, ...onlyRevocations.repair, purge: [] }]);
  });

  it("refuses results that are not in the sweep's bucket", async () => {
    const { deps, state } = await prepared('repair');

    await expect(
      reportSweep(deps, { ...state, inspection: { ResultWriterDetails: { Bucket: 'someone-elses', Key: 'x' } } }),
    ).rejects.toThrow(/not the sweep's bucket/);
  });
});

describe('sweep-report: reporting', () => {
  it('settles every finding from the repair results, counts unread accounts, writes the report and logs its metrics', async () => {
    // Prepare
    const { store, deps, state } = await prepared('repair');
    const { decision } = (await reportSweep(deps, state)) as { decision: Decision };
    const repairedA: RepairResult = {
      accountId: A,
      outcomes: [
        { action: 'delete-application', target: APP(1), result: 'done' },
        { action: 'remove-client-id', target: APP(2), result: 'skipped', detail: 'an application with this client ID exists now' },
        { action: 'remove-revocation-policy', target: 'left-federation', result: 'done' },
      ],
      federations: [
        {
          roleName: 'payments-ci',
          executionName: 'Sweep-0123456789abcdef-AROAPAYMENTSPAYMENTS1',
          input: {
            accountId: A,
            roleName: 'payments-ci',
            eventId: 'sweep-0123456789abcdef',
            eventName: 'Sweep',
            lock: { key: `${A}/payments-ci`, routedAt: 1 },
          },
          execution: { Error: 'States.TaskFailed' },
        },
      ],
    };
    const tenantRepair: RepairResult = {
      accountId: null,
      outcomes: [],
      federations: [],
      failure: { Error: 'GraphRequestError', Cause: '{"errorMessage":"purge deleted item: Microsoft Graph answered 403"}' },
    };
    const repairs = await mapRun(store, 'sweeps/run-1/repair', [
      { input: { repair: { accountId: A } }, output: repairedA },
      { input: { repair: { accountId: null } }, output: tenantRepair },
    ]);
    const lines: string[] = [];
    const logger = {
      ...silentLogger,
      info: (message: string, fields?: object) => lines.push(JSON.stringify({ message, ...fields })),
    } as typeof silentLogger;

    // Act
    const { report } = (await reportSweep(
      { ...deps, logger, now: () => new Date('2025-06-01T01:00:00Z') },
      { ...state, decision, repairs },
    )) as {
      report: { bucket: string; key: string };
    };

    // Assess
    const written = (await store.getJson(report.key)) as {
      findings: { kind: string; result: string; detail?: string }[];
      totals: Record<string, unknown>;
    };
    expect(report.key).toBe('sweeps/run-1/report.json');
    // The page for people beside it, from the same report (docs/operator.md#reading-the-report)
    expect(store.objects.get('sweeps/run-1/report.html')).toBe(
      renderSweepReportHtml(written as unknown as SweepReport, { entraObjectQuota: deps.settings.entraObjectQuota }),
    );
    expect(written.findings.map((finding) => [finding.kind, finding.result])).toEqual([
      ['unreadable-account', 'reported'],
      ['soft-deleted', 'failed'],
      ['orphan-application', 'done'],
      ['dead-client-id', 'skipped'],
      ['unfederated', 'failed'],
      ['expired-revocation', 'done'],
    ]);
    expect(written.findings[0]!.detail).toMatch(/^States.DataLimitExceeded: /);
    expect(written.findings[1]!.detail).toContain('GraphRequestError: purge deleted item: Microsoft Graph answered 403');
    expect(written.findings[4]!.detail).toContain('Create execution Sweep-0123456789abcdef-AROAPAYMENTSPAYMENTS1 States.TaskFailed');
    expect(written.totals).toMatchObject({
      accounts: 2,
      unreadableAccounts: 1,
      maxClientIdsPerProvider: 92,
      directoryObjects: 210,
      directoryObjectQuotaPercent: 84,
      identities: [
        { identity: 1, objects: 180, share: 225, percent: 80 },
        { identity: 2, objects: 30, share: 225, percent: 13.3 },
      ],
    });
    // One line per identity, its number as the dimension's string (the dashboard's metric filter)
    expect(lines.map((line) => JSON.parse(line)).filter((line) => line.message === 'sweep identity quota')).toEqual([
      { message: 'sweep identity quota', identity: '1', objects: 180, share: 225, percent: 80 },
      { message: 'sweep identity quota', identity: '2', objects: 30, share: 225, percent: 13.3 },
    ]);
    const metrics = lines.map((line) => JSON.parse(line)).find((line) => line.message === 'sweep metrics');
    expect(metrics.metrics).toEqual({
      maxClientIdsPerProvider: 92,
      directoryObjectQuotaPercent: 84,
      orphanApplications: 1,
      notOwnerApplications: 0,
      unreadableAccounts: 1,
      deletionsWithheld: 0,
      failedActions: 2,
    });
  });
});

describe('sweep-report: the removal of expired revocations', () => {
  it("reports each policy from its role's outcome, and all of an account's as failed, with the error, when their step failed as a whole", async () => {
    const twoRevocations: Inspection = {
      ...readableA,
      findings: [
        { kind: 'expired-revocation', account: A, roleName: 'left-a', action: 'remove-revocation-policy', result: 'proposed' },
        { kind: 'expired-revocation', account: A, roleName: 'left-b', action: 'remove-revocation-policy', result: 'proposed' },
      ],
    };
    const settled = async (repaired: RepairResult) => {
      const { store, deps, state } = await prepared('repair', undefined, twoRevocations, { ...tenant, findings: [], purge: [] });
      const { decision } = (await reportSweep(deps, state)) as { decision: Decision };
      const repairs = await mapRun(store, 'sweeps/run-1/repair', [{ input: { repair: { accountId: A } }, output: repaired }]);
      const { report } = (await reportSweep(deps, { ...state, decision, repairs })) as { report: { key: string } };
      const written = (await store.getJson(report.key)) as SweepReport;
      return written.findings
        .filter((finding) => finding.kind === 'expired-revocation')
        .map((finding) => [finding.roleName, finding.result, finding.detail]);
    };

    expect(
      await settled({
        accountId: A,
        outcomes: [
          { action: 'remove-revocation-policy', target: 'left-b', result: 'skipped', detail: 'the policy is already gone' },
          { action: 'remove-revocation-policy', target: 'left-a', result: 'done' },
        ],
        federations: [],
      }),
    ).toEqual([
      ['left-a', 'done', undefined],
      ['left-b', 'skipped', 'the policy is already gone'],
    ]);
    expect(
      await settled({
        accountId: A,
        outcomes: [],
        federations: [],
        revocationFailure: { Error: 'MemberAccountAccessError', Cause: '{"errorMessage":"cannot assume web-identity-automation-revoke"}' },
      }),
    ).toEqual([
      ['left-a', 'failed', 'the removal failed, the policy stays: MemberAccountAccessError: cannot assume web-identity-automation-revoke'],
      ['left-b', 'failed', 'the removal failed, the policy stays: MemberAccountAccessError: cannot assume web-identity-automation-revoke'],
    ]);
  });
});
