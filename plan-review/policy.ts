import type { ReviewContext } from './context';
import type { Judgement } from './findings';
import { resolveIntrinsics } from './intrinsics';
import { duplicateKey } from './json-text';
import { byText, isObject, md, stableStringify } from './values';

/**
 * IAM policy documents (identity, trust and resource policies) compared for widened access.
 * Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 * (`Statement` is one object or an array; `Action`, `Resource`, principal lists and condition
 * values are a string or an array; action names are case-insensitive:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
 * Values inside a CloudFormation template may be intrinsic functions: `judgePolicy` resolves
 * them first (plan-review/intrinsics.ts); `parsePolicy` alone compares them as their JSON text.
 */

interface Condition {
  readonly operator: string;
  /** As written; compared case-insensitively (condition key names are not case-sensitive). */
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly principals: readonly string[];
  readonly conditions: readonly Condition[];
}

/** One (action, resource, principal) an Allow grants or a Deny refuses, under conditions. */
export interface Grant {
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

export function grants(statements: readonly Statement[], effect: 'Allow' | 'Deny'): Grant[] {
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

/**
 * A negated operator (StringNotEquals, ArnNotLike, NotIpAddress, …, with IfExists or a set prefix)
 * NORs its values: each value excludes more, so fewer values match more requests
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
 */
const negated = (c: Condition) => c.operator.includes('Not');

/** Values of `narrow` that `wide` does not match as well: added to a positive operator, or removed from a negated one. */
const extra = (narrow: Condition, wide: Condition) =>
  negated(wide) ? wide.values.filter((v) => !narrow.values.includes(v)) : narrow.values.filter((v) => !wide.values.includes(v));

/** `narrow`'s conditions include every condition of `wide`, each matching no more values: narrow is at most as permissive. */
function atLeastAsStrict(narrow: readonly Condition[], wide: readonly Condition[]): boolean {
  return wide.every((w) => narrow.some((n) => sameKey(n, w) && extra(n, w).length === 0));
}

/** What the conditions of `after` lost against `before` (removed keys, added values, values a negated operator no longer excludes). */
function loosened(before: readonly Condition[], after: readonly Condition[]): string[] {
  return before.flatMap((b) => {
    const match = after.find((a) => sameKey(a, b));
    if (!match) return [`condition removed: ${md(b.operator)} ${md(b.key)}`];
    const added = extra(match, b);
    if (added.length === 0) return [];
    const how = negated(b) ? 'no longer excludes' : 'now also allows';
    return [`condition ${md(b.operator)} ${md(b.key)} ${how} ${added.map(md).join(', ')}`];
  });
}

/**
 * A `*` or `?` anywhere (`?` is any one character in actions and resource ARNs:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html), or a
 * Not… element: it grants everything but its list.
 */
const hasWildcard = (token: string) => /[*?]/.test(token) || token.startsWith('Not');

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

/** A document as JSON text (a Terraform attribute) or an object (a template property); undefined when absent. */
function documentVariants(document: unknown, template: boolean): { docs: unknown[] } | { unreadable: string } {
  let doc = document;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      return { unreadable: 'it is not JSON' };
    }
    const duplicate = duplicateKey(document as string);
    if (duplicate !== undefined) return { unreadable: `the key ${md(duplicate)} appears twice in one object` };
  }
  if (!template) return { docs: [doc] };
  const resolved = resolveIntrinsics(doc);
  return resolved.kind === 'values' ? { docs: [...resolved.values] } : { unreadable: `it is built with ${resolved.why}` };
}

/**
 * Actions that change who may do what (IAM writes) or take another identity (sts:AssumeRole).
 * An action pattern is matched as IAM matches it (`*` and `?` wildcards, case-insensitive:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html),
 * so `iam:*Policy` or `i*:Put*` count as well; a `NotAction` grants all but its list.
 */
