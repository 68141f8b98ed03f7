import { startGraphFake, normalizeRoute, type GraphFake } from '../../simulation/graph-fake';

let fake: GraphFake;
beforeEach(async () => {
  fake = await startGraphFake();
});
afterEach(async () => {
  await fake.close();
});

async function graph(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${fake.baseUrl}${path}`, {
    method,
    headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

const upsert = (uniqueName: string) =>
  graph('PATCH', `/applications(uniqueName='${uniqueName}')`, { displayName: uniqueName }, { Prefer: 'create-if-missing' });

describe('graph fake', () => {
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

  it('answers an upsert with 201 and an @odata.context, then 204', async () => {
    // Act
    const created = await upsert('app-65278');
    const updated = await upsert('app-65278');
    // Assess (shapes from learn.microsoft.com/graph/api/application-upsert examples)
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      '@odata.context': expect.stringMatching(/\$metadata#applications\/\$entity$/),
      uniqueName: 'app-65278',
      displayName: 'app-65278',
    });
    expect(updated.status).toBe(204);
    expect(fake.state.listApplications()).toHaveLength(1);
  });

  it('answers 404 to a PATCH without Prefer: create-if-missing for an unknown name', async () => {
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

  it('refuses to create past the owned-objects quota, soft-deleted objects included', async () => {
    // Prepare
    fake.state.ownedObjectLimit = 3;
    const a = await upsert('a');
    await graph('POST', '/servicePrincipals', { appId: a.body?.appId });
    await graph('DELETE', `/applications/${a.body?.id}`); // app soft-deleted (counts), SP gone
    await upsert('b');
    // Act
    const third = await upsert('c');
    const fourth = await upsert('d');
    // Assess
    expect(third.status).toBe(201);
    expect(fourth.status).toBe(400);
    expect(fourth.body?.error.code).toBe('Directory_QuotaExceeded');
  });

  it('deletes the service principal with its application and purges from deletedItems', async () => {
    // Prepare
    const app = await upsert('gone');
    await graph('POST', '/servicePrincipals', { appId: app.body?.appId });
    // Act
    await graph('DELETE', `/applications/${app.body?.id}`);
    const listed = await graph('GET', `/directory/deletedItems/microsoft.graph.application?$filter=uniqueName eq 'gone'`);
    const purge = await graph('DELETE', `/directory/deletedItems/${app.body?.id}`);
    const purgeAgain = await graph('DELETE', `/directory/deletedItems/${app.body?.id}`);
    // Assess
    expect(fake.state.listServicePrincipals()).toEqual([]);
    expect(listed.body?.value).toEqual([expect.objectContaining({ '@odata.type': '#microsoft.graph.application', id: app.body?.id })]);
    expect([purge.status, purgeAgain.status]).toEqual([204, 404]);
    expect(fake.state.applications.size).toBe(0);
  });

  it('serves injected faults to matching requests only, then recovers', async () => {
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
  });

  it('lags service principal creation for a new application when asked', async () => {
    // Prepare
    fake.state.replicationLagPerApplication = 1;
    const app = await upsert('lagging');
    // Act
    const first = await graph('POST', '/servicePrincipals', { appId: app.body?.appId });
    const second = await graph('POST', '/servicePrincipals', { appId: app.body?.appId });
    const third = await graph('POST', '/servicePrincipals', { appId: app.body?.appId });
    // Assess
    expect(first.body?.error.code).toBe('NoBackingApplicationObject');
    expect(second.status).toBe(201);
    expect(third.status).toBe(409);
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

  it('counts calls per normalized route with stable keys', async () => {
    // Prepare
    fake.state.addUsers('a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d');
    const app = await upsert('counted');
    // Act
    await graph('POST', `/applications/${app.body?.id}/owners/$ref`, {
      '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
    });
    await graph('GET', `/servicePrincipals(appId='${app.body?.appId}')`);
    // Assess
    expect(fake.calls).toEqual({
      'graph:PATCH /applications(uniqueName)': 1,
      'graph:POST /applications/{id}/owners/$ref': 1,
      'graph:GET /servicePrincipals(appId)': 1,
    });
    expect(normalizeRoute('/directory/deletedItems/123')).toBe('/directory/deletedItems/{id}');
    expect(normalizeRoute('/directory/deletedItems/microsoft.graph.application')).toBe(
      '/directory/deletedItems/microsoft.graph.application',
    );
  });

  it('rejects an unescaped quote in an OData key', async () => {
    // Act
    const res = await graph('GET', "/applications(uniqueName='o'brien')");
    // Assess
    expect(res.status).toBe(400);
  });
});
