import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadReplacementLookup } from '../../plan-review/cloudformation-spec';
import { type ReplacementLookup, compareTemplates } from '../../plan-review/template';

/** The StackSet's member template compared resource by resource. */

const synthesizedLike = JSON.parse(
  JSON.parse(readFileSync(join(__dirname, 'fixtures', 'widening.plan.json'), 'utf8')).resource_changes.find(
    (rc: { type: string }) => rc.type === 'aws_cloudformation_stack_set',
  ).change.before.template_body,
);
const body = (edit: (t: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }) => void) => {
  const t = structuredClone(synthesizedLike);
  edit(t);
  return JSON.stringify(t);
};
let replacing: ReplacementLookup;

beforeAll(async () => {
  replacing = await loadReplacementLookup();
});

describe('compareTemplates', () => {
  it('finds no resource change when only the template text changes', () => {
    // Act
    const result = compareTemplates(JSON.stringify(synthesizedLike), JSON.stringify(synthesizedLike, null, 2), replacing);
    // Assess
    expect(result).toEqual({ kind: 'compared', resources: [] });
  });

  it('treats a renamed logical ID as what CloudFormation does with it: the old provider removed, a new one added', () => {
    // Prepare
    const renamed = body((t) => {
      t.Resources.TenantOidcProvider = t.Resources.EntraOidcProvider;
      delete t.Resources.EntraOidcProvider;
    });
    // Act
    const result = compareTemplates(JSON.stringify(synthesizedLike), renamed, replacing);
    // Assess
    if (result.kind !== 'compared') throw new Error('expected a comparison');
    expect(result.resources.map((r) => [r.logicalId, r.change])).toEqual([
      ['EntraOidcProvider', 'removed'],
      ['TenantOidcProvider', 'added'],
    ]);
    expect(result.resources[0].cautions[0]).toMatch(/^removes the Entra OIDC provider `EntraOidcProvider` from every member account/);
  });

  it('warns when the template starts managing the provider audiences (ClientIdList), which would reset those the automation added', () => {
    // Prepare
    const managed = body((t) => {
      t.Resources.EntraOidcProvider.Properties.ClientIdList = ['11111111-2222-3333-4444-555555555555'];
    });
    // Act
    const result = compareTemplates(JSON.stringify(synthesizedLike), managed, replacing);
    // Assess
    if (result.kind !== 'compared') throw new Error('expected a comparison');
    expect(result.resources[0].change).toBe('changed');
    expect(result.resources[0].cautions).toEqual([
      'sets `ClientIdList` on the OIDC provider `EntraOidcProvider`: each stack update then resets its audiences to that list, removing the client IDs the automation added',
    ]);
  });

  it('marks a role replaced when its RoleName changes (the CloudFormation specification says RoleName replaces)', () => {
    // Prepare
    const renamed = body((t) => {
      t.Resources.WebIdentityAutomationRole.Properties.RoleName = 'web-identity-automation-v2';
    });
    // Act
    const result = compareTemplates(JSON.stringify(synthesizedLike), renamed, replacing);
    // Assess
    if (result.kind !== 'compared') throw new Error('expected a comparison');
    expect(result.resources[0]).toMatchObject({ logicalId: 'WebIdentityAutomationRole', change: 'replaced' });
    expect(result.resources[0].properties).toEqual([
      { name: 'RoleName', replaces: 'yes', before: 'web-identity-automation', after: 'web-identity-automation-v2' },
    ]);
  });

  it('flags a managed policy attached to a member role and a removed permissions boundary', () => {
    // Prepare
    const before = body((t) => {
      t.Resources.IamEventsForwarderRole.Properties.PermissionsBoundary = 'arn:aws:iam::aws:policy/PowerUserAccess';
    });
    const after = body((t) => {
      t.Resources.IamEventsForwarderRole.Properties.ManagedPolicyArns = ['arn:aws:iam::aws:policy/AdministratorAccess'];
    });
    // Act
    const result = compareTemplates(before, after, replacing);
    // Assess
    if (result.kind !== 'compared') throw new Error('expected a comparison');
    expect(result.resources[0].widenings).toEqual([
      'managed policy attached: `"arn:aws:iam::aws:policy/AdministratorAccess"`',
      'permissions boundary removed',
    ]);
  });

  it('says so when a template is not JSON (YAML is not compared resource by resource)', () => {
    expect(compareTemplates(JSON.stringify(synthesizedLike), 'Resources:\n  X: {}\n', replacing)).toEqual({
      kind: 'unreadable',
      side: 'after',
    });
  });
});
