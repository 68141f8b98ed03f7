import { parsePolicy, widenings } from '../../plan-review/policy';

/** Widened access between two IAM policy documents. */

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const compare = (before: string | null, after: string) => widenings(before === null ? null : parsePolicy(before), parsePolicy(after));

const invoke = {
  Effect: 'Allow',
  Action: 'lambda:InvokeFunction',
  Resource: 'arn:aws:lambda:eu-central-1:111111111111:function:web-identity-router',
};
const trust = {
  Effect: 'Allow',
  Action: 'sts:AssumeRole',
  Principal: { Service: 'lambda.amazonaws.com' },
  Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
};

describe('widenings', () => {
  it('finds nothing when the document only changes form (a string becomes a one-element array, keys reorder, action case)', () => {
    // Prepare
    const after = doc({ Resource: [invoke.Resource], Action: ['Lambda:invokeFunction'], Effect: 'Allow' });
    // Act / Assess
    expect(compare(doc(invoke), after)).toEqual([]);
  });

  it('finds nothing when access narrows (a resource removed, a condition added)', () => {
    expect(compare(doc(trust, invoke), doc(trust))).toEqual([]);
    const stricter = {
      ...trust,
      Condition: { ...trust.Condition, ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:*:111111111111:function:web-identity-*' } },
    };
    expect(compare(doc(trust), doc(stricter))).toEqual([]);
  });

  it('flags a new action, and a new `*` in Action, Resource and Principal', () => {
    // Prepare
    const after = doc(
      invoke,
      { Effect: 'Allow', Action: ['states:*', 'iam:PassRole'], Resource: '*' },
      { ...trust, Principal: { AWS: '*' } },
    );
    // Act
    const found = compare(doc(invoke, trust), after);
    // Assess
    expect(found).toEqual(['new `*` in Action: `states:*`', 'new `*` in Principal: `AWS:*`', 'new action: `iam:PassRole`']);
    expect(compare(doc(invoke), doc({ ...invoke, Resource: 'arn:aws:lambda:eu-central-1:111111111111:function:*' }))).toEqual([
      'new `*` in Resource: `arn:aws:lambda:eu-central-1:111111111111:function:*`',
    ]);
  });

  it('flags a removed condition and a condition that now allows more values', () => {
    // Prepare
    const { Condition: _removed, ...unconditional } = trust;
    const twoAccounts = { ...trust, Condition: { StringEquals: { 'aws:SourceAccount': ['111111111111', '999999999999'] } } };
    // Act / Assess
    expect(compare(doc(trust), doc(unconditional))).toEqual([
      'condition removed: `StringEquals` `aws:SourceAccount` (`sts:AssumeRole` for `Service:lambda.amazonaws.com`)',
    ]);
    expect(compare(doc(trust), doc(twoAccounts))).toEqual([
      'condition `StringEquals` `aws:SourceAccount` now also allows `999999999999` (`sts:AssumeRole` for `Service:lambda.amazonaws.com`)',
    ]);
  });

  it('flags a Deny that no longer applies (an action dropped from it, or the statement removed)', () => {
    // Prepare
    const deny = {
      Effect: 'Deny',
      Action: ['iam:PutRolePolicy', 'iam:DeleteRole'],
      Resource: 'arn:aws:iam::*:role/web-identity-automation',
    };
    // Act / Assess
    expect(compare(doc(invoke, deny), doc(invoke, { ...deny, Action: ['iam:DeleteRole'] }))).toEqual([
      'Deny no longer applies: `iam:PutRolePolicy` on `arn:aws:iam::*:role/web-identity-automation`',
    ]);
    expect(compare(doc(invoke, deny), doc(invoke))).toHaveLength(2);
  });

  it('for a new policy flags only its wildcards (all of it is new; the review shows it whole)', () => {
    expect(compare(null, doc(trust, invoke))).toEqual([]);
    expect(compare(null, doc({ Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:iam::111111111111:role/*' }))).toEqual([
      '`*` in Resource: `arn:aws:iam::111111111111:role/*`',
    ]);
  });

  it('reads intrinsic functions in template policies as their JSON text', () => {
    // Prepare
    const sub = (role: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${role}` });
    const before = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: sub('app-*') }] };
    const after = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: sub('*') }] };
    // Act / Assess
    expect(widenings(parsePolicy(before), parsePolicy(after))).toEqual([
      'new `*` in Resource: `{"Fn::Sub":"arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*"}`',
    ]);
  });

  it('counts NotAction like a `*`: it allows every action but its list', () => {
    expect(compare(doc(invoke), doc({ Effect: 'Allow', NotAction: 'iam:PassRole', Resource: invoke.Resource }))).toEqual([
      'new `*` in Action: `NotAction [iam:PassRole]`',
    ]);
  });
});

describe('parsePolicy', () => {
  it('returns null for text that is not a policy document', () => {
    expect(parsePolicy('not json')).toBeNull();
    expect(parsePolicy('{"Version":"2012-10-17"}')).toBeNull();
  });
});
