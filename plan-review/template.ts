import type { ReviewContext } from './context';
import type { Judgement } from './findings';
import { duplicateKey } from './json-text';
import { resolveIntrinsics } from './intrinsics';
import { judgePolicy, prettyPolicy } from './policy';
import { byText, isObject, md, stableStringify } from './values';

/**
 * The StackSet's member template (`template_body`), compared resource by resource: which
 * CloudFormation resources every member account gains, loses or changes, their resource
 * attributes (`Condition`, `DeletionPolicy`, `UpdateReplacePolicy`, `DependsOn`) and the
 * template's own sections (`Conditions`, `Parameters`, `Transform`, `Outputs`, …), with the
 * IAM policies inside judged like any other policy (plan-review/policy.ts). Anatomy:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html,
 * resource attributes: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-product-attribute-reference.html
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
}

export interface TemplateResourceChange {
  readonly logicalId: string;
  readonly type: string;
  readonly change: 'added' | 'removed' | 'changed' | 'replaced';
  /** Changed properties and resource attributes, sorted; each marked when it replaces the resource. */
  readonly properties: readonly {
    readonly name: string;
    readonly replaces: 'yes' | 'maybe' | 'no';
    readonly before: unknown;
    readonly after: unknown;
  }[];
  readonly policies: readonly PolicyChange[];
  readonly findings: readonly Judgement[];
}

export interface TemplateSectionChange {
  readonly name: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly finding: Judgement;
}

export type TemplateComparison =
  | {
      readonly kind: 'compared';
      readonly resources: readonly TemplateResourceChange[];
      readonly sections: readonly TemplateSectionChange[];
    }
  | { readonly kind: 'unreadable'; readonly side: 'before' | 'after' };

type TemplateResource = Record<string, unknown> & { readonly Type: string; readonly Properties: Record<string, unknown> };

interface Template {
  readonly resources: Map<string, TemplateResource>;
  readonly sections: Record<string, unknown>;
}

function parseTemplate(body: unknown): Template | null {
  if (body === null || body === undefined) return { resources: new Map(), sections: {} };
  if (typeof body !== 'string') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null; // a YAML template: not compared resource by resource
  }
  if (!isObject(parsed) || !isObject(parsed.Resources) || duplicateKey(body) !== undefined) return null;
  const resources = new Map<string, TemplateResource>();
  for (const [id, r] of Object.entries(parsed.Resources)) {
    // A resource that is not an object is kept as is, so that any change to it is seen.
    const record = isObject(r) ? r : { Value: r };
    resources.set(id, { ...record, Type: String(record.Type), Properties: isObject(record.Properties) ? record.Properties : {} });
  }
  const { Resources: _resources, ...sections } = parsed;
  return { resources, sections };
}

const OIDC_PROVIDER = 'AWS::IAM::OIDCProvider';
const ENTRA_PROVIDER = 'Custom::EntraOidcProvider';

