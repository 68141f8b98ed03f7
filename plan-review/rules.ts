import type { ActionKind } from './actions';
import type { ReviewContext } from './context';
import type { Judgement } from './findings';
import { GUARANTEED_GRAPH_PERMISSIONS, MICROSOFT_GRAPH_APP_ID, graphPermissionName } from './graph-permissions';
import type { ResourceChange } from './plan';
import { actionCovers, grants, judgePolicy, parsePolicy, prettyPolicy } from './policy';
import type { PolicyChange } from './template';
import { KNOWN_AFTER_APPLY, SENSITIVE, anyMarked, isEmpty, isObject, maskAt, md, stableStringify } from './values';

/**
 * What the review knows about each Terraform resource type it analyses. Default deny: a
 * changed resource whose type has no rule here, or whose changed attribute is neither judged
 * by the rule nor known to be neutral, is "not analysed" and listed with its attributes.
 */

/** A side-by-side row (Graph permissions and credentials). */
export interface Row {
  readonly label: string;
  readonly before: string;
  readonly after: string;
}

export interface AttributeJudgeInput {
  readonly rc: ResourceChange;
  readonly kind: ActionKind;
  readonly name: string;
  /** undefined on the side where the resource does not exist. */
  readonly before: unknown;
  readonly after: unknown;
  readonly afterUnknown: boolean;
  readonly afterSensitive: boolean;
  readonly ctx: ReviewContext;
  readonly configuration: unknown;
  readonly policies: PolicyChange[];
  readonly rows: Row[];
}

type Judge = (input: AttributeJudgeInput) => Judgement[];

export interface TypeRule {
  /** Attributes a judge looks at whenever they change (or, on a creation, are set). */
  readonly judged: Readonly<Record<string, Judge>>;
  /** Attributes whose change grants nothing and removes nothing the federation needs. */
  readonly neutral: readonly string[];
  /** Judged once per change, whatever changed (credentials, owners, role assignments). */
  readonly always?: Judge;
  /** What deleting the resource takes away from the federation's safety nets (alarms, public access blocks). */
  readonly deleted?: Judge;
}

/** Attributes every resource has that say nothing about access. */
export const COMMON_NEUTRAL = ['id', 'arn', 'tags', 'tags_all', 'region', 'timeouts'];

const warn = (kind: Judgement['kind'], message: string): Judgement => ({ kind, severity: 'warning', message });
const info = (kind: Judgement['kind'], message: string): Judgement => ({ kind, severity: 'info', message });
const block = (kind: Judgement['kind'], message: string): Judgement => ({ kind, severity: 'blocking', message });

const text = (v: unknown) => (v === undefined || v === null ? '(none)' : typeof v === 'string' ? v : stableStringify(v));
const shown = (input: AttributeJudgeInput, side: 'before' | 'after') =>
  side === 'after' && input.afterSensitive ? SENSITIVE : side === 'after' && input.afterUnknown ? KNOWN_AFTER_APPLY : text(input[side]);

/** Judges that also look at a deletion: a deleted document takes its Deny statements with it. */
export const DELETION_JUDGES = new WeakSet<Judge>();

/** A policy document attribute (JSON text): recorded for display, judged for widening and principals. */
function policy(label: string): Judge {
  const judge: Judge = (input) => {
    const hidden = input.afterUnknown || input.afterSensitive;
    const isDoc = (v: unknown) => typeof v === 'string' && v !== '' && parsePolicy(v) !== null;
    if (input.after === undefined && input.before === undefined && !hidden) return [];
    input.policies.push({
      label,
      before: isDoc(input.before) ? prettyPolicy(input.before) : input.before ? text(input.before) : null,
      after: hidden
        ? input.afterSensitive
          ? SENSITIVE
          : KNOWN_AFTER_APPLY
        : isDoc(input.after)
          ? prettyPolicy(input.after)
          : input.after
            ? text(input.after)
            : null,
      afterKnown: !hidden,
    });
    if (!hidden && (input.after === undefined || input.after === '')) {
      // Deleted: only its Deny statements matter (they no longer apply).
      return isDoc(input.before)
        ? judgePolicy(input.before, undefined, { ctx: input.ctx, template: false }).map((j) => ({
            ...j,
            message: `${label}: ${j.message}`,
          }))
        : [];
    }
    if (hidden) {
      return [
        warn(
          'policy-known-after-apply',
          `${label}: the new document is ${input.afterSensitive ? SENSITIVE : KNOWN_AFTER_APPLY}: nothing here can judge it; read the configuration that builds it`,
        ),
      ];
    }
    const before = isDoc(input.before) ? input.before : undefined;
    return judgePolicy(before, input.after, { ctx: input.ctx, template: false, trust: label.startsWith('trust policy') }).map((j) => ({
      ...j,
      message: `${label}: ${j.message}`,
    }));
  };
  DELETION_JUDGES.add(judge);
  return judge;
}

/** The bus policy: only the member forwarders may put events on the bus. */
const busPolicy: Judge = (input) => {
  const found = policy('bus policy (`policy`)')(input);
  if (input.after === undefined || input.afterUnknown || typeof input.after !== 'string') return found;
  const statements = parsePolicy(input.after);
  if (!statements) return found;
  const forwarders = `arn:aws:iam::*:role/${input.ctx.forwarderRoleName}`;
  // Matched as IAM matches an action (`events:*Events`, `*:PutEvents`, `events:Put?vents`); a NotAction grants all but its list.
  const putEvents = (action: string) => actionCovers(action, 'events:PutEvents');
  const offending = grants(statements, 'Allow').filter((g) => {
    if (!putEvents(g.action)) return false;
    const orgBound = g.conditions.some(
      (c) =>
        /^StringEquals$/.test(c.operator) &&
        c.key.toLowerCase() === 'aws:principalorgid' &&
        c.values.length > 0 &&
        c.values.every((v) => v === input.ctx.organizationId),
    );
    const onlyForwarders = g.conditions.some(
      (c) =>
        /^Arn(Like|Equals)$/.test(c.operator) &&
        c.key.toLowerCase() === 'aws:principalarn' &&
        c.values.length > 0 &&
        c.values.every((v) => v === forwarders),
    );
    return !(orgBound && onlyForwarders);
  });
  // The organization allowed to put events comes from the configuration, which the same pull
  // request can change: a value the bus policy did not have before is blocking as well.
  const orgsOf = (text: unknown) =>
    typeof text === 'string' && parsePolicy(text)
      ? grants(parsePolicy(text) ?? [], 'Allow').flatMap((g) =>
          g.conditions.filter((c) => c.key.toLowerCase() === 'aws:principalorgid').flatMap((c) => c.values),
        )
      : [];
  const previous = new Set(orgsOf(input.before));
  const newOrgs = previous.size === 0 ? [] : [...new Set(orgsOf(input.after))].filter((o) => !previous.has(o));
  if (newOrgs.length > 0)
    found.push(
      block(
        'bus-put-events',
        `bus policy: principals of ${newOrgs.map(md).join(', ')} may put events on the bus, an organization it did not admit before`,
      ),
    );
  for (const g of offending) {
    found.push(
      block(
        'bus-put-events',
        `bus policy: ${md(g.principal)} may put events on the bus without being a member forwarder role (${md(forwarders)} in the organization ${md(input.ctx.organizationId)}): forged IAM events would federate roles`,
      ),
    );
  }
  return found;
};

