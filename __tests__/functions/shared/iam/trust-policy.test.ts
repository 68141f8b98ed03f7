import { InvalidInputError, TrustPolicyRewriteError } from '../../../../functions/shared/runtime';
import {
  type PolicyDocument,
  type PolicyStatement,
  DEFAULT_MAX_TRUST_POLICY_CHARS,
  LOCK_SID,
  MAX_TRUST_POLICY_CHARS_QUOTA,
  accessOf,
  candidateHandMadeAudiences,
  hasLock,
  hasStatementsToPin,
  isOpen,
  namedIdentity,
  openStatements,
  pinTrustPolicy,
  pinnedAudiences,
  pinnedSubjects,
  providerArn,
  providerHost,
  referencesProvider,
  withLock,
  withoutLock,
  type PinOptions,
} from '../../../../functions/shared/iam';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ACCOUNT = '111122223333';
const HOST = `sts.windows.net/${TENANT}/`;
const ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const APP_ID = '00000000-1111-2222-3333-444444444444';
const SP_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const PLACEHOLDER = 'placeholder';
const WEB_IDENTITY = 'sts:AssumeRoleWithWebIdentity';
const AUD = `${HOST}:aud`;
const SUB = `${HOST}:sub`;
const KEYS = { providerArn: ARN, conditionKeyPrefix: HOST };
const OPTIONS: PinOptions = {
  providerArn: ARN,
  conditionKeyPrefix: HOST,
  appId: APP_ID,
  servicePrincipalObjectId: SP_ID,
  maxPolicyChars: DEFAULT_MAX_TRUST_POLICY_CHARS,
};

// What an app team writes (docs/app-teams.md, before the automation pins it).
const appTeamPolicy = (): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: ARN },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${HOST}:aud`]: PLACEHOLDER } },
    },
  ],
});

// Shaped like the GitHub Actions example in "Create a role for OpenID Connect federation"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html).
const githubStatement: PolicyStatement = {
  Sid: 'GitHubActions',
  Effect: 'Allow',
  Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: {
    StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
    StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:octo-org/octo-repo:*' },
  },
};

// Shaped like the Amazon Cognito example in the same IAM guide (ForAnyValue on `amr`).
const cognitoStatement: PolicyStatement = {
  Effect: 'Allow',
  Principal: { Federated: 'cognito-identity.amazonaws.com' },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: {
    StringEquals: { 'cognito-identity.amazonaws.com:aud': 'us-east-2:12345678-abcd-abcd-abcd-123456' },
    'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' },
  },
};

const ec2Statement: PolicyStatement = {
  Sid: 'Ec2',
  Effect: 'Allow',
  Principal: { Service: 'ec2.amazonaws.com' },
  Action: 'sts:AssumeRole',
};

const denyStatement: PolicyStatement = {
  Sid: 'NoOldTokens',
  Effect: 'Deny',
  Principal: { Federated: ARN },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: { StringEquals: { [`${HOST}:aud`]: 'retired-app' } },
};

const ourStatement = (condition?: PolicyStatement['Condition'], extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Sid: 'Entra',
  Effect: 'Allow',
  Principal: { Federated: ARN },
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...(condition ? { Condition: condition } : {}),
  ...extra,
});

/** Fixture policies the property checks run over; each has one statement federating through our provider. */
const FIXTURES: Record<string, PolicyDocument> = {
  'the documented placeholder policy': appTeamPolicy(),
  'a single statement object, no condition': { Version: '2012-10-17', Statement: ourStatement() },
  'extra statements around ours': {
    Version: '2012-10-17',
    Statement: [githubStatement, ourStatement({ StringEquals: { [`${HOST}:aud`]: PLACEHOLDER } }), ec2Statement, cognitoStatement],
  },
  'placeholder under StringLike and a sub under ForAnyValue': {
    Version: '2012-10-17',
    Statement: [
      ourStatement({
        StringLike: { [`${HOST}:aud`]: '*' },
        'ForAnyValue:StringEquals': { [`${HOST}:sub`]: ['x', 'y'] },
        IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
      }),
    ],
  },
  'other keys of our provider kept, deny kept': {
    Version: '2012-10-17',
    Statement: [
      denyStatement,
      ourStatement({
        StringEquals: { [`${HOST}:aud`]: PLACEHOLDER, [`${HOST}:oaud`]: 'kept' },
        Bool: { 'aws:SecureTransport': 'true' },
      }),
    ],
  },
};

// ---- a small evaluator for the operators the fixtures use, to test "never widens" on behaviour ----
interface Request {
  readonly federated: string;
  readonly action: string;
  readonly context: Readonly<Record<string, string>>;
}
const like = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);
const list = <T>(v: T | readonly T[] | undefined): readonly T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v as T]);
function conditionHolds(condition: PolicyStatement['Condition'], context: Request['context']): boolean {
  return Object.entries(condition ?? {}).every(([operator, block]) =>
    Object.entries(block).every(([key, expected]) => {
      const actual = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
      const values = list(expected).map(String);
      if (operator === 'IpAddress' || operator === 'Bool') return true; // not modelled: same before and after
      if (actual === undefined) return false;
      if (operator.endsWith('StringEquals')) return values.includes(actual);
      if (operator.endsWith('StringLike')) return values.some((p) => like(p, actual));
      throw new Error(`operator ${operator} not modelled`);
    }),
  );
}
function allows(policy: PolicyDocument, request: Request): boolean {
  const matches = (s: PolicyStatement) =>
    s.Principal !== '*' &&
    list(s.Principal?.Federated).includes(request.federated) &&
    list(s.Action).some((a) => like(a.toLowerCase(), request.action.toLowerCase())) &&
    conditionHolds(s.Condition, request.context);
  const statements = list(policy.Statement);
  return statements.some((s) => s.Effect === 'Allow' && matches(s)) && !statements.some((s) => s.Effect === 'Deny' && matches(s));
}

describe('providerHost / providerArn', () => {
  it('builds the v1 issuer host with its trailing slash', () => {
    expect(providerHost(TENANT, 1)).toBe(`sts.windows.net/${TENANT}/`);
  });

  it('builds the v2 issuer host with the v2.0 path', () => {
    expect(providerHost(TENANT, 2)).toBe(`login.microsoftonline.com/${TENANT}/v2.0`);
  });

  it('names the provider by host and path without https://', () => {
    expect(providerArn(ACCOUNT, providerHost(TENANT, 1))).toBe(`arn:aws:iam::111122223333:oidc-provider/sts.windows.net/${TENANT}/`);
  });

  it('rejects a tenant ID that is not a GUID, naming the field', () => {
    expect(() => providerHost('contoso.onmicrosoft.com', 1)).toThrow(/tenantId/);
    expect(() => providerHost('contoso.onmicrosoft.com', 1)).toThrow(InvalidInputError);
  });

  it('rejects an account ID that is not 12 digits and a host with a scheme', () => {
    expect(() => providerArn('1234', HOST)).toThrow(/accountId/);
    expect(() => providerArn(ACCOUNT, `https://${HOST}`)).toThrow(/without "https:\/\/"/);
  });

  it('rejects a token version other than 1 or 2, naming the field', () => {
    expect(() => providerHost(TENANT, 3 as 2)).toThrow(/tokenVersion: 3 is not supported/);
  });

  it('rejects an account ID with anything before or after its 12 digits, and an empty host', () => {
    expect(() => providerArn(`${ACCOUNT}4`, HOST)).toThrow(/accountId/);
    expect(() => providerArn(`arn:${ACCOUNT}`, HOST)).toThrow(/accountId/);
    expect(() => providerArn(ACCOUNT, '')).toThrow(/host/);
  });
});