/** What losing (or replacing) a member-template resource does in every member account. */
function destructiveEffect(type: string, id: string, how: 'removes' | 'replaces'): string {
  switch (type) {
    case OIDC_PROVIDER:
    case ENTRA_PROVIDER:
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

const warn = (kind: Judgement['kind'], message: string): Judgement => ({ kind, severity: 'warning', message });
const info = (kind: Judgement['kind'], message: string): Judgement => ({ kind, severity: 'info', message });

/**
 * Per resource type: which properties are judged by a rule (policies, roles, targets) and which
 * change nothing about access or the federation's existence beyond what the replacement rule
 * says. A property in neither list is not analysed.
 */
const PROPERTY_RULES: Readonly<Record<string, { readonly judged: readonly string[]; readonly neutral: readonly string[] }>> = {
  'AWS::IAM::Role': {
    judged: ['AssumeRolePolicyDocument', 'Policies', 'ManagedPolicyArns', 'PermissionsBoundary'],
    neutral: ['RoleName', 'Description', 'MaxSessionDuration', 'Path', 'Tags'],
  },
  'AWS::IAM::Policy': { judged: ['PolicyDocument', 'Roles', 'Users', 'Groups'], neutral: ['PolicyName'] },
  'AWS::IAM::ManagedPolicy': {
    judged: ['PolicyDocument', 'Roles', 'Users', 'Groups'],
    neutral: ['ManagedPolicyName', 'Description', 'Path'],
  },
  'AWS::Lambda::Function': {
    judged: ['Role', 'Code', 'Handler', 'Runtime', 'Environment', 'Layers'],
    neutral: ['FunctionName', 'Description', 'Timeout', 'MemorySize', 'Architectures', 'LoggingConfig', 'Tags'],
  },
  'AWS::Lambda::Permission': {
    judged: ['Principal', 'SourceArn', 'SourceAccount', 'Action', 'FunctionName', 'PrincipalOrgID'],
    neutral: [],
  },
  'AWS::Logs::LogGroup': { judged: [], neutral: ['LogGroupName', 'RetentionInDays', 'Tags'] },
  'AWS::Events::Rule': { judged: ['EventPattern', 'Targets', 'State', 'EventBusName', 'RoleArn'], neutral: ['Name', 'Description'] },
  [ENTRA_PROVIDER]: { judged: ['ServiceToken', 'ClientIdList'], neutral: ['ServiceTimeout', 'Url', 'Arn'] },
  [OIDC_PROVIDER]: { judged: ['ClientIdList'], neutral: ['Url', 'ThumbprintList', 'Tags'] },
};

/**
 * A role's inline policies by name. `Policies` (or an entry, or a name) may itself be built
 * with intrinsic functions: every variant counts, and a name with several documents is judged
 * as an `Fn::If` of them (all of them). Unreadable: null.
 */
function rolePolicies(properties: Record<string, unknown>): Map<string, unknown> | null {
  if (properties.Policies === undefined) return new Map();
  const resolved = resolveIntrinsics(properties.Policies);
  if (resolved.kind === 'opaque') return null;
  const documents = new Map<string, unknown[]>();
  for (const variant of resolved.values) {
    if (!Array.isArray(variant)) return null;
    for (const [i, p] of variant.entries()) {
      const name = isObject(p) ? String(p.PolicyName) : `#${i}`;
      const list = documents.get(name) ?? [];
      // The original (unresolved) document when the list itself is literal, so the diff shows what was written.
      const literal =
        Array.isArray(properties.Policies) && resolved.values.length === 1 ? (properties.Policies[i] as Record<string, unknown>) : p;
      const doc = isObject(literal) ? literal.PolicyDocument : literal;
      if (!list.some((d) => same(d, doc))) list.push(doc);
      documents.set(name, list);
    }
  }
  const either = (docs: unknown[]): unknown =>
    docs.length === 1 ? docs[0] : { 'Fn::If': ['(one of the variants)', docs[0], either(docs.slice(1))] };
  return new Map([...documents].map(([name, docs]) => [name, either(docs)]));
}

const same = (a: unknown, b: unknown) => stableStringify(a ?? null) === stableStringify(b ?? null);

/** Policies inside one resource's properties, each judged. */
function policiesOf(
  type: string,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
  ctx: ReviewContext,
): { policies: PolicyChange[]; findings: Judgement[] } {
  const policies: PolicyChange[] = [];
  const findings: Judgement[] = [];
  const consider = (label: string, b: unknown, a: unknown) => {
    if (same(b, a)) return;
    policies.push({
      label,
      before: b === undefined ? null : prettyPolicy(b),
      after: a === undefined ? null : prettyPolicy(a),
      afterKnown: true,
    });
    const trust = label.startsWith('trust policy');
    findings.push(...judgePolicy(b, a, { ctx, template: true, trust }).map((j) => ({ ...j, message: `${label}: ${j.message}` })));
  };
  for (const key of ['AssumeRolePolicyDocument', 'PolicyDocument']) {
    if ((before && key in before) || key in after) {
      consider(
        key === 'AssumeRolePolicyDocument' ? 'trust policy (`AssumeRolePolicyDocument`)' : 'policy (`PolicyDocument`)',
        before?.[key],
        after[key],
      );
    }
  }
  if (type === 'AWS::IAM::Role' && !same(before?.Policies, after.Policies)) {
    const [b, a] = [rolePolicies(before ?? {}), rolePolicies(after)];
    if (a === null) {
      findings.push(
        warn(
          'policy-unreadable',
          '`Policies`: cannot judge the inline policies (the list is built with a function the review cannot read): read them yourself',
        ),
      );
      policies.push({
        label: 'inline policies (`Policies`)',
        before: before?.Policies === undefined ? null : prettyPolicy(before.Policies),
        after: prettyPolicy(after.Policies),
        afterKnown: true,
      });
    } else {
      for (const name of [...new Set([...(b ?? new Map()).keys(), ...a.keys()])].sort(byText))
        consider(`inline policy ${md(name)}`, b?.get(name), a.get(name));
    }
  }
  return { policies, findings };
}

/** The forwarder role may be assumed by EventBridge only: any other principal could put events on the central bus as a forwarder. */
function forwarderTrust(after: Record<string, unknown>, ctx: ReviewContext): Judgement[] {
  if (after.RoleName !== ctx.forwarderRoleName) return [];
  const trust = judgePolicy(undefined, after.AssumeRolePolicyDocument, { ctx, template: true, trust: true });
  const others = trust.filter(
    (j) => j.kind.startsWith('principal-') && !(j.kind === 'principal-service' && j.message.includes('`events.amazonaws.com`')),
  );
  const unreadable = trust.some((j) => j.kind === 'policy-unreadable');
  return others.length > 0 || unreadable
    ? [
        {
          kind: 'bus-put-events',
          severity: 'blocking',
          message: `the forwarder role ${md(ctx.forwarderRoleName)} may be assumed by a principal other than EventBridge, which could then put events on the central bus: ${unreadable ? 'its trust policy cannot be read' : others.map((o) => o.message).join('; ')}`,
        },
      ]
    : [];
}

function propertyFindings(type: string, name: string, before: unknown, after: unknown): Judgement[] {
  switch (`${type} ${name}`) {
    case 'AWS::IAM::Role ManagedPolicyArns': {
      const list = (v: unknown) => (Array.isArray(v) ? v.map((x) => stableStringify(x)) : v === undefined ? [] : [stableStringify(v)]);
      const previous = new Set(list(before));
      return list(after)
        .filter((arn) => !previous.has(arn))
        .map((arn) => warn('managed-policy-attached', `managed policy attached: ${md(arn)}`));
    }
    case 'AWS::IAM::Role PermissionsBoundary':
      return before !== undefined && !same(before, after)
        ? [warn('permissions-boundary-removed', 'permissions boundary removed or changed')]
        : [];
    case 'AWS::IAM::Policy Roles':
    case 'AWS::IAM::Policy Users':
    case 'AWS::IAM::Policy Groups':
    case 'AWS::IAM::ManagedPolicy Roles':
    case 'AWS::IAM::ManagedPolicy Users':
    case 'AWS::IAM::ManagedPolicy Groups':
      return [
        warn('managed-policy-attached', `the policy is attached to other ${name.toLowerCase()}: ${md(stableStringify(after ?? null))}`),
      ];
    case 'AWS::Lambda::Function Role':
      return [warn('execution-role-changed', `the function runs as another role: ${md(stableStringify(after ?? null))}`)];
    case 'AWS::Lambda::Function Layers':
      return [warn('code-changed', `the function loads other layers (code from elsewhere): ${md(stableStringify(after ?? null))}`)];
    case 'AWS::Lambda::Function Code':
    case 'AWS::Lambda::Function Handler':
    case 'AWS::Lambda::Function Runtime':
    case 'AWS::Lambda::Function Environment':
      return [info('code-changed', `the function's ${md(name)} changes: read its diff`)];
    case `${ENTRA_PROVIDER} ServiceToken`:
      return [warn('code-changed', `another function handles the provider (${md(stableStringify(after ?? null))})`)];
    case `${ENTRA_PROVIDER} ClientIdList`:
    case `${OIDC_PROVIDER} ClientIdList`:
      // CloudFormation makes the provider's client IDs equal the template's list on update,
      // removing the audiences the automation added (the template deliberately has none).
      return [
        warn(
          'template-resource-destructive',
          'sets `ClientIdList` on the OIDC provider: each stack update then resets its audiences to that list, removing the client IDs the automation added',
        ),
      ];
    case 'AWS::Events::Rule Targets':
    case 'AWS::Events::Rule EventPattern':
    case 'AWS::Events::Rule State':
    case 'AWS::Events::Rule EventBusName':
    case 'AWS::Events::Rule RoleArn':
      return [
        warn(
          'event-routing-changed',
          `the event forwarding rule's ${md(name)} changes: confirm events still reach the central bus, and nothing else`,
        ),
      ];
    default:
      if (type === 'AWS::Lambda::Permission') {
        const principal = typeof after === 'string' ? after : stableStringify(after ?? null);
        if (name === 'Principal' && !/\.amazonaws\.com$/.test(principal)) {
          return [
            {
              kind: 'lambda-permission',
              severity: principal === '*' ? 'blocking' : 'warning',
              message: `${md(principal)} may invoke the function directly`,
            },
          ];
        }
        return [warn('lambda-permission', `the invoke permission's ${md(name)} changes`)];
      }
      return [];
  }
}

function compareResource(
  id: string,
  before: TemplateResource | undefined,
  after: TemplateResource | undefined,
  replacing: ReplacementLookup,
  ctx: ReviewContext,
): TemplateResourceChange | null {
  const either = after ?? before;
  if (either === undefined || (before && after && same(before, after))) return null;
  const type = either.Type;
  const beforeProps = before?.Properties ?? {};
  const afterProps = after?.Properties ?? {};
  const lookup = replacing(type);
  const changedProps = [...new Set([...Object.keys(beforeProps), ...Object.keys(afterProps)])]
    .sort(byText)
    .filter((n) => !before || !after || !same(beforeProps[n], afterProps[n]))
    .map((name) => ({
      name,
      replaces: lookup.get(name) ?? ('no' as const),
      before: before ? beforeProps[name] : undefined,
      after: after ? afterProps[name] : undefined,
    }));
  const attributeNames = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])]
    .filter((k) => k !== 'Properties' && k !== 'Type')
    .sort(byText)
    .filter((k) => !same(before?.[k], after?.[k]));
  const change: TemplateResourceChange['change'] = !before
    ? 'added'
    : !after
      ? 'removed'
      : before.Type !== after.Type || changedProps.some((p) => p.replaces === 'yes')
        ? 'replaced'
        : 'changed';
  const findings: Judgement[] = [];
  if (change === 'removed') findings.push(warn('template-resource-destructive', destructiveEffect(type, id, 'removes')));
  if (change === 'replaced') {
    const why = changedProps.filter((p) => p.replaces === 'yes').map((p) => md(p.name));
    const typeChange = before && after && before.Type !== after.Type ? ` (its type changes to ${md(after.Type)})` : '';
    findings.push(
      warn(
        'template-resource-destructive',
        `${destructiveEffect(before?.Type ?? type, id, 'replaces')}${typeChange}${why.length > 0 ? ` (CloudFormation replaces it when ${why.join(', ')} changes)` : ''}`,
      ),
    );
  }
  for (const attribute of after ? attributeNames : []) {
    const [b, a] = [before?.[attribute], after?.[attribute]];
    switch (attribute) {
      case 'Condition':
        // A resource whose condition is false is not created, and one that exists is deleted on
        // the next update (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html).
        findings.push(
          warn(
            'template-resource-condition',
            a === undefined
              ? `no longer depends on the condition ${md(stableStringify(b))}`
              : `exists only where the condition ${md(stableStringify(a))} holds: where it is false, CloudFormation deletes it from that member account`,
          ),
        );
        break;
      case 'DeletionPolicy':
      case 'UpdateReplacePolicy': {
        // Without the attribute CloudFormation deletes the resource: Delete is the default for most
        // types (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html).
        const deletes = a === undefined || a === 'Delete';
        findings.push(
          deletes
            ? warn(
                'template-deletion-policy',
                `${md(attribute)} ${a === undefined ? 'removed (CloudFormation then deletes' : 'is `Delete` (CloudFormation deletes'} it from the member accounts when the stack or the resource goes)`,
              )
            : info('template-deletion-policy', `${md(attribute)} becomes ${md(stableStringify(a))}`),
        );
        break;
      }
      case 'DependsOn':
        findings.push(info('template-depends-on', `\`DependsOn\` becomes ${md(stableStringify(a ?? null))}`));
        break;
      case 'Metadata':
        break;
      default:
        findings.push(
          warn(
            'template-resource-not-analysed',
            `the resource attribute ${md(attribute)} changes; the review does not analyse it: read it yourself`,
          ),
        );
    }
  }
  let policies: PolicyChange[] = [];
  if (after) {
    const rules = PROPERTY_RULES[type];
    if (!rules) {
      findings.push(warn('template-resource-not-analysed', `${md(type)} is not a type the review analyses: read its properties yourself`));
    } else {
      const judgedPolicies = policiesOf(type, before ? beforeProps : undefined, afterProps, ctx);
      policies = judgedPolicies.policies;
      findings.push(...judgedPolicies.findings);
      if (type === 'AWS::IAM::Role') findings.push(...forwarderTrust(afterProps, ctx));
      for (const p of changedProps) {
        if (rules.judged.includes(p.name))
          findings.push(
            // A new resource's target and code are new, not changed: its policies and principals are what is judged.
            ...propertyFindings(type, p.name, p.before, p.after).filter(
              (f) => change !== 'added' || !['event-routing-changed', 'code-changed'].includes(f.kind),
            ),
          );
        else if (!rules.neutral.includes(p.name))
          findings.push(
            warn('template-resource-not-analysed', `the property ${md(p.name)} of ${md(type)} is not analysed: read it yourself`),
          );
      }
    }
  }
  return {
    logicalId: id,
    type,
    change,
    properties: [
      ...changedProps.filter((p) => !['AssumeRolePolicyDocument', 'PolicyDocument', 'Policies'].includes(p.name)),
      ...attributeNames.map((name) => ({ name: `(${name})`, replaces: 'no' as const, before: before?.[name], after: after?.[name] })),
    ],
    policies,
    findings,
  };
}

