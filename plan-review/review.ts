import { type ActionKind, actionKind, cloudOf, isDestructive } from './actions';
import type { ReviewContext } from './context';
import { FEDERATION_RESOURCES } from './federation';
import { type Finding, type Judgement, type Verdict, sortFindings, uniqueFindings, verdictOf } from './findings';
import type { Plan, ResourceChange } from './plan';
import { COMMON_NEUTRAL, DELETION_JUDGES, type Row, TYPE_RULES } from './rules';
import { type PolicyChange, type ReplacementLookup, type TemplateComparison, compareTemplates } from './template';
import { KNOWN_AFTER_APPLY, anyMarked, byText, isEmpty, isObject, maskAt, md, overlay, stableStringify } from './values';

/** Everything the review says, built from one plan, deterministically; Markdown and JSON are rendered from it. */
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
  readonly verdict: Verdict;
  /** Sorted: blocking, warning, info. */
  readonly findings: readonly Finding[];
  /** Changed resources no rule analysed (default deny), sorted. */
  readonly notAnalysed: readonly string[];
  /** Every changed managed resource, in address order. */
  readonly resources: readonly ResourceReview[];
  readonly templates: readonly { readonly address: string; readonly comparison: TemplateComparison | 'known after apply' }[];
}

export interface ResourceReview {
  readonly address: string;
  readonly type: string;
  readonly cloud: string;
  readonly kind: ActionKind;
  readonly actions: readonly string[];
  /** Changed attributes of an update or replacement; every set attribute of a creation or deletion. */
  readonly attributes: readonly Attribute[];
  readonly policies: readonly PolicyChange[];
  readonly rows: readonly Row[];
  readonly analysed: boolean;
}

export interface Attribute {
  readonly name: string;
  readonly before: string;
  readonly after: string;
  readonly forcesReplacement: boolean;
}

const STACK_SET = 'aws_cloudformation_stack_set';
const displayAddress = (rc: ResourceChange) => (rc.deposed ? `${rc.address} (deposed object ${rc.deposed})` : rc.address);

