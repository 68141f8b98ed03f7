import type { ResourceChange } from '../../plan-review/plan';
import { buildReview } from '../../plan-review/review';
import { CONTEXT, change, planOf, replacementLookup } from './support';

/**
 * The review built from small hand-made plans, one behaviour at a time: what it lists of each
 * change, where it never stays silent about a destruction, the member template's three ways of
 * being unreadable, and the plan-wide findings (an errored plan, provisioners). The fixture plans
 * (review.test.ts) and the attacks show the same on whole plans of the synthesized configuration.
 */

const review = (...resourceChanges: ResourceChange[]) => buildReview(planOf(resourceChanges), replacementLookup(), CONTEXT);
const attributesOf = (rc: ResourceChange) => review(rc).resources[0]?.attributes;
const messages = (r: ReturnType<typeof review>) => r.findings.map((f) => `${f.address} ${f.severity} ${f.kind}: ${f.message}`);

describe('what the review lists of one change', () => {
  it("lists a creation's values, leaving out the empty ones and the common attributes known only after apply", () => {
    const created = change('aws_sqs_queue', ['create'], {
      after: { name: 'events', delay_seconds: 0, fifo_queue: false, tags: {}, redrive_policy: '', policy: null, redrive_allow_policy: [] },
      afterUnknown: { id: true, arn: true, url: true },
    });

    expect(attributesOf(created)).toEqual([
      { name: 'delay_seconds', before: '(none)', after: '0', forcesReplacement: false },
      { name: 'name', before: '(none)', after: 'events', forcesReplacement: false },
      { name: 'url', before: '(none)', after: '(known after apply)', forcesReplacement: false },
    ]);
  });

  it("lists a deletion's values as they were, whatever the plan says of after", () => {
    const deleted = change('aws_sqs_queue', ['delete'], {
      before: { name: 'events', url: 'https://sqs.eu-central-1.amazonaws.com/111111111111/events', fifo_queue: false },
      after: { name: 'renamed' },
      afterUnknown: { delay_seconds: true },
    });

    expect(attributesOf(deleted)).toEqual([
      { name: 'name', before: 'events', after: '(none)', forcesReplacement: false },
      { name: 'url', before: 'https://sqs.eu-central-1.amazonaws.com/111111111111/events', after: '(none)', forcesReplacement: false },
    ]);
  });

  it("lists an update's changed values only (absent and null are the same), what becomes known after apply, and what forces the replacement", () => {
    const replaced = change('aws_sqs_queue', ['delete', 'create'], {
      before: { name: 'events', delay_seconds: 0, tags: null, visibility_timeout_seconds: 30, redrive_policy: null },
      after: { name: 'events-2', delay_seconds: 0, visibility_timeout_seconds: 30, redrive_policy: '{"maxReceiveCount":5}' },
      afterUnknown: { url: true },
      replacePaths: [['name']],
    });

    expect(attributesOf(replaced)).toEqual([
      { name: 'name', before: 'events', after: 'events-2', forcesReplacement: true },
      { name: 'redrive_policy', before: '(none)', after: '{"maxReceiveCount":5}', forcesReplacement: false },
      { name: 'url', before: '(none)', after: '(known after apply)', forcesReplacement: false },
    ]);
  });

  it('reads an update whose before or after is not an object as having no values on that side', () => {
    const odd = change('aws_sqs_queue', ['update'], { before: 'garbage', after: { name: 'events' } });
    const odder = change('aws_sqs_queue', ['update'], { before: { name: 'events' }, after: ['garbage'] });

    expect(attributesOf(odd)).toEqual([{ name: 'name', before: '(none)', after: 'events', forcesReplacement: false }]);
    expect(attributesOf(odder)).toEqual([{ name: 'name', before: 'events', after: '(none)', forcesReplacement: false }]);
  });

  it('never shows a sensitive value, on either side', () => {
    const rotated = change('aws_sqs_queue', ['update'], {
      before: { kms_master_key_id: 'alias/old' },
      after: { kms_master_key_id: 'alias/new' },
      beforeSensitive: { kms_master_key_id: true },
      afterSensitive: { kms_master_key_id: true },
    });

    expect(attributesOf(rotated)).toEqual([
      { name: 'kms_master_key_id', before: '(sensitive)', after: '(sensitive)', forcesReplacement: false },
    ]);
  });

  it('names a deposed object as such, in its resource and its findings', () => {
    const r = review(change('aws_sqs_queue', ['delete'], { deposed: '00a1b2c3', before: { name: 'events' } }));

    expect(r.resources.map((resource) => resource.address)).toEqual(['aws_sqs_queue.this (deposed object 00a1b2c3)']);
    expect(r.findings.map((f) => f.address)).toEqual(['aws_sqs_queue.this (deposed object 00a1b2c3)']);
  });

  it('counts managed changes per cloud, in cloud order, and lists the data sources read only during apply', () => {
    const r = review(
      change('aaa_thing', ['create'], { address: 'aaa_thing.first', providerName: 'registry.terraform.io/example/zzz', after: { x: 1 } }),
      change('aws_sqs_queue', ['update'], { before: { delay_seconds: 0 }, after: { delay_seconds: 5 } }),
      change('aws_sqs_queue', ['delete', 'create'], { address: 'aws_sqs_queue.other', before: { name: 'a' }, after: { name: 'b' } }),
      change('aws_sqs_queue', ['no-op'], { address: 'aws_sqs_queue.same' }),
      change('aws_iam_policy_document', ['read'], { address: 'data.aws_iam_policy_document.later', mode: 'data' }),
      change('aws_caller_identity', ['no-op'], { address: 'data.aws_caller_identity.now', mode: 'data' }),
    );

    expect(r.counts).toEqual([
      { cloud: 'aws', create: 0, update: 1, replace: 1, delete: 0 },
      { cloud: 'zzz', create: 1, update: 0, replace: 0, delete: 0 },
    ]);
    expect(r.deferredReads).toEqual(['data.aws_iam_policy_document.later']);
    expect(r.resources.map((resource) => `${resource.address} ${resource.kind}`)).toEqual([
      'aaa_thing.first create',
      'aws_sqs_queue.other replace',
      'aws_sqs_queue.this update',
    ]);
  });
});

