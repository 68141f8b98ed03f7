import { loadReplacementLookup } from '../../plan-review/cloudformation-spec';
import { parsePlan } from '../../plan-review/plan';
import { buildReview } from '../../plan-review/review';
import type { ReplacementLookup } from '../../plan-review/template';
import { buildPlan } from './fixtures/plans';
import { CONTEXT } from './support';

/**
 * More of a malicious pull request (a second adversarial review of issue 18): each plan here
 * was reviewed as `no-findings` before the fix named in its test.
 */

let replacing: ReplacementLookup;
beforeAll(async () => {
  replacing = await loadReplacementLookup();
});

type PlanJson = ReturnType<typeof buildPlan>;
const review = (plan: PlanJson) => buildReview(parsePlan(plan, 'attack.plan.json'), replacing, CONTEXT);

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
});
