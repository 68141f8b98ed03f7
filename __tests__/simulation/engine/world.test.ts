import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand, ConcurrentModificationException } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { silentLogger } from '../../../functions/shared/runtime';
import { applicationUniqueName } from '../../../functions/shared/entra';
import { parseConfig } from '../../../stacks/config';
import { EXAMPLE_CONFIG } from '../../../stacks/example-config';
import { startGraphFake, type GraphFake } from '../../../simulation/fakes/graph-fake';
import { createIamModel, type IamModel, IAM_CALL_KEYS } from '../../../simulation/fakes/iam-model';
import { GRAPH_CALL_KEYS } from '../../../simulation/fakes/graph-routes';
import { runSimulation } from '../../../simulation/engine/run-simulation';
import { parseWorld, seedWorld, SimulationInputError, type World } from '../../../simulation/engine/world';

const ACCOUNT = '123456789012';
const USER = '11111111-1111-4111-8111-111111111111';
const OTHER_USER = '22222222-2222-4222-8222-222222222222';
const APP = { id: '33333333-3333-4333-8333-333333333333', appId: '44444444-4444-4444-8444-444444444444' };
const SP_ID = '55555555-5555-4555-8555-555555555555';
const IDENTITY = { id: '66666666-6666-4666-8666-666666666666', appId: '77777777-7777-4777-8777-777777777777' };
const DELETED_APP = { id: '88888888-8888-4888-8888-888888888888', appId: '99999999-9999-4999-8999-999999999999' };
const DELETED_SP = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const ORPHAN_SP = { id: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', appId: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc' };
const POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** A world using every field. */
function fullWorld(): Record<string, any> {
  return {
    accounts: { [ACCOUNT]: { roles: [{ roleName: 'with-id', roleId: 'AROAWORLD000000000001', assumeRolePolicyDocument: POLICY }] } },
    entra: {
      users: [USER, OTHER_USER],
      applications: [
        { ...APP, uniqueName: 'ours', displayName: 'ours', servicePrincipalId: SP_ID, owners: ['automation', USER] },
        { appId: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', displayName: 'hand-made', owners: [OTHER_USER], createdBy: OTHER_USER },
      ],
      servicePrincipals: [{ ...IDENTITY, displayName: 'vm-identity', servicePrincipalType: 'ManagedIdentity' }],
      deletedItems: {
        applications: [{ ...DELETED_APP, uniqueName: 'old', displayName: 'old' }],
        servicePrincipals: [{ id: DELETED_SP, appId: DELETED_APP.appId }, { ...ORPHAN_SP }],
      },
      quota: 10,
    },
    faults: [
      { call: 'graph:POST /applications/{id}/owners/$ref', status: 403, code: 'Authorization_RequestDenied' },
      { call: 'iam:UpdateAssumeRolePolicy', status: 409, code: 'ConcurrentModification', times: 0, skip: 1 },
    ],
  };
}

const parseError = (raw: unknown): string => {
  try {
    parseWorld(raw, 'w.json');
  } catch (error) {
    expect(error).toBeInstanceOf(SimulationInputError);
    return (error as Error).message;
  }
  throw new Error('expected the world to be refused');
};

describe('parseWorld', () => {
  it('accepts a world without the new fields and defaults them', () => {
    // Act
    const world = parseWorld({
      accounts: { [ACCOUNT]: { roles: [{ roleName: 'r', assumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }] } },
    });
    // Assess
    expect(world.accounts[ACCOUNT]).toEqual({
      roles: [{ roleName: 'r', assumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }],
      oidcProviders: [],
      memberRoles: true,
    });
    expect(world.entra).toEqual({
      users: [],
      applications: [],
      servicePrincipals: [],
      deletedItems: { applications: [], servicePrincipals: [] },
      quota: 250,
      createdObjectsIncludeDeleted: false,
      // The open readings default to today's behaviour (docs/simulate.md#the-open-readings).
      createdObjectsCast: 'accepted',
      createdObjectsListApplications: true,
      filterOnUniqueName: 'accepted',
      deletedItemsFilterOnAppId: 'accepted',
    });
    expect(world.faults).toEqual([]);
  });

  it("refuses a role whose inline policies exceed IAM's 10,240 characters, naming the field and the fix", () => {
    // Prepare
    const big = { Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(10_300), Effect: 'Deny', Action: '*', Resource: '*' }] };
    const world = (inlinePolicies: object) => ({
      accounts: {
        [ACCOUNT]: { roles: [{ roleName: 'r', assumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}', inlinePolicies }] },
      },
    });
    // Act + Assess
    expect(() => parseWorld(world({ big }))).toThrow(/roles\.0\.inlinePolicies.*IAM allows 10240: shorten them/s);
    expect(
      parseWorld(world({ small: { ...big, Statement: [{ ...big.Statement[0], Sid: 's' }] } })).accounts[ACCOUNT]!.roles[0]!.inlinePolicies,
    ).toHaveProperty('small');
  });

  it('accepts the example world shipped with the simulator', () => {
    // Prepare
    const raw = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'simulation', 'examples', 'world.json'), 'utf8'));
    // Act
    const world = parseWorld(raw);
    // Assess
    expect(Object.keys(world.accounts)).toEqual(['222222222222']);
  });

  it('accepts every new field and defaults owners and createdBy to the automation, times to 1 and skip to 0', () => {
    // Act
    const world = parseWorld(fullWorld());
    // Assess
    expect(world.entra.applications[0]).toMatchObject({ owners: ['automation', USER], createdBy: 'automation' });
    expect(
      parseWorld({ accounts: {}, entra: { applications: [{ appId: APP.appId, displayName: 'x' }] } }).entra.applications[0],
    ).toMatchObject({
      owners: ['automation'],
      createdBy: 'automation',
    });
    expect(world.faults[0]).toEqual({
      call: 'graph:POST /applications/{id}/owners/$ref',
      status: 403,
      code: 'Authorization_RequestDenied',
      times: 1,
      skip: 0,
    });
  });

  it('rejects a misspelt field by name, at any depth', () => {
    expect(parseError({ accounts: {}, entra: { aplications: [] } })).toMatch(/w\.json: entra: Unrecognized key: "aplications"/);
    expect(parseError({ accounts: {}, entra: { deletedItems: { apps: [] } } })).toMatch(/entra\.deletedItems: Unrecognized key: "apps"/);
    expect(parseError({ accounts: {}, faults: [{ call: 'iam:GetRole', status: 400, code: 'x', count: 1 }] })).toMatch(
      /faults\.0: Unrecognized key: "count"/,
    );
  });

  it('rejects a fault on a call key that does not exist, listing the keys', () => {
    // Act
    const message = parseError({
      accounts: {},
      faults: [{ call: 'graph:POST /owners', status: 403, code: 'Authorization_RequestDenied' }],
    });
    // Assess
    expect(message).toMatch(
      /faults\.0\.call: "graph:POST \/owners" is not a call key; expected one of graph:PATCH \/applications\(uniqueName\), /,
    );
    expect(message).toContain('iam:UpdateAssumeRolePolicy');
    expect(message).toContain('graph:DELETE /directory/deletedItems/{id}');
  });

  it.each([
    [{ times: -1 }, /faults\.0\.times: how many matching calls fail: 1 or more, or 0 for every one/],
    [{ skip: -2 }, /faults\.0\.skip: how many matching calls succeed first: 0 or more/],
    [{ times: 1.5 }, /faults\.0\.times/],
    [{ status: 200 }, /faults\.0\.status: an HTTP error status \(400-599\)/],
    [{ code: '' }, /faults\.0\.code: the error code the service answers/],
  ])('rejects a fault with %p, naming the field', (change, message) => {
    expect(parseError({ accounts: {}, faults: [{ call: 'iam:GetRole', status: 404, code: 'NoSuchEntity', ...change }] })).toMatch(message);
  });

  it('rejects an IAM fault whose status is not the one AWS gives that code', () => {
    expect(parseError({ accounts: {}, faults: [{ call: 'iam:TagRole', status: 400, code: 'ConcurrentModification' }] })).toMatch(
      /faults\.0\.status: AWS answers ConcurrentModification with 409, not 400/,
    );
  });

  it.each([
    [
      'an owner who is not a user of the tenant',
      (w: any) => (w.entra.applications[0].owners = ['automation', '12121212-1212-4212-8212-121212121212']),
      /entra\.applications\.0\.owners\.1: 12121212-.* is not in entra\.users/,
    ],
    [
      'an owner listed twice',
      (w: any) => (w.entra.applications[0].owners = ['automation', USER, USER.toUpperCase()]),
      /entra\.applications\.0\.owners\.2: .* is listed twice/,
    ],
    [
      'a creator that is neither "automation" nor an object ID',
      (w: any) => (w.entra.applications[0].createdBy = 'alice'),
      /entra\.applications\.0\.createdBy: expected "automation", "automation-2"… \(an automation identity\) or an object ID/,
    ],
    [
      'a service principal type Graph does not have',
      (w: any) => (w.entra.servicePrincipals[0].servicePrincipalType = 'User'),
      /entra\.servicePrincipals\.0\.servicePrincipalType/,
    ],
    [
      'an object ID used twice',
      (w: any) => (w.entra.servicePrincipals[0].id = SP_ID),
      /entra\.servicePrincipals\.0\.id: object ID .* is already entra\.applications\.0\.servicePrincipalId's/,
    ],
    [
      'an appId used twice',
      (w: any) => (w.entra.deletedItems.applications[0].appId = APP.appId),
      /entra\.deletedItems\.applications\.0\.appId: appId .* is already entra\.applications\.0's/,
    ],
    [
      'a uniqueName a soft-deleted application holds',
      (w: any) => (w.entra.applications[0].uniqueName = 'old'),
      /uniqueName old is already/,
    ],
    [
      'two service principals for one application',
      (w: any) => (w.entra.servicePrincipals[0].appId = APP.appId),
      /entra\.servicePrincipals\.0\.appId: appId .* already has a service principal/,
    ],
    ['a negative quota', (w: any) => (w.entra.quota = -1), /entra\.quota: the number of directory objects the automation may create/],
    [
      'a malformed role ID',
      (w: any) => (w.accounts[ACCOUNT].roles[0].roleId = 'AIDA0000'),
      /roles\.0\.roleId: an IAM role ID: AROA followed by 17/,
    ],
  ])('rejects %s, naming the field', (_what, change, message) => {
    // Prepare
    const world = fullWorld();
    change(world);
    // Act / Assess
    expect(parseError(world)).toMatch(message);
  });

  it('rejects a role ID two roles share, across accounts', () => {
    // Prepare
    const world = fullWorld();
    world.accounts['210987654321'] = { roles: [{ roleName: 'twin', roleId: 'AROAWORLD000000000001', assumeRolePolicyDocument: POLICY }] };
    // Act / Assess
    expect(parseError(world)).toMatch(
      /accounts\.210987654321\.roles\.0\.roleId: role ID AROAWORLD000000000001 is already accounts\.123456789012\.roles\.0\.roleId's/,
    );
  });

  it("does not count another principal's creations against the automation's quota", () => {
    // Prepare: the orphan service principal and the deleted application become someone else's.
    const world = fullWorld();
    world.entra.quota = 2;
    world.entra.deletedItems.applications[0].createdBy = OTHER_USER;
    world.entra.deletedItems.servicePrincipals[1].createdBy = OTHER_USER;
    // Act
    const parsed = parseWorld(world);
    // Assess: ours and its service principal only; the deleted one follows its application's creator.
    expect(parsed.entra.quota).toBe(2);
  });

  it('counts what the world holds of the automation against its quota: more is refused, as many is accepted', () => {
    // Prepare: ours (1) + its service principal (1) + the deleted application (1) + its deleted service principal (1) + the orphan (1).
    const full = fullWorld();
    full.entra.quota = 5;
    const over = fullWorld();
    over.entra.quota = 4;
    // Act / Assess
    expect(parseWorld(full).entra.quota).toBe(5);
    expect(parseError(over)).toMatch(
      /entra\.quota: the world already holds 5 directory objects the automation created .* more than its quota of 4/,
    );
  });
});

