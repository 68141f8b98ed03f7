import {
  EntraAuthenticationError,
  GraphReplicationLagError,
  GraphRequestError,
  GraphThrottledError,
  GraphUnavailableError,
} from '../../../functions/shared/errors';
import { GraphDirectory, odataString, retryAfterSeconds } from '../../../functions/shared/graph-client';
import type { ApplicationSpec } from '../../../functions/shared/ports';
import { startGraphFake, type GraphFake } from '../../../simulation/graph-fake';

const SPEC: ApplicationSpec = {
  uniqueName: 'aws-111122223333-r-ci-deployer',
  displayName: 'aws-web-identity-111122223333-ci-deployer',
  notes: 'Managed by the web identity automation for arn:aws:iam::111122223333:role/ci-deployer',
  tokenVersion: 1,
};
// Object IDs in the style of the Graph docs examples (learn.microsoft.com/graph/api/application-post-owners).
const USER = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';

let fake: GraphFake;
let sleeps: number[];

function directory(overrides: Partial<ConstructorParameters<typeof GraphDirectory>[0]> = {}) {
  return new GraphDirectory({
    baseUrl: fake.baseUrl,
    getToken: async () => 'fake-token',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
}

beforeEach(async () => {
  fake = await startGraphFake();
  sleeps = [];
});
afterEach(async () => {
  await fake.close();
});

describe('GraphDirectory.upsertApplication', () => {
  it('creates the application on the first call with single-tenant audience and the token version', async () => {
    // Act
    const app = await directory().upsertApplication(SPEC);
    // Assess
    expect(app).toEqual({ id: expect.any(String), appId: expect.any(String), uniqueName: SPEC.uniqueName, displayName: SPEC.displayName });
    const [stored] = fake.state.listApplications();
    expect(stored).toMatchObject({ signInAudience: 'AzureADMyOrg', requestedAccessTokenVersion: 1, notes: SPEC.notes });
    expect(fake.calls).toEqual({ 'graph:PATCH /applications(uniqueName)': 1 });
  });

  it('updates the same application on a second call and reads it back', async () => {
    // Prepare
    const client = directory();
    const first = await client.upsertApplication(SPEC);
    // Act
    const second = await client.upsertApplication({ ...SPEC, displayName: 'renamed', tokenVersion: 2 });
    // Assess
    expect(second).toEqual({ ...first, displayName: 'renamed' });
    expect(fake.state.listApplications()).toHaveLength(1);
    expect(fake.state.listApplications()[0]?.requestedAccessTokenVersion).toBe(2);
    expect(fake.calls['graph:GET /applications(uniqueName)']).toBe(1);
  });

  it('purges a soft-deleted application that still holds the unique name, then creates a new one', async () => {
    // Prepare
    const old = fake.state.seedApplication({ uniqueName: SPEC.uniqueName, displayName: 'old', deleted: true });
    // Act
    const app = await directory().upsertApplication(SPEC);
    // Assess
    expect(app.id).not.toBe(old.id);
    expect(fake.state.listDeletedApplications()).toEqual([]);
    expect(fake.calls['graph:DELETE /directory/deletedItems/{id}']).toBe(1);
  });

  it('escapes a single quote in the unique name key', async () => {
    // Prepare
    const quoted = { ...SPEC, uniqueName: "o'brien's app" };
    // Act
    const app = await directory().upsertApplication(quoted);
    const found = await directory().findApplication("o'brien's app");
    // Assess
    expect(app.uniqueName).toBe("o'brien's app");
    expect(found?.id).toBe(app.id);
  });

  it('maps the owned-objects quota refusal to GraphRequestError with the Graph code', async () => {
    // Prepare
    fake.state.ownedObjectLimit = 0;
    // Act
    const outcome = directory().upsertApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(GraphRequestError);
    await expect(outcome).rejects.toMatchObject({ status: 403, code: 'Directory_QuotaExceeded', transient: false });
    expect(sleeps).toEqual([]);
  });
});

describe('GraphDirectory.ensureServicePrincipal', () => {
  it('creates the service principal for a new application in one call', async () => {
    // Prepare
    const app = await directory().upsertApplication(SPEC);
    // Act
    const spId = await directory().ensureServicePrincipal(app.appId);
    // Assess
    expect(fake.state.listServicePrincipals()).toEqual([expect.objectContaining({ id: spId, appId: app.appId })]);
    expect(fake.calls['graph:POST /servicePrincipals']).toBe(1);
  });

  it('returns the existing service principal when it already exists', async () => {
    // Prepare
    const seeded = fake.state.seedApplication({ displayName: 'x', uniqueName: 'u', servicePrincipalId: '11111111-2222-4333-8444-555555555555' });
    // Act
    const spId = await directory().ensureServicePrincipal(seeded.appId);
    // Assess
    expect(spId).toBe('11111111-2222-4333-8444-555555555555');
    expect(fake.state.listServicePrincipals()).toHaveLength(1);
    expect(fake.calls['graph:GET /servicePrincipals(appId)']).toBe(1);
  });

  it('retries replication lag with backoff until the application is visible', async () => {
    // Prepare
    fake.state.replicationLagPerApplication = 2;
    const app = await directory().upsertApplication(SPEC);
    // Act
    const spId = await directory().ensureServicePrincipal(app.appId);
    // Assess: full jitter with random 0.5 over 500 ms × 2^n
    expect(spId).toEqual(expect.any(String));
    expect(sleeps).toEqual([250, 500]);
    expect(fake.faults.served['replication-lag']).toBe(2);
  });

  it('throws GraphReplicationLagError when the lag outlasts the attempts', async () => {
    // Prepare
    const app = await directory().upsertApplication(SPEC);
    fake.faults.replicationLag(10);
    // Act
    const outcome = directory().ensureServicePrincipal(app.appId);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(GraphReplicationLagError);
    expect(fake.calls['graph:POST /servicePrincipals']).toBe(4);
    expect(sleeps).toHaveLength(3);
  });
});

describe('GraphDirectory error mapping', () => {
  it('honours Retry-After on 429 and then succeeds', async () => {
    // Prepare
    fake.faults.inject({ method: 'PATCH', route: '/applications(uniqueName)', kind: 'throttle', count: 2, retryAfterSeconds: 3 });
    // Act
    const app = await directory().upsertApplication(SPEC);
    // Assess
    expect(app.uniqueName).toBe(SPEC.uniqueName);
    expect(sleeps).toEqual([3000, 3000]);
  });

  it('throws GraphThrottledError with the server delay when throttling persists', async () => {
    // Prepare
    fake.faults.inject({ kind: 'throttle', count: 100, retryAfterSeconds: 2 });
    // Act
    const outcome = directory().findApplication(SPEC.uniqueName);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(GraphThrottledError);
    await expect(outcome).rejects.toMatchObject({ retryAfterSeconds: 2 });
    expect(fake.calls['graph:GET /applications(uniqueName)']).toBe(4);
  });

  it('hands a Retry-After longer than it may wait in a Lambda to the state machine at once', async () => {
    // Prepare
    fake.faults.inject({ kind: 'throttle', count: 1, retryAfterSeconds: 120 });
    // Act
    const outcome = directory().findApplication(SPEC.uniqueName);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphThrottledError', retryAfterSeconds: 120 });
    expect(sleeps).toEqual([]);
  });

  it('backs off on 503 and throws GraphUnavailableError when it persists', async () => {
    // Prepare
    fake.faults.inject({ kind: 'unavailable', count: 100 });
    // Act
    const outcome = directory().deleteApplication('00000000-0000-4000-8000-000000000001');
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(GraphUnavailableError);
    expect(sleeps).toEqual([250, 500, 1000]);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20_000);
  });

  it('maps a network failure to GraphUnavailableError', async () => {
    // Prepare
    const baseUrl = fake.baseUrl;
    await fake.close();
    const client = directory({ baseUrl });
    // Act
    const outcome = client.findApplication(SPEC.uniqueName);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(GraphUnavailableError);
    expect(sleeps).toHaveLength(3);
    fake = await startGraphFake();
  });

  it('maps a permanent 400 to GraphRequestError without retrying', async () => {
    // Act
    const outcome = directory().upsertApplication({ ...SPEC, displayName: '' });
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 400, code: 'Request_BadRequest' });
    expect(sleeps).toEqual([]);
  });

  it('maps 401 to GraphRequestError, not a retry', async () => {
    // Prepare
    const client = directory({ getToken: async () => ' ' });
    // Act
    const outcome = client.findApplication(SPEC.uniqueName);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 401, code: 'InvalidAuthenticationToken' });
    expect(sleeps).toEqual([]);
  });

  it('maps a failing token provider to EntraAuthenticationError without calling Graph', async () => {
    // Prepare
    const client = directory({ getToken: async () => Promise.reject(new Error('AADSTS700016: application not found')) });
    // Act
    const outcome = client.findApplication(SPEC.uniqueName);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(EntraAuthenticationError);
    await expect(outcome).rejects.toThrow(/AADSTS700016/);
    expect(fake.calls).toEqual({});
  });

  it('converges through a seeded fault storm', async () => {
    // Prepare
    fake.faults.startStorm({ probability: 0.3, seed: 7, retryAfterSeconds: 1 });
    const client = directory({ maxAttempts: 6 });
    // Act
    const app = await client.upsertApplication(SPEC);
    const spId = await client.ensureServicePrincipal(app.appId);
    // Assess
    expect(fake.state.listServicePrincipals()).toEqual([expect.objectContaining({ id: spId })]);
    expect(fake.faults.served.throttle + fake.faults.served.unavailable).toBeGreaterThan(0);
  });
});