describe('referencesProvider', () => {
  it('is true for an Allow statement federating through the provider', () => {
    expect(referencesProvider(appTeamPolicy(), ARN)).toBe(true);
  });

  it('is true when the Federated principal is a list containing the provider', () => {
    const policy: PolicyDocument = { Statement: [ourStatement(undefined, { Principal: { Federated: ['x', ARN] } })] };
    expect(referencesProvider(policy, ARN)).toBe(true);
  });

  it('counts a wildcard action that covers AssumeRoleWithWebIdentity, so the rewrite can refuse it loudly', () => {
    expect(referencesProvider({ Statement: [ourStatement(undefined, { Action: 'sts:*' })] }, ARN)).toBe(true);
  });

  it('is false for another provider, a Deny statement, or an action other than web identity', () => {
    expect(referencesProvider({ Statement: [githubStatement, cognitoStatement, ec2Statement] }, ARN)).toBe(false);
    expect(referencesProvider({ Statement: [denyStatement] }, ARN)).toBe(false);
    expect(referencesProvider({ Statement: [ourStatement(undefined, { Action: 'sts:TagSession' })] }, ARN)).toBe(false);
  });

  it('is false for the same tenant in another account', () => {
    expect(referencesProvider(appTeamPolicy(), ARN.replace(ACCOUNT, '444455556666'))).toBe(false);
  });

  // IAM matches action names case-insensitively, with `*` and `?` as the only wildcards
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
  describe('reads Action and NotAction as IAM matches actions', () => {
    const withActions = (actions: Pick<PolicyStatement, 'Action' | 'NotAction'>): PolicyDocument => {
      const { Action: _drop, ...rest } = ourStatement();
      return { Statement: [{ ...rest, ...actions }] };
    };

    it.each<[string, Pick<PolicyStatement, 'Action' | 'NotAction'>, boolean]>([
      ['the action in another case', { Action: 'STS:assumerolewithwebidentity' }, true],
      ['a "?" standing for one character', { Action: 'sts:AssumeRoleWith?ebIdentity' }, true],
      ['one "?" too many', { Action: 'sts:AssumeRoleWithWebIdentit??' }, false],
      ["another service's action of the same length", { Action: 'iam:AssumeRoleWithWebIdentity' }, false],
      ['a regex metacharacter, which IAM reads literally', { Action: 'sts:AssumeRoleWith+WebIdentity' }, false],
      ['a list with web identity after another action', { Action: ['sts:TagSession', WEB_IDENTITY] }, true],
      ['NotAction excluding only another action (grants web identity by exclusion)', { NotAction: 'sts:AssumeRole' }, true],
      ['NotAction excluding web identity by a wildcard, in a list', { NotAction: ['sts:TagSession', 'sts:AssumeRoleWith*'] }, false],
      ['NotAction excluding every sts action', { NotAction: 'STS:*' }, false],
      ['neither Action nor NotAction', {}, false],
    ])('with %s: %s', (_name, actions, expected) => {
      expect(referencesProvider(withActions(actions), ARN)).toBe(expected);
    });
  });
});

