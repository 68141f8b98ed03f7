import fc from 'fast-check';
import { parsePolicy, widenings } from '../../plan-review/policy';

/**
 * What a new version of a policy document allows that the old one did not, element by element.
 * A pull request that widens access must get a finding; one that only rewrites the document must not.
 */

const policy = (...Statement: object[]) => parsePolicy({ Version: '2012-10-17', Statement })!;
const widened = (before: object[] | null, after: object[] | null) =>
  widenings(before === null ? null : policy(...before), after === null ? null : policy(...after));

const BUCKET = 'arn:aws:s3:::web-identity-logs';
const read = { Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/*` };
const trust = { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } };

describe('widenings of a new document', () => {
  it('flags every wildcard of Action, Resource and Principal once, NotAction and NotPrincipal included, sorted', () => {
    expect(
      widened(null, [
        { Effect: 'Allow', Action: ['s3:Get*', 's3:Get*'], Resource: '*', Principal: { AWS: '*' } },
        { Effect: 'Allow', NotAction: 'iam:*', Resource: BUCKET, NotPrincipal: { AWS: 'arn:aws:iam::222222222222:root' } },
        // Deny statements are not access granted.
        { Effect: 'Deny', Action: '*', Resource: '*' },
      ]),
    ).toEqual([
      '`*` in Action: `NotAction [iam:*]`',
      '`*` in Action: `s3:Get*`',
      '`*` in Principal: `AWS:*`',
      '`*` in Principal: `NotPrincipal [NotPrincipal AWS:arn:aws:iam::222222222222:root]`',
      '`*` in Resource: `*`',
    ]);
  });

  it('flags nothing for a new document without wildcards, nor for no document at all', () => {
    const readOne = { ...read, Resource: `${BUCKET}/report.csv` };
    expect(widened(null, [readOne, trust])).toEqual([]);
    expect(widened(null, null)).toEqual([]);
    // NotResource is every resource but its list.
    expect(widened(null, [readOne, { Effect: 'Allow', Action: 's3:ListBucket', NotResource: BUCKET }])).toEqual([
      '`*` in Resource: `NotResource [arn:aws:s3:::web-identity-logs]`',
    ]);
  });

  it('takes `?` for the wildcard it is in actions and resources', () => {
    // `?` matches any one character, in action names
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html) and within
    // each ARN segment (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html):
    // `sts:??????????` is sts:AssumeRole among others.
    expect(widened(null, [{ Effect: 'Allow', Action: 'sts:??????????', Resource: 'arn:aws:s3:::web-identity-log?' }])).toEqual([
      '`*` in Action: `sts:??????????`',
      '`*` in Resource: `arn:aws:s3:::web-identity-log?`',
    ]);
    expect(widened([read], [read, { ...read, Resource: 'arn:aws:s3:::web-identity-log?/report.csv' }])).toEqual([
      'new `*` in Resource: `arn:aws:s3:::web-identity-log?/report.csv`',
    ]);
  });
});

describe('widenings of a changed document', () => {
  it('matches action names case-insensitively, as IAM does, and resources and principals as written', () => {
    // "Action element values are case insensitive":
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    expect(widened([read], [{ ...read, Action: 'S3:getobject' }])).toEqual([]);
    expect(widened([read], [{ ...read, Resource: `${BUCKET.toUpperCase()}/*` }])).toEqual([
      'new `*` in Resource: `ARN:AWS:S3:::WEB-IDENTITY-LOGS/*`',
    ]);
    expect(widened([trust], [{ ...trust, Principal: { Service: 'Lambda.amazonaws.com' } }])).toEqual([
      'new principal: `Service:Lambda.amazonaws.com`',
    ]);
  });

  it('names what is new: an action, a resource, a principal, each as a wildcard when it holds one', () => {
    expect(widened([read], [read, { ...read, Action: 's3:PutObject' }])).toEqual(['new action: `s3:PutObject`']);
    expect(widened([read], [read, { ...read, Action: 's3:*' }])).toEqual(['new `*` in Action: `s3:*`']);
    expect(widened([read], [read, { ...read, Resource: `${BUCKET}/reports/today` }])).toEqual([
      'new resource: `arn:aws:s3:::web-identity-logs/reports/today`',
    ]);
    const { Resource: _resource, ...anyResource } = read;
    expect(widened([read], [read, { ...anyResource, NotResource: BUCKET }])).toEqual([
      'new `*` in Resource: `NotResource [arn:aws:s3:::web-identity-logs]`',
    ]);
    expect(widened([trust], [trust, { ...trust, Principal: { AWS: 'arn:aws:iam::222222222222:role/ci' } }])).toEqual([
      'new principal: `AWS:arn:aws:iam::222222222222:role/ci`',
    ]);
    expect(widened([trust], [trust, { ...trust, Principal: { AWS: 'arn:aws:iam::*:role/ci' } }])).toEqual([
      'new `*` in Principal: `AWS:arn:aws:iam::*:role/ci`',
    ]);
  });

  it('flags a known action on a known resource that was never granted together', () => {
    // Each piece is known, the pair is new: s3:PutObject was allowed only on the other bucket. The
    // conditions of other grants are not this grant's: it is new, not a loosened one.
    const fromNetwork = { ...read, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } };
    const before = [fromNetwork, { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::drop/*' }];
    expect(widened(before, [...before, { ...read, Action: 's3:PutObject' }])).toEqual([
      'newly granted (`s3:PutObject` on `arn:aws:s3:::web-identity-logs/*`)',
    ]);
    // A trust policy's grants have no Resource; an identity policy's no principal: neither is named.
    const trusts = [trust, { ...trust, Action: 'sts:TagSession', Principal: { Service: 'states.amazonaws.com' } }];
    expect(widened(trusts, [...trusts, { ...trust, Action: 'sts:TagSession' }])).toEqual([
      'newly granted (`sts:TagSession` for `Service:lambda.amazonaws.com`)',
    ]);
  });

  it('takes more conditions, or fewer values of a condition, as narrower', () => {
    // Keys of a condition block are ANDed, values of one key ORed:
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
    const bounded = { ...trust, Condition: { StringEquals: { 'aws:SourceAccount': ['222222222222', '333333333333'] } } };
    expect(widened([bounded], [{ ...trust, Condition: { StringEquals: { 'aws:SourceAccount': '222222222222' } } }])).toEqual([]);
    expect(widened([bounded], [{ ...trust, Condition: { ...bounded.Condition, Bool: { 'aws:SecureTransport': 'true' } } }])).toEqual([]);
    // Condition key names are not case-sensitive (operators are): the same key written otherwise is the same bound.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
    expect(widened([bounded], [{ ...trust, Condition: { StringEquals: { 'AWS:SOURCEACCOUNT': '222222222222' } } }])).toEqual([]);
  });

  it('flags each condition lost or loosened, a condition under another operator being a lost one', () => {
    const bounded = {
      ...trust,
      Condition: { StringEquals: { 'aws:SourceAccount': '222222222222' }, ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:*:222222222222:*' } },
    };
    expect(widened([bounded], [trust])).toEqual([
      'condition removed: `ArnLike` `aws:SourceArn` (`sts:AssumeRole` for `Service:lambda.amazonaws.com`)',
      'condition removed: `StringEquals` `aws:SourceAccount` (`sts:AssumeRole` for `Service:lambda.amazonaws.com`)',
    ]);
    expect(
      widened(
        [bounded],
        [{ ...bounded, Condition: { ...bounded.Condition, StringEquals: { 'aws:SourceAccount': ['222222222222', '4', '3'] } } }],
      ),
    ).toEqual([
      'condition `StringEquals` `aws:SourceAccount` now also allows `3`, `4` (`sts:AssumeRole` for `Service:lambda.amazonaws.com`)',
    ]);
    expect(
      widened(
        [bounded],
        [{ ...bounded, Condition: { ...bounded.Condition, StringEquals: undefined, StringLike: bounded.Condition.StringEquals } }],
      ),
    ).toEqual(['condition removed: `StringEquals` `aws:SourceAccount` (`sts:AssumeRole` for `Service:lambda.amazonaws.com`)']);
    const onBucket = { ...read, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } };
    expect(widened([onBucket], [read])).toEqual([
      'condition removed: `IpAddress` `aws:SourceIp` (`s3:GetObject` on `arn:aws:s3:::web-identity-logs/*`)',
    ]);
  });

  it('keeps a grant that another unconditional statement already allowed', () => {
    const conditional = { ...read, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } };
    expect(widened([conditional, read], [read])).toEqual([]);
  });

  it('flags values removed from a negated condition: it now lets them through', () => {
    // Values of a negated operator (StringNotEquals, ArnNotLike, NotIpAddress, …) are NORed: each
    // value removed from the list is a value no longer excluded, so the statement applies to more.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
    const exceptTwo = { ...read, Condition: { StringNotEquals: { 'aws:SourceVpc': ['vpc-1', 'vpc-2'] } } };
    const exceptOne = { ...read, Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-1' } } };
    expect(widened([exceptTwo], [exceptOne])).toEqual([
      'condition `StringNotEquals` `aws:SourceVpc` no longer excludes `vpc-2` (`s3:GetObject` on `arn:aws:s3:::web-identity-logs/*`)',
    ]);
    // Excluding one more is narrower.
    expect(widened([exceptOne], [exceptTwo])).toEqual([]);
    const outsideNetwork = { ...read, Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.0.2.0/24'] } } };
    expect(widened([outsideNetwork], [{ ...read, Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }])).toHaveLength(1);
  });
});

describe('Deny statements that no longer apply', () => {
  const fence = {
    Effect: 'Deny',
    Action: ['iam:PutRolePolicy', 'iam:AttachRolePolicy'],
    Resource: ['arn:aws:iam::*:role/b-admin', 'arn:aws:iam::*:role/a-admin'],
  };

  it('keeps a Deny rewritten in another case or order, or with fewer conditions', () => {
    expect(widened([fence], [{ ...fence, Action: ['IAM:attachrolepolicy', 'iam:putRolePolicy'] }])).toEqual([]);
    const conditional = {
      ...fence,
      Condition: { StringNotEquals: { 'aws:PrincipalAccount': '111111111111' }, Bool: { 'aws:ViaAWSService': 'false' } },
    };
    expect(widened([conditional], [{ ...fence, Condition: { StringNotEquals: conditional.Condition.StringNotEquals } }])).toEqual([]);
    expect(widened([conditional], [fence])).toEqual([]);
  });

  it('names each action no longer denied with the resources it was denied on, sorted', () => {
    expect(widened([fence], [])).toEqual([
      'Deny no longer applies: `iam:AttachRolePolicy` on `arn:aws:iam::*:role/a-admin`, `arn:aws:iam::*:role/b-admin`',
      'Deny no longer applies: `iam:PutRolePolicy` on `arn:aws:iam::*:role/a-admin`, `arn:aws:iam::*:role/b-admin`',
    ]);
    expect(widenings(policy(fence), null)).toEqual(widened([fence], []));
    expect(widened([fence], [{ ...fence, Resource: 'arn:aws:iam::*:role/a-admin' }])).toEqual([
      'Deny no longer applies: `iam:AttachRolePolicy` on `arn:aws:iam::*:role/b-admin`',
      'Deny no longer applies: `iam:PutRolePolicy` on `arn:aws:iam::*:role/b-admin`',
    ]);
  });

  it('lifts a Deny whose new version applies under one more condition, or to another effect', () => {
    const conditional = {
      ...fence,
      Action: 'iam:PutRolePolicy',
      Condition: { StringNotEquals: { 'aws:PrincipalAccount': '111111111111' } },
    };
    expect(widened([{ ...fence, Action: 'iam:PutRolePolicy' }], [conditional])).toEqual([
      'Deny no longer applies: `iam:PutRolePolicy` on `arn:aws:iam::*:role/a-admin`, `arn:aws:iam::*:role/b-admin`',
    ]);
    expect(widened([fence], [{ ...fence, Effect: 'Allow' }]).filter((w) => w.startsWith('Deny'))).toHaveLength(2);
  });

  it('lifts a Deny bounded by a negated condition that now excludes one more value', () => {
    // "Deny unless the principal is in the organization": adding an organization to the list lets its principals through.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
    const outsiders = {
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Principal: '*',
      Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-exampleorg1' } },
    };
    const twoOrgs = { ...outsiders, Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ['o-exampleorg1', 'o-attacker'] } } };
    expect(widened([outsiders], [twoOrgs])).toEqual(['Deny no longer applies: `s3:*` on `*` for `*`']);
    // Excluding fewer makes the Deny apply to more: it still applies.
    expect(widened([twoOrgs], [outsiders])).toEqual([]);
  });

  it('names the principal a Deny of a resource policy no longer refuses', () => {
    const refuse = { Effect: 'Deny', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::222222222222:root' } };
    expect(widened([refuse], [])).toEqual([
      'Deny no longer applies: `sts:AssumeRole` on `(none)` for `AWS:arn:aws:iam::222222222222:root`',
    ]);
  });
});

/** Statements with the nasty cases of the grammar: mixed-case actions, lists or strings, Not… elements, conditions. */
const actionName = fc.constantFrom('s3:GetObject', 'iam:PassRole', 'sts:AssumeRole', 'lambda:InvokeFunction', 'sqs:*', 'iam:Put*Policy');
const statement = fc
  .record({
    Effect: fc.constantFrom('Allow', 'Deny'),
    actions: fc.uniqueArray(actionName, { minLength: 1, maxLength: 3 }),
    negatedActions: fc.boolean(),
    Resource: fc.uniqueArray(fc.constantFrom('*', 'arn:aws:s3:::a/*', 'arn:aws:iam::*:role/x'), { minLength: 1, maxLength: 2 }),
    Principal: fc.option(
      fc.constantFrom('*', { AWS: 'arn:aws:iam::222222222222:root' }, { Service: ['a.amazonaws.com', 'b.amazonaws.com'] }),
      {
        nil: undefined,
      },
    ),
    Condition: fc.option(
      fc.constantFrom(
        { StringEquals: { 'aws:SourceAccount': ['1', '2'] } },
        { StringNotEquals: { 'aws:PrincipalOrgID': 'o-1' } },
        { Bool: { 'aws:SecureTransport': true }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      ),
      { nil: undefined },
    ),
  })
  .map(({ actions, negatedActions, ...rest }) => ({ ...rest, [negatedActions ? 'NotAction' : 'Action']: actions }));
const rewrite = (s: any, upper: boolean) => ({
  ...s,
  ...(s.Action ? { Action: s.Action.map((a: string) => (upper ? a.toUpperCase() : a.toLowerCase())) } : {}),
  Resource: s.Resource.length === 1 ? s.Resource[0] : [...s.Resource].reverse(),
});

describe('widenings, for any document', () => {
  it('finds nothing when a document only changes form (action case, a list of one written as its value, order)', () => {
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 4 }), fc.boolean(), (statements, upper) => {
        expect(
          widened(
            statements,
            [...statements].reverse().map((s) => rewrite(s, upper)),
          ),
        ).toEqual([]);
      }),
      { seed: 2012, numRuns: 150 },
    );
  });

  it('always flags an Allow statement added with an action the document never granted', () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 4 }), fc.constantFrom('Kms:Decrypt', 'ec2:RunInstances'), (statements, action) => {
        const added = { Effect: 'Allow', Action: action, Resource: 'arn:aws:s3:::a/*' };
        expect(widened(statements, [...statements, added])).toContain(`new action: \`${action}\``);
      }),
      { seed: 17, numRuns: 100 },
    );
  });

  it('always flags every action of a Deny statement removed, unless another Deny still covers it', () => {
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 4 }), (statements) => {
        const [removed, ...kept] = statements;
        const found = widened(statements, kept);
        const stillDenied = policy(...kept).filter((s) => s.effect === 'Deny');
        for (const action of removed.Effect === 'Deny' ? policy(removed)[0].actions : []) {
          const covered = stillDenied.some((s) => s.actions.some((a) => a.toLowerCase() === action.toLowerCase()));
          if (!covered) expect(found.some((f) => f.startsWith(`Deny no longer applies: \`${action}\``))).toBe(true);
        }
        // Findings come sorted and once each.
        expect(found).toEqual([...new Set(found)].sort());
      }),
      { seed: 1017, numRuns: 150 },
    );
  });
});
