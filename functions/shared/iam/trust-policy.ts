import { InvalidInputError, TrustPolicyRewriteError } from '../runtime/errors';
import { assertPolicyDocument } from './policy-document';
import type { PolicyDocument, PolicyStatement } from './ports';
import { GUID_PATTERN as GUID } from '../workflow/contracts';

/**
 * The trust-policy logic (docs/architecture.md#the-trust-policy-the-automation-writes): pure functions, no I/O.
 *
 * IAM names an OIDC provider by its issuer URL without `https://`, path kept:
 * `arn:aws:iam::{account}:oidc-provider/sts.windows.net/{tid}/`, and the provider's
 * condition keys use the same host+path as prefix: `sts.windows.net/{tid}/:aud`, `…:sub`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html).
 */

/**
 * IAM's default quota for a role trust policy: 2,048 characters, whitespace not counted
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html, "Role trust
 * policy length"). An account may have it raised, so callers pass their own maximum.
 */
export const DEFAULT_MAX_TRUST_POLICY_CHARS = 2048;
/** The highest the "Role trust policy length" quota goes (same page). */
export const MAX_TRUST_POLICY_CHARS_QUOTA = 8192;

export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';

/** Issuer host+path of the tenant's tokens: v1 `sts.windows.net/{tid}/`, v2 `login.microsoftonline.com/{tid}/v2.0`. */
export function providerHost(tenantId: string, tokenVersion: 1 | 2): string {
  if (!GUID.test(tenantId)) {
    throw new InvalidInputError(`tenantId: "${tenantId}" is not a GUID; pass the Entra directory (tenant) ID`);
  }
  if (tokenVersion === 1) return `sts.windows.net/${tenantId}/`;
  if (tokenVersion === 2) return `login.microsoftonline.com/${tenantId}/v2.0`;
  throw new InvalidInputError(`tokenVersion: ${String(tokenVersion)} is not supported; use 1 or 2`);
}

export function providerArn(accountId: string, host: string, partition = 'aws'): string {
  if (!/^\d{12}$/.test(accountId)) {
    throw new InvalidInputError(`accountId: "${accountId}" is not a 12-digit AWS account ID`);
  }
  if (host.startsWith('https://') || host === '') {
    throw new InvalidInputError(`host: "${host}" must be the issuer without "https://", e.g. sts.windows.net/{tenantId}/`);
  }
  return `arn:${partition}:iam::${accountId}:oidc-provider/${host}`;
}

function asList<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

export function statementsOf(policy: PolicyDocument): readonly PolicyStatement[] {
  return asList(policy.Statement);
}

const hasWildcard = (value: string): boolean => /[*?]/.test(value);

/** IAM action matching: case-insensitive, `*` and `?` wildcards. */
function actionPatternMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
    'i',
  );
  return regex.test(action);
}

/** Whether the statement's Action/NotAction lets `sts:AssumeRoleWithWebIdentity` through (wildcards included). */
function grantsWebIdentity(statement: PolicyStatement): boolean {
  if (statement.Action !== undefined) {
    return asList(statement.Action).some((pattern) => actionPatternMatches(pattern, WEB_IDENTITY_ACTION));
  }
  if (statement.NotAction !== undefined) {
    return !asList(statement.NotAction).some((pattern) => actionPatternMatches(pattern, WEB_IDENTITY_ACTION));
  }
  return false;
}

function federatedPrincipals(statement: PolicyStatement): readonly string[] {
  const principal = statement.Principal;
  if (principal === undefined || principal === '*') return [];
  return asList(principal.Federated);
}

function federatesThrough(statement: PolicyStatement, arn: string): boolean {
  return statement.Effect === 'Allow' && federatedPrincipals(statement).includes(arn);
}

/**
 * True when some Allow statement lets the provider's tokens call `sts:AssumeRoleWithWebIdentity`.
 * Wildcard actions count (`sts:*`): such a role is "ours" so that `pinTrustPolicy` refuses it
 * loudly instead of the automation ignoring it silently.
 */
export function referencesProvider(policy: PolicyDocument, arn: string): boolean {
  return statementsOf(policy).some((statement) => admitsProviderTokens(statement, arn));
}

