import { InvalidInputError, TrustPolicyRewriteError } from '../../../functions/shared/errors';
import type { PolicyDocument, PolicyStatement } from '../../../functions/shared/ports';
import {
  DEFAULT_MAX_TRUST_POLICY_CHARS,
  namedIdentity,
  pinTrustPolicy,
  pinnedSubjects,
  providerArn,
  providerHost,
  referencesProvider,
  type PinOptions,
} from '../../../functions/shared/trust-policy';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ACCOUNT = '111122223333';
const HOST = `sts.windows.net/${TENANT}/`;
const ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const APP_ID = '00000000-1111-2222-3333-444444444444';
const SP_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const PLACEHOLDER = 'placeholder';
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
        /Principal "\*"/,
      );
      expectRefusal(
        { Statement: [ourStatement(), { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] },
        'wildcard',
        /statement 1/,
      );
    });

    it('refuses Action "*" or "sts:*" in the federated statement', () => {
      expectRefusal({ Statement: [ourStatement(undefined, { Action: '*' })] }, 'wildcard', /wildcard action "\*"/);
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
        /NotPrincipal/,
      );
    });

    it('refuses a wildcard in a Federated ARN', () => {
      expectRefusal(
        { Statement: [ourStatement(), ourStatement(undefined, { Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/*` } })] },
        'wildcard',
        /Name the provider exactly/,
      );
    });

    it('refuses a rewrite that would exceed the trust policy quota, saying by how much', () => {
      const input = appTeamPolicy();
      const pinnedSize = JSON.stringify(pinTrustPolicy(input, OPTIONS).policy).length;

      expectRefusal(input, 'policy-too-large', new RegExp(`${pinnedSize} characters.*quota of ${pinnedSize - 1}`), {
        ...OPTIONS,
        maxPolicyChars: pinnedSize - 1,
      });
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

describe('namedIdentity', () => {
  const KEYS = { providerArn: ARN, conditionKeyPrefix: HOST };
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

  it('reads only the statements that trust the provider', () => {
    const elsewhere: PolicyStatement = { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
    expect(namedIdentity({ Statement: [withSub(SP_ID), elsewhere] }, KEYS)).toEqual({ kind: 'named', servicePrincipalObjectId: SP_ID });
    expect(pinnedSubjects({ Statement: [withSub(SP_ID), elsewhere] }, KEYS)).toEqual([SP_ID]);
  });
});
