import type { ResourceChange } from '../../plan-review/plan';
import { buildReview } from '../../plan-review/review';
import { type AttributeJudgeInput, TYPE_RULES } from '../../plan-review/rules';
import { CONTEXT, change, planOf, replacementLookup } from './support';

/**
 * What the review says of the resources around the functions' permissions and the federation's
 * safety nets: a function's resource policy, managed policy attachments, a role's managed and
 * inline policies and its permissions boundary, the security alarms, a bucket's public access
 * block, and the stack set that deploys the member baseline. Each attack is a pull request that
 * would get a quieter review without the judge it names.
 */

const CENTRAL = CONTEXT.centralAccountId;
const FOREIGN = '222222222222';

const review = (...resourceChanges: ResourceChange[]) => buildReview(planOf(resourceChanges), replacementLookup(), CONTEXT);
const reviewWith = (configuration: unknown, ...resourceChanges: ResourceChange[]) =>
  buildReview(planOf(resourceChanges, { configuration }), replacementLookup(), CONTEXT);
const found = (r: ReturnType<typeof review>) => r.findings.map((f) => `${f.severity} ${f.kind}`);
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
/** A configuration whose root module holds one resource with these expressions. */
const configurationOf = (address: string, expressions: Record<string, unknown>) => ({
  root_module: { resources: [{ address, mode: 'managed', expressions }] },
});

describe("a function's resource policy (aws_lambda_permission)", () => {
  const permission = (after: Record<string, unknown>) =>
    change('aws_lambda_permission', ['create'], {
      after: { action: 'lambda:InvokeFunction', function_name: 'web-identity-router', statement_id: 'invoke', ...after },
    });

  it.each([
    ['anyone', '*'],
    ['another account', FOREIGN],
    ['a role of another account', `arn:aws:iam::${FOREIGN}:role/relay`],
    // Role names allow dots: the ARN ends like a service principal, and is none.
    ['a role of another account named like a service', `arn:aws:iam::${FOREIGN}:role/events.amazonaws.com`],
    ['a host that only contains a service name', 'events.amazonaws.com.attacker.example'],
  ])('blocks %s (%s) invoking the function directly, even bound to the central account', (_, principal) => {
    // Prepare: a source account does not bound a principal that is not a service.
    const r = review(permission({ principal, source_account: CENTRAL, source_arn: null }));

    // Assess
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ address: 'aws_lambda_permission.this', severity: 'blocking', kind: 'lambda-permission' });
    expect(r.findings[0]?.message).toContain(`\`${principal}\` may call \`lambda:InvokeFunction\` on \`web-identity-router\``);
  });

  it.each([
    ['a rule of the central account', { source_arn: `arn:aws:events:eu-central-1:${CENTRAL}:rule/forward`, source_account: null }],
    ['the central account', { source_arn: null, source_account: CENTRAL }],
    ['a bucket of the central account', { source_arn: 'arn:aws:s3:::central-bucket', source_account: CENTRAL }],
  ])('reports a service bound to %s as information, naming its source', (_, source) => {
    // Act
    const r = review(permission({ principal: 'events.amazonaws.com', ...source }));

    // Assess
    expect(found(r)).toEqual(['info lambda-permission']);
    expect(r.findings[0]?.message).toContain('`events.amazonaws.com` may invoke `web-identity-router` from ');
    expect(r.findings[0]?.message).toContain(`\`${source.source_arn ?? source.source_account}\``);
  });

  it('reads a regional service principal (logs.<region>.amazonaws.com) as a service', () => {
    // Act
    const r = review(
      permission({ principal: 'logs.eu-central-1.amazonaws.com', source_arn: `arn:aws:logs:eu-central-1:${CENTRAL}:log-group:trail:*` }),
    );

    // Assess
    expect(found(r)).toEqual(['info lambda-permission']);
  });

  it.each([
    ['a rule of another account', { source_arn: `arn:aws:events:eu-central-1:${FOREIGN}:rule/forge`, source_account: null }],
    ['another source account', { source_arn: null, source_account: FOREIGN }],
    // The ARN's account wins: a source account cannot make another account's rule central.
    [
      'a rule of another account, whatever the source account',
      { source_arn: `arn:aws:sns:eu-central-1:${FOREIGN}:t`, source_account: CENTRAL },
    ],
  ])('warns of a service invoking the function on behalf of %s, naming that account', (_, source) => {
    // Act
    const r = review(permission({ principal: 'sns.amazonaws.com', ...source }));

    // Assess
    expect(found(r)).toEqual(['warning lambda-permission']);
    expect(r.findings[0]?.message).toContain(`on behalf of the account \`${FOREIGN}\`, outside the central account`);
  });

  it.each([
    ['no source at all', { source_arn: null, source_account: null }],
    // Attack: a bucket ARN names no account; deleted, the bucket's name can be taken by another account.
    ['a bucket ARN alone', { source_arn: 'arn:aws:s3:::central-bucket', source_account: null }],
  ])('warns of a service that may invoke the function on behalf of any account: %s', (_, source) => {
    // Act
    const r = review(permission({ principal: 's3.amazonaws.com', ...source }));

    // Assess
    expect(found(r)).toEqual(['warning lambda-permission']);
    expect(r.findings[0]?.message).toContain('on behalf of any account');
  });

  it('says nothing of a permission it takes away but the destruction, whatever the plan says of after', () => {
    // Prepare
    const deleted = change('aws_lambda_permission', ['delete'], {
      before: { action: 'lambda:InvokeFunction', function_name: 'web-identity-router', principal: '*' },
      after: { action: 'lambda:InvokeFunction', function_name: 'web-identity-router', principal: '*' },
    });

    // Act / Assess
    expect(found(review(deleted))).toEqual(['warning destructive-change']);
  });
});

