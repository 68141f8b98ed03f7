import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceChange } from '../../plan-review/plan';
import { buildReview } from '../../plan-review/review';
import { COMMON_NEUTRAL, TYPE_RULES, type TypeRule } from '../../plan-review/rules';
import { providerAttributes, providerVersion } from '../support/provider-schema';
import { CONTEXT, change, planOf, replacementLookup } from './support';

/**
 * The table of type rules held against the providers' own schemas (the bindings the configuration
 * is synthesized with). A name the provider does not have never matches a change: a typo in a
 * judged attribute leaves the real one unjudged. An attribute of the provider the table does not
 * classify shows as "not analysed" on every change: the review is safe but noisy, and the reader
 * is left to judge what the table should. A newer provider within the configuration's constraint
 * may add attributes: they show as "not analysed" until a contributor classifies them here.
 */

// Terraform's built-in resource has no provider bindings
// (https://developer.hashicorp.com/terraform/language/resources/terraform-data#attributes-reference).
const BUILT_IN: Readonly<Record<string, ReadonlySet<string>>> = {
  terraform_data: new Set(['id', 'input', 'output', 'triggers_replace']),
};

const schemaOf = (type: string) => providerAttributes(type) ?? BUILT_IN[type];
const classified = (rule: TypeRule) => [...Object.keys(rule.judged), ...rule.neutral];
const types = Object.keys(TYPE_RULES);