describe('GraphDirectory find, delete and purge', () => {
  it('finds a live application and returns null for an unknown name', async () => {
    // Prepare
    const created = await directory().upsertApplication(SPEC);
    // Act
    const found = await directory().findApplication(SPEC.uniqueName);
    const missing = await directory().findApplication('aws-111122223333-r-nobody');
    // Assess
    expect(found).toEqual(created);
    expect(missing).toBeNull();
  });

  it('deletes, finds the deleted application by unique name, purges it, and is idempotent', async () => {
    // Prepare
    const client = directory();
    const app = await client.upsertApplication(SPEC);
    await client.ensureServicePrincipal(app.appId);
    // Act
    await client.deleteApplication(app.id);
    await client.deleteApplication(app.id);
    const deleted = await client.findDeletedApplication(SPEC.uniqueName);
    await client.purgeDeletedApplication(app.id);
    await client.purgeDeletedApplication(app.id);
    const afterPurge = await client.findDeletedApplication(SPEC.uniqueName);
    // Assess
    expect(deleted?.id).toBe(app.id);
    expect(afterPurge).toBeNull();
    expect(fake.state.listApplications()).toEqual([]);
    expect(fake.state.listServicePrincipals()).toEqual([]);
    expect(fake.state.listDeletedApplications()).toEqual([]);
  });

  it('finds a deleted application by paging when the tenant refuses the $filter', async () => {
    // Prepare
    await fake.close();
    fake = await startGraphFake({ deletedItemsFilter: false });
    for (let i = 0; i < 1200; i++) fake.state.seedApplication({ uniqueName: `other-${i}`, displayName: 'x', deleted: true });
    const wanted = fake.state.seedApplication({ uniqueName: SPEC.uniqueName, displayName: 'wanted', deleted: true });
    // Act
    const found = await directory().findDeletedApplication(SPEC.uniqueName);
    // Assess
    expect(found?.id).toBe(wanted.id);
    expect(fake.calls['graph:GET /directory/deletedItems/microsoft.graph.application']).toBe(3);
  });
});