/**
 * An ARN a creation names that is known already: not created by the same plan (a resource the plan
 * creates has an ARN known only after apply), so it exists.
 */
const knownOnCreation = (input: AttributeJudgeInput): input is AttributeJudgeInput & { after: string } =>
  !input.afterUnknown && typeof input.after === 'string' && input.after !== '';

/**
 * The role a function, rule, target or state machine runs as. On a creation, a role created by
 * the same plan has an ARN known only after apply; one known already exists: the new resource
 * may do all it may, and the functions' roles sign in to Entra as the automation.
 */
const roleChange =
  (what: string): Judge =>
  (input) => {
    if (input.kind !== 'create') return [warn('execution-role-changed', `${what} runs as another role: ${md(shown(input, 'after'))}`)];
    if (!knownOnCreation(input)) return [];
    return [
      warn(
        'execution-role-changed',
        `a new resource: ${what} runs as ${md(input.after)}, a role this plan does not create: it may do all that role may (the functions' roles sign in to Entra as the automation)`,
      ),
    ];
  };

const codeChange =
  (what: string): Judge =>
  (input) =>
    input.kind === 'create' ? [] : [info('code-changed', `${what} changes (${md(input.name)}): read its diff in the pull request`)];

const routing =
  (what: string): Judge =>
  (input) =>
    input.kind === 'create' ? [] : [warn('event-routing-changed', `${what}: ${md(input.name)} becomes ${md(shown(input, 'after'))}`)];

/** The automation's Entra application: which one is it? Any application but the gateway (named by its address). */
const isGateway = (address: string) => /entra-gateway/.test(address);

/**
 * The expressions the configuration gives a root-module resource (its instance key dropped):
 * undefined when the plan has no configuration representation, null when the root module holds
 * no such resource (a module's) or it has no expressions.
 */
function configuredExpressions(configuration: unknown, address: string): Record<string, unknown> | null | undefined {
  const root = isObject(configuration) ? configuration.root_module : undefined;
  if (!isObject(root)) return undefined;
  const resources = Array.isArray(root.resources) ? root.resources : [];
  const resource = resources.find((r) => isObject(r) && r.address === address.replace(/\[[^\]]*\]$/, ''));
  return isObject(resource) && isObject(resource.expressions) ? resource.expressions : null;
}

/** The app_role_ids["…"] names the configuration's expression for an attribute refers to. */
function referencedRoleNames(configuration: unknown, address: string, attribute: string): string[] {
  const expression = configuredExpressions(configuration, address)?.[attribute];
  // Nested blocks (required_resource_access) hold their expressions one level down per block.
  const references: unknown[] = [];
  const collect = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(collect);
    else if (isObject(node)) {
      if (Array.isArray(node.references)) references.push(...node.references);
      else Object.values(node).forEach(collect);
    }
  };
  collect(expression);
  const names = references.flatMap((ref) => {
    const match = typeof ref === 'string' ? /app_role_ids\["([^"]+)"\]/.exec(ref) : null;
    return match ? [match[1]] : [];
  });
  return [...new Set(names)];
}

/**
 * Every reference an attribute's expression lists, from the configuration (none for a constant,
 * or a resource the root module does not hold, such as a module's); undefined when the plan has
 * no configuration representation.
 */
function expressionReferences(configuration: unknown, address: string, attribute: string): string[] | undefined {
  const expressions = configuredExpressions(configuration, address);
  if (expressions === undefined) return undefined;
  const expression = expressions?.[attribute];
  const references = isObject(expression) && Array.isArray(expression.references) ? expression.references : [];
  return references.filter((r): r is string => typeof r === 'string');
}

/**
 * The resources and data sources an attribute's expression refers to (`type.name`,
 * `data.type.name`, and `local.name`, `var.name`, `module.name`), from the configuration.
 */
function referencedAddresses(configuration: unknown, address: string, attribute: string): string[] {
  const references = expressionReferences(configuration, address, attribute) ?? [];
  return [...new Set(references.filter((r) => /^(data\.)?[a-z0-9_]+\.[^.]+$/.test(r)))];
}

const GUARANTEED = GUARANTEED_GRAPH_PERMISSIONS;

/** One Graph application permission (by ID) granted or requested: named from Microsoft's list only. */
function judgeGraphPermission(id: unknown, unknownId: boolean, referenced: readonly string[], how: string): Judgement[] {
  if (unknownId || typeof id !== 'string') {
    // The expression's references name what it reads, not what it computes from it
    // (replace(…["Directory.Read.All"], …) refers to Directory.Read.All too): not judged.
    return [
      warn(
        'graph-permission-not-judged',
        `${how} a permission whose ID is ${KNOWN_AFTER_APPLY}${referenced.length > 0 ? ` (the expression refers to ${referenced.map((r) => md(`app_role_ids["${r}"]`)).join(', ')})` : ''}: read the configuration`,
      ),
    ];
  }
  const name = graphPermissionName(id);
  const found: Judgement[] = [];
  if (!name) {
    found.push(
      warn('graph-permission-unknown-id', `${how} ${md(id)}, an ID that is not in Microsoft's list of Graph application permissions`),
    );
  }
  const mismatch = referenced.filter((r) => r !== name);
  if (mismatch.length > 0) {
    found.push(
      warn(
        'graph-permission-name-mismatch',
        `the expression refers to ${mismatch.map((r) => md(`app_role_ids["${r}"]`)).join(', ')}, but the ID granted is ${md(id)}${name ? ` (${md(name)})` : ''}`,
      ),
    );
  }
  if (name && GUARANTEED.includes(name)) found.push(info('graph-permission', `${how} ${md(name)} (${md(id)})`));
  else
    found.push(
      block(
        'graph-permission-outside-guarantee',
        `${how} ${md(name ?? id)}${name ? ` (${md(id)})` : ''}: the README guarantees the automation holds only ${GUARANTEED.map(md).join(' and ')}${name === 'Application.ReadWrite.All' ? ', never `Application.ReadWrite.All`' : ''}`,
      ),
    );
  return found;
}

