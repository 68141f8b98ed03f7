import { type ActionKind, actionKind, cloudOf, isDestructive } from './actions';
import { FEDERATION_RESOURCES } from './federation';
import type { Plan, ResourceChange } from './plan';
import { parsePolicy, prettyPolicy, widenings } from './policy';
import { type PolicyChange, type ReplacementLookup, type TemplateComparison, compareTemplates } from './template';
import { KNOWN_AFTER_APPLY, SENSITIVE, anyMarked, byText, isObject, maskAt, md, overlay, stableStringify } from './values';

/** Everything the Markdown shows, in the order it shows it; built from one plan, deterministically. */
export interface Review {
  readonly formatVersion: string;
  readonly terraformVersion?: string;
  readonly errored: boolean;
  /** Per cloud (sorted), managed resources by action. */
  readonly counts: readonly {
    readonly cloud: string;
    readonly create: number;
    readonly update: number;
    readonly replace: number;
    readonly delete: number;
  }[];
  /** Data sources Terraform reads only during apply. */
  readonly deferredReads: readonly string[];
  readonly warnings: readonly FederationWarning[];
  readonly access: readonly AccessChange[];
  readonly templates: readonly { readonly address: string; readonly comparison: TemplateComparison | 'known after apply' }[];
  readonly changes: readonly ChangeRow[];
}

export interface FederationWarning {
  readonly address: string;
  readonly what: string;
  readonly breaks: string;
  /** "deletes", "replaces", "replaces (create before destroy)", or the raw actions. */
  readonly how: string;
  /** Attribute paths that force the replacement (`replace_paths`). */
  readonly because: readonly string[];
  readonly reason?: string;
}

/** A side-by-side row (Graph permissions and credentials). */
export interface Row {
  readonly label: string;
  readonly before: string;
  readonly after: string;
}

export interface AccessChange {
  readonly address: string;
  readonly kind: ActionKind;
  readonly policies: readonly PolicyChange[];
  readonly rows: readonly Row[];
  /** Widened access outside policy documents (Graph permissions, credentials). */
  readonly widenings: readonly string[];
}

export interface ChangeRow {
  readonly address: string;
  readonly cloud: string;
  readonly kind: ActionKind;
  readonly actions: readonly string[];
  /** Changed top-level attributes of an update or replacement, each marked when it forces the replacement. */
  readonly attributes: readonly {
    readonly name: string;
    readonly before: string;
    readonly after: string;
    readonly forcesReplacement: boolean;
  }[];
}

/**
 * Graph application permissions by app role ID, from the Microsoft Graph permissions reference
 * (https://learn.microsoft.com/en-us/graph/permissions-reference). Used when the configuration
 * does not name the role.
 */
const GRAPH_APP_ROLES: Readonly<Record<string, string>> = {
  '18a4783c-866b-4cc7-a460-3d5e5662c884': 'Application.ReadWrite.OwnedBy',
  '7ab1d382-f21e-4acd-a863-ba3e13f7da61': 'Directory.Read.All',
  '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30': 'Application.Read.All',
  '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9': 'Application.ReadWrite.All',
  '06b708a9-e830-4db3-a914-8e69da51d44f': 'AppRoleAssignment.ReadWrite.All',
};

const POLICY_LABELS: Readonly<Record<string, string>> = {
  aws_cloudwatch_event_bus_policy: 'bus policy',
  aws_sqs_queue_policy: 'queue policy',
  aws_sqs_queue: 'queue policy',
  aws_sns_topic_policy: 'topic policy',
  aws_sns_topic: 'topic policy',
  aws_iam_role_policy: 'inline policy',
  aws_iam_policy: 'managed policy',
};

const STACK_SET = 'aws_cloudformation_stack_set';
const displayAddress = (rc: ResourceChange) => (rc.deposed ? `${rc.address} (deposed object ${rc.deposed})` : rc.address);