describe('a managed policy attachment', () => {
  const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';

  it.each([
    ['aws_iam_role_policy_attachment', { role: 'web-identity-router' }, 'web-identity-router'],
    ['aws_iam_policy_attachment', { name: 'a', roles: ['web-identity-router'], users: null, groups: null }, '["web-identity-router"]'],
    ['aws_iam_policy_attachment', { name: 'a', roles: null, users: ['mallory'], groups: null }, '["mallory"]'],
    ['aws_iam_policy_attachment', { name: 'a', roles: null, users: null, groups: ['admins'] }, '["admins"]'],
  ])('warns that %s attaches the policy, naming the policy and who gets it (%j)', (type, to, named) => {
    // Act
    const r = review(change(type, ['create'], { after: { policy_arn: admin, ...to } }));

    // Assess
    expect(found(r)).toEqual(['warning managed-policy-attached']);
    expect(r.findings[0]?.message).toBe(`attaches \`${admin}\` to \`${named}\``);
  });

  it('says nothing of an attachment it takes away but the destruction, whatever the plan says of after', () => {
    // Prepare
    const detached = change('aws_iam_role_policy_attachment', ['delete'], {
      before: { policy_arn: admin, role: 'web-identity-router' },
      after: { policy_arn: admin, role: 'web-identity-router' },
    });

    // Act / Assess
    expect(found(review(detached))).toEqual(['warning destructive-change']);
  });
});