describe('pinTrustPolicy', () => {
  it('replaces the placeholder audience and pins sub, producing the documented statement', () => {
    const { policy, changed } = pinTrustPolicy(appTeamPolicy(), OPTIONS);

    expect(changed).toBe(true);
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: ARN },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${HOST}:aud`]: APP_ID, [`${HOST}:sub`]: SP_ID } },
        },
      ],
    });
  });

  it('does not modify its input', () => {
    const input = appTeamPolicy();
    const before = JSON.stringify(input);

    pinTrustPolicy(input, OPTIONS);

    expect(JSON.stringify(input)).toBe(before);
  });

  it('removes aud and sub tests under other operators and keeps every other condition', () => {
    const input = FIXTURES['placeholder under StringLike and a sub under ForAnyValue']!;

    const { policy } = pinTrustPolicy(input, OPTIONS);

    expect((policy.Statement as PolicyStatement[])[0]!.Condition).toEqual({
      IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
      StringEquals: { [`${HOST}:aud`]: APP_ID, [`${HOST}:sub`]: SP_ID },
    });
  });

  it('treats condition keys case-insensitively, as IAM does', () => {
    const input: PolicyDocument = { Statement: [ourStatement({ StringEquals: { [`${HOST}:AUD`]: PLACEHOLDER } })] };

    const { policy } = pinTrustPolicy(input, OPTIONS);

    expect((policy.Statement as PolicyStatement[])[0]!.Condition).toEqual({
      StringEquals: { [`${HOST}:aud`]: APP_ID, [`${HOST}:sub`]: SP_ID },
    });
  });

  it('keeps other statements, their order, Sids and a Deny on our provider untouched', () => {
    const input = FIXTURES['other keys of our provider kept, deny kept']!;

    const { policy } = pinTrustPolicy(input, OPTIONS);

    const [deny, ours] = policy.Statement as PolicyStatement[];
    expect(deny).toEqual(denyStatement);
    expect(ours!.Sid).toBe('Entra');
    expect(ours!.Condition).toEqual({
      StringEquals: { [`${HOST}:oaud`]: 'kept', [`${HOST}:aud`]: APP_ID, [`${HOST}:sub`]: SP_ID },
      Bool: { 'aws:SecureTransport': 'true' },
    });
  });

  it('keeps a single statement object as an object', () => {
    const { policy } = pinTrustPolicy(FIXTURES['a single statement object, no condition']!, OPTIONS);

    expect(Array.isArray(policy.Statement)).toBe(false);
    expect((policy.Statement as PolicyStatement).Condition).toEqual({
      StringEquals: { [`${HOST}:aud`]: APP_ID, [`${HOST}:sub`]: SP_ID },
    });
  });

  it('re-pins a role already pinned to another application', () => {
    const old = pinTrustPolicy(appTeamPolicy(), { ...OPTIONS, appId: '99999999-1111-2222-3333-444444444444' }).policy;

    const { policy, changed } = pinTrustPolicy(old, OPTIONS);

    expect(changed).toBe(true);
    expect(policy).toEqual(pinTrustPolicy(appTeamPolicy(), OPTIONS).policy);
  });

  it('returns an unchanged policy when no statement federates through the provider', () => {
    const input: PolicyDocument = { Version: '2012-10-17', Statement: [githubStatement, ec2Statement] };

    const result = pinTrustPolicy(input, OPTIONS);

    expect(result).toEqual({ policy: input, changed: false });
    expect(result.policy).toBe(input);
  });

  describe.each(Object.entries(FIXTURES))('on %s', (_name, fixture) => {
    it('is idempotent: pinning the result again changes nothing', () => {
      const once = pinTrustPolicy(fixture, OPTIONS);

      const twice = pinTrustPolicy(once.policy, OPTIONS);

      expect(once.changed).toBe(true);
      expect(twice.changed).toBe(false);
      expect(twice.policy).toBe(once.policy);
    });

    it('keeps statement count, order and every non-federated statement exactly', () => {
      const before = list(fixture.Statement);

      const after = list(pinTrustPolicy(fixture, OPTIONS).policy.Statement);

      expect(after).toHaveLength(before.length);
      after.forEach((statement, i) => {
        const { Condition: _a, ...restAfter } = statement;
        const { Condition: _b, ...restBefore } = before[i]!;
        expect(restAfter).toEqual(restBefore);
        if (!(statement.Effect === 'Allow' && list(statement.Principal === '*' ? [] : statement.Principal?.Federated).includes(ARN))) {
          expect(statement).toEqual(before[i]);
        }
      });
    });

    it('never widens: every request it allows through our provider carries our aud and sub', () => {
      const pinned = pinTrustPolicy(fixture, OPTIONS).policy;
      const auds = [APP_ID, PLACEHOLDER, 'retired-app', 'other'];
      const subs = [SP_ID, 'x', 'another-sp'];
      let allowed = 0;

      for (const aud of auds) {
        for (const sub of subs) {
          const request: Request = {
            federated: ARN,
            action: 'sts:AssumeRoleWithWebIdentity',
            context: { [`${HOST}:aud`]: aud, [`${HOST}:sub`]: sub, [`${HOST}:oaud`]: 'kept' },
          };
          if (allows(pinned, request)) {
            allowed++;
            expect({ aud, sub }).toEqual({ aud: APP_ID, sub: SP_ID });
          }
        }
      }
      expect(allowed).toBe(1);
    });

    it('never changes what other principals may do', () => {
      const pinned = pinTrustPolicy(fixture, OPTIONS).policy;
      const requests: Request[] = [
        {
          federated: githubStatement.Principal !== '*' ? (githubStatement.Principal!.Federated as string) : '',
          action: 'sts:AssumeRoleWithWebIdentity',
          context: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': 'repo:octo-org/octo-repo:ref:refs/heads/main',
          },
        },
        {
          federated: 'cognito-identity.amazonaws.com',
          action: 'sts:AssumeRoleWithWebIdentity',
          context: {
            'cognito-identity.amazonaws.com:aud': 'us-east-2:12345678-abcd-abcd-abcd-123456',
            'cognito-identity.amazonaws.com:amr': 'unauthenticated',
          },
        },
      ];

      for (const request of requests) expect(allows(pinned, request)).toBe(allows(fixture, request));
    });
  });

  describe('refusals', () => {
    const expectRefusal = (policy: PolicyDocument, reason: TrustPolicyRewriteError['reason'], message: RegExp, options = OPTIONS) => {
      let caught: unknown;
      try {
        pinTrustPolicy(policy, options);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TrustPolicyRewriteError);
      expect((caught as TrustPolicyRewriteError).reason).toBe(reason);
      expect((caught as TrustPolicyRewriteError).name).toBe('TrustPolicyRewriteError');
      expect((caught as Error).message.startsWith(`${reason}: `)).toBe(true);
      expect((caught as Error).message).toMatch(message);
    };

    it('refuses a statement that also trusts another OIDC provider', () => {
      const policy = {
        Statement: [
          ourStatement(undefined, {
            Principal: { Federated: [ARN, githubStatement.Principal !== '*' ? (githubStatement.Principal!.Federated as string) : ''] },
          }),
        ],
      };

      expectRefusal(policy, 'foreign-provider', /token\.actions\.githubusercontent\.com.*Move the other principals/);
    });

    it('refuses a statement that also trusts an AWS or Service principal', () => {
      expectRefusal(
        { Statement: [ourStatement(undefined, { Principal: { Federated: ARN, AWS: 'arn:aws:iam::444455556666:root' } })] },
        'foreign-provider',
        /AWS/,
      );
      expectRefusal(
        { Statement: [ourStatement(undefined, { Principal: { Federated: ARN, Service: 'ec2.amazonaws.com' } })] },
        'foreign-provider',
        /Service/,
      );
    });

    it('refuses Principal "*" or {"AWS": "*"} in any Allow statement', () => {
      expectRefusal(
        { Statement: [ourStatement(), { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }] },
        'wildcard',
        /Principal "\*".*Remove that statement or name specific principals/,
      );
      expectRefusal(
        { Statement: [ourStatement(), { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] },
        'wildcard',
        /statement 1/,
      );
    });

    it('refuses Action "*" or "sts:*" in the federated statement', () => {
      expectRefusal(
        { Statement: [ourStatement(undefined, { Action: '*' })] },
        'wildcard',
        /statement 0 \("Entra"\) federates through .* with the wildcard action "\*"\. List the actions explicitly, e\.g\. "sts:AssumeRoleWithWebIdentity"/,
      );
      expectRefusal({ Statement: [ourStatement(undefined, { Action: ['sts:TagSession', 'sts:*'] })] }, 'wildcard', /"sts:\*"/);
    });

    it('refuses NotAction and NotPrincipal, which grant by exclusion', () => {
      const { Action: _drop, ...withoutAction } = ourStatement();
      expectRefusal({ Statement: [{ ...withoutAction, NotAction: 'sts:AssumeRole' }] }, 'wildcard', /NotAction/);
      expectRefusal(
        {
          Statement: [
            ourStatement(),
            { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole' },
          ],
        },
        'wildcard',
        /NotPrincipal.*Replace it with an explicit Principal/,
      );
    });

    it('refuses a wildcard in a Federated ARN', () => {
      expectRefusal(
        { Statement: [ourStatement(), ourStatement(undefined, { Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/*` } })] },
        'wildcard',
        new RegExp(
          `statement 1 \\("Entra"\\) has a wildcard in the Federated principal "arn:aws:iam::${ACCOUNT}:oidc-provider/\\*".*Name the provider exactly`,
        ),
      );
    });

    it('refuses a rewrite that would exceed the trust policy quota, saying by how much', () => {
      const input = appTeamPolicy();
      const pinnedSize = JSON.stringify(pinTrustPolicy(input, OPTIONS).policy).length;

      expectRefusal(
        input,
        'policy-too-large',
        new RegExp(`${pinnedSize} characters.*quota of ${pinnedSize - 1}.*"Role trust policy length"`),
        {
          ...OPTIONS,
          maxPolicyChars: pinnedSize - 1,
        },
      );
      expect(pinTrustPolicy(input, { ...OPTIONS, maxPolicyChars: pinnedSize }).changed).toBe(true);
    });

    it('refuses a document that is not a policy', () => {
      expectRefusal({} as PolicyDocument, 'malformed-policy', /Statement/);
      expectRefusal({ Statement: [{ Effect: 'Maybe' }] } as unknown as PolicyDocument, 'malformed-policy', /Statement\.0\.Effect/);
    });

    it('does not refuse a wildcard in a Deny statement, which only narrows', () => {
      const policy: PolicyDocument = {
        Statement: [
          ourStatement(),
          { Effect: 'Deny', Principal: '*', Action: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        ],
      };

      expect(pinTrustPolicy(policy, OPTIONS).changed).toBe(true);
    });
  });

  it('rejects options that do not fit together, naming the field', () => {
    expect(() => pinTrustPolicy(appTeamPolicy(), { ...OPTIONS, appId: 'not-a-guid' })).toThrow(/appId/);
    expect(() => pinTrustPolicy(appTeamPolicy(), { ...OPTIONS, conditionKeyPrefix: 'login.microsoftonline.com/x/v2.0' })).toThrow(
      /conditionKeyPrefix/,
    );
    expect(() => pinTrustPolicy(appTeamPolicy(), { ...OPTIONS, maxPolicyChars: 0 })).toThrow(InvalidInputError);
    expect(() => pinTrustPolicy(appTeamPolicy(), { ...OPTIONS, maxPolicyChars: 0 })).toThrow(/maxPolicyChars/);
    expect(() => pinTrustPolicy(appTeamPolicy(), { ...OPTIONS, servicePrincipalObjectId: 'my-app' })).toThrow(/servicePrincipalObjectId/);
  });
});

