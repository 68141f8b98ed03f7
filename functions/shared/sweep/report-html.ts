import type { Finding, SweepReport } from './contracts';

/**
 * The sweep report for people (docs/operator.md#reading-the-report): one self-contained HTML page
 * written beside `report.json`. No external script, style, font or image, so it works offline and
 * from a presigned link; its Content-Security-Policy (`default-src 'none'`) makes the browser
 * refuse anything else, so a value in the report can never load or send anything. Every value is
 * escaped: details carry free text from IAM and Graph errors.
 */

/** IAM's limit of client IDs per OIDC provider (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). */
const CLIENT_ID_LIMIT = 100;

/** The fullest accounts the page shows a gauge for; the rest are counted. */
export const GAUGE_ACCOUNTS = 20;

export interface SweepReportHtmlOptions {
  /** The automation's Entra object quota (`sweep.entraObjectQuota`), the second gauge's full scale. */
  readonly entraObjectQuota: number;
}

const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A bar of `value` against `max`, with a warning from `warnAt` (a fraction of max) on. */
function gauge(label: string, value: number, max: number, warnAt: number): string {
  const percent = max > 0 ? Math.min(100, Math.round((value / max) * 1000) / 10) : 0;
  const level = value >= max ? 'full' : value >= warnAt * max ? 'warn' : 'ok';
  return `<div class="gauge ${level}" data-gauge="${escapeHtml(label)}"><span class="label">${escapeHtml(label)}</span><span class="bar"><span style="width:${percent}%"></span></span><span class="value">${value} / ${max}</span></div>`;
}

const target = (finding: Finding): string => finding.roleName ?? finding.appId ?? finding.objectId ?? '';

function findingRow(finding: Finding): string {
  const account = finding.account ?? 'tenant';
  return `<tr data-account="${escapeHtml(account)}" data-kind="${escapeHtml(finding.kind)}" data-action="${escapeHtml(finding.action)}"><td>${escapeHtml(account)}</td><td>${escapeHtml(target(finding))}</td><td>${escapeHtml(finding.kind)}</td><td>${escapeHtml(finding.action)}</td><td class="result ${escapeHtml(finding.result)}">${escapeHtml(finding.result)}</td><td>${escapeHtml(finding.detail ?? '')}</td></tr>`;
}

