import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { GraphDirectory, applicationUniqueName } from '../../../../functions/shared/entra';
import { createOpenMemberAccount } from '../../../../functions/shared/iam';
import { startGraphFake, type GraphFake } from '../../../../simulation/fakes/graph-fake';
import { GraphFakeState } from '../../../../simulation/fakes/graph-state';
import { createIamModel } from '../../../../simulation/fakes/iam-model';

/**
 * What the sweep reads, listed once and every page: the automation's applications and service
 * principals and the deleted items (Graph, 999 a page), and a member account's roles (IAM, 1,000
 * a page), against the fakes that page as the services document it.
 */

const ACCOUNT = '222233334444';
const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** The member account as the sweep's reader role opens it, against the installed IAM model. */
const openReader = (options: Pick<Parameters<typeof createOpenMemberAccount>[0], 'makeIamClient' | 'sleep'>) =>
  createOpenMemberAccount({
    sts: new STSClient({ region: 'us-east-1' }),
    memberRoleName: 'web-identity-automation-reader',
    region: 'us-east-1',
    ...options,
  })(ACCOUNT, 'sweep-test');

describe('GraphDirectory: the inventory of the sweep', () => {
  let fake: GraphFake;
  let directory: GraphDirectory;
  beforeEach(async () => {
    fake = await startGraphFake({ state: new GraphFakeState() });
    directory = new GraphDirectory({
      baseUrl: fake.baseUrl,
      automationServicePrincipalId: fake.state.automationServicePrincipalId,
      getToken: async () => 'token',
      sleep: async () => undefined,
    });
  });
  afterEach(() => fake.close());

  it("lists every application and service principal the automation created, across pages of 999, and nobody else's", async () => {
    // Prepare: 1,200 of the automation's (two pages), a user's own application.
    fake.state.ownedObjectLimit = 10_000;
    for (let n = 1; n <= 1200; n++) {
      fake.state.seedApplication({
        appId: guid(n),
        displayName: `app ${n}`,
        uniqueName: applicationUniqueName(ACCOUNT, `role-${n}`, `AROA${String(n).padStart(17, '0')}`),
        servicePrincipalId: guid(100_000 + n),
      });
    }
    fake.state.addUsers(guid(900_001));
    fake.state.seedApplication({ appId: guid(900_002), displayName: 'not ours', createdBy: guid(900_001) });

    // Act
    const [applications, servicePrincipals] = await Promise.all([directory.listOwnApplications(), directory.listOwnServicePrincipals()]);

    // Assess
    expect(applications).toHaveLength(1200);
    expect(applications.map((app) => app.appId)).not.toContain(guid(900_002));
    expect(applications[0]).toEqual(
      expect.objectContaining({
        appId: guid(1),
        uniqueName: expect.stringMatching(/^aws-222233334444-/),
        createdDateTime: expect.any(String),
      }),
    );
    expect(servicePrincipals).toHaveLength(1200);
    expect(fake.calls['graph:GET /servicePrincipals/{id}/createdObjects/microsoft.graph.application']).toBe(2);
    expect(fake.calls['graph:GET /servicePrincipals/{id}/createdObjects/microsoft.graph.servicePrincipal']).toBe(2);
  });

  it('keeps soft-deleted objects out of the inventory where the record lists them too', async () => {
    // Prepare
    fake.state.createdObjectsIncludeDeleted = true;
    fake.state.seedApplication({ appId: guid(1), displayName: 'live', servicePrincipalId: guid(11) });
    fake.state.seedApplication({ appId: guid(2), displayName: 'deleted', servicePrincipalId: guid(12), deleted: true });

    // Act
    const [applications, servicePrincipals, deleted] = await Promise.all([
      directory.listOwnApplications(),
      directory.listOwnServicePrincipals(),
      directory.listDeletedItems('application'),
    ]);

    // Assess
    expect(applications.map((app) => app.appId)).toEqual([guid(1)]);
    expect(servicePrincipals.map((sp) => sp.appId)).toEqual([guid(1)]);
    expect(deleted.map((item) => [item.kind, item.appId])).toEqual([['application', guid(2)]]);
    expect(await directory.isOwnObject(deleted[0]!.id)).toBe(true);
  });

  it('proves none of its soft-deleted objects where the record lists live objects only (the default reading)', async () => {
    fake.state.seedApplication({ appId: guid(2), displayName: 'deleted', deleted: true });

    const [deleted] = await directory.listDeletedItems('application');

    expect(await directory.isOwnObject(deleted!.id)).toBe(false);
  });

  it('purges a soft-deleted object, and counts one already purged as done', async () => {
    const item = fake.state.seedApplication({ appId: guid(3), displayName: 'deleted', deleted: true });

    await directory.purgeDeletedItem(item.id);
    await directory.purgeDeletedItem(item.id);

    expect(fake.state.listDeletedApplications()).toEqual([]);
  });
});