describe('pinTrustPolicy with further audiences', () => {
  const GATEWAY = '99999999-1111-2222-3333-444444444444';

  it('admits the listed audiences next to the first, each exactly', () => {
    const { policy } = pinTrustPolicy(appTeamPolicy(), { ...OPTIONS, alsoAllowedAudiences: [GATEWAY] });
    const statement = (policy.Statement as PolicyStatement[])[0]!;
    expect(statement.Condition?.StringEquals).toEqual({ [`${HOST}:aud`]: [APP_ID, GATEWAY], [`${HOST}:sub`]: SP_ID });
  });

  it('writes one value when the further audience is the first one again', () => {
    const { policy } = pinTrustPolicy(appTeamPolicy(), { ...OPTIONS, alsoAllowedAudiences: [APP_ID] });
    expect((policy.Statement as PolicyStatement[])[0]!.Condition?.StringEquals?.[`${HOST}:aud`]).toBe(APP_ID);
  });

  it('refuses a further audience that is not a client ID, naming it', () => {
    expect(() => pinTrustPolicy(appTeamPolicy(), { ...OPTIONS, alsoAllowedAudiences: ['*'] })).toThrow(/alsoAllowedAudiences\[0\]/);
  });
});

describe('pinTrustPolicy: what it rewrites and what it leaves', () => {
  const GATEWAY = '99999999-1111-2222-3333-444444444444';
  const OLD_GATEWAY = '88888888-1111-2222-3333-444444444444';
  const HAND_MADE_APP = '77777777-1111-2222-3333-444444444444';
  const handMade: PolicyStatement = {
    Sid: 'HandMade',
    Effect: 'Allow',
    Principal: { Federated: ARN },
    Action: WEB_IDENTITY,
    Condition: { StringEquals: { [AUD]: HAND_MADE_APP, [SUB]: '12121212-3434-5656-7878-909090909090' } },
  };

  it('re-pins a role whose pin admits one audience more than wanted (the old audience goes)', () => {
    // Prepare
    const before = pinTrustPolicy(appTeamPolicy(), { ...OPTIONS, alsoAllowedAudiences: [GATEWAY, OLD_GATEWAY] }).policy;

    // Act
    const { policy, changed } = pinTrustPolicy(before, { ...OPTIONS, alsoAllowedAudiences: [GATEWAY] });

    // Assess
    expect(changed).toBe(true);
    expect((policy.Statement as PolicyStatement[])[0]!.Condition?.StringEquals?.[AUD]).toEqual([APP_ID, GATEWAY]);
  });

  it('removes a contradicting placeholder test left next to an exact pin, instead of calling the policy pinned', () => {
    // Prepare: both tests must hold, so no token passes: the role is unusable until the leftover goes.
    const input: PolicyDocument = {
      Statement: [ourStatement({ StringEquals: { [AUD]: APP_ID, [SUB]: SP_ID }, StringLike: { [AUD]: 'api://replace-me' } })],
    };

    // Act
    const { policy, changed } = pinTrustPolicy(input, OPTIONS);

    // Assess
    expect(changed).toBe(true);
    expect((policy.Statement as PolicyStatement[])[0]!.Condition).toEqual({ StringEquals: { [AUD]: APP_ID, [SUB]: SP_ID } });
  });

  it('keeps the order of the condition operators the team wrote', () => {
    const input: PolicyDocument = {
      Statement: [ourStatement({ StringEquals: { [AUD]: PLACEHOLDER }, Bool: { 'aws:SecureTransport': 'true' } })],
    };

    const { policy } = pinTrustPolicy(input, OPTIONS);

    expect(Object.keys((policy.Statement as PolicyStatement[])[0]!.Condition!)).toEqual(['StringEquals', 'Bool']);
  });

  it('keeps a hand-made statement exactly and pins the others', () => {
    // Prepare
    const input: PolicyDocument = { Statement: [handMade, ourStatement({ StringEquals: { [AUD]: PLACEHOLDER } })] };

    // Act
    const { policy } = pinTrustPolicy(input, { ...OPTIONS, handMadeAudiences: [HAND_MADE_APP] });

    // Assess
    const [kept, pinned] = policy.Statement as PolicyStatement[];
    expect(kept).toEqual(handMade);
    expect(pinned!.Condition).toEqual({ StringEquals: { [AUD]: APP_ID, [SUB]: SP_ID } });
  });

  it('leaves a policy with nothing to pin as it is, wildcards elsewhere included (not its to refuse)', () => {
    // Prepare
    const input: PolicyDocument = {
      Statement: [handMade, { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
    };

    // Act
    const result = pinTrustPolicy(input, { ...OPTIONS, handMadeAudiences: [HAND_MADE_APP] });

    // Assess
    expect(result).toEqual({ policy: input, changed: false });
  });

  it('reports a change when all it does is lift its own lock', () => {
    // Prepare
    const locked = withLock({ Statement: [ec2Statement, ourStatement()] }, KEYS, DEFAULT_MAX_TRUST_POLICY_CHARS);
    const input: PolicyDocument = { Statement: [ec2Statement, (locked.Statement as PolicyStatement[])[2]!] };

    // Act
    const result = pinTrustPolicy(input, OPTIONS);

    // Assess
    expect(result).toEqual({ policy: { Statement: [ec2Statement] }, changed: true });
  });
});

describe('namedIdentity', () => {
  const withSub = (sub?: string | string[], operator = 'StringEquals'): PolicyStatement => ({
    Effect: 'Allow',
    Principal: { Federated: ARN },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { [`${HOST}:aud`]: PLACEHOLDER }, ...(sub ? { [operator]: { [`${HOST}:sub`]: sub } } : {}) },
  });

  it('names none when no statement pins sub to an object ID (words and wildcards are placeholders)', () => {
    expect(namedIdentity({ Statement: [withSub()] }, KEYS)).toEqual({ kind: 'none' });
    expect(namedIdentity({ Statement: [withSub('placeholder')] }, KEYS)).toEqual({ kind: 'none' });
    expect(namedIdentity({ Statement: [withSub(`${SP_ID.slice(0, 30)}*`, 'StringLike')] }, KEYS)).toEqual({ kind: 'none' });
  });

  it('names the one identity every statement pins, case aside', () => {
    expect(namedIdentity({ Statement: [withSub(SP_ID.toUpperCase()), withSub(SP_ID)] }, KEYS)).toEqual({
      kind: 'named',
      servicePrincipalObjectId: SP_ID,
    });
  });

  it('calls it ambiguous when statements disagree, one names several, or one names none', () => {
    const other = '12121212-3434-5656-7878-909090909090';
    expect(namedIdentity({ Statement: [withSub(SP_ID), withSub(other)] }, KEYS).kind).toBe('ambiguous');
    expect(namedIdentity({ Statement: [withSub([SP_ID, other])] }, KEYS).kind).toBe('ambiguous');
    expect(namedIdentity({ Statement: [withSub(SP_ID), withSub()] }, KEYS).kind).toBe('ambiguous');
  });

  it('leaves hand-made statements out: they name their own identity', () => {
    // Prepare
    const handMadeApp = '77777777-1111-2222-3333-444444444444';
    const other = '12121212-3434-5656-7878-909090909090';
    const handMade = ourStatement({ StringEquals: { [AUD]: handMadeApp, [SUB]: other } });
    const policy: PolicyDocument = { Statement: [withSub(SP_ID), handMade] };

    // Act / Assess
    expect(namedIdentity(policy, KEYS, [handMadeApp])).toEqual({ kind: 'named', servicePrincipalObjectId: SP_ID });
    expect(namedIdentity(policy, KEYS)).toEqual({
      kind: 'ambiguous',
      detail: expect.stringContaining(`2 different object IDs (${other}, ${SP_ID})`),
    });
  });

  it('reads only the statements that trust the provider', () => {
    const elsewhere: PolicyStatement = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
    expect(namedIdentity({ Statement: [withSub(SP_ID), elsewhere] }, KEYS)).toEqual({ kind: 'named', servicePrincipalObjectId: SP_ID });
    expect(pinnedSubjects({ Statement: [withSub(SP_ID), elsewhere] }, KEYS)).toEqual([SP_ID]);
  });
});

// ---- reading a policy the automation did not (yet) pin: open, locked, pinned, closed ----

const HELD = 'abcdef01-2345-4678-9abc-def012345678';
const UNHELD = 'fedcba98-7654-4321-8fed-cba987654321';
const ALSO_HELD = '0c0c0c0c-1111-4222-8333-444444444444';
const SP_A = '1a1a1a1a-0000-4000-8000-000000000001';
const SP_B = '2b2b2b2b-0000-4000-8000-000000000002';
const isOpenStatement = (condition: PolicyStatement['Condition'], held: readonly string[] = [HELD]): boolean =>
  openStatements({ Statement: [ourStatement(condition)] }, KEYS, held).length === 1;

// String condition operators as IAM evaluates them: `StringEquals`/`StringLike`/`StringNotEquals`/`StringNotLike`
// are case-sensitive, the `IgnoreCase` ones are not, `StringLike` takes `*` and `?`
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String);
// `ForAnyValue:`/`ForAllValues:` and `…IfExists` qualify the same comparison
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
describe('openStatements: an aud test keeps a statement closed only if it is exact and no held client ID passes it', () => {
  const exact = { StringEquals: { [AUD]: [HELD, UNHELD] } };
  const prefix = (id: string) => `${id.slice(0, 9)}*`;

  it.each<[string, PolicyStatement['Condition'], boolean]>([
    ['no aud test', undefined, true],
    ['StringEquals to a client ID the provider does not hold', { StringEquals: { [AUD]: UNHELD } }, false],
    ['StringEquals to a held client ID', { StringEquals: { [AUD]: HELD } }, true],
    ['StringEquals listing a held client ID after another', { StringEquals: { [AUD]: [UNHELD, HELD] } }, true],
    ['StringEquals to a held client ID in another case (case-sensitive)', { StringEquals: { [AUD]: HELD.toUpperCase() } }, false],
    ['StringEqualsIgnoreCase to a client ID not held', { StringEqualsIgnoreCase: { [AUD]: UNHELD } }, false],
    [
      'StringEqualsIgnoreCase listing a held one in another case',
      { StringEqualsIgnoreCase: { [AUD]: [UNHELD, HELD.toUpperCase()] } },
      true,
    ],
    ['ForAnyValue:StringEquals to a client ID not held', { 'ForAnyValue:StringEquals': { [AUD]: UNHELD } }, false],
    ['ForAllValues:StringEquals to a client ID not held', { 'ForAllValues:StringEquals': { [AUD]: UNHELD } }, false],
    ['StringEqualsIfExists to a client ID not held', { StringEqualsIfExists: { [AUD]: UNHELD } }, false],
    ['only StringLike "*"', { StringLike: { [AUD]: '*' } }, true],
    ['only StringNotEquals', { StringNotEquals: { [AUD]: UNHELD } }, true],
    ['exact, narrowed by StringLike to the unheld one', { ...exact, StringLike: { [AUD]: prefix(UNHELD) } }, false],
    ['exact, StringLike "*" admitting the held one', { ...exact, StringLike: { [AUD]: prefix(HELD) } }, true],
    ['exact, StringLike "?" admitting the held one', { ...exact, StringLike: { [AUD]: `?${HELD.slice(1)}` } }, true],
    ['exact, StringLike list whose second pattern admits', { ...exact, StringLike: { [AUD]: [prefix(UNHELD), prefix(HELD)] } }, true],
    ['exact, StringLike in another case (case-sensitive)', { ...exact, StringLike: { [AUD]: HELD.toUpperCase() } }, false],
    ['exact, StringNotEquals the held one', { ...exact, StringNotEquals: { [AUD]: HELD } }, false],
    ['exact, StringNotEquals the unheld one', { ...exact, StringNotEquals: { [AUD]: UNHELD } }, true],
    ['exact, StringNotEquals the held one in another case', { ...exact, StringNotEquals: { [AUD]: HELD.toUpperCase() } }, true],
    ['exact, StringNotEqualsIgnoreCase the held one', { ...exact, StringNotEqualsIgnoreCase: { [AUD]: HELD.toUpperCase() } }, false],
    [
      'exact, StringNotEqualsIgnoreCase listing it second',
      { ...exact, StringNotEqualsIgnoreCase: { [AUD]: [UNHELD, HELD.toUpperCase()] } },
      false,
    ],
    ['exact, StringNotEqualsIgnoreCase the unheld one', { ...exact, StringNotEqualsIgnoreCase: { [AUD]: UNHELD } }, true],
    ['exact, StringNotLike the held one', { ...exact, StringNotLike: { [AUD]: prefix(HELD) } }, false],
    ['exact, StringNotLike listing it second', { ...exact, StringNotLike: { [AUD]: [prefix(UNHELD), prefix(HELD)] } }, false],
    ['exact, StringNotLike the unheld one', { ...exact, StringNotLike: { [AUD]: prefix(UNHELD) } }, true],
    ['exact, and an operator it does not model (counted as passing)', { ...exact, Null: { [AUD]: 'false' } }, true],
  ])('%s: open is %s', (_name, condition, expected) => {
    expect(isOpenStatement(condition)).toBe(expected);
  });

  it('is open when any held client ID passes, not only when all do', () => {
    expect(isOpenStatement({ StringEquals: { [AUD]: HELD } }, [ALSO_HELD, HELD])).toBe(true);
  });

  it('reads StringLike metacharacters literally (v1 audiences may be App ID URIs)', () => {
    const uri = 'api://payments.contoso.com';
    expect(isOpenStatement({ StringEquals: { [AUD]: [uri, UNHELD] }, StringLike: { [AUD]: 'api://payments.contoso.*' } }, [uri])).toBe(
      true,
    );
  });

  it('a sub pin closes the statement, a sub "pin" with a wildcard does not', () => {
    expect(isOpenStatement({ StringEquals: { [AUD]: HELD, [SUB]: SP_A } })).toBe(false);
    expect(isOpenStatement({ StringEquals: { [AUD]: HELD, [SUB]: 'x*' } })).toBe(true);
  });
});