describe('seedWorld', () => {
  let iam: IamModel;
  let graph: GraphFake;
  let world: World;
  beforeEach(async () => {
    iam = createIamModel(3);
    iam.install();
    graph = await startGraphFake();
    world = parseWorld(fullWorld());
    seedWorld({ iam, graph }, world);
  });
  afterEach(async () => {
    iam.restore();
    await graph.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${graph.baseUrl}${path}`, {
      method,
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
  };

  it('puts the roles in IAM with the role IDs the world gives', () => {
    expect(iam.role(ACCOUNT, 'with-id')?.roleId).toBe('AROAWORLD000000000001');
  });

  it('puts applications in the tenant with their owners and creator: the automation lists only its own', async () => {
    // Act
    const created = await call('GET', `/servicePrincipals/${graph.state.automationServicePrincipalId}/createdObjects?$select=id`);
    const deleteForeign = await call('GET', `/applications?$filter=${encodeURIComponent("displayName eq 'hand-made'")}&$select=id`);
    const refused = await call('DELETE', `/applications/${deleteForeign.body?.value[0].id}`);
    // Assess
    expect(created.body?.value).toEqual([
      { '@odata.type': '#microsoft.graph.application', id: APP.id },
      { '@odata.type': '#microsoft.graph.servicePrincipal', id: SP_ID },
    ]);
    expect(graph.state.liveApplication(APP.id)?.owners).toEqual([graph.state.automationServicePrincipalId, USER]);
    expect(refused.status).toBe(403);
  });

  it('makes the users and service principals exist, with their type', async () => {
    // Act
    const identity = await call('GET', `/servicePrincipals/${IDENTITY.id}?$select=id,servicePrincipalType`);
    const owner = await call('POST', `/applications/${APP.id}/owners/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${OTHER_USER}`,
    });
    // Assess
    expect(identity.body).toMatchObject({ servicePrincipalType: 'ManagedIdentity' });
    expect(owner.status).toBe(403); // the world's fault on this route, served first
  });

  it("puts the deleted items in directory/deletedItems, a deleted service principal created by its application's creator", async () => {
    // Act
    const apps = await call('GET', '/directory/deletedItems/microsoft.graph.application?$select=id,uniqueName');
    const sps = await call('GET', '/directory/deletedItems/microsoft.graph.servicePrincipal?$select=id,appId');
    // Assess
    expect(apps.body?.value).toEqual([{ '@odata.type': '#microsoft.graph.application', id: DELETED_APP.id, uniqueName: 'old' }]);
    expect(sps.body?.value.map((sp: { id: string }) => sp.id)).toEqual([DELETED_SP, ORPHAN_SP.id]);
    expect(graph.state.listDeletedServicePrincipals().map((sp) => sp.createdBy)).toEqual([
      graph.state.automationServicePrincipalId,
      graph.state.automationServicePrincipalId,
    ]);
  });

  it('sets the quota, counting what the world holds', async () => {
    // Prepare: 5 of 10 used; 5 more objects fit.
    for (let i = 0; i < 5; i++) expect((await call('POST', '/applications', { displayName: `n${i}` })).status).toBe(201);
    // Act
    const refused = await call('POST', '/applications', { displayName: 'one too many' });
    // Assess
    expect(refused.status).toBe(403);
    expect(refused.body?.error.code).toBe('Directory_QuotaExceeded');
  });

  it('injects the IAM faults into the SDK calls, after the skipped ones', async () => {
    // Prepare
    const { Credentials } = await new STSClient({ region: 'us-east-1' }).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/automation`, RoleSessionName: 'test' }),
    );
    const client = new IAMClient({
      region: 'us-east-1',
      credentials: {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken!,
      },
    });
    const update = () =>
      client.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'with-id', PolicyDocument: JSON.stringify(POLICY) })).then(
        () => 'ok',
        (error: Error) => error,
      );
    // Act
    const results = [await update(), await update(), await update()];
    await client.send(new GetRoleCommand({ RoleName: 'with-id' }));
    // Assess
    expect(results[0]).toBe('ok');
    expect(results[1]).toBeInstanceOf(ConcurrentModificationException);
    expect(results[2]).toBeInstanceOf(ConcurrentModificationException);
  });
});

