import { grants, parsePolicy, prettyPolicy } from '../../plan-review/policy';

/**
 * How a policy document is read into statements and grants, element by element, as the IAM
 * grammar writes them (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html):
 * `Statement` is one object or an array, and every list element is a string or an array.
 */

const statementsOf = (...Statement: object[]) => parsePolicy({ Version: '2012-10-17', Statement })!;
const only = (statement: object) => parsePolicy({ Version: '2012-10-17', Statement: statement })![0];

describe('parsePolicy', () => {
  it('reads one statement object like a one-element Statement array', () => {
    const statement = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::logs/*' };
    expect(parsePolicy({ Statement: statement })).toEqual(statementsOf(statement));
    expect(only(statement)).toEqual({
      effect: 'Allow',
      actions: ['s3:GetObject'],
      resources: ['arn:aws:s3:::logs/*'],
      principals: [],
      conditions: [],
    });
  });

  it('reads JSON text like the object it encodes', () => {
    const document = { Statement: [{ Effect: 'Deny', Action: ['iam:*'], Resource: '*' }] };
    expect(parsePolicy(JSON.stringify(document))).toEqual(parsePolicy(document));
    expect(parsePolicy(JSON.stringify(document))![0].effect).toBe('Deny');
  });

  it('is null for anything that is not a document with a Statement', () => {
    for (const notAPolicy of ['{', '[]', '"text"', 'null', null, undefined, 42, ['Statement'], { Version: '2012-10-17' }]) {
      expect(parsePolicy(notAPolicy)).toBeNull();
    }
  });

  it('skips statements that are not objects, and reads a Statement of null as none', () => {
    expect(parsePolicy({ Statement: null })).toEqual([]);
    expect(
      parsePolicy({ Statement: ['Allow', 7, null, [], { Effect: 'Allow', Action: 'sqs:SendMessage' }] })!.map((s) => s.actions),
    ).toEqual([['sqs:SendMessage']]);
  });

  it('reads only the exact `Deny` as a Deny: any other Effect is read as the Allow it may be', () => {
    // IAM accepts only "Allow" and "Deny" (case-sensitive); reading anything else as an Allow means
    // it is compared as access granted, never as access refused.
    expect(only({ Effect: 'Deny', Action: 'a:b' }).effect).toBe('Deny');
    for (const effect of ['Allow', 'deny', 'DENY', undefined, 'Refuse'])
      expect(only({ Effect: effect, Action: 'a:b' }).effect).toBe('Allow');
  });

  it('keeps actions and resources as written, a string or a list, and none when the element is absent or null', () => {
    expect(only({ Effect: 'Allow', Action: ['S3:GetObject', 's3:putobject'], Resource: ['b', 'a'] })).toMatchObject({
      actions: ['S3:GetObject', 's3:putobject'],
      resources: ['b', 'a'],
    });
    expect(only({ Effect: 'Allow', Action: null })).toMatchObject({ actions: [], resources: [] });
  });

  it('keeps NotAction and NotResource whole, sorted, as one token that says it is negated', () => {
    // NotAction / NotResource match everything except the list
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html,
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html):
    // no part of the list is a grant of its own.
    const statement = only({ Effect: 'Allow', NotAction: ['sts:AssumeRole', 'iam:*'], NotResource: 'arn:aws:iam::*:role/admin' });
    expect(statement.actions).toEqual(['NotAction [iam:*, sts:AssumeRole]']);
    expect(statement.resources).toEqual(['NotResource [arn:aws:iam::*:role/admin]']);
    // When both are written, the positive element is what is read.
    expect(only({ Effect: 'Allow', Action: 'a:b', NotAction: 'c:d' }).actions).toEqual(['a:b']);
  });

  it('writes values that are not text as their stable JSON', () => {
    const statement = only({ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Sub': 'x', Other: 1 } });
    expect(statement.resources).toEqual(['{"Fn::Sub":"x","Other":1}']);
    expect(only({ Effect: 'Allow', Action: 's3:GetObject', Resource: { Other: 1, 'Fn::Sub': 'x' } }).resources).toEqual(
      statement.resources,
    );
  });

  it('reads principals as `type:id`, types in order, and `*` alone for everyone', () => {
    expect(only({ Effect: 'Allow', Principal: '*' }).principals).toEqual(['*']);
    expect(only({ Effect: 'Allow', Principal: ['*'] }).principals).toEqual(['*']);
    expect(
      only({
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com', AWS: ['arn:aws:iam::222222222222:root', '333333333333'], Federated: null },
      }).principals,
    ).toEqual(['AWS:arn:aws:iam::222222222222:root', 'AWS:333333333333', 'Service:lambda.amazonaws.com']);
    expect(only({ Effect: 'Allow', Principal: { AWS: '*' } }).principals).toEqual(['AWS:*']);
  });

  it('keeps NotPrincipal whole as one token, types named inside it', () => {
    // NotPrincipal with Allow grants every principal but the list
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
    expect(
      only({ Effect: 'Allow', NotPrincipal: { Service: 's.amazonaws.com', AWS: 'arn:aws:iam::222222222222:root' } }).principals,
    ).toEqual(['NotPrincipal [NotPrincipal AWS:arn:aws:iam::222222222222:root, NotPrincipal Service:s.amazonaws.com]']);
    expect(only({ Effect: 'Allow', NotPrincipal: '*' }).principals).toEqual(['NotPrincipal [NotPrincipal *]']);
    expect(only({ Effect: 'Allow', NotPrincipal: ['x', 'y'] }).principals).toEqual(['NotPrincipal [NotPrincipal x, NotPrincipal y]']);
    expect(only({ Effect: 'Allow', Principal: '*', NotPrincipal: 'x' }).principals).toEqual(['*']);
  });

  it('reads conditions operator by operator and key by key, in order, values sorted', () => {
    // Condition blocks: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
    const statement = only({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Condition: {
        StringLike: { 'aws:SourceArn': ['arn:b', 'arn:a'], 'aws:PrincipalTag/team': 'web' },
        Bool: { 'aws:SecureTransport': false },
        Null: { 'aws:TokenIssueTime': null },
      },
    });
    expect(statement.conditions).toEqual([
      { operator: 'Bool', key: 'aws:SecureTransport', values: ['false'] },
      { operator: 'Null', key: 'aws:TokenIssueTime', values: [] },
      { operator: 'StringLike', key: 'aws:PrincipalTag/team', values: ['web'] },
      { operator: 'StringLike', key: 'aws:SourceArn', values: ['arn:a', 'arn:b'] },
    ]);
  });

  it('keeps a condition block that is not an object as a malformed condition, and no conditions when Condition is not an object', () => {
    expect(only({ Effect: 'Allow', Condition: { StringEquals: ['x'] } }).conditions).toEqual([
      { operator: 'StringEquals', key: '(malformed)', values: ['["x"]'] },
    ]);
    expect(only({ Effect: 'Allow', Condition: { Bool: 'true' } }).conditions).toEqual([
      { operator: 'Bool', key: '(malformed)', values: ['true'] },
    ]);
    expect(only({ Effect: 'Allow', Condition: 'StringEquals' }).conditions).toEqual([]);
  });
});

describe('grants', () => {
  it('expands each statement of the effect asked into every action × resource × principal, with its conditions', () => {
    const conditions = { StringEquals: { 'aws:SourceAccount': '222222222222' } };
    const statements = statementsOf(
      { Effect: 'Allow', Action: ['a:One', 'a:Two'], Resource: ['r1', 'r2'], Principal: { AWS: ['p1', 'p2'] }, Condition: conditions },
      { Effect: 'Deny', Action: 'a:Three', Resource: 'r3' },
    );
    const allowed = grants(statements, 'Allow');
    expect(allowed).toHaveLength(8);
    expect(allowed.map((g) => `${g.action} ${g.resource} ${g.principal}`)).toEqual([
      'a:One r1 AWS:p1',
      'a:One r1 AWS:p2',
      'a:One r2 AWS:p1',
      'a:One r2 AWS:p2',
      'a:Two r1 AWS:p1',
      'a:Two r1 AWS:p2',
      'a:Two r2 AWS:p1',
      'a:Two r2 AWS:p2',
    ]);
    expect(allowed.every((g) => g.conditions === statements[0].conditions)).toBe(true);
    expect(grants(statements, 'Deny')).toEqual([{ action: 'a:Three', resource: 'r3', principal: '(none)', conditions: [] }]);
  });

  it('stands an absent element for `(none)`, so a statement without Action or Resource still counts once', () => {
    expect(grants(statementsOf({ Effect: 'Allow' }), 'Allow')).toEqual([
      { action: '(none)', resource: '(none)', principal: '(none)', conditions: [] },
    ]);
    expect(grants([], 'Allow')).toEqual([]);
  });
});

describe('prettyPolicy', () => {
  it('indents JSON text and objects by two spaces, the same for both', () => {
    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject' }] };
    const expected = ['{', '  "Version": "2012-10-17",', '  "Statement": [', '    {', '      "Effect": "Allow",'].join('\n');
    expect(prettyPolicy(JSON.stringify(document))).toMatch(new RegExp(`^${expected.replace(/[[\]{}]/g, '\\$&')}`));
    expect(prettyPolicy(document)).toBe(prettyPolicy(JSON.stringify(document)));
  });

  it('shows text that is not JSON as it is', () => {
    expect(prettyPolicy('{"Statement": [')).toBe('{"Statement": [');
  });
});
