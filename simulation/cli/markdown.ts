import type { SimulationOutput } from '../engine/run-simulation';

/**
 * `npm run simulate -- --format markdown`: the run for people (docs/simulate.md#markdown): the
 * summary, the executions, the ignored events and, with `--sweep`, the sweep's findings as
 * tables. The JSON document stays the interface for scripts; this text may change.
 */

/** A table cell: `|` escaped and line breaks flattened, so a free-text detail cannot break the table. */
const cell = (value: unknown): string =>
  value === undefined || value === null || value === '' ? '–' : String(value).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  if (rows.length === 0) return '_none_\n';
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)]
    .join('\n')
    .concat('\n');
}

const counts = (record: Readonly<Record<string, number | undefined>>): string =>
  Object.entries(record)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || '–';

export function simulationMarkdown(output: SimulationOutput): string {
  const { summary } = output;
  const parts: string[] = ['# Simulation\n\n'];
  parts.push(
    '## Summary\n\n',
    table(
      ['what', 'value'],
      [
        ['federated roles', summary.federatedRoles.total],
        ['by status', counts(summary.federatedRoles.byStatus)],
        ['by identity mode', counts(summary.federatedRoles.byIdentityMode)],
        ['OIDC providers', summary.providers.count],
        ['most client IDs on one provider (of 100)', summary.providers.maxClientIds],
        ['Entra objects created', summary.entraObjectsCreated.total],
        ['by automation identity', counts(summary.entraObjectsCreated.byIdentity)],
        ['for roles that bring their own identity', summary.entraObjectsCreated.forBroughtIdentities],
        ['invariant violations', output.invariants.violations.length],
      ],
    ),
  );
  parts.push(
    '\n## Executions\n\n',
    table(
      ['state machine', 'name', 'status', 'last state'],
      output.executions.map((execution) => [execution.stateMachine, execution.name, execution.status, execution.states.at(-1)]),
    ),
  );
  parts.push(
    '\n## Ignored events\n\n',
    table(
      ['event ID', 'event', 'account', 'role', 'reason', 'detail'],
      output.ignoredEvents.map((event) => [event.eventId, event.eventName, event.account, event.roleName, event.reason, event.detail]),
    ),
  );
  if (output.invariants.violations.length > 0) {
    parts.push(
      '\n## Invariant violations\n\n',
      table(
        ['invariant', 'account', 'message'],
        output.invariants.violations.map((violation) => [violation.invariant, violation.accountId, violation.message]),
      ),
    );
  }
  if (output.sweep) {
    const { sweep } = output;
    parts.push(
      `\n## Sweep (${sweep.mode})\n\n`,
      table(
        ['what', 'value'],
        [
          ['accounts', sweep.totals.accounts],
          ['unreadable accounts', sweep.totals.unreadableAccounts],
          ['federated roles', sweep.totals.federatedRoles],
          ['findings', `${sweep.totals.findings} (${counts(sweep.totals.byKind)})`],
          ['results', counts(sweep.totals.byResult)],
          ['deletions', `${sweep.totals.deletions}${sweep.totals.deletionsWithheld ? ' (withheld: over the cap)' : ''}`],
          ['most client IDs on one provider (of 100)', sweep.totals.maxClientIdsPerProvider],
          ['directory objects (quota used)', `${sweep.totals.directoryObjects} (${sweep.totals.directoryObjectQuotaPercent} %)`],
          ['report', sweep.report],
        ],
      ),
      '\n### Findings\n\n',
      table(
        ['account', 'role or application', 'kind', 'action', 'result', 'detail'],
        sweep.findings.map((finding) => [
          finding.account,
          finding.roleName ?? finding.appId ?? finding.objectId,
          finding.kind,
          finding.action,
          finding.result,
          finding.detail,
        ]),
      ),
    );
  }
  return parts.join('');
}