const appRoleAssignment: Judge = (input) => {
  const { rc } = input;
  const after = rc.after;
  if (input.kind === 'delete' || !isObject(after)) return [];
  const idUnknown = anyMarked(maskAt(rc.afterUnknown, 'app_role_id'));
  const referenced = referencedRoleNames(input.configuration, rc.address, 'app_role_id');
  const before = isObject(rc.before) && input.kind !== 'create' ? rc.before : undefined;
  const row = (label: string, key: string) => ({
    label,
    before: before ? text(before[key]) : '(none)',
    after: anyMarked(maskAt(rc.afterUnknown, key)) ? KNOWN_AFTER_APPLY : text(after[key]),
  });
  const name = (v: unknown) => (typeof v === 'string' ? (graphPermissionName(v) ?? `${v} (not in Microsoft's list)`) : KNOWN_AFTER_APPLY);
  input.rows.push(
    {
      label: 'application permission',
      before: before ? name(before.app_role_id) : '(none)',
      after: idUnknown ? KNOWN_AFTER_APPLY : name(after.app_role_id),
    },
    row('resource (service principal)', 'resource_object_id'),
    row('granted to (service principal)', 'principal_object_id'),
  );
  const found: Judgement[] = [];
  // Granted to the automation's service principal only (the gateway holds no Graph permission).
  // Every resource the expression refers to: `var.pick ? <automation>.object_id : <other>.object_id` grants to the other.
  const grantee = referencedAddresses(input.configuration, rc.address, 'principal_object_id');
  const others = grantee.filter((r) => !/^azuread_service_principal\.entra-identity(-\d+)?_service-principal_/.test(r));
  if (!before && (grantee.length === 0 || others.length > 0))
    found.push(
      warn(
        'graph-permission-moved',
        `granted to ${others.length > 0 ? others.map(md).join(', ') : `the object ${md(text(after.principal_object_id))}`}, not to the automation's service principal: confirm who holds it`,
      ),
    );
  const idChanged = !before || idUnknown || before.app_role_id !== after.app_role_id;
  if (idChanged) found.push(...judgeGraphPermission(after.app_role_id, idUnknown, referenced, 'grants'));
  for (const key of ['principal_object_id', 'resource_object_id']) {
    if (before && (anyMarked(maskAt(rc.afterUnknown, key)) || before[key] !== after[key]))
      found.push(
        warn('graph-permission-moved', `${md(key)} changes: the permission is granted to another service principal, or on another API`),
      );
  }
  return found;
};

function requestedPermissions(value: unknown): { resourceAppId: unknown; id: unknown; type: unknown }[] {
  const list = isObject(value) && Array.isArray(value.required_resource_access) ? value.required_resource_access : [];
  return list.flatMap((api) =>
    (isObject(api) && Array.isArray(api.resource_access) ? api.resource_access : []).map((access) => ({
      resourceAppId: isObject(api) ? api.resource_app_id : undefined,
      id: isObject(access) ? access.id : undefined,
      type: isObject(access) ? access.type : undefined,
    })),
  );
}

const requiredResourceAccess: Judge = (input) => {
  const { rc } = input;
  const before = new Set(requestedPermissions(input.before === undefined ? null : rc.before).map((p) => stableStringify(p)));
  const unknown = anyMarked(maskAt(rc.afterUnknown, 'required_resource_access'));
  const found: Judgement[] = [];
  const referenced = referencedRoleNames(input.configuration, rc.address, 'required_resource_access');
  for (const p of requestedPermissions(rc.after)) {
    if (before.has(stableStringify(p))) continue;
    const graph = p.resourceAppId === MICROSOFT_GRAPH_APP_ID || (unknown && p.resourceAppId === undefined);
    if (isGateway(rc.address))
      found.push(warn('application-setting', `the gateway application requests a permission: ${md(stableStringify(p))}`));
    else if (graph && p.type === 'Role') found.push(...judgeGraphPermission(p.id, typeof p.id !== 'string', referenced, 'requests'));
    else found.push(warn('application-setting', `requests a permission the review does not judge: ${md(stableStringify(p))}`));
  }
  if (unknown && found.length === 0) found.push(...judgeGraphPermission(undefined, true, referenced, 'requests'));
  return found;
};

/**
 * Owners of an application or service principal: each owner can manage it, its credentials
 * included (https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/overview-assign-app-owners).
 */
const owners: Judge = (input) => {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const previous = new Set(list(input.before));
  const added = input.afterUnknown ? [KNOWN_AFTER_APPLY] : list(input.after).filter((o) => !previous.has(o));
  return added.length === 0
    ? []
    : [block('application-owner', `adds owners ${added.map(md).join(', ')}: an owner can add a credential and sign in as it`)];
};

/** A secret or certificate on any application or service principal of this configuration. */
function credential(what: 'client secret' | 'certificate'): Judge {
  return (input) => {
    if (input.kind === 'delete' || input.kind === 'update') return [];
    if (what === 'certificate' && input.ctx.automationCredential.mode === 'certificate')
      return [warn('certificate-credential', 'a certificate credential (certificate mode): confirm it is the configured certificate')];
    return [
      block(
        'automation-credential',
        `a ${what} credential: whoever holds it signs in as the application; the automation's only credentials are the functions' own outbound federation`,
      ),
    ];
  };
}

const federatedCredential: Judge = (input) => {
  const { rc, ctx } = input;
  if (input.kind === 'delete' || !isObject(rc.after)) return [];
  const after = rc.after;
  const unknown = (key: string) => anyMarked(maskAt(rc.afterUnknown, key));
  input.rows.push(
    ...['issuer', 'subject', 'audiences'].map((key) => ({
      label: key,
      before: isObject(rc.before) && input.kind !== 'create' ? text(rc.before[key]) : '(none)',
      after: unknown(key) ? KNOWN_AFTER_APPLY : text(after[key]),
    })),
  );
  const before = isObject(rc.before) && input.kind !== 'create' ? rc.before : undefined;
  if (
    before &&
    ['issuer', 'subject', 'audiences', 'application_id'].every(
      (k) => !unknown(k) && stableStringify(before[k]) === stableStringify(after[k]),
    )
  )
    return [];
  // On the gateway, named by the credential's address or by the application its configuration
  // attaches it to (an address of its own does not make it the automation's). The configuration
  // must name a managed application other than the gateway, and nothing else: the gateway's ID
  // written as a constant, a local value, a variable, a data source or a module's resource may
  // all be the gateway.
  const attachedTo = expressionReferences(input.configuration, rc.address, 'application_id');
  const onGateway =
    isGateway(rc.address) ||
    (attachedTo !== undefined &&
      (attachedTo.length === 0 || attachedTo.some((r) => isGateway(r) || !r.startsWith('azuread_application.'))));
  const own =
    ctx.automationCredential.mode === 'federated' &&
    !onGateway &&
    !unknown('issuer') &&
    !unknown('subject') &&
    after.issuer === ctx.automationCredential.issuer &&
    ctx.automationCredential.subjects.includes(String(after.subject)) &&
    stableStringify(after.audiences) === stableStringify([ctx.automationCredential.audience]);
  const changed = before
    ? ['issuer', 'subject', 'audiences'].filter((k) => unknown(k) || stableStringify(before[k]) !== stableStringify(after[k]))
    : [];
  if (changed.length > 0)
    // The expected issuer comes from the configuration, which the same pull request can change.
    return [
      block(
        'automation-credential',
        `the credential now trusts ${changed.map((k) => `${md(k)} ${md(unknown(k) ? KNOWN_AFTER_APPLY : text(after[k]))}`).join(', ')} (was ${changed.map((k) => md(text(before?.[k]))).join(', ')}): who can sign in as the application changes`,
      ),
    ];
  if (own) return [info('outbound-federation-credential', `the function role ${md(String(after.subject))}'s own outbound federation`)];
  return [
    block(
      'automation-credential',
      `tokens from ${md(unknown('issuer') ? KNOWN_AFTER_APPLY : text(after.issuer))} with subject ${md(unknown('subject') ? KNOWN_AFTER_APPLY : text(after.subject))} (audiences ${md(text(after.audiences))}) sign in as the application: not one of the functions' own outbound federation credentials`,
    ),
  ];
};

