import { parsePolicy, prettyPolicy, widenings } from './policy';
import { byText, isObject, md, stableStringify } from './values';

/**
 * The StackSet's member template (`template_body`), compared resource by resource: which
 * CloudFormation resources every member account gains, loses or changes, with the IAM
 * policies inside them diffed like any other policy.
 */

/** Properties whose change makes CloudFormation replace the resource ("yes") or may ("maybe"). */
export type ReplacementLookup = (cloudFormationType: string) => ReadonlyMap<string, 'yes' | 'maybe'>;

export interface PolicyChange {
  /** e.g. "trust policy (`assume_role_policy`)", "inline policy `federate-web-identity-roles`". */
  readonly label: string;
  /** Pretty-printed documents; null when absent on that side. */
  readonly before: string | null;
  readonly after: string | null;
  readonly afterKnown: boolean;
  /** Widened access, sorted. Empty for a policy that only narrows or is unchanged in effect. */
  readonly widenings: readonly string[];
}

export interface TemplateResourceChange {
  readonly logicalId: string;
  readonly type: string;
  readonly change: 'added' | 'removed' | 'changed' | 'replaced';
  /** Changed top-level properties, sorted; each marked when it replaces the resource. */
  readonly properties: readonly {
    readonly name: string;
    readonly replaces: 'yes' | 'maybe' | 'no';
    readonly before: unknown;
    readonly after: unknown;
  }[];
  readonly policies: readonly PolicyChange[];
  /** Access widened outside policy documents (managed policies attached, boundary removed). */
  readonly widenings: readonly string[];
  /** What this does to the federation in every member account, when it is destructive. */
  readonly cautions: readonly string[];
}

export type TemplateComparison =
  | { readonly kind: 'compared'; readonly resources: readonly TemplateResourceChange[] }
  | { readonly kind: 'unreadable'; readonly side: 'before' | 'after' };

interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

function resources(body: unknown): Map<string, TemplateResource> | null {
  if (body === null || body === undefined) return new Map();
  if (typeof body !== 'string') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null; // a YAML template: not compared resource by resource
  }
  if (!isObject(parsed) || !isObject(parsed.Resources)) return null;
  const result = new Map<string, TemplateResource>();
  for (const [id, r] of Object.entries(parsed.Resources)) {
    if (!isObject(r)) continue;
    result.set(id, { Type: String(r.Type), Properties: isObject(r.Properties) ? r.Properties : {} });
  }
  return result;
}

const OIDC_PROVIDER = 'AWS::IAM::OIDCProvider';

/** What losing (or replacing) a member-template resource does in every member account. */
function destructiveEffect(type: string, id: string, how: 'removes' | 'replaces'): string {
  switch (type) {
    case OIDC_PROVIDER:
      return how === 'removes'
        ? `removes the Entra OIDC provider ${md(id)} from every member account: every federated role trusts it, so no workload can assume its role any more, and the audiences (client IDs) the automation added are gone`
        : `replaces the Entra OIDC provider ${md(id)} in every member account: the new provider has none of the audiences (client IDs) the automation added, so every federated role stops accepting Entra tokens until each is federated again`;
    case 'AWS::IAM::Role':
      return `${how} the role ${md(id)} in every member account: while it is missing, the central functions (automation role) or the IAM event forwarding (forwarder role) fail there, and roles created meanwhile are not federated`;
    case 'AWS::Events::Rule':
      return `${how} the IAM event forwarding rule ${md(id)} in every member account: while it is missing, role changes there never reach the central bus and are not federated`;
    default:
      return `${how} ${md(id)} (${type}) in every member account`;
  }
}

function rolePolicies(properties: Record<string, unknown>): Map<string, unknown> {
  const result = new Map<string, unknown>();
  const list = Array.isArray(properties.Policies) ? properties.Policies : [];
  for (const p of list) if (isObject(p)) result.set(String(p.PolicyName), p.PolicyDocument);
  return result;
}

function policyChange(label: string, before: unknown, after: unknown): PolicyChange | null {
  if (stableStringify(before ?? null) === stableStringify(after ?? null)) return null;
  const beforeStatements = before === undefined ? null : parsePolicy(before);
  const afterStatements = after === undefined ? null : parsePolicy(after);
  return {
    label,
    before: before === undefined ? null : prettyPolicy(before),
    after: after === undefined ? null : prettyPolicy(after),
    afterKnown: true,
    widenings: widenings(beforeStatements, afterStatements ?? []),
  };
}

