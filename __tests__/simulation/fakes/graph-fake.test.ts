import { randomUUID } from 'node:crypto';
import { GraphFakeState } from '../../../simulation/fakes/graph-state';
import { startGraphFake, type GraphFake } from '../../../simulation/fakes/graph-fake';
import { normalizeRoute } from '../../../simulation/fakes/graph-routes';

let fake: GraphFake;
beforeEach(async () => {
  fake = await startGraphFake();
});
afterEach(async () => {
  await fake.close();
});

type Answer = { status: number; headers: Headers; body: Record<string, any> | undefined };

async function graph(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const url = /^https?:/.test(path) ? path : `${fake.baseUrl}${path}`;
  const res = await fetch(url, {
    method,
    headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

/** POST /applications with the body the automation's client sends. */
const create = (uniqueName: string, extra: Record<string, unknown> = {}) =>
  graph('POST', '/applications', {
    uniqueName,
    displayName: `display ${uniqueName}`,
    signInAudience: 'AzureADMyOrg',
    notes: 'managed by automation',
    api: { requestedAccessTokenVersion: 2 },
    ...extra,
  });

const upsert = (uniqueName: string) =>
  graph('PATCH', `/applications(uniqueName='${uniqueName}')`, { displayName: uniqueName }, { Prefer: 'create-if-missing' });

const ownerRef = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
const automation = () => fake.state.automationServicePrincipalId;
/** An application someone else created (the automation is not its owner). */
const foreignApplication = (uniqueName = 'hand-made') =>
  fake.state.seedApplication({ uniqueName, displayName: 'hand made', createdBy: randomUUID(), servicePrincipalId: randomUUID() });

describe('requests, call keys and faults', () => {
  it('listens on loopback only', () => {
    // Assess
    expect(new URL(fake.baseUrl).hostname).toBe('127.0.0.1');
  });

  it('requires a bearer token, with a Graph error body', async () => {
    // Act
    const res = await fetch(`${fake.baseUrl}/applications(uniqueName='x')`);
    // Assess
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
  });

  it('counts calls per normalized route with stable keys, unmodelled paths included', async () => {
    // Prepare
    const app = await create('counted');
    // Act
    await graph('POST', `/applications/${app.body?.id}/owners/$ref`, ownerRef(automation()));
    await graph('GET', `/servicePrincipals(appId='${app.body?.appId}')`);
    await graph('GET', `/servicePrincipals/${automation()}/createdObjects/${app.body?.id}`);
    await graph('GET', `/applications/${app.body?.id}/owners`);
    // Assess
    expect(fake.calls).toEqual({
      'graph:POST /applications': 1,
      'graph:POST /applications/{id}/owners/$ref': 1,
      'graph:GET /servicePrincipals(appId)': 1,
      'graph:GET /servicePrincipals/{id}/createdObjects/{objectId}': 1,
      'graph:GET /applications/{id}/owners': 1,
    });
    expect(normalizeRoute('/directory/deletedItems/123')).toBe('/directory/deletedItems/{id}');
    expect(normalizeRoute('/directory/deletedItems/microsoft.graph.application')).toBe(
      '/directory/deletedItems/microsoft.graph.application',
    );
  });

  it('answers 400 to a request it does not model and to a body that is not JSON', async () => {
    // Act
    const unmodelled = await graph('PATCH', '/servicePrincipals/x/owners', {});
    const notJson = await fetch(`${fake.baseUrl}/applications`, { method: 'POST', headers: { Authorization: 'Bearer t' }, body: '{' });
    // Assess
    expect(unmodelled.status).toBe(400);
    expect(unmodelled.body?.error.message).toMatch(/does not model PATCH \/servicePrincipals\/x\/owners/);
    expect(notJson.status).toBe(400);
  });

  it("PATCHes accountEnabled of a service principal the automation owns, refuses another's (403) and any other property (400)", async () => {
    // Prepare
    const app = fake.state.seedApplication({ displayName: 'ours', servicePrincipalId: randomUUID() });
    const ours = fake.state.liveServicePrincipalByAppId(app.appId)!;
    const managed = fake.state.seedServicePrincipal({ id: randomUUID(), appId: randomUUID(), servicePrincipalType: 'ManagedIdentity' });
    // Act
    const disabled = await graph('PATCH', `/servicePrincipals/${ours.id}`, { accountEnabled: false });
    const read = await graph('GET', `/servicePrincipals/${ours.id}`);
    const refused = await graph('PATCH', `/servicePrincipals/${managed.id}`, { accountEnabled: false });
    const other = await graph('PATCH', `/servicePrincipals/${ours.id}`, { displayName: 'renamed' });
    // Assess
    expect(disabled.status).toBe(204);
    expect(read.body).toMatchObject({ id: ours.id, accountEnabled: false });
    expect(refused.status).toBe(403);
    expect(managed.accountEnabled).toBe(true);
    expect(other.status).toBe(400);
  });

  it('serves shorthand faults to matching requests only, then recovers', async () => {
    // Prepare
    fake.faults.inject({ method: 'PATCH', route: /uniqueName/, kind: 'throttle', count: 1, retryAfterSeconds: 9 });
    fake.faults.inject({ method: 'GET', kind: 'unavailable', count: 1 });
    // Act
    const throttled = await upsert('x');
    const unavailable = await graph('GET', "/applications(uniqueName='x')");
    const created = await upsert('x');
    // Assess
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('9');
    expect(unavailable.status).toBe(503);
    expect(created.status).toBe(201);
    expect(fake.faults.served).toMatchObject({ throttle: 1, unavailable: 1 });
  });

  it('serves a rule on a call key with its status and code, counting the call', async () => {
    // Prepare
    fake.state.addUsers('a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d');
    const app = await create('owned');
    fake.faults.add({ call: 'graph:POST /applications/{id}/owners/$ref', answer: { status: 403, code: 'Authorization_RequestDenied' } });
    // Act
    const refused = await graph('POST', `/applications/${app.body?.id}/owners/$ref`, ownerRef('a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d'));
    const added = await graph('POST', `/applications/${app.body?.id}/owners/$ref`, ownerRef('a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d'));
    // Assess
    expect(refused.status).toBe(403);
    expect(refused.body?.error).toMatchObject({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    expect(added.status).toBe(204);
    expect(fake.calls['graph:POST /applications/{id}/owners/$ref']).toBe(2);
  });

  it('shapes an injected replication-lag code the way Graph sends it: in error.details', async () => {
    // Prepare
    fake.faults.add({ call: 'graph:POST /servicePrincipals', answer: { status: 400, code: 'NoBackingApplicationObject' } });
    // Act
    const res = await graph('POST', '/servicePrincipals', { appId: randomUUID() });
    // Assess
    expect(res.status).toBe(400);
    expect(res.body?.error).toMatchObject({ code: 'Request_BadRequest', details: [{ code: 'NoBackingApplicationObject' }] });
    expect(fake.faults.served['replication-lag']).toBe(1);
  });

  it('replays the same storm for the same seed', async () => {
    // Prepare
    const run = async () => {
      fake.faults.clear();
      fake.faults.startStorm({ probability: 0.5, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await graph('GET', "/applications(uniqueName='none')")).status);
      return statuses;
    };
    // Act
    const first = await run();
    const second = await run();
    // Assess
    expect(first).toEqual(second);
    expect(new Set(first)).toEqual(new Set([404, 429, 503]));
  });
});

describe('POST /applications', () => {
  it('answers 201 with the application, created and owned by the automation', async () => {
    // Act
    const res = await create('app-1');
    // Assess
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      '@odata.context': expect.stringMatching(/\$metadata#applications\/\$entity$/),
      id: expect.any(String),
      appId: expect.any(String),
      uniqueName: 'app-1',
      displayName: 'display app-1',
      signInAudience: 'AzureADMyOrg',
      notes: 'managed by automation',
      api: { requestedAccessTokenVersion: 2 },
      createdDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      deletedDateTime: null,
    });
    expect(fake.state.liveApplication(res.body?.id)).toMatchObject({ createdBy: automation(), owners: [automation()] });
  });

  it.each([
    ['a live application', async () => undefined],
    ['a soft-deleted application', async (id: string) => void (await graph('DELETE', `/applications/${id}`))],
  ])('refuses a uniqueName already used by %s, naming the property', async (_what, afterFirst) => {
    // Prepare
    const first = await create('taken');
    await afterFirst(first.body?.id);
    // Act
    const again = await create('taken');
    // Assess
    expect(again.status).toBe(400);
    expect(again.body?.error).toMatchObject({
      code: 'Request_BadRequest',
      message: 'Another object with the same value for property uniqueName already exists.',
      details: [{ code: 'ObjectConflict', target: 'uniqueName' }],
    });
  });

  it.each([
    [{ displayName: undefined }, /displayName/],
    [{ displayName: '' }, /displayName/],
    [{ signInAudience: 'Everyone' }, /signInAudience/],
    [{ api: { requestedAccessTokenVersion: 3 } }, /'api'/],
    [{ web: { redirectUris: [] } }, /Property 'web'/],
  ])('refuses a body with %p', async (extra, message) => {
    // Act
    const res = await create('bad', extra);
    // Assess
    expect(res.status).toBe(400);
    expect(res.body?.error.message).toMatch(message);
    expect(fake.state.listApplications()).toEqual([]);
  });

  it('refuses past the creator quota with Directory_QuotaExceeded, top-level by default', async () => {
    // Prepare
    fake.state.ownedObjectLimit = 1;
    await create('one');
    // Act
    const res = await create('two');
    // Assess
    expect(res.status).toBe(403);
    expect(res.body?.error).toMatchObject({
      code: 'Directory_QuotaExceeded',
      message: expect.stringMatching(/quota limit for the Principal/),
    });
    expect(res.body?.error.details).toBeUndefined();
  });

  it('can shape the quota refusal with the code in error.details (the other reading)', async () => {
    // Prepare
    fake.state.ownedObjectLimit = 0;
    fake.state.quotaErrorForm = 'details';
    // Act
    const res = await create('one');
    // Assess
    expect(res.status).toBe(400);
    expect(res.body?.error).toMatchObject({ code: 'Request_BadRequest', details: [{ code: 'Directory_QuotaExceeded' }] });
  });
});

describe('PATCH /applications(uniqueName) (upsert)', () => {
  it('answers 201 with an @odata.context, then 204', async () => {
    // Act
    const created = await upsert('app-65278');
    const updated = await upsert('app-65278');
    // Assess (shapes from learn.microsoft.com/graph/api/application-upsert examples)
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      '@odata.context': expect.stringMatching(/\$metadata#applications\/\$entity$/),
      uniqueName: 'app-65278',
    });
    expect(updated.status).toBe(204);
    expect(fake.state.listApplications()).toHaveLength(1);
  });

  it('answers 404 without Prefer: create-if-missing for an unknown name', async () => {
    // Act
    const res = await graph('PATCH', "/applications(uniqueName='nope')", { displayName: 'x' });
    // Assess
    expect(res.status).toBe(404);
  });

  it('keeps uniqueName unique across soft-deleted applications', async () => {
    // Prepare
    const created = await upsert('taken');
    await graph('DELETE', `/applications/${created.body?.id}`);
    // Act
    const again = await upsert('taken');
    // Assess
    expect(again.status).toBe(400);
    expect(again.body?.error.message).toMatch(/uniqueName already exists/);
  });

  it('refuses to update an application the automation does not own (Application.ReadWrite.OwnedBy)', async () => {
    // Prepare
    const foreign = foreignApplication('theirs');
    // Act
    const res = await upsert('theirs');
    // Assess
    expect(res.status).toBe(403);
    expect(res.body?.error.code).toBe('Authorization_RequestDenied');
    expect(fake.state.liveApplication(foreign.id)?.displayName).toBe('hand made');
  });

  it('refuses every write to an application the automation created but an owner took it off, and still lets it read the owners', async () => {
    // Prepare: created by the automation (Graph's record), then its only owner is a user (application-delete-owners)
    const owner = randomUUID();
    fake.state.addUsers(owner);
    const taken = fake.state.seedApplication({
      uniqueName: 'taken',
      displayName: 'taken',
      owners: [owner],
      servicePrincipalId: randomUUID(),
    });
    // Act
    const writes = [
      await upsert('taken'),
      await graph('POST', `/applications/${taken.id}/federatedIdentityCredentials`, {
        name: 'ci',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:org/app:ref:refs/heads/main',
        audiences: ['api://AzureADTokenExchange'],
      }),
      await graph('POST', `/applications/${taken.id}/owners/$ref`, ownerRef(automation())),
      await graph('DELETE', `/applications/${taken.id}`),
    ];
    const owners = await graph('GET', `/applications/${taken.id}/owners?$select=id`);
    // Assess: 403 Authorization_RequestDenied each (https://learn.microsoft.com/graph/permissions-reference#applicationreadwriteownedby)
    expect(writes.map((res) => [res.status, res.body?.error.code])).toEqual(Array(4).fill([403, 'Authorization_RequestDenied']));
    expect(fake.state.liveApplication(taken.id)?.owners).toEqual([owner]);
    expect(owners.status).toBe(200);
    expect(owners.body?.value.map((item: { id: string }) => item.id)).toEqual([owner]);
  });

  it('rejects an unescaped quote in an OData key', async () => {
    // Act
    const res = await graph('GET', "/applications(uniqueName='o'brien')");
    // Assess
    expect(res.status).toBe(400);
  });
});

describe('GET /applications', () => {
  it('reads one by uniqueName with $select, and answers 404 once it is deleted', async () => {
    // Prepare
    const app = await create('read-me');
    // Act
    const read = await graph('GET', "/applications(uniqueName='read-me')?$select=id,appId,uniqueName");
    await graph('DELETE', `/applications/${app.body?.id}`);
    const gone = await graph('GET', "/applications(uniqueName='read-me')?$select=id");
    // Assess
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      '@odata.context': expect.any(String),
      id: app.body?.id,
      appId: app.body?.appId,
      uniqueName: 'read-me',
    });
    expect(gone.status).toBe(404);
    expect(gone.body?.error.code).toBe('Request_ResourceNotFound');
  });

  it('refuses a $select of a property the type does not have', async () => {
    // Prepare
    await create('x');
    // Act
    const res = await graph('GET', "/applications(uniqueName='x')?$select=id,colour");
    // Assess
    expect(res.status).toBe(400);
    expect(res.body?.error.message).toMatch(/property named 'colour'/);
  });

  it('lists applications by displayName, whoever created them', async () => {
    // Prepare
    const mine = await create('mine', { displayName: 'shared name' });
    const theirs = fake.state.seedApplication({ displayName: 'shared name', createdBy: randomUUID() });
    await create('other', { displayName: 'other name' });
    // Act
    const res = await graph('GET', `/applications?$filter=${encodeURIComponent("displayName eq 'shared name'")}&$select=id,displayName`);
    // Assess
    expect(res.status).toBe(200);
    expect(res.body?.value).toEqual([
      { id: mine.body?.id, displayName: 'shared name' },
      { id: theirs.id, displayName: 'shared name' },
    ]);
  });

  it('refuses a filter it does not support and a page size out of 1..999', async () => {
    // Act
    const filter = await graph('GET', `/applications?$filter=${encodeURIComponent("startswith(displayName,'x')")}`);
    const top = await graph('GET', '/applications?$top=1000');
    // Assess
    expect(filter.status).toBe(400);
    expect(filter.body?.error.code).toBe('Request_UnsupportedQuery');
    expect(top.status).toBe(400);
    expect(top.body?.error.message).toBe("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
  });

  it('reads one by object ID', async () => {
    // Prepare
    const app = await create('by-id');
    // Act
    const read = await graph('GET', `/applications/${app.body?.id}`);
    const unknown = await graph('GET', `/applications/${randomUUID()}`);
    // Assess
    expect(read.body).toMatchObject({ id: app.body?.id, uniqueName: 'by-id' });
    expect(unknown.status).toBe(404);
  });
});

describe('createdObjects of a service principal', () => {
  it('answers 200 with the @odata.type for a live object the service principal created, 404 otherwise', async () => {
    // Prepare
    const app = await create('ours');
    const sp = await graph('POST', '/servicePrincipals', { appId: app.body?.appId });
    const foreign = foreignApplication();
    const deleted = await create('deleted');
    await graph('DELETE', `/applications/${deleted.body?.id}`);
    const base = `/servicePrincipals/${automation()}/createdObjects`;
    // Act
    const ownApp = await graph('GET', `${base}/${app.body?.id}`);
    const ownSp = await graph('GET', `${base}/${sp.body?.id}?$select=id,appId`);
    const notOurs = await graph('GET', `${base}/${foreign.id}`);
    const softDeleted = await graph('GET', `${base}/${deleted.body?.id}`);
    const unknownCreator = await graph('GET', `/servicePrincipals/${randomUUID()}/createdObjects/${app.body?.id}`);
    // Assess
    expect(ownApp.status).toBe(200);
    expect(ownApp.body).toMatchObject({ '@odata.type': '#microsoft.graph.application', id: app.body?.id, uniqueName: 'ours' });
    expect(ownSp.body).toEqual({
      '@odata.context': expect.any(String),
      '@odata.type': '#microsoft.graph.servicePrincipal',
      id: sp.body?.id,
      appId: app.body?.appId,
    });
    expect([notOurs.status, softDeleted.status, unknownCreator.status]).toEqual([404, 404, 404]);
  });

  it('lists the live applications it created, page by page, with next links on the same origin', async () => {
    // Prepare
    const created = [await create('a'), await create('b'), await create('c')];
    await graph('POST', '/servicePrincipals', { appId: created[0]?.body?.appId });
    foreignApplication();
    const gone = await create('gone');
    await graph('DELETE', `/applications/${gone.body?.id}`);
    // Act
    const first = await graph(
      'GET',
      `/servicePrincipals/${automation()}/createdObjects/microsoft.graph.application?$select=id,uniqueName&$top=2`,
    );
    const second = await graph('GET', first.body?.['@odata.nextLink']);
    // Assess
    expect(new URL(first.body?.['@odata.nextLink']).origin).toBe(new URL(fake.baseUrl).origin);
    expect(first.body?.value).toEqual([
      { '@odata.type': '#microsoft.graph.application', id: created[0]?.body?.id, uniqueName: 'a' },
      { '@odata.type': '#microsoft.graph.application', id: created[1]?.body?.id, uniqueName: 'b' },
    ]);
    expect(second.body?.value).toEqual([{ '@odata.type': '#microsoft.graph.application', id: created[2]?.body?.id, uniqueName: 'c' }]);
    expect(second.body?.['@odata.nextLink']).toBeUndefined();
  });

  it('lists applications and service principals untyped, each with its type', async () => {
    // Prepare
    const app = await create('both');
    const sp = await graph('POST', '/servicePrincipals', { appId: app.body?.appId });
    // Act
    const res = await graph('GET', `/servicePrincipals/${automation()}/createdObjects?$select=id`);
    // Assess
    expect(res.body?.value).toEqual([
      { '@odata.type': '#microsoft.graph.application', id: app.body?.id },
      { '@odata.type': '#microsoft.graph.servicePrincipal', id: sp.body?.id },
    ]);
  });
});

describe('service principals', () => {
  it('creates one per application: 201 with its type, then 409 Request_MultipleObjectsWithSameKeyValue', async () => {
    // Prepare
    const app = await create('sp');
    // Act
    const first = await graph('POST', '/servicePrincipals', { appId: app.body?.appId });
    const second = await graph('POST', '/servicePrincipals', { appId: app.body?.appId });
    // Assess
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ appId: app.body?.appId, servicePrincipalType: 'Application' });
    expect(second.status).toBe(409);
    expect(second.body?.error).toMatchObject({
      code: 'Request_MultipleObjectsWithSameKeyValue',
      message: expect.stringMatching(/already in use/),
    });
  });

  it('answers replication lag right after the application was created, with the code in error.details', async () => {
    // Prepare
    fake.state.replicationLagPerApplication = 1;
    const app = await create('lagging');
    // Act
    const first = await graph('POST', '/servicePrincipals', { appId: app.body?.appId });
    const second = await graph('POST', '/servicePrincipals', { appId: app.body?.appId });
    // Assess
    expect(first.status).toBe(400);
    expect(first.body?.error).toMatchObject({
      code: 'Request_BadRequest',
      message: `The appId '${app.body?.appId}' of the service principal does not reference a valid application object.`,
      details: [{ code: 'NoBackingApplicationObject', target: 'appId' }],
    });
    expect(second.status).toBe(201);
    expect(fake.faults.served['replication-lag']).toBe(1);
  });

  it('answers NoBackingApplicationObject for an appId no live application has', async () => {
    // Act
    const res = await graph('POST', '/servicePrincipals', { appId: randomUUID() });
    // Assess
    expect(res.body?.error.details).toEqual([expect.objectContaining({ code: 'NoBackingApplicationObject' })]);
  });

  it('reads by appId and by object ID, with servicePrincipalType; the automation and managed identities included', async () => {
    // Prepare
    const app = await create('readable');
    const sp = await graph('POST', '/servicePrincipals', { appId: app.body?.appId });
    const identity = fake.state.seedServicePrincipal({
      id: randomUUID(),
      appId: randomUUID(),
      displayName: 'vm',
      servicePrincipalType: 'ManagedIdentity',
    });
    // Act
    const byAppId = await graph('GET', `/servicePrincipals(appId='${app.body?.appId}')?$select=id,appId`);
    const byId = await graph('GET', `/servicePrincipals/${sp.body?.id}`);
    const managed = await graph('GET', `/servicePrincipals/${identity.id}?$select=id,servicePrincipalType`);
    const own = await graph('GET', `/servicePrincipals/${automation()}`);
    const unknown = await graph('GET', `/servicePrincipals(appId='${randomUUID()}')`);
    // Assess
    expect(byAppId.body).toEqual({ '@odata.context': expect.any(String), id: sp.body?.id, appId: app.body?.appId });
    expect(byId.body).toMatchObject({ id: sp.body?.id, servicePrincipalType: 'Application' });
    expect(managed.body).toEqual({ '@odata.context': expect.any(String), id: identity.id, servicePrincipalType: 'ManagedIdentity' });
    expect(own.body).toMatchObject({ id: automation(), servicePrincipalType: 'Application' });
    expect(unknown.status).toBe(404);
  });
});

