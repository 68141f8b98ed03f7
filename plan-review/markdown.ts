import { lineDiff } from './diff';
import type { Finding, FindingKind } from './findings';
import type { Review, ResourceReview } from './review';
import type { PolicyChange, TemplateComparison } from './template';
import { KNOWN_AFTER_APPLY, fenceFor, md } from './values';

/**
 * The review as GitHub-flavoured Markdown (job summary and pull-request comment), rendered
 * from the same findings as `--format json`. Pure: the same review gives the same text. The
 * verdict and every finding come first; documents are shown as diffs, whole documents and
 * long tables folded in `<details>`. Alerts (`> [!CAUTION]`) are GitHub's:
 * https://docs.github.com/en/get-started/writing-on-github/getting-started-with-writing-and-formatting-on-github/basic-writing-and-formatting-syntax#alerts
 */

/** First line of every review: the pipeline finds (and updates) its pull-request comment by it. */
export const REVIEW_MARKER = '<!-- web-identity-plan-review -->';

const code = md;
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Kinds that mean a resource is destroyed (or may be) in the central account or in every member account. */
const DESTRUCTIVE: readonly FindingKind[] = [
  'destructive-change',
  'template-resource-destructive',
  'template-resource-condition',
  'template-deletion-policy',
];
/** Kinds that mean access is wider (at warning or blocking severity). */
const WIDENING: readonly FindingKind[] = [
  'policy-widened',
  'principal-public',
  'principal-cross-account',
  'principal-federated',
  'principal-other',
  'iam-write-granted',
  'managed-policy-attached',
  'permissions-boundary-removed',
  'bus-put-events',
  'lambda-permission',
  'graph-permission-outside-guarantee',
  'graph-permission-unknown-id',
  'graph-permission-moved',
  'automation-credential',
  'certificate-credential',
  'application-owner',
  'application-setting',
  'directory-role',
  'bucket-access-relaxed',
  'provisioner',
];
/** Kinds that mean the review could not judge something: "no widened access" cannot be said. */
const NOT_JUDGED: readonly FindingKind[] = [
  'policy-unreadable',
  'policy-known-after-apply',
  'graph-permission-not-judged',
  'template-unreadable',
  'template-known-after-apply',
  'template-resource-not-analysed',
];

const VERDICT_LINE = { blocking: '🛑 **blocking**', review: '⚠️ **review**', 'no-findings': '✅ **no findings**' } as const;
const ICON = { blocking: '🛑', warning: '⚠️', info: 'ℹ️' } as const;

function block(text: string, language: string): string[] {
  const fence = fenceFor(text);
  return [`${fence}${language}`, text, fence];
}

function where(f: Finding): string {
  return `${code(f.address)}${f.templateResource ? ` › ${code(f.templateResource)}` : ''}`;
}

function findingLines(findings: readonly Finding[]): string[] {
  return findings.map((f) => `- ${ICON[f.severity]} ${where(f)}: ${f.message} <sub>${f.kind}</sub>`);
}

/**
 * A fold. Its summary is raw HTML (GitHub does not render Markdown in an HTML block), so every
 * value in it goes through `html`: a logical ID or address must not close the fold.
 */
function folded(summary: string, body: string[]): string[] {
  return ['<details>', `<summary>${summary}</summary>`, '', ...body, '', '</details>', ''];
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const html = (text: string) => `<code>${escapeHtml(text.replace(/[\r\n]+/g, ' '))}</code>`;

function policySection(heading: string, p: PolicyChange): string[] {
  const lines = [`${heading} ${p.label}${p.afterKnown ? '' : ` — the new document is ${p.after}`}`, ''];
  if (p.afterKnown) lines.push(...block(lineDiff(p.before, p.after).join('\n'), 'diff'), '');
  const whole = [
    '**before**',
    '',
    ...(p.before === null ? ['*(none)*'] : block(p.before, 'json')),
    '',
    '**after**',
    '',
    ...(p.after === null ? ['*(none)*'] : block(p.after, p.after === KNOWN_AFTER_APPLY ? 'text' : 'json')),
  ];
  return [...lines, ...folded('whole documents', whole)];
}

function attributesTable(r: ResourceReview): string[] {
  if (r.attributes.length === 0) return ['*(no attributes)*'];
  return [
    '| attribute | before | after |',
    '|---|---|---|',
    ...r.attributes.map(
      (a) =>
        `| ${code(a.name)}${a.forcesReplacement ? ' (forces replacement)' : ''} | ${code(cell(brief(a.before)))} | ${code(cell(brief(a.after)))} |`,
    ),
  ];
}

const brief = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text);

