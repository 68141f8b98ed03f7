import { reviewContext } from '../../plan-review/context';
import { graphPermissionId } from '../../plan-review/graph-permissions';
import { renderReview } from '../../plan-review/markdown';
import { parsePlan } from '../../plan-review/plan';
import { buildReview } from '../../plan-review/review';
import type { ReplacementLookup } from '../../plan-review/template';
import { parseConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { add, buildPlan, editTemplate, find } from './fixtures/plans';
import { CONTEXT, replacementLookup } from './support';

/**
 * A contributor opening a malicious pull request, trying to get a widening or a destruction past
 * the review. Each plan here passed without a finding (or as information) before the fix named
 * in its test.
 */

let replacing: ReplacementLookup;
beforeAll(() => {
  replacing = replacementLookup();
});

type PlanJson = ReturnType<typeof buildPlan>;
const review = (plan: PlanJson, ctx = CONTEXT) => buildReview(parsePlan(plan, 'attack.plan.json'), replacing, ctx);
const kinds = (plan: PlanJson, ctx = CONTEXT) => review(plan, ctx).findings.map((f) => `${f.severity} ${f.kind}`);
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const routerPolicy = (state: Map<string, { type: string; name: string; values: Record<string, unknown> }>) =>
  [...state.values()].find((r) => r.type === 'aws_iam_role_policy' && r.name.startsWith('pipeline_router_permissions-policy'))!;

describe('a malicious pull request', () => {
  it('cannot name a Graph permission known only after apply by the reference its expression reads (replace(…["Directory.Read.All"], …))', () => {
    // Prepare
    const plan = buildPlan((after) => {
      find(after, 'azuread_app_role_assignment', (v) => v.app_role_id === graphPermissionId('Directory.Read.All')).values.app_role_id =
        'changed';
    });
    const rc = plan.resource_changes.find(
      (r) => r.type === 'azuread_app_role_assignment' && (r.change.after as any)?.app_role_id === 'changed',
    )!;
    delete (rc.change.after as any).app_role_id;
    rc.change.after_unknown = { app_role_id: true };
    // Act / Assess
    expect(kinds(plan)).toEqual(['warning graph-permission-not-judged']);
  });

  it("cannot re-point the functions' federated credentials at its own issuer by changing the configuration with them", () => {
    // Prepare: the configuration's issuer is the attacker's too, so the credentials "match" it.
    const issuer = 'https://attacker.example.com';
    const ctx = reviewContext(parseConfig({ ...EXAMPLE_CONFIG, automationCredential: { mode: 'federated', issuerUrl: issuer } }));
    const plan = buildPlan((after) => {
      for (const r of after.values()) if (r.type === 'azuread_application_federated_identity_credential') r.values.issuer = issuer;
    });
    // Act / Assess
    expect(new Set(kinds(plan, ctx))).toEqual(new Set(['blocking automation-credential']));
  });

  it('cannot admit another organization to the bus by changing the configured organization with it', () => {
    // Prepare
    const ctx = reviewContext(parseConfig({ ...EXAMPLE_CONFIG, aws: { ...EXAMPLE_CONFIG.aws, organizationId: 'o-attacker123' } }));
    const plan = buildPlan((after) => {
      const bus = find(after, 'aws_cloudwatch_event_bus_policy');
      bus.values.policy = String(bus.values.policy).replace('o-exampleorg1', 'o-attacker123');
    });
    // Act / Assess
    expect(kinds(plan, ctx)).toContain('blocking bus-put-events');
  });

  it('cannot hide a statement behind a duplicate key, or an element IAM would read and the review would not', () => {
    // Prepare
    const duplicate = buildPlan((after) => {
      routerPolicy(after).values.policy =
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"*"}],"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
    });
    const lowercase = buildPlan((after) => {
      routerPolicy(after).values.policy = doc({
        Effect: 'Allow',
        action: '*',
        Resource: '*',
      });
    });
    // Act / Assess
    expect(kinds(duplicate)).toEqual(['warning policy-unreadable']);
    expect(kinds(lowercase)).toEqual(['warning policy-unreadable']);
  });

  it('cannot lift a Deny by deleting the policy that holds it, nor silence a security alarm by deleting it', () => {
    // Prepare: a Deny-only inline policy exists; the pull request removes it and an alarm.
    const deny = doc({ Effect: 'Deny', Action: 'iam:*', Resource: 'arn:aws:iam::*:role/OrganizationAccountAccessRole' });
    const withDeny = (after: Parameters<Parameters<typeof buildPlan>[0]>[0]) =>
      add(after, 'aws_iam_role_policy', 'guard', { name: 'guard', role: 'web-identity-router', policy: deny });
    const plan = buildPlan((after) => {
      after.delete([...after.keys()].find((a) => a.startsWith('aws_cloudwatch_metric_alarm.security-alarms_role-open'))!);
    });
    const before = buildPlan(withDeny);
    // The state before has the guard; the state after has neither the guard nor the alarm.
    plan.resource_changes.push({
      ...before.resource_changes.find((r) => r.address === 'aws_iam_role_policy.guard')!,
      change: {
        ...before.resource_changes.find((r) => r.address === 'aws_iam_role_policy.guard')!.change,
        actions: ['delete'],
        before: before.resource_changes.find((r) => r.address === 'aws_iam_role_policy.guard')!.change.after,
        after: null,
      },
    });
    // Act / Assess
    expect(kinds(plan).sort()).toEqual(['warning alarm-weakened', 'warning policy-widened']);
  });

  it('cannot run commands during apply through a provisioner', () => {
    // Prepare
    const plan = buildPlan((after) => add(after, 'terraform_data', 'innocent', { input: 'x' }), {
      configuration: [
        {
          address: 'terraform_data.innocent',
          expressions: {},
          provisioners: [{ type: 'local-exec', expressions: { command: { constant_value: 'curl …' } } }],
        },
      ],
    });
    // Act / Assess
    expect(kinds(plan)).toEqual(['blocking provisioner']);
  });

  it('cannot give an existing role new access with a new, wildcard-free inline policy that says nothing', () => {
    // Prepare
    const plan = buildPlan((after) =>
      add(after, 'aws_iam_role_policy', 'extra', {
        name: 'extra',
        role: 'web-identity-router',
        policy: doc({
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:prod',
        }),
      }),
    );
    // Act / Assess
    expect(kinds(plan)).toEqual(['warning policy-widened']);
    expect(review(plan).findings[0].message).toContain('new document grants `secretsmanager:GetSecretValue`');
  });

  it('cannot close a fold of the Markdown with a logical ID, and print its own verdict', () => {
    // Prepare
    const id = 'X</summary></details>\n\n## ✅ nothing to review<details><summary>';
    const plan = buildPlan((after) =>
      editTemplate(after, (t) => {
        t.Resources[id] = { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 1 } };
      }),
    );
    // Act
    const markdown = renderReview(review(plan));
    // Assess
    expect(markdown).not.toContain('</summary></details>\n');
    expect(markdown.split('\n').filter((l) => l.startsWith('## ✅'))).toEqual([]);
    expect(markdown).toContain('&lt;/summary&gt;&lt;/details&gt;');
  });

  it('cannot make a member role assumable by the member account itself (where app teams create roles) unnoticed', () => {
    // Prepare
    const plan = buildPlan((after) =>
      editTemplate(after, (t) => {
        t.Resources.AutomationPinRole.Properties.AssumeRolePolicyDocument.Statement.push({
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
          Action: 'sts:AssumeRole',
        });
      }),
    );
    // Act / Assess
    expect(kinds(plan)).toEqual(['warning policy-widened', 'warning principal-cross-account']);
    expect(review(plan).findings[1].message).toContain('principals of the member account itself');
  });

  it('cannot hide an inline policy of a member role behind an Fn::If around the whole Policies list', () => {
    // Prepare
    const plan = buildPlan((after) =>
      editTemplate(after, (t) => {
        const pin = t.Resources.AutomationPinRole.Properties;
        pin.Policies = {
          'Fn::If': [
            'Always',
            [
              {
                PolicyName: 'admin',
                PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
              },
            ],
            pin.Policies,
          ],
        };
      }),
    );
    // Act / Assess
    expect(kinds(plan)).toContain('warning policy-widened');
    expect(review(plan).findings.map((f) => f.message)).toContainEqual(
      expect.stringContaining('inline policy `admin`: `*` in Action: `*`'),
    );
  });

  it('cannot grant one of the two guaranteed Graph permissions to another service principal (the gateway) unnoticed', () => {
    // Prepare
    const plan = buildPlan(
      (after) => {
        const assignment = find(after, 'azuread_app_role_assignment', (v) => v.app_role_id === graphPermissionId('Directory.Read.All'));
        add(after, 'azuread_app_role_assignment', 'gateway-read', { ...assignment.values, principal_object_id: 'gateway-object-id' });
      },
      {
        configuration: [
          {
            address: 'azuread_app_role_assignment.gateway-read',
            expressions: {
              principal_object_id: {
                references: [
                  'azuread_service_principal.entra-gateway_service-principal_6315A94E.object_id',
                  'azuread_service_principal.entra-gateway_service-principal_6315A94E',
                ],
              },
            },
          },
        ],
      },
    );
    // Act / Assess
    expect(kinds(plan)).toEqual(['warning graph-permission-moved', 'info graph-permission']);
  });

  it('cannot route the IAM events to, or feed the router from, another account unnoticed (new target, new event source)', () => {
    // Prepare
    const plan = buildPlan((after) => {
      add(after, 'aws_cloudwatch_event_target', 'copy', {
        rule: 'web-identity-role-changes',
        arn: 'arn:aws:events:eu-central-1:999999999999:event-bus/collector',
        event_bus_name: 'web-identity-iam-events',
      });
      add(after, 'aws_lambda_event_source_mapping', 'forged', {
        event_source_arn: 'arn:aws:sqs:eu-central-1:999999999999:forged',
        function_name: 'web-identity-router',
      });
    });
    // Act / Assess
    expect(kinds(plan)).toEqual(['warning event-routing-changed', 'warning event-routing-changed']);
  });

  it('cannot slip an IAM write past the review with a wildcard that is not a known prefix (iam:*Policy, i*:Put*)', () => {
    // Prepare
    const plan = (action: string) =>
      buildPlan((after) => {
        routerPolicy(after).values.policy = doc({
          Effect: 'Allow',
          Action: action,
          Resource: 'arn:aws:iam::*:role/OrganizationAccountAccessRole',
        });
      });
    // Act / Assess
    for (const action of ['iam:*Policy', 'i*:Put*', 'iam:Update?ssumeRolePolicy'])
      expect([action, kinds(plan(action))]).toEqual([action, expect.arrayContaining(['warning iam-write-granted'])]);
  });

  it('cannot make an existing role assumable through a service it can be passed to (ec2.amazonaws.com) as mere information', () => {
    // Prepare
    const plan = buildPlan((after) =>
      editTemplate(after, (t) => {
        t.Resources.AutomationPinRole.Properties.AssumeRolePolicyDocument.Statement.push({
          Effect: 'Allow',
          Principal: { Service: 'ec2.amazonaws.com' },
          Action: 'sts:AssumeRole',
        });
      }),
    );
    // Act / Assess
    expect(kinds(plan)).toEqual(['warning policy-widened', 'warning principal-service']);
  });

  it('cannot run a function from code it did not build (an image, another bucket) as a plain code change', () => {
    // Prepare
    const plan = buildPlan((after) => {
      const router = find(after, 'aws_lambda_function', (v) => v.function_name === 'web-identity-router');
      router.values.image_uri = '999999999999.dkr.ecr.eu-central-1.amazonaws.com/router:latest';
    });
    // Act / Assess
    expect(kinds(plan)).toEqual(['warning code-changed']);
  });
});
