import { byText, isObject, md, stableStringify } from './values';

/**
 * IAM policy documents (identity, trust and resource policies) compared for widened access.
 * Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 * (`Statement` is one object or an array; `Action`, `Resource`, principal lists and condition
 * values are a string or an array; action names are case-insensitive:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
 * Values inside a CloudFormation template may be intrinsic functions ({"Fn::Sub": …}); they are
 * compared as their JSON text.
 */

interface Condition {
  readonly operator: string;
  /** As written; compared case-insensitively (condition key names are not case-sensitive). */
  readonly key: string;
  readonly values: readonly string[];
}

interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly principals: readonly string[];
  readonly conditions: readonly Condition[];
}

/** One (action, resource, principal) an Allow grants or a Deny refuses, under conditions. */
interface Grant {
  readonly action: string;
  readonly resource: string;
  readonly principal: string;
  readonly conditions: readonly Condition[];
}

const NONE = '(none)';

function text(value: unknown): string {
  return typeof value === 'string' ? value : stableStringify(value);
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(text);
}

/**
 * The statement's action (resource, principal) tokens. `NotAction` and friends are kept whole
 * ("NotAction [a, b]"): they grant everything but the list, so any change to them is a new token.
 */
function tokens(statement: Record<string, unknown>, element: string): string[] {
  if (element in statement) return list(statement[element]);
  const negated = `Not${element}`;
  if (negated in statement) return [`${negated} [${list(statement[negated]).sort(byText).join(', ')}]`];
  return [];
}

function principals(statement: Record<string, unknown>): string[] {
  const flatten = (element: string, value: unknown): string[] => {
    if (value === '*') return [element === 'Principal' ? '*' : `${element} *`];
    if (!isObject(value)) return list(value).map((v) => (element === 'Principal' ? v : `${element} ${v}`));
    return Object.keys(value)
      .sort(byText)
      .flatMap((type) => list(value[type]).map((id) => `${element === 'Principal' ? '' : `${element} `}${type}:${id}`));
  };
  if ('Principal' in statement) return flatten('Principal', statement.Principal);
  if ('NotPrincipal' in statement) return [`NotPrincipal [${flatten('NotPrincipal', statement.NotPrincipal).join(', ')}]`];
  return [];
}

function conditions(value: unknown): Condition[] {
  if (!isObject(value)) return [];
  return Object.keys(value)
    .sort(byText)
    .flatMap((operator) => {
      const block = value[operator];
      if (!isObject(block)) return [{ operator, key: '(malformed)', values: [text(block)] }];
      return Object.keys(block)
        .sort(byText)
        .map((key) => ({ operator, key, values: list(block[key]).sort(byText) }));
    });
}

/** The statements of a policy document given as JSON text or as an object; null when it is not one. */
export function parsePolicy(document: unknown): Statement[] | null {
  let doc = document;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      return null;
    }
  }
  if (!isObject(doc) || !('Statement' in doc)) return null;
  const raw = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return raw.filter(isObject).map((s) => ({
    effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
    actions: tokens(s, 'Action'),
    resources: tokens(s, 'Resource'),
    principals: principals(s),
    conditions: conditions(s.Condition),
  }));
}

function grants(statements: readonly Statement[], effect: 'Allow' | 'Deny'): Grant[] {
  const orNone = (values: readonly string[]) => (values.length > 0 ? values : [NONE]);
  return statements
    .filter((s) => s.effect === effect)
    .flatMap((s) =>
      orNone(s.actions).flatMap((action) =>
        orNone(s.resources).flatMap((resource) =>
          orNone(s.principals).map((principal) => ({ action, resource, principal, conditions: s.conditions })),
        ),
      ),
    );
}

/** Action names are case-insensitive in IAM; resources and principals are compared as written. */
const actionKey = (action: string) => action.toLowerCase();
const sameKey = (a: Condition, b: Condition) => a.operator === b.operator && a.key.toLowerCase() === b.key.toLowerCase();
const sameTarget = (a: Grant, b: Grant) =>
  actionKey(a.action) === actionKey(b.action) && a.resource === b.resource && a.principal === b.principal;

/** `narrow`'s conditions include every condition of `wide`, each with no more values: narrow is at most as permissive. */
function atLeastAsStrict(narrow: readonly Condition[], wide: readonly Condition[]): boolean {
  return wide.every((w) => narrow.some((n) => sameKey(n, w) && n.values.every((v) => w.values.includes(v))));
}

