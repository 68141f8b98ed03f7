import fc from 'fast-check';
import type { Finding, Inspection, RepairOutcome, RepairResult, SweepReport } from '../../../functions/shared/sweep';
import {
  A,
  APP,
  B,
  federation,
  inspected,
  quietTenant,
  readable,
  readableA,
  recordingLogger,
  repaired,
  settleSweep,
  table,
  tenant,
} from './sweep-state';

/**
 * What the report says became of each finding (docs/operator.md#reading-the-report): `proposed` in
 * a report run; in a repair run `done`, `failed`, `skipped` or `withheld`; `reported` for action
 * `none`. A finding is `done` only when its own repair says so: anything else the report cannot
 * account for is `failed`, which raises the failedActions alarm.
 */

/** A's findings with an action, and one without (a hand-made federation, left as it is). */
const handMade: Finding = { kind: 'hand-made', account: A, roleName: 'team-made', action: 'none', result: 'proposed' };
const withHandMade: Inspection = { ...readableA, findings: [...readableA.findings, handMade] };

const metricsOf = (lines: Record<string, unknown>[]) =>
  lines.find((line) => line.message === 'sweep metrics')!.metrics as Record<string, number>;

describe('sweep-report: a report run', () => {
  it('proposes every action and repairs nothing; findings without an action are reported', async () => {
    const { report } = await settleSweep(await inspected('report', [withHandMade]));

    expect(table(report)).toEqual([
      ['soft-deleted', 'proposed', undefined],
      ['orphan-application', 'proposed', undefined],
      ['dead-client-id', 'proposed', undefined],
      ['unfederated', 'proposed', undefined],
      ['expired-revocation', 'proposed', undefined],
      ['hand-made', 'reported', undefined],
    ]);
  });

  it('withholds nothing and raises no alarm however many deletions it proposes: it deletes none', async () => {
    const { logger, lines } = recordingLogger();

    const { decision, report } = await settleSweep(await inspected('report', [readableA], { deletionCap: 0, logger }));

    expect(decision).toMatchObject({ deletions: 3, cap: 0, overCap: false });
    expect(report.findings.map((finding) => finding.result)).not.toContain('withheld');
    expect(report.totals.deletionsWithheld).toBe(false);
    expect(metricsOf(lines).deletionsWithheld).toBe(0);
  });
});

describe('sweep-report: a repair run over the deletion cap', () => {
  it('reports each deletion withheld, after what the plan said of it, still settles the rest, and alarms', async () => {
    // A soft-deleted application the plan proved the automation's: its detail is its kind.
    const provenTenant = { ...tenant, findings: [{ ...tenant.findings[0]!, detail: 'application' }] };
    const { logger, lines } = recordingLogger();
    const prepared = await inspected('repair', [readableA], { deletionCap: 2, tenant: provenTenant, logger });

    const { report } = await settleSweep(
      prepared,
      repaired({
        accountId: A,
        outcomes: [{ action: 'remove-revocation-policy', target: 'left-federation', result: 'done' }],
        federations: [federation(A, 'payments-ci', 'AROAPAYMENTSPAYMENTS1', { status: 'SUCCEEDED' })],
      }),
    );

    expect(table(report)).toEqual([
      ['soft-deleted', 'withheld', 'application; over the deletion cap (3 > 2)'],
      ['orphan-application', 'withheld', 'over the deletion cap (3 > 2)'],
      ['dead-client-id', 'withheld', 'over the deletion cap (3 > 2)'],
      ['unfederated', 'done', 'Create execution Sweep-0123456789abcdef-AROAPAYMENTSPAYMENTS1'],
      ['expired-revocation', 'done', undefined],
      [
        'over-deletion-cap',
        'reported',
        '3 deletions proposed, cap 2: none made in this run. Check the report; start a repair with a higher "deletionCap" if they are right.',
      ],
    ]);
    expect(report.findings.at(-1)).toMatchObject({ account: null, action: 'none' });
    expect(report).toMatchObject({ deletionCap: 2, totals: { deletions: 3, deletionsWithheld: true } });
    expect(metricsOf(lines)).toMatchObject({ deletionsWithheld: 1, failedActions: 0 });
  });
});