const SENSITIVE_ACTIONS = [
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
/** An IAM action or resource pattern as a regular expression (`*` and `?` wildcards, case-insensitive). */
const globRegExp = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
/** Whether a grant's action (a pattern, or a Not… element: all but its list) covers an action. */
export const actionCovers = (pattern: string, action: string) => pattern.startsWith('Not') || globRegExp(pattern).test(action);
const grantsSensitive = (action: string) => SENSITIVE_ACTIONS.some((a) => actionCovers(action, a));

/**
 * Does an IAM resource pattern (or `*`) reach a role matching one of the protected name patterns?
 * `*` and `?` are wildcards in resource ARNs, and a `*` ending a segment reaches across the colons
 * after it (`arn:aws:iam::*:*` is every role): the pattern is also matched against each protected role's ARN.
 */
function reachesProtectedRole(resource: string, patterns: readonly string[]): string | undefined {
  if (resource === '*' || resource === NONE) return patterns[0];
  const [, partition = 'aws', , , account = ''] = resource.split(':');
  const name = /:role\/(?:.*\/)?([^/]*)$/.exec(resource)?.[1];
  return patterns.find(
    (p) =>
      globRegExp(resource).test(`arn:${partition}:iam::${account}:role/${p}`) ||
      (name !== undefined && (globRegExp(name).test(p) || globRegExp(p).test(name))),
  );
}

/** The account an AWS principal names, `self` for the template's own account, undefined when it names none. */
function principalAccount(id: string): string | undefined {
  // The template's placeholders hold "::"; read them as what they stand for first.
  const plain = id.replaceAll(`\${AWS::Partition}`, 'aws').replaceAll(`\${AWS::AccountId}`, 'self');
  if (/^\d{12}$/.test(plain) || plain === 'self') return plain;
  const arn = /^arn:[^:]*:(?:iam|sts)::([^:]*):/.exec(plain);
  return arn ? arn[1] : undefined;
}

/**
 * `aws:PrincipalOrgID` equal to the configured organization: the principal's account belongs to it
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid).
 * Any other operator or value is not taken as a bound.
 */
function orgBound(conditions: readonly Condition[], organizationId: string): boolean {
  return conditions.some(
    (c) =>
      /^StringEquals(IgnoreCase)?$/.test(c.operator) &&
      c.key.toLowerCase() === 'aws:principalorgid' &&
      c.values.length > 0 &&
      c.values.every((v) => v === organizationId),
  );
}

/** How a principal newly allowed by a statement is judged. */
function judgePrincipal(principal: string, conditions: readonly Condition[], ctx: ReviewContext, newDocument: boolean): Judgement | null {
  const bounded = orgBound(conditions, ctx.organizationId);
  if (principal === '*' || principal === 'AWS:*') {
    return bounded
      ? {
          kind: 'principal-organization',
          severity: 'info',
          message: `any principal of the organization ${md(ctx.organizationId)} (\`aws:PrincipalOrgID\`)`,
        }
      : {
          kind: 'principal-public',
          severity: 'warning',
          message: `${md(principal)}: any AWS principal, with no \`aws:PrincipalOrgID\` bound to the organization`,
        };
  }
  const [type, ...rest] = principal.split(':');
  const id = rest.join(':');
  switch (type) {
    case 'AWS': {
      const account = principalAccount(id);
      if (account === ctx.centralAccountId) return null;
      if (bounded)
        return {
          kind: 'principal-organization',
          severity: 'info',
          message: `${md(id)}, bounded to the organization by \`aws:PrincipalOrgID\``,
        };
      return {
        kind: 'principal-cross-account',
        severity: 'warning',
        message:
          account === 'self'
            ? `${md(id)}: principals of the member account itself (app teams create roles there): confirm they may`
            : `${md(id)}: cross-account${account ? ` (${md(account)})` : ''}: confirm it belongs to the organization`,
      };
    }
    case 'Service':
      // A service added to an existing trust policy lets whoever can pass the role to that
      // service (an EC2 instance profile, …) act as it
      // (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html); a new role's service is information.
      return newDocument
        ? { kind: 'principal-service', severity: 'info', message: `the AWS service ${md(id)}` }
        : {
            kind: 'principal-service',
            severity: 'warning',
            message: `the AWS service ${md(id)} is newly trusted: whoever can pass the role to it acts as the role`,
          };
    case 'Federated':
      return {
        kind: 'principal-federated',
        severity: 'warning',
        message: `tokens of the identity provider ${md(id)}: confirm who can obtain them`,
      };
    default:
      return {
        kind: 'principal-other',
        severity: 'warning',
        message: `${md(principal)}: a principal the review does not judge; read it yourself`,
      };
  }
}

/** Statement elements IAM defines; a document with others (or another Effect) is not judged. */
const ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

function unknownElements(doc: unknown): string[] {
  if (!isObject(doc)) return [];
  const top = Object.keys(doc).filter((k) => !['Version', 'Id', 'Statement'].includes(k));
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const problems = top.map((k) => `unknown element ${md(k)}`);
  for (const s of statements) {
    if (!isObject(s)) {
      if (s !== undefined) problems.push('a statement that is not an object');
      continue;
    }
    for (const k of Object.keys(s)) if (!ELEMENTS.has(k)) problems.push(`unknown statement element ${md(k)}`);
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') problems.push(`\`Effect\` ${md(String(s.Effect))}`);
  }
  return problems;
}

export interface PolicyJudgementOptions {
  readonly ctx: ReviewContext;
  /** A trust policy: its principals are what is new, judged one by one. */
  readonly trust?: boolean;
  /** A template property: intrinsic functions are resolved, and `${AWS::AccountId}` is the member account. */
  readonly template: boolean;
}

/**
 * Judges a policy document that changes: `before`/`after` undefined when absent on that side.
 * Unreadable documents are "cannot judge", never "no change"; every variant an intrinsic
 * function can produce counts; new principals are judged; new grants of IAM write actions
 * (on a protected role in particular) are named.
 */
export function judgePolicy(before: unknown, after: unknown, options: PolicyJudgementOptions): Judgement[] {
  if (after === undefined || after === null) {
    // The document goes: what it allowed goes with it, but so do its Deny statements.
    const side = before === undefined || before === null ? undefined : documentVariants(before, options.template);
    if (!side || 'unreadable' in side) return [];
    return side.docs
      .map(parsePolicy)
      .flatMap((statements) => (statements ? widenings(statements, []) : []))
      .map((message) => ({ kind: 'policy-widened' as const, severity: 'warning' as const, message }));
  }
  const afterSide = documentVariants(after, options.template);
  if ('unreadable' in afterSide) {
    return [
      {
        kind: 'policy-unreadable',
        severity: 'warning',
        message: `cannot judge the new document (${afterSide.unreadable}): read it yourself`,
      },
    ];
  }
  const afterDocs = afterSide.docs.map(parsePolicy);
  const strange = afterSide.docs.flatMap(unknownElements);
  if (strange.length > 0) {
    return [
      {
        kind: 'policy-unreadable',
        severity: 'warning',
        message: `cannot judge the new document (${strange.join('; ')}): read it yourself`,
      },
    ];
  }
  if (afterDocs.some((d) => d === null)) {
    return [
      {
        kind: 'policy-unreadable',
        severity: 'warning',
        message: 'cannot judge the new document (it is not a policy document with a `Statement`): read it yourself',
      },
    ];
  }
  const found: Judgement[] = [];
  let beforeDocs: (Statement[] | null)[] = [null];
  if (before !== undefined && before !== null) {
    const beforeSide = documentVariants(before, options.template);
    if ('unreadable' in beforeSide) {
      found.push({
        kind: 'policy-unreadable',
        severity: 'warning',
        message: `cannot read the previous document (${beforeSide.unreadable}): the new one is judged as if it were new`,
      });
    } else beforeDocs = beforeSide.docs.map(parsePolicy);
  }
  for (const a of afterDocs as Statement[][]) {
    for (const b of beforeDocs) {
      if (b === null && !options.trust) {
        // A new document is new access for whoever holds it: say what it grants.
        const allowed = [...new Set(grants(a, 'Allow').map((g) => g.action))].sort(byText);
        if (allowed.length > 0)
          found.push({
            kind: 'policy-widened',
            severity: 'warning',
            message: `new document grants ${allowed.slice(0, 8).map(md).join(', ')}${allowed.length > 8 ? ` and ${allowed.length - 8} more` : ''}`,
          });
      }
      for (const w of widenings(b, a)) found.push({ kind: 'policy-widened', severity: 'warning', message: w });
      const previous = b ? grants(b, 'Allow') : [];
      const isNew = (g: Grant) => !previous.some((p) => sameTarget(p, g) && atLeastAsStrict(g.conditions, p.conditions));
      const newGrants = grants(a, 'Allow').filter(isNew);
      const knownPrincipals = new Set(previous.map((g) => g.principal));
      for (const g of newGrants) {
        if (g.principal !== NONE && !knownPrincipals.has(g.principal)) {
          const judged = judgePrincipal(g.principal, g.conditions, options.ctx, b === null);
          if (judged) found.push(judged);
        } else if (
          g.principal !== NONE &&
          (g.principal === '*' || g.principal === 'AWS:*') &&
          !orgBound(g.conditions, options.ctx.organizationId)
        ) {
          const judged = judgePrincipal(g.principal, g.conditions, options.ctx, b === null);
          if (judged) found.push(judged);
        }
        if (g.principal === NONE && grantsSensitive(g.action)) {
          const role = reachesProtectedRole(g.resource, options.ctx.protectedRoles);
          found.push({
            kind: 'iam-write-granted',
            severity: 'warning',
            message: `grants ${md(g.action)} on ${md(g.resource)}${role ? `, which reaches the protected role ${md(role)}` : ''}`,
          });
        }
      }
    }
  }
  return found;
}