/**
 * An Allow statement that lets the provider's tokens call `sts:AssumeRoleWithWebIdentity`:
 * naming the provider, or `Principal: "*"`, which IAM documents as every principal and does not
 * say excludes web identity callers (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous):
 * both readings are handled by counting it (the rewrite then refuses it as `wildcard`).
 */
export function admitsProviderTokens(statement: PolicyStatement, arn: string): boolean {
  if (statement.Effect !== 'Allow' || !grantsWebIdentity(statement)) return false;
  return statement.Principal === '*' || federatedPrincipals(statement).includes(arn);
}

export interface PinOptions {
  readonly providerArn: string;
  /** Condition key prefix: the provider's host+path, e.g. `sts.windows.net/{tid}/`. */
  readonly conditionKeyPrefix: string;
  /** The audience (`:aud`) to pin: the role's own client ID, or the gateway's. */
  readonly appId: string;
  /**
   * Further audiences the pin admits next to `appId`, in order: while a deployment moves
   * between audience modes a role accepts its own application and the gateway
   * (docs/architecture.md#switching-audience-modes). Never a wildcard: each is a client ID.
   */
  readonly alsoAllowedAudiences?: readonly string[];
  readonly servicePrincipalObjectId: string;
  /** The account's role trust policy quota (default IAM quota: `DEFAULT_MAX_TRUST_POLICY_CHARS`). */
  readonly maxPolicyChars: number;
  /**
   * Audiences of applications the automation did not create: a statement pinning one is a
   * hand-made federation and is kept exactly as it is.
   */
  readonly handMadeAudiences?: readonly string[];
}

export interface PinResult {
  readonly policy: PolicyDocument;
  readonly changed: boolean;
}

function refuse(reason: TrustPolicyRewriteError['reason'], detail: string): TrustPolicyRewriteError {
  return new TrustPolicyRewriteError(`${reason}: ${detail}`, reason);
}

function describe(statement: PolicyStatement, index: number): string {
  return statement.Sid ? `statement ${index} ("${statement.Sid}")` : `statement ${index}`;
}

function principalValues(principal: PolicyStatement['Principal']): readonly string[] {
  if (principal === undefined) return [];
  if (principal === '*') return ['*'];
  return Object.values(principal).flatMap((value) => asList(value));
}

/** Refusals that make any rewrite unsafe: someone other than the pinned identity could still get in. */
function checkRewritable(statements: readonly PolicyStatement[], options: PinOptions): void {
  statements.forEach((statement, index) => {
    if (statement.Effect !== 'Allow') return;
    const where = describe(statement, index);
    if (principalValues(statement.Principal).includes('*')) {
      throw refuse(
        'wildcard',
        `${where} allows Principal "*" (anyone), so pinning the audience would not restrict who can assume the role. ` +
          'Remove that statement or name specific principals.',
      );
    }
    if (statement.NotPrincipal !== undefined) {
      throw refuse(
        'wildcard',
        `${where} uses NotPrincipal with Allow, which trusts everyone except the listed principals. ` +
          'Replace it with an explicit Principal.',
      );
    }
    const wildcardFederated = federatedPrincipals(statement).find(hasWildcard);
    if (wildcardFederated !== undefined) {
      throw refuse(
        'wildcard',
        `${where} has a wildcard in the Federated principal "${wildcardFederated}". ` +
          `Name the provider exactly: ${options.providerArn}.`,
      );
    }
    if (!federatesThrough(statement, options.providerArn)) return;

    const actions = statement.Action === undefined ? [] : asList(statement.Action);
    const wildcardAction = actions.find(hasWildcard);
    if (statement.NotAction !== undefined || wildcardAction !== undefined) {
      throw refuse(
        'wildcard',
        `${where} federates through ${options.providerArn} with ` +
          (wildcardAction !== undefined ? `the wildcard action "${wildcardAction}"` : 'NotAction') +
          `. List the actions explicitly, e.g. "${WEB_IDENTITY_ACTION}".`,
      );
    }
    const principal = statement.Principal as Readonly<Record<string, string | readonly string[]>>;
    const others = [
      ...federatedPrincipals(statement).filter((arn) => arn !== options.providerArn),
      ...Object.keys(principal).filter((type) => type !== 'Federated'),
    ];
    if (others.length > 0) {
      throw refuse(
        'foreign-provider',
        `${where} trusts ${options.providerArn} together with ${others.join(', ')} in the same statement, ` +
          'so conditions pinned for Entra tokens would also apply to (or be evaluated for) the other principals. ' +
          'Move the other principals to a statement of their own.',
      );
    }
  });
}

