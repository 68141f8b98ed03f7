import type { Plan, ResourceChange } from './plan';
import { REVIEW_MARKER } from './markdown';
import { byText, stableStringify } from './values';

/**
 * Whether a new plan makes the same changes as the plan that was reviewed: the same managed
 * resources with the same actions and the same planned values (`after`, with the same values
 * known only after apply, the same sensitive markers and the same replacement paths; see
 * https://developer.hashicorp.com/terraform/internals/json-format, "Change Representation").
 *
 * Not compared, on purpose: resources the plan leaves alone (["no-op"]: their refreshed values
 * change with the organization, e.g. new accounts under the StackSet), data sources, output
 * values, and `before` (the current state, which changes only what a change starts from, not
 * what it ends with).
 */
export interface PlanDifference {
  readonly address: string;
  readonly problem: string;
}

const key = (rc: ResourceChange) => (rc.deposed ? `${rc.address} (deposed object ${rc.deposed})` : rc.address);

function changes(plan: Plan): Map<string, ResourceChange> {
  return new Map(plan.resourceChanges.filter((rc) => rc.mode === 'managed' && rc.actions.join(',') !== 'no-op').map((rc) => [key(rc), rc]));
}

export function comparePlans(reviewed: Plan, fresh: Plan): PlanDifference[] {
  const [r, f] = [changes(reviewed), changes(fresh)];
  const differences: PlanDifference[] = [];
  for (const address of [...new Set([...r.keys(), ...f.keys()])].sort(byText)) {
    const [a, b] = [r.get(address), f.get(address)];
    if (!a) differences.push({ address, problem: `not in the reviewed plan; now ${JSON.stringify(b?.actions ?? [])}` });
    else if (!b) differences.push({ address, problem: `the reviewed plan had ${JSON.stringify(a.actions)}; now no change` });
    else if (a.actions.join(',') !== b.actions.join(','))
      differences.push({ address, problem: `actions ${JSON.stringify(a.actions)} were reviewed; now ${JSON.stringify(b.actions)}` });
    else {
      const fields: [string, unknown, unknown][] = [
        ['after', a.after, b.after],
        ['after_unknown', a.afterUnknown, b.afterUnknown],
        ['after_sensitive', a.afterSensitive, b.afterSensitive],
        ['replace_paths', a.replacePaths, b.replacePaths],
      ];
      const differing = fields.filter(([, x, y]) => stableStringify(x) !== stableStringify(y)).map(([name]) => name);
      if (differing.length > 0) differences.push({ address, problem: `planned values differ (${differing.join(', ')})` });
    }
  }
  return differences;
}

export function renderComparison(differences: readonly PlanDifference[], reviewedSource: string, freshSource: string): string {
  const lines = [REVIEW_MARKER, '## Terraform plan: same as reviewed?', ''];
  if (differences.length === 0) {
    lines.push(`✅ ${freshSource} makes exactly the changes reviewed in ${reviewedSource}.`);
  } else {
    lines.push(
      '> [!CAUTION]',
      `> ${freshSource} differs from the reviewed plan ${reviewedSource}: it is refused. Review the new plan (below or in a new pull request) before applying.`,
      '',
      '| resource | difference |',
      '|---|---|',
      ...differences.map((d) => `| \`${d.address}\` | ${d.problem.replace(/\|/g, '\\|')} |`),
    );
  }
  return `${lines.join('\n')}\n`;
}