describe("a role's managed policies (managed_policy_arns)", () => {
  const readOnly = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
  const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';

  it('warns of each policy the update attaches, not of those already attached nor of those it detaches', () => {
    // Prepare
    const role = change('aws_iam_role', ['update'], {
      before: { name: 'router', managed_policy_arns: [readOnly, 'arn:aws:iam::aws:policy/Old'] },
      after: { name: 'router', managed_policy_arns: [readOnly, admin] },
    });

    // Act
    const r = review(role);

    // Assess
    expect(found(r)).toEqual(['warning managed-policy-attached']);
    expect(r.findings[0]?.message).toContain(`\`${admin}\``);
  });

  it('says nothing when the update detaches every policy', () => {
    // Act
    const r = review(
      change('aws_iam_role', ['update'], {
        before: { name: 'router', managed_policy_arns: [readOnly] },
        after: { name: 'router', managed_policy_arns: null },
      }),
    );

    // Assess
    expect(r.findings).toEqual([]);
  });

  it('cannot attach policies known only after apply to an existing role', () => {
    // Prepare
    const role = change('aws_iam_role', ['update'], {
      before: { name: 'router', managed_policy_arns: [readOnly] },
      after: { name: 'router' },
      afterUnknown: { managed_policy_arns: true },
    });

    // Act
    const r = review(role);

    // Assess
    expect(found(r)).toEqual(['warning managed-policy-attached']);
    expect(r.findings[0]?.message).toContain('(known after apply)');
  });

  describe('on a creation, known only after apply', () => {
    const created = (address = 'aws_iam_role.this') =>
      change('aws_iam_role', ['create'], { address, after: { name: 'helper' }, afterUnknown: { managed_policy_arns: true } });

    it.each([
      ['the plan holds no configuration', {}],
      ['the root module has no resource list', { root_module: {} }],
      ['the configuration does not hold the resource (a module, say)', configurationOf('aws_iam_role.other', {})],
      ['the resource has no expressions', { root_module: { resources: [{ address: 'aws_iam_role.this' }] } }],
    ])('counts as attaching when nobody can tell whether the configuration sets it: %s', (_, configuration) => {
      // Act / Assess
      expect(found(reviewWith(configuration, created()))).toEqual(['warning managed-policy-attached']);
    });

    it.each([
      ['aws_iam_role.this', 'aws_iam_role.this'],
      ['aws_iam_role.this["router"]', 'aws_iam_role.this'],
      ['aws_iam_role.this[12]', 'aws_iam_role.this'],
    ])('warns when the configuration of %s sets it', (address, configured) => {
      // Prepare
      const configuration = configurationOf(configured, {
        name: { constant_value: 'helper' },
        managed_policy_arns: { references: ['data.aws_iam_policy.admin.arn'] },
      });

      // Act / Assess
      expect(found(reviewWith(configuration, created(address)))).toEqual(['warning managed-policy-attached']);
    });

    it.each([
      ['aws_iam_role.this', 'aws_iam_role.this'],
      ['aws_iam_role.this["router"]', 'aws_iam_role.this'],
      ['aws_iam_role.this[12]', 'aws_iam_role.this'],
    ])('says nothing when the configuration of %s does not set it (optional and computed: nothing is attached)', (address, configured) => {
      // Prepare
      const configuration = configurationOf(configured, { name: { constant_value: 'helper' } });

      // Act
      const r = reviewWith(configuration, created(address));

      // Assess
      expect(r.findings).toEqual([]);
      expect(r.verdict).toBe('no-findings');
    });
  });
});