const directoryRole: Judge = (input) =>
  input.kind === 'delete'
    ? []
    : [
        block(
          'directory-role',
          `assigns a directory role (${md(text(isObject(input.rc.after) ? (input.rc.after.role_id ?? input.rc.after.role_definition_id ?? input.rc.after.role_object_id) : undefined))}): the automation holds no directory role, only its two Graph permissions`,
        ),
      ];

/** The account an ARN names, if any. */
const accountOf = (arn: unknown) => (typeof arn === 'string' ? /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1] : undefined);

/** Where events go or come from: another account than the central one is a warning, also on creation. */
const eventEndpoint =
  (what: string, existing?: string): Judge =>
  (input) => {
    if (input.kind === 'delete') return [];
    const account = accountOf(input.after);
    if (input.afterUnknown || (account !== undefined && account !== input.ctx.centralAccountId))
      return [warn('event-routing-changed', `${what} ${md(shown(input, 'after'))}, outside the central account`)];
    if (input.kind !== 'create') return [warn('event-routing-changed', `${what}: ${md(input.name)} becomes ${md(shown(input, 'after'))}`)];
    return existing && knownOnCreation(input)
      ? [warn('event-routing-changed', `${what} ${md(input.after)}, which this plan does not create: ${existing}`)]
      : [];
  };

/**
 * A function's resource-based policy: a principal other than a service, or `*`, invokes it
 * directly; a service should be bounded by `source_arn`/`source_account`
 * (https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html).
 */
const lambdaPermission: Judge = (input) => {
  if (input.kind === 'delete' || !isObject(input.rc.after)) return [];
  const a = input.rc.after;
  const principal = String(a.principal ?? '');
  // A service principal is a host name: an IAM role or user ARN may end in `.amazonaws.com` too
  // (role names allow dots), and it is no service.
  if (principal === '*' || !/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/.test(principal))
    return [
      block(
        'lambda-permission',
        `${md(principal)} may call ${md(text(a.action))} on ${md(text(a.function_name))} directly, past EventBridge and its source account`,
      ),
    ];
  const source = accountOf(a.source_arn) ?? (typeof a.source_account === 'string' ? a.source_account : undefined);
  if (source !== undefined && source !== input.ctx.centralAccountId)
    return [
      warn(
        'lambda-permission',
        `the service ${md(principal)} may invoke ${md(text(a.function_name))} on behalf of the account ${md(source)}, outside the central account`,
      ),
    ];
  // An S3 bucket ARN names no account: another account can recreate a deleted bucket under the
  // same name, so only `source_account` binds it (https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html).
  if (source === undefined)
    return [
      warn(
        'lambda-permission',
        `the service ${md(principal)} may invoke ${md(text(a.function_name))} on behalf of any account (neither \`source_arn\` nor \`source_account\` names one)`,
      ),
    ];
  return [
    info(
      'lambda-permission',
      `the service ${md(principal)} may invoke ${md(text(a.function_name))} from ${md(text(a.source_arn ?? a.source_account))}`,
    ),
  ];
};

const attachment: Judge = (input) =>
  input.kind === 'delete' || !isObject(input.rc.after)
    ? []
    : [
        warn(
          'managed-policy-attached',
          `attaches ${md(text(input.rc.after.policy_arn))} to ${md(text(input.rc.after.role ?? input.rc.after.roles ?? input.rc.after.users ?? input.rc.after.groups))}`,
        ),
      ];

/**
 * Whether the configuration sets an attribute of a resource (or the resource is not found in the
 * root module, so nobody can tell: it counts as set). `inline_policy` and `managed_policy_arns`
 * are optional and computed (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role):
 * unknown on a creation that does not set them, so "unknown" alone does not say the pull request computes them.
 */
function configured(configuration: unknown, address: string, attribute: string): boolean {
  const expressions = configuredExpressions(configuration, address);
  return !expressions || attribute in expressions;
}

/** Unknown (or sensitive) anywhere in the attribute, on an update or on a creation that sets it. */
const hiddenAfter = (input: AttributeJudgeInput) =>
  input.kind !== 'delete' &&
  (anyMarked(maskAt(input.rc.afterUnknown, input.name)) || anyMarked(maskAt(input.rc.afterSensitive, input.name))) &&
  (input.kind !== 'create' || configured(input.configuration, input.rc.address, input.name));

const managedPolicyArns: Judge = (input) => {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const previous = new Set(list(input.before));
  if (input.afterUnknown)
    return hiddenAfter(input) ? [warn('managed-policy-attached', `\`managed_policy_arns\` is ${KNOWN_AFTER_APPLY}`)] : [];
  return list(input.after)
    .filter((arn) => !previous.has(arn))
    .map((arn) => warn('managed-policy-attached', `managed policy attached (\`managed_policy_arns\`): ${md(arn)}`));
};