function templateSection(address: string, comparison: TemplateComparison | 'known after apply'): string[] {
  const lines = [`### Member template (${code(address)} \`template_body\`)`, ''];
  if (comparison === 'known after apply') return [...lines, `The new template is ${KNOWN_AFTER_APPLY}: it cannot be compared here.`, ''];
  if (comparison.kind === 'unreadable') {
    return [...lines, `The ${comparison.side} template is not a JSON CloudFormation template: compare it by hand.`, ''];
  }
  if (comparison.resources.length === 0 && comparison.sections.length === 0)
    return [...lines, 'The template text changes, but no resource, resource attribute or section in it does.', ''];
  lines.push('Every change here is rolled out to every member account of the target OUs.', '');
  if (comparison.sections.length > 0) {
    lines.push(`Sections changed: ${comparison.sections.map((s) => code(s.name)).join(', ')}.`, '');
    for (const s of comparison.sections) {
      const text = (v: unknown) => (v === undefined ? null : JSON.stringify(v, null, 2));
      lines.push(...folded(`section ${html(s.name)}`, block(lineDiff(text(s.before), text(s.after)).join('\n'), 'diff')));
    }
  }
  if (comparison.resources.length > 0) {
    lines.push('| logical ID | type | change | findings |', '|---|---|---|---|');
    for (const r of comparison.resources) {
      const worst = r.findings.some((f) => f.severity === 'blocking') ? '🛑' : r.findings.some((f) => f.severity === 'warning') ? '⚠️' : '';
      lines.push(`| ${code(r.logicalId)} | ${code(r.type)} | ${r.change} | ${worst} ${r.findings.length} |`);
    }
    lines.push('');
  }
  for (const r of comparison.resources) {
    const body: string[] = [];
    const text = (v: unknown) => (v === undefined ? null : JSON.stringify(v, null, 2));
    for (const p of r.properties) {
      const replaces = p.replaces === 'yes' ? ' (replaces the resource)' : p.replaces === 'maybe' ? ' (may replace the resource)' : '';
      body.push(`${code(p.name)}${replaces}:`, '', ...block(lineDiff(text(p.before), text(p.after)).join('\n'), 'diff'), '');
    }
    if (body.length > 0)
      lines.push(
        ...folded(`${html(r.logicalId)}: ${r.change}, ${r.properties.length} propert${r.properties.length === 1 ? 'y' : 'ies'}`, body),
      );
    for (const p of r.policies) lines.push(...policySection(`#### ${code(r.logicalId)}:`, p));
  }
  return lines;
}

