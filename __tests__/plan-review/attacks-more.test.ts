import { parsePlan } from '../../plan-review/plan';
import { buildReview } from '../../plan-review/review';
import type { ReplacementLookup } from '../../plan-review/template';
import { add, buildPlan, find } from './fixtures/plans';
import { CONTEXT, replacementLookup } from './support';

/**
 * More of a malicious pull request (a second adversarial review of issue 18): each plan here
 * was reviewed as `no-findings` before the fix named in its test.
 */

let replacing: ReplacementLookup;
beforeAll(() => {
  replacing = replacementLookup();
});

type PlanJson = ReturnType<typeof buildPlan>;
const review = (plan: PlanJson) => buildReview(parsePlan(plan, 'attack.plan.json'), replacing, CONTEXT);
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

describe('a malicious pull request', () => {
  it.each([
    ['aws_cloudwatch_event_rule', 'the rule that starts the federation'],
    ['aws_lambda_function', 'a function'],
    ['aws_dynamodb_table', 'the state table'],
    ['aws_cloudwatch_event_bus_policy', 'the bus policy'],
    ['aws_lambda_event_source_mapping', 'the queue feeding the router'],
  ])('cannot delete %s (%s) with the review saying nothing', (type) => {
    // Prepare: the first resource of the type goes, nothing else changes.
    const plan = buildPlan((after) => {
      after.delete([...after.entries()].find(([, r]) => r.type === type)![0]);
    });
    // Act
    const r = review(plan);
    // Assess
    expect(r.verdict).not.toBe('no-findings');
    expect(r.findings.map((f) => `${f.severity} ${f.kind}`)).toContain('warning destructive-change');
  });

  it('cannot replace the state table (delete, then create: its items are lost) as a neutral change', () => {
    // Prepare
    const plan = buildPlan((after) => {
      const t = [...after.values()].find((r) => r.type === 'aws_dynamodb_table')!;
      t.values.hash_key = 'other';
    });
    const rc = plan.resource_changes.find((r) => r.type === 'aws_dynamodb_table')!;
    rc.change.actions = ['delete', 'create'];
    (rc.change as any).replace_paths = [['hash_key']];
    // Act / Assess
    expect(review(plan).findings.map((f) => `${f.severity} ${f.kind}`)).toContain('warning destructive-change');
  });

  it('cannot hide an inline policy of a role (inline_policy) behind a document known only after apply', () => {
    // Prepare: the new inline policy's document is computed during apply.
    const plan = buildPlan((after) => {
      const role = find(after, 'aws_iam_role', (v) => String(v.name).includes('router'));
      role.values.inline_policy = [{ name: 'later', policy: null }];
    });
    const rc = plan.resource_changes.find((r) => r.type === 'aws_iam_role' && (r.change.after as any)?.inline_policy)!;
    rc.change.after_unknown = { inline_policy: [{ policy: true }] };
    // Act / Assess
    expect(review(plan).findings.map((f) => `${f.severity} ${f.kind}`)).toContain('warning policy-known-after-apply');
  });

  it('cannot attach managed policies known only after apply to a new role (managed_policy_arns)', () => {
    // Prepare
    const plan = buildPlan(
      (after) =>
        add(after, 'aws_iam_role', 'helper', {
          name: 'helper',
          assume_role_policy: doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }),
        }),
      {
        configuration: [
          {
            address: 'aws_iam_role.helper',
            expressions: { name: { constant_value: 'helper' }, managed_policy_arns: { references: ['data.aws_iam_policy.admin.arn'] } },
          },
        ],
      },
    );
    const rc = plan.resource_changes.find((r) => r.address === 'aws_iam_role.helper')!;
    rc.change.after_unknown = { managed_policy_arns: true };
    // A creation that does not set it is unknown too (optional and computed), and attaches nothing.
    const unset = buildPlan((after) => add(after, 'aws_iam_role', 'helper', { name: 'helper' }), {
      configuration: [{ address: 'aws_iam_role.helper', expressions: { name: { constant_value: 'helper' } } }],
    });
    unset.resource_changes.find((r) => r.address === 'aws_iam_role.helper')!.change.after_unknown = { managed_policy_arns: true };
    // Act / Assess
    expect(review(plan).findings.map((f) => `${f.severity} ${f.kind}`)).toContain('warning managed-policy-attached');
    expect(review(unset).findings).toEqual([]);
  });

  it.each([
    ['aws_lambda_event_source_mapping', 'enabled', false],
    ['aws_lambda_event_source_mapping', 'filter_criteria', [{ filter: [{ pattern: '{"never":["x"]}' }] }]],
    ['aws_lambda_function', 'reserved_concurrent_executions', 0],
    ['aws_scheduler_schedule', 'state', 'DISABLED'],
  ])('cannot stop the federation by setting %s.%s to %j as a neutral change', (type, attribute, value) => {
    // Prepare: the router's queue no longer feeds it, the functions never run, the sweep never starts.
    const plan = buildPlan((after) => {
      [...after.values()].find((r) => r.type === type)!.values[attribute] = value;
    });
    // Act / Assess
    expect(review(plan).verdict).not.toBe('no-findings');
  });

  it("cannot disable the automation's service principal (account_enabled) as a neutral change", () => {
    // Prepare
    const plan = buildPlan((after) => {
      [...after.entries()].find(([a]) =>
        /^azuread_service_principal\.entra-identity(-\d+)?_service-principal_/.test(a),
      )![1].values.account_enabled = false;
    });
    // Act / Assess
    expect(review(plan).findings.map((f) => `${f.severity} ${f.kind}`)).toContain('warning application-setting');
  });
});