const inlinePolicies: Judge = (input) => {
  if (input.kind === 'delete' && !Array.isArray(input.before)) return [];
  // A document (or name) known only after apply reads as no document at all below: say so.
  const hidden = hiddenAfter({ ...input, name: 'inline_policy' })
    ? [
        warn(
          'policy-known-after-apply',
          `inline policies (\`inline_policy\`): a new document is ${KNOWN_AFTER_APPLY} or ${SENSITIVE}: nothing here can judge it; read the configuration that builds it`,
        ),
      ]
    : [];
  const byName = (v: unknown) => new Map((Array.isArray(v) ? v : []).filter(isObject).map((p) => [String(p.name), p.policy]));
  const [b, a] = [byName(input.before), byName(input.after)];
  return [
    ...hidden,
    ...[...new Set([...b.keys(), ...a.keys()])].sort().flatMap((name) =>
      stableStringify(b.get(name) ?? null) === stableStringify(a.get(name) ?? null)
        ? []
        : policy(`inline policy ${md(name)} (\`inline_policy\`)`)({
            ...input,
            name,
            before: b.get(name),
            after: a.get(name),
            afterUnknown: false,
          }),
    ),
  ];
};

DELETION_JUDGES.add(inlinePolicies);

const permissionsBoundary: Judge = (input) =>
  input.before && input.before !== input.after
    ? [warn('permissions-boundary-removed', `permissions boundary ${input.after ? 'changed' : 'removed'}`)]
    : [];

const alarm: Judge = (input) =>
  input.kind === 'create'
    ? []
    : [
        warn(
          'alarm-weakened',
          `${md(input.name)} changes on an alarm: confirm it still notifies (${md(shown(input, 'before'))} → ${md(shown(input, 'after'))})`,
        ),
      ];

const publicAccess: Judge = (input) =>
  input.after === false ? [warn('bucket-access-relaxed', `${md(input.name)} is off: the bucket may be made public`)] : [];

const stackSetSetting: Judge = (input) =>
  input.kind === 'create'
    ? [info('stack-set-setting', `${md(input.name)}: ${md(shown(input, 'after'))}`)]
    : [
        warn(
          'stack-set-setting',
          `${md(input.name)}: ${md(shown(input, 'before'))} → ${md(shown(input, 'after'))}: it decides who deploys the member template and with what`,
        ),
      ];

const stackSetTargets: Judge = (input) =>
  input.kind === 'create'
    ? [info('stack-set-targets', `deploys the member baseline to ${md(shown(input, 'after'))}`)]
    : [
        warn(
          'stack-set-targets',
          `${md(input.name)}: ${md(shown(input, 'before'))} → ${md(shown(input, 'after'))}: the member accounts that get (or lose) the baseline change`,
        ),
      ];

/** An inline argument of a bucket that gives others access to its objects. */
const bucketAccess = (input: AttributeJudgeInput) =>
  warn('bucket-access-relaxed', `${md(input.name)} becomes ${md(shown(input, 'after'))}: others may read or receive the bucket's objects`);

const nothing: Judge = () => [];