describe('what the review analyses', () => {
  it('leaves a change to an attribute no rule knows unanalysed, and asks for a review', () => {
    const r = review(change('aws_sqs_queue', ['update'], { before: { name: 'events' }, after: { name: 'events', tracing: 'on' } }));

    expect(r.notAnalysed).toEqual(['aws_sqs_queue.this']);
    expect(r.resources[0]?.analysed).toBe(false);
    expect(r.verdict).toBe('review');
  });

  it('neither counts nor judges an action list Terraform does not document: it leaves it unanalysed, for a person to read', () => {
    const r = review(
      change('aws_sqs_queue', ['update', 'update'], {
        before: { name: 'events' },
        after: { name: 'events' },
        afterUnknown: { policy: true },
      }),
    );

    expect(r.counts).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(r.notAnalysed).toEqual(['aws_sqs_queue.this']);
    expect(r.verdict).toBe('review');
  });

  it('judges a deleted policy by what goes with it, whatever the plan marks unknown or sensitive after', () => {
    const deny = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: '*' }] });
    const marked = (mask: 'afterUnknown' | 'afterSensitive') =>
      review(change('aws_sqs_queue', ['delete'], { before: { name: 'events', policy: deny }, [mask]: { policy: true } }));

    for (const r of [marked('afterUnknown'), marked('afterSensitive')]) {
      expect(r.findings.map((f) => f.kind)).not.toContain('policy-known-after-apply');
      expect(r.resources[0]?.policies).toEqual([
        expect.objectContaining({ label: 'queue policy (`policy`)', after: null, afterKnown: true }),
      ]);
    }
  });

  it('analyses a deletion whatever attributes it had: a deletion judges what goes, not what it set', () => {
    const r = review(change('aws_sqs_queue', ['delete'], { before: { name: 'events', tracing: 'on' } }));

    expect(r.notAnalysed).toEqual([]);
    expect(r.resources[0]?.analysed).toBe(true);
  });

  it('judges a policy known only after apply, or sensitive, as one nothing here can read', () => {
    const unknown = review(change('aws_sqs_queue', ['create'], { after: { name: 'events' }, afterUnknown: { policy: true } }));
    const sensitive = review(
      change('aws_sqs_queue', ['create'], { after: { name: 'events', policy: '{}' }, afterSensitive: { policy: true } }),
    );

    expect(messages(unknown)).toEqual([
      'aws_sqs_queue.this warning policy-known-after-apply: queue policy (`policy`): the new document is (known after apply): nothing here can judge it; read the configuration that builds it',
    ]);
    expect(messages(sensitive)).toEqual([
      'aws_sqs_queue.this warning policy-known-after-apply: queue policy (`policy`): the new document is (sensitive): nothing here can judge it; read the configuration that builds it',
    ]);
  });

  it("runs a type's deletion rule on a deletion only", () => {
    const filter = { name: 'entra-denied', pattern: '{ $.errorCode = "AccessDenied" }', log_group_name: 'trail' };
    const deleted = review(change('aws_cloudwatch_log_metric_filter', ['delete'], { before: filter }));
    const renamed = review(
      change('aws_cloudwatch_log_metric_filter', ['update'], { before: filter, after: { ...filter, name: 'renamed' } }),
    );

    expect(messages(deleted)).toEqual([
      'aws_cloudwatch_log_metric_filter.this warning alarm-weakened: a metric filter an alarm may count on is deleted',
    ]);
    expect(messages(renamed)).toEqual([]);
  });
});