describe(`the type rules, against the schemas of the aws provider ${providerVersion('aws')} and the azuread provider ${providerVersion('azuread')}`, () => {
  it('reads a schema for every type the table names', () => {
    expect(types.filter((type) => schemaOf(type) === undefined)).toEqual([]);
  });

  it.each(types)('%s: names only attributes the provider has', (type) => {
    const schema = schemaOf(type) ?? new Set();
    expect(classified(TYPE_RULES[type]).filter((name) => !schema.has(name))).toEqual([]);
  });

  it.each(types)('%s: judges or calls neutral every attribute the provider has', (type) => {
    const known = new Set([...classified(TYPE_RULES[type]), ...COMMON_NEUTRAL]);
    expect([...(schemaOf(type) ?? [])].filter((name) => !known.has(name))).toEqual([]);
  });

  it.each(types)('%s: calls no attribute both judged and neutral, nor lists one twice', (type) => {
    const names = classified(TYPE_RULES[type]);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it("names, in the plan reviewer's guide, the provider versions it classifies", () => {
    const minor = (v: string) => v.split('.').slice(0, 2).join('.');
    const guide = readFileSync(join(__dirname, '..', '..', 'docs', 'pipeline.md'), 'utf8');

    expect(guide).toContain(`(aws ${minor(providerVersion('aws'))}, azuread ${minor(providerVersion('azuread'))};`);
  });

  it('calls neutral, for every type, only attributes some reviewed type has', () => {
    const all = new Set(types.flatMap((type) => [...(schemaOf(type) ?? [])]));
    expect(COMMON_NEUTRAL.filter((name) => !all.has(name))).toEqual([]);
  });
});

const findings = (...changes: ResourceChange[]) =>
  buildReview(planOf(changes), replacementLookup(), CONTEXT).findings.map((f) => `${f.severity} ${f.kind}: ${f.message}`);
const unanalysed = (...changes: ResourceChange[]) => buildReview(planOf(changes), replacementLookup(), CONTEXT).notAnalysed;

describe("the rules for the provider's newer and older attributes", () => {
  it.each([
    ['acl', 'private', 'public-read', 'public-read'],
    ['grant', [], [{ type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers', permissions: ['READ'] }], 'AllUsers'],
    ['replication_configuration', [], [{ role: 'arn:aws:iam::999999999999:role/copier', rules: [{ status: 'Enabled' }] }], 'copier'],
  ])("warns when a bucket's %s gives others its objects, naming the new value", (attribute, before, after, named) => {
    const opened = change('aws_s3_bucket', ['update'], {
      before: { bucket: 'reports', [attribute]: before },
      after: { bucket: 'reports', [attribute]: after },
    });

    expect(findings(opened)).toEqual([expect.stringMatching(new RegExp(`^warning bucket-access-relaxed: \`${attribute}\` becomes`))]);
    expect(findings(opened)[0]).toContain(named);
  });

  it.each([
    ['acl', null, 'private'],
    ['grant', null, []],
    ['replication_configuration', null, []],
  ])("says nothing when a bucket's %s stays the owner's own", (attribute, before, after) => {
    const kept = change('aws_s3_bucket', ['update'], {
      before: { bucket: 'reports', [attribute]: before, versioning: [] },
      after: { bucket: 'reports', [attribute]: after, versioning: [{ enabled: true }] },
    });

    expect(findings(kept)).toEqual([]);
  });

  it.each([
    ['azuread_application', 'single_page_application'],
    ['azuread_application', 'public_client'],
    ['aws_lambda_function', 'logging_config'],
  ])('%s: says nothing of %s on a creation (the creation lists it)', (type, attribute) => {
    expect(findings(change(type, ['create'], { after: { [attribute]: [{ x: 'y' }] } }))).toEqual([]);
  });

  it('says nothing when a service principal is enabled again', () => {
    expect(
      findings(change('azuread_service_principal', ['update'], { before: { account_enabled: false }, after: { account_enabled: true } })),
    ).toEqual([]);
  });

  it.each(['acl', 'grant', 'replication_configuration'])(
    "says nothing when a bucket's %s is removed, to null or from the plan",
    (attribute) => {
      const given = [{ id: 'x' }];
      const toNull = change('aws_s3_bucket', ['update'], { before: { [attribute]: given }, after: { [attribute]: null } });
      const dropped = change('aws_s3_bucket', ['update'], { before: { [attribute]: given }, after: {} });

      expect(findings(toNull)).toEqual([]);
      expect(findings(dropped)).toEqual([]);
    },
  );

  it('warns when a function moves to the instances of a capacity provider, even on its creation', () => {
    const moved = change('aws_lambda_function', ['create'], {
      after: {
        function_name: 'router',
        capacity_provider_config: [
          {
            lambda_managed_instances_capacity_provider_config: [
              { capacity_provider_arn: 'arn:aws:lambda:eu-central-1:999999999999:capacity-provider:mine' },
            ],
          },
        ],
      },
    });

    expect(findings(moved)).toEqual([
      expect.stringMatching(/^warning code-changed: the function runs on the instances of a capacity provider: .*capacity-provider:mine/),
    ]);
  });

  it.each([
    [
      'aws_cloudwatch_event_target',
      'sqs_target',
      [{ message_group_id: 'a' }],
      [{ message_group_id: 'b' }],
      'warning event-routing-changed',
    ],
    ['aws_cloudwatch_event_target', 'http_target', [], [{ header_parameters: { x: 'y' } }], 'warning event-routing-changed'],
    ['aws_cloudwatch_event_bus', 'dead_letter_config', [], [{ arn: 'arn:aws:sqs:eu-central-1:111111111111:dlq' }], undefined],
    ['aws_sns_topic', 'lambda_failure_feedback_role_arn', null, 'arn:aws:iam::111111111111:role/sns-logs', undefined],
    ['aws_lambda_function', 'tenancy_config', [], [{ tenant_isolation_mode: 'PER_TENANT' }], undefined],
  ])('%s: a change of %s is judged, not left unanalysed', (type, attribute, before, after, expected) => {
    const changed = change(type, ['update'], { before: { [attribute]: before }, after: { [attribute]: after } });

    expect(unanalysed(changed)).toEqual([]);
    expect(findings(changed).map((f) => f.split(':')[0])).toEqual(expected ? [expected] : []);
  });
});

const kinds = (...changes: ResourceChange[]) => findings(...changes).map((f) => f.split(':')[0]);
const update = (type: string, before: Record<string, unknown>, after: Record<string, unknown>, fields: Partial<ResourceChange> = {}) =>
  change(type, ['update'], { before, after, ...fields });
const create = (type: string, after: Record<string, unknown>, fields: Partial<ResourceChange> = {}) =>
  change(type, ['create'], { after, ...fields });
const remove = (type: string, before: Record<string, unknown>) => change(type, ['delete'], { before });

describe("the table's own judges", () => {
  describe('a function (aws_lambda_function)', () => {
    it('warns when its environment changes (its values steer what it calls), not when it is created with one', () => {
      expect(
        kinds(update('aws_lambda_function', { environment: [{ variables: { A: '1' } }] }, { environment: [{ variables: { A: '2' } }] })),
      ).toEqual(['warning code-changed']);
      expect(kinds(create('aws_lambda_function', { environment: [{ variables: { A: '1' } }] }))).toEqual([]);
    });

    it.each([
      [0, ['warning code-changed']],
      [5, []],
    ])('reserved concurrency %j: 0 stops the function, any other number does not', (value, expected) => {
      expect(
        kinds(update('aws_lambda_function', { reserved_concurrent_executions: -1 }, { reserved_concurrent_executions: value })),
      ).toEqual(expected);
    });

    it('warns when reserved concurrency is known only after apply (it may be 0)', () => {
      const hidden = update(
        'aws_lambda_function',
        { reserved_concurrent_executions: -1 },
        {},
        { afterUnknown: { reserved_concurrent_executions: true } },
      );

      expect(findings(hidden)).toEqual([
        expect.stringMatching(/^warning code-changed: reserved concurrency becomes `\(known after apply\)`/),
      ]);
    });

    it('warns when it loads layers (code from elsewhere), on its creation too; not when it is created without', () => {
      expect(kinds(create('aws_lambda_function', { layers: ['arn:aws:lambda:eu-central-1:999999999999:layer:x:1'] }))).toEqual([
        'warning code-changed',
      ]);
      expect(
        kinds(update('aws_lambda_function', { layers: ['arn:aws:lambda:eu-central-1:999999999999:layer:x:1'] }, { layers: [] })),
      ).toEqual(['warning code-changed']);
      expect(kinds(create('aws_lambda_function', { layers: [] }))).toEqual([]);
      expect(kinds(create('aws_lambda_function', { function_name: 'f' }))).toEqual([]);
    });
  });

  describe('a policy attachment', () => {
    it.each(['aws_iam_role_policy_attachment', 'aws_iam_policy_attachment'])('%s: warns what it attaches, and to whom', (type) => {
      const attached = create(type, { policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess', role: 'router', roles: ['router'] });

      expect(findings(attached)).toEqual([
        expect.stringMatching(
          /^warning managed-policy-attached: attaches `arn:aws:iam::aws:policy\/AdministratorAccess` to `(router|\["router"\])`/,
        ),
      ]);
    });

    it('warns when an inline policy moves to another role, not when it is created', () => {
      expect(findings(update('aws_iam_role_policy', { role: 'router' }, { role: 'other' }))).toEqual([
        'warning managed-policy-attached: the policy moves to the role `other`',
      ]);
      expect(kinds(create('aws_iam_role_policy', { role: 'router', name: 'p' }))).toEqual([]);
    });
  });

  it('blocks any event bus permission (only the member forwarders may put events), and says nothing when one is deleted', () => {
    expect(findings(create('aws_cloudwatch_event_permission', { principal: '999999999999', action: 'events:PutEvents' }))).toEqual([
      expect.stringMatching(/^blocking bus-put-events: an event bus permission for `999999999999`/),
    ]);
    expect(kinds(remove('aws_cloudwatch_event_permission', { principal: '999999999999' }))).not.toContain('blocking bus-put-events');
  });

  it.each([
    [
      'aws_cloudwatch_metric_alarm',
      { alarm_name: 'credential-misuse' },
      /^warning alarm-weakened: the alarm `credential-misuse` is deleted/,
    ],
    ['aws_cloudwatch_log_metric_filter', { name: 'f' }, /^warning alarm-weakened: a metric filter an alarm may count on is deleted/],
    ['aws_sns_topic_subscription', { endpoint: 'ops@example.com' }, /^warning alarm-weakened: an alarm subscription is deleted/],
    ['aws_s3_bucket_public_access_block', { bucket: 'reports' }, /^warning bucket-access-relaxed: the public access block is deleted/],
  ])('%s: warns on its deletion what the safety nets lose', (type, before, message) => {
    expect(findings(remove(type, before))).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it.each([
    [{ object_ownership: 'BucketOwnerEnforced' }, []],
    [{ object_ownership: 'ObjectWriter' }, ['warning bucket-access-relaxed']],
  ])('a bucket whose object ownership becomes %j: ACLs grant access again unless the owner enforces it', (rule, expected) => {
    expect(
      kinds(update('aws_s3_bucket_ownership_controls', { rule: [{ object_ownership: 'BucketOwnerEnforced' }] }, { rule: [rule] })),
    ).toEqual(expected);
  });

  describe('a schedule (aws_scheduler_schedule)', () => {
    it.each([
      ['ENABLED', []],
      ['DISABLED', ['warning event-routing-changed']],
    ])('whose state becomes %s', (state, expected) => {
      expect(kinds(update('aws_scheduler_schedule', { state: 'ENABLED' }, { state }))).toEqual(expected);
    });

    it('warns when its target changes (what it starts, as which role), not when it is created', () => {
      expect(kinds(update('aws_scheduler_schedule', { target: [{ arn: 'a' }] }, { target: [{ arn: 'b' }] }))).toEqual([
        'warning execution-role-changed',
      ]);
      expect(kinds(create('aws_scheduler_schedule', { target: [{ arn: 'a' }], state: 'ENABLED' }))).toEqual([]);
    });
  });

  it("warns when a StackSet's automatic deployment changes, and only informs when it is created with one", () => {
    expect(
      kinds(update('aws_cloudformation_stack_set', { auto_deployment: [{ enabled: true }] }, { auto_deployment: [{ enabled: false }] })),
    ).toEqual(['warning stack-set-setting']);
    expect(kinds(create('aws_cloudformation_stack_set', { auto_deployment: [{ enabled: true }] }))).toEqual([]);
  });

  describe("an application's settings (azuread_application)", () => {
    it.each([
      ['a client secret', { password: [{ display_name: 'ci' }] }, ['blocking automation-credential']],
      ['no client secret', { password: [] }, []],
      ['another tenant may sign in', { sign_in_audience: 'AzureADMultipleOrgs' }, ['warning application-setting']],
      ['only its own tenant signs in', { sign_in_audience: 'AzureADMyOrg' }, []],
      ['public client flows', { fallback_public_client_enabled: true }, ['warning application-setting']],
      ['no public client flows', { fallback_public_client_enabled: false }, []],
      ['identifier URIs', { identifier_uris: ['api://x'] }, ['warning application-setting']],
      ['no identifier URIs', { identifier_uris: [] }, []],
    ])('created with %s', (_, after, expected) => {
      expect(kinds(create('azuread_application', { display_name: 'x', ...after }))).toEqual(expected);
    });

    it.each([
      ['api', [{ requested_access_token_version: 1 }], [{ requested_access_token_version: 2 }]],
      ['web', [{ redirect_uris: [] }], [{ redirect_uris: ['https://evil.example/'] }]],
      ['identifier_uris', [], ['api://x']],
    ])('warns when %s changes on an existing application, not when it is created with it', (attribute, before, after) => {
      expect(kinds(update('azuread_application', { [attribute]: before }, { [attribute]: after }))).toEqual([
        'warning application-setting',
      ]);
      if (attribute !== 'identifier_uris') expect(kinds(create('azuread_application', { [attribute]: after }))).toEqual([]);
    });
  });

  it('blocks an owner added to an application (azuread_application_owner), and says nothing when one is removed', () => {
    expect(findings(create('azuread_application_owner', { application_id: '/applications/a', owner_object_id: 'user-1' }))).toEqual([
      expect.stringMatching(/^blocking application-owner: adds owners `user-1`/),
    ]);
    expect(kinds(remove('azuread_application_owner', { application_id: '/applications/a', owner_object_id: 'user-1' }))).not.toContain(
      'blocking application-owner',
    );
  });

  it.each([
    ['azuread_application_password', 'blocking automation-credential'],
    ['azuread_service_principal_password', 'blocking automation-credential'],
    ['azuread_application_certificate', 'blocking automation-credential'],
    ['azuread_service_principal_certificate', 'blocking automation-credential'],
  ])('%s: a new credential is blocking', (type, expected) => {
    expect(kinds(create(type, { display_name: 'x' }))).toContain(expected);
  });

  it.each(['azuread_directory_role_assignment', 'azuread_directory_role_member'])('%s: a directory role is blocking', (type) => {
    expect(kinds(create(type, { role_id: 'r', role_object_id: 'r', principal_object_id: 'p', member_object_id: 'p' }))).toEqual([
      'blocking directory-role',
    ]);
  });
});

describe('what each finding says changed', () => {
  const everyone = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] });

  it.each([
    ['aws_iam_role', 'assume_role_policy', 'trust policy (`assume_role_policy`)'],
    ['aws_iam_role_policy', 'policy', 'inline policy (`policy`)'],
    ['aws_iam_policy', 'policy', 'managed policy (`policy`)'],
    ['aws_s3_bucket', 'policy', 'bucket policy (`policy`)'],
    ['aws_s3_bucket_policy', 'policy', 'bucket policy (`policy`)'],
    ['aws_sns_topic', 'policy', 'topic policy (`policy`)'],
    ['aws_sns_topic_policy', 'policy', 'topic policy (`policy`)'],
    ['aws_sqs_queue', 'policy', 'queue policy (`policy`)'],
    ['aws_sqs_queue_policy', 'policy', 'queue policy (`policy`)'],
    ['aws_secretsmanager_secret', 'policy', 'secret policy (`policy`)'],
  ])("%s: names the document (%s) a widening is found in, as the reader's diff does", (type, attribute, label) => {
    const r = buildReview(planOf([create(type, { [attribute]: everyone })]), replacementLookup(), CONTEXT);

    expect(r.resources[0]?.policies.map((p) => p.label)).toEqual([label]);
    expect(r.findings.filter((f) => f.severity !== 'info').map((f) => f.message.slice(0, label.length + 1))).toContain(`${label}:`);
  });

  it.each([
    ['aws_cloudwatch_event_rule', 'event_pattern', 'the rule that starts the federation: `event_pattern` becomes'],
    ['aws_cloudwatch_event_rule', 'event_bus_name', 'the rule: `event_bus_name` becomes'],
    ['aws_cloudwatch_event_rule', 'state', 'the rule: `state` becomes'],
    ['aws_cloudwatch_event_rule', 'is_enabled', 'the rule: `is_enabled` becomes'],
    ['aws_cloudwatch_event_rule', 'role_arn', 'the rule runs as another role'],
    ['aws_cloudwatch_event_target', 'role_arn', 'the event target runs as another role'],
    ['aws_cloudwatch_event_target', 'input', 'the event target: `input` becomes'],
    ['aws_cloudwatch_event_target', 'input_path', 'the event target: `input_path` becomes'],
    ['aws_cloudwatch_event_target', 'input_transformer', 'the event target: `input_transformer` becomes'],
    ['aws_cloudwatch_event_target', 'sqs_target', 'the event target: `sqs_target` becomes'],
    ['aws_lambda_function', 'role', 'the function runs as another role'],
    ['aws_lambda_function', 'filename', 'the function code changes (`filename`)'],
    ['aws_lambda_function', 'source_code_hash', 'the function code changes (`source_code_hash`)'],
    ['aws_lambda_function', 'handler', 'the function code changes (`handler`)'],
    ['aws_lambda_function', 'runtime', 'the function runtime changes (`runtime`)'],
    ['aws_lambda_function', 'environment', "the function's environment changes"],
    ['aws_lambda_function', 'layers', 'the function loads layers (code from elsewhere): `x`'],
    ['aws_lambda_function', 'image_uri', "the function's code comes from `image_uri` `x`"],
    ['aws_lambda_event_source_mapping', 'function_name', 'the queue feeding the router: `function_name` becomes'],
    ['aws_lambda_event_source_mapping', 'enabled', 'the queue feeding the router: `enabled` becomes'],
    ['aws_lambda_event_source_mapping', 'filter_criteria', 'the queue feeding the router: `filter_criteria` becomes'],
    ['aws_scheduler_schedule', 'schedule_expression', 'the schedule: `schedule_expression` becomes'],
    ['aws_scheduler_schedule', 'target', "the schedule's target (what it starts, and as which role) changes: `x`"],
    ['aws_scheduler_schedule', 'state', "the schedule's state becomes `x`"],
    ['aws_sfn_state_machine', 'role_arn', 'the state machine runs as another role'],
    ['aws_sfn_state_machine', 'definition', 'the workflow definition changes (`definition`)'],
    ['azuread_application', 'sign_in_audience', '`sign_in_audience` becomes `x`'],
    ['azuread_application', 'identifier_uris', '`identifier_uris` becomes `x`'],
    ['azuread_application', 'api', '`api` (token version, exposed scopes) becomes `x`'],
    ['azuread_application', 'web', 'redirect and web settings change: `x`'],
    ['azuread_service_principal', 'account_enabled', '`account_enabled` becomes `false`', true, false],
    ['azuread_application', 'identifier_uris', '`identifier_uris` becomes `[]`', ['api://x'], []],
    ['azuread_application', 'single_page_application', 'single-page application redirect URIs change: `x`'],
    ['azuread_application', 'public_client', 'public client redirect URIs change: `x`'],
    ['aws_lambda_function', 'logging_config', "the function's logging becomes `x`"],
    ['aws_scheduler_schedule', 'start_date', 'the schedule: `start_date` becomes'],
    ['aws_scheduler_schedule', 'end_date', 'the schedule: `end_date` becomes'],
  ])('%s: a change of %s says what changes, and to what', (type, attribute, message, before: unknown = 'w', after: unknown = 'x') => {
    const r = buildReview(planOf([update(type, { [attribute]: before }, { [attribute]: after })]), replacementLookup(), CONTEXT);

    expect(r.findings.map((f) => f.message)).toEqual([expect.stringContaining(message)]);
  });
});