describe('MemberAccountLister.listRoles', () => {
  it('reads every page of 1,000 roles, with trust policies and creation dates, and no tags', async () => {
    // Prepare
    const model = createIamModel(3);
    model.install();
    try {
      for (let n = 1; n <= 1001; n++) {
        model.createRole(ACCOUNT, {
          roleName: `role-${String(n).padStart(4, '0')}`,
          assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
          tags: { team: 'x' },
        });
      }
      const account = openReader({ makeIamClient: (config) => new IAMClient(config) });

      // Act
      const roles = await (await account).listRoles();

      // Assess
      expect(roles).toHaveLength(1001);
      expect(new Set(roles.map((role) => role.roleId)).size).toBe(1001);
      expect(roles[0]).toEqual({
        roleName: 'role-0001',
        roleId: expect.stringMatching(/^AROA/),
        arn: `arn:aws:iam::${ACCOUNT}:role/role-0001`,
        path: '/',
        trustPolicy: { Version: '2012-10-17', Statement: [] },
        createDate: expect.any(String),
      });
      expect(model.calls['iam:ListRoles']).toBe(2);
    } finally {
      model.restore();
    }
  });

  it('fails, rather than returning part of the roles, when a page cannot be read', async () => {
    const model = createIamModel(3);
    model.install();
    try {
      for (let n = 1; n <= 1001; n++)
        model.createRole(ACCOUNT, { roleName: `role-${n}`, assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } });
      model.faults.add({ call: 'iam:ListRoles', answer: { status: 403, code: 'AccessDenied' }, skip: 1, times: 0 });
      const account = openReader({ sleep: async () => undefined });

      await expect((await account).listRoles()).rejects.toThrow(/AccessDenied|not authorized/);
    } finally {
      model.restore();
    }
  });
});

describe('MemberAccountLister.listRoleInlinePolicies', () => {
  it('reads every page of 1,000 roles through GetAccountAuthorizationDetails and returns the roles that hold inline policies, decoded', async () => {
    // Prepare
    const model = createIamModel(3);
    model.install();
    const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };
    try {
      for (let n = 1; n <= 1001; n++) {
        model.createRole(ACCOUNT, {
          roleName: `role-${String(n).padStart(4, '0')}`,
          assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
          ...(n % 500 === 1 ? { inlinePolicies: { EntraRevokeOlderSessions: deny, Team: deny } } : {}),
        });
      }
      const account = openReader({ makeIamClient: (config) => new IAMClient(config) });

      // Act
      const roles = await (await account).listRoleInlinePolicies();

      // Assess
      expect(roles.map((role) => role.roleName)).toEqual(['role-0001', 'role-0501', 'role-1001']);
      expect(roles[2]).toEqual({
        roleName: 'role-1001',
        roleId: expect.stringMatching(/^AROA/),
        path: '/',
        policies: { EntraRevokeOlderSessions: deny, Team: deny },
      });
      expect(model.calls['iam:GetAccountAuthorizationDetails']).toBe(2);
    } finally {
      model.restore();
    }
  });

  it('fails, rather than returning part of the roles, when a page cannot be read', async () => {
    const model = createIamModel(3);
    model.install();
    try {
      for (let n = 1; n <= 1001; n++)
        model.createRole(ACCOUNT, { roleName: `role-${n}`, assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } });
      model.faults.add({ call: 'iam:GetAccountAuthorizationDetails', answer: { status: 403, code: 'AccessDenied' }, skip: 1, times: 0 });
      const account = openReader({ sleep: async () => undefined });

      await expect((await account).listRoleInlinePolicies()).rejects.toThrow(/AccessDenied|not authorized/);
    } finally {
      model.restore();
    }
  });
});