describe('the output of a run', () => {
  it('shows the tenant in the world\'s shapes: owners and creators ("automation"), deleted items, service principal types, role IDs', async () => {
    // Act
    const output = await runSimulation({
      world: parseWorld(fullWorld()),
      events: [],
      config: parseConfig(EXAMPLE_CONFIG),
      logger: silentLogger,
    });
    // Assess
    expect(Object.keys(output.entra)).toEqual([
      'users',
      'applications',
      'servicePrincipals',
      'deletedItems',
      'quota',
      'createdObjectsIncludeDeleted',
      'createdObjectsCast',
      'createdObjectsListApplications',
      'filterOnUniqueName',
      'deletedItemsFilterOnAppId',
    ]);
    expect(output.entra).toMatchObject({ users: [USER, OTHER_USER], quota: 10, createdObjectsIncludeDeleted: false });
    expect(output.entra.applications).toEqual([
      {
        ...APP,
        uniqueName: 'ours',
        displayName: 'ours',
        owners: ['automation', USER],
        createdBy: 'automation',
        federatedIdentityCredentials: [],
      },
      {
        id: expect.any(String),
        appId: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd',
        uniqueName: null,
        displayName: 'hand-made',
        owners: [OTHER_USER],
        createdBy: OTHER_USER,
        federatedIdentityCredentials: [],
      },
    ]);
    expect(output.entra.servicePrincipals).toEqual([
      { ...IDENTITY, displayName: 'vm-identity', servicePrincipalType: 'ManagedIdentity', accountEnabled: true, createdBy: null },
      {
        id: SP_ID,
        appId: APP.appId,
        displayName: 'ours',
        servicePrincipalType: 'Application',
        accountEnabled: true,
        createdBy: 'automation',
      },
    ]);
    expect(output.entra.deletedItems).toEqual({
      applications: [{ ...DELETED_APP, uniqueName: 'old', displayName: 'old', createdBy: 'automation' }],
      servicePrincipals: [
        { id: DELETED_SP, appId: DELETED_APP.appId, createdBy: 'automation' },
        { ...ORPHAN_SP, createdBy: 'automation' },
      ],
    });
    expect((output.iam[ACCOUNT] as { roles: { roleId: string }[] }).roles[0]?.roleId).toBe('AROAWORLD000000000001');
    expect(output.calls).toEqual({});
  });
});