export function renderReview(review: Review): string {
  const lines: string[] = [REVIEW_MARKER, '## Terraform plan review', ''];
  const total = review.counts.reduce(
    (t, c) => ({ create: t.create + c.create, update: t.update + c.update, replace: t.replace + c.replace, delete: t.delete + c.delete }),
    { create: 0, update: 0, replace: 0, delete: 0 },
  );
  const count = (severity: Finding['severity']) => review.findings.filter((f) => f.severity === severity).length;
  const serious = (f: Finding) => f.severity !== 'info';
  const destructive = review.findings.filter((f) => serious(f) && DESTRUCTIVE.includes(f.kind));
  const widening = review.findings.filter((f) => serious(f) && WIDENING.includes(f.kind));
  const notJudged = review.findings.filter((f) => NOT_JUDGED.includes(f.kind));

  lines.push(
    `Verdict: ${VERDICT_LINE[review.verdict]} — ${count('blocking')} blocking, ${count('warning')} warning${count('warning') === 1 ? '' : 's'}, ${count('info')} info; ${review.notAnalysed.length} resource${review.notAnalysed.length === 1 ? '' : 's'} not analysed.`,
    '',
    `**${total.create} to create, ${total.update} to update, ${total.replace} to replace, ${total.delete} to delete.** ` +
      `Terraform ${review.terraformVersion ?? '(version not recorded)'}, JSON format ${review.formatVersion}.`,
    '',
  );
  if (review.errored)
    lines.push('> [!WARNING]', '> Terraform reported an error while planning: this plan is incomplete and must not be applied.', '');
  const access =
    widening.length > 0
      ? `⚠️ **${widening.length} finding${widening.length === 1 ? '' : 's'} of widened access**`
      : review.notAnalysed.length > 0 || notJudged.length > 0
        ? `⚠️ **access not fully judged**: ${review.notAnalysed.length} resource${review.notAnalysed.length === 1 ? '' : 's'} not analysed, ${notJudged.length} document${notJudged.length === 1 ? '' : 's'} or part${notJudged.length === 1 ? '' : 's'} the review cannot read`
        : 'no widened access';
  lines.push(
    `- ${destructive.length === 0 ? 'no destructive change to the federation' : `🛑 **${destructive.length} destructive change${destructive.length === 1 ? '' : 's'} to the federation**`}`,
    `- ${access}`,
    '',
  );

  lines.push('### Changes by cloud', '', '| cloud | create | update | replace | delete |', '|---|---:|---:|---:|---:|');
  for (const c of review.counts) lines.push(`| ${cell(c.cloud)} | ${c.create} | ${c.update} | ${c.replace} | ${c.delete} |`);
  lines.push(`| **total** | ${total.create} | ${total.update} | ${total.replace} | ${total.delete} |`, '');
  if (review.deferredReads.length > 0) {
    lines.push(
      `Data sources read only during apply, so their values are ${KNOWN_AFTER_APPLY}: ${review.deferredReads.map(code).join(', ')}.`,
      '',
    );
  }

  const blocking = review.findings.filter((f) => f.severity === 'blocking');
  const warnings = review.findings.filter((f) => f.severity === 'warning');
  const infos = review.findings.filter((f) => f.severity === 'info');
  if (blocking.length > 0) {
    lines.push(
      '### 🛑 Blocking: a guarantee would be broken',
      '',
      '> [!CAUTION]',
      '> The deploy workflow refuses this plan unless it is overridden (docs/pipeline.md, "Blocking findings").',
      '',
      ...findingLines(blocking),
      '',
    );
  }
  if (warnings.length > 0) lines.push('### ⚠️ To read before approving', '', ...findingLines(warnings), '');
  if (infos.length > 0) lines.push(...folded(`ℹ️ ${infos.length} for information`, findingLines(infos)));

  const byAddress = new Map(review.resources.map((r) => [r.address, r]));
  if (review.notAnalysed.length > 0) {
    lines.push(
      '### Not analysed',
      '',
      'No rule of the review knows these resources, or the attributes that change on them: read every attribute yourself.',
      '',
    );
    for (const address of review.notAnalysed) {
      const r = byAddress.get(address);
      lines.push(...folded(`${html(address)} (${r?.kind ?? '?'})`, r ? attributesTable(r) : []));
    }
  }

  const accessChanges = review.resources.filter((r) => r.policies.length > 0 || r.rows.length > 0);
  if (accessChanges.length > 0) {
    lines.push('### Access changes', '');
    for (const r of accessChanges) {
      // One heading per document (address and label together): the diff follows at once.
      if (r.rows.length > 0) {
        lines.push(`#### ${code(r.address)} (${r.kind})`, '', '| | before | after |', '|---|---|---|');
        for (const row of r.rows) lines.push(`| ${row.label} | ${code(cell(row.before))} | ${code(cell(row.after))} |`);
        lines.push('');
      }
      for (const p of r.policies) lines.push(...policySection(`#### ${code(r.address)} (${r.kind}):`, p));
    }
  }

  for (const t of review.templates) lines.push(...templateSection(t.address, t.comparison));

  lines.push('### All changes', '');
  if (review.resources.length === 0) lines.push('No changes.', '');
  else {
    const table = ['| action | resource | cloud | attributes |', '|---|---|---|---|'];
    for (const r of review.resources) {
      const attributes = r.attributes
        .map(
          (a) =>
            `${code(a.name)}${a.forcesReplacement ? ' (forces replacement)' : ''}: ${code(cell(brief120(a.before)))} → ${code(cell(brief120(a.after)))}`,
        )
        .join('<br>');
      const action = r.kind === 'other' ? code(JSON.stringify(r.actions)) : r.kind;
      table.push(`| ${action} | ${code(r.address)} | ${cell(r.cloud)} | ${attributes} |`);
    }
    lines.push(...folded(`${review.resources.length} resource${review.resources.length === 1 ? '' : 's'}`, table));
  }
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

const brief120 = (text: string) => (text.length > 120 ? `(${text.length} characters)` : text);
