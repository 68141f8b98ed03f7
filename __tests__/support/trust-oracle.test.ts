import { evaluateWebIdentity, type WebIdentityRequest } from './trust-oracle';

/** The oracle the one-judgement property test trusts: each rule of IAM's evaluation it models, one case each way. */

const PREFIX = 'sts.windows.net/00000000-0000-4000-8000-000000000001/';
const PROVIDER = `arn:aws:iam::222222222222:oidc-provider/${PREFIX}`;
const AUD = 'a0000000-0000-4000-8000-0000000000a1';
const SUB = 'b0000000-0000-4000-8000-0000000000b1';
const request = (aud = AUD, sub = SUB): WebIdentityRequest => ({ providerArn: PROVIDER, keyPrefix: PREFIX, aud, sub });
const allow = (condition?: object, extra: object = {}) => ({
  Effect: 'Allow',
  Principal: { Federated: PROVIDER },
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...(condition ? { Condition: condition } : {}),
  ...extra,
});
const policy = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
const decide = (p: object, r = request()) => evaluateWebIdentity(p, r);

describe('trust-oracle', () => {
  it('allows through a matching Allow, and denies implicitly without one', () => {
    expect(decide(policy(allow()))).toBe('allow');
    expect(decide(policy(allow(), { ...allow(), Effect: 'Deny', Principal: { Federated: 'arn:aws:iam::1:oidc-provider/x' } }))).toBe(
      'allow',
    );
    expect(decide(policy({ ...allow(), Principal: { Federated: 'arn:aws:iam::222222222222:oidc-provider/other/' } }))).toBe(
      'implicit-deny',
    );
    expect(decide(policy({ ...allow(), Action: 'sts:AssumeRole' }))).toBe('implicit-deny');
  });

  it('lets an explicit Deny win over any Allow', () => {
    expect(decide(policy(allow(), { ...allow(), Effect: 'Deny' }))).toBe('explicit-deny');
    const denyOthers = { ...allow({ StringNotEquals: { [`${PREFIX}:sub`]: SUB } }), Effect: 'Deny' };
    expect(decide(policy(allow(), denyOthers))).toBe('allow');
    expect(decide(policy(allow(), denyOthers), request(AUD, 'c0000000-0000-4000-8000-0000000000c1'))).toBe('explicit-deny');
  });

  it('ANDs keys and operators, ORs the values of one key, and a negated operator holds when no value matches', () => {
    const both = allow({ StringEquals: { [`${PREFIX}:aud`]: ['x', AUD], [`${PREFIX}:sub`]: SUB } });
    expect(decide(policy(both))).toBe('allow');
    expect(decide(policy(both), request(AUD, 'other'))).toBe('implicit-deny');
    expect(decide(policy(allow({ StringNotEquals: { [`${PREFIX}:aud`]: ['x', 'y'] } })))).toBe('allow');
    expect(decide(policy(allow({ StringNotEquals: { [`${PREFIX}:aud`]: ['x', AUD] } })))).toBe('implicit-deny');
    const twoBlocks = allow({ StringEquals: { [`${PREFIX}:aud`]: AUD }, StringLike: { [`${PREFIX}:sub`]: 'zz*' } });
    expect(decide(policy(twoBlocks))).toBe('implicit-deny');
  });

  it('reads key names case-insensitively and values as each operator says', () => {
    expect(decide(policy(allow({ StringEquals: { [`${PREFIX}:AUD`]: AUD } })))).toBe('allow');
    expect(decide(policy(allow({ StringEquals: { [`${PREFIX}:aud`]: AUD.toUpperCase() } })))).toBe('implicit-deny');
    expect(decide(policy(allow({ StringEqualsIgnoreCase: { [`${PREFIX}:aud`]: AUD.toUpperCase() } })))).toBe('allow');
    expect(decide(policy(allow({ StringLike: { [`${PREFIX}:aud`]: 'a0000000-*' } })))).toBe('allow');
    expect(decide(policy(allow({ StringLike: { [`${PREFIX}:aud`]: 'A0000000-*' } })))).toBe('implicit-deny');
    expect(decide(policy(allow({ StringLike: { [`${PREFIX}:aud`]: 'a000000?-0000-4000-8000-0000000000a1' } })))).toBe('allow');
    expect(decide(policy(allow({ StringNotLike: { [`${PREFIX}:aud`]: 'a*' } })))).toBe('implicit-deny');
  });

  it('IfExists: passes on an absent key, tests a present one; an absent key fails a positive operator and passes a negated one', () => {
    expect(decide(policy(allow({ StringEqualsIfExists: { [`${PREFIX}:amr`]: 'pwd' } })))).toBe('allow');
    expect(decide(policy(allow({ StringEqualsIfExists: { [`${PREFIX}:aud`]: 'x' } })))).toBe('implicit-deny');
    expect(decide(policy(allow({ StringEquals: { [`${PREFIX}:amr`]: 'pwd' } })))).toBe('implicit-deny');
    expect(decide(policy(allow({ StringNotEquals: { [`${PREFIX}:amr`]: 'pwd' } })))).toBe('allow');
  });

  it('ForAnyValue: and ForAllValues: over the request’s values, and an absent key', () => {
    expect(decide(policy(allow({ 'ForAnyValue:StringEquals': { [`${PREFIX}:aud`]: ['x', AUD] } })))).toBe('allow');
    expect(decide(policy(allow({ 'ForAnyValue:StringEquals': { [`${PREFIX}:aud`]: ['x'] } })))).toBe('implicit-deny');
    expect(decide(policy(allow({ 'ForAnyValue:StringEquals': { [`${PREFIX}:amr`]: ['x'] } })))).toBe('implicit-deny');
    expect(decide(policy(allow({ 'ForAllValues:StringEquals': { [`${PREFIX}:amr`]: ['x'] } })))).toBe('allow');
    expect(decide(policy(allow({ 'ForAllValues:StringEquals': { [`${PREFIX}:aud`]: ['x'] } })))).toBe('implicit-deny');
  });

  it('matches Principal "*", NotPrincipal, wildcard actions and NotAction', () => {
    expect(decide(policy({ ...allow(), Principal: '*' }))).toBe('allow');
    expect(decide(policy({ ...allow(), Principal: { AWS: '*' } }))).toBe('allow');
    const { Principal: _p, ...noPrincipal } = allow();
    expect(decide(policy({ ...noPrincipal, NotPrincipal: { AWS: 'arn:aws:iam::1:root' } }))).toBe('allow');
    expect(decide(policy({ ...noPrincipal, NotPrincipal: { Federated: PROVIDER } }))).toBe('implicit-deny');
    expect(decide(policy({ ...allow(), Action: 'STS:AssumeRoleWith*' }))).toBe('allow');
    const { Action: _a, ...noAction } = allow();
    expect(decide(policy({ ...noAction, NotAction: 'sts:AssumeRole' }))).toBe('allow');
    expect(decide(policy({ ...noAction, NotAction: 'sts:*' }))).toBe('implicit-deny');
  });

  it('refuses to guess an operator it does not model', () => {
    expect(() => decide(policy(allow({ ArnLike: { [`${PREFIX}:aud`]: 'x' } })))).toThrow(/not modelled/);
  });
});
