/**
 * An evaluator of a role trust policy for one `sts:AssumeRoleWithWebIdentity` request, written
 * apart from the automation's classifier (functions/shared/federation) and from its trust-policy
 * logic, from IAM's documented rules only, so that a property test can judge the classifier with
 * it. It imports nothing from the code it judges.
 *
 * - Evaluation: an explicit Deny in any applicable statement wins; otherwise an applicable Allow
 *   allows; otherwise the request is implicitly denied
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * - A statement applies when its principal, action and every condition match
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html):
 *   `Principal: "*"` is everyone; `NotPrincipal` everyone but those listed; actions match
 *   case-insensitively with `*` and `?`.
 * - Conditions: every operator block and every key in it must hold (AND); the values of one key
 *   are ORed for positive operators, and a negated operator holds when the value matches none of
 *   them; condition key names are case-insensitive, values compare as each operator says
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html,
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String).
 * - `…IfExists`: true when the key is absent; otherwise as without it. A key absent from the
 *   request fails a positive operator and passes a negated one (same page, "Condition operator
 *   to check existence of condition keys" and "negated matching condition operators").
 * - `ForAnyValue:` holds when at least one of the request's values matches (false when the key is
 *   absent); `ForAllValues:` when every request value matches (true when the key is absent)
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
 * - The web identity keys are the provider's host and path followed by `:aud` and `:sub`
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif).
 *   Operators this evaluator does not know make it throw: a test must not guess.
 */

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

export interface WebIdentityRequest {
  /** The provider's ARN: the federated principal. */
  readonly providerArn: string;
  /** Host and path of the provider, the prefix of its condition keys. */
  readonly keyPrefix: string;
  /** The token's audience as IAM reads it (v1 `aud`, v2 `azp`). */
  readonly aud: string;
  /** The token's subject (a service principal's object ID). */
  readonly sub: string;
}

type Json = unknown;
const list = (value: Json): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  let source = '^';
  for (const c of pattern) source += c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** One string test of one request value: `[matches, negated]`. */
function stringTest(base: string): { match: (policyValue: string, value: string) => boolean; negated: boolean } {
  switch (base) {
    case 'StringEquals':
      return { match: (p, v) => p === v, negated: false };
    case 'StringNotEquals':
      return { match: (p, v) => p === v, negated: true };
    case 'StringEqualsIgnoreCase':
      return { match: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false };
    case 'StringNotEqualsIgnoreCase':
      return { match: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: true };
    case 'StringLike':
      return { match: (p, v) => glob(p, v, false), negated: false };
    case 'StringNotLike':
      return { match: (p, v) => glob(p, v, false), negated: true };
    default:
      throw new Error(`trust-oracle: condition operator ${base} is not modelled`);
  }
}

function conditionHolds(operator: string, policyValues: string[], requestValues: string[] | undefined): boolean {
  let rest = operator;
  let set: 'any' | 'all' | undefined;
  if (/^ForAnyValue:/i.test(rest)) {
    set = 'any';
    rest = rest.replace(/^ForAnyValue:/i, '');
  } else if (/^ForAllValues:/i.test(rest)) {
    set = 'all';
    rest = rest.replace(/^ForAllValues:/i, '');
  }
  const ifExists = /IfExists$/.test(rest);
  const test = stringTest(ifExists ? rest.slice(0, -'IfExists'.length) : rest);
  const one = (value: string) => {
    const any = policyValues.some((p) => test.match(p, value));
    return test.negated ? !any : any;
  };
  if (requestValues === undefined || requestValues.length === 0) {
    if (set === 'all') return true;
    if (set === 'any') return false;
    return ifExists || test.negated;
  }
  if (set === 'all') return requestValues.every(one);
  return requestValues.some(one);
}

function principalMatches(statement: Record<string, Json>, providerArn: string): boolean {
  const names = (principal: Json): string[] | '*' => {
    if (principal === '*') return '*';
    if (typeof principal !== 'object' || principal === null) return [];
    const federated = Object.entries(principal as Record<string, Json>).find(([type]) => type === 'Federated')?.[1];
    const all = Object.values(principal as Record<string, Json>).flatMap(list);
    return all.includes('*') ? '*' : list(federated).map(String);
  };
  if (statement.Principal !== undefined) {
    const named = names(statement.Principal);
    return named === '*' || named.includes(providerArn);
  }
  if (statement.NotPrincipal !== undefined) {
    const named = names(statement.NotPrincipal);
    return named !== '*' && !named.includes(providerArn);
  }
  return false;
}

function actionMatches(statement: Record<string, Json>, action: string): boolean {
  if (statement.Action !== undefined) return list(statement.Action).some((p) => glob(String(p), action, true));
  if (statement.NotAction !== undefined) return !list(statement.NotAction).some((p) => glob(String(p), action, true));
  return false;
}

function conditionsHold(statement: Record<string, Json>, context: ReadonlyMap<string, string[]>): boolean {
  const condition = (statement.Condition ?? {}) as Record<string, Record<string, Json>>;
  return Object.entries(condition).every(([operator, block]) =>
    Object.entries(block).every(([key, values]) => conditionHolds(operator, list(values).map(String), context.get(key.toLowerCase()))),
  );
}

/** What IAM decides for this request against this trust policy. */
export function evaluateWebIdentity(policy: Json, request: WebIdentityRequest): Decision {
  const context = new Map([
    [`${request.keyPrefix}:aud`.toLowerCase(), [request.aud]],
    [`${request.keyPrefix}:sub`.toLowerCase(), [request.sub]],
  ]);
  const statements = list((policy as { Statement?: Json }).Statement) as Record<string, Json>[];
  const applicable = statements.filter(
    (statement) =>
      principalMatches(statement, request.providerArn) &&
      actionMatches(statement, 'sts:AssumeRoleWithWebIdentity') &&
      conditionsHold(statement, context),
  );
  if (applicable.some((statement) => statement.Effect === 'Deny')) return 'explicit-deny';
  return applicable.some((statement) => statement.Effect === 'Allow') ? 'allow' : 'implicit-deny';
}