describe('deleting and purging', () => {
  it('soft-deletes the application and its service principal; both stay in deletedItems and count against the quota', async () => {
    // Prepare
    const app = await create('doomed');
    const sp = await graph('POST', '/servicePrincipals', { appId: app.body?.appId });
    // Act
    const deleted = await graph('DELETE', `/applications/${app.body?.id}`);
    const apps = await graph(
      'GET',
      `/directory/deletedItems/microsoft.graph.application?$filter=${encodeURIComponent("uniqueName eq 'doomed'")}`,
    );
    const sps = await graph(
      'GET',
      `/directory/deletedItems/microsoft.graph.servicePrincipal?$filter=${encodeURIComponent(`appId eq '${app.body?.appId}'`)}&$select=id,appId`,
    );
    const readSp = await graph('GET', `/servicePrincipals/${sp.body?.id}`);
    // Assess
    expect(deleted.status).toBe(204);
    expect(apps.body?.value).toEqual([expect.objectContaining({ '@odata.type': '#microsoft.graph.application', id: app.body?.id })]);
    expect(sps.body?.value).toEqual([{ '@odata.type': '#microsoft.graph.servicePrincipal', id: sp.body?.id, appId: app.body?.appId }]);
    expect(readSp.status).toBe(404);
    expect(fake.state.ownedObjectCount()).toBe(2);
  });

  it('refuses to delete an application the automation does not own, and answers 404 for an unknown one', async () => {
    // Prepare
    const foreign = foreignApplication();
    // Act
    const refused = await graph('DELETE', `/applications/${foreign.id}`);
    const unknown = await graph('DELETE', `/applications/${randomUUID()}`);
    // Assess
    expect(refused.status).toBe(403);
    expect(fake.state.liveApplication(foreign.id)).toBeDefined();
    expect(unknown.status).toBe(404);
  });

  it('purges a soft-deleted application and service principal (204, then 404), freeing the quota', async () => {
    // Prepare
    const app = await create('purged');
    const sp = await graph('POST', '/servicePrincipals', { appId: app.body?.appId });
    await graph('DELETE', `/applications/${app.body?.id}`);
    // Act
    const purgeApp = await graph('DELETE', `/directory/deletedItems/${app.body?.id}`);
    const purgeSp = await graph('DELETE', `/directory/deletedItems/${sp.body?.id}`);
    const again = await graph('DELETE', `/directory/deletedItems/${sp.body?.id}`);
    // Assess
    expect([purgeApp.status, purgeSp.status, again.status]).toEqual([204, 204, 404]);
    expect(fake.state.listDeletedApplications()).toEqual([]);
    expect(fake.state.listDeletedServicePrincipals()).toEqual([]);
    expect(fake.state.ownedObjectCount()).toBe(0);
  });

  it('answers 404 to a purge of a live object, and of a just-deleted one while it is not visible yet', async () => {
    // Prepare
    fake.state.purgeLagPerDeletion = 1;
    const app = await create('lag');
    const live = await graph('DELETE', `/directory/deletedItems/${app.body?.id}`);
    await graph('DELETE', `/applications/${app.body?.id}`);
    // Act
    const notYet = await graph('DELETE', `/directory/deletedItems/${app.body?.id}`);
    const purged = await graph('DELETE', `/directory/deletedItems/${app.body?.id}`);
    // Assess
    expect([live.status, notYet.status, purged.status]).toEqual([404, 404, 204]);
  });

  it('refuses to purge what the automation does not own', async () => {
    // Prepare
    const foreign = fake.state.seedApplication({ displayName: 'theirs', createdBy: randomUUID(), deleted: true });
    // Act
    const res = await graph('DELETE', `/directory/deletedItems/${foreign.id}`);
    // Assess
    expect(res.status).toBe(403);
    expect(fake.state.listDeletedApplications()).toHaveLength(1);
  });

  it('answers 400 to a deletedItems filter when the tenant refuses filters', async () => {
    // Prepare
    await fake.close();
    fake = await startGraphFake({ deletedItemsFilter: false });
    // Act
    const res = await graph(
      'GET',
      `/directory/deletedItems/microsoft.graph.application?$filter=${encodeURIComponent("uniqueName eq 'x'")}`,
    );
    // Assess
    expect(res.status).toBe(400);
  });
});

