import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AUTOMATION_ERRORS, type TrustPolicyRewriteError } from '../../functions/shared/runtime';
import { FAILURE_REASONS, failureReason } from '../../functions/shared/workflow';

/**
 * The operator's runbook (docs/operator.md#failure-reasons) explains every
 * `entra:federation-status = failed:<reason>` the automation can write, and no other:
 * the table and `FAILURE_REASONS` (functions/shared/workflow/status.ts) are the same list.
 */

const operatorGuide = readFileSync(join(resolve(__dirname, '../..'), 'docs', 'operator.md'), 'utf8');
const documented = [...operatorGuide.matchAll(/^\| `failed:([a-z-]+)` \| .* \| (yes|no) \| /gm)].map((m) => ({
  reason: m[1]!,
  retry: m[2]!,
}));

describe('failure reasons in the runbook', () => {
  it('documents every reason once, with whether a retry helps as the code says', () => {
    // Assess
    expect(documented.map((row) => row.reason).sort()).toEqual(Object.keys(FAILURE_REASONS).sort());
    for (const row of documented) {
      expect(`${row.reason}: ${row.retry}`).toBe(
        `${row.reason}: ${FAILURE_REASONS[row.reason as keyof typeof FAILURE_REASONS].retryable ? 'yes' : 'no'}`,
      );
    }
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
