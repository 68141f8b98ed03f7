import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Microsoft Graph application permissions (app roles) by ID, from Microsoft's own list
 * (plan-review/data/graph-application-permissions.json names the repository, commit and path;
 * plan-review/refresh-graph-permissions.ts refreshes it). A permission is named by its ID only:
 * a name written in the configuration (`app_role_ids["…"]`) is what the pull request claims,
 * the ID is what Entra grants.
 */
const vendored = JSON.parse(readFileSync(join(__dirname, 'data', 'graph-application-permissions.json'), 'utf8')) as {
  readonly permissions: Record<string, string>;
};
const BY_ID: ReadonlyMap<string, string> = new Map(Object.entries(vendored.permissions));
const BY_NAME: ReadonlyMap<string, string> = new Map([...BY_ID].map(([id, name]) => [name, id]));

/**
 * The automation's only Graph permissions (README, guarantee 9). The stack grants exactly
 * `GRAPH_APP_ROLES` of stacks/entra-identity.ts; plan review may not load that module (it loads
 * the CDKTF framework: CONTRIBUTING.md#layers-what-may-import-what), so
 * __tests__/plan-review/graph-permissions.test.ts keeps the two lists equal.
 */
export const GUARANTEED_GRAPH_PERMISSIONS: readonly string[] = ['Application.ReadWrite.OwnedBy', 'Directory.Read.All'];

/** Microsoft Graph's application ID (the same in every tenant). */
export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** The permission's name, or undefined for an ID that is not in Microsoft's list. */
export function graphPermissionName(id: string): string | undefined {
  return BY_ID.get(id.toLowerCase());
}

export function graphPermissionId(name: string): string | undefined {
  return BY_NAME.get(name);
}