describe('lock: withLock, hasLock, withoutLock, isOpen, accessOf', () => {
  const openAllow = ourStatement();
  const pinnedTo = (sub: string): PolicyStatement => ourStatement({ StringEquals: { [AUD]: HELD, [SUB]: sub } });
  const lockOf = (policy: PolicyDocument) => list(withLock(policy, KEYS, DEFAULT_MAX_TRUST_POLICY_CHARS).Statement).at(-1)!;
  const theLock: PolicyStatement = { Sid: LOCK_SID, Effect: 'Deny', Principal: { Federated: ARN }, Action: WEB_IDENTITY };

  it('appends a Deny of web identity for the provider, with no condition when nothing is pinned', () => {
    // Act
    const locked = withLock({ Statement: [ec2Statement, openAllow] }, KEYS, DEFAULT_MAX_TRUST_POLICY_CHARS);

    // Assess
    expect(locked.Statement).toEqual([ec2Statement, openAllow, theLock]);
    expect(hasLock(locked, KEYS)).toBe(true);
    expect(isOpen(locked, KEYS, [HELD])).toBe(false);
    expect(accessOf(locked, KEYS, [HELD])).toBe('locked');
  });

  it('exempts the sub the policy pins, as one value', () => {
    expect(lockOf({ Statement: [openAllow, pinnedTo(SP_A)] })).toEqual({ ...theLock, Condition: { StringNotEquals: { [SUB]: SP_A } } });
  });

  it('exempts every pinned sub, sorted, so the result does not depend on statement order', () => {
    expect(lockOf({ Statement: [pinnedTo(SP_B), openAllow, pinnedTo(SP_A)] }).Condition).toEqual({
      StringNotEquals: { [SUB]: [SP_A, SP_B] },
    });
  });

  it('exempts no sub that only a Deny or another provider names (it would let that identity in through the open statement)', () => {
    const denySub: PolicyStatement = { ...denyStatement, Condition: { StringEquals: { [SUB]: SP_A } } };
    expect(lockOf({ Statement: [openAllow, denySub, githubStatement] })).toEqual(theLock);
  });

  it('numbers its Sid past the ones the team already uses', () => {
    const ec2 = (sid: string): PolicyStatement => ({ ...ec2Statement, Sid: sid });
    expect(lockOf({ Statement: [openAllow, ec2(LOCK_SID)] }).Sid).toBe(`${LOCK_SID}2`);
    expect(lockOf({ Statement: [openAllow, ec2(`${LOCK_SID}2`), ec2(LOCK_SID)] }).Sid).toBe(`${LOCK_SID}3`);
  });

  it('replaces its own lock instead of adding a second one (idempotent)', () => {
    const once = withLock({ Statement: [openAllow, pinnedTo(SP_A)] }, KEYS, DEFAULT_MAX_TRUST_POLICY_CHARS);

    expect(withLock(once, KEYS, DEFAULT_MAX_TRUST_POLICY_CHARS)).toEqual(once);
  });

  it('fits a policy of exactly the quota and refuses one character more, saying the size', () => {
    // Prepare
    const policy: PolicyDocument = { Statement: [openAllow, pinnedTo(SP_A)] };
    const size = JSON.stringify(withLock(policy, KEYS, MAX_TRUST_POLICY_CHARS_QUOTA)).length;

    // Act
    const fits = () => withLock(policy, KEYS, size);
    const tooLarge = () => withLock(policy, KEYS, size - 1);

    // Assess
    expect(fits).not.toThrow();
    expect(tooLarge).toThrow(TrustPolicyRewriteError);
    expect(tooLarge).toThrow(new RegExp(`^policy-too-large: .*${size} characters, over the quota of ${size - 1}`));
  });

  it('recognises its lock, numbered Sid and sub exemption included, and withoutLock removes only it', () => {
    // Prepare
    const locked = withLock({ Statement: [openAllow, ec2Statement, pinnedTo(SP_A)] }, KEYS, DEFAULT_MAX_TRUST_POLICY_CHARS);
    const numbered: PolicyDocument = { Statement: [openAllow, { ...theLock, Sid: `${LOCK_SID}7` }] };

    // Act / Assess
    expect(hasLock(locked, KEYS)).toBe(true);
    expect(withoutLock(locked, KEYS).Statement).toEqual([openAllow, ec2Statement, pinnedTo(SP_A)]);
    expect(hasLock(numbered, KEYS)).toBe(true);
  });

  it('after a pin, exempts the team’s own hand-made audiences with the pinned identities (both keys ANDed), and is still its lock', () => {
    // Prepare
    const policy: PolicyDocument = { Statement: [openAllow, pinnedTo(SP_A)] };

    // Act
    const locked = withLock(policy, KEYS, 2048, [HELD]);

    // Assess
    expect(list(locked.Statement).at(-1)).toMatchObject({ Condition: { StringNotEquals: { [AUD]: HELD, [SUB]: SP_A } } });
    expect(hasLock(locked, KEYS)).toBe(true);
    expect(accessOf(locked, KEYS, [HELD])).toBe('locked');
    expect(withoutLock(locked, KEYS).Statement).toEqual([openAllow, pinnedTo(SP_A)]);
    // With no pinned identity there is nothing to spare the audiences for: the lock covers every audience.
    expect(list(withLock({ Statement: [openAllow] }, KEYS, 2048, [HELD]).Statement).at(-1)).not.toHaveProperty('Condition');
  });

  // The lock is recognised by its whole shape: a look-alike is the team's statement, neither trusted as a lock
  // (the role would pass as locked while open) nor removed by the pin (the rewrite would widen access).
  it.each<[string, PolicyStatement]>([
    ['the same Deny under a Sid of its own', { ...theLock, Sid: 'TeamDeny' }],
    ['a Sid that only starts like the lock', { ...theLock, Sid: `${LOCK_SID}Old` }],
    ['another principal type next to the provider', { ...theLock, Principal: { Federated: ARN, AWS: '*' } }],
    ['another action next to web identity', { ...theLock, Action: [WEB_IDENTITY, 'sts:TagSession'] }],
    ['a NotAction', { ...theLock, NotAction: 'sts:TagSession' }],
    ['a Resource', { ...theLock, Resource: '*' }],
    ['a NotPrincipal', { ...theLock, NotPrincipal: { AWS: 'arn:aws:iam::444455556666:root' } }],
    [
      'a further condition operator',
      { ...theLock, Condition: { StringNotEquals: { [SUB]: SP_A }, Bool: { 'aws:SecureTransport': 'true' } } },
    ],
    ['StringNotEquals on aud instead of sub', { ...theLock, Condition: { StringNotEquals: { [AUD]: HELD } } }],
    ['StringNotEquals on sub and another key', { ...theLock, Condition: { StringNotEquals: { [SUB]: SP_A, [AUD]: HELD } } }],
    ['a Deny of one sub only (StringEquals)', { ...theLock, Condition: { StringEquals: { [SUB]: SP_A } } }],
  ])('does not take %s for its lock', (_name, lookAlike) => {
    // Prepare
    const policy: PolicyDocument = { Statement: [openAllow, lookAlike] };

    // Act / Assess
    expect(hasLock(policy, KEYS)).toBe(false);
    expect(withoutLock(policy, KEYS)).toBe(policy);
    expect(accessOf(policy, KEYS, [HELD])).toBe('open');
    expect(list(pinTrustPolicy(policy, OPTIONS).policy.Statement)).toContainEqual(lookAlike);
  });

  it('takes an Allow carrying the Sid for what it is: an open statement, pinned like any other', () => {
    // Prepare
    const allowWithSid: PolicyStatement = { ...theLock, Effect: 'Allow' };
    const policy: PolicyDocument = { Statement: [allowWithSid] };

    // Act / Assess
    expect(hasLock(policy, KEYS)).toBe(false);
    expect(accessOf(policy, KEYS, [HELD])).toBe('open');
    expect(pinTrustPolicy(policy, OPTIONS).policy.Statement).toEqual([
      { ...allowWithSid, Condition: { StringEquals: { [AUD]: APP_ID, [SUB]: SP_ID } } },
    ]);
  });

  it('accessOf: open, pinned or closed without a lock', () => {
    expect(accessOf({ Statement: [ec2Statement, openAllow] }, KEYS, [HELD])).toBe('open');
    expect(isOpen({ Statement: [ec2Statement, openAllow] }, KEYS, [HELD])).toBe(true);
    expect(accessOf({ Statement: [ec2Statement, pinnedTo(SP_A)] }, KEYS, [HELD])).toBe('pinned');
    const closedAllow = ourStatement({ StringEquals: { [AUD]: UNHELD } });
    const denySub: PolicyStatement = { ...denyStatement, Condition: { StringEquals: { [SUB]: SP_A } } };
    expect(accessOf({ Statement: [ec2Statement, closedAllow, denySub] }, KEYS, [HELD])).toBe('closed');
  });
});