type ConditionBlock = NonNullable<PolicyStatement['Condition']>;
type ConditionValue = ConditionBlock[string][string];

/**
 * The statement's conditions with `aud` and `sub` pinned by exact `StringEquals`, and every
 * other test of those two keys removed: next to an exact pin, another test of the same key is
 * either redundant or contradictory (the placeholder audience), never a useful restriction.
 * Every other key and operator, and the order of what stays, is kept.
 */
function pinConditions(condition: ConditionBlock | undefined, options: PinOptions): ConditionBlock {
  const audKey = `${options.conditionKeyPrefix}:aud`;
  const subKey = `${options.conditionKeyPrefix}:sub`;
  // Condition key names are case-insensitive in IAM, so `…:AUD` is the same key.
  const pinnedKeys = new Set([audKey.toLowerCase(), subKey.toLowerCase()]);

  const result: Record<string, Record<string, ConditionValue>> = {};
  for (const [operator, block] of Object.entries(condition ?? {})) {
    const kept = Object.fromEntries(Object.entries(block).filter(([key]) => !pinnedKeys.has(key.toLowerCase())));
    if (operator === 'StringEquals' || Object.keys(kept).length > 0) result[operator] = kept;
  }
  const audiences = [...new Set([options.appId, ...(options.alsoAllowedAudiences ?? [])])];
  result.StringEquals = {
    ...result.StringEquals,
    [audKey]: audiences.length === 1 ? audiences[0] : audiences,
    [subKey]: options.servicePrincipalObjectId,
  };
  return result;
}

/** Deep equality for JSON values; object key order does not matter, array order does. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  return (
    aKeys.length === Object.keys(b).length &&
    aKeys.every((key) => Object.hasOwn(b, key) && jsonEqual((a as Record<string, unknown>)[key], bRecord[key]))
  );
}

function checkOptions(options: PinOptions): void {
  const fields: [string, unknown][] = [
    ['appId', options.appId],
    ...(options.alsoAllowedAudiences ?? []).map((value, i): [string, unknown] => [`alsoAllowedAudiences[${i}]`, value]),
    ['servicePrincipalObjectId', options.servicePrincipalObjectId],
  ];
  for (const [field, value] of fields) {
    if (typeof value !== 'string' || !GUID.test(value)) {
      throw new InvalidInputError(`${field}: "${String(value)}" is not a GUID`);
    }
  }
  if (!options.providerArn.endsWith(`:oidc-provider/${options.conditionKeyPrefix}`)) {
    throw new InvalidInputError(
      `conditionKeyPrefix: "${options.conditionKeyPrefix}" does not match providerArn "${options.providerArn}"; ` +
        'the prefix is the part of the ARN after "oidc-provider/"',
    );
  }
  if (!Number.isInteger(options.maxPolicyChars) || options.maxPolicyChars <= 0) {
    throw new InvalidInputError(
      `maxPolicyChars: ${options.maxPolicyChars} must be a positive integer (IAM's default quota is ${DEFAULT_MAX_TRUST_POLICY_CHARS})`,
    );
  }
}

/**
 * Pins every Allow statement that federates through our provider to one application
 * (`aud`) and one service principal (`sub`), keeping everything else as the app team wrote
 * it. Never widens access: it only adds exact conditions to those statements and removes
 * other tests of the same two keys. Idempotent: an already pinned policy comes back as the
 * same object with `changed: false`. A policy without such a statement comes back unchanged
 * (callers decide with `referencesProvider` whether a role is ours).
 */
