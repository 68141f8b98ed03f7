/**
 * Refreshes plan-review/data/graph-application-permissions.json from Microsoft's own list of
 * Microsoft Graph permissions and their IDs (microsoftgraph/microsoft-graph-docs-contrib,
 * concepts/includes/permissions-ids.md, included by the permissions reference
 * https://learn.microsoft.com/en-us/graph/permissions-reference, "All permissions and IDs").
 * Keeps the rows of Type "Application" and records the commit it read.
 *
 *   npx tsx plan-review/refresh-graph-permissions.ts
 *
 * Needs github.com: run it by hand where it is reachable, never in CI (the tests use the file
 * as committed). Review the diff before committing: a permission that disappears makes its ID
 * an "unknown ID" finding.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const REPOSITORY = 'microsoftgraph/microsoft-graph-docs-contrib';
const PATH = 'concepts/includes/permissions-ids.md';
const OUTPUT = join(__dirname, 'data', 'graph-application-permissions.json');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function get(url: string, accept: string): Promise<string> {
  const response = await fetch(url, { headers: { accept, 'user-agent': 'plan-review-refresh' } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

/** `| Name | Application | id |` rows (the table format of permissions-ids.md). */
export function applicationPermissions(markdown: string): Record<string, string> {
  const permissions: Record<string, string> = {};
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5) continue;
    const [, name, type, id] = cells;
    if (type === 'Application' && GUID.test(id)) permissions[id] = name;
  }
  return permissions;
}

async function main(): Promise<void> {
  // The commit that last changed the file, so the vendored copy names exactly what it read.
  const commits = JSON.parse(
    await get(
      `https://api.github.com/repos/${REPOSITORY}/commits?path=${encodeURIComponent(PATH)}&per_page=1`,
      'application/vnd.github+json',
    ),
  ) as { sha: string }[];
  const commit = commits[0]?.sha;
  if (!commit) throw new Error(`${REPOSITORY}: no commit found for ${PATH}`);
  const markdown = await get(`https://raw.githubusercontent.com/${REPOSITORY}/${commit}/${PATH}`, 'text/plain');
  const permissions = applicationPermissions(markdown);
  const count = Object.keys(permissions).length;
  if (count < 100) throw new Error(`${PATH}@${commit}: only ${count} application permissions found; the format may have changed`);
  const sorted = Object.fromEntries(Object.entries(permissions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const document = {
    '//': 'Microsoft Graph application permissions (app roles) by ID, vendored from Microsoft Graph documentation: rows of Type Application. Refresh with `npx tsx plan-review/refresh-graph-permissions.ts` where GitHub is reachable (not run in CI).',
    source: {
      repository: REPOSITORY,
      commit,
      path: PATH,
      includedBy:
        'concepts/permissions-reference.md, section "All permissions and IDs" (https://learn.microsoft.com/en-us/graph/permissions-reference)',
    },
    permissions: sorted,
  };
  writeFileSync(OUTPUT, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`${OUTPUT}: ${count} application permissions from ${REPOSITORY}@${commit}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`refresh-graph-permissions: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