describe('sweep-report: a repair run', () => {
  it("settles a soft-deleted object from the tenant's purges, even when its name tells the account it was for", async () => {
    const named = { ...tenant, findings: [{ ...tenant.findings[0]!, account: A, detail: 'application' }] };
    const prepared = await inspected('repair', [readable(A)], { tenant: named });

    const { report } = await settleSweep(
      prepared,
      repaired(
        // A's own repair (nothing to do) is no word on the purge.
        { accountId: A, outcomes: [], federations: [] },
        { accountId: null, outcomes: [{ action: 'purge-deleted-item', target: APP(103), result: 'done' }], federations: [] },
      ),
    );

    expect(table(report)).toEqual([['soft-deleted', 'done', 'application']]);
  });

  it("fails every finding the repair map left no result for, the tenant's purges too, also when the map did not run", async () => {
    const inB: Inspection = {
      ...readableA,
      accountId: B,
      findings: readableA.findings.map((finding) => ({ ...finding, account: B })),
    };
    const noResult = [null, 'failed', 'no repair result for it'];

    // The map ran for A only.
    const { report: partly } = await settleSweep(
      await inspected('repair', [readableA, inB]),
      repaired({ accountId: A, outcomes: [], federations: [] }),
    );
    expect(partly.findings.map((finding) => [finding.account, finding.result, finding.detail])).toEqual([
      noResult,
      ...readableA.findings.map(() => [A, 'failed', expect.not.stringMatching(/^no repair result/)]),
      ...readableA.findings.map(() => [B, 'failed', 'no repair result for it']),
    ]);

    // The map did not run at all.
    const { report: none } = await settleSweep(await inspected('repair', [readableA, inB]));
    expect(none.findings.map((finding) => [finding.account, finding.result, finding.detail])).toEqual([
      noResult,
      ...[A, B].flatMap((account) => readableA.findings.map(() => [account, 'failed', 'no repair result for it'])),
    ]);
  });

  it('settles each role it federated from its own Create execution', async () => {
    const roles = ['ready-now', 'ended-failed', 'create-failed', 'never-started', 'not-in-result'];
    const federating: Inspection = {
      ...readable(A),
      findings: roles.map((roleName) => ({ kind: 'unfederated', account: A, roleName, action: 'federate', result: 'proposed' })),
      repair: {
        ...readable(A).repair,
        federate: roles.map((roleName, index) => ({ roleName, roleId: `AROA${index}`, kind: 'unfederated' })),
      },
    };
    const prepared = await inspected('repair', [federating], { tenant: quietTenant });

    const { report } = await settleSweep(
      prepared,
      repaired({
        accountId: A,
        outcomes: [],
        // Not in the order of the findings: each is found by its role.
        federations: [
          federation(A, 'never-started', 'AROA3'),
          federation(A, 'create-failed', 'AROA2', { Error: 'States.TaskFailed', Cause: '{"errorMessage":"wildcard"}' }),
          federation(A, 'ended-failed', 'AROA1', { status: 'FAILED' }),
          federation(A, 'ready-now', 'AROA0', { status: 'SUCCEEDED' }),
        ],
      }),
    );

    const says = "; the role's entra:federation-status says why";
    expect(report.findings.map((finding) => [finding.roleName, finding.result, finding.detail])).toEqual([
      ['ready-now', 'done', 'Create execution Sweep-0123456789abcdef-AROA0'],
      ['ended-failed', 'failed', `Create execution Sweep-0123456789abcdef-AROA1 ended FAILED${says}`],
      ['create-failed', 'failed', `Create execution Sweep-0123456789abcdef-AROA2 States.TaskFailed: wildcard${says}`],
      ['never-started', 'failed', 'no Create execution was started for it'],
      ['not-in-result', 'failed', 'no Create execution was started for it'],
    ]);
  });

  it('settles a deletion only from an outcome of its own action on its own target', async () => {
    // The same client ID as an orphan application's and as a client ID on the provider: two findings, two outcomes.
    const sameId: Inspection = {
      ...readable(A),
      findings: [
        { kind: 'orphan-application', account: A, appId: APP(1), objectId: APP(101), action: 'delete-application', result: 'proposed' },
        { kind: 'dead-client-id', account: A, appId: APP(1), action: 'remove-client-id', result: 'proposed' },
        { kind: 'dead-client-id', account: A, appId: APP(2), action: 'remove-client-id', result: 'proposed' },
      ],
      repair: {
        ...readable(A).repair,
        deleteApplications: [{ id: APP(101), appId: APP(1), uniqueName: 'aws-x' }],
        removeClientIds: [APP(1), APP(2)],
      },
    };
    const prepared = await inspected('repair', [sameId], { tenant: quietTenant });

    const { report } = await settleSweep(
      prepared,
      repaired({
        accountId: A,
        outcomes: [
          { action: 'delete-application', target: APP(1), result: 'done' },
          { action: 'remove-client-id', target: APP(1), result: 'skipped', detail: 'an application with this client ID exists now' },
        ],
        federations: [],
      }),
    );

    expect(table(report)).toEqual([
      ['orphan-application', 'done', undefined],
      ['dead-client-id', 'skipped', 'an application with this client ID exists now'],
      ['dead-client-id', 'failed', 'the repair did not act on it'],
    ]);
  });

  it("lays a failed removal of revocation policies only on the policies it left, not on the account's other findings", async () => {
    const twoPolicies: Inspection = {
      ...readableA,
      findings: [
        ...readableA.findings,
        { kind: 'expired-revocation', account: A, roleName: 'left-later', action: 'remove-revocation-policy', result: 'proposed' },
      ],
    };
    const prepared = await inspected('repair', [twoPolicies], { tenant: quietTenant });

    const { report } = await settleSweep(
      prepared,
      repaired({
        accountId: A,
        // The first policy was removed before the step failed; the orphan and the client ID were not acted on.
        outcomes: [{ action: 'remove-revocation-policy', target: 'left-federation', result: 'done' }],
        federations: [federation(A, 'payments-ci', 'AROAPAYMENTSPAYMENTS1', { status: 'SUCCEEDED' })],
        revocationFailure: { Error: 'IamThrottled' },
      }),
    );

    expect(table(report)).toEqual([
      ['orphan-application', 'failed', 'the repair did not act on it'],
      ['dead-client-id', 'failed', 'the repair did not act on it'],
      ['unfederated', 'done', 'Create execution Sweep-0123456789abcdef-AROAPAYMENTSPAYMENTS1'],
      ['expired-revocation', 'done', undefined],
      ['expired-revocation', 'failed', 'the removal failed, the policy stays: IamThrottled'],
    ]);
  });
});