export function pinTrustPolicy(original: PolicyDocument, options: PinOptions): PinResult {
  checkOptions(options);
  assertPolicyDocument(original);
  const keys = { providerArn: options.providerArn, conditionKeyPrefix: options.conditionKeyPrefix };
  // A successful pin lifts the lock a failed federation left (and only that lock: recognised by its shape).
  const policy = withoutLock(original, keys);
  const statements = statementsOf(policy);
  const toPin = statementToPin(keys, options.handMadeAudiences ?? []);
  if (!statements.some(toPin)) {
    return policy === original ? { policy, changed: false } : { policy, changed: true };
  }
  checkRewritable(statements, options);

  const pinned = statements.map((statement) =>
    toPin(statement) ? { ...statement, Condition: pinConditions(statement.Condition, options) } : statement,
  );
  const rewritten: PolicyDocument = { ...policy, Statement: Array.isArray(policy.Statement) ? pinned : pinned[0] };
  if (jsonEqual(rewritten, original)) return { policy: original, changed: false };

  const size = JSON.stringify(rewritten).length;
  if (size > options.maxPolicyChars) {
    throw refuse(
      'policy-too-large',
      `the pinned trust policy would be ${size} characters, over the account's role trust policy quota of ` +
        `${options.maxPolicyChars}. Shorten the policy (fewer statements or conditions) or raise the IAM quota ` +
        '"Role trust policy length" in Service Quotas and configure the new maximum.',
    );
  }
  return { policy: rewritten, changed: true };
}

// ---------------------------------------------------------------------------------------
// Open, locked, hand-made: how the automation reads a trust policy it did not (yet) pin.
// ---------------------------------------------------------------------------------------

/** The `Sid` of the statement the automation adds to lock a role it could not pin. */
export const LOCK_SID = 'EntraFederationLock';

export interface ProviderKeys {
  readonly providerArn: string;
  /** The provider's host+path, prefix of its condition keys (`sts.windows.net/{tid}/`). */
  readonly conditionKeyPrefix: string;
}

type ConditionTest = { readonly operator: string; readonly values: readonly string[] };

/** Every test of one condition key in a statement (key names are case-insensitive in IAM). */
function testsOf(statement: PolicyStatement, key: string): ConditionTest[] {
  const tests: ConditionTest[] = [];
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    for (const [name, value] of Object.entries(block)) {
      if (name.toLowerCase() === key.toLowerCase())
        tests.push({ operator, values: asList(value as string | readonly string[]).map(String) });
    }
  }
  return tests;
}

/** `StringEquals`, `ForAnyValue:StringEquals`, `StringEqualsIfExists`… → `StringEquals`. */
const baseOperator = (operator: string): string => operator.replace(/^For(Any|All)Values?:/i, '').replace(/IfExists$/i, '');

/** IAM `StringLike`: `*` and `?` wildcards, case-sensitive. */
const globMatches = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  ).test(value);

/**
 * Whether one value passes one string test (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String).
 * An operator this function does not know passes: when in doubt, a statement counts as open.
 */
function passes(test: ConditionTest, value: string): boolean {
  const op = baseOperator(test.operator);
  switch (op) {
    case 'StringEquals':
      return test.values.includes(value);
    case 'StringEqualsIgnoreCase':
      return test.values.some((v) => v.toLowerCase() === value.toLowerCase());
    case 'StringLike':
      return test.values.some((v) => globMatches(v, value));
    case 'StringNotEquals':
      return !test.values.includes(value);
    case 'StringNotEqualsIgnoreCase':
      return !test.values.some((v) => v.toLowerCase() === value.toLowerCase());
    case 'StringNotLike':
      return !test.values.some((v) => globMatches(v, value));
    default:
      return true;
  }
}

/** The exact values a statement pins a key to (`StringEquals`, no wildcard), or none. */
export function pinnedValues(statement: PolicyStatement, key: string): string[] {
  return testsOf(statement, key)
    .filter((test) => baseOperator(test.operator) === 'StringEquals')
    .flatMap((test) => test.values)
    .filter((value) => !hasWildcard(value));
}

const isWebIdentityAllow = (statement: PolicyStatement, keys: ProviderKeys) => admitsProviderTokens(statement, keys.providerArn);

/** `StringEquals` / `StringEqualsIgnoreCase` (whatever the set and IfExists qualifiers): only the listed values pass. */
const EXACT_OPERATORS = new Set(['StringEquals', 'StringEqualsIgnoreCase']);

