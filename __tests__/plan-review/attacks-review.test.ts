import { graphPermissionId } from '../../plan-review/graph-permissions';
import type { Plan, ResourceChange } from '../../plan-review/plan';
import { buildReview } from '../../plan-review/review';
import { CONTEXT, change, planOf, replacementLookup } from './support';

/**
 * A third adversarial review of the plan review: each plan here, the way Terraform writes it,
 * got a quieter review than its change deserves before the fix named in its test (no finding, or
 * information where a guarantee is broken).
 */

const review = (changes: readonly ResourceChange[], fields: Partial<Plan> = {}) =>
  buildReview(planOf(changes, fields), replacementLookup(), CONTEXT);
const kinds = (changes: readonly ResourceChange[], fields: Partial<Plan> = {}) =>
  review(changes, fields).findings.map((f) => `${f.severity} ${f.kind}`);
const update = (type: string, before: Record<string, unknown>, after: Record<string, unknown>, fields: Partial<ResourceChange> = {}) =>
  change(type, ['update'], { before, after, ...fields });
/** The configuration representation of root module resources, each with its expressions. */
const configurationOf = (...resources: { address: string; expressions: Record<string, unknown> }[]) => ({
  root_module: { resources: resources.map((r) => ({ mode: 'managed', ...r })) },
});

const AUTOMATION_APP = 'azuread_application.entra-identity_application_7F0CAEB8';
const AUTOMATION_SP = 'azuread_service_principal.entra-identity_service-principal_F6799386';

