import { MICROSOFT_GRAPH_APP_ID, graphPermissionId } from '../../plan-review/graph-permissions';
import type { ResourceChange } from '../../plan-review/plan';
import { buildReview } from '../../plan-review/review';
import { CONTEXT, change, planOf, replacementLookup } from './support';

/**
 * What the review says of Microsoft Graph permissions: granted (`azuread_app_role_assignment`) or
 * requested (`azuread_application.required_resource_access`). A permission is named by its ID
 * from Microsoft's list, never by the name the configuration claims; the automation holds only
 * the two permissions the README guarantees, and only its own service principal holds them. Each
 * plan is hand-made, with the configuration representation (expressions and their references)
 * the synthesized stack has.
 */

const GRAPH_SP = 'data.azuread_service_principal.entra-identity_microsoft-graph_7A35882F';
const AUTOMATION_SP = 'azuread_service_principal.entra-identity_service-principal_F6799386';
const GATEWAY_SP = 'azuread_service_principal.entra-gateway_service-principal_6315A94E';
const AUTOMATION_APP = 'azuread_application.entra-identity_application_7F0CAEB8';
const GATEWAY_APP = 'azuread_application.entra-gateway_application_3BDE06BD';
const GRANT = 'azuread_app_role_assignment.entra-identity_graph-directory-read-all_F8704E0F';

const id = (name: string) => {
  const found = graphPermissionId(name);
  if (!found) throw new Error(`${name} is not in Microsoft's list`);
  return found;
};
const DIRECTORY_READ = id('Directory.Read.All');
const OWNED_BY = id('Application.ReadWrite.OwnedBy');
const ROLE_MANAGEMENT = id('RoleManagement.ReadWrite.Directory');
const NOT_IN_LIST = '0badc0de-0000-4000-8000-000000000001';
/** Exchange Online's application ID, and its full_access_as_app app role. */
const EXCHANGE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
const EXCHANGE_FULL_ACCESS = 'dc890d15-9560-4a4c-9b7f-a736ec74ec40';
/** Graph's delegated User.Read scope. */
const USER_READ_SCOPE = 'e1fe6dd8-ba31-4d61-89e7-88639da4683d';

const AUTOMATION_OBJECT_ID = 'df7787e2-8bbd-416c-8e60-79de2923c601';
const GRAPH_OBJECT_ID = 'f2d46d99-889b-4f0b-815b-2802800d2ba9';

