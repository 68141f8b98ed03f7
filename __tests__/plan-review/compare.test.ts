import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { comparePlans } from '../../plan-review/compare';
import { parsePlan } from '../../plan-review/plan';

/** Whether a fresh plan makes the same changes as the reviewed one (the deploy workflow refuses it when not). */

type Json = {
  resource_changes: { address: string; change: { actions: string[]; before: Record<string, unknown>; after: Record<string, unknown> } }[];
};
const reviewedJson = (): Json => JSON.parse(readFileSync(join(__dirname, 'fixtures', 'widening.plan.json'), 'utf8'));
const plan = (json: Json) => parsePlan(json, 'plan.json');
const find = (json: Json, address: string) => json.resource_changes.find((rc) => rc.address === address)!;

describe('comparePlans', () => {
  it('finds no difference between a plan and itself, nor in what the plan leaves alone or starts from', () => {
    // Prepare: refreshed values of a no-op resource and the `before` of a change differ (drift), the changes do not.
    const fresh = reviewedJson();
    find(fresh, 'aws_sqs_queue_policy.pipeline_queue-policy_1C621ABE').change.before.policy = '{"drifted":true}';
    find(fresh, 'aws_sqs_queue_policy.pipeline_queue-policy_1C621ABE').change.after.policy = '{"drifted":true}';
    find(fresh, 'aws_lambda_function.pipeline_router_function_3A1383FA').change.before.last_modified = '2026-11-01T00:00:00.000+0000';
    // Act / Assess
    expect(comparePlans(plan(reviewedJson()), plan(reviewedJson()))).toEqual([]);
    expect(comparePlans(plan(reviewedJson()), plan(fresh))).toEqual([]);
  });

  it('finds a planned value that is not the reviewed one (a policy changed after review)', () => {
    // Prepare
    const fresh = reviewedJson();
    find(fresh, 'aws_iam_role_policy.workflows_permissions-policy_1ABB482B').change.after.policy =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
    // Act / Assess
    expect(comparePlans(plan(reviewedJson()), plan(fresh))).toEqual([
      { address: 'aws_iam_role_policy.workflows_permissions-policy_1ABB482B', problem: 'planned values differ (after)' },
    ]);
  });

  it('finds changed actions and changes that appear or disappear', () => {
    // Prepare
    const fresh = reviewedJson();
    find(fresh, 'aws_cloudformation_stack_set.member-baseline_stack-set_923E0700').change.actions = ['delete', 'create'];
    find(fresh, 'aws_sqs_queue_policy.pipeline_queue-policy_1C621ABE').change.actions = ['delete'];
    fresh.resource_changes = fresh.resource_changes.filter((rc) => rc.address !== 'aws_lambda_function.pipeline_router_function_3A1383FA');
    // Act
    const differences = comparePlans(plan(reviewedJson()), plan(fresh));
    // Assess
    expect(differences).toEqual([
      {
        address: 'aws_cloudformation_stack_set.member-baseline_stack-set_923E0700',
        problem: 'actions ["update"] were reviewed; now ["delete","create"]',
      },
      { address: 'aws_lambda_function.pipeline_router_function_3A1383FA', problem: 'the reviewed plan had ["update"]; now no change' },
      { address: 'aws_sqs_queue_policy.pipeline_queue-policy_1C621ABE', problem: 'not in the reviewed plan; now ["delete"]' },
    ]);
  });
});