describe('POST /applications/{id}/owners/$ref', () => {
  const USER = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';

  it('adds a user (204), then answers 400 "already exist"', async () => {
    // Prepare
    fake.state.addUsers(USER);
    const app = await create('owned');
    // Act
    const added = await graph('POST', `/applications/${app.body?.id}/owners/$ref`, ownerRef(USER));
    const again = await graph('POST', `/applications/${app.body?.id}/owners/$ref`, ownerRef(USER));
    // Assess
    expect(added.status).toBe(204);
    expect(again.status).toBe(400);
    expect(again.body?.error.message).toBe(
      "One or more added object references already exist for the following modified properties: 'owners'.",
    );
    expect(fake.state.liveApplication(app.body?.id)?.owners).toEqual([automation(), USER]);
  });

  it('accepts a service principal as owner', async () => {
    // Prepare
    const identity = fake.state.seedServicePrincipal({ id: randomUUID(), appId: randomUUID(), servicePrincipalType: 'ManagedIdentity' });
    const app = await create('sp-owned');
    // Act
    const res = await graph('POST', `/applications/${app.body?.id}/owners/$ref`, ownerRef(identity.id));
    // Assess
    expect(res.status).toBe(204);
  });

  it('answers 404 Request_ResourceNotFound for an object that does not exist, 400 for a malformed reference', async () => {
    // Prepare
    const app = await create('owned');
    const stranger = randomUUID();
    // Act
    const unknown = await graph('POST', `/applications/${app.body?.id}/owners/$ref`, ownerRef(stranger));
    const malformed = await graph('POST', `/applications/${app.body?.id}/owners/$ref`, { '@odata.id': 'not-a-reference' });
    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.body?.error).toMatchObject({ code: 'Request_ResourceNotFound', message: expect.stringContaining(stranger) });
    expect(malformed.status).toBe(400);
  });

  it('answers 404 right after the application was created while it replicates', async () => {
    // Prepare
    fake.state.addUsers(USER);
    fake.state.subresourceLagPerApplication = 2;
    const app = await create('fresh');
    // Act
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await graph('POST', `/applications/${app.body?.id}/owners/$ref`, ownerRef(USER))).status);
    // Assess
    expect(statuses).toEqual([404, 404, 204]);
    expect(fake.faults.served['replication-lag']).toBe(2);
  });

  it('refuses to add owners to an application the automation does not own', async () => {
    // Prepare
    fake.state.addUsers(USER);
    const foreign = foreignApplication();
    // Act
    const res = await graph('POST', `/applications/${foreign.id}/owners/$ref`, ownerRef(USER));
    // Assess
    expect(res.status).toBe(403);
    expect(foreign.owners).toEqual([]);
  });
});