function attr(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

/** One attribute for display: its value, or the marker for unknown / sensitive. */
function shown(value: unknown, unknown: unknown, sensitive: unknown): string {
  const v = overlay(value, unknown, sensitive);
  if (v === undefined || v === null) return '(none)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function policyChanges(rc: ResourceChange, kind: ActionKind): PolicyChange[] {
  const before = kind === 'create' ? null : rc.before;
  const after = kind === 'delete' ? null : rc.after;
  const found: PolicyChange[] = [];
  const consider = (label: string, b: unknown, a: unknown, unknownMask: unknown, sensitiveMask: unknown) => {
    const afterHidden = unknownMask === true || sensitiveMask === true;
    const isPolicy = (v: unknown) => typeof v === 'string' && parsePolicy(v) !== null;
    if (!isPolicy(b) && !isPolicy(a) && !(afterHidden && after !== null)) return;
    if (!afterHidden && stableStringify(b ?? null) === stableStringify(a ?? null)) return;
    const hiddenAs = sensitiveMask === true ? SENSITIVE : KNOWN_AFTER_APPLY;
    found.push({
      label,
      before: isPolicy(b) ? prettyPolicy(b) : null,
      after: afterHidden ? hiddenAs : isPolicy(a) ? prettyPolicy(a) : null,
      afterKnown: !afterHidden,
      widenings: afterHidden ? [] : widenings(isPolicy(b) ? parsePolicy(b) : null, isPolicy(a) ? (parsePolicy(a) ?? []) : []),
    });
  };
  const keys = [
    ...new Set([
      ...Object.keys(isObject(before) ? before : {}),
      ...Object.keys(isObject(after) ? after : {}),
      ...Object.keys(isObject(rc.afterUnknown) ? rc.afterUnknown : {}),
    ]),
  ].sort(byText);
  for (const key of keys) {
    if (key === 'assume_role_policy') {
      consider(
        'trust policy (`assume_role_policy`)',
        attr(before, key),
        attr(after, key),
        maskAt(rc.afterUnknown, key),
        maskAt(rc.afterSensitive, key),
      );
    } else if (key === 'policy') {
      consider(
        `${POLICY_LABELS[rc.type] ?? 'policy'} (\`policy\`)`,
        attr(before, key),
        attr(after, key),
        maskAt(rc.afterUnknown, key),
        maskAt(rc.afterSensitive, key),
      );
    } else if (key === 'inline_policy') {
      const byName = (v: unknown) => new Map((Array.isArray(v) ? v : []).filter(isObject).map((p) => [String(p.name), p.policy]));
      const [b, a] = [byName(attr(before, key)), byName(attr(after, key))];
      for (const name of [...new Set([...b.keys(), ...a.keys()])].sort(byText)) {
        consider(`inline policy ${md(name)} (\`inline_policy\`)`, b.get(name), a.get(name), undefined, undefined);
      }
    }
  }
  return found;
}

function configuredAppRole(configuration: unknown, address: string): string | undefined {
  const root = attr(configuration, 'root_module');
  const resources = attr(root, 'resources');
  if (!Array.isArray(resources)) return undefined;
  const resource = resources.find((r) => attr(r, 'address') === address);
  const references = attr(attr(attr(resource, 'expressions'), 'app_role_id'), 'references');
  if (!Array.isArray(references)) return undefined;
  for (const ref of references) {
    const match = typeof ref === 'string' ? /app_role_ids\["([^"]+)"\]/.exec(ref) : null;
    if (match) return match[1];
  }
  return undefined;
}