/** The statements the pin rewrites: through the provider, and not federated by hand. */
function statementToPin(keys: ProviderKeys, handMadeAudiences: readonly string[]): (statement: PolicyStatement) => boolean {
  const handMade = new Set(handMadeAudiences);
  return (statement) =>
    federatesThrough(statement, keys.providerArn) &&
    !pinnedValues(statement, `${keys.conditionKeyPrefix}:aud`).some((aud) => handMade.has(aud));
}

/** Whether anything is left to pin once the hand-made statements are set aside. */
export function hasStatementsToPin(policy: PolicyDocument, keys: ProviderKeys, handMadeAudiences: readonly string[]): boolean {
  const toPin = statementToPin(keys, handMadeAudiences);
  return statementsOf(policy).some((statement) => toPin(statement) || (statement.Principal === '*' && isWebIdentityAllow(statement, keys)));
}

/**
 * THE definition of an open statement: it lets the provider's tokens in (Allow, the provider
 * or `*`, `sts:AssumeRoleWithWebIdentity`), pins no `sub`, and its `aud` tests admit a client
 * ID the provider holds, or may hold later. STS only checks that a token's audience is one of
 * the provider's client IDs (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html),
 * and that list holds other roles' application IDs, for which any workload of the tenant can
 * get a token: an open statement lets the whole tenant in. The list grows whenever a role of
 * the account is federated, so "not held today" is not enough: only an exact positive test
 * (`StringEquals`, `StringEqualsIgnoreCase`) whose values the provider does not hold keeps a
 * statement closed. No `aud` test, `StringLike` with a wildcard, or a negative test
 * (`StringNotEquals`) is open.
 */
export function openStatements(policy: PolicyDocument, keys: ProviderKeys, heldClientIds: readonly string[]): PolicyStatement[] {
  const audKey = `${keys.conditionKeyPrefix}:aud`;
  const subKey = `${keys.conditionKeyPrefix}:sub`;
  return statementsOf(policy).filter((statement) => {
    if (!isWebIdentityAllow(statement, keys)) return false;
    if (pinnedValues(statement, subKey).length > 0) return false;
    const audTests = testsOf(statement, audKey);
    const exact = audTests.some((test) => EXACT_OPERATORS.has(baseOperator(test.operator)));
    if (!exact) return true;
    return heldClientIds.some((clientId) => audTests.every((test) => passes(test, clientId)));
  });
}

/** Open and not neutralised by the automation's lock. */
export function isOpen(policy: PolicyDocument, keys: ProviderKeys, heldClientIds: readonly string[]): boolean {
  return openStatements(policy, keys, heldClientIds).length > 0 && !hasLock(policy, keys);
}

const LOCK_SID_PATTERN = new RegExp(`^${LOCK_SID}\\d*$`);

/**
 * Whether a statement is the automation's lock, by its whole shape (a statement that only
 * borrows the `Sid` is the team's own and is neither trusted as a lock nor removed): Deny,
 * exactly the provider as principal, exactly the web identity action, and at most the `sub`
 * exemption `withLock` writes.
 */
function isLock(statement: PolicyStatement, keys: ProviderKeys): boolean {
  if (statement.Effect !== 'Deny' || !LOCK_SID_PATTERN.test(statement.Sid ?? '')) return false;
  const principal = statement.Principal;
  if (principal === undefined || principal === '*' || Object.keys(principal).join() !== 'Federated') return false;
  if (asList(principal.Federated).join() !== keys.providerArn || statement.Action !== WEB_IDENTITY_ACTION) return false;
  if (statement.NotAction !== undefined || statement.Resource !== undefined || statement.NotPrincipal !== undefined) return false;
  if (statement.Condition === undefined) return true;
  const operators = Object.keys(statement.Condition);
  const subKey = `${keys.conditionKeyPrefix}:sub`;
  const audKey = `${keys.conditionKeyPrefix}:aud`;
  const tested = Object.keys(statement.Condition.StringNotEquals ?? {}).join();
  return operators.join() === 'StringNotEquals' && [subKey, `${audKey},${subKey}`].includes(tested);
}

