import type { Review } from './review';
import type { PolicyChange, TemplateComparison } from './template';
import { KNOWN_AFTER_APPLY, fenceFor, md } from './values';

/**
 * The review as GitHub-flavoured Markdown (job summary and pull-request comment). Pure: the
 * same review gives the same text. Alerts (`> [!CAUTION]`) are GitHub's:
 * https://docs.github.com/en/get-started/writing-on-github/getting-started-with-writing-and-formatting-on-github/basic-writing-and-formatting-syntax#alerts
 */

/** First line of every review: the pipeline finds (and updates) its pull-request comment by it. */
export const REVIEW_MARKER = '<!-- web-identity-plan-review -->';

const code = md;
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Before and after next to each other (an HTML table holding two fenced blocks, which GitHub renders). */
function sideBySide(before: string | null, after: string | null, language = 'json'): string[] {
  const block = (text: string | null) => {
    if (text === null) return ['', '*(none)*', ''];
    const fence = fenceFor(text);
    return ['', `${fence}${text === KNOWN_AFTER_APPLY ? 'text' : language}`, text, fence, ''];
  };
  return [
    '<table>',
    '<tr><th>before</th><th>after</th></tr>',
    '<tr><td>',
    ...block(before),
    '</td><td>',
    ...block(after),
    '</td></tr>',
    '</table>',
    '',
  ];
}

function policySection(heading: string, p: PolicyChange): string[] {
  const verdict = !p.afterKnown ? ' — **not comparable before apply**' : p.widenings.length > 0 ? ' — ⚠️ **widens access**' : '';
  const lines = [`${heading} ${p.label}${verdict}`, ''];
  if (!p.afterKnown) {
    lines.push(`- the new document is ${p.after}: review the configuration that builds it; nothing here can say whether it widens access`);
  }
  for (const w of p.widenings) lines.push(`- ⚠️ ${w}`);
  if (lines.length > 2) lines.push('');
  return [...lines, ...sideBySide(p.before, p.after)];
}

function templateSection(address: string, comparison: TemplateComparison | 'known after apply'): string[] {
  const lines = [`### Member template (${code(address)} \`template_body\`)`, ''];
  if (comparison === 'known after apply') return [...lines, `The new template is ${KNOWN_AFTER_APPLY}: it cannot be compared here.`, ''];
  if (comparison.kind === 'unreadable') {
    return [...lines, `The ${comparison.side} template is not a JSON CloudFormation template: compare it by hand.`, ''];
  }
  if (comparison.resources.length === 0) return [...lines, 'The template text changes, but no resource in it does.', ''];
  lines.push(
    'Every change here is rolled out to every member account of the target OUs.',
    '',
    '| logical ID | type | change |',
    '|---|---|---|',
  );
  for (const r of comparison.resources) lines.push(`| ${code(r.logicalId)} | ${code(r.type)} | ${r.change} |`);
  lines.push('');
  for (const r of comparison.resources) {
    lines.push(`#### ${code(r.logicalId)} (${code(r.type)}): ${r.change}`, '');
    for (const c of r.cautions) lines.push('> [!CAUTION]', `> This ${c}.`, '');
    for (const w of r.widenings) lines.push(`- ⚠️ ${w}`);
    if (r.widenings.length > 0) lines.push('');
    if (r.change === 'added' || r.change === 'removed') {
      const side = r.change === 'added' ? 'after' : 'before';
      const properties = Object.fromEntries(r.properties.map((p) => [p.name, p[side]]));
      const json = JSON.stringify(properties, null, 2);
      if (r.properties.length > 0)
        lines.push(`Properties${r.policies.length > 0 ? ' (policies below)' : ''}:`, '', `${fenceFor(json)}json`, json, fenceFor(json), '');
    } else
      for (const p of r.properties) {
        const replaces = p.replaces === 'yes' ? ' (replaces the resource)' : p.replaces === 'maybe' ? ' (may replace the resource)' : '';
        lines.push(
          `Property ${code(p.name)}${replaces}:`,
          '',
          ...sideBySide(
            p.before === undefined ? null : JSON.stringify(p.before, null, 2),
            p.after === undefined ? null : JSON.stringify(p.after, null, 2),
          ),
        );
      }
    for (const p of r.policies) lines.push(...policySection('#####', p));
  }
  return lines;
}