describe('hasStatementsToPin', () => {
  const HAND_MADE_APP = '77777777-1111-2222-3333-444444444444';
  const handMade = ourStatement({ StringEquals: { [AUD]: HAND_MADE_APP, [SUB]: SP_A } });

  it('is false when every statement through the provider is hand-made', () => {
    expect(hasStatementsToPin({ Statement: [handMade, ec2Statement] }, KEYS, [HAND_MADE_APP])).toBe(false);
    expect(hasStatementsToPin({ Statement: [handMade, ec2Statement] }, KEYS, [])).toBe(true);
  });

  it('counts Principal "*" with web identity (to be refused), not Principal "*" with another action', () => {
    const everyone = (action: string): PolicyStatement => ({ Effect: 'Allow', Principal: '*', Action: action });
    expect(hasStatementsToPin({ Statement: [handMade, everyone(WEB_IDENTITY)] }, KEYS, [HAND_MADE_APP])).toBe(true);
    expect(hasStatementsToPin({ Statement: [handMade, everyone('sts:AssumeRole')] }, KEYS, [HAND_MADE_APP])).toBe(false);
  });
});

describe('pinnedAudiences, candidateHandMadeAudiences, pinnedSubjects', () => {
  const GUID_AUD = '77777777-1111-2222-3333-444444444444';
  const policy: PolicyDocument = {
    Statement: [
      ourStatement({ StringEquals: { [AUD]: [PLACEHOLDER, GUID_AUD], [SUB]: SP_A }, StringLike: { [AUD]: 'api://*' } }),
      { ...denyStatement, Condition: { StringEquals: { [AUD]: 'retired-app', [SUB]: SP_B } } },
      githubStatement,
    ],
  };

  it('lists what web identity Allow statements pin exactly, not what a Deny names', () => {
    expect(pinnedAudiences(policy, KEYS)).toEqual([PLACEHOLDER, GUID_AUD]);
    expect(pinnedSubjects(policy, KEYS)).toEqual([SP_A]);
  });

  it('offers only GUID-shaped audiences as possible hand-made applications', () => {
    expect(candidateHandMadeAudiences(policy, KEYS)).toEqual([GUID_AUD]);
  });
});
