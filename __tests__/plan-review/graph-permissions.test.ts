import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUARANTEED_GRAPH_PERMISSIONS, graphPermissionId, graphPermissionName } from '../../plan-review/graph-permissions';
import { applicationPermissions } from '../../plan-review/refresh-graph-permissions';
import { GRAPH_APP_ROLES } from '../../stacks/entra-identity';

/** The vendored list of Microsoft Graph application permissions, and the refresh script's parser. */

const vendored = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'plan-review', 'data', 'graph-application-permissions.json'), 'utf8'),
) as {
  source: { repository: string; commit: string; path: string };
  permissions: Record<string, string>;
};

describe('Graph application permissions', () => {
  it('the guaranteed permissions are exactly those the stack grants (GRAPH_APP_ROLES)', () => {
    expect([...GUARANTEED_GRAPH_PERMISSIONS].sort()).toEqual([...GRAPH_APP_ROLES].sort());
  });

  it('names its source: repository, commit and path', () => {
    expect(vendored.source).toMatchObject({
      repository: 'microsoftgraph/microsoft-graph-docs-contrib',
      path: 'concepts/includes/permissions-ids.md',
    });
    expect(vendored.source.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('knows the permissions the README talks about, by the IDs the pipeline docs give', () => {
    expect(graphPermissionName('18a4783c-866b-4cc7-a460-3d5e5662c884')).toBe('Application.ReadWrite.OwnedBy');
    expect(graphPermissionName('7ab1d382-f21e-4acd-a863-ba3e13f7da61')).toBe('Directory.Read.All');
    expect(graphPermissionName('1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9')).toBe('Application.ReadWrite.All');
    expect(graphPermissionName('06b708a9-e830-4db3-a914-8e69da51d44f')).toBe('AppRoleAssignment.ReadWrite.All');
    for (const role of GRAPH_APP_ROLES) expect(graphPermissionId(role)).toBeDefined();
    const pipelineDocs = readFileSync(join(__dirname, '..', '..', 'docs', 'pipeline.md'), 'utf8');
    for (const [, name, id] of pipelineDocs.matchAll(/`([A-Za-z]+\.[A-Za-z.]+)` \(`([0-9a-f-]{36})`\)/g))
      expect([name, graphPermissionName(id)]).toEqual([name, name]);
  });

  it('has one name per ID, and reads an ID in any case; an ID not in the list has no name', () => {
    expect(new Set(Object.values(vendored.permissions)).size).toBe(Object.keys(vendored.permissions).length);
    expect(graphPermissionName('1BFEFB4E-E0B5-418B-A88F-73C46D2CC8E9')).toBe('Application.ReadWrite.All');
    expect(graphPermissionName('00000000-0000-0000-0000-000000000000')).toBeUndefined();
  });

  it('the refresh script keeps the Application rows of the table and nothing else', () => {
    // Prepare: the table format of permissions-ids.md.
    const markdown = [
      '| Permission name | Type | ID |',
      '|---|---|---|',
      '| Application.ReadWrite.All | Application | 1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9 |',
      '| Application.ReadWrite.All | Delegated   | bdfbf15f-ee85-4955-8675-146e8e5296b5 |',
      '| Broken.Row | Application | not-a-guid |',
    ].join('\n');
    // Act / Assess
    expect(applicationPermissions(markdown)).toEqual({ '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9': 'Application.ReadWrite.All' });
  });
});