describe('a malicious pull request', () => {
  it("cannot add a client secret to the automation's existing application through its password block", () => {
    // Prepare: the application exists; the pull request adds `password { display_name = "ci" }`.
    // The provider adds the secret in place (an update); its key ID and value are known after apply.
    const app = { display_name: 'web-identity-automation', sign_in_audience: 'AzureADMyOrg', password: [] };
    const rc = update(
      'azuread_application',
      app,
      { ...app, password: [{ display_name: 'ci', end_date: '2099-01-01T00:00:00Z' }] },
      {
        address: AUTOMATION_APP,
        afterUnknown: { password: [{ key_id: true, value: true, start_date: true }] },
        afterSensitive: { password: [{ value: true }] },
      },
    );
    // Act / Assess
    expect(kinds([rc])).toEqual(['blocking automation-credential']);
  });

  describe("the functions' own federated credential attached to the gateway application", () => {
    const OWN = CONTEXT.automationCredential.mode === 'federated' ? CONTEXT.automationCredential : undefined;
    if (!OWN) throw new Error('the example configuration is in federated mode');
    const TYPE = 'azuread_application_federated_identity_credential';
    const ADDRESS = `${TYPE}.entra-identity_federated-create-service-principal_3D3199FC`;
    const GATEWAY_ID = '/applications/0d1a6b3e-5f0c-4d8e-9a43-6f1c2b7d8e90';
    const own = change(TYPE, ['create'], {
      address: ADDRESS,
      after: {
        application_id: GATEWAY_ID,
        display_name: 'create-service-principal',
        issuer: OWN.issuer,
        subject: OWN.subjects[0],
        audiences: [OWN.audience],
      },
      afterUnknown: { id: true, credential_id: true },
    });
    const attachedBy = (applicationId: Record<string, unknown>) =>
      configurationOf({ address: ADDRESS, expressions: { application_id: applicationId } });

    it.each([
      ["the gateway's ID written as a constant", { constant_value: GATEWAY_ID }],
      ['a local value holding the gateway', { references: ['local.application_id'] }],
      ['a variable', { references: ['var.application_id'] }],
      ['a data source reading the gateway', { references: ['data.azuread_application.gw.id', 'data.azuread_application.gw'] }],
    ])('cannot pass it off as the functions own when the configuration attaches it by %s', (_, expression) => {
      // Act / Assess
      expect(kinds([own], { configuration: attachedBy(expression) })).toEqual(['blocking automation-credential']);
    });

    it('cannot pass it off as the functions own from a module, where the root module does not say which application it is on', () => {
      // Prepare
      const inModule = { ...own, address: `module.extra.${ADDRESS}` };
      // Act / Assess
      expect(kinds([inModule], { configuration: attachedBy({ references: [`${AUTOMATION_APP}.id`, AUTOMATION_APP] }) })).toEqual([
        'blocking automation-credential',
      ]);
    });

    it("still reads the credential the configuration attaches to the automation's application as its own", () => {
      // Act / Assess
      expect(kinds([own], { configuration: attachedBy({ references: [`${AUTOMATION_APP}.id`, AUTOMATION_APP] }) })).toEqual([
        'info outbound-federation-credential',
      ]);
    });
  });

  it("cannot grant a Graph permission to another service principal, found by a data source, next to the automation's in a conditional", () => {
    // Prepare: principal_object_id = coalesce(data.azuread_service_principal.other.object_id, <automation>.object_id)
    const GRANT = 'azuread_app_role_assignment.entra-identity_graph-directory-read-all_F8704E0F';
    const GRAPH_SP = 'data.azuread_service_principal.entra-identity_microsoft-graph_7A35882F';
    const OTHER = 'data.azuread_service_principal.other';
    const configuration = configurationOf({
      address: GRANT,
      expressions: {
        app_role_id: { references: [`${GRAPH_SP}.app_role_ids["Directory.Read.All"]`, `${GRAPH_SP}.app_role_ids`, GRAPH_SP] },
        principal_object_id: { references: [`${OTHER}.object_id`, OTHER, `${AUTOMATION_SP}.object_id`, AUTOMATION_SP] },
        resource_object_id: { references: [`${GRAPH_SP}.object_id`, GRAPH_SP] },
      },
    });
    const rc = change('azuread_app_role_assignment', ['create'], {
      address: GRANT,
      after: {
        app_role_id: graphPermissionId('Directory.Read.All'),
        principal_object_id: '0e5c1a7d-3b2f-4c8e-9d61-a4b7c2e9f013',
        resource_object_id: 'f2d46d99-889b-4f0b-815b-2802800d2ba9',
      },
      afterUnknown: { id: true },
    });
    // Act
    const r = review([rc], { configuration });
    // Assess
    expect(r.findings.map((f) => `${f.severity} ${f.kind}`)).toContain('warning graph-permission-moved');
    expect(r.findings.find((f) => f.kind === 'graph-permission-moved')?.message).toContain(`\`${OTHER}\``);
  });

  it.each([
    ['a filter policy no alarm notification matches', { filter_policy: '{"severity":["never"]}' }],
    ['a filter policy on the message body', { filter_policy: '{"AlarmName":["none"]}', filter_policy_scope: 'MessageBody' }],
  ])('cannot silence the alarm subscription with %s', (_, values) => {
    // Prepare
    const subscription = {
      topic_arn: 'arn:aws:sns:eu-central-1:111111111111:web-identity-alarms',
      protocol: 'email',
      endpoint: 'security@example.com',
    };
    // Act / Assess
    expect(kinds([update('aws_sns_topic_subscription', subscription, { ...subscription, ...values })])).toContain('warning alarm-weakened');
  });

  it('cannot silence the alarm topic by encrypting it with a key CloudWatch may not use (the AWS managed alias/aws/sns)', () => {
    // Prepare: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html: alarms cannot
    // publish to a topic encrypted with the AWS managed key.
    const topic = { name: 'web-identity-alarms' };
    // Act / Assess
    expect(kinds([update('aws_sns_topic', topic, { ...topic, kms_master_key_id: 'alias/aws/sns' })])).toContain('warning alarm-weakened');
  });

  it.each([
    ['to another log group, where no metric filter reads them', { log_format: 'JSON', log_group: '/attacker/elsewhere' }],
    [
      'at level FATAL, so the lines the metric filters count are never written',
      { log_format: 'JSON', log_group: '/aws/lambda/router', application_log_level: 'FATAL' },
    ],
  ])("cannot silence the security alarms by sending a function's logs %s", (_, logging) => {
    // Prepare
    const fn = { function_name: 'router', logging_config: [{ log_format: 'JSON', log_group: '/aws/lambda/router' }] };
    // Act / Assess
    expect(kinds([update('aws_lambda_function', fn, { ...fn, logging_config: [logging] })])).toContain('warning alarm-weakened');
  });

  it.each([
    ['single_page_application', [{ redirect_uris: ['https://attacker.example/'] }]],
    ['public_client', [{ redirect_uris: ['http://localhost:8400/'] }]],
  ])("cannot add redirect URIs to an application through %s as a neutral change (web's are a warning)", (attribute, value) => {
    // Prepare
    const app = { display_name: 'web-identity-gateway', sign_in_audience: 'AzureADMyOrg', [attribute]: [] };
    // Act / Assess
    expect(kinds([update('azuread_application', app, { ...app, [attribute]: value })])).toContain('warning application-setting');
  });

  it.each([
    ['a schedule that never fires again', { schedule_expression: 'at(2099-01-01T00:00:00)' }],
    ['an end date in the past', { end_date: '2020-01-01T00:00:00Z' }],
    ['a start date far ahead', { start_date: '2099-01-01T00:00:00Z' }],
  ])('cannot stop the sweep with %s as a neutral change (a disabled schedule is a warning)', (_, values) => {
    // Prepare
    const schedule = { name: 'web-identity-sweep', schedule_expression: 'rate(1 day)', state: 'ENABLED' };
    // Act / Assess
    expect(kinds([update('aws_scheduler_schedule', schedule, { ...schedule, ...values })])).toContain('warning event-routing-changed');
  });

  it.each(['acl', 'grant'])('cannot open a bucket with a %s known only after apply, which the configuration sets', (attribute) => {
    // Prepare: acl = var.open ? "public-read" : "private", with var.open from another resource.
    const bucket = { bucket: 'web-identity-sweep' };
    const rc = update('aws_s3_bucket', { ...bucket, [attribute]: attribute === 'acl' ? 'private' : [] }, bucket, {
      afterUnknown: { [attribute]: true },
    });
    const configuration = configurationOf({
      address: 'aws_s3_bucket.this',
      expressions: {
        bucket: { constant_value: 'web-identity-sweep' },
        [attribute]: { references: ['random_id.open.hex', 'random_id.open'] },
      },
    });
    // Act / Assess
    expect(kinds([rc], { configuration })).toContain('warning bucket-access-relaxed');
  });

  it.each([
    [
      'azuread_directory_role_eligibility_schedule_request',
      { role_definition_id: '62e90394-69f5-4237-9190-012177145e10', principal_id: 'p', directory_scope_id: '/', justification: 'ops' },
    ],
    ['azuread_administrative_unit_role_member', { role_object_id: 'r', member_object_id: 'p', administrative_unit_object_id: 'au' }],
  ])('cannot assign a directory role through %s as a resource merely not analysed', (type, after) => {
    // Prepare: an eligible Global Administrator assignment is activated by its holder at will; a
    // role scoped to an administrative unit manages the users and devices in it.
    const rc = change(type, ['create'], { after, afterUnknown: { id: true } });
    // Act / Assess
    expect(kinds([rc])).toEqual(['blocking directory-role']);
  });
});
