import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { failureReason } from '../../functions/assign-role-to-audience/core';
import { AUTOMATION_ERRORS, type TrustPolicyRewriteError } from '../../functions/shared/errors';

/**
 * The operator's runbook (docs/operator.md#failure-reasons) explains every
 * `entra:federation-status = failed:<reason>` a Create can leave on a role: every error a
 * function throws on purpose, each trust-policy refusal, and a Step Functions timeout.
 */

const operatorGuide = readFileSync(join(resolve(__dirname, '../..'), 'docs', 'operator.md'), 'utf8');

describe('failure reasons in the runbook', () => {
  // A new trust-policy reason fails type checking here until it is listed (and documented).
  const TRUST_POLICY_REASONS: Record<TrustPolicyRewriteError['reason'], true> = {
    'foreign-provider': true,
    wildcard: true,
    'policy-too-large': true,
    'malformed-policy': true,
  };

  it.each([...Object.keys(AUTOMATION_ERRORS).filter((name) => name !== 'TrustPolicyRewriteError'), 'States.Timeout'])(
    'docs/operator.md explains the status a %s leaves on the role',
    (errorName) => {
      // Act
      const status = `failed:${failureReason({ Error: errorName })}`;
      // Assess
      expect(operatorGuide).toContain(`\`${status}\``);
    },
  );

  it.each(Object.keys(TRUST_POLICY_REASONS))('docs/operator.md explains failed:%s', (reason) => {
    // Act
    const status = failureReason({ Error: 'TrustPolicyRewriteError', Cause: `${reason}: detail` });
    // Assess
    expect(status).toBe(reason);
    expect(operatorGuide).toContain(`\`failed:${reason}\``);
  });
});