/**
 * Any combination of what the repair of an account did: each finding ends `done` or `skipped`
 * only when its own outcome says so, and everything else is `failed` and counted by the
 * failedActions alarm; nothing is reported withheld under the cap.
 */
describe('sweep-report: no repair is reported done that its result does not show (property)', () => {
  const SEED = 4242;
  type Fate = 'done' | 'skipped' | 'failed' | 'absent';
  const fate = fc.constantFrom<Fate>('done', 'skipped', 'failed', 'absent');
  const createFate = fc.constantFrom('SUCCEEDED', 'FAILED', 'caught', 'not-started', 'absent');

  it(`holds for generated outcomes (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fate, { maxLength: 3 }),
        fc.array(fate, { maxLength: 3 }),
        fc.array(createFate, { maxLength: 3 }),
        fc.array(fate, { maxLength: 3 }),
        fc.constantFrom('ran', 'failed', 'revocations failed', 'no result'),
        async (applications, clientIds, creates, revocations, repair) => {
          const findings: Finding[] = [
            ...applications.map(
              (_, i): Finding => ({
                kind: 'orphan-application',
                account: A,
                appId: APP(i),
                objectId: APP(100 + i),
                action: 'delete-application',
                result: 'proposed',
              }),
            ),
            ...clientIds.map(
              (_, i): Finding => ({
                kind: 'dead-client-id',
                account: A,
                appId: APP(200 + i),
                action: 'remove-client-id',
                result: 'proposed',
              }),
            ),
            ...creates.map(
              (_, i): Finding => ({ kind: 'drifted', account: A, roleName: `role-${i}`, action: 'federate', result: 'proposed' }),
            ),
            ...revocations.map(
              (_, i): Finding => ({
                kind: 'expired-revocation',
                account: A,
                roleName: `old-${i}`,
                action: 'remove-revocation-policy',
                result: 'proposed',
              }),
            ),
          ];
          const targets = [
            ...applications.map((f, i) => [f, 'delete-application', APP(i)] as const),
            ...clientIds.map((f, i) => [f, 'remove-client-id', APP(200 + i)] as const),
            ...revocations.map((f, i) => [f, 'remove-revocation-policy', `old-${i}`] as const),
          ];
          const result: RepairResult = {
            accountId: A,
            outcomes: targets.flatMap(([f, action, target]): RepairOutcome[] => (f === 'absent' ? [] : [{ action, target, result: f }])),
            federations: creates.flatMap((f, i) =>
              f === 'absent'
                ? []
                : [
                    federation(
                      A,
                      `role-${i}`,
                      `AROA${i}`,
                      f === 'not-started' ? undefined : f === 'caught' ? { Error: 'States.TaskFailed' } : { status: f },
                    ),
                  ],
            ),
            ...(repair === 'failed' ? { failure: { Error: 'States.Timeout' } } : {}),
            ...(repair === 'revocations failed' ? { revocationFailure: { Error: 'IamThrottled' } } : {}),
          };
          const { logger, lines } = recordingLogger();
          const prepared = await inspected('repair', [{ ...readable(A), findings }], { tenant: quietTenant, deletionCap: 100, logger });

          const { report } = await settleSweep(prepared, repair === 'no result' ? undefined : repaired(result));

          // What each finding's own result says, or nothing: then it failed.
          const shown = (finding: SweepReport['findings'][number]) => {
            if (repair === 'failed' || repair === 'no result') return undefined;
            if (finding.action === 'federate') {
              const i = Number(finding.roleName!.slice('role-'.length));
              return creates[i] === 'SUCCEEDED' ? 'done' : undefined;
            }
            const own = result.outcomes.find(
              (outcome) => outcome.action === finding.action && outcome.target === (finding.roleName ?? finding.appId),
            );
            return own?.result;
          };
          for (const finding of report.findings) expect(finding.result).toBe(shown(finding) ?? 'failed');
          const failed = report.findings.filter((finding) => finding.result === 'failed').length;
          expect(metricsOf(lines).failedActions).toBe(failed);
          expect(report.totals.byResult.failed ?? 0).toBe(failed);
          expect(report.findings).toHaveLength(findings.length);
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });
});