type Type = 'azuread_app_role_assignment' | 'azuread_application';
/** A change of the resource at `address` (the support's `change()` names every resource `.this`). */
const changeAt = (type: Type, address: string, actions: readonly string[], fields: Partial<ResourceChange> = {}): ResourceChange =>
  change(type, actions, { address, name: address.split('.')[1].replace(/\[.*$/, ''), ...fields });

/** The references Terraform lists for `data.azuread_service_principal.….app_role_ids["<name>"]`. */
const roleRefs = (...names: string[]) => [...names.map((n) => `${GRAPH_SP}.app_role_ids["${n}"]`), `${GRAPH_SP}.app_role_ids`, GRAPH_SP];
/** The references Terraform lists for `<service principal>.object_id`. */
const objectIdRefs = (...addresses: string[]) => addresses.flatMap((a) => [`${a}.object_id`, a]);

const configurationOf = (...resources: { address: string; expressions: Record<string, unknown> }[]) => ({
  root_module: { resources: resources.map((r) => ({ mode: 'managed', ...r })) },
});
/** The configuration of a grant: which permission its `app_role_id` names, whom its `principal_object_id` refers to. */
const grantConfig = (address: string, role: readonly string[], principal: readonly string[]) => ({
  address,
  expressions: {
    app_role_id: { references: role },
    principal_object_id: { references: principal },
    resource_object_id: { references: [`${GRAPH_SP}.object_id`, GRAPH_SP] },
  },
});

const grant = (appRoleId: unknown, principal = AUTOMATION_OBJECT_ID) => ({
  app_role_id: appRoleId,
  principal_object_id: principal,
  resource_object_id: GRAPH_OBJECT_ID,
});

const review = (configuration: unknown, ...resourceChanges: ResourceChange[]) => {
  const plan = planOf(resourceChanges, { configuration });
  return buildReview(plan, replacementLookup(), CONTEXT);
};
const kinds = (r: ReturnType<typeof review>) => r.findings.map((f) => `${f.severity} ${f.kind}`);
const messageOf = (r: ReturnType<typeof review>, kind: string) => {
  const found = r.findings.filter((f) => f.kind === kind);
  expect(found).toHaveLength(1);
  return found[0].message;
};

describe('a Graph permission granted (azuread_app_role_assignment)', () => {
  const ownConfig = configurationOf(grantConfig(GRANT, roleRefs('Directory.Read.All'), objectIdRefs(AUTOMATION_SP)));

  it("names a granted guaranteed permission from its ID, as information, when the automation's service principal receives it", () => {
    // Act
    const r = review(ownConfig, changeAt('azuread_app_role_assignment', GRANT, ['create'], { after: grant(DIRECTORY_READ) }));
    // Assess
    expect(kinds(r)).toEqual(['info graph-permission']);
    expect(messageOf(r, 'graph-permission')).toBe(`grants \`Directory.Read.All\` (\`${DIRECTORY_READ}\`)`);
    expect(r.resources[0].rows).toEqual([
      { label: 'application permission', before: '(none)', after: 'Directory.Read.All' },
      { label: 'resource (service principal)', before: '(none)', after: GRAPH_OBJECT_ID },
      { label: 'granted to (service principal)', before: '(none)', after: AUTOMATION_OBJECT_ID },
    ]);
  });

  it('blocks a permission outside the guarantee, naming it and the two permissions the README guarantees', () => {
    // Act
    const r = review(
      configurationOf(grantConfig(GRANT, roleRefs('RoleManagement.ReadWrite.Directory'), objectIdRefs(AUTOMATION_SP))),
      changeAt('azuread_app_role_assignment', GRANT, ['create'], { after: grant(ROLE_MANAGEMENT) }),
    );
    // Assess
    expect(kinds(r)).toEqual(['blocking graph-permission-outside-guarantee']);
    expect(messageOf(r, 'graph-permission-outside-guarantee')).toMatch(
      /^grants `RoleManagement\.ReadWrite\.Directory` \(`[0-9a-f-]+`\): .* only `Application\.ReadWrite\.OwnedBy` and `Directory\.Read\.All`$/,
    );
  });

  it("blocks an ID that is not in Microsoft's list, and says it is not there, in the findings and the rows", () => {
    // Act
    const r = review(
      configurationOf(grantConfig(GRANT, [], objectIdRefs(AUTOMATION_SP))),
      changeAt('azuread_app_role_assignment', GRANT, ['create'], { after: grant(NOT_IN_LIST) }),
    );
    // Assess
    expect(kinds(r)).toEqual(['blocking graph-permission-outside-guarantee', 'warning graph-permission-unknown-id']);
    expect(messageOf(r, 'graph-permission-unknown-id')).toContain(`grants \`${NOT_IN_LIST}\``);
    expect(messageOf(r, 'graph-permission-outside-guarantee')).toMatch(new RegExp(`^grants \`${NOT_IN_LIST}\`: `));
    expect(r.resources[0].rows[0]).toEqual({
      label: 'application permission',
      before: '(none)',
      after: `${NOT_IN_LIST} (not in Microsoft's list)`,
    });
  });

  it('reviews a grant from a plan without a configuration representation: the ID judges it, the grantee is named by its object ID', () => {
    // Act
    const r = review({}, changeAt('azuread_app_role_assignment', GRANT, ['create'], { after: grant(DIRECTORY_READ) }));
    // Assess
    expect(kinds(r)).toEqual(['warning graph-permission-moved', 'info graph-permission']);
    expect(messageOf(r, 'graph-permission-moved')).toContain(`granted to the object \`${AUTOMATION_OBJECT_ID}\``);
  });

  it('says a permission whose ID is absent from the plan is not judged, and never reads it as some name', () => {
    // Act: no ID in the plan, and none marked known after apply either
    const r = review(ownConfig, changeAt('azuread_app_role_assignment', GRANT, ['create'], { after: grant(null) }));
    // Assess
    expect(kinds(r)).toEqual(['warning graph-permission-not-judged']);
    expect(r.resources[0].rows[0]).toEqual({ label: 'application permission', before: '(none)', after: '(known after apply)' });
  });

  it('says which name the expression of an ID known only after apply refers to, and only when it refers to one', () => {
    // Prepare
    const unknownId = (address: string) =>
      changeAt('azuread_app_role_assignment', address, ['create'], {
        after: { principal_object_id: AUTOMATION_OBJECT_ID, resource_object_id: GRAPH_OBJECT_ID },
        afterUnknown: { app_role_id: true },
      });
    const other = 'azuread_app_role_assignment.computed';
    // Act
    const named = review(ownConfig, unknownId(GRANT));
    const computed = review(configurationOf(grantConfig(other, ['var.role_id'], objectIdRefs(AUTOMATION_SP))), unknownId(other));
    // Assess
    expect(kinds(named)).toEqual(['warning graph-permission-not-judged']);
    expect(messageOf(named, 'graph-permission-not-judged')).toMatch(
      /^grants a permission whose ID is \(known after apply\) \(the expression refers to `app_role_ids\["Directory\.Read\.All"\]`\): /,
    );
    expect(messageOf(computed, 'graph-permission-not-judged')).toMatch(/^grants a permission whose ID is \(known after apply\): /);
  });

  it('names every permission the expression of an unknown ID refers to', () => {
    // Act: e.g. var.admin ? app_role_ids["RoleManagement.ReadWrite.Directory"] : app_role_ids["Directory.Read.All"]
    const r = review(
      configurationOf(
        grantConfig(
          GRANT,
          ['var.admin', ...roleRefs('RoleManagement.ReadWrite.Directory', 'Directory.Read.All')],
          objectIdRefs(AUTOMATION_SP),
        ),
      ),
      changeAt('azuread_app_role_assignment', GRANT, ['create'], {
        after: { principal_object_id: AUTOMATION_OBJECT_ID, resource_object_id: GRAPH_OBJECT_ID },
        afterUnknown: { app_role_id: true },
      }),
    );
    // Assess
    expect(messageOf(r, 'graph-permission-not-judged')).toContain(
      '(the expression refers to `app_role_ids["RoleManagement.ReadWrite.Directory"]`, `app_role_ids["Directory.Read.All"]`)',
    );
  });

  it('reviews a grant of a resource instance (count, for_each) by the configuration of its resource', () => {
    // Prepare
    const address = 'azuread_app_role_assignment.graph';
    const configuration = configurationOf(grantConfig(address, roleRefs('Directory.Read.All'), objectIdRefs(AUTOMATION_SP)));
    // Act
    const byKey = review(
      configuration,
      changeAt('azuread_app_role_assignment', `${address}["Directory.Read.All"]`, ['create'], { after: grant(ROLE_MANAGEMENT) }),
    );
    const byIndex = review(
      configuration,
      changeAt('azuread_app_role_assignment', `${address}[10]`, ['create'], { after: grant(DIRECTORY_READ) }),
    );
    // Assess: the expression's name is read (it does not match the ID), the grantee is the automation
    expect(kinds(byKey)).toEqual(['blocking graph-permission-outside-guarantee', 'warning graph-permission-name-mismatch']);
    expect(kinds(byIndex)).toEqual(['info graph-permission']);
  });

  it('takes the service principal of every automation identity of the pool (entra-identity-2 … -64) for the automation', () => {
    for (const sp of [
      'azuread_service_principal.entra-identity-2_service-principal_0C1D2E3F',
      'azuread_service_principal.entra-identity-64_service-principal_A1B2C3D4',
    ]) {
      // Act
      const r = review(
        configurationOf(grantConfig(GRANT, roleRefs('Directory.Read.All'), objectIdRefs(sp))),
        changeAt('azuread_app_role_assignment', GRANT, ['create'], { after: grant(DIRECTORY_READ) }),
      );
      // Assess
      expect(kinds(r)).toEqual(['info graph-permission']);
    }
  });

  it('names every resource the grantee expression refers to when it is not the automation alone', () => {
    // Act: principal_object_id = var.pick ? <gateway>.object_id : <other>.object_id
    const other = 'azuread_service_principal.reporting';
    const r = review(
      configurationOf(grantConfig(GRANT, roleRefs('Directory.Read.All'), ['var.pick', ...objectIdRefs(GATEWAY_SP, other)])),
      changeAt('azuread_app_role_assignment', GRANT, ['create'], { after: grant(DIRECTORY_READ, 'gateway-object-id') }),
    );
    // Assess
    expect(messageOf(r, 'graph-permission-moved')).toMatch(
      /^granted to `var\.pick`, `azuread_service_principal\.entra-gateway_[^`]+`, `azuread_service_principal\.reporting`, not to/,
    );
  });

  it('says which attribute moves an existing grant (another grantee, another API), and does not judge its unchanged permission again', () => {
    // Prepare
    const before = { id: 'grant-id', ...grant(DIRECTORY_READ) };
    // Act
    const regranted = review(
      ownConfig,
      changeAt('azuread_app_role_assignment', GRANT, ['delete', 'create'], {
        before,
        after: { ...grant(DIRECTORY_READ, 'gateway-object-id') },
      }),
    );
    const otherApi = review(
      ownConfig,
      changeAt('azuread_app_role_assignment', GRANT, ['delete', 'create'], {
        before,
        after: { ...grant(DIRECTORY_READ), resource_object_id: 'exchange-object-id' },
      }),
    );
    const unknownGrantee = review(
      ownConfig,
      changeAt('azuread_app_role_assignment', GRANT, ['delete', 'create'], {
        before,
        after: { app_role_id: DIRECTORY_READ, resource_object_id: GRAPH_OBJECT_ID },
        afterUnknown: { principal_object_id: true },
      }),
    );
    // Assess
    for (const r of [regranted, otherApi, unknownGrantee])
      expect(kinds(r)).toEqual(['warning destructive-change', 'warning graph-permission-moved']);
    expect(messageOf(regranted, 'graph-permission-moved')).toMatch(/^`principal_object_id` changes/);
    expect(messageOf(otherApi, 'graph-permission-moved')).toMatch(/^`resource_object_id` changes/);
    expect(messageOf(unknownGrantee, 'graph-permission-moved')).toMatch(/^`principal_object_id` changes/);
  });

  it('judges the permission again when an existing grant changes it', () => {
    // Act
    const r = review(
      ownConfig,
      changeAt('azuread_app_role_assignment', GRANT, ['delete', 'create'], {
        before: grant(DIRECTORY_READ),
        after: grant(ROLE_MANAGEMENT),
      }),
    );
    // Assess
    expect(kinds(r)).toContain('blocking graph-permission-outside-guarantee');
    expect(r.resources[0].rows[0]).toEqual({
      label: 'application permission',
      before: 'Directory.Read.All',
      after: 'RoleManagement.ReadWrite.Directory',
    });
  });

  it('judges a creation as a new grant, whatever the plan says of before', () => {
    // Act
    const r = review(
      configurationOf(grantConfig(GRANT, roleRefs('RoleManagement.ReadWrite.Directory'), objectIdRefs(GATEWAY_SP))),
      changeAt('azuread_app_role_assignment', GRANT, ['create'], {
        before: grant(ROLE_MANAGEMENT, 'gateway-object-id'),
        after: grant(ROLE_MANAGEMENT, 'gateway-object-id'),
      }),
    );
    // Assess
    expect(kinds(r)).toEqual(['blocking graph-permission-outside-guarantee', 'warning graph-permission-moved']);
  });

  it('grants nothing when it revokes a permission, whatever the plan says of after', () => {
    for (const after of [null, grant(ROLE_MANAGEMENT, 'gateway-object-id')]) {
      // Act
      const r = review(ownConfig, changeAt('azuread_app_role_assignment', GRANT, ['delete'], { before: grant(DIRECTORY_READ), after }));
      // Assess: only what the revocation breaks
      expect(kinds(r)).toEqual(['warning destructive-change']);
      expect(r.resources[0].rows).toEqual([]);
    }
  });
});

describe('a Graph permission requested (azuread_application.required_resource_access)', () => {
  const graphAccess = (...access: { id: unknown; type: string }[]) => ({
    resource_app_id: MICROSOFT_GRAPH_APP_ID,
    resource_access: access,
  });
  const role = (roleId: string) => ({ id: roleId, type: 'Role' });
  const GUARANTEED = [graphAccess(role(OWNED_BY), role(DIRECTORY_READ))];
  const requests = (address: string, actions: readonly string[], before: unknown, after: unknown, afterUnknown: unknown = {}) =>
    changeAt('azuread_application', address, actions, {
      before: before === undefined ? null : { display_name: 'web-identity-automation', required_resource_access: before },
      after: { display_name: 'web-identity-automation', required_resource_access: after },
      afterUnknown,
    });
  const appConfig = (address: string, ...names: string[]) =>
    configurationOf({
      address,
      expressions: {
        display_name: { constant_value: 'web-identity-automation' },
        required_resource_access: [
          [{ resource_access: names.map((n) => [{ id: { references: roleRefs(n) }, type: { constant_value: 'Role' } }]) }],
        ],
      },
    });

  it('judges each permission an update adds, and none of those the application already requested', () => {
    // Act
    const r = review(
      appConfig(AUTOMATION_APP, 'Application.ReadWrite.OwnedBy', 'Directory.Read.All'),
      requests(AUTOMATION_APP, ['update'], GUARANTEED, [graphAccess(role(OWNED_BY), role(DIRECTORY_READ), role(ROLE_MANAGEMENT))]),
    );
    // Assess
    expect(kinds(r)).toEqual(['blocking graph-permission-outside-guarantee', 'warning graph-permission-name-mismatch']);
    expect(messageOf(r, 'graph-permission-outside-guarantee')).toMatch(/^requests `RoleManagement\.ReadWrite\.Directory`/);
  });

  it('says nothing of an update that only removes a requested permission', () => {
    // Act
    const r = review(
      appConfig(AUTOMATION_APP, 'Directory.Read.All'),
      requests(AUTOMATION_APP, ['update'], GUARANTEED, [graphAccess(role(DIRECTORY_READ))]),
    );
    // Assess
    expect(r.findings).toEqual([]);
  });

  it('judges every permission of a new application (whatever the plan says of before), and of one that requested none before', () => {
    // Act
    const created = review(appConfig(AUTOMATION_APP), requests(AUTOMATION_APP, ['create'], undefined, GUARANTEED));
    const createdWithBefore = review(appConfig(AUTOMATION_APP), requests(AUTOMATION_APP, ['create'], GUARANTEED, GUARANTEED));
    const firstRequests = review(
      appConfig(AUTOMATION_APP),
      changeAt('azuread_application', AUTOMATION_APP, ['update'], {
        before: { display_name: 'web-identity-automation' },
        after: { display_name: 'web-identity-automation', required_resource_access: GUARANTEED },
      }),
    );
    // Assess
    for (const r of [created, createdWithBefore, firstRequests])
      expect(kinds(r)).toEqual(['info graph-permission', 'info graph-permission']);
  });

  it('cannot request a permission under the name of a guaranteed one: the ID decides, the claimed name is a mismatch', () => {
    // Act: app_role_ids["Directory.Read.All"] in the configuration, RoleManagement.ReadWrite.Directory's ID in the plan
    const r = review(
      appConfig(AUTOMATION_APP, 'Directory.Read.All'),
      requests(AUTOMATION_APP, ['update'], [], [graphAccess(role(ROLE_MANAGEMENT))]),
    );
    // Assess
    expect(kinds(r)).toEqual(['blocking graph-permission-outside-guarantee', 'warning graph-permission-name-mismatch']);
    expect(messageOf(r, 'graph-permission-name-mismatch')).toBe(
      `the expression refers to \`app_role_ids["Directory.Read.All"]\`, but the ID granted is \`${ROLE_MANAGEMENT}\` (\`RoleManagement.ReadWrite.Directory\`)`,
    );
  });

  it('lists every claimed name that is not the ID, and names an ID outside the list by the ID alone', () => {
    // Act
    const r = review(
      appConfig(AUTOMATION_APP, 'Application.ReadWrite.OwnedBy', 'Directory.Read.All'),
      requests(AUTOMATION_APP, ['update'], [], [graphAccess(role(NOT_IN_LIST))]),
    );
    // Assess
    expect(messageOf(r, 'graph-permission-name-mismatch')).toBe(
      `the expression refers to \`app_role_ids["Application.ReadWrite.OwnedBy"]\`, \`app_role_ids["Directory.Read.All"]\`, but the ID granted is \`${NOT_IN_LIST}\``,
    );
  });

  it('says the requested permissions are not judged when they are known only after apply, naming what the expression refers to', () => {
    // Act
    const r = review(
      appConfig(AUTOMATION_APP, 'Directory.Read.All'),
      changeAt('azuread_application', AUTOMATION_APP, ['update'], {
        before: { display_name: 'web-identity-automation', required_resource_access: GUARANTEED },
        after: { display_name: 'web-identity-automation' },
        afterUnknown: { required_resource_access: true },
      }),
    );
    // Assess
    expect(kinds(r)).toEqual(['warning graph-permission-not-judged']);
    expect(messageOf(r, 'graph-permission-not-judged')).toMatch(
      /^requests a permission whose ID is \(known after apply\) \(the expression refers to `app_role_ids\["Directory\.Read\.All"\]`\)/,
    );
  });

  it('judges a permission whose API is known only after apply as a Graph permission, and nothing more when the rest is known', () => {
    // Act: resource_app_id read from a data source during apply
    const r = review(
      appConfig(AUTOMATION_APP),
      requests(AUTOMATION_APP, ['update'], GUARANTEED, [...GUARANTEED, { resource_access: [role(ROLE_MANAGEMENT)] }], {
        required_resource_access: [{}, { resource_app_id: true }],
      }),
    );
    // Assess
    expect(kinds(r)).toEqual(['blocking graph-permission-outside-guarantee']);
  });

  it("does not take another API's application permission, or a delegated Graph scope, for a Graph application permission", () => {
    // Act: an API known only after apply elsewhere in the attribute changes nothing of that
    const r = review(
      appConfig(AUTOMATION_APP),
      requests(
        AUTOMATION_APP,
        ['update'],
        GUARANTEED,
        [
          ...GUARANTEED,
          { resource_app_id: EXCHANGE_APP_ID, resource_access: [role(EXCHANGE_FULL_ACCESS)] },
          graphAccess({ id: USER_READ_SCOPE, type: 'Scope' }),
          { resource_access: [role(DIRECTORY_READ)] },
        ],
        { required_resource_access: [{}, {}, {}, { resource_app_id: true }] },
      ),
    );
    // Assess
    expect(kinds(r)).toEqual(['warning application-setting', 'warning application-setting', 'info graph-permission']);
    const messages = r.findings.filter((f) => f.kind === 'application-setting').map((f) => f.message);
    expect(messages).toEqual([
      expect.stringMatching(new RegExp(`^requests a permission the review does not judge: .*${EXCHANGE_FULL_ACCESS}`)),
      expect.stringMatching(new RegExp(`^requests a permission the review does not judge: .*${USER_READ_SCOPE}.*Scope`)),
    ]);
  });

  it('says a requested permission without an ID is not judged', () => {
    // Act
    const r = review(appConfig(AUTOMATION_APP), requests(AUTOMATION_APP, ['update'], [], [graphAccess({ id: null, type: 'Role' })]));
    // Assess
    expect(kinds(r)).toEqual(['warning graph-permission-not-judged']);
  });

  it('reads an API block without permissions as requesting nothing', () => {
    // Act
    const r = review(
      appConfig(AUTOMATION_APP),
      requests(AUTOMATION_APP, ['update'], GUARANTEED, [...GUARANTEED, { resource_app_id: EXCHANGE_APP_ID }]),
    );
    // Assess
    expect(r.findings).toEqual([]);
  });

  it('cannot request a guaranteed Graph permission for the gateway quietly: the gateway holds none', () => {
    // Act
    const r = review(appConfig(GATEWAY_APP), requests(GATEWAY_APP, ['update'], undefined, [graphAccess(role(DIRECTORY_READ))]));
    // Assess
    expect(kinds(r)).toEqual(['warning application-setting']);
    expect(messageOf(r, 'application-setting')).toMatch(new RegExp(`^the gateway application requests a permission: .*${DIRECTORY_READ}`));
  });
});