/** What the conditions of `after` lost against `before` (removed keys, added values). */
function loosened(before: readonly Condition[], after: readonly Condition[]): string[] {
  return before.flatMap((b) => {
    const match = after.find((a) => sameKey(a, b));
    if (!match) return [`condition removed: ${md(b.operator)} ${md(b.key)}`];
    const added = match.values.filter((v) => !b.values.includes(v));
    return added.length > 0 ? [`condition ${md(b.operator)} ${md(b.key)} now also allows ${added.map(md).join(', ')}`] : [];
  });
}

/** A `*` anywhere, or a Not… element: it grants everything but its list. */
const hasWildcard = (token: string) => token.includes('*') || token.startsWith('Not');

/**
 * How `after` grants more than `before`: new actions, new `*` in Action/Resource/Principal,
 * new resources or principals, fewer or looser conditions, and Deny statements that no longer
 * apply. `before` null means the policy is new: only its wildcards are flagged (everything in
 * it is new, and the whole document is shown). Sorted, without duplicates.
 */
export function widenings(before: readonly Statement[] | null, after: readonly Statement[] | null): string[] {
  const findings = new Set<string>();
  const afterAllows = after ? grants(after, 'Allow') : [];
  if (before === null) {
    for (const g of afterAllows) {
      if (hasWildcard(g.action)) findings.add(`\`*\` in Action: ${md(g.action)}`);
      if (hasWildcard(g.resource)) findings.add(`\`*\` in Resource: ${md(g.resource)}`);
      if (hasWildcard(g.principal)) findings.add(`\`*\` in Principal: ${md(g.principal)}`);
    }
    return [...findings].sort(byText);
  }
  const beforeAllows = grants(before, 'Allow');
  const known = (pick: (g: Grant) => string) => new Set(beforeAllows.map(pick));
  const [actions, resources, principalSet] = [known((g) => actionKey(g.action)), known((g) => g.resource), known((g) => g.principal)];
  for (const g of afterAllows) {
    if (beforeAllows.some((b) => sameTarget(b, g) && atLeastAsStrict(g.conditions, b.conditions))) continue;
    if (!actions.has(actionKey(g.action))) {
      findings.add(hasWildcard(g.action) ? `new \`*\` in Action: ${md(g.action)}` : `new action: ${md(g.action)}`);
    } else if (!resources.has(g.resource)) {
      findings.add(hasWildcard(g.resource) ? `new \`*\` in Resource: ${md(g.resource)}` : `new resource: ${md(g.resource)}`);
    } else if (!principalSet.has(g.principal)) {
      findings.add(hasWildcard(g.principal) ? `new \`*\` in Principal: ${md(g.principal)}` : `new principal: ${md(g.principal)}`);
    } else {
      const previous = beforeAllows.filter((b) => sameTarget(b, g));
      const losses = previous.length > 0 ? previous.flatMap((b) => loosened(b.conditions, g.conditions)) : [];
      const where = `(${md(g.action)}${g.resource === NONE ? '' : ` on ${md(g.resource)}`}${g.principal === NONE ? '' : ` for ${md(g.principal)}`})`;
      if (losses.length === 0) findings.add(`newly granted ${where}`);
      for (const loss of losses) findings.add(`${loss} ${where}`);
    }
  }
  const afterDenies = after ? grants(after, 'Deny') : [];
  const lifted = new Map<string, Set<string>>();
  for (const d of grants(before, 'Deny')) {
    // A Deny still applies when the new one targets the same thing under no more conditions.
    if (afterDenies.some((a) => sameTarget(a, d) && atLeastAsStrict(d.conditions, a.conditions))) continue;
    const targets = lifted.get(d.action) ?? new Set<string>();
    targets.add(`${md(d.resource)}${d.principal === NONE ? '' : ` for ${md(d.principal)}`}`);
    lifted.set(d.action, targets);
  }
  for (const [action, targets] of lifted) findings.add(`Deny no longer applies: ${md(action)} on ${[...targets].sort(byText).join(', ')}`);
  return [...findings].sort(byText);
}

/** The document pretty-printed for reading (JSON text parsed first; anything else as is). */
export function prettyPolicy(document: unknown): string {
  if (typeof document === 'string') {
    try {
      return JSON.stringify(JSON.parse(document), null, 2);
    } catch {
      return document;
    }
  }
  return JSON.stringify(document, null, 2);
}
