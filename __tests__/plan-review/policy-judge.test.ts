import fc from 'fast-check';
import { type PolicyJudgementOptions, judgePolicy } from '../../plan-review/policy';
import { CONTEXT } from './support';

/**
 * A changed policy document judged as the review shows it: unreadable documents are never "no
 * change", new principals are judged one by one, and new grants of IAM writes are named.
 * CONTEXT is the example configuration: organization o-exampleorg1, central account 111111111111,
 * protected roles OrganizationAccountAccessRole, AWSControlTower*, stacksets-exec-*, …
 */

const terraform: PolicyJudgementOptions = { ctx: CONTEXT, template: false };
const trustPolicy: PolicyJudgementOptions = { ctx: CONTEXT, template: false, trust: true };
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const said = (judgements: { kind: string; severity: string; message: string }[]) =>
  judgements.map((j) => `${j.kind} ${j.severity}: ${j.message}`);

const assume = (Principal: unknown, Condition?: object) => ({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal, Condition });
const ORG = { StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorg1' } };

describe('judgePolicy: a document removed', () => {
  it('says nothing when what goes was only access granted, or nothing readable', () => {
    expect(judgePolicy(doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), undefined, terraform)).toEqual([]);
    expect(judgePolicy(undefined, undefined, terraform)).toEqual([]);
    expect(judgePolicy(null, null, terraform)).toEqual([]);
    expect(judgePolicy('{not json', null, terraform)).toEqual([]);
    expect(judgePolicy('{"Version":"2012-10-17"}', null, terraform)).toEqual([]);
  });

  it('flags the Deny statements that go with it, in every variant a template can produce', () => {
    const fence = { Effect: 'Deny', Action: 'iam:PutRolePolicy', Resource: 'arn:aws:iam::*:role/OrganizationAccountAccessRole' };
    expect(said(judgePolicy(doc(fence), null, terraform))).toEqual([
      'policy-widened warning: Deny no longer applies: `iam:PutRolePolicy` on `arn:aws:iam::*:role/OrganizationAccountAccessRole`',
    ]);
    const either = {
      Version: '2012-10-17',
      Statement: [{ ...fence, Action: { 'Fn::If': ['Prod', 'iam:PutRolePolicy', 'iam:DeleteRole'] } }],
    };
    expect(said(judgePolicy(either, undefined, { ctx: CONTEXT, template: true }))).toEqual([
      'policy-widened warning: Deny no longer applies: `iam:PutRolePolicy` on `arn:aws:iam::*:role/OrganizationAccountAccessRole`',
      'policy-widened warning: Deny no longer applies: `iam:DeleteRole` on `arn:aws:iam::*:role/OrganizationAccountAccessRole`',
    ]);
  });
});

