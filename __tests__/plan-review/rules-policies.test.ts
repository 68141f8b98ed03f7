import type { ResourceChange } from '../../plan-review/plan';
import { buildReview } from '../../plan-review/review';
import { type AttributeJudgeInput, TYPE_RULES } from '../../plan-review/rules';
import type { PolicyChange } from '../../plan-review/template';
import { CONTEXT, change, planOf, replacementLookup } from './support';

/**
 * The judges of policy documents (identity, resource and bus policies), of the roles and code
 * functions and rules run as, and of event routing, shown on small hand-made plans: what the
 * review says of each change, and the malicious pull requests that would get a quieter review
 * without them (a bus anyone may put forged IAM events on, a deleted Deny, a role swapped unseen).
 */

const review = (...resourceChanges: ResourceChange[]) => buildReview(planOf(resourceChanges), replacementLookup(), CONTEXT);
const kinds = (r: ReturnType<typeof review>) => r.findings.map((f) => `${f.severity} ${f.kind}`);
const blocking = (r: ReturnType<typeof review>) => r.findings.filter((f) => f.severity === 'blocking');

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const update = (type: string, before: Record<string, unknown>, after: Record<string, unknown>, fields: Partial<ResourceChange> = {}) =>
  change(type, ['update'], { before, after, ...fields });