describe('the documented call keys', () => {
  it('are exactly the keys the Graph fake and the IAM model answer', () => {
    // Prepare
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'simulate.md'), 'utf8');
    // Act
    const documented = [...doc.matchAll(/^\| `((?:graph|iam|sts):[^`]+)` \|/gm)].map((m) => m[1]);
    // Assess
    expect(documented.sort()).toEqual([...GRAPH_CALL_KEYS, ...IAM_CALL_KEYS].sort());
  });
});

describe('automationRecords', () => {
  const record = {
    uniqueName: 'aws-123456789012-0000000000000000-aroaworld000000000009',
    identity: 'automation',
    account: '123456789012',
    roleName: 'every-field',
    roleId: 'AROAWORLD000000000009',
    state: 'intent',
    at: '2025-01-01T00:00:00.000Z',
  };

  it('refuses a record whose name is not the one its account, role name and role ID make, naming the field and the expected name', () => {
    // Act / Assess
    expect(() => parseWorld({ accounts: {}, automationRecords: [record] })).toThrow(
      /automationRecords\.0\.uniqueName: .*expected "aws-123456789012-[0-9a-f]{16}-aroaworld000000000009"/,
    );
  });

  it('refuses two records of one name', () => {
    // Prepare
    const named = { ...record, uniqueName: applicationUniqueName('123456789012', 'every-field', 'AROAWORLD000000000009') };
    // Act / Assess
    expect(() => parseWorld({ accounts: {}, automationRecords: [named, named] })).toThrow(
      /automationRecords\.1\.uniqueName: a second record/,
    );
  });
});