describe('the creator quota', () => {
  it('counts live and soft-deleted applications and service principals the automation created, not others', async () => {
    // Prepare
    fake.state.ownedObjectLimit = 3;
    foreignApplication();
    const a = await create('a');
    await graph('POST', '/servicePrincipals', { appId: a.body?.appId });
    await graph('DELETE', `/applications/${a.body?.id}`);
    const b = await create('b');
    // Act
    const sp = await graph('POST', '/servicePrincipals', { appId: b.body?.appId });
    const c = await create('c');
    // Assess
    expect(sp.status).toBe(403);
    expect(sp.body?.error.code).toBe('Directory_QuotaExceeded');
    expect(c.status).toBe(403);
    expect(fake.state.ownedObjectCount()).toBe(3);
  });

  it('keeps uniqueName and appId unique when a test or world seeds the directory', () => {
    // Prepare
    const state = new GraphFakeState();
    const app = state.seedApplication({ uniqueName: 'one', displayName: 'x', deleted: true });
    // Act
    const sameName = () => state.seedApplication({ uniqueName: 'one', displayName: 'y' });
    const sameAppId = () => state.seedApplication({ appId: app.appId, displayName: 'z' });
    // Assess
    expect(sameName).toThrow(/uniqueName one is taken/);
    expect(sameAppId).toThrow(/appId .* is taken/);
  });

  it('counts purged objects a quarter under the stricter reading of the service limits page', () => {
    // Prepare
    const state = new GraphFakeState();
    const items = [1, 2, 3, 4].map(() => state.seedApplication({ displayName: 'x', deleted: true }));
    state.purgedObjectsCountAQuarter = true;
    // Act
    for (const item of items) state.purge(item);
    // Assess
    expect(state.ownedObjectCount()).toBe(1);
  });
});