describe('a malicious pull request', () => {
  it("cannot hide a grant to another principal behind the automation's own configuration", () => {
    // Prepare: the automation's own grant comes first in the configuration
    const attacker = 'azuread_app_role_assignment.reporting';
    const configuration = configurationOf(
      grantConfig(GRANT, roleRefs('Directory.Read.All'), objectIdRefs(AUTOMATION_SP)),
      grantConfig(attacker, roleRefs('Directory.Read.All'), objectIdRefs(GATEWAY_SP)),
    );
    // Act
    const r = review(
      configuration,
      changeAt('azuread_app_role_assignment', attacker, ['create'], { after: grant(DIRECTORY_READ, 'gateway-object-id') }),
    );
    // Assess
    expect(kinds(r)).toEqual(['warning graph-permission-moved', 'info graph-permission']);
    expect(messageOf(r, 'graph-permission-moved')).toMatch(
      /^granted to `azuread_service_principal\.entra-gateway_service-principal_6315A94E`, not to/,
    );
  });

  it("cannot grant a permission to a data source, or a resource of another type, named like the automation's service principal", () => {
    for (const lookalike of [
      // looks up any principal by its name
      'data.azuread_service_principal.entra-identity_service-principal_5EC0FFEE',
      // a type of another provider (its local name is the prefix of its types)
      'evil_azuread_service_principal.entra-identity_service-principal_5EC0FFEE',
    ]) {
      // Act
      const r = review(
        configurationOf(grantConfig(GRANT, roleRefs('Directory.Read.All'), [`${lookalike}.object_id`, lookalike])),
        changeAt('azuread_app_role_assignment', GRANT, ['create'], { after: grant(DIRECTORY_READ, 'attacker-object-id') }),
      );
      // Assess
      expect(kinds(r)).toEqual(['warning graph-permission-moved', 'info graph-permission']);
    }
  });

  it("cannot grant a permission to another principal behind an expression that also refers to the automation's", () => {
    // Prepare: principal_object_id = var.pick ? <automation>.object_id : <gateway>.object_id
    const r = review(
      configurationOf(grantConfig(GRANT, roleRefs('Directory.Read.All'), ['var.pick', ...objectIdRefs(AUTOMATION_SP, GATEWAY_SP)])),
      changeAt('azuread_app_role_assignment', GRANT, ['create'], { after: grant(DIRECTORY_READ, 'gateway-object-id') }),
    );
    // Assess: before the fix, one reference to the automation's service principal was enough (info only)
    expect(kinds(r)).toEqual(['warning graph-permission-moved', 'info graph-permission']);
    expect(messageOf(r, 'graph-permission-moved')).toMatch(
      /^granted to `var\.pick`, `azuread_service_principal\.entra-gateway_service-principal_6315A94E`, not to/,
    );
  });
});
