import {
  A,
  B,
  inspected,
  quietTenant,
  readable,
  readableA,
  repaired,
  settleSweep,
  table,
  writeMapRun,
  type ChildRecord,
} from './sweep-state';

/**
 * What the report step makes of the map runs' result files. Whatever it cannot read as the item
 * processor's result counts against the account (closed): unread, so nothing of it is deleted, or
 * a failed repair, so the alarm fires. Never as read, never as done.
 */

const unreadChild = (child: ChildRecord) => inspected('repair', [], { tenant: quietTenant, failed: [child] });

describe('sweep-report: reading the inspection map', () => {
  it('takes the status of the file the manifest lists a child under when the child does not carry one', async () => {
    const prepared = await inspected('report', [], { tenant: quietTenant });
    // The result files as given: A's child in SUCCEEDED without its own Status, B's in FAILED without Status or Error.
    const inspection = await writeMapRun(prepared.store, 'sweeps/run-1/other', {
      SUCCEEDED: [{ Input: JSON.stringify({ account: { accountId: A } }), Output: JSON.stringify(readable(A, 7, 2)) }],
      FAILED: [{ Input: JSON.stringify({ account: { accountId: B } }) }],
    });

    const { report } = await settleSweep({ ...prepared, state: { ...prepared.state, inspection } });

    expect(report.accounts).toEqual([
      { accountId: A, readable: true, clientIds: 7, federatedRoles: 2 },
      { accountId: B, readable: false },
    ]);
    // No Error of its own: the Step Functions status, with nothing after it.
    expect(table(report)).toEqual([['unreadable-account', 'reported', 'States.FAILED']]);
  });

  it('reads an output the result file holds as an object, not a JSON string, as it is', async () => {
    const prepared = await inspected('report', [], { tenant: quietTenant });
    const inspection = await writeMapRun(prepared.store, 'sweeps/run-1/other', {
      SUCCEEDED: [{ Status: 'SUCCEEDED', Input: { account: { accountId: A } }, Output: readable(A, 40, 5) }],
    });

    const { report } = await settleSweep({ ...prepared, state: { ...prepared.state, inspection } });

    expect(report.accounts).toEqual([{ accountId: A, readable: true, clientIds: 40, federatedRoles: 5 }]);
    expect(report.totals.unreadableAccounts).toBe(0);
  });

  it('counts a child that succeeded with an output that is not an inspection as unread, under the account its input names', async () => {
    const { report } = await settleSweep(
      await unreadChild({ Status: 'SUCCEEDED', Input: JSON.stringify({ account: { accountId: A } }), Output: '{"accountId":"not read"' }),
    );

    expect(report.accounts).toEqual([{ accountId: A, readable: false }]);
    expect(table(report)).toEqual([['unreadable-account', 'reported', 'States.SUCCEEDED']]);
  });

  it('deletes nothing for a child that failed, even when it carries what looks like a complete inspection', async () => {
    // Closed: a failed child's output is not the item processor's word on the account.
    const prepared = await unreadChild({
      Status: 'FAILED',
      Input: JSON.stringify({ account: { accountId: A } }),
      Output: JSON.stringify(readableA),
      Error: 'States.Timeout',
    });

    const { decision, report } = await settleSweep(prepared);

    expect(decision).toMatchObject({ repair: false, deletions: 0 });
    expect(prepared.store.objects.has(decision.repairsKey)).toBe(false);
    expect(table(report)).toEqual([['unreadable-account', 'reported', 'States.Timeout']]);
  });

  it.each([
    ['an input that is not JSON', 'not json'],
    ['an input without the account', JSON.stringify({ items: [] })],
    ['an account without its ID', JSON.stringify({ account: {} })],
    ['an account ID that is not a string', JSON.stringify({ account: { accountId: 222222222222 } })],
  ])('reports a child with %s under the placeholder account 000000000000', async (_case, input) => {
    const { report } = await settleSweep(await unreadChild({ Status: 'FAILED', Input: input, Error: 'States.TaskFailed' }));

    expect(report.accounts).toEqual([{ accountId: '000000000000', readable: false }]);
    expect(report.findings).toEqual([
      { kind: 'unreadable-account', account: '000000000000', action: 'none', result: 'reported', detail: 'States.TaskFailed' },
    ]);
  });

  it('lists the accounts in account order, whatever order the result files hold them in', async () => {
    const prepared = await inspected('report', [readable('999999999999'), readable(B), readable(A)], {
      tenant: quietTenant,
      failed: [{ Status: 'FAILED', Input: JSON.stringify({ account: { accountId: '555555555555' } }), Error: 'States.Timeout' }],
    });

    const { report } = await settleSweep(prepared);

    expect(report.accounts.map((account) => account.accountId)).toEqual([A, B, '555555555555', '999999999999']);
  });
});