describe('judgePolicy: documents it cannot judge', () => {
  const unreadable = (after: unknown, options = terraform) => said(judgePolicy(undefined, after, options));

  it('says why the new document cannot be read, never that nothing changed', () => {
    expect(unreadable('{"Statement": [')).toEqual([
      'policy-unreadable warning: cannot judge the new document (it is not JSON): read it yourself',
    ]);
    // JSON.parse keeps the last of two equal keys; IAM may not (plan-review/json-text.ts).
    expect(unreadable('{"Statement": {"Effect": "Deny", "Effect": "Allow", "Action": "*"}}')).toEqual([
      'policy-unreadable warning: cannot judge the new document (the key `Effect` appears twice in one object): read it yourself',
    ]);
    expect(
      unreadable({ Statement: [{ Effect: 'Allow', Action: { 'Fn::ImportValue': 'actions' } }] }, { ctx: CONTEXT, template: true }),
    ).toEqual([
      'policy-unreadable warning: cannot judge the new document (it is built with Fn::ImportValue cannot be read before deployment): read it yourself',
    ]);
  });

  it('names every element IAM does not define, a statement that is not an object, and an Effect other than Allow or Deny', () => {
    const strange = JSON.stringify({
      Version: '2012-10-17',
      Id: 'kept',
      Extra: 1,
      Statement: [{ Sid: 'a', Effect: 'allow', Actions: 's3:*' }, 'Allow', { Effect: 'Deny', Action: '*', Resource: '*', Condition: {} }],
    });
    expect(unreadable(strange)).toEqual([
      'policy-unreadable warning: cannot judge the new document (unknown element `Extra`; unknown statement element `Actions`; `Effect` `allow`; a statement that is not an object): read it yourself',
    ]);
    expect(unreadable(doc({ Action: 's3:GetObject' }))).toEqual([
      'policy-unreadable warning: cannot judge the new document (`Effect` `undefined`): read it yourself',
    ]);
  });

  it('names the strange element of a document whose Statement is one object', () => {
    expect(unreadable(JSON.stringify({ Statement: { Effect: 'Allow', Action: '*', Resources: '*' } }))).toEqual([
      'policy-unreadable warning: cannot judge the new document (unknown statement element `Resources`): read it yourself',
    ]);
  });

  it('judges a document that uses every element IAM defines', () => {
    const everyElement = doc(
      { Sid: 'Lambda', Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' }, Condition: ORG },
      { Sid: 'NotMe', Effect: 'Deny', NotAction: 'sts:TagSession', NotResource: '*', NotPrincipal: { AWS: '111111111111' } },
    );
    expect(said(judgePolicy(undefined, everyElement, trustPolicy))).toEqual([
      'principal-service info: the AWS service `lambda.amazonaws.com`',
    ]);
  });

  it('does not judge a template document one of whose variants is not a policy document', () => {
    const either = {
      'Fn::If': [
        'Prod',
        { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b' }] },
        { Version: '2012-10-17' },
      ],
    };
    expect(unreadable(either, { ctx: CONTEXT, template: true })).toEqual([
      'policy-unreadable warning: cannot judge the new document (it is not a policy document with a `Statement`): read it yourself',
    ]);
  });

  it('does not judge text that is JSON but not a document with a Statement', () => {
    const notAPolicy =
      'policy-unreadable warning: cannot judge the new document (it is not a policy document with a `Statement`): read it yourself';
    expect(unreadable('{"Version":"2012-10-17"}')).toEqual([notAPolicy]);
    expect(unreadable('[{"Effect":"Allow"}]')).toEqual([notAPolicy]);
    expect(unreadable('"*"')).toEqual([notAPolicy]);
  });

  it('judges the new document as new when the previous one cannot be read, and says so', () => {
    const found = said(judgePolicy('{"Statement": [', doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }), terraform));
    expect(found).toEqual([
      'policy-unreadable warning: cannot read the previous document (it is not JSON): the new one is judged as if it were new',
      'policy-widened warning: new document grants `s3:GetObject`',
      'policy-widened warning: `*` in Resource: `*`',
    ]);
  });
});