function attr(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

function shown(value: unknown, unknown: unknown, sensitive: unknown): string {
  const v = overlay(value, unknown, sensitive);
  if (v === undefined || v === null) return '(none)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The attributes a change sets or changes: what a rule must account for. */
function changedAttributes(rc: ResourceChange, kind: ActionKind): Attribute[] {
  const before = isObject(rc.before) && kind !== 'create' ? rc.before : {};
  const after = isObject(rc.after) && kind !== 'delete' ? rc.after : {};
  const replacing = new Set(rc.replacePaths.map((p) => String(p[0])));
  const unknownKeys = kind === 'delete' ? [] : Object.keys(isObject(rc.afterUnknown) ? rc.afterUnknown : {});
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after), ...unknownKeys])].sort(byText);
  return keys
    .filter((k) => {
      const unknown = kind !== 'delete' && anyMarked(maskAt(rc.afterUnknown, k));
      // The common attributes known only after apply (a new resource's own id and arn) say
      // nothing, unless the type's rule judges them: an event target's `arn` is where it sends.
      if (kind === 'create')
        return !isEmpty(after[k]) || (unknown && (!COMMON_NEUTRAL.includes(k) || k in (TYPE_RULES[rc.type]?.judged ?? {})));
      if (kind === 'delete') return !isEmpty(before[k]);
      return unknown || stableStringify(before[k] ?? null) !== stableStringify(after[k] ?? null);
    })
    .map((name) => ({
      name,
      before: kind === 'create' ? '(none)' : shown(before[name], undefined, maskAt(rc.beforeSensitive, name)),
      after: kind === 'delete' ? '(none)' : shown(after[name], maskAt(rc.afterUnknown, name), maskAt(rc.afterSensitive, name)),
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

/**
 * Provisioners (local-exec, remote-exec, file) run commands with the apply role's credentials
 * during apply (https://developer.hashicorp.com/terraform/language/resources/provisioners/syntax);
 * the plan JSON lists them in its configuration representation.
 */
function provisioners(configuration: unknown): Finding[] {
  const found: Finding[] = [];
  const visit = (module: unknown, prefix: string) => {
    for (const r of isObject(module) && Array.isArray(module.resources) ? module.resources : []) {
      if (!isObject(r) || !Array.isArray(r.provisioners) || r.provisioners.length === 0) continue;
      const types = r.provisioners.map((p) => (isObject(p) ? String(p.type) : '?'));
      found.push({
        address: `${prefix}${String(r.address)}`,
        kind: 'provisioner',
        severity: 'blocking',
        message: `runs ${types.map(md).join(', ')} provisioners during apply, with the apply role's credentials: commands no plan shows`,
      });
    }
    const calls = isObject(module) && isObject(module.module_calls) ? module.module_calls : {};
    for (const [name, call] of Object.entries(calls)) visit(isObject(call) ? call.module : undefined, `${prefix}module.${name}.`);
  };
  visit(attr(configuration, 'root_module'), '');
  return found;
}

export function buildReview(plan: Plan, replacing: ReplacementLookup, ctx: ReviewContext): Review {
  const ordered = [...plan.resourceChanges].sort((a, b) => byText(displayAddress(a), displayAddress(b)));
  const counts = new Map<string, { create: number; update: number; replace: number; delete: number }>();
  const deferredReads: string[] = [];
  const findings: Finding[] = [];
  const notAnalysed: string[] = [];
  const resources: ResourceReview[] = [];
  const templates: Review['templates'][number][] = [];
  const place =
    (address: string, templateResource?: string) =>
    (j: Judgement): Finding => ({ address, ...(templateResource ? { templateResource } : {}), ...j });

  if (plan.errored)
    findings.push({
      address: '(plan)',
      kind: 'plan-errored',
      severity: 'blocking',
      message: 'Terraform reported an error while planning: this plan is incomplete and must not be applied',
    });
  findings.push(...provisioners(plan.configuration));

  for (const rc of ordered) {
    const kind = actionKind(rc.actions);
    const cloud = cloudOf(rc.providerName);
    const address = displayAddress(rc);
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
    const attributes = changedAttributes(rc, kind);
    const policies: PolicyChange[] = [];
    const rows: Row[] = [];
    const here = place(address);

    const role = FEDERATION_RESOURCES[rc.type];
    if (role && isDestructive(rc.actions)) {
      const because = rc.replacePaths.map((p) => p.map(String).join('.')).sort(byText);
      findings.push(
        here({
          kind: 'destructive-change',
          severity: 'warning',
          message: `${howDestructive(rc.actions)} ${role.what}${because.length > 0 ? ` because ${because.map(md).join(', ')} cannot be updated in place` : ''}${rc.actionReason ? ` (Terraform: ${md(rc.actionReason)})` : ''}. What it breaks: ${role.breaks}`,
        }),
      );
    }

    const rule = TYPE_RULES[rc.type];
    let analysed = rule !== undefined && kind !== 'other';
    if (rule && kind !== 'other') {
      const before = kind === 'create' ? undefined : isObject(rc.before) ? rc.before : {};
      const after = kind === 'delete' ? undefined : isObject(rc.after) ? rc.after : {};
      const input = (name: string) => ({
        rc,
        kind,
        name,
        before: before?.[name],
        after: after?.[name],
        afterUnknown: after !== undefined && maskAt(rc.afterUnknown, name) === true,
        afterSensitive: after !== undefined && maskAt(rc.afterSensitive, name) === true,
        ctx,
        configuration: plan.configuration,
        policies,
        rows,
      });
      if (rule.always) findings.push(...rule.always(input('')).map(here));
      if (kind === 'delete' && rule.deleted) findings.push(...rule.deleted(input('')).map(here));
      for (const a of attributes) {
        const judge = rule.judged[a.name];
        if (judge) {
          if (kind !== 'delete' || DELETION_JUDGES.has(judge)) findings.push(...judge(input(a.name)).map(here));
        } else if (!rule.neutral.includes(a.name) && !COMMON_NEUTRAL.includes(a.name) && kind !== 'delete') analysed = false;
      }
    }
    if (!analysed) notAnalysed.push(address);
    // Default deny for destruction too: a deletion or replacement no rule said anything about
    // (the event rule, a function, the state table, the bus policy) is never silent.
    // terraform_data holds no cloud object
    // (https://developer.hashicorp.com/terraform/language/resources/terraform-data).
    if (!role && rc.type !== 'terraform_data' && isDestructive(rc.actions) && analysed && !findings.some((f) => f.address === address))
      findings.push(
        here({
          kind: 'destructive-change',
          severity: 'warning',
          message: `${howDestructive(rc.actions)} ${md(rc.type)}${rc.replacePaths.length > 0 ? ` because ${rc.replacePaths.map((p) => md(p.map(String).join('.'))).join(', ')} cannot be updated in place` : ''}: the review does not know what depends on it; confirm the federation does not (a replaced table or queue loses its items)`,
        }),
      );

    if (rc.type === STACK_SET && kind !== 'other') {
      const unknown = anyMarked(maskAt(rc.afterUnknown, 'template_body'));
      const before = kind === 'create' ? null : attr(rc.before, 'template_body');
      const after = kind === 'delete' ? null : attr(rc.after, 'template_body');
      if (unknown) {
        templates.push({ address: rc.address, comparison: 'known after apply' });
        findings.push(
          here({
            kind: 'template-known-after-apply',
            severity: 'warning',
            message: `the member template is ${KNOWN_AFTER_APPLY}: read the configuration that builds it`,
          }),
        );
      } else if (stableStringify(before ?? null) !== stableStringify(after ?? null)) {
        const comparison = compareTemplates(before, after, replacing, ctx);
        templates.push({ address: rc.address, comparison });
        if (comparison.kind === 'unreadable')
          findings.push(
            here({
              kind: 'template-unreadable',
              severity: 'warning',
              message: `the ${comparison.side} member template is not a JSON CloudFormation template: compare it by hand`,
            }),
          );
        else {
          for (const r of comparison.resources) findings.push(...r.findings.map(place(address, r.logicalId)));
          for (const s of comparison.sections)
            findings.push(place(address)({ ...s.finding, message: `member template: ${s.finding.message}` }));
        }
      }
    }

    resources.push({ address, type: rc.type, cloud, kind, actions: rc.actions, attributes, policies, rows, analysed });
  }

  const sorted = sortFindings(uniqueFindings(findings));
  const unanalysed = notAnalysed.sort(byText);
  return {
    formatVersion: plan.formatVersion,
    terraformVersion: plan.terraformVersion,
    errored: plan.errored,
    counts: [...counts.entries()].sort(([a], [b]) => byText(a, b)).map(([cloud, c]) => ({ cloud, ...c })),
    deferredReads,
    verdict: verdictOf(sorted, unanalysed),
    findings: sorted,
    notAnalysed: unanalysed,
    resources,
    templates,
  };
}
