import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AUTOMATION_ERRORS, type TrustPolicyRewriteError } from '../../functions/shared/runtime';
import { ACCESS, FAILURE_REASONS, failureReason } from '../../functions/shared/workflow';
import { differences, labelsOf, tableUnder } from '../support/markdown-tables';

/**
 * The operator's runbook (docs/operator.md#failure-reasons) explains every
 * `entra:federation-status = failed:<reason>` the automation can write, and no other:
 * the table and `FAILURE_REASONS` (functions/shared/workflow/status.ts) are the same list.
 */

const operatorGuide = readFileSync(join(resolve(__dirname, '../..'), 'docs', 'operator.md'), 'utf8');
const reasonTable = (markdown: string) => tableUnder(markdown, 'Failure reasons', ['status', 'cause', 'retry', 'what to do']);
const documented = (markdown: string) =>
  reasonTable(markdown).rows.map((row) => ({ reason: row.cells[0]!.replace(/^`failed:(.*)`$/, '$1'), retry: row.cells[2]! }));
const reasonProblems = (markdown: string) =>
  differences(
    'failure reasons',
    documented(markdown).map((row) => row.reason),
    Object.keys(FAILURE_REASONS),
  );

describe('failure reasons in the runbook', () => {
  it('documents every reason once, with whether a retry helps as the code says', () => {
    // Assess
    expect(reasonProblems(operatorGuide)).toEqual([]);
    for (const row of documented(operatorGuide)) {
      expect(`${row.reason}: ${row.retry}`).toBe(
        `${row.reason}: ${FAILURE_REASONS[row.reason as keyof typeof FAILURE_REASONS].retryable ? 'yes' : 'no'}`,
      );
    }
  });

  it('a reason missing from the table, or pushed out of it by a blank line, fails (negative control)', () => {
    // Prepare
    const withoutTimeout = operatorGuide.replace(/^\| `failed:timeout` \|.*\n/m, '');
    const split = operatorGuide.replace(/^(\| `failed:timeout` \|)/m, '\n$1');
    // Assess
    expect(reasonProblems(withoutTimeout)).toEqual(['failure reasons: timeout is missing']);
    expect(reasonProblems(split)).toEqual(expect.arrayContaining(['failure reasons: timeout is missing']));
  });

  it('the entra:access table lists every value the automation writes, once', () => {
    const values = labelsOf(tableUnder(operatorGuide, 'Failure reasons', ['value', 'meaning', 'what to do']));
    expect(
      differences(
        'entra:access values',
        values,
        Object.values(ACCESS).map((value) => `\`${value}\``),
      ),
    ).toEqual([]);
  });

  it.each([
    ...Object.keys(AUTOMATION_ERRORS).filter((name) => name !== 'TrustPolicyRewriteError' && name !== 'RoleNotFoundError'),
    'States.Timeout',
  ])('a %s becomes a reason of its own, not unknown', (errorName) => {
    expect(failureReason({ Error: errorName })).not.toBe('unknown');
  });

  it('reads every trust-policy refusal from the start of its message', () => {
    // A new trust-policy reason fails type checking here until it is listed.
    const reasons: Record<TrustPolicyRewriteError['reason'], true> = {
      'foreign-provider': true,
      wildcard: true,
      'policy-too-large': true,
      'malformed-policy': true,
    };
    for (const reason of Object.keys(reasons)) {
      expect(failureReason({ Error: 'TrustPolicyRewriteError', Cause: `${reason}: detail` })).toBe(reason);
    }
  });

  it('retryable reasons are exactly those of the transient errors (and timeouts)', async () => {
    const { TRANSIENT_ERROR_NAMES } = await import('../../functions/shared/runtime');
    const transientReasons = new Set([...TRANSIENT_ERROR_NAMES.map((name) => failureReason({ Error: name })), 'timeout']);
    const retryable = Object.entries(FAILURE_REASONS)
      .filter(([, info]) => info.retryable)
      .map(([reason]) => reason);
    expect(new Set(retryable)).toEqual(transientReasons);
  });
});