describe('the open readings (GraphReadings, docs/simulate.md#the-open-readings)', () => {
  /** Graph's 400 for a refused request: `{"error":{"code":"Request_BadRequest","message":"…"}}`. */
  const refused = (answer: Answer) => {
    expect(answer.status).toBe(400);
    expect(answer.body?.error).toEqual(
      expect.objectContaining({ code: 'Request_BadRequest', message: expect.stringMatching(/\S/) as unknown as string }),
    );
  };
  const createdObjects = () => `/servicePrincipals/${automation()}/createdObjects`;

  it('createdObjectsCast rejected: a cast after createdObjects is a 400, the untyped listing still answers with @odata.type', async () => {
    // Prepare
    const created = await create('cast');
    fake.state.readings.createdObjectsCast = 'rejected';
    // Act
    const applications = await graph('GET', `${createdObjects()}/microsoft.graph.application`);
    const servicePrincipals = await graph('GET', `${createdObjects()}/microsoft.graph.servicePrincipal`);
    const all = await graph('GET', createdObjects());
    // Assess
    refused(applications);
    refused(servicePrincipals);
    expect(all.status).toBe(200);
    expect(all.body?.value).toEqual([expect.objectContaining({ '@odata.type': '#microsoft.graph.application', id: created.body?.id })]);
  });

  it('createdObjectsListApplications false: applications leave createdObjects, service principals stay, the quota still counts both', async () => {
    // Prepare
    const created = await create('unlisted');
    await graph('POST', '/servicePrincipals', { appId: created.body?.appId });
    fake.state.readings.createdObjectsListApplications = false;
    // Act
    const all = await graph('GET', createdObjects());
    const applications = await graph('GET', `${createdObjects()}/microsoft.graph.application`);
    const one = await graph('GET', `${createdObjects()}/${created.body?.id}`);
    // Assess
    expect(all.body?.value.map((item: { '@odata.type': string }) => item['@odata.type'])).toEqual(['#microsoft.graph.servicePrincipal']);
    expect(applications.body?.value).toEqual([]);
    expect(one.status).toBe(404);
    expect(fake.state.ownedObjectCount()).toBe(2);
  });

  it('filterOnUniqueName rejected: any $filter naming uniqueName is a 400, on /applications and under deletedItems; others answer', async () => {
    // Prepare
    await create('aws-filter-1');
    fake.state.readings.filterOnUniqueName = 'rejected';
    // Act
    const startsWith = await graph('GET', `/applications?$filter=${encodeURIComponent("startswith(uniqueName,'aws-')")}`);
    const deleted = await graph(
      'GET',
      `/directory/deletedItems/microsoft.graph.application?$filter=${encodeURIComponent("uniqueName eq 'x'")}`,
    );
    const byDisplayName = await graph('GET', `/applications?$filter=${encodeURIComponent("displayName eq 'display aws-filter-1'")}`);
    const byKey = await graph('GET', "/applications(uniqueName='aws-filter-1')");
    // Assess
    refused(startsWith);
    refused(deleted);
    expect(byDisplayName.body?.value).toHaveLength(1);
    expect(byKey.status).toBe(200);
  });

  it('deletedItemsFilterOnAppId rejected: $filter on appId under deletedItems is a 400; the unfiltered listing answers', async () => {
    // Prepare
    fake.state.readings.deletedItemsFilterOnAppId = 'rejected';
    const filter = `$filter=${encodeURIComponent(`appId eq '${randomUUID()}'`)}`;
    // Act
    const servicePrincipals = await graph('GET', `/directory/deletedItems/microsoft.graph.servicePrincipal?${filter}`);
    const applications = await graph('GET', `/directory/deletedItems/microsoft.graph.application?${filter}`);
    const all = await graph('GET', '/directory/deletedItems/microsoft.graph.servicePrincipal');
    // Assess
    refused(servicePrincipals);
    refused(applications);
    expect(all.status).toBe(200);
  });

  it('the defaults are the accepting readings', () => {
    // Assess
    expect(new GraphFakeState().readings).toEqual({
      createdObjectsCast: 'accepted',
      createdObjectsListApplications: true,
      filterOnUniqueName: 'accepted',
      deletedItemsFilterOnAppId: 'accepted',
    });
  });
});