/** The audiences a lock exempts (the team's own hand-made client IDs), or none: the lock then covers every audience. */
export function lockExemptions(policy: PolicyDocument, keys: ProviderKeys): readonly string[] {
  const audKey = `${keys.conditionKeyPrefix}:aud`;
  const lock = statementsOf(policy).find((statement) => isLock(statement, keys));
  return asList(lock?.Condition?.StringNotEquals?.[audKey] as string | readonly string[] | undefined);
}

export function hasLock(policy: PolicyDocument, keys: ProviderKeys): boolean {
  return statementsOf(policy).some((statement) => isLock(statement, keys));
}

/** The policy without the automation's lock statement. */
export function withoutLock(policy: PolicyDocument, keys: ProviderKeys): PolicyDocument {
  if (!hasLock(policy, keys)) return policy;
  return { ...policy, Statement: statementsOf(policy).filter((statement) => !isLock(statement, keys)) };
}

/**
 * The policy with the automation's lock: an explicit Deny of `sts:AssumeRoleWithWebIdentity`
 * for the provider's tokens, except for the identities (`sub`) the policy already pins, so
 * the app team's pinned statements keep working and everything open stops. An explicit Deny
 * wins over any Allow (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * Its `Sid` is `EntraFederationLock` (with a number when a statement of the team's already
 * uses it: Sids must be unique in a policy). `exemptAudiences` (after a pin: the team's own
 * hand-made audiences) are spared too, so that their paths keep working while every path through
 * a client ID the automation put on the provider is closed. Throws
 * `TrustPolicyRewriteError('policy-too-large')` when the result would not fit.
 */
export function withLock(
  policy: PolicyDocument,
  keys: ProviderKeys,
  maxPolicyChars: number,
  exemptAudiences: readonly string[] = [],
  /** `false`: the pinned identities are locked out too (a revocation: no web identity token gets in). */
  exemptPinned = true,
): PolicyDocument {
  const base = withoutLock(policy, keys);
  const subKey = `${keys.conditionKeyPrefix}:sub`;
  const audKey = `${keys.conditionKeyPrefix}:aud`;

  const pinnedSubs = exemptPinned
    ? [
        ...new Set(
          statementsOf(base)
            .filter((s) => isWebIdentityAllow(s, keys))
            .flatMap((s) => pinnedValues(s, subKey)),
        ),
      ].sort()
    : [];
  // The exemption only ever goes with pinned identities (a pin): a lock that exempted audiences
  // alone would not be recognised as the automation's (`isLock`).
  const exempt = pinnedSubs.length > 0 ? [...new Set(exemptAudiences)].sort() : [];
  const usedSids = new Set(statementsOf(base).map((statement) => statement.Sid));
  let sid = LOCK_SID;
  for (let n = 2; usedSids.has(sid); n++) sid = `${LOCK_SID}${n}`;
  const lock: PolicyStatement = {
    Sid: sid,
    Effect: 'Deny',
    Principal: { Federated: keys.providerArn },
    Action: WEB_IDENTITY_ACTION,
    // Both keys in one StringNotEquals block: the Deny applies only when the token's aud is none
    // of the exempt audiences AND its sub is none of the pinned identities (keys of one block
    // are ANDed, the values of one key ORed:
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
    ...(pinnedSubs.length > 0 || exempt.length > 0
      ? {
          Condition: {
            StringNotEquals: {
              ...(exempt.length > 0 ? { [audKey]: exempt.length === 1 ? exempt[0] : exempt } : {}),
              ...(pinnedSubs.length > 0 ? { [subKey]: pinnedSubs.length === 1 ? pinnedSubs[0] : pinnedSubs } : {}),
            },
          },
        }
      : {}),
  };
  const locked: PolicyDocument = { ...base, Statement: [...statementsOf(base), lock] };
  const size = JSON.stringify(locked).length;
  if (size > maxPolicyChars) {
    throw refuse('policy-too-large', `the locked trust policy would be ${size} characters, over the quota of ${maxPolicyChars}`);
  }
  return locked;
}

/**
 * What a role's web identity statements admit (the `entra:access` tag): `open` (see
 * `openStatements`), `locked` (the automation's lock neutralises what is open), `pinned`
 * (some statement pins a `sub`, nothing is open), `closed` (nothing admits a token).
 */
