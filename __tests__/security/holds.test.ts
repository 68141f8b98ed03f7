import { type PolicyDocument, type PolicyStatement, isOpen, openStatements, pinTrustPolicy, withLock } from '../../functions/shared/iam';
import { applicationNamePrefix, applicationUniqueName } from '../../functions/shared/entra';
import { PROVIDER_ARN, PROVIDER_HOST } from '../fixtures/port-fakes';

/**
 * What the review tried that HELD (these pass today): crafted trust policies that must count as
 * open (and so get locked), pinning that must leave no statement through the provider unpinned,
 * and the Delete flow's name prefix, which must not reach another role's applications.
 */

const keys = { providerArn: PROVIDER_ARN, conditionKeyPrefix: PROVIDER_HOST };
const AUD = `${PROVIDER_HOST}:aud`;
const SUB = `${PROVIDER_HOST}:sub`;
const HELD = ['07000000-0000-4000-8000-0000000000a0'];
const OTHER_SP = '5a000000-0000-4000-8000-0000000000b1';
const allow = (
  condition?: PolicyStatement['Condition'],
  principal: PolicyStatement['Principal'] = { Federated: PROVIDER_ARN },
): PolicyStatement => ({
  Effect: 'Allow',
  Principal: principal,
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...(condition ? { Condition: condition } : {}),
});
const doc = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });

describe('attack: what held', () => {
  it.each<[string, PolicyStatement['Condition']]>([
    ['no condition', undefined],
    ['aud StringLike "*"', { StringLike: { [AUD]: '*' } }],
    ['aud StringLike "*-*"', { StringLike: { [AUD]: '*-*' } }],
    ['aud StringNotEquals a placeholder', { StringNotEquals: { [AUD]: 'api://replace-me' } }],
    ['aud StringEqualsIgnoreCase a held ID in upper case', { StringEqualsIgnoreCase: { [AUD]: HELD[0]!.toUpperCase() } }],
    ['aud StringEqualsIfExists a held ID', { StringEqualsIfExists: { [AUD]: HELD[0]! } }],
    ['aud ForAnyValue:StringLike "*"', { 'ForAnyValue:StringLike': { [AUD]: '*' } }],
    ['aud key in upper case, StringLike "*"', { StringLike: { [AUD.toUpperCase()]: '*' } }],
    ['sub pinned by StringLike with a wildcard', { StringLike: { [SUB]: '*' } }],
    ['sub "pinned" by StringEqualsIgnoreCase (not counted as a pin: closed side)', { StringEqualsIgnoreCase: { [SUB]: OTHER_SP } }],
    [
      'sub pinned under another key (no trailing slash in the prefix)',
      { StringEquals: { [`${PROVIDER_HOST.replace(/\/$/, '')}:sub`]: OTHER_SP } },
    ],
    ['an operator the code does not know', { ArnLike: { [AUD]: '*' } }],
  ])('an open statement (%s) counts as open, and the lock closes it', (_, condition) => {
    const policy = doc(allow(condition));
    expect(openStatements(policy, keys, HELD)).toHaveLength(1);
    expect(isOpen(withLock(policy, keys, 2048), keys, HELD)).toBe(false);
  });

  it('one pinned statement does not hide an open second statement', () => {
    const policy = doc(allow({ StringEquals: { [AUD]: HELD[0]!, [SUB]: OTHER_SP } }), allow());
    expect(openStatements(policy, keys, HELD)).toHaveLength(1);
  });

  it.each<[string, PolicyStatement]>([
    ['a second statement with the provider in a list', allow(undefined, { Federated: [PROVIDER_ARN] })],
    ['a second statement with sub pinned to another identity', allow({ StringEquals: { [AUD]: 'x', [SUB]: OTHER_SP } })],
    ['a second statement with the keys in upper case', allow({ StringLike: { [AUD.toUpperCase()]: '*', [SUB.toUpperCase()]: '*' } })],
    [
      'a second statement with ForAnyValue and IfExists tests',
      allow({ 'ForAnyValue:StringLike': { [AUD]: '*' }, StringLikeIfExists: { [SUB]: '*' } }),
    ],
  ])('pinning leaves no statement through the provider admitting another identity (%s)', (_, second) => {
    const appId = '0a000000-0000-4000-8000-0000000000a0';
    const sp = '0a000000-0000-4000-8000-0000000000b0';
    const { policy } = pinTrustPolicy(doc(allow({ StringEquals: { [AUD]: 'api://replace-me' } }), second), {
      ...keys,
      appId,
      servicePrincipalObjectId: sp,
      maxPolicyChars: 4096,
    });
    for (const statement of policy.Statement as PolicyStatement[]) {
      const tests = JSON.stringify(statement.Condition ?? {});
      expect(statement.Condition?.StringEquals).toMatchObject({ [AUD]: appId, [SUB]: sp });
      // No other test of the two keys survives, in any case or operator.
      expect(tests.toLowerCase().split(`${PROVIDER_HOST.toLowerCase()}:sub`).length - 1).toBe(1);
      expect(tests.toLowerCase().split(`${PROVIDER_HOST.toLowerCase()}:aud`).length - 1).toBe(1);
    }
    expect(openStatements(policy, keys, [...HELD, appId])).toEqual([]);
  });

  it.each<[string, PolicyStatement]>([
    ['the provider next to an AWS principal', allow(undefined, { Federated: PROVIDER_ARN, AWS: 'arn:aws:iam::999999999999:root' })],
    ['the provider next to another provider', allow(undefined, { Federated: [PROVIDER_ARN, 'cognito-identity.amazonaws.com'] })],
    ['NotPrincipal with Allow', { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'sts:AssumeRole' }],
    ['Principal "*" next to the provider statement', { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity' }],
    ['a wildcard action through the provider', { ...allow(), Action: 'sts:AssumeRoleWith*' }],
  ])('pinning refuses (never half-pins) %s', (_, statement) => {
    expect(() =>
      pinTrustPolicy(doc(allow({ StringEquals: { [AUD]: 'x' } }), statement), {
        ...keys,
        appId: '0a000000-0000-4000-8000-0000000000a0',
        servicePrincipalObjectId: '0a000000-0000-4000-8000-0000000000b0',
        maxPolicyChars: 4096,
      }),
    ).toThrow(/wildcard|foreign-provider/);
  });

  it("the Delete flow's prefix of one role name never matches another role's unique names (case aside)", () => {
    const account = '111122223333';
    const names = ['deployer', 'deployer2', 'deploye', 'Deployer', 'deployer-', 'a', 'aa'];
    for (const name of names) {
      for (const other of names) {
        const matches = applicationUniqueName(account, other, 'AROAXXXXXXXXXXXXXXXX1').startsWith(applicationNamePrefix(account, name));
        expect(matches).toBe(name.toLowerCase() === other.toLowerCase());
      }
    }
    expect(
      applicationUniqueName('222233334444', 'deployer', 'AROAXXXXXXXXXXXXXXXX1').startsWith(applicationNamePrefix(account, 'deployer')),
    ).toBe(false);
  });
});