describe("a role's inline policies (aws_iam_role.inline_policy)", () => {
  const read = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::central-bucket/*' });
  const wide = doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
  const denyIam = doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*' });
  const role = (before: unknown, after: unknown, fields: Partial<ResourceChange> = {}) =>
    change('aws_iam_role', ['update'], {
      before: { name: 'router', inline_policy: before },
      after: { name: 'router', inline_policy: after },
      ...fields,
    });
  const labels = (r: ReturnType<typeof review>) => r.resources[0]?.policies.map((p) => p.label);

  it('judges each changed document by its name, in name order, and leaves the unchanged ones out', () => {
    // Prepare: `b` widens, `a` loses its Deny, `c` stays as it is.
    const r = review(
      role(
        [
          { name: 'c', policy: read },
          { name: 'b', policy: read },
          { name: 'a', policy: denyIam },
        ],
        [
          { name: 'c', policy: read },
          { name: 'b', policy: wide },
        ],
      ),
    );

    // Assess
    expect(labels(r)).toEqual(['inline policy `a` (`inline_policy`)', 'inline policy `b` (`inline_policy`)']);
    expect(r.findings.map((f) => `${f.severity} ${f.kind}: ${f.message}`)).toEqual([
      'warning policy-widened: inline policy `a` (`inline_policy`): Deny no longer applies: `iam:*` on `*`',
      'warning policy-widened: inline policy `b` (`inline_policy`): new `*` in Action: `s3:*`',
    ]);
  });

  it('judges a document added under a new name', () => {
    // Act
    const r = review(
      role(
        [{ name: 'a', policy: read }],
        [
          { name: 'a', policy: read },
          { name: 'more', policy: wide },
        ],
      ),
    );

    // Assess
    expect(labels(r)).toEqual(['inline policy `more` (`inline_policy`)']);
    expect(r.findings.length).toBeGreaterThan(0);
    for (const f of r.findings) {
      expect(f).toMatchObject({ severity: 'warning', kind: 'policy-widened' });
      expect(f.message).toMatch(/^inline policy `more` \(`inline_policy`\): /);
    }
  });

  it('says nothing of documents that only move in the list', () => {
    // Act
    const r = review(
      role(
        [
          { name: 'a', policy: read },
          { name: 'b', policy: wide },
        ],
        [
          { name: 'b', policy: wide },
          { name: 'a', policy: read },
        ],
      ),
    );

    // Assess
    expect(r.findings).toEqual([]);
    expect(labels(r)).toEqual([]);
  });

  it.each([
    ['known after apply', { afterUnknown: { inline_policy: true } }],
    ['sensitive', { afterSensitive: { inline_policy: true } }],
    ['known after apply in one block', { afterUnknown: { inline_policy: [{ policy: true }] } }],
  ])('cannot hide a new document %s: nothing can judge it', (_, hiding) => {
    // Act
    const r = review(
      role(
        [{ name: 'a', policy: read }],
        [
          { name: 'a', policy: read },
          { name: 'later', policy: null },
        ],
        hiding,
      ),
    );

    // Assess
    expect(found(r)).toContain('warning policy-known-after-apply');
    expect(r.findings.find((f) => f.kind === 'policy-known-after-apply')?.message).toMatch(/^inline policies \(`inline_policy`\)/);
  });

  it('cannot hide a whole block known only after apply (null in the plan)', () => {
    // Act
    const r = review(role([{ name: 'a', policy: read }], [null], { afterUnknown: { inline_policy: [true] } }));

    // Assess
    expect(found(r)).toContain('warning policy-known-after-apply');
  });

  it('judges an inline document that is known as known, without saying it is hidden', () => {
    // Act
    const r = review(role([{ name: 'a', policy: read }], [{ name: 'a', policy: wide }]));

    // Assess
    expect(found(r)).toEqual(['warning policy-widened']);
    expect(r.resources[0]?.policies[0]?.afterKnown).toBe(true);
  });

  it.each([
    ['sets them', { inline_policy: [{ name: { constant_value: 'x' } }] }, ['warning policy-known-after-apply']],
    ['does not set them (optional and computed)', {}, []],
  ])('on a creation known only after apply, warns only when the configuration %s', (_, expressions, expected) => {
    // Prepare
    const created = change('aws_iam_role', ['create'], { after: { name: 'helper' }, afterUnknown: { inline_policy: true } });

    // Act / Assess
    expect(found(reviewWith(configurationOf('aws_iam_role.this', { name: {}, ...expressions }), created))).toEqual(expected);
  });

  it("judges a deleted role's documents for the Deny statements they take with them, whatever the plan marks unknown", () => {
    // Prepare
    const deleted = change('aws_iam_role', ['delete'], {
      before: { name: 'router', inline_policy: [{ name: 'guard', policy: denyIam }] },
      afterUnknown: { inline_policy: true },
    });

    // Act
    const r = review(deleted);

    // Assess
    expect(r.findings.map((f) => `${f.severity} ${f.kind}: ${f.message}`)).toEqual([
      'warning policy-widened: inline policy `guard` (`inline_policy`): Deny no longer applies: `iam:*` on `*`',
    ]);
  });
});

describe("a role's permissions boundary", () => {
  const boundary = 'arn:aws:iam::111111111111:policy/boundary';
  const role = (before: unknown, after: unknown) =>
    change('aws_iam_role', ['update'], {
      before: { name: 'router', permissions_boundary: before },
      after: { name: 'router', permissions_boundary: after },
    });

  it.each([
    ['removed', null],
    ['changed', 'arn:aws:iam::111111111111:policy/wider'],
  ])('warns when the boundary is %s: the role may do more than it could', (how, after) => {
    // Act
    const r = review(role(boundary, after));

    // Assess
    expect(r.findings.map((f) => `${f.severity} ${f.kind}: ${f.message}`)).toEqual([
      `warning permissions-boundary-removed: permissions boundary ${how}`,
    ]);
  });

  it('says nothing of a boundary added where there was none: it only narrows', () => {
    expect(review(role(null, boundary)).findings).toEqual([]);
  });

  it('says nothing of a boundary that stays the same', () => {
    // A whole review never judges an unchanged attribute: asked directly.
    const judge = TYPE_RULES.aws_iam_role?.judged.permissions_boundary;
    const input = { kind: 'update', name: 'permissions_boundary', before: boundary, after: boundary } as unknown as AttributeJudgeInput;

    expect(judge?.(input)).toEqual([]);
  });
});

describe('the security alarms and their metric filters', () => {
  it.each([
    ['aws_cloudwatch_metric_alarm', 'threshold', 1, 1000],
    ['aws_cloudwatch_metric_alarm', 'actions_enabled', true, false],
    ['aws_cloudwatch_log_metric_filter', 'pattern', '{ $.errorCode = "AccessDenied" }', '{ $.errorCode = "Never" }'],
    ['aws_sns_topic_subscription', 'endpoint', 'security@example.com', 'attacker@example.com'],
  ])('warns of an update of %s.%s, showing the value before and after', (type, attribute, before, after) => {
    // Prepare: an alarm that never fires (a threshold out of reach, actions off, a pattern that never matches, another recipient).
    const r = review(change(type, ['update'], { before: { name: 'x', [attribute]: before }, after: { name: 'x', [attribute]: after } }));

    // Assess
    expect(found(r)).toEqual(['warning alarm-weakened']);
    expect(r.findings[0]?.message).toContain(`\`${attribute}\` changes on an alarm`);
    expect(r.findings[0]?.message).toContain(`(\`${String(before)}\` → \`${String(after)}\`)`);
  });

  it('says nothing of a new alarm', () => {
    // Act
    const r = review(
      change('aws_cloudwatch_metric_alarm', ['create'], {
        after: { alarm_name: 'entra-denied', threshold: 1, alarm_actions: ['arn:aws:sns:x'] },
      }),
    );

    // Assess
    expect(r.findings).toEqual([]);
  });
});

describe("a bucket's public access block", () => {
  it.each(['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'])(
    'warns when %s is turned off: the bucket may be made public',
    (attribute) => {
      // Act
      const r = review(
        change('aws_s3_bucket_public_access_block', ['update'], {
          before: { bucket: 'b', [attribute]: true },
          after: { bucket: 'b', [attribute]: false },
        }),
      );

      // Assess
      expect(found(r)).toEqual(['warning bucket-access-relaxed']);
      expect(r.findings[0]?.message).toMatch(new RegExp(`^\`${attribute}\` is off`));
    },
  );

  it('says nothing when a block is turned on', () => {
    // Act
    const r = review(
      change('aws_s3_bucket_public_access_block', ['update'], {
        before: { bucket: 'b', block_public_policy: false },
        after: { bucket: 'b', block_public_policy: true },
      }),
    );

    // Assess
    expect(r.findings).toEqual([]);
  });
});

describe('the stack set that deploys the member baseline', () => {
  it('warns of a changed setting, showing it before and after', () => {
    // Prepare: the member template deployed by another role.
    const r = review(
      change('aws_cloudformation_stack_set', ['update'], {
        before: { name: 'baseline', administration_role_arn: `arn:aws:iam::${CENTRAL}:role/admin` },
        after: { name: 'baseline', administration_role_arn: `arn:aws:iam::${CENTRAL}:role/other` },
      }),
    );

    // Assess
    expect(found(r)).toEqual(['warning stack-set-setting']);
    expect(r.findings[0]?.message).toContain(`\`arn:aws:iam::${CENTRAL}:role/admin\` → \`arn:aws:iam::${CENTRAL}:role/other\``);
  });

  it('reports the account a new stack instance deploys the baseline to, as information', () => {
    // Act
    const r = review(
      change('aws_cloudformation_stack_set_instance', ['create'], { after: { stack_set_name: 'baseline', account_id: FOREIGN } }),
    );

    // Assess
    expect(r.findings.map((f) => `${f.severity} ${f.kind}: ${f.message}`)).toEqual([
      `info stack-set-targets: deploys the member baseline to \`${FOREIGN}\``,
    ]);
  });

  it('warns when a stack instance moves to other accounts, showing them before and after', () => {
    // Act
    const r = review(
      change('aws_cloudformation_stack_set_instance', ['update'], {
        before: { stack_set_name: 'baseline', deployment_targets: [{ organizational_unit_ids: ['ou-a'] }] },
        after: { stack_set_name: 'baseline', deployment_targets: [{ organizational_unit_ids: ['ou-b'] }] },
      }),
    );

    // Assess
    expect(found(r)).toEqual(['warning stack-set-targets']);
    expect(r.findings[0]?.message).toContain(
      '`deployment_targets`: `[{"organizational_unit_ids":["ou-a"]}]` → `[{"organizational_unit_ids":["ou-b"]}]`',
    );
  });
});
