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
    ['acl', 'private', 'public-read'],
    ['grant', [], [{ type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers', permissions: ['READ'] }]],
    ['replication_configuration', [], [{ role: 'arn:aws:iam::999999999999:role/copier', rules: [{ status: 'Enabled' }] }]],
  ])("warns when a bucket's %s gives others its objects", (attribute, before, after) => {
    const opened = change('aws_s3_bucket', ['update'], {
      before: { bucket: 'reports', [attribute]: before },
      after: { bucket: 'reports', [attribute]: after },
    });

    expect(findings(opened)).toEqual([expect.stringMatching(new RegExp(`^warning bucket-access-relaxed: \`${attribute}\` becomes`))]);
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