export function accessOf(
  policy: PolicyDocument,
  keys: ProviderKeys,
  heldClientIds: readonly string[],
): 'open' | 'locked' | 'pinned' | 'closed' {
  if (openStatements(policy, keys, heldClientIds).length > 0) return hasLock(policy, keys) ? 'locked' : 'open';
  const subKey = `${keys.conditionKeyPrefix}:sub`;
  return statementsOf(policy).some((s) => isWebIdentityAllow(s, keys) && pinnedValues(s, subKey).length > 0) ? 'pinned' : 'closed';
}

/** The `aud` values the policy's web identity statements pin exactly (GUID-shaped client IDs first). */
export function pinnedAudiences(policy: PolicyDocument, keys: ProviderKeys): string[] {
  const audKey = `${keys.conditionKeyPrefix}:aud`;
  return [
    ...new Set(
      statementsOf(policy)
        .filter((s) => isWebIdentityAllow(s, keys))
        .flatMap((s) => pinnedValues(s, audKey)),
    ),
  ];
}

/**
 * Client IDs a role's `aud` pins that could name an application (GUIDs), apart from the ones
 * given. The caller asks Graph whether each is an application the automation did not create:
 * then the role is a hand-made federation, left exactly as it is. Anything else in `aud` is a
 * placeholder (see docs/architecture.md#ours-hand-made-placeholder).
 */
export function candidateHandMadeAudiences(policy: PolicyDocument, keys: ProviderKeys): string[] {
  return pinnedAudiences(policy, keys).filter((value) => GUID.test(value));
}

/** The `sub` values the policy's web identity statements pin exactly, GUID-shaped or not. */
export function pinnedSubjects(policy: PolicyDocument, keys: ProviderKeys): string[] {
  const subKey = `${keys.conditionKeyPrefix}:sub`;
  return [
    ...new Set(
      statementsOf(policy)
        .filter((s) => isWebIdentityAllow(s, keys))
        .flatMap((s) => pinnedValues(s, subKey)),
    ),
  ];
}

/**
 * Which identity a role's trust policy names, read from its web identity statements' `sub`
 * pins (`StringEquals`, no wildcard) that are object IDs (GUIDs); any other `sub` value is a
 * placeholder, like a word in `aud`:
 *
 * - `none`: no statement names one: the role gets an application of its own;
 * - `named`: every statement names exactly one, the same: the app team brings that identity
 *   (docs/architecture.md#bring-your-own-identity);
 * - `ambiguous`: anything else (a statement names none while another names one, a statement
 *   names several, statements name different ones). Guessing would give some statement an
 *   audience with no `sub` pin: such a role is refused.
 */
export type NamedIdentity =
  | { readonly kind: 'none' }
  | { readonly kind: 'named'; readonly servicePrincipalObjectId: string }
  | { readonly kind: 'ambiguous'; readonly detail: string };

export function namedIdentity(policy: PolicyDocument, keys: ProviderKeys, handMadeAudiences: readonly string[] = []): NamedIdentity {
  const subKey = `${keys.conditionKeyPrefix}:sub`;
  const audKey = `${keys.conditionKeyPrefix}:aud`;
  const handMade = new Set(handMadeAudiences);
  // Hand-made statements name their own identity; they are kept as they are, not brought.
  const perStatement = statementsOf(policy)
    .filter((s) => isWebIdentityAllow(s, keys) && !pinnedValues(s, audKey).some((aud) => handMade.has(aud)))
    .map((s) => [
      ...new Set(
        pinnedValues(s, subKey)
          .filter((value) => GUID.test(value))
          .map((value) => value.toLowerCase()),
      ),
    ]);
  const named = new Set(perStatement.flat());
  if (named.size === 0) return { kind: 'none' };
  if (perStatement.some((ids) => ids.length === 0)) {
    return { kind: 'ambiguous', detail: 'some statements trusting the provider pin sub to an object ID and others do not' };
  }
  if (named.size > 1) {
    return {
      kind: 'ambiguous',
      detail: `the statements trusting the provider pin sub to ${named.size} different object IDs (${[...named].sort().join(', ')})`,
    };
  }
  return { kind: 'named', servicePrincipalObjectId: [...named][0] };
}