describe("sweep-report: a failure's detail", () => {
  const detailOf = async (failure: { Error: string; Cause?: string }) => {
    const { report } = await settleSweep(
      await unreadChild({ Status: 'FAILED', Input: JSON.stringify({ account: { accountId: A } }), ...failure }),
    );
    return report.findings[0]!.detail;
  };

  it("is the error, and a Lambda function error's message rather than its whole JSON", async () => {
    expect(await detailOf({ Error: 'MemberAccountAccessError' })).toBe('MemberAccountAccessError');
    expect(
      await detailOf({
        Error: 'MemberAccountAccessError',
        Cause: JSON.stringify({ errorType: 'MemberAccountAccessError', errorMessage: 'cannot assume the member role', trace: [] }),
      }),
    ).toBe('MemberAccountAccessError: cannot assume the member role');
  });

  it('keeps a cause that is not a Lambda error as it is, JSON or not', async () => {
    expect(await detailOf({ Error: 'States.Runtime', Cause: '{"reason":"no errorMessage"}' })).toBe(
      'States.Runtime: {"reason":"no errorMessage"}',
    );
    expect(await detailOf({ Error: 'States.Runtime', Cause: 'null' })).toBe('States.Runtime: null');
    expect(await detailOf({ Error: 'States.Runtime', Cause: 'a bare message' })).toBe('States.Runtime: a bare message');
  });

  it('is cut to 500 characters, so that one long cause cannot swell the report', async () => {
    const detail = await detailOf({ Error: 'States.Runtime', Cause: 'x'.repeat(2000) });

    expect(detail).toBe(`States.Runtime: ${'x'.repeat(500 - 'States.Runtime: '.length)}`);
  });
});

describe('sweep-report: reading the repair map', () => {
  it('counts every finding of an account whose repair child failed outright as failed, with its error', async () => {
    const prepared = await inspected('repair', [readableA], { tenant: quietTenant });

    const { report } = await settleSweep(prepared, {
      FAILED: [{ Status: 'FAILED', Input: JSON.stringify({ repair: { accountId: A } }), Error: 'States.Timeout' }],
    });

    expect(table(report)).toEqual([
      ['orphan-application', 'failed', 'the repair failed: States.Timeout'],
      ['dead-client-id', 'failed', 'the repair failed: States.Timeout'],
      ['unfederated', 'failed', 'the repair failed: States.Timeout'],
      ['expired-revocation', 'failed', 'the repair failed: States.Timeout'],
    ]);
  });

  it.each([
    ['names the tenant', JSON.stringify({ repair: { accountId: null } })],
    ['is not JSON', 'not json'],
    ['has no repair', JSON.stringify({ items: [] })],
    ['names no account ID as a string', JSON.stringify({ repair: { accountId: 222222222222 } })],
  ])("takes a failed repair child whose input %s for the tenant's, and its purges as failed", async (_case, input) => {
    const prepared = await inspected('repair', [], {});

    const { report } = await settleSweep(prepared, {
      FAILED: [{ Status: 'FAILED', Input: input, Error: 'GraphRequestError', Cause: '{"errorMessage":"Graph answered 403"}' }],
    });

    expect(table(report)).toEqual([['soft-deleted', 'failed', 'the repair failed: GraphRequestError: Graph answered 403']]);
  });

  it('never counts a repair whose result cannot be read as done: its findings fail', async () => {
    const prepared = await inspected('repair', [readableA], { tenant: quietTenant });

    const { report } = await settleSweep(prepared, {
      SUCCEEDED: [
        {
          Status: 'SUCCEEDED',
          Input: JSON.stringify({ repair: { accountId: A } }),
          // Everything done, but not a repair result (no federations): the report cannot trust it.
          Output: JSON.stringify({
            accountId: A,
            outcomes: [{ action: 'delete-application', target: readableA.findings[0]!.appId, result: 'done' }],
          }),
        },
      ],
    });

    expect(report.findings.map((finding) => [finding.kind, finding.result])).toEqual([
      ['orphan-application', 'failed'],
      ['dead-client-id', 'failed'],
      ['unfederated', 'failed'],
      ['expired-revocation', 'failed'],
    ]);
    expect(report.findings[0]!.detail).toBe('the repair failed: States.SUCCEEDED');
  });

  it('does not take a failed repair child for done, even when it carries a result that says so', async () => {
    const prepared = await inspected('repair', [readableA], { tenant: quietTenant });
    const allDone = repaired({
      accountId: A,
      outcomes: readableA.findings.map((finding) => ({
        action: finding.action,
        target: finding.roleName ?? finding.appId ?? '',
        result: 'done' as const,
      })),
      federations: [],
    }).SUCCEEDED!.map((child) => ({ ...child, Status: 'FAILED', Error: 'States.HeartbeatTimeout' }));

    const { report } = await settleSweep(prepared, { FAILED: allDone });

    expect(new Set(report.findings.map((finding) => finding.result))).toEqual(new Set(['failed']));
    expect(report.findings[0]!.detail).toBe('the repair failed: States.HeartbeatTimeout');
  });
});