function select(name: string, label: string, values: readonly string[]): string {
  const options = [...new Set(values)].sort().map((value) => `<option value="${escapeHtml(value)}">${escapeHtml(value)}</option>`);
  return `<label>${label} <select id="filter-${name}" data-filter="${name}"><option value="">all</option>${options.join('')}</select></label>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{background:#232f3e;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#c8d0db}
main{padding:16px 24px;max-width:1200px}section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:12px 16px;margin:0 0 16px}
h2{font-size:16px;margin:0 0 10px}.totals{display:flex;flex-wrap:wrap;gap:10px}.total{border:1px solid #dde1e6;border-radius:4px;padding:6px 12px;min-width:120px}
.total b{display:block;font-size:20px}.total.bad b{color:#b3261e}
.gauge{display:grid;grid-template-columns:200px 1fr 90px;gap:8px;align-items:center;margin:3px 0}
.bar{background:#e8ebef;border-radius:3px;height:12px;overflow:hidden}.bar span{display:block;height:100%;background:#2e7d32}
.gauge.warn .bar span{background:#ed8b00}.gauge.full .bar span{background:#b3261e}.value{text-align:right;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e8ebef;vertical-align:top}
th{background:#f0f2f5}.filters{display:flex;gap:16px;margin:0 0 8px;flex-wrap:wrap}.result.failed{color:#b3261e;font-weight:600}
.result.done{color:#2e7d32}.result.withheld{color:#ed8b00}.muted{color:#5f6b7a}`;

/** Hides the rows that do not match every filter, and says how many are shown. */
const SCRIPT = `
(function(){
  var selects=document.querySelectorAll('select[data-filter]');
  var rows=document.querySelectorAll('#findings tbody tr');
  function apply(){
    var shown=0;
    rows.forEach(function(row){
      var match=Array.prototype.every.call(selects,function(s){return !s.value||row.getAttribute('data-'+s.getAttribute('data-filter'))===s.value;});
      row.hidden=!match; if(match) shown++;
    });
    document.getElementById('shown').textContent=shown+' of '+rows.length+' findings';
  }
  selects.forEach(function(s){s.addEventListener('change',apply);});
  apply();
})();`;

export function renderSweepReportHtml(report: SweepReport, options: SweepReportHtmlOptions): string {
  const { totals, sweep } = report;
  const total = (label: string, value: unknown, bad = false) =>
    `<div class="total${bad ? ' bad' : ''}"><b>${escapeHtml(value)}</b>${escapeHtml(label)}</div>`;
  const readable = report.accounts
    .filter((account) => account.readable)
    .map((account) => ({ accountId: account.accountId, clientIds: account.clientIds ?? 0 }))
    .sort((a, b) => b.clientIds - a.clientIds || a.accountId.localeCompare(b.accountId));
  const shown = readable.slice(0, GAUGE_ACCOUNTS);
  const changed = report.findings.filter((finding) => finding.result === 'done' || finding.result === 'failed');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sweep ${escapeHtml(sweep.executionName)} (${escapeHtml(sweep.mode)})</title>
<style>${STYLE}</style></head>
<body>
<header><h1>Sweep report: ${escapeHtml(sweep.mode)}</h1><p>${escapeHtml(sweep.executionName)} · started ${escapeHtml(sweep.startedAt)} · finished ${escapeHtml(sweep.finishedAt)} · deletion cap ${report.deletionCap}</p></header>
<main>
<section id="totals"><h2>Totals</h2><div class="totals">
${total('accounts', totals.accounts)}${total('unreadable accounts', totals.unreadableAccounts, totals.unreadableAccounts > 0)}${total('federated roles', totals.federatedRoles)}${total('findings', totals.findings)}${total('failed actions', totals.byResult.failed ?? 0, (totals.byResult.failed ?? 0) > 0)}${total(totals.deletionsWithheld ? 'deletions (withheld: over the cap)' : 'deletions', totals.deletions, totals.deletionsWithheld)}
</div></section>
<section id="gauges"><h2>Client IDs per provider, as inspected (IAM allows ${CLIENT_ID_LIMIT})</h2>
${shown.map((account) => gauge(account.accountId, account.clientIds, CLIENT_ID_LIMIT, 0.9)).join('\n')}
${readable.length > shown.length ? `<p class="muted">${readable.length - shown.length} more accounts hold ${shown.at(-1)?.clientIds ?? 0} or fewer.</p>` : ''}
${readable.length === 0 ? '<p class="muted">No readable account.</p>' : ''}
<h2>Creator quota used by the automation, as inspected (alarm at 80 %)</h2>
${gauge('automation', totals.directoryObjects, options.entraObjectQuota, 0.8)}
<h2>Creator quota per automation identity, against its share</h2>
${totals.identities.map((identity) => gauge(`identity ${identity.identity}`, identity.objects, identity.share, 0.8)).join('\n')}
</section>
<section id="changed"><h2>What this run changed</h2>
${
  changed.length === 0
    ? `<p class="muted">${sweep.mode === 'report' ? 'Nothing: a report run changes nothing.' : 'Nothing.'}</p>`
    : `<table><thead><tr><th>account</th><th>role or application</th><th>action</th><th>result</th><th>detail</th></tr></thead><tbody>${changed
        .map(
          (finding) =>
            `<tr><td>${escapeHtml(finding.account ?? 'tenant')}</td><td>${escapeHtml(target(finding))}</td><td>${escapeHtml(finding.action)}</td><td class="result ${escapeHtml(finding.result)}">${escapeHtml(finding.result)}</td><td>${escapeHtml(finding.detail ?? '')}</td></tr>`,
        )
        .join('')}</tbody></table>`
}
</section>
<section><h2>Findings</h2>
<div class="filters">${select(
    'account',
    'Account',
    report.findings.map((f) => f.account ?? 'tenant'),
  )}${select(
    'kind',
    'Kind',
    report.findings.map((f) => f.kind),
  )}${select(
    'action',
    'Action',
    report.findings.map((f) => f.action),
  )}<span id="shown" class="muted"></span></div>
<table id="findings"><thead><tr><th>account</th><th>role or application</th><th>kind</th><th>action</th><th>result</th><th>detail</th></tr></thead>
<tbody>${report.findings.map(findingRow).join('\n')}</tbody></table>
</section>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