describe('a destruction is never silent', () => {
  const breaks = 'What it breaks: roles that trust it can no longer be assumed with web identity tokens;';

  it.each([
    [['delete'], [], 'deletes an IAM OIDC provider. '],
    [
      ['delete', 'create'],
      [['url'], ['client_id_list', 0]],
      'replaces an IAM OIDC provider because `client_id_list.0`, `url` cannot be updated in place (Terraform: `replace_because_cannot_update`). ',
    ],
    [['create', 'delete'], [], 'replaces (create before destroy) an IAM OIDC provider. '],
    [['delete', 'delete'], [], 'plans ["delete","delete"] on an IAM OIDC provider. '],
  ])('says what %j of a federation resource does, and what it breaks', (actions, replacePaths, says) => {
    const r = review(
      change('aws_iam_openid_connect_provider', actions, {
        before: { url: 'https://login.microsoftonline.com/t/v2.0' },
        after: actions.length === 1 ? null : { url: 'https://login.microsoftonline.com/u/v2.0' },
        replacePaths,
        ...(replacePaths.length > 0 ? { actionReason: 'replace_because_cannot_update' } : {}),
      }),
    );

    const destructive = r.findings.filter((f) => f.kind === 'destructive-change');
    expect(destructive).toHaveLength(1);
    expect(destructive[0]).toMatchObject({ address: 'aws_iam_openid_connect_provider.this', severity: 'warning' });
    expect(destructive[0]?.message.startsWith(`${says}${breaks}`)).toBe(true);
  });

  it('warns of a deletion or replacement of any other analysed resource, saying what cannot be updated in place', () => {
    const deleted = review(change('aws_sqs_queue', ['delete'], { before: { name: 'events' } }));
    const replaced = review(
      change('aws_sqs_queue', ['delete', 'create'], {
        before: { name: 'events', fifo_queue: false },
        after: { name: 'events.fifo', fifo_queue: true },
        replacePaths: [['name'], ['fifo_queue']],
      }),
    );
    const unknowable =
      'the review does not know what depends on it; confirm the federation does not (a replaced table or queue loses its items)';

    expect(messages(deleted)).toEqual([`aws_sqs_queue.this warning destructive-change: deletes \`aws_sqs_queue\`: ${unknowable}`]);
    expect(messages(replaced)).toEqual([
      `aws_sqs_queue.this warning destructive-change: replaces \`aws_sqs_queue\` because \`name\`, \`fifo_queue\` cannot be updated in place: ${unknowable}`,
    ]);
  });

  it("is not silenced by another resource's finding, and names a nested attribute by its path", () => {
    const r = review(
      change('aws_cloudwatch_log_metric_filter', ['delete'], { before: { name: 'f', pattern: 'p', log_group_name: 'g' } }),
      change('aws_sqs_queue', ['delete', 'create'], {
        before: { name: 'events', redrive_allow_policy: '{}' },
        after: { name: 'events', redrive_allow_policy: '{"redrivePermission":"denyAll"}' },
        replacePaths: [['redrive_allow_policy', 'redrivePermission']],
      }),
    );

    expect(r.findings.map((f) => `${f.address} ${f.kind}`)).toEqual([
      'aws_cloudwatch_log_metric_filter.this alarm-weakened',
      'aws_sqs_queue.this destructive-change',
    ]);
    expect(r.findings[1]?.message).toMatch(
      /^replaces `aws_sqs_queue` because `redrive_allow_policy\.redrivePermission` cannot be updated in place: /,
    );
  });

  it('says nothing more of a destruction a rule already judged, nor of terraform_data, which holds no cloud object', () => {
    const alarm = review(
      change('aws_cloudwatch_log_metric_filter', ['delete'], { before: { name: 'f', pattern: 'p', log_group_name: 'g' } }),
    );
    const data = review(
      change('terraform_data', ['delete', 'create'], {
        providerName: 'terraform.io/builtin/terraform',
        before: { input: 'a' },
        after: { input: 'b' },
      }),
    );

    expect(alarm.findings.map((f) => f.kind)).toEqual(['alarm-weakened']);
    expect(data.findings).toEqual([]);
    expect(data.verdict).toBe('no-findings');
  });
});