export const TYPE_RULES: Readonly<Record<string, TypeRule>> = {
  aws_iam_role: {
    judged: {
      assume_role_policy: policy('trust policy (`assume_role_policy`)'),
      inline_policy: inlinePolicies,
      managed_policy_arns: managedPolicyArns,
      permissions_boundary: permissionsBoundary,
    },
    neutral: ['name', 'name_prefix', 'description', 'max_session_duration', 'path', 'force_detach_policies', 'create_date', 'unique_id'],
  },
  aws_iam_role_policy: {
    judged: {
      policy: policy('inline policy (`policy`)'),
      role: (i) => (i.kind === 'create' ? [] : [warn('managed-policy-attached', `the policy moves to the role ${md(shown(i, 'after'))}`)]),
    },
    neutral: ['name', 'name_prefix'],
  },
  aws_iam_policy: {
    judged: { policy: policy('managed policy (`policy`)') },
    neutral: ['name', 'name_prefix', 'description', 'path', 'policy_id', 'attachment_count'],
  },
  aws_iam_role_policy_attachment: { judged: { policy_arn: nothing, role: nothing }, neutral: [], always: attachment },
  aws_iam_policy_attachment: {
    judged: { policy_arn: nothing, roles: nothing, users: nothing, groups: nothing },
    neutral: ['name'],
    always: attachment,
  },
  aws_cloudwatch_event_bus: {
    judged: {},
    // Where undeliverable events go, and the bus's own logging: neither admits anyone to the bus.
    neutral: ['name', 'description', 'event_source_name', 'kms_key_identifier', 'dead_letter_config', 'log_config'],
  },
  aws_cloudwatch_event_bus_policy: { judged: { policy: busPolicy }, neutral: ['event_bus_name'] },
  aws_cloudwatch_event_permission: {
    judged: { principal: nothing, condition: nothing, action: nothing, statement_id: nothing },
    neutral: ['event_bus_name'],
    always: (i) =>
      i.kind === 'delete'
        ? []
        : [
            block(
              'bus-put-events',
              `an event bus permission for ${md(text(isObject(i.rc.after) ? i.rc.after.principal : undefined))}: only the member forwarders may put events on the central bus`,
            ),
          ],
  },
  aws_cloudwatch_event_rule: {
    judged: {
      event_pattern: routing('the rule that starts the federation'),
      event_bus_name: routing('the rule'),
      state: routing('the rule'),
      is_enabled: routing('the rule'),
      role_arn: roleChange('the rule'),
    },
    neutral: ['name', 'name_prefix', 'description', 'schedule_expression', 'force_destroy'],
  },
  aws_cloudwatch_event_target: {
    judged: {
      arn: eventEndpoint('the event target sends events to'),
      role_arn: roleChange('the event target'),
      input: routing('the event target'),
      input_path: routing('the event target'),
      input_transformer: routing('the event target'),
      // What the target does with each event (a queue's message group, a task's parameters, a
      // request's headers): https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html
      ...Object.fromEntries(
        [
          'appsync_target',
          'batch_target',
          'ecs_target',
          'http_target',
          'kinesis_target',
          'redshift_target',
          'run_command_targets',
          'sagemaker_pipeline_target',
          'sqs_target',
        ].map((k) => [k, routing('the event target')]),
      ),
    },
    neutral: ['rule', 'target_id', 'event_bus_name', 'dead_letter_config', 'retry_policy', 'force_destroy'],
  },
  aws_cloudwatch_log_group: {
    judged: {},
    neutral: ['name', 'name_prefix', 'retention_in_days', 'kms_key_id', 'log_group_class', 'skip_destroy', 'deletion_protection_enabled'],
  },
  aws_cloudwatch_log_metric_filter: {
    judged: { pattern: alarm, metric_transformation: alarm, log_group_name: alarm },
    deleted: () => [warn('alarm-weakened', 'a metric filter an alarm may count on is deleted')],
    neutral: ['name', 'apply_on_transformed_logs'],
  },
  aws_cloudwatch_metric_alarm: {
    // Any of these can make a security alarm never fire (a threshold out of reach, another metric).
    judged: Object.fromEntries(
      [
        'alarm_actions',
        'ok_actions',
        'actions_enabled',
        'comparison_operator',
        'evaluation_periods',
        'metric_name',
        'namespace',
        'period',
        'statistic',
        'threshold',
        'treat_missing_data',
        'datapoints_to_alarm',
        'dimensions',
        'metric_query',
        'extended_statistic',
        'threshold_metric_id',
        'evaluate_low_sample_count_percentiles',
        'unit',
      ].map((k) => [k, alarm]),
    ),
    deleted: (i) => [
      warn('alarm-weakened', `the alarm ${md(text(isObject(i.rc.before) ? i.rc.before.alarm_name : undefined))} is deleted`),
    ],
    neutral: ['alarm_name', 'alarm_description', 'insufficient_data_actions'],
  },
  aws_dynamodb_table: {
    judged: {},
    neutral: [
      'name',
      'attribute',
      'billing_mode',
      'hash_key',
      'range_key',
      'ttl',
      'read_capacity',
      'write_capacity',
      'point_in_time_recovery',
      'server_side_encryption',
      'stream_arn',
      'stream_label',
      'stream_enabled',
      'stream_view_type',
      'table_class',
      'deletion_protection_enabled',
      'global_secondary_index',
      'local_secondary_index',
      'replica',
      'global_table_witness',
      'restore_date_time',
      'restore_source_name',
      'restore_source_table_arn',
      'restore_to_latest_time',
      'import_table',
      'on_demand_throughput',
      'warm_throughput',
    ],
  },
  aws_lambda_function: {
    judged: {
      role: roleChange('the function'),
      filename: codeChange('the function code'),
      source_code_hash: codeChange('the function code'),
      handler: codeChange('the function code'),
      runtime: codeChange('the function runtime'),
      environment: (i) =>
        i.kind === 'create'
          ? []
          : [
              warn(
                'code-changed',
                `the function's environment changes (its values steer what it calls and trusts): ${md(shown(i, 'after'))}`,
              ),
            ],
      // 0 throttles every invocation: the function never runs
      // (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
      reserved_concurrent_executions: (i) =>
        i.after === 0 || i.afterUnknown
          ? [warn('code-changed', `reserved concurrency becomes ${md(shown(i, 'after'))}: 0 stops the function`)]
          : [],
      layers: (i) =>
        i.kind === 'create' && (!Array.isArray(i.after) || i.after.length === 0)
          ? []
          : [warn('code-changed', `the function loads layers (code from elsewhere): ${md(shown(i, 'after'))}`)],
      // The security alarms count lines the functions write to their own log groups: another log
      // group (which the function's role may not even write to), or a higher level, and they count none.
      logging_config: (i) =>
        i.kind === 'create'
          ? []
          : [
              warn(
                'alarm-weakened',
                `the function's logging becomes ${md(shown(i, 'after'))}: confirm the metric filters of the security alarms still read its lines`,
              ),
            ],
      // Run on the EC2 instances of a capacity provider, in its VPC, instead of Lambda's own compute
      // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html, CapacityProviderConfig).
      capacity_provider_config: (i) => [
        warn('code-changed', `the function runs on the instances of a capacity provider: ${md(shown(i, 'after'))}`),
      ],
      // Code from an image or a bucket instead of the zip the synth builds.
      ...Object.fromEntries(
        ['image_uri', 's3_bucket', 's3_key', 's3_object_version', 'image_config', 'code_signing_config_arn'].map((k) => [
          k,
          (i: AttributeJudgeInput) => [warn('code-changed', `the function's code comes from ${md(k)} ${md(shown(i, 'after'))}`)],
        ]),
      ),
    },
    neutral: [
      'function_name',
      'description',
      'memory_size',
      'timeout',
      'architectures',
      'publish',
      'package_type',
      'ephemeral_storage',
      'tracing_config',
      'invoke_arn',
      'qualified_arn',
      'qualified_invoke_arn',
      'last_modified',
      'version',
      'source_code_size',
      'signing_job_arn',
      'signing_profile_version_arn',
      'skip_destroy',
      'replace_security_groups_on_destroy',
      'replacement_security_group_ids',
      'code_sha256',
      'source_kms_key_arn',
      'publish_to',
      'durable_config',
      'tenancy_config',
      'snap_start',
      'dead_letter_config',
      'vpc_config',
      'file_system_config',
      'kms_key_arn',
    ],
  },
  aws_lambda_event_source_mapping: {
    judged: {
      // Each message goes to one of a queue's readers
      // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html).
      event_source_arn: eventEndpoint(
        'the function reads events from',
        'each message goes to one of its readers, so what this one takes the router never sees',
      ),
      function_name: routing('the queue feeding the router'),
      // Disabled, or filtering events out, the router never sees them (filtered events are deleted:
      // https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html).
      enabled: routing('the queue feeding the router'),
      filter_criteria: routing('the queue feeding the router'),
    },
    neutral: [
      'batch_size',
      'function_response_types',
      'maximum_batching_window_in_seconds',
      'scaling_config',
      'uuid',
      'function_arn',
      'last_modified',
      'last_processing_result',
      'state',
      'state_transition_reason',
      'starting_position',
      'maximum_retry_attempts',
      'bisect_batch_on_function_error',
      'maximum_record_age_in_seconds',
      'parallelization_factor',
      'tumbling_window_in_seconds',
      'destination_config',
      'metrics_config',
      'provisioned_poller_config',
      'kms_key_arn',
      'starting_position_timestamp',
      'queues',
      'topics',
      'self_managed_event_source',
      'self_managed_kafka_event_source_config',
      'source_access_configuration',
      'amazon_managed_kafka_event_source_config',
      'document_db_event_source_config',
    ],
  },
  aws_lambda_permission: {
    judged: {
      principal: nothing,
      action: nothing,
      function_name: nothing,
      source_arn: nothing,
      source_account: nothing,
      principal_org_id: nothing,
      qualifier: nothing,
      event_source_token: nothing,
      function_url_auth_type: nothing,
    },
    neutral: ['statement_id', 'statement_id_prefix'],
    always: lambdaPermission,
  },
  aws_s3_bucket: {
    judged: {
      policy: policy('bucket policy (`policy`)'),
      // The provider's older inline arguments (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket):
      // an ACL or grant other than the owner's own gives others access; replication copies the
      // objects to another bucket, possibly of another account.
      // Optional and computed: unknown on a creation that does not set them, which says nothing.
      acl: (i) => (!hiddenAfter(i) && (i.after === undefined || i.after === null || i.after === 'private') ? [] : [bucketAccess(i)]),
      grant: (i) => (!hiddenAfter(i) && isEmpty(i.after) ? [] : [bucketAccess(i)]),
      replication_configuration: (i) => (!hiddenAfter(i) && isEmpty(i.after) ? [] : [bucketAccess(i)]),
    },
    neutral: [
      'bucket',
      'bucket_prefix',
      'force_destroy',
      'object_lock_enabled',
      'bucket_domain_name',
      'bucket_regional_domain_name',
      'hosted_zone_id',
      'bucket_region',
      'acceleration_status',
      'request_payer',
      'cors_rule',
      'lifecycle_rule',
      'logging',
      'object_lock_configuration',
      'server_side_encryption_configuration',
      'versioning',
      // Serving a website needs a policy that admits everyone: the bucket policy is judged.
      'website',
      'website_domain',
      'website_endpoint',
    ],
  },
  aws_s3_bucket_policy: { judged: { policy: policy('bucket policy (`policy`)') }, neutral: ['bucket'] },
  aws_s3_bucket_public_access_block: {
    judged: {
      block_public_acls: publicAccess,
      block_public_policy: publicAccess,
      ignore_public_acls: publicAccess,
      restrict_public_buckets: publicAccess,
    },
    deleted: () => [warn('bucket-access-relaxed', 'the public access block is deleted: the bucket may be made public')],
    neutral: ['bucket', 'skip_destroy'],
  },
  aws_s3_bucket_ownership_controls: {
    judged: {
      rule: (i) =>
        JSON.stringify(i.after ?? null).includes('BucketOwnerEnforced')
          ? []
          : [warn('bucket-access-relaxed', 'object ownership is no longer `BucketOwnerEnforced`: ACLs grant access again')],
    },
    neutral: ['bucket'],
  },
  aws_s3_bucket_server_side_encryption_configuration: { judged: {}, neutral: ['bucket', 'rule', 'expected_bucket_owner'] },
  aws_s3_bucket_lifecycle_configuration: {
    judged: {},
    neutral: ['bucket', 'rule', 'expected_bucket_owner', 'transition_default_minimum_object_size'],
  },
  aws_scheduler_schedule: {
    judged: {
      target: (i) =>
        i.kind === 'create'
          ? []
          : [warn('execution-role-changed', `the schedule's target (what it starts, and as which role) changes: ${md(shown(i, 'after'))}`)],
      state: (i) => (i.after === 'ENABLED' ? [] : [warn('event-routing-changed', `the schedule's state becomes ${md(shown(i, 'after'))}`)]),
      // When it fires: a date never reached, or a window already closed, stops it as a disabled state does.
      schedule_expression: routing('the schedule'),
      start_date: routing('the schedule'),
      end_date: routing('the schedule'),
    },
    neutral: [
      'name',
      'name_prefix',
      'description',
      'schedule_expression_timezone',
      'flexible_time_window',
      'group_name',
      'kms_key_arn',
      'action_after_completion',
    ],
  },
  aws_sfn_state_machine: {
    judged: { role_arn: roleChange('the state machine'), definition: codeChange('the workflow definition') },
    neutral: [
      'name',
      'name_prefix',
      'type',
      'logging_configuration',
      'tracing_configuration',
      'publish',
      'encryption_configuration',
      'creation_date',
      'status',
      'revision_id',
      'state_machine_version_arn',
      'version_description',
      'description',
    ],
  },
  aws_sns_topic: {
    judged: {
      policy: policy('topic policy (`policy`)'),
      // The alarm topic: CloudWatch cannot publish to a topic encrypted with the AWS managed key
      // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html), nor with a key whose policy does not admit it.
      kms_master_key_id: alarm,
    },
    neutral: [
      'name',
      'name_prefix',
      'display_name',
      'owner',
      'signature_version',
      'tracing_config',
      'fifo_topic',
      'content_based_deduplication',
      'delivery_policy',
      'beginning_archive_time',
      'archive_policy',
      'fifo_throughput_scope',
      // Delivery status logging: the roles SNS assumes to write it to CloudWatch Logs, and how
      // much of it (https://docs.aws.amazon.com/sns/latest/dg/sns-topic-attributes.html).
      ...['application', 'firehose', 'http', 'lambda', 'sqs'].flatMap((protocol) => [
        `${protocol}_failure_feedback_role_arn`,
        `${protocol}_success_feedback_role_arn`,
        `${protocol}_success_feedback_sample_rate`,
      ]),
    ],
  },
  aws_sns_topic_policy: { judged: { policy: policy('topic policy (`policy`)') }, neutral: ['arn', 'owner'] },
  aws_sns_topic_subscription: {
    // A filter policy no alarm notification matches delivers none of them.
    judged: { endpoint: alarm, protocol: alarm, topic_arn: alarm, filter_policy: alarm, filter_policy_scope: alarm },
    deleted: () => [warn('alarm-weakened', 'an alarm subscription is deleted: alarms may reach nobody')],
    neutral: [
      'confirmation_timeout_in_minutes',
      'endpoint_auto_confirms',
      'pending_confirmation',
      'confirmation_was_authenticated',
      'owner_id',
      'raw_message_delivery',
      'delivery_policy',
      'redrive_policy',
      'replay_policy',
      'subscription_role_arn',
    ],
  },
  aws_sqs_queue: {
    judged: { policy: policy('queue policy (`policy`)') },
    neutral: [
      'name',
      'name_prefix',
      'message_retention_seconds',
      'visibility_timeout_seconds',
      'sqs_managed_sse_enabled',
      'redrive_policy',
      'redrive_allow_policy',
      'delay_seconds',
      'max_message_size',
      'receive_wait_time_seconds',
      'fifo_queue',
      'content_based_deduplication',
      'deduplication_scope',
      'fifo_throughput_limit',
      'kms_master_key_id',
      'kms_data_key_reuse_period_seconds',
      'url',
    ],
  },
  aws_sqs_queue_policy: { judged: { policy: policy('queue policy (`policy`)') }, neutral: ['queue_url'] },
  aws_secretsmanager_secret: {
    judged: { policy: policy('secret policy (`policy`)') },
    neutral: ['name', 'name_prefix', 'description', 'kms_key_id', 'recovery_window_in_days', 'force_overwrite_replica_secret', 'replica'],
  },
  aws_cloudformation_stack_set: {
    judged: {
      template_body: nothing, // compared resource by resource (plan-review/template.ts)
      parameters: stackSetSetting,
      permission_model: stackSetSetting,
      call_as: stackSetSetting,
      administration_role_arn: stackSetSetting,
      execution_role_name: stackSetSetting,
      capabilities: stackSetSetting,
      template_url: stackSetSetting,
      auto_deployment: (i) => (i.kind === 'create' ? [] : stackSetSetting(i)),
    },
    neutral: ['name', 'description', 'operation_preferences', 'managed_execution', 'stack_set_id'],
  },
  aws_cloudformation_stack_set_instance: {
    judged: {
      deployment_targets: stackSetTargets,
      parameter_overrides: stackSetSetting,
      call_as: stackSetSetting,
      account_id: stackSetTargets,
    },
    neutral: [
      'stack_set_name',
      'stack_set_instance_region',
      'operation_preferences',
      'retain_stack',
      'organizational_unit_id',
      'stack_id',
      'stack_instance_summaries',
    ],
  },
  azuread_app_role_assignment: {
    judged: { app_role_id: nothing, principal_object_id: nothing, resource_object_id: nothing },
    neutral: ['principal_display_name', 'principal_type', 'resource_display_name'],
    always: appRoleAssignment,
  },
  azuread_application: {
    judged: {
      required_resource_access: requiredResourceAccess,
      owners,
      // The provider adds the secret in place: an update adds a credential as a creation does.
      password: (i) => (isEmpty(i.after) && !hiddenAfter(i) ? [] : credential('client secret')({ ...i, kind: 'create' })),
      sign_in_audience: (i) =>
        i.after === 'AzureADMyOrg'
          ? []
          : [warn('application-setting', `\`sign_in_audience\` becomes ${md(shown(i, 'after'))}: accounts of other tenants may sign in`)],
      fallback_public_client_enabled: (i) => (i.after ? [warn('application-setting', 'public client flows are enabled')] : []),
      identifier_uris: (i) =>
        i.kind === 'create' && JSON.stringify(i.after ?? []) === '[]'
          ? []
          : [warn('application-setting', `\`identifier_uris\` becomes ${md(shown(i, 'after'))}`)],
      // The gateway's token version decides what IAM reads as the audience (docs/architecture.md#audience-modes).
      api: (i) =>
        i.kind === 'create'
          ? []
          : [warn('application-setting', `\`api\` (token version, exposed scopes) becomes ${md(shown(i, 'after'))}`)],
      web: (i) => (i.kind === 'create' ? [] : [warn('application-setting', `redirect and web settings change: ${md(shown(i, 'after'))}`)]),
      // Redirect URIs as well: where Entra sends the tokens of a sign-in.
      single_page_application: (i) =>
        i.kind === 'create' ? [] : [warn('application-setting', `single-page application redirect URIs change: ${md(shown(i, 'after'))}`)],
      public_client: (i) =>
        i.kind === 'create' ? [] : [warn('application-setting', `public client redirect URIs change: ${md(shown(i, 'after'))}`)],
    },
    neutral: [
      'display_name',
      'notes',
      'description',
      'tags',
      'client_id',
      'object_id',
      'publisher_domain',
      'disabled_by_microsoft',
      'logo_url',
      'marketing_url',
      'privacy_statement_url',
      'support_url',
      'terms_of_service_url',
      'service_management_reference',
      'group_membership_claims',
      'prevent_duplicate_names',
      'device_only_auth_enabled',
      'oauth2_post_response_required',
      'optional_claims',
      'feature_tags',
      'app_role',
      'app_role_ids',
      'oauth2_permission_scope_ids',
      'template_id',
      'logo_image',
    ],
  },
  azuread_service_principal: {
    judged: {
      owners,
      // A disabled service principal cannot sign in: every Graph-calling step fails
      // (https://learn.microsoft.com/en-us/graph/api/resources/serviceprincipal, accountEnabled).
      account_enabled: (i) =>
        i.after === false || i.afterUnknown
          ? [
              warn(
                'application-setting',
                `\`account_enabled\` becomes ${md(shown(i, 'after'))}: the service principal can no longer sign in`,
              ),
            ]
          : [],
    },
    neutral: [
      'client_id',
      'app_role_assignment_required',
      'object_id',
      'display_name',
      'notes',
      'description',
      'tags',
      'feature_tags',
      'alternative_names',
      'application_tenant_id',
      'app_roles',
      'app_role_ids',
      'homepage_url',
      'login_url',
      'logout_url',
      'notification_email_addresses',
      'oauth2_permission_scopes',
      'oauth2_permission_scope_ids',
      'preferred_single_sign_on_mode',
      'redirect_uris',
      'saml_metadata_url',
      'saml_single_sign_on',
      'service_principal_names',
      'sign_in_audience',
      'type',
      'use_existing',
      'features',
    ],
  },
  azuread_application_owner: {
    judged: { application_id: nothing, owner_object_id: nothing },
    neutral: [],
    always: (i) =>
      owners({
        ...i,
        before: [],
        after: i.kind === 'delete' ? [] : [isObject(i.rc.after) ? i.rc.after.owner_object_id : KNOWN_AFTER_APPLY],
      }),
  },
  azuread_application_password: {
    judged: {},
    neutral: ['application_id', 'display_name', 'end_date', 'end_date_relative', 'key_id', 'rotate_when_changed', 'start_date', 'value'],
    always: credential('client secret'),
  },
  azuread_service_principal_password: {
    judged: {},
    neutral: [
      'service_principal_id',
      'display_name',
      'end_date',
      'end_date_relative',
      'key_id',
      'rotate_when_changed',
      'start_date',
      'value',
    ],
    always: credential('client secret'),
  },
  azuread_application_certificate: {
    judged: {},
    neutral: ['application_id', 'encoding', 'end_date', 'end_date_relative', 'key_id', 'start_date', 'type', 'value'],
    always: credential('certificate'),
  },
  azuread_service_principal_certificate: {
    judged: {},
    neutral: ['service_principal_id', 'encoding', 'end_date', 'end_date_relative', 'key_id', 'start_date', 'type', 'value'],
    always: credential('certificate'),
  },
  azuread_application_federated_identity_credential: {
    judged: { issuer: nothing, subject: nothing, audiences: nothing, application_id: nothing },
    neutral: ['display_name', 'description', 'credential_id'],
    always: federatedCredential,
  },
  azuread_directory_role_assignment: {
    judged: { role_id: nothing, principal_object_id: nothing },
    neutral: ['directory_scope_id', 'app_scope_id'],
    always: directoryRole,
  },
  azuread_directory_role_member: { judged: { role_object_id: nothing, member_object_id: nothing }, neutral: [], always: directoryRole },
  // An eligible assignment, which its holder activates at will (https://learn.microsoft.com/en-us/entra/id-governance/privileged-identity-management/pim-how-to-add-role-to-user),
  // and a role over an administrative unit's members.
  azuread_directory_role_eligibility_schedule_request: {
    judged: { role_definition_id: nothing, principal_id: nothing },
    neutral: ['directory_scope_id', 'justification'],
    always: directoryRole,
  },
  azuread_administrative_unit_role_member: {
    judged: { role_object_id: nothing, member_object_id: nothing },
    neutral: ['administrative_unit_object_id'],
    always: directoryRole,
  },
  terraform_data: { judged: {}, neutral: ['input', 'output', 'triggers_replace'] },
};