describe('the attributes every resource has', () => {
  it.each(['tags', 'tags_all', 'region', 'timeouts'])(
    'reads a change of %s alone as granting nothing: the resource is analysed',
    (name) => {
      // Prepare
      const policy = doc({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' });
      const changed = update('aws_iam_policy', { name: 'p', policy, [name]: { a: '1' } }, { name: 'p', policy, [name]: { a: '2' } });
      // Act
      const r = review(changed);
      // Assess
      expect(r.resources[0].attributes.map((a) => a.name)).toEqual([name]);
      expect(r.notAnalysed).toEqual([]);
      expect(r.findings).toEqual([]);
    },
  );
});

describe('a policy document (inline, managed, resource policies)', () => {
  const denyKeys = doc(
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' },
    { Effect: 'Deny', Action: 'kms:ScheduleKeyDeletion', Resource: '*' },
  );
  const grantsQueue = doc({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' });

  it('names the Deny statements a deleted document takes with it, under the label of the attribute', () => {
    // Act
    const r = review(change('aws_iam_policy', ['delete'], { before: { name: 'p', policy: denyKeys } }));
    // Assess
    expect(r.findings.map((f) => [f.severity, f.kind, f.message])).toEqual([
      [
        'warning',
        'policy-widened',
        expect.stringMatching(/^managed policy \(`policy`\): Deny no longer applies: `kms:ScheduleKeyDeletion`/),
      ],
    ]);
  });

  it('reads a document emptied in place (the attribute set to "") as deleted: its lost Deny statements, nothing unreadable', () => {
    // Act
    const r = review(update('aws_iam_policy', { name: 'p', policy: denyKeys }, { name: 'p', policy: '' }));
    // Assess
    expect(kinds(r)).toEqual(['warning policy-widened']);
    expect(r.findings[0].message).toContain('Deny no longer applies: `kms:ScheduleKeyDeletion`');
  });

  it('says nothing of an emptied or deleted value that was no policy document', () => {
    // Act
    const emptied = review(update('aws_iam_policy', { name: 'p', policy: 'not a document' }, { name: 'p', policy: '' }));
    const deleted = review(change('aws_iam_role_policy', ['delete'], { before: { name: 'p', policy: '{"NoStatement":[]}' } }));
    // Assess
    expect(emptied.findings).toEqual([]);
    expect(kinds(deleted)).toEqual(['warning destructive-change']);
  });

  it('judges a document whose previous value was no JSON as new, without a word about the previous one', () => {
    // Act
    const r = review(update('aws_iam_policy', { name: 'p', policy: 'not json' }, { name: 'p', policy: grantsQueue }));
    // Assess
    expect(r.findings.map((f) => `${f.kind}: ${f.message}`)).toEqual([
      'policy-widened: managed policy (`policy`): `*` in Resource: `*`',
      'policy-widened: managed policy (`policy`): new document grants `sqs:SendMessage`',
    ]);
    expect(r.resources[0].policies).toEqual([
      { label: 'managed policy (`policy`)', before: 'not json', after: JSON.stringify(JSON.parse(grantsQueue), null, 2), afterKnown: true },
    ]);
  });

  it('does not take a previous value that is no JSON text (an object) for the previous document: the new one is judged as new', () => {
    // Prepare: the same statements, once as an object
    const r = review(update('aws_iam_policy', { name: 'p', policy: JSON.parse(grantsQueue) }, { name: 'p', policy: grantsQueue }));
    // Assess
    expect(r.findings.map((f) => f.message)).toContain('managed policy (`policy`): new document grants `sqs:SendMessage`');
  });

  it("reads a Terraform document as written: an object shaped like a CloudFormation function is text to IAM, not a template's value", () => {
    // Prepare: Terraform sends the JSON text as is; nothing resolves Fn::Select in it.
    const selected = { 'Fn::Select': [0, ['kms:ScheduleKeyDeletion']] };
    const denySelected = doc(
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' },
      { Effect: 'Deny', Action: selected, Resource: '*' },
    );
    // Act
    const deleted = review(change('aws_iam_policy', ['delete'], { before: { name: 'p', policy: denySelected } }));
    const widened = review(
      update(
        'aws_iam_policy',
        { name: 'p', policy: grantsQueue },
        { name: 'p', policy: doc({ Effect: 'Allow', Action: selected, Resource: '*' }) },
      ),
    );
    // Assess
    expect(deleted.findings.map((f) => f.message)).toEqual([expect.stringContaining('Deny no longer applies: `{"Fn::Select"')]);
    expect(kinds(widened)).toEqual(['warning policy-widened']);
    expect(widened.findings[0].message).toContain('new action: `{"Fn::Select"');
  });

  it('records nothing and judges nothing when the attribute is absent on both sides (a direct call: no change lists such an attribute)', () => {
    // Prepare
    const policies: PolicyChange[] = [];
    const input: AttributeJudgeInput = {
      rc: change('aws_iam_policy', ['update']),
      kind: 'update',
      name: 'policy',
      before: undefined,
      after: undefined,
      afterUnknown: false,
      afterSensitive: false,
      ctx: CONTEXT,
      configuration: {},
      policies,
      rows: [],
    };
    // Act
    const found = TYPE_RULES.aws_iam_policy.judged.policy(input);
    // Assess
    expect(found).toEqual([]);
    expect(policies).toEqual([]);
  });
});

describe('the bus policy: only the member forwarders in the organization may put events on the central bus', () => {
  const FORWARDERS = `arn:aws:iam::*:role/${CONTEXT.forwarderRoleName}`;
  const BUS = 'arn:aws:events:eu-central-1:111111111111:event-bus/web-identity-iam-events';
  const ORG = { 'aws:PrincipalOrgID': CONTEXT.organizationId };
  const ONLY_FORWARDERS = { 'aws:PrincipalArn': FORWARDERS };
  const statement = (fields: Record<string, unknown> = {}) => ({
    Sid: 'MemberForwardersPutEvents',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: 'events:PutEvents',
    Resource: BUS,
    Condition: { StringEquals: ORG, ArnLike: ONLY_FORWARDERS },
    ...fields,
  });
  const MEMBER_FORWARDERS = doc(statement());
  const busPolicy = (policy: string, before?: string) =>
    before === undefined
      ? change('aws_cloudwatch_event_bus_policy', ['create'], { after: { event_bus_name: 'web-identity-iam-events', policy } })
      : update(
          'aws_cloudwatch_event_bus_policy',
          { event_bus_name: 'web-identity-iam-events', policy: before },
          { event_bus_name: 'web-identity-iam-events', policy },
        );
  const putEventsBlocked = (policy: string, before?: string) =>
    blocking(review(busPolicy(policy, before))).filter((f) => f.kind === 'bus-put-events').length > 0;

  it("creates the member forwarders' own bus policy without blocking", () => {
    // Act
    const r = review(busPolicy(MEMBER_FORWARDERS));
    // Assess
    expect(blocking(r)).toEqual([]);
    expect(r.verdict).not.toBe('blocking');
  });

  it.each([
    ['any principal of the organization (no aws:PrincipalArn bound)', { StringEquals: ORG }],
    ["a role with the forwarders' name in any account (no aws:PrincipalOrgID bound)", { ArnLike: ONLY_FORWARDERS }],
    ['every organization but ours (StringNotEquals)', { StringNotEquals: ORG, ArnLike: ONLY_FORWARDERS }],
    [
      'principals outside any organization (ForAllValues:StringEquals holds when the key is absent)',
      { 'ForAllValues:StringEquals': ORG, ArnLike: ONLY_FORWARDERS },
    ],
    ['principals outside any organization (StringEqualsIfExists)', { StringEqualsIfExists: ORG, ArnLike: ONLY_FORWARDERS }],
    [
      'another account named where the organization should be',
      { StringEquals: { 'aws:PrincipalAccount': '999999999999' }, ArnLike: ONLY_FORWARDERS },
    ],
    [
      "any principal, our organization named as the bus's own (aws:ResourceOrgID)",
      { StringEquals: { 'aws:ResourceOrgID': CONTEXT.organizationId }, ArnLike: ONLY_FORWARDERS },
    ],
    ['an organization condition with no value', { StringEquals: { 'aws:PrincipalOrgID': [] }, ArnLike: ONLY_FORWARDERS }],
    ['another organization', { StringEquals: { 'aws:PrincipalOrgID': 'o-attacker123' }, ArnLike: ONLY_FORWARDERS }],
    [
      'another organization next to ours',
      { StringEquals: { 'aws:PrincipalOrgID': [CONTEXT.organizationId, 'o-attacker123'] }, ArnLike: ONLY_FORWARDERS },
    ],
    ['any role but the forwarders (ArnNotLike)', { StringEquals: ORG, ArnNotLike: ONLY_FORWARDERS }],
    ['any role, the forwarders named on another key (aws:SourceArn)', { StringEquals: ORG, ArnLike: { 'aws:SourceArn': FORWARDERS } }],
    ['any role, another key bounded by ArnLike', { StringEquals: ORG, ArnLike: { 'aws:SourceArn': 'arn:aws:events:*' } }],
    ['any role, the forwarders under a set operator (ForAnyValue:ArnLike)', { StringEquals: ORG, 'ForAnyValue:ArnLike': ONLY_FORWARDERS }],
    ['any role, the forwarders under ArnLikeIfExists', { StringEquals: ORG, ArnLikeIfExists: ONLY_FORWARDERS }],
    ['a principal ARN condition with no value', { StringEquals: ORG, ArnLike: { 'aws:PrincipalArn': [] } }],
    [
      'any role of the organization (arn:aws:iam::*:role/*)',
      { StringEquals: ORG, ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } },
    ],
    [
      'any role of the organization, listed next to the forwarders',
      { StringEquals: ORG, ArnLike: { 'aws:PrincipalArn': [FORWARDERS, 'arn:aws:iam::*:role/*'] } },
    ],
  ])('cannot let %s put events on the bus without a blocking finding', (_, Condition) => {
    // Act / Assess: a new bus policy, so no previous organization is compared
    expect(putEventsBlocked(doc(statement({ Condition })))).toBe(true);
  });

  it.each([['events:*Events'], ['events:Put?vents'], ['*:PutEvents'], ['e*:P*'], ['EVENTS:PUTEVENTS'], ['events:Put*'], ['*']])(
    'cannot hide the PutEvents grant to another account behind the action pattern %s',
    (Action) => {
      // Act / Assess
      expect(putEventsBlocked(doc(statement({ Action, Principal: { AWS: '999999999999' }, Condition: undefined })))).toBe(true);
    },
  );

  it('cannot hide the PutEvents grant behind a NotAction (it grants every action but its list)', () => {
    // Prepare
    const notAction = {
      ...statement({ Principal: { AWS: '999999999999' }, Condition: undefined }),
      Action: undefined,
      NotAction: 'events:DescribeRule',
    };
    // Act / Assess
    expect(putEventsBlocked(doc(notAction))).toBe(true);
  });

  it('does not take other bus actions (events:DescribeRule, events:List*) for putting events: their principals are judged as in any policy', () => {
    // Prepare
    const describe = statement({
      Sid: 'Describe',
      Action: ['events:DescribeRule', 'events:List*'],
      Principal: { AWS: '999999999999' },
      Condition: undefined,
    });
    // Act
    const r = review(busPolicy(doc(statement(), describe), MEMBER_FORWARDERS));
    // Assess
    expect(blocking(r)).toEqual([]);
    expect(kinds(r)).toContain('warning principal-cross-account');
  });

  it('blocks organizations the bus policy did not admit before, naming each of them', () => {
    // Prepare: the configuration may be changed by the same pull request; the new values are named
    const widened = doc(
      statement({ Condition: { StringEquals: { 'aws:PrincipalOrgID': ['o-attacker1', 'o-attacker2'] }, ArnLike: ONLY_FORWARDERS } }),
    );
    // Act
    const r = review(busPolicy(widened, MEMBER_FORWARDERS));
    // Assess
    expect(blocking(r).map((f) => f.message)).toContainEqual(
      'bus policy: principals of `o-attacker1`, `o-attacker2` may put events on the bus, an organization it did not admit before',
    );
  });

  it("does not read a narrowing condition (aws:SourceAccount) added to the forwarders' statement as a new organization", () => {
    // Prepare
    const narrowed = doc(
      statement({ Condition: { StringEquals: { ...ORG, 'aws:SourceAccount': '222222222222' }, ArnLike: ONLY_FORWARDERS } }),
    );
    // Act
    const r = review(busPolicy(narrowed, MEMBER_FORWARDERS));
    // Assess
    expect(blocking(r)).toEqual([]);
  });

  it('reads a bus policy that is not a policy document as unreadable, with no put-events verdict on it', () => {
    // Act
    const r = review(busPolicy('not json', MEMBER_FORWARDERS));
    // Assess
    expect(kinds(r)).toEqual(['warning policy-unreadable']);
  });
});

describe('the role a function, rule or target runs as, its code and its routing', () => {
  const ROLE = 'arn:aws:iam::111111111111:role/web-identity-router';
  const OTHER_ROLE = 'arn:aws:iam::111111111111:role/attacker-chosen';

  it('warns when a function runs as another role, naming the new role', () => {
    // Act
    const r = review(update('aws_lambda_function', { function_name: 'router', role: ROLE }, { function_name: 'router', role: OTHER_ROLE }));
    // Assess
    expect(r.notAnalysed).toEqual([]);
    expect(r.findings.map((f) => [f.severity, f.kind, f.message])).toEqual([
      ['warning', 'execution-role-changed', `the function runs as another role: \`${OTHER_ROLE}\``],
    ]);
  });

  it("says nothing of a new function's code, nor of a role the same plan creates (its ARN is known only after apply)", () => {
    // Act
    const r = review(
      change('aws_lambda_function', ['create'], {
        after: {
          function_name: 'router',
          filename: 'router.zip',
          source_code_hash: 'abc',
          handler: 'index.handler',
          runtime: 'nodejs22.x',
        },
        afterUnknown: { role: true },
      }),
    );
    // Assess
    expect(r.notAnalysed).toEqual([]);
    expect(r.findings).toEqual([]);
  });

  // A role known on a creation exists already: a new function running as a function role of the
  // automation would sign in to Entra as the automation, with the code of the pull request.
  it.each([
    ['aws_lambda_function', 'role', 'the function'],
    ['aws_sfn_state_machine', 'role_arn', 'the state machine'],
    ['aws_cloudwatch_event_target', 'role_arn', 'the event target'],
    ['aws_cloudwatch_event_rule', 'role_arn', 'the rule'],
  ])('%s: warns of a new resource that runs as a role the plan does not create (%s)', (type, attribute, what) => {
    // Act
    const r = review(change(type, ['create'], { after: { [attribute]: ROLE } }));
    // Assess
    expect(r.findings.map((f) => [f.severity, f.kind, f.message])).toEqual([
      ['warning', 'execution-role-changed', expect.stringContaining(`${what} runs as \`${ROLE}\`, a role this plan does not create`)],
    ]);
  });

  it("names the changed code attribute of a function, for reading in the pull request's diff", () => {
    // Act
    const r = review(
      update(
        'aws_lambda_function',
        { function_name: 'router', handler: 'index.handler' },
        { function_name: 'router', handler: 'evil.handler' },
      ),
    );
    // Assess
    expect(r.findings.map((f) => [f.severity, f.kind, f.message])).toEqual([
      ['info', 'code-changed', 'the function code changes (`handler`): read its diff in the pull request'],
    ]);
  });

  it('warns when the rule that starts the federation matches other events, naming the attribute and its new value', () => {
    // Act
    const r = review(
      update(
        'aws_cloudwatch_event_rule',
        { name: 'role-changes', event_pattern: '{"source":["aws.iam"]}' },
        { name: 'role-changes', event_pattern: '{"source":["aws.s3"]}' },
      ),
    );
    // Assess
    expect(r.notAnalysed).toEqual([]);
    expect(r.findings.map((f) => [f.severity, f.kind, f.message])).toEqual([
      ['warning', 'event-routing-changed', 'the rule that starts the federation: `event_pattern` becomes `{"source":["aws.s3"]}`'],
    ]);
  });

  it('shows a routing value removed as (none)', () => {
    // Act
    const r = review(update('aws_cloudwatch_event_target', { rule: 'r', input_path: '$.detail' }, { rule: 'r', input_path: null }));
    // Assess
    expect(r.findings.map((f) => f.message)).toEqual(['the event target: `input_path` becomes `(none)`']);
  });

  it('never shows a sensitive new value in a finding', () => {
    // Act
    const r = review(
      update(
        'aws_cloudwatch_event_target',
        { rule: 'r', input: '{"token":"old"}' },
        { rule: 'r', input: '{"token":"s3cr3t"}' },
        { afterSensitive: { input: true } },
      ),
    );
    // Assess
    expect(r.findings.map((f) => f.message)).toEqual(['the event target: `input` becomes `(sensitive)`']);
  });

  it('shows the previous value of a setting as it was, when the new one is sensitive or known only after apply', () => {
    // Act
    const sensitive = review(
      update(
        'aws_cloudwatch_metric_alarm',
        { alarm_name: 'a', threshold: 1 },
        { alarm_name: 'a', threshold: 2 },
        { afterSensitive: { threshold: true } },
      ),
    );
    const unknown = review(
      update('aws_cloudwatch_metric_alarm', { alarm_name: 'a', threshold: 1 }, { alarm_name: 'a' }, { afterUnknown: { threshold: true } }),
    );
    // Assess
    expect(sensitive.findings.map((f) => f.message)).toEqual([expect.stringContaining('(`1` → `(sensitive)`)')]);
    expect(unknown.findings.map((f) => f.message)).toEqual([expect.stringContaining('(`1` → `(known after apply)`)')]);
  });
});