/** Graph permissions and credentials of the automation: who can act as it, and with what. */
function entraAccess(rc: ResourceChange, kind: ActionKind, configuration: unknown): { rows: Row[]; widenings: string[] } | null {
  const before = kind === 'create' ? null : rc.before;
  const after = kind === 'delete' ? null : rc.after;
  const side = (value: unknown, key: string, mask?: unknown) =>
    value === null ? '(none)' : shown(attr(value, key), mask === undefined ? undefined : maskAt(mask, key), undefined);
  const row = (label: string, key: string): Row => ({ label, before: side(before, key), after: side(after, key, rc.afterUnknown) });
  const changed = (key: string) =>
    stableStringify(attr(before, key) ?? null) !== stableStringify(attr(after, key) ?? null) || anyMarked(maskAt(rc.afterUnknown, key));
  switch (rc.type) {
    case 'azuread_app_role_assignment': {
      const named = configuredAppRole(configuration, rc.address);
      const roleName = (value: unknown) => {
        const id = attr(value, 'app_role_id');
        if (value === null) return '(none)';
        if (typeof id !== 'string') return named ? `${named} (${KNOWN_AFTER_APPLY})` : KNOWN_AFTER_APPLY;
        return GRAPH_APP_ROLES[id] ?? named ?? id;
      };
      const rows = [
        { label: 'application permission', before: roleName(before), after: roleName(after) },
        row('resource (service principal)', 'resource_object_id'),
        row('granted to (service principal)', 'principal_object_id'),
      ];
      const found: string[] = [];
      if (after !== null && (kind === 'create' || kind === 'replace' || changed('app_role_id')))
        found.push(`application permission granted: ${md(roleName(after))}`);
      if (after !== null && before !== null && changed('principal_object_id')) found.push('granted to another service principal');
      return { rows, widenings: found };
    }
    case 'azuread_application_federated_identity_credential': {
      const rows = [row('issuer', 'issuer'), row('subject', 'subject'), row('audiences', 'audiences')];
      const found: string[] = [];
      if (after !== null) {
        if (before === null)
          found.push(
            `new credential: tokens from ${md(side(after, 'issuer', rc.afterUnknown))} with subject ${md(side(after, 'subject', rc.afterUnknown))} sign in as the automation`,
          );
        else {
          if (changed('issuer')) found.push(`trusts another issuer: ${md(side(after, 'issuer', rc.afterUnknown))}`);
          if (changed('subject')) found.push(`trusts another subject: ${md(side(after, 'subject', rc.afterUnknown))}`);
          const previous = new Set(Array.isArray(attr(before, 'audiences')) ? (attr(before, 'audiences') as unknown[]) : []);
          const added = (Array.isArray(attr(after, 'audiences')) ? (attr(after, 'audiences') as unknown[]) : []).filter(
            (a) => !previous.has(a),
          );
          if (added.length > 0) found.push(`accepts new audiences: ${added.map((a) => `${md(String(a))}`).join(', ')}`);
        }
      }
      return { rows, widenings: found };
    }
    case 'azuread_application_certificate':
    case 'azuread_application_password':
      return {
        rows: [row('key id', 'key_id'), row('end date', 'end_date')],
        widenings:
          after !== null && (before === null || kind === 'replace')
            ? [`new ${rc.type === 'azuread_application_password' ? 'client secret' : 'certificate'} credential for the automation`]
            : [],
      };
    case 'azuread_application': {
      if (!changed('required_resource_access') && kind !== 'create') return null;
      const requested = (value: unknown) =>
        (Array.isArray(attr(value, 'required_resource_access')) ? (attr(value, 'required_resource_access') as unknown[]) : []).flatMap(
          (api) =>
            (Array.isArray(attr(api, 'resource_access')) ? (attr(api, 'resource_access') as unknown[]) : []).map((access) => {
              const id = String(attr(access, 'id'));
              return `${GRAPH_APP_ROLES[id] ?? id} (${String(attr(access, 'type'))}) on ${String(attr(api, 'resource_app_id'))}`;
            }),
        );
      const [b, a] = [requested(before).sort(byText), requested(after).sort(byText)];
      const rows = [
        {
          label: 'requested permissions',
          before: before === null ? '(none)' : b.join('; ') || '(none)',
          after:
            after === null
              ? '(none)'
              : anyMarked(maskAt(rc.afterUnknown, 'required_resource_access'))
                ? KNOWN_AFTER_APPLY
                : a.join('; ') || '(none)',
        },
      ];
      return { rows, widenings: a.filter((p) => !b.includes(p)).map((p) => `requests a new permission: ${md(p)}`) };
    }
    default:
      return null;
  }
}