describe('GraphDirectory.addOwner', () => {
  it('adds a known user, then reports already-owner, and not-found for an unknown user', async () => {
    // Prepare
    fake.state.addUsers(USER);
    const app = await directory().upsertApplication(SPEC);
    // Act
    const first = await directory().addOwner(app.id, USER);
    const again = await directory().addOwner(app.id, USER);
    const unknown = await directory().addOwner(app.id, 'ffffffff-ffff-4fff-8fff-ffffffffffff');
    // Assess
    expect([first, again, unknown]).toEqual(['added', 'already-owner', 'not-found']);
    expect(fake.state.listApplications()[0]?.owners).toEqual([fake.state.automationServicePrincipalId, USER]);
  });

  it('reports not-found for a malformed owner reference', async () => {
    // Prepare
    const app = await directory().upsertApplication(SPEC);
    // Act
    const outcome = await directory().addOwner(app.id, 'not-a-guid');
    // Assess
    expect(outcome).toBe('not-found');
  });
});

describe('helpers', () => {
  it('doubles single quotes and URL-encodes OData string literals', () => {
    // Act & Assess
    expect(odataString("a'b c/d")).toBe("'a''b%20c%2Fd'");
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    // Prepare
    const now = () => Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    // Act & Assess
    expect(retryAfterSeconds('7')).toBe(7);
    expect(retryAfterSeconds('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(retryAfterSeconds('soon')).toBeUndefined();
  });
});