describe('judgePolicy: what a document grants', () => {
  it('names what a new identity policy grants, the first eight actions and how many more', () => {
    const actions = ['s3:A', 's3:B', 's3:C', 's3:D', 's3:E', 's3:F', 's3:G', 's3:H', 's3:I', 's3:J'];
    const bucket = 'arn:aws:s3:::b';
    expect(said(judgePolicy(undefined, doc({ Effect: 'Allow', Action: [...actions].reverse(), Resource: bucket }), terraform))).toEqual([
      'policy-widened warning: new document grants `s3:A`, `s3:B`, `s3:C`, `s3:D`, `s3:E`, `s3:F`, `s3:G`, `s3:H` and 2 more',
    ]);
    expect(said(judgePolicy(undefined, doc({ Effect: 'Allow', Action: actions.slice(0, 8), Resource: bucket }), terraform))).toEqual([
      'policy-widened warning: new document grants `s3:A`, `s3:B`, `s3:C`, `s3:D`, `s3:E`, `s3:F`, `s3:G`, `s3:H`',
    ]);
    // Only Deny statements: nothing granted.
    expect(judgePolicy(undefined, doc({ Effect: 'Deny', Action: '*', Resource: '*' }), terraform)).toEqual([]);
  });

  it('reports the widenings of a changed document, and nothing when it only changes form', () => {
    const before = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
    expect(judgePolicy(before, doc({ Effect: 'Allow', Action: ['S3:GETOBJECT'], Resource: ['arn:aws:s3:::b/*'] }), terraform)).toEqual([]);
    expect(
      said(
        judgePolicy(before, doc({ Effect: 'Allow', Action: ['s3:GetObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::b/*' }), terraform),
      ),
    ).toEqual(['policy-widened warning: new action: `s3:DeleteObject`']);
  });

  it('reads what looks like an intrinsic function in a Terraform document as the text it is', () => {
    // Only a CloudFormation template resolves intrinsic functions: in a Terraform attribute they are plain JSON.
    const imported = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::ImportValue': 'bucket' } });
    expect(said(judgePolicy(undefined, imported, terraform))).toEqual(['policy-widened warning: new document grants `s3:GetObject`']);
  });

  it('compares every variant of a template document with every variant of the previous one', () => {
    const template = { ctx: CONTEXT, template: true };
    const before = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b' }] };
    const after = {
      Statement: [{ Effect: 'Allow', Action: { 'Fn::If': ['Prod', 's3:GetObject', 's3:PutObject'] }, Resource: 'arn:aws:s3:::b' }],
    };
    expect(said(judgePolicy(before, after, template))).toEqual(['policy-widened warning: new action: `s3:PutObject`']);
    expect(judgePolicy(JSON.stringify(before), JSON.stringify(before), { ...template })).toEqual([]);
  });
});

describe('judgePolicy: new principals', () => {
  const trusting = (Principal: unknown, Condition?: object, before?: string) =>
    said(judgePolicy(before, doc(assume(Principal, Condition)), trustPolicy));

  it('warns of any principal at all, unless aws:PrincipalOrgID bounds it to the organization', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
    expect(trusting('*')).toEqual([
      'policy-widened warning: `*` in Principal: `*`',
      'principal-public warning: `*`: any AWS principal, with no `aws:PrincipalOrgID` bound to the organization',
    ]);
    expect(trusting({ AWS: '*' }, ORG)).toEqual([
      'policy-widened warning: `*` in Principal: `AWS:*`',
      'principal-organization info: any principal of the organization `o-exampleorg1` (`aws:PrincipalOrgID`)',
    ]);
  });

  it('takes only StringEquals (or its IgnoreCase) of exactly the organization as a bound, the key in any case', () => {
    const bound = (Condition: object) => trusting('*', Condition).some((f) => f.startsWith('principal-organization'));
    expect(bound({ StringEqualsIgnoreCase: { 'AWS:PrincipalOrgId': 'o-exampleorg1' } })).toBe(true);
    expect(bound({ StringLike: { 'aws:PrincipalOrgID': 'o-exampleorg1' } })).toBe(false);
    expect(bound({ 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgID': 'o-exampleorg1' } })).toBe(false);
    // IfExists lets through a principal that has no organization at all.
    expect(bound({ StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-exampleorg1' } })).toBe(false);
    expect(bound({ StringEquals: { 'aws:PrincipalOrgID': ['o-exampleorg1', 'o-other'] } })).toBe(false);
    expect(bound({ StringEquals: { 'aws:PrincipalOrgID': [] } })).toBe(false);
    expect(bound({ StringEquals: { 'aws:PrincipalAccount': 'o-exampleorg1' } })).toBe(false);
  });

  it('trusts the central account without a word, and asks about any other account', () => {
    expect(trusting({ AWS: 'arn:aws:iam::111111111111:role/web-identity-sweep-plan' })).toEqual([]);
    expect(trusting({ AWS: '111111111111' })).toEqual([]);
    expect(trusting({ AWS: 'arn:aws:sts::222222222222:assumed-role/ci/session' })).toEqual([
      'principal-cross-account warning: `arn:aws:sts::222222222222:assumed-role/ci/session`: cross-account (`222222222222`): confirm it belongs to the organization',
    ]);
    expect(trusting({ AWS: '333333333333' })).toEqual([
      'principal-cross-account warning: `333333333333`: cross-account (`333333333333`): confirm it belongs to the organization',
    ]);
    // Only an ARN that starts as one names the central account: text around it is not trusted.
    expect(trusting({ AWS: 'x-arn:aws:iam::111111111111:root' })).toEqual([
      'principal-cross-account warning: `x-arn:aws:iam::111111111111:root`: cross-account: confirm it belongs to the organization',
    ]);
    expect(trusting({ AWS: '1111111111112' })).toEqual([
      'principal-cross-account warning: `1111111111112`: cross-account: confirm it belongs to the organization',
    ]);
    expect(trusting({ AWS: 'AIDAEXAMPLEUNIQUEID' })).toEqual([
      'principal-cross-account warning: `AIDAEXAMPLEUNIQUEID`: cross-account: confirm it belongs to the organization',
    ]);
    expect(trusting({ AWS: 'arn:aws:iam::333333333333:root' }, ORG)).toEqual([
      'principal-organization info: `arn:aws:iam::333333333333:root`, bounded to the organization by `aws:PrincipalOrgID`',
    ]);
  });

  it("reads the template's own account as the member account's principals", () => {
    const memberRoot = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' };
    const found = judgePolicy(
      undefined,
      { Version: '2012-10-17', Statement: [assume({ AWS: memberRoot })] },
      { ...trustPolicy, template: true },
    );
    expect(said(found)).toEqual([
      'principal-cross-account warning: `arn:${AWS::Partition}:iam::${AWS::AccountId}:root`: principals of the member account itself (app teams create roles there): confirm they may',
    ]);
    expect(said(judgePolicy(undefined, doc(assume({ AWS: '${AWS::AccountId}' })), trustPolicy))[0]).toMatch(
      /principals of the member account itself/,
    );
  });

  it('takes a service on a new role as information, and a service added to an existing trust as a warning', () => {
    // Whoever can pass the role to the service acts as it: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    const lambda = doc(assume({ Service: 'lambda.amazonaws.com' }));
    expect(trusting({ Service: 'lambda.amazonaws.com' })).toEqual(['principal-service info: the AWS service `lambda.amazonaws.com`']);
    expect(said(judgePolicy(lambda, doc(assume({ Service: ['lambda.amazonaws.com', 'ec2.amazonaws.com'] })), trustPolicy))).toEqual([
      'policy-widened warning: new principal: `Service:ec2.amazonaws.com`',
      'principal-service warning: the AWS service `ec2.amazonaws.com` is newly trusted: whoever can pass the role to it acts as the role',
    ]);
  });

  it('asks who can obtain tokens of a federated provider, and leaves any other principal to the reader', () => {
    expect(trusting({ Federated: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com' })).toEqual([
      'principal-federated warning: tokens of the identity provider `arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com`: confirm who can obtain them',
    ]);
    expect(trusting({ CanonicalUser: 'abc123' })).toEqual([
      'principal-other warning: `CanonicalUser:abc123`: a principal the review does not judge; read it yourself',
    ]);
    // NotPrincipal with Allow trusts everyone but its list.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    const everyoneBut = said(
      judgePolicy(undefined, doc({ Effect: 'Allow', Action: 'sts:AssumeRole', NotPrincipal: { AWS: '333333333333' } }), trustPolicy),
    );
    expect(everyoneBut).toContain(
      'principal-other warning: `NotPrincipal [NotPrincipal AWS:333333333333]`: a principal the review does not judge; read it yourself',
    );
  });

  it('judges a known principal again only when it is everyone, unbounded, on a new grant', () => {
    const before = doc(assume({ AWS: 'arn:aws:iam::333333333333:root' }), assume('*', ORG));
    const tagging = (Principal: unknown, Condition?: object) => ({ Effect: 'Allow', Action: 'sts:TagSession', Principal, Condition });
    // Known principals, granted one more action: only the unbounded `*` is judged again.
    expect(
      said(
        judgePolicy(
          before,
          doc(assume({ AWS: 'arn:aws:iam::333333333333:root' }), tagging({ AWS: 'arn:aws:iam::333333333333:root' })),
          trustPolicy,
        ),
      ),
    ).toEqual(['policy-widened warning: new action: `sts:TagSession`']);
    expect(said(judgePolicy(before, doc(assume('*', ORG), tagging('*', ORG)), trustPolicy))).toEqual([
      'policy-widened warning: new action: `sts:TagSession`',
    ]);
    expect(said(judgePolicy(before, doc(assume('*', ORG), tagging('*')), trustPolicy))).toEqual([
      'policy-widened warning: new action: `sts:TagSession`',
      'principal-public warning: `*`: any AWS principal, with no `aws:PrincipalOrgID` bound to the organization',
    ]);
    const anyAws = doc(assume({ AWS: '*' }, ORG));
    expect(said(judgePolicy(anyAws, doc(assume({ AWS: '*' })), trustPolicy))).toEqual([
      'policy-widened warning: condition removed: `StringEquals` `aws:PrincipalOrgID` (`sts:AssumeRole` for `AWS:*`)',
      'principal-public warning: `AWS:*`: any AWS principal, with no `aws:PrincipalOrgID` bound to the organization',
    ]);
    // Unchanged: nothing to judge.
    expect(judgePolicy(before, before, trustPolicy)).toEqual([]);
  });
});

describe('judgePolicy: IAM writes granted', () => {
  const granting = (statement: object, before?: string) =>
    said(judgePolicy(before, doc(statement), terraform)).filter((f) => f.startsWith('iam-write-granted'));

  it('names a new grant of an action that changes who may do what, matched as IAM matches action patterns', () => {
    // `*` and `?` wildcards, case-insensitive: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    const on = 'arn:aws:iam::222222222222:role/app-*';
    for (const action of ['iam:PassRole', 'IAM:putrolepolicy', 'iam:*Policy', 'i*:Put*', 'iam:Tag?ole', 'sts:AssumeRole', '*', 'iam:*']) {
      expect(granting({ Effect: 'Allow', Action: action, Resource: on })).toEqual([
        `iam-write-granted warning: grants \`${action}\` on \`${on}\``,
      ]);
    }
    for (const action of [
      'iam:GetRole',
      'iam:List*',
      'sts:AssumeRoleWithWebIdentity',
      'iam:Tag?',
      'iam.PassRole',
      'iam:Pass.Role',
      'PassRole',
      'xiam:PassRole',
      'iam:PassRole2',
      's3:*',
    ]) {
      expect(granting({ Effect: 'Allow', Action: action, Resource: on })).toEqual([]);
    }
    // NotAction grants everything but its list, IAM writes included.
    expect(granting({ Effect: 'Allow', NotAction: 's3:*', Resource: on })).toEqual([
      `iam-write-granted warning: grants \`NotAction [s3:*]\` on \`${on}\``,
    ]);
  });

  it('counts every IAM write that changes who may do what, and taking another identity', () => {
    // The actions that let whoever holds them grant themselves more (write a role's policies or
    // trust, its boundary, its tags, a user's keys, an identity provider) or become another role.
    const writes = [
      'iam:AddClientIDToOpenIDConnectProvider',
      'iam:AddRoleToInstanceProfile',
      'iam:AttachRolePolicy',
      'iam:CreateAccessKey',
      'iam:CreateLoginProfile',
      'iam:CreateOpenIDConnectProvider',
      'iam:CreatePolicyVersion',
      'iam:CreateRole',
      'iam:CreateUser',
      'iam:DeleteRolePermissionsBoundary',
      'iam:DeleteRolePolicy',
      'iam:PassRole',
      'iam:PutRolePermissionsBoundary',
      'iam:PutRolePolicy',
      'iam:RemoveClientIDFromOpenIDConnectProvider',
      'iam:SetDefaultPolicyVersion',
      'iam:TagRole',
      'iam:UntagRole',
      'iam:UpdateAssumeRolePolicy',
      'iam:UpdateOpenIDConnectProviderThumbprint',
      'iam:UpdateRole',
      'sts:AssumeRole',
    ];
    const counted = writes.filter((Action) => granting({ Effect: 'Allow', Action, Resource: 'arn:aws:iam::*:user/x' }).length === 1);
    expect(counted).toEqual(writes);
  });

  it('names the protected role a granted resource reaches', () => {
    const passOn = (Resource?: string) => granting({ Effect: 'Allow', Action: 'iam:PassRole', Resource });
    expect(passOn('*')).toEqual([
      'iam-write-granted warning: grants `iam:PassRole` on `*`, which reaches the protected role `OrganizationAccountAccessRole`',
    ]);
    expect(passOn(undefined)).toEqual([
      'iam-write-granted warning: grants `iam:PassRole` on `(none)`, which reaches the protected role `OrganizationAccountAccessRole`',
    ]);
    expect(passOn('arn:aws:iam::222222222222:role/service/AWSControlTowerExecution')).toEqual([
      'iam-write-granted warning: grants `iam:PassRole` on `arn:aws:iam::222222222222:role/service/AWSControlTowerExecution`, which reaches the protected role `AWSControlTower*`',
    ]);
    expect(passOn('arn:aws:iam::*:role/stacksets-exec-*')).toEqual([
      'iam-write-granted warning: grants `iam:PassRole` on `arn:aws:iam::*:role/stacksets-exec-*`, which reaches the protected role `stacksets-exec-*`',
    ]);
    expect(passOn('arn:aws:iam::*:role/organizationaccountaccess*')[0]).toMatch(
      /reaches the protected role `OrganizationAccountAccessRole`$/,
    );
    // `?` is any one character, and a `*` ending an ARN segment reaches across the colons after it:
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    expect(passOn('arn:aws:iam::222222222222:role/OrganizationAccountAccessRol?')[0]).toMatch(
      /reaches the protected role `OrganizationAccountAccessRole`$/,
    );
    expect(passOn('arn:aws:iam::222222222222:*')[0]).toMatch(/reaches the protected role `OrganizationAccountAccessRole`$/);
    expect(passOn('arn*')[0]).toMatch(/reaches the protected role `OrganizationAccountAccessRole`$/);
    expect(passOn('arn:aws:iam::*:rol*')[0]).toMatch(/reaches the protected role `OrganizationAccountAccessRole`$/);
    expect(passOn('arn:aws-cn:iam::*:role/stacksets-exec-?bc')[0]).toMatch(/reaches the protected role `stacksets-exec-\*`$/);
    // The review does not know the path a protected role was created under: a name matched under any path counts.
    expect(passOn('arn:aws:iam::*:role/*/OrganizationAccountAccess*')[0]).toMatch(
      /reaches the protected role `OrganizationAccountAccessRole`$/,
    );
    // Not a role, or a role no protected pattern names: the grant alone is named.
    expect(passOn('arn:aws:iam::*:user/admin')).toEqual([
      'iam-write-granted warning: grants `iam:PassRole` on `arn:aws:iam::*:user/admin`',
    ]);
    expect(passOn('arn:aws:iam::*:role/app-reader')).toEqual([
      'iam-write-granted warning: grants `iam:PassRole` on `arn:aws:iam::*:role/app-reader`',
    ]);
    expect(passOn('arn:aws:iam::*:role/x.y+(z)')).toEqual([
      'iam-write-granted warning: grants `iam:PassRole` on `arn:aws:iam::*:role/x.y+(z)`',
    ]);
  });

  it('names only grants that are new, and only in identity policies (a principal means a resource policy)', () => {
    const pass = { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::*:role/app-reader' };
    expect(granting(pass, doc(pass))).toEqual([]);
    expect(granting({ ...pass, Principal: { AWS: '222222222222' } })).toEqual([]);
    expect(granting({ ...pass, Effect: 'Deny' })).toEqual([]);
    // The same grant losing its condition is new again.
    const conditional = { ...pass, Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } };
    expect(granting(pass, doc(conditional))).toEqual([
      'iam-write-granted warning: grants `iam:PassRole` on `arn:aws:iam::*:role/app-reader`',
    ]);
    expect(granting(conditional, doc(pass))).toEqual([]);
  });
});

/** Documents with the grammar's nasty cases: mixed-case actions, lists or strings, Not… elements, conditions, principals of each kind. */
const anyDocument = fc
  .array(
    fc.record({
      Effect: fc.constantFrom('Allow', 'Deny'),
      Action: fc.constantFrom('iam:PassRole', ['S3:GetObject', 's3:putobject'], 'sts:*', 'iam:Put?olePolicy'),
      Resource: fc.constantFrom('*', ['arn:aws:iam::*:role/app-*', 'arn:aws:s3:::b'], 'arn:aws:iam::*:role/OrganizationAccountAccessRole'),
      Principal: fc.option(
        fc.constantFrom('*', { AWS: ['222222222222', 'arn:aws:iam::111111111111:root'] }, { Service: 'ec2.amazonaws.com' }),
        {
          nil: undefined,
        },
      ),
      Condition: fc.option(fc.constantFrom(ORG, { StringNotEquals: { 'aws:SourceVpc': ['vpc-1', 'vpc-2'] } }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((Statement) => ({ Version: '2012-10-17', Statement }));

describe('judgePolicy, for any document', () => {
  it('finds nothing when the document does not change, whether it comes as text or as a template object', () => {
    fc.assert(
      fc.property(anyDocument, fc.boolean(), (document, trust) => {
        expect(judgePolicy(JSON.stringify(document), JSON.stringify(document), { ...terraform, trust })).toEqual([]);
        expect(judgePolicy(document, structuredClone(document), { ctx: CONTEXT, template: true, trust })).toEqual([]);
      }),
      { seed: 7, numRuns: 100 },
    );
  });

  it('names in one finding what any new identity policy grants, and nothing for one that only denies', () => {
    fc.assert(
      fc.property(anyDocument, (document) => {
        const found = judgePolicy(undefined, JSON.stringify(document), terraform);
        const granted = found.filter((f) => f.message.startsWith('new document grants'));
        expect(granted).toHaveLength(document.Statement.some((s) => s.Effect === 'Allow') ? 1 : 0);
        expect(found.every((f) => f.severity === 'warning' || f.severity === 'info')).toBe(true);
      }),
      { seed: 99, numRuns: 100 },
    );
  });
});