describe("the plan's own findings", () => {
  it('blocks an errored plan: it is incomplete', () => {
    const r = buildReview(planOf([], { errored: true }), replacementLookup(), CONTEXT);

    expect(r.errored).toBe(true);
    expect(r.verdict).toBe('blocking');
    expect(messages(r)).toEqual([
      '(plan) blocking plan-errored: Terraform reported an error while planning: this plan is incomplete and must not be applied',
    ]);
  });

  it('blocks every provisioner, in the root module and in modules it calls, naming its types', () => {
    const configuration = {
      root_module: {
        resources: [
          { address: 'terraform_data.build', provisioners: [{ type: 'local-exec' }, 'not an object'] },
          { address: 'aws_sqs_queue.events', provisioners: [] },
          { address: 'aws_sqs_queue.other' },
          'not a resource',
        ],
        module_calls: {
          inner: { module: { resources: [{ address: 'terraform_data.copy', provisioners: [{ type: 'file' }, { type: 'remote-exec' }] }] } },
          broken: 'not a call',
        },
      },
    };

    const r = buildReview(planOf([], { configuration }), replacementLookup(), CONTEXT);

    expect(messages(r)).toEqual([
      "module.inner.terraform_data.copy blocking provisioner: runs `file`, `remote-exec` provisioners during apply, with the apply role's credentials: commands no plan shows",
      "terraform_data.build blocking provisioner: runs `local-exec`, `?` provisioners during apply, with the apply role's credentials: commands no plan shows",
    ]);
  });
});

describe('the member template', () => {
  const template = (resources: Record<string, unknown>, sections: Record<string, unknown> = {}) =>
    JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', ...sections, Resources: resources });
  const queue = { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'events' } };
  const stackSet = (actions: readonly string[], before: string | null, after: string | null, afterUnknown: object = {}) =>
    change('aws_cloudformation_stack_set', actions, {
      address: 'aws_cloudformation_stack_set.baseline',
      before: before === null ? null : { name: 'baseline', template_body: before },
      after: after === null ? null : { name: 'baseline', template_body: after },
      afterUnknown,
    });

  it('is compared resource by resource, each finding naming its logical ID, sections as the member template', () => {
    const r = review(
      stackSet(['update'], template({ Queue: queue }), template({}, { Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } } })),
    );

    expect(r.templates.map((t) => [t.address, typeof t.comparison === 'string' ? t.comparison : t.comparison.kind])).toEqual([
      ['aws_cloudformation_stack_set.baseline', 'compared'],
    ]);
    expect(r.findings.find((f) => f.templateResource === 'Queue')).toMatchObject({ address: 'aws_cloudformation_stack_set.baseline' });
    expect(r.findings.filter((f) => f.kind === 'template-section').map((f) => f.message)).toEqual([
      'member template: `Conditions` changes: it decides which resources exist and what their properties are in each member account; read it with the resources that use it',
    ]);
  });

  it('is compared on creation against nothing, and on deletion with nothing', () => {
    const created = review(stackSet(['create'], null, template({ Queue: queue })));
    const deleted = review(stackSet(['delete'], template({ Queue: queue }), null));

    for (const r of [created, deleted]) {
      expect(r.templates).toHaveLength(1);
      expect(r.findings.some((f) => f.templateResource === 'Queue')).toBe(true);
    }
  });

  it('is not compared when it does not change', () => {
    const r = review(
      change('aws_cloudformation_stack_set', ['update'], {
        before: { name: 'baseline', description: 'a', template_body: template({ Queue: queue }) },
        after: { name: 'baseline', description: 'b', template_body: template({ Queue: queue }) },
      }),
    );

    expect(r.templates).toEqual([]);
    expect(r.findings).toEqual([]);
  });

  it('asks for the configuration when it is known only after apply', () => {
    const r = review(stackSet(['update'], template({ Queue: queue }), null, { template_body: true }));

    expect(r.templates).toEqual([{ address: 'aws_cloudformation_stack_set.baseline', comparison: 'known after apply' }]);
    expect(messages(r)).toContain(
      'aws_cloudformation_stack_set.baseline warning template-known-after-apply: the member template is (known after apply): read the configuration that builds it',
    );
  });

  it.each([
    ['before', 'not json', template({ Queue: queue })],
    ['after', template({ Queue: queue }), '{"Resources": '],
  ])('asks to compare by hand when the %s template is not JSON', (side, before, after) => {
    const r = review(stackSet(['update'], before, after));

    expect(messages(r)).toEqual([
      `aws_cloudformation_stack_set.baseline warning template-unreadable: the ${side} member template is not a JSON CloudFormation template: compare it by hand`,
    ]);
  });

  it('is not compared for an action list Terraform does not document', () => {
    const r = review(stackSet(['update', 'update'], template({ Queue: queue }), template({})));

    expect(r.templates).toEqual([]);
  });

  it('is compared only for the baseline StackSet, not for another CloudFormation stack', () => {
    const r = review(
      change('aws_cloudformation_stack', ['update'], {
        before: { name: 'other', template_body: template({ Queue: queue }) },
        after: { name: 'other', template_body: template({}) },
        afterUnknown: { template_body: false },
      }),
    );

    expect(r.templates).toEqual([]);
    expect(r.notAnalysed).toEqual(['aws_cloudformation_stack.this']);
  });
});