function changedAttributes(rc: ResourceChange): ChangeRow['attributes'] {
  const before = isObject(rc.before) ? rc.before : {};
  const after = isObject(rc.after) ? rc.after : {};
  const replacing = new Set(rc.replacePaths.map((p) => String(p[0])));
  const keys = [
    ...new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(isObject(rc.afterUnknown) ? rc.afterUnknown : {})]),
  ].sort(byText);
  const brief = (text: string) => (text.length > 120 ? `(${text.length} characters)` : text);
  return keys
    .filter((k) => anyMarked(maskAt(rc.afterUnknown, k)) || stableStringify(before[k] ?? null) !== stableStringify(after[k] ?? null))
    .map((name) => ({
      name,
      before: brief(shown(before[name], undefined, maskAt(rc.beforeSensitive, name))),
      after: brief(shown(after[name], maskAt(rc.afterUnknown, name), maskAt(rc.afterSensitive, name))),
      forcesReplacement: replacing.has(name),
    }));
}

function howDestructive(actions: readonly string[]): string {
  const key = actions.join(',');
  if (key === 'delete') return 'deletes';
  if (key === 'delete,create') return 'replaces';
  if (key === 'create,delete') return 'replaces (create before destroy)';
  return `plans ${JSON.stringify(actions)} on`;
}

export function buildReview(plan: Plan, replacing: ReplacementLookup): Review {
  const ordered = [...plan.resourceChanges].sort((a, b) => byText(displayAddress(a), displayAddress(b)));
  const counts = new Map<string, { create: number; update: number; replace: number; delete: number }>();
  const deferredReads: string[] = [];
  const warnings: FederationWarning[] = [];
  const access: AccessChange[] = [];
  const templates: Review['templates'][number][] = [];
  const changes: ChangeRow[] = [];

  for (const rc of ordered) {
    const kind = actionKind(rc.actions);
    const cloud = cloudOf(rc.providerName);
    if (rc.mode === 'data') {
      if (kind === 'read') deferredReads.push(rc.address);
      continue;
    }
    if (kind === 'no-op') continue;
    if (kind === 'create' || kind === 'update' || kind === 'replace' || kind === 'delete') {
      const c = counts.get(cloud) ?? { create: 0, update: 0, replace: 0, delete: 0 };
      c[kind] += 1;
      counts.set(cloud, c);
    }
    changes.push({
      address: displayAddress(rc),
      cloud,
      kind,
      actions: rc.actions,
      attributes: kind === 'update' || kind === 'replace' ? changedAttributes(rc) : [],
    });

    const role = FEDERATION_RESOURCES[rc.type];
    if (role && isDestructive(rc.actions)) {
      warnings.push({
        address: displayAddress(rc),
        what: role.what,
        breaks: role.breaks,
        how: howDestructive(rc.actions),
        because: rc.replacePaths.map((p) => p.map(String).join('.')).sort(byText),
        reason: rc.actionReason,
      });
    }

    const policies = policyChanges(rc, kind);
    const entra = entraAccess(rc, kind, plan.configuration);
    if (
      policies.length > 0 ||
      (entra && (entra.widenings.length > 0 || kind !== 'update' || entra.rows.some((r) => r.before !== r.after)))
    ) {
      access.push({ address: displayAddress(rc), kind, policies, rows: entra?.rows ?? [], widenings: entra?.widenings ?? [] });
    }

    if (rc.type === STACK_SET) {
      const unknown = maskAt(rc.afterUnknown, 'template_body') === true;
      const before = kind === 'create' ? null : attr(rc.before, 'template_body');
      const after = kind === 'delete' ? null : attr(rc.after, 'template_body');
      if (unknown) templates.push({ address: rc.address, comparison: 'known after apply' });
      else if (stableStringify(before ?? null) !== stableStringify(after ?? null)) {
        templates.push({ address: rc.address, comparison: compareTemplates(before, after, replacing) });
      }
    }
  }

  return {
    formatVersion: plan.formatVersion,
    terraformVersion: plan.terraformVersion,
    errored: plan.errored,
    counts: [...counts.entries()].sort(([a], [b]) => byText(a, b)).map(([cloud, c]) => ({ cloud, ...c })),
    deferredReads,
    warnings,
    access,
    templates,
    changes,
  };
}