/** Policy documents inside one resource's properties: role trust and inline policies, and any `PolicyDocument` property. */
function policiesOf(type: string, before: Record<string, unknown>, after: Record<string, unknown>, created: boolean): PolicyChange[] {
  const changes: (PolicyChange | null)[] = [];
  const side = (props: Record<string, unknown>, key: string) => (key in props ? props[key] : undefined);
  const asBefore = (value: unknown) => (created ? undefined : value);
  for (const key of ['AssumeRolePolicyDocument', 'PolicyDocument']) {
    if (key in before || key in after) {
      const label = key === 'AssumeRolePolicyDocument' ? 'trust policy (`AssumeRolePolicyDocument`)' : 'policy (`PolicyDocument`)';
      changes.push(policyChange(label, asBefore(side(before, key)), side(after, key)));
    }
  }
  if (type === 'AWS::IAM::Role') {
    const [b, a] = [rolePolicies(before), rolePolicies(after)];
    for (const name of [...new Set([...b.keys(), ...a.keys()])].sort(byText)) {
      changes.push(policyChange(`inline policy ${md(name)}`, asBefore(b.get(name)), a.get(name)));
    }
  }
  return changes.filter((c): c is PolicyChange => c !== null);
}

function roleWidenings(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const findings: string[] = [];
  const list = (v: unknown) => (Array.isArray(v) ? v.map((x) => stableStringify(x)) : []);
  const previous = new Set(list(before.ManagedPolicyArns));
  for (const arn of list(after.ManagedPolicyArns)) if (!previous.has(arn)) findings.push(`managed policy attached: ${md(arn)}`);
  if ('PermissionsBoundary' in before && !('PermissionsBoundary' in after)) findings.push('permissions boundary removed');
  return findings.sort(byText);
}

const POLICY_PROPERTIES = new Set(['AssumeRolePolicyDocument', 'PolicyDocument', 'Policies']);

function compareResource(
  id: string,
  before: TemplateResource | undefined,
  after: TemplateResource | undefined,
  replacing: ReplacementLookup,
): TemplateResourceChange | null {
  const either = after ?? before;
  if (either === undefined || (before && after && stableStringify(before) === stableStringify(after))) return null;
  const type = either.Type;
  const beforeProps = before?.Properties ?? {};
  const afterProps = after?.Properties ?? {};
  const names = [...new Set([...Object.keys(beforeProps), ...Object.keys(afterProps)])].sort(byText);
  const lookup = replacing(type);
  const properties = names
    .filter((n) => stableStringify(beforeProps[n] ?? null) !== stableStringify(afterProps[n] ?? null))
    .map((name) => ({ name, replaces: lookup.get(name) ?? ('no' as const), before: beforeProps[name], after: afterProps[name] }));
  const change: TemplateResourceChange['change'] = !before
    ? 'added'
    : !after
      ? 'removed'
      : before.Type !== after.Type || properties.some((p) => p.replaces === 'yes')
        ? 'replaced'
        : 'changed';
  const cautions: string[] = [];
  if (change === 'removed') cautions.push(destructiveEffect(type, id, 'removes'));
  if (change === 'replaced') {
    const why = properties.filter((p) => p.replaces === 'yes').map((p) => `${md(p.name)}`);
    cautions.push(
      `${destructiveEffect(type, id, 'replaces')}${why.length > 0 ? ` (CloudFormation replaces it when ${why.join(', ')} changes)` : ''}`,
    );
  }
  if (type === OIDC_PROVIDER && change !== 'removed' && properties.some((p) => p.name === 'ClientIdList')) {
    // CloudFormation makes the provider's client IDs equal the template's list on update,
    // removing the audiences the automation added (the template deliberately has none).
    cautions.push(
      `sets \`ClientIdList\` on the OIDC provider ${md(id)}: each stack update then resets its audiences to that list, removing the client IDs the automation added`,
    );
  }
  return {
    logicalId: id,
    type,
    change,
    properties: properties.filter((p) => !POLICY_PROPERTIES.has(p.name)),
    policies: change === 'removed' ? [] : policiesOf(type, beforeProps, afterProps, change === 'added'),
    widenings: type === 'AWS::IAM::Role' && change !== 'removed' ? roleWidenings(beforeProps, afterProps) : [],
    cautions,
  };
}

/**
 * Compares two `template_body` values (JSON text). A renamed logical ID is a removal and an
 * addition, which is what CloudFormation does with it. Resources are in logical-ID order.
 */
export function compareTemplates(before: unknown, after: unknown, replacing: ReplacementLookup): TemplateComparison {
  const [b, a] = [resources(before), resources(after)];
  if (!b) return { kind: 'unreadable', side: 'before' };
  if (!a) return { kind: 'unreadable', side: 'after' };
  const ids = [...new Set([...b.keys(), ...a.keys()])].sort(byText);
  return {
    kind: 'compared',
    resources: ids.map((id) => compareResource(id, b.get(id), a.get(id), replacing)).filter((r): r is TemplateResourceChange => r !== null),
  };
}