export function renderReview(review: Review): string {
  const lines: string[] = [REVIEW_MARKER, '## Terraform plan review', ''];
  const total = review.counts.reduce(
    (t, c) => ({ create: t.create + c.create, update: t.update + c.update, replace: t.replace + c.replace, delete: t.delete + c.delete }),
    { create: 0, update: 0, replace: 0, delete: 0 },
  );
  const templateCautions = review.templates.flatMap((t) =>
    t.comparison !== 'known after apply' && t.comparison.kind === 'compared'
      ? t.comparison.resources.flatMap((r) => r.cautions.map((c) => ({ address: t.address, logicalId: r.logicalId, caution: c })))
      : [],
  );
  const widened =
    review.access.filter((a) => a.widenings.length > 0 || a.policies.some((p) => p.widenings.length > 0)).length +
    review.templates.filter(
      (t) =>
        t.comparison !== 'known after apply' &&
        t.comparison.kind === 'compared' &&
        t.comparison.resources.some((r) => r.widenings.length > 0 || r.policies.some((p) => p.widenings.length > 0)),
    ).length;

  lines.push(
    `**${total.create} to create, ${total.update} to update, ${total.replace} to replace, ${total.delete} to delete.** ` +
      `Terraform ${review.terraformVersion ?? '(version not recorded)'}, JSON format ${review.formatVersion}.`,
    '',
  );
  if (review.errored)
    lines.push('> [!WARNING]', '> Terraform reported an error while planning: this plan is incomplete and must not be applied.', '');
  const destructive = review.warnings.length + templateCautions.length;
  lines.push(
    `- ${destructive === 0 ? 'no destructive change to the federation' : `🛑 **${destructive} destructive change${destructive === 1 ? '' : 's'} to the federation**`}`,
    `- ${widened === 0 ? 'no widened access' : `⚠️ **${widened} resource${widened === 1 ? '' : 's'} widen${widened === 1 ? 's' : ''} access**`}`,
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

  if (destructive > 0) {
    lines.push('### 🛑 Destructive changes to the federation', '');
    for (const w of review.warnings) {
      const because = w.because.length > 0 ? ` because ${w.because.map(code).join(', ')} cannot be updated in place` : '';
      const reason = w.reason ? ` (Terraform: ${code(w.reason)})` : '';
      lines.push('> [!CAUTION]', `> **${w.how}** ${code(w.address)}, ${w.what}${because}${reason}.`, `> What it breaks: ${w.breaks}`, '');
    }
    for (const t of templateCautions) {
      lines.push('> [!CAUTION]', `> The member template of ${code(t.address)} ${t.caution}.`, '');
    }
  }

  if (review.access.length > 0) {
    lines.push('### Access changes', '');
    for (const a of review.access) {
      const widens = a.widenings.length > 0 || a.policies.some((p) => p.widenings.length > 0);
      lines.push(`#### ${code(a.address)} (${a.kind})${widens ? ' — ⚠️ **widens access**' : ''}`, '');
      for (const w of a.widenings) lines.push(`- ⚠️ ${w}`);
      if (a.widenings.length > 0) lines.push('');
      if (a.rows.length > 0) {
        lines.push('| | before | after |', '|---|---|---|');
        for (const r of a.rows) lines.push(`| ${r.label} | ${code(cell(r.before))} | ${code(cell(r.after))} |`);
        lines.push('');
      }
      for (const p of a.policies) lines.push(...policySection('#####', p));
    }
  }

  for (const t of review.templates) lines.push(...templateSection(t.address, t.comparison));

  lines.push('### All changes', '');
  if (review.changes.length === 0) lines.push('No changes.', '');
  else {
    lines.push('| action | resource | cloud | changed attributes |', '|---|---|---|---|');
    for (const c of review.changes) {
      const attributes = c.attributes
        .map(
          (a) => `${code(a.name)}${a.forcesReplacement ? ' (forces replacement)' : ''}: ${code(cell(a.before))} → ${code(cell(a.after))}`,
        )
        .join('<br>');
      const action = c.kind === 'other' ? code(JSON.stringify(c.actions)) : c.kind;
      lines.push(`| ${action} | ${code(c.address)} | ${cell(c.cloud)} | ${attributes} |`);
    }
    lines.push('');
  }
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