/** Template sections other than Resources: judged by what they can do to every resource. */
function compareSections(before: Record<string, unknown>, after: Record<string, unknown>): TemplateSectionChange[] {
  const neutral = new Set(['AWSTemplateFormatVersion', 'Description']);
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .sort(byText)
    .filter((name) => !neutral.has(name) && !same(before[name], after[name]))
    .map((name) => ({
      name,
      before: before[name],
      after: after[name],
      finding:
        name === 'Outputs'
          ? info('template-section', '`Outputs` change')
          : warn(
              'template-section',
              // Macros rewrite the template before it is processed:
              // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/transform-section-structure.html
              name === 'Transform'
                ? '`Transform` changes: a macro rewrites the template before CloudFormation runs it, so nothing shown here is what is deployed'
                : `${md(name)} changes: it decides which resources exist and what their properties are in each member account; read it with the resources that use it`,
            ),
    }));
}

/**
 * Compares two `template_body` values (JSON text). A renamed logical ID is a removal and an
 * addition, which is what CloudFormation does with it. Resources are in logical-ID order.
 */
export function compareTemplates(before: unknown, after: unknown, replacing: ReplacementLookup, ctx: ReviewContext): TemplateComparison {
  const [b, a] = [parseTemplate(before), parseTemplate(after)];
  if (!b) return { kind: 'unreadable', side: 'before' };
  if (!a) return { kind: 'unreadable', side: 'after' };
  const ids = [...new Set([...b.resources.keys(), ...a.resources.keys()])].sort(byText);
  return {
    kind: 'compared',
    resources: ids
      .map((id) => compareResource(id, b.resources.get(id), a.resources.get(id), replacing, ctx))
      .filter((r): r is TemplateResourceChange => r !== null),
    sections: compareSections(b.sections, a.sections),
  };
}
