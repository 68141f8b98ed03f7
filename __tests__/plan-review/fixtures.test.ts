import { renderJson } from '../../plan-review/json';
import { renderReview } from '../../plan-review/markdown';
import { parsePlan } from '../../plan-review/plan';
import { buildReview } from '../../plan-review/review';
import type { ReplacementLookup } from '../../plan-review/template';
import { FIXTURES } from './fixtures/plans';
import { CONTEXT, replacementLookup } from './support';

/**
 * The plans of issue 18, built from the synthesized configuration (fixtures/plans.ts), each
 * reviewed to the right verdict and findings: every one of them passed the review before as
 * "no widened access" or "no destructive change".
 */

let replacing: ReplacementLookup;
beforeAll(() => {
  replacing = replacementLookup();
});

const review = (name: keyof typeof FIXTURES) => buildReview(parsePlan(FIXTURES[name](), `${name}.plan.json`), replacing, CONTEXT);
const found = (name: keyof typeof FIXTURES) =>
  review(name).findings.map(
    (f) => `${f.severity} ${f.kind} ${f.address.replace(/_[0-9A-F]{8}$/, '')}${f.templateResource ? ` ${f.templateResource}` : ''}`,
  );

describe('plans built from the synthesized configuration', () => {
  it('a benign change (log retention, a Lambda memory size) has no findings, and says "no widened access"', () => {
    // Act
    const result = review('benign');
    // Assess
    expect(result.verdict).toBe('no-findings');
    expect(result.findings).toEqual([]);
    expect(result.notAnalysed).toEqual([]);
    expect(renderReview(result)).toContain('- no widened access');
  });

  it('item 1: always-false Conditions and DeletionPolicy Delete in the member template are destructive warnings', () => {
    // Act
    const result = review('template-conditions');
    // Assess
    expect(result.verdict).toBe('review');
    expect(found('template-conditions')).toEqual([
      'warning template-section aws_cloudformation_stack_set.member-baseline_stack-set',
      'warning template-resource-condition aws_cloudformation_stack_set.member-baseline_stack-set AutomationAudienceRole',
      'warning template-resource-condition aws_cloudformation_stack_set.member-baseline_stack-set AutomationPinRole',
      'warning template-resource-condition aws_cloudformation_stack_set.member-baseline_stack-set AutomationReaderRole',
      'warning template-deletion-policy aws_cloudformation_stack_set.member-baseline_stack-set EntraOidcProvider',
      'warning template-resource-condition aws_cloudformation_stack_set.member-baseline_stack-set IamEventsForwarderRole',
      'warning template-resource-condition aws_cloudformation_stack_set.member-baseline_stack-set IamEventsForwardingRule',
    ]);
    const markdown = renderReview(result);
    expect(markdown).toContain('- 🛑 **6 destructive changes to the federation**');
    expect(markdown).not.toContain('no resource in it does');
  });

  it('item 2: `*` inside Fn::If and a role trusted by an outside account that may rewrite OrganizationAccountAccessRole are found', () => {
    expect(found('intrinsic-widening')).toEqual([
      'warning template-section aws_cloudformation_stack_set.member-baseline_stack-set',
      'warning policy-widened aws_cloudformation_stack_set.member-baseline_stack-set AutomationPinRole',
      'warning principal-public aws_cloudformation_stack_set.member-baseline_stack-set AutomationPinRole',
      'warning iam-write-granted aws_cloudformation_stack_set.member-baseline_stack-set SupportRole',
      'warning policy-widened aws_cloudformation_stack_set.member-baseline_stack-set SupportRole',
      'warning principal-cross-account aws_cloudformation_stack_set.member-baseline_stack-set SupportRole',
    ]);
    const messages = review('intrinsic-widening').findings.map((f) => f.message);
    expect(messages).toContainEqual(expect.stringContaining('which reaches the protected role `OrganizationAccountAccessRole`'));
    expect(messages).toContainEqual(expect.stringContaining('cross-account (`999999999999`): confirm it belongs to the organization'));
  });

  it('item 3: a permission is named by the ID granted, and the expression naming another is called out', () => {
    // Act
    const result = review('graph-by-id');
    // Assess
    expect(result.verdict).toBe('blocking');
    expect(result.findings.map((f) => [f.kind, f.message])).toEqual([
      [
        'graph-permission-outside-guarantee',
        'grants `Directory.ReadWrite.All` (`19dbc75e-c2e2-444c-a770-ec69d8559fc7`): the README guarantees the automation holds only `Application.ReadWrite.OwnedBy` and `Directory.Read.All`',
      ],
      [
        'graph-permission-name-mismatch',
        'the expression refers to `app_role_ids["Directory.Read.All"]`, but the ID granted is `19dbc75e-c2e2-444c-a770-ec69d8559fc7` (`Directory.ReadWrite.All`)',
      ],
    ]);
  });

  it('item 4: credentials, owners, directory roles, attachments, lambda permissions, resource policies and StackSet settings are judged; an unknown type is not analysed', () => {
    // Act
    const result = review('coverage');
    // Assess
    expect(result.verdict).toBe('blocking');
    expect(result.notAnalysed).toEqual(['aws_iam_user.break-glass']);
    expect(found('coverage')).toEqual([
      'blocking lambda-permission aws_lambda_permission.anyone',
      'blocking application-owner azuread_application.entra-identity_application',
      'blocking automation-credential azuread_application_password.backdoor',
      'blocking directory-role azuread_directory_role_assignment.global-admin',
      'blocking automation-credential azuread_service_principal_certificate.backdoor',
      'warning stack-set-setting aws_cloudformation_stack_set.member-baseline_stack-set',
      'warning stack-set-setting aws_cloudformation_stack_set.member-baseline_stack-set',
      'warning stack-set-setting aws_cloudformation_stack_set.member-baseline_stack-set',
      'warning managed-policy-attached aws_iam_role.pipeline_router_role',
      'warning managed-policy-attached aws_iam_role_policy_attachment.router-admin',
      'warning policy-widened aws_s3_bucket_policy.sweep-storage_policy',
      'warning policy-widened aws_s3_bucket_policy.sweep-storage_policy',
      'warning principal-cross-account aws_s3_bucket_policy.sweep-storage_policy',
      'warning policy-widened aws_sqs_queue_policy.pipeline_queue-policy',
      'warning principal-public aws_sqs_queue_policy.pipeline_queue-policy',
    ]);
    const markdown = renderReview(result);
    expect(markdown).toContain('### Not analysed');
    expect(markdown).toContain('| `name` | `(none)` | `break-glass` |');
    expect(markdown).not.toContain('no widened access');
  });

  it("item 5: Application.ReadWrite.All, a credential that is not the functions' own federation and another principal on the bus are blocking", () => {
    // Act
    const result = review('broken-guarantees');
    // Assess
    expect(result.verdict).toBe('blocking');
    expect(
      result.findings.filter((f) => f.severity === 'blocking').map((f) => `${f.kind} ${f.address.replace(/_[0-9A-F]{8}$/, '')}`),
    ).toEqual([
      'bus-put-events aws_cloudwatch_event_bus_policy.pipeline_bus-policy',
      'bus-put-events aws_cloudwatch_event_bus_policy.pipeline_bus-policy',
      'graph-permission-outside-guarantee azuread_app_role_assignment.entra-identity_graph-application-readwrite-all',
      'automation-credential azuread_application_federated_identity_credential.github',
    ]);
  });

  it("the functions' own federated credentials and the two guaranteed permissions are information, not findings to act on", () => {
    // Prepare: the whole stack created from nothing (each resource of the synthesized configuration).
    const plan = FIXTURES.benign();
    for (const rc of plan.resource_changes) {
      rc.change.actions = ['create'];
      rc.change.before = null;
    }
    // Act
    const result = buildReview(parsePlan(plan, 'create.plan.json'), replacing, CONTEXT);
    // Assess
    expect(result.findings.filter((f) => f.kind === 'outbound-federation-credential')).toHaveLength(7);
    expect(result.findings.filter((f) => f.kind === 'graph-permission').map((f) => f.severity)).toEqual(['info', 'info', 'info', 'info']); // granted and requested, twice
    expect(result.findings.filter((f) => f.severity === 'blocking')).toEqual([]);
  });

  it('renders the JSON contract: verdict, findings, notAnalysed, and comparison only when asked', () => {
    // Act
    const document = JSON.parse(renderJson(review('coverage')));
    const compared = JSON.parse(renderJson(review('benign'), []));
    // Assess
    expect(Object.keys(document)).toEqual(['verdict', 'findings', 'notAnalysed']);
    expect(document.findings[0]).toEqual({
      address: 'aws_lambda_permission.anyone',
      kind: 'lambda-permission',
      severity: 'blocking',
      message: '`*` may call `lambda:InvokeFunction` on `web-identity-router` directly, past EventBridge and its source account',
    });
    expect(JSON.parse(renderJson(review('template-conditions'))).findings[1]).toMatchObject({ templateResource: 'AutomationAudienceRole' });
    expect(compared).toEqual({ verdict: 'no-findings', findings: [], notAnalysed: [], comparison: { same: true, differences: [] } });
  });
});
