import { randomUUID } from 'node:crypto';
import {
  ApplicationNameTakenError,
  EntraAuthenticationError,
  EntraQuotaExceededError,
  GraphReplicationLagError,
  GraphRequestError,
  GraphThrottledError,
  GraphUnavailableError,
  IamThrottledError,
  InvalidInputError,
} from '../../../../functions/shared/runtime';
import {
  GraphDirectory,
  odataString,
  retryAfterSeconds,
  type GraphDirectoryDeps,
  applicationNamePrefix,
  applicationUniqueName,
  type ApplicationSpec,
  type EntraApplication,
} from '../../../../functions/shared/entra';
import { startGraphFake, type GraphFake } from '../../../../simulation/fakes/graph-fake';
import type { FakeApplication } from '../../../../simulation/fakes/graph-state';

/**
 * GraphDirectory against the loopback Graph fake (simulation/fakes/graph-fake.ts), which answers as
 * Microsoft Graph documents it. Where the documentation is silent and the fake takes one
 * reading, the other reading is produced by rewriting the fake's answer on its way back
 * (`rewriteAnswers`), so both are tested.
 */

const ACCOUNT = '111122223333';
const ROLE = 'ci-deployer';
const ROLE_ID = 'AROAEXAMPLEROLEID0001';
const PREFIX = applicationNamePrefix(ACCOUNT, ROLE);
const SPEC: ApplicationSpec = {
  uniqueName: applicationUniqueName(ACCOUNT, ROLE, ROLE_ID),
  displayName: `web-identity-${ACCOUNT}-${ROLE}`,
  notes: `Web identity federation for IAM role arn:aws:iam::${ACCOUNT}:role/${ROLE} (role ID ${ROLE_ID}). Managed by automation.`,
  tokenVersion: 2,
};
/** A tenant user who may register applications (the attacker of the squatting cases). */
const SQUATTER = 'b4d0b4d0-0000-4000-8000-00000000b4d0';
/** A user the app team names as owner. */
const USER = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';

const CALL = {
  postApplication: 'graph:POST /applications',
  listApplications: 'graph:GET /applications',
  byUniqueName: 'graph:GET /applications(uniqueName)',
  byAppId: 'graph:GET /applications(appId)',
  deleteApplication: 'graph:DELETE /applications/{id}',
  addOwner: 'graph:POST /applications/{id}/owners/$ref',
  postServicePrincipal: 'graph:POST /servicePrincipals',
  servicePrincipalByAppId: 'graph:GET /servicePrincipals(appId)',
  createdObject: 'graph:GET /servicePrincipals/{id}/createdObjects/{objectId}',
  createdApplications: 'graph:GET /servicePrincipals/{id}/createdObjects/microsoft.graph.application',
  deletedApplications: 'graph:GET /directory/deletedItems/microsoft.graph.application',
  deletedServicePrincipals: 'graph:GET /directory/deletedItems/microsoft.graph.servicePrincipal',
  deletedItem: 'graph:GET /directory/deletedItems/{id}',
  purge: 'graph:DELETE /directory/deletedItems/{id}',
} as const;

/** More sleeps than any bounded retry loop takes: a broken limit fails the test instead of hanging it. */
const MAX_SLEEPS = 50;

let fake: GraphFake;
let sleeps: number[];

beforeEach(async () => {
  fake = await startGraphFake();
  sleeps = [];
});
afterEach(async () => {
  jest.restoreAllMocks();
  await fake.close();
});

function directory(overrides: Partial<GraphDirectoryDeps> = {}): GraphDirectory {
  return new GraphDirectory({
    baseUrl: fake.baseUrl,
    automationServicePrincipalId: fake.state.automationServicePrincipalId,
    getToken: async () => 'fake-token',
    sleep: async (ms) => {
      sleeps.push(ms);
      if (sleeps.length > MAX_SLEEPS) throw new Error(`the retry loop does not stop: more than ${MAX_SLEEPS} sleeps`);
    },
    random: () => 0.5,
    ...overrides,
  });
}

/** An injected Graph error on one call key (see simulation/fakes/faults.ts); `times` 0 = every matching call. */
function fault(call: string, status: number, code: string, options: { times?: number; skip?: number } = {}): void {
  fake.faults.add({ call, answer: { status, code }, times: options.times ?? 0, skip: options.skip ?? 0 });
}

/** The reading where a tenant refuses `startswith` on uniqueName (the fake accepts it, as the resource page lists it). */
function refuseStartsWith(): void {
  fault(CALL.listApplications, 400, 'Request_UnsupportedQuery');
}

/** Call keys of every request that writes (PATCH, DELETE, POST other than creating an application). */
function writesBeyondCreate(): string[] {
  return Object.keys(fake.calls).filter(
    (key) => /^graph:(PATCH|DELETE) /.test(key) || (key.startsWith('graph:POST ') && key !== CALL.postApplication),
  );
}

/** An application a tenant user registered under the role's name and made the automation a co-owner of. */
function squat(options: { deleted?: boolean; coOwner?: boolean; uniqueName?: string } = {}): FakeApplication {
  return fake.state.seedApplication({
    uniqueName: options.uniqueName ?? SPEC.uniqueName,
    displayName: SPEC.displayName,
    createdBy: SQUATTER,
    owners: options.coOwner === false ? [SQUATTER] : [SQUATTER, fake.state.automationServicePrincipalId],
    servicePrincipalId: randomUUID(),
    ...(options.deleted ? { deleted: true } : {}),
  });
}

function asEntraApplication(app: FakeApplication): EntraApplication {
  return { id: app.id, appId: app.appId, uniqueName: app.uniqueName ?? '', displayName: app.displayName };
}

interface Exchange {
  readonly method: string;
  readonly url: URL;
  readonly status: number;
  readonly body: unknown;
}

/**
 * Lets the fake answer every request, then hands each answer to `rewrite`, which may replace it
 * (`undefined` keeps it). The fake still sees and counts every request.
 */
function rewriteAnswers(rewrite: (exchange: Exchange) => { status: number; body: unknown } | undefined): jest.SpyInstance {
  const realFetch = globalThis.fetch;
  return jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const response = await realFetch(input, init);
    const text = await response.text();
    const exchange = {
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
    };
    const replaced = rewrite(exchange);
    if (replaced) return Response.json(replaced.body, { status: replaced.status });
    return new Response(text === '' ? null : text, { status: response.status, headers: response.headers });
  });
}

describe('GraphDirectory construction', () => {
  it('refuses an automation service principal ID that is not a GUID, naming the field and the fix', () => {
    // Act
    const construct = () => directory({ automationServicePrincipalId: 'web-identity-automation' });
    // Assess
    expect(construct).toThrow(InvalidInputError);
    expect(construct).toThrow(/automationServicePrincipalId: "web-identity-automation" is not a GUID; pass the object ID/);
  });
});

describe('GraphDirectory.registerApplication', () => {
  it('creates a single-tenant application with the requested token version and reports it created', async () => {
    // Act
    const registered = await directory().registerApplication(SPEC);
    // Assess
    expect(registered).toEqual({
      application: { id: expect.any(String), appId: expect.any(String), uniqueName: SPEC.uniqueName, displayName: SPEC.displayName },
      created: true,
    });
    expect(fake.state.listApplications()).toEqual([
      expect.objectContaining({
        id: registered.application.id,
        uniqueName: SPEC.uniqueName,
        signInAudience: 'AzureADMyOrg',
        requestedAccessTokenVersion: 2,
        notes: SPEC.notes,
        createdBy: fake.state.automationServicePrincipalId,
      }),
    ]);
    expect(fake.calls).toEqual({ [CALL.postApplication]: 1 });
  });

  it('sends token version 1 when asked, so v1 tokens match the sts.windows.net provider', async () => {
    // Act
    await directory().registerApplication({ ...SPEC, tokenVersion: 1 });
    // Assess
    expect(fake.state.listApplications()[0]?.requestedAccessTokenVersion).toBe(1);
  });

  it('returns the application it created itself on a retry, proven by its createdObjects, without a second one', async () => {
    // Prepare
    const first = await directory().registerApplication(SPEC);
    // Act
    const again = await directory().registerApplication(SPEC);
    // Assess
    expect(again).toEqual({ application: first.application, created: false });
    expect(fake.state.listApplications()).toHaveLength(1);
    expect(fake.calls).toEqual({ [CALL.postApplication]: 2, [CALL.byUniqueName]: 1, [CALL.createdObject]: 1 });
  });

  it('reads back a unique name that contains a single quote (OData literal escaping)', async () => {
    // Prepare
    const quoted = { ...SPEC, uniqueName: "o'brien's-app" };
    const first = await directory().registerApplication(quoted);
    // Act
    const again = await directory().registerApplication(quoted);
    // Assess
    expect(again).toEqual({ application: first.application, created: false });
  });

  it('refuses a squatted application whose creator made the automation a co-owner, and leaves it untouched', async () => {
    // Prepare: a tenant user registered the role's name first and added the automation as owner
    const squatted = squat();
    const before = structuredClone(squatted);
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ApplicationNameTakenError);
    await expect(outcome).rejects.toThrow(`name-taken: the application name ${SPEC.uniqueName} is held by application ${squatted.appId}`);
    // The message says who fixes it and how.
    await expect(outcome).rejects.toThrow(/A tenant administrator should check who registered it and delete it/);
    expect(fake.state.liveByUniqueName(SPEC.uniqueName)).toEqual(before);
    expect(fake.state.listApplications()).toHaveLength(1);
    expect(writesBeyondCreate()).toEqual([]);
    expect(fake.calls[CALL.postApplication]).toBe(1);
  });

  it('refuses a squatted application the automation cannot write (403 on any write) with ApplicationNameTakenError, not a generic failure', async () => {
    // Prepare: not even a co-owner, so Application.ReadWrite.OwnedBy would be refused every write
    const squatted = squat({ coOwner: false });
    const before = structuredClone(squatted);
    expect(fake.state.automationOwns(squatted)).toBe(false);
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ApplicationNameTakenError);
    await expect(outcome).rejects.toMatchObject({ name: 'ApplicationNameTakenError', transient: false });
    expect(fake.state.liveByUniqueName(SPEC.uniqueName)).toEqual(before);
    expect(writesBeyondCreate()).toEqual([]);
  });

  it('refuses a soft-deleted squatted application holding the name, and neither purges nor restores it', async () => {
    // Prepare
    const squatted = squat({ deleted: true });
    const before = structuredClone(squatted);
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ApplicationNameTakenError);
    await expect(outcome).rejects.toThrow(`held by the soft-deleted application ${squatted.appId}`);
    expect(fake.state.listDeletedApplications()).toEqual([before]);
    expect(fake.state.listApplications()).toEqual([]);
    expect(writesBeyondCreate()).toEqual([]);
  });

  it('finds a soft-deleted holder of the name by paging when the tenant refuses $filter on deleted items', async () => {
    // Prepare
    await fake.close();
    fake = await startGraphFake({ deletedItemsFilter: false });
    for (let i = 0; i < 1200; i++) {
      fake.state.seedApplication({ uniqueName: `someone-else-${i}`, displayName: 'x', createdBy: SQUATTER, deleted: true });
    }
    const squatted = squat({ deleted: true });
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess: the holder sits on the second page (999 per page); the filtered request was refused first
    await expect(outcome).rejects.toThrow(`held by the soft-deleted application ${squatted.appId}`);
    expect(fake.calls[CALL.deletedApplications]).toBe(3);
    expect(writesBeyondCreate()).toEqual([]);
  });

  describe('its own soft-deleted application holding the name (a Delete stopped before its purge)', () => {
    it('purges it and creates a new one where createdObjects lists soft-deleted objects (one reading)', async () => {
      // Prepare: the createdObjects page is silent on soft-deleted objects; this reading lists them
      const old = fake.state.seedApplication({
        uniqueName: SPEC.uniqueName,
        displayName: 'old',
        deleted: true,
        servicePrincipalId: 'c0ffee00-0000-4000-8000-000000000001',
      });
      rewriteAnswers(({ url, status }) => {
        const listsDeleted = status === 404 && url.pathname.endsWith(`/createdObjects/${old.id}`);
        return listsDeleted ? { status: 200, body: { '@odata.type': '#microsoft.graph.application', id: old.id } } : undefined;
      });
      // Act
      const registered = await directory().registerApplication(SPEC);
      // Assess
      expect(registered.created).toBe(true);
      expect(registered.application.id).not.toBe(old.id);
      expect(fake.state.listDeletedApplications()).toEqual([]);
      // Its service principal, soft-deleted with it, is purged too: it counts against the quota.
      expect(fake.state.listDeletedServicePrincipals()).toEqual([]);
      expect(fake.state.listApplications()).toEqual([expect.objectContaining({ id: registered.application.id })]);
      expect(fake.calls[CALL.purge]).toBe(2);
      expect(fake.calls[CALL.postApplication]).toBe(2);
    });

    it("fails closed where createdObjects lists live objects only (the fake's reading): name-taken, nothing purged", async () => {
      // Prepare
      const old = fake.state.seedApplication({ uniqueName: SPEC.uniqueName, displayName: 'old', deleted: true });
      // Act
      const outcome = directory().registerApplication(SPEC);
      // Assess: it cannot tell its own from a squatter's, so it touches neither
      await expect(outcome).rejects.toBeInstanceOf(ApplicationNameTakenError);
      expect(fake.state.listDeletedApplications()).toEqual([expect.objectContaining({ id: old.id })]);
      expect(fake.calls[CALL.purge]).toBeUndefined();
    });
  });

  it.each([400, 405])(
    'proves "created by the automation" from the createdObjects list when the single-object form answers %i',
    async (status) => {
      // Prepare
      const first = await directory().registerApplication(SPEC);
      fault(CALL.createdObject, status, 'Request_BadRequest');
      // Act
      const again = await directory().registerApplication(SPEC);
      // Assess
      expect(again).toEqual({ application: first.application, created: false });
      expect(fake.calls[CALL.createdApplications]).toBe(1);
    },
  );

  it('refuses a squatted application when only the createdObjects list can answer (405 on the single-object form)', async () => {
    // Prepare
    await directory().registerApplication({ ...SPEC, uniqueName: `${PREFIX}aroaanotherrole0001` });
    const squatted = squat();
    fault(CALL.createdObject, 405, 'Request_BadRequest');
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ApplicationNameTakenError);
    expect(fake.state.liveByUniqueName(SPEC.uniqueName)?.id).toBe(squatted.id);
    expect(fake.calls[CALL.createdApplications]).toBe(1);
    expect(writesBeyondCreate()).toEqual([]);
  });

  it('fails closed when Graph refuses to say who created the holder (403 on createdObjects): no adoption, no list fallback', async () => {
    // Prepare
    squat();
    fault(CALL.createdObject, 403, 'Authorization_RequestDenied');
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403, code: 'Authorization_RequestDenied' });
    expect(fake.calls[CALL.createdObject]).toBe(1);
    expect(fake.calls[CALL.createdApplications]).toBeUndefined();
    expect(writesBeyondCreate()).toEqual([]);
  });

  it.each([
    [400, 'Request_BadRequest'],
    [403, 'Authorization_RequestDenied'],
  ])('does not take a refused read by uniqueName (%i) for "no such application"', async (status, code) => {
    // Prepare
    squat();
    fault(CALL.byUniqueName, status, code);
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess: a "not found" reading would go on to the deleted items; it stops instead, without retrying
    await expect(outcome).rejects.toBeInstanceOf(GraphRequestError);
    await expect(outcome).rejects.toMatchObject({ status, code });
    expect(fake.calls[CALL.byUniqueName]).toBe(1);
    expect(fake.calls[CALL.deletedApplications]).toBeUndefined();
    expect(writesBeyondCreate()).toEqual([]);
    expect(sleeps).toEqual([]);
  });

  it('reports a conflict whose holder cannot be read yet as replication lag, for the state machine to retry', async () => {
    // Prepare: Graph says the name is taken, but neither a live nor a soft-deleted holder is visible yet
    fault(CALL.postApplication, 400, 'ObjectConflict', { times: 1 });
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(GraphReplicationLagError);
    await expect(outcome).rejects.toMatchObject({ transient: true });
    expect(fake.state.listApplications()).toEqual([]);
  });

  describe('the creator quota', () => {
    it.each([
      ['the top-level code (403 Directory_QuotaExceeded)', 'top-level' as const, undefined],
      ['the code in error.details[] under 400 Request_BadRequest', 'details' as const, undefined],
      ['the code in error.details[] only, with a message that does not mention the quota', 'details' as const, 'code only' as const],
      ['the quota message alone, under another code', 'top-level' as const, 'message only' as const],
    ])('maps %s to EntraQuotaExceededError without retrying', async (_shape, form, rewrite?: 'code only' | 'message only') => {
      // Prepare
      fake.state.ownedObjectLimit = 0;
      fake.state.quotaErrorForm = form;
      const error =
        rewrite === 'code only'
          ? { code: 'Request_BadRequest', message: 'One or more properties are invalid.', details: [{ code: 'Directory_QuotaExceeded' }] }
          : { code: 'Authorization_RequestDenied', message: 'The directory object quota limit for the Principal has been exceeded.' };
      if (rewrite)
        rewriteAnswers(({ status }) => (status >= 400 ? { status: rewrite === 'code only' ? 400 : 403, body: { error } } : undefined));
      // Act
      const outcome = directory().registerApplication(SPEC);
      // Assess
      await expect(outcome).rejects.toBeInstanceOf(EntraQuotaExceededError);
      await expect(outcome).rejects.toMatchObject({ transient: false });
      await expect(outcome).rejects.toThrow(/Soft-deleted objects count too/);
      expect(fake.calls).toEqual({ [CALL.postApplication]: 1 });
      expect(fake.state.listApplications()).toEqual([]);
      expect(sleeps).toEqual([]);
    });
  });

  it('maps a permanent refusal of the create (400) to GraphRequestError without retrying', async () => {
    // Act
    const outcome = directory().registerApplication({ ...SPEC, displayName: '' });
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 400, code: 'Request_BadRequest' });
    expect(fake.calls).toEqual({ [CALL.postApplication]: 1 });
    expect(sleeps).toEqual([]);
  });
});

describe('GraphDirectory.ensureServicePrincipal', () => {
  it('creates the service principal of a new application in one call', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    // Act
    const id = await directory().ensureServicePrincipal(application.appId);
    // Assess
    expect(fake.state.listServicePrincipals()).toEqual([
      expect.objectContaining({ id, appId: application.appId, createdBy: fake.state.automationServicePrincipalId }),
    ]);
    expect(fake.calls[CALL.postServicePrincipal]).toBe(1);
    expect(fake.calls[CALL.servicePrincipalByAppId]).toBeUndefined();
  });

  it('returns the existing service principal on a conflict (409) by reading it back', async () => {
    // Prepare
    const spId = randomUUID();
    const app = fake.state.seedApplication({ uniqueName: SPEC.uniqueName, displayName: SPEC.displayName, servicePrincipalId: spId });
    // Act
    const id = await directory().ensureServicePrincipal(app.appId);
    // Assess
    expect(id).toBe(spId);
    expect(fake.state.listServicePrincipals()).toHaveLength(1);
    expect(fake.calls).toEqual({ [CALL.postServicePrincipal]: 1, [CALL.servicePrincipalByAppId]: 1 });
  });

  it.each([
    ['as the fake words it (code in details[] and a message naming the appId)', false],
    ['with the code in error.details[] only (no message)', true],
  ])('retries replication lag reported %s, then succeeds', async (_shape, minimal) => {
    // Prepare
    fake.state.replicationLagPerApplication = 2;
    const { application } = await directory().registerApplication(SPEC);
    if (minimal) {
      // The shape recorded for this lag: {"error":{"code":"Request_BadRequest","details":[{"code":"NoBackingApplicationObject"}]}}
      rewriteAnswers(({ method, url, status }) =>
        method === 'POST' && url.pathname.endsWith('/servicePrincipals') && status === 400
          ? { status: 400, body: { error: { code: 'Request_BadRequest', details: [{ code: 'NoBackingApplicationObject' }] } } }
          : undefined,
      );
    }
    // Act
    const id = await directory().ensureServicePrincipal(application.appId);
    // Assess: full jitter with random 0.5 over 500 ms × 2^n
    expect(fake.state.listServicePrincipals()).toEqual([expect.objectContaining({ id, appId: application.appId })]);
    expect(fake.faults.served['replication-lag']).toBe(2);
    expect(fake.calls[CALL.postServicePrincipal]).toBe(3);
    expect(sleeps).toEqual([250, 500]);
  });

  it('throws GraphReplicationLagError once the lag outlasts its attempts', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    fake.faults.replicationLag(10);
    // Act
    const outcome = directory().ensureServicePrincipal(application.appId);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(GraphReplicationLagError);
    expect(fake.calls[CALL.postServicePrincipal]).toBe(4);
    expect(sleeps).toHaveLength(3);
  });

  it('treats 409 on create then 404 on the read-back as replication lag: retried from the start, then succeeds', async () => {
    // Prepare
    const spId = randomUUID();
    const app = fake.state.seedApplication({ uniqueName: SPEC.uniqueName, displayName: SPEC.displayName, servicePrincipalId: spId });
    fault(CALL.servicePrincipalByAppId, 404, 'Request_ResourceNotFound', { times: 1 });
    // Act
    const id = await directory().ensureServicePrincipal(app.appId);
    // Assess
    expect(id).toBe(spId);
    expect(fake.calls).toEqual({ [CALL.postServicePrincipal]: 2, [CALL.servicePrincipalByAppId]: 2 });
    expect(sleeps).toEqual([250]);
  });

  it('does not retry a permanent refusal inside its retry loop (403 on the read-back)', async () => {
    // Prepare
    const app = fake.state.seedApplication({
      uniqueName: SPEC.uniqueName,
      displayName: SPEC.displayName,
      servicePrincipalId: randomUUID(),
    });
    fault(CALL.servicePrincipalByAppId, 403, 'Authorization_RequestDenied');
    // Act
    const outcome = directory().ensureServicePrincipal(app.appId);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403, code: 'Authorization_RequestDenied' });
    expect(fake.calls).toEqual({ [CALL.postServicePrincipal]: 1, [CALL.servicePrincipalByAppId]: 1 });
    expect(sleeps).toEqual([]);
  });

  it('does not retry a permanent refusal of the create (403)', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    fault(CALL.postServicePrincipal, 403, 'Authorization_RequestDenied');
    // Act
    const outcome = directory().ensureServicePrincipal(application.appId);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403 });
    expect(fake.calls[CALL.postServicePrincipal]).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('maps the creator quota on the service principal to EntraQuotaExceededError without retrying', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    fake.state.ownedObjectLimit = fake.state.ownedObjectCount();
    fake.state.quotaErrorForm = 'details';
    // Act
    const outcome = directory().ensureServicePrincipal(application.appId);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(EntraQuotaExceededError);
    expect(fake.calls[CALL.postServicePrincipal]).toBe(1);
    expect(fake.state.listServicePrincipals()).toEqual([]);
  });
});

describe('GraphDirectory.findOwnApplication', () => {
  it('returns its own application by unique name, and null for a name nobody holds', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    // Act
    const found = await directory().findOwnApplication(SPEC.uniqueName);
    const missing = await directory().findOwnApplication(`${PREFIX}aroanobody000000001`);
    // Assess
    expect(found).toEqual(application);
    expect(missing).toBeNull();
  });

  it('returns null for a squatted application, although the automation is one of its owners', async () => {
    // Prepare
    squat();
    // Act
    const found = await directory().findOwnApplication(SPEC.uniqueName);
    // Assess
    expect(found).toBeNull();
    expect(fake.calls[CALL.createdObject]).toBe(1);
  });

  it.each([
    [400, 'Request_BadRequest'],
    [403, 'Authorization_RequestDenied'],
  ])('throws when the read by uniqueName is refused (%i) instead of reporting "none"', async (status, code) => {
    // Prepare
    await directory().registerApplication(SPEC);
    fault(CALL.byUniqueName, status, code);
    // Act
    const outcome = directory().findOwnApplication(SPEC.uniqueName);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status, code });
    expect(fake.calls[CALL.byUniqueName]).toBe(1);
  });
});

describe('GraphDirectory.findOwnApplications', () => {
  /** Own applications under the role's prefix, one under another role's, and a squatter's under the prefix. */
  async function seedMixedTenant(): Promise<{ ours: EntraApplication[]; squatted: FakeApplication }> {
    const client = directory();
    const ours = [
      (await client.registerApplication(SPEC)).application,
      (await client.registerApplication({ ...SPEC, uniqueName: `${PREFIX}aroaearlierincarnation1` })).application,
    ];
    await client.registerApplication({ ...SPEC, uniqueName: `${applicationNamePrefix(ACCOUNT, 'other-role')}aroaotherrole00000001` });
    const squatted = squat({ uniqueName: `${PREFIX}aroasquattedname00001` });
    for (const key of Object.keys(fake.calls)) delete fake.calls[key];
    return { ours, squatted };
  }

  const byId = (a: EntraApplication, b: EntraApplication) => a.id.localeCompare(b.id);

  it('lists only what it created under the prefix, from createdObjects, when the tenant refuses startswith (400)', async () => {
    // Prepare
    const { ours } = await seedMixedTenant();
    refuseStartsWith();
    // Act
    const found = await directory().findOwnApplications(PREFIX);
    // Assess
    expect([...found].sort(byId)).toEqual([...ours].sort(byId));
    expect(fake.calls).toEqual({ [CALL.listApplications]: 1, [CALL.createdApplications]: 1 });
  });

  it("never returns an application it did not create, even when the tenant's startswith filter lists it", async () => {
    // Prepare: the application page is silent on startswith for uniqueName; this reading accepts it
    const { ours, squatted } = await seedMixedTenant();
    const filters: string[] = [];
    rewriteAnswers(({ method, url }) => {
      const filter = url.searchParams.get('$filter');
      const match = /^startswith\(uniqueName,'((?:[^']|'')*)'\)$/.exec(filter ?? '');
      if (method !== 'GET' || !url.pathname.endsWith('/applications') || !match) return undefined;
      const prefix = (match[1] ?? '').replace(/''/g, "'");
      filters.push(prefix);
      const value = fake.state
        .listApplications()
        .filter((app) => app.uniqueName?.startsWith(prefix))
        .map((app) => ({ id: app.id, appId: app.appId, uniqueName: app.uniqueName, displayName: app.displayName }));
      return { status: 200, body: { value } };
    });
    // Act
    const found = await directory().findOwnApplications(PREFIX);
    // Assess
    expect(filters).toEqual([PREFIX]);
    expect([...found].sort(byId)).toEqual([...ours].sort(byId));
    expect(found.map((app) => app.id)).not.toContain(squatted.id);
    expect(fake.calls[CALL.createdObject]).toBe(3);
  });

  it('reads every page of createdObjects', async () => {
    // Prepare: more applications than one page holds (999)
    fake.state.ownedObjectLimit = 2000;
    for (let i = 0; i < 1000; i++)
      fake.state.seedApplication({ uniqueName: `${PREFIX}aroabulk${String(i).padStart(12, '0')}`, displayName: 'x' });
    refuseStartsWith();
    // Act
    const found = await directory().findOwnApplications(PREFIX);
    // Assess
    expect(found).toHaveLength(1000);
    expect(fake.calls[CALL.createdApplications]).toBe(2);
  });

  it("surfaces Graph's own error when a later page is refused", async () => {
    // Prepare
    for (let i = 0; i < 1000; i++)
      fake.state.seedApplication({ uniqueName: `${PREFIX}aroabulk${String(i).padStart(12, '0')}`, displayName: 'x' });
    fault(CALL.createdApplications, 403, 'Authorization_RequestDenied', { skip: 1 });
    refuseStartsWith();
    // Act
    const outcome = directory().findOwnApplications(PREFIX);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403, code: 'Authorization_RequestDenied' });
    expect(fake.calls[CALL.createdApplications]).toBe(2);
  });

  it('throws when listing is refused (403) instead of reporting no applications', async () => {
    // Prepare
    await seedMixedTenant();
    fault(CALL.listApplications, 403, 'Authorization_RequestDenied');
    // Act
    const outcome = directory().findOwnApplications(PREFIX);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403 });
    expect(fake.calls[CALL.createdApplications]).toBeUndefined();
  });
});

describe('GraphDirectory.findApplicationByAppId', () => {
  it('finds its own application by client ID and says it is ours', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    // Act
    const found = await directory().findApplicationByAppId(application.appId);
    // Assess
    expect(found).toEqual({ application, ours: true });
    expect(fake.calls[CALL.byAppId]).toBe(1);
  });

  it('finds an application someone else created (a hand-made federation) and says it is not ours', async () => {
    // Prepare: even with the automation among its owners
    const handMade = squat({ uniqueName: 'hand-made-federation' });
    // Act
    const found = await directory().findApplicationByAppId(handMade.appId);
    // Assess
    expect(found).toEqual({ application: asEntraApplication(handMade), ours: false });
  });

  it('reports an application without a unique name (a hand-made one) with an empty unique name', async () => {
    // Prepare: uniqueName is optional on the application resource (https://learn.microsoft.com/graph/api/resources/application)
    const handMade = fake.state.seedApplication({ displayName: 'hand-made federation', createdBy: SQUATTER });
    // Act
    const found = await directory().findApplicationByAppId(handMade.appId);
    // Assess
    expect(found).toEqual({
      application: { id: handMade.id, appId: handMade.appId, uniqueName: '', displayName: 'hand-made federation' },
      ours: false,
    });
  });

  it('returns null for a client ID no application has', async () => {
    // Act
    const found = await directory().findApplicationByAppId(randomUUID());
    // Assess
    expect(found).toBeNull();
    expect(fake.calls[CALL.byAppId]).toBe(1);
  });

  it('throws when the read is refused (403) instead of reporting "no such application"', async () => {
    // Prepare
    fault(CALL.byAppId, 403, 'Authorization_RequestDenied');
    // Act
    const outcome = directory().findApplicationByAppId(randomUUID());
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403 });
  });
});

describe('GraphDirectory.deleteApplication', () => {
  async function registeredWithServicePrincipal(): Promise<EntraApplication> {
    const { application } = await directory().registerApplication(SPEC);
    await directory().ensureServicePrincipal(application.appId);
    return application;
  }

  function expectNothingLeft(): void {
    expect(fake.state.listApplications()).toEqual([]);
    expect(fake.state.listServicePrincipals()).toEqual([]);
    expect(fake.state.listDeletedApplications()).toEqual([]);
    expect(fake.state.listDeletedServicePrincipals()).toEqual([]);
    expect(fake.state.ownedObjectCount()).toBe(0);
  }

  it('deletes the application and purges it and its service principal: nothing live, nothing in deleted items', async () => {
    // Prepare
    const application = await registeredWithServicePrincipal();
    // Act
    await directory().deleteApplication(application);
    // Assess
    expectNothingLeft();
    expect(fake.calls[CALL.deleteApplication]).toBe(1);
    expect(fake.calls[CALL.purge]).toBe(2);
  });

  it('retries purges that answer 404 right after the delete (replication lag) until nothing is left', async () => {
    // Prepare
    const application = await registeredWithServicePrincipal();
    fake.state.purgeLagPerDeletion = 2;
    // Act
    await directory().deleteApplication(application);
    // Assess: two lagging answers for the application, two for its service principal
    expectNothingLeft();
    expect(fake.calls[CALL.purge]).toBe(6);
    expect(sleeps).toEqual([250, 500, 250, 500]);
  });

  it('does not take a 404 right after its own delete as "purged already", even when reading the item lags too', async () => {
    // Prepare: while the item is not visible in deleted items, reading it answers 404 as well
    const application = await registeredWithServicePrincipal();
    fake.state.purgeLagPerDeletion = 1;
    fault(CALL.deletedItem, 404, 'Request_ResourceNotFound');
    // Act
    await directory().deleteApplication(application);
    // Assess
    expectNothingLeft();
    expect(fake.calls[CALL.purge]).toBe(4);
    expect(fake.calls[CALL.deletedItem]).toBeUndefined();
  });

  it("converges over the state machine's retries when the purge lag outlasts one invocation", async () => {
    // Prepare
    const application = await registeredWithServicePrincipal();
    fake.state.purgeLagPerDeletion = 4;
    // Act: each invocation is what one Lambda attempt does; the state machine retries the transient error
    const errors: unknown[] = [];
    for (let invocation = 0; invocation < 5; invocation++) {
      try {
        await directory().deleteApplication(application);
        break;
      } catch (error) {
        errors.push(error);
      }
    }
    // Assess
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error instanceof GraphReplicationLagError)).toBe(true);
    expectNothingLeft();
  });

  it('is idempotent: an application already deleted and purged counts as done', async () => {
    // Prepare
    const application = await registeredWithServicePrincipal();
    await directory().deleteApplication(application);
    for (const key of Object.keys(fake.calls)) delete fake.calls[key];
    // Act
    await directory().deleteApplication(application);
    // Assess: the 404 of the purge is confirmed by reading the deleted item, not assumed
    expectNothingLeft();
    expect(fake.calls[CALL.deleteApplication]).toBe(1);
    expect(fake.calls[CALL.deletedItem]).toBe(1);
  });

  it('finishes the purge of an application a previous attempt deleted but did not purge', async () => {
    // Prepare
    const application = await registeredWithServicePrincipal();
    fake.state.purgeLagPerDeletion = 10;
    await expect(directory().deleteApplication(application)).rejects.toBeInstanceOf(GraphReplicationLagError);
    expect(fake.state.listDeletedApplications()).toHaveLength(1);
    fake.state.purgeLagPerDeletion = 0;
    const [deletedApp] = fake.state.listDeletedApplications();
    const [deletedSp] = fake.state.listDeletedServicePrincipals();
    deletedApp!.purgeLagRemaining = 0;
    deletedSp!.purgeLagRemaining = 0;
    // Act
    await directory().deleteApplication(application);
    // Assess: the service principal is found among the deleted items by its appId
    expectNothingLeft();
    expect(fake.calls[CALL.deletedServicePrincipals]).toBe(1);
  });

  it('purges a service principal that was soft-deleted on its own before the application', async () => {
    // Prepare
    const app = fake.state.seedApplication({ uniqueName: SPEC.uniqueName, displayName: SPEC.displayName });
    fake.state.seedServicePrincipal({
      id: randomUUID(),
      appId: app.appId,
      createdBy: fake.state.automationServicePrincipalId,
      deleted: true,
    });
    // Act
    await directory().deleteApplication(asEntraApplication(app));
    // Assess
    expectNothingLeft();
  });

  it('fails rather than reporting done when Graph refuses to read a deleted item it could not purge', async () => {
    // Prepare: an application already gone; the purge answers 404 and the check is refused
    const gone: EntraApplication = { id: randomUUID(), appId: randomUUID(), uniqueName: SPEC.uniqueName, displayName: SPEC.displayName };
    fault(CALL.deletedItem, 403, 'Authorization_RequestDenied');
    // Act
    const outcome = directory().deleteApplication(gone);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403, code: 'Authorization_RequestDenied' });
    expect(fake.calls[CALL.deletedItem]).toBe(1);
  });

  it('does not retry a refused delete (403), and purges nothing', async () => {
    // Prepare
    const application = await registeredWithServicePrincipal();
    fault(CALL.deleteApplication, 403, 'Authorization_RequestDenied');
    // Act
    const outcome = directory().deleteApplication(application);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403 });
    expect(fake.calls[CALL.deleteApplication]).toBe(1);
    expect(fake.calls[CALL.purge]).toBeUndefined();
    expect(fake.state.listApplications()).toHaveLength(1);
  });

  it('does not retry a refused purge (403)', async () => {
    // Prepare
    const application = await registeredWithServicePrincipal();
    fault(CALL.purge, 403, 'Authorization_RequestDenied');
    // Act
    const outcome = directory().deleteApplication(application);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403 });
    expect(fake.calls[CALL.purge]).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('backs off on 503 and throws GraphUnavailableError when Graph stays unavailable', async () => {
    // Prepare
    const application = await registeredWithServicePrincipal();
    fake.faults.inject({ kind: 'unavailable', count: 100 });
    // Act
    const outcome = directory().deleteApplication(application);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(GraphUnavailableError);
    expect(sleeps).toEqual([250, 500, 1000]);
    expect(fake.state.listApplications()).toHaveLength(1);
  });
});

describe('GraphDirectory.addOwner', () => {
  it('adds a known user (204), then reports already-owner (400) and not-found for an unknown user (404), each in one call', async () => {
    // Prepare
    fake.state.addUsers(USER);
    const { application } = await directory().registerApplication(SPEC);
    // Act
    const first = await directory().addOwner(application.id, USER);
    const again = await directory().addOwner(application.id, USER);
    const unknown = await directory().addOwner(application.id, randomUUID());
    // Assess
    expect([first, again, unknown]).toEqual(['added', 'already-owner', 'not-found']);
    expect(fake.state.listApplications()[0]?.owners).toEqual([fake.state.automationServicePrincipalId, USER]);
    expect(fake.calls[CALL.addOwner]).toBe(3);
    expect(sleeps).toEqual([]);
  });

  it('reports not-found for a malformed owner reference (400 invalid object identifier)', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    // Act
    const outcome = await directory().addOwner(application.id, 'not-a-guid');
    // Assess
    expect(outcome).toBe('not-found');
  });

  it('reports a refusal (403 Authorization_RequestDenied) as { refused } without retrying', async () => {
    // Prepare: Application.ReadWrite.OwnedBy may not add owners (the application-post-owners page's note)
    fake.state.addUsers(USER);
    const { application } = await directory().registerApplication(SPEC);
    fault(CALL.addOwner, 403, 'Authorization_RequestDenied');
    // Act
    const outcome = await directory().addOwner(application.id, USER);
    // Assess
    expect(outcome).toEqual({ refused: 'Authorization_RequestDenied' });
    expect(fake.calls[CALL.addOwner]).toBe(1);
    expect(fake.state.listApplications()[0]?.owners).toEqual([fake.state.automationServicePrincipalId]);
  });

  it('reports any other 400 as { refused } with its code', async () => {
    // Prepare
    fake.state.addUsers(USER);
    const { application } = await directory().registerApplication(SPEC);
    fault(CALL.addOwner, 400, 'Request_BadRequest');
    // Act
    const outcome = await directory().addOwner(application.id, USER);
    // Assess
    expect(outcome).toEqual({ refused: 'Request_BadRequest' });
  });

  it('retries a 404 naming the application right after its creation (replication lag), then adds the owner', async () => {
    // Prepare
    fake.state.addUsers(USER);
    fake.state.subresourceLagPerApplication = 2;
    const { application } = await directory().registerApplication(SPEC);
    // Act
    const outcome = await directory().addOwner(application.id, USER);
    // Assess
    expect(outcome).toBe('added');
    expect(fake.calls[CALL.addOwner]).toBe(3);
    expect(sleeps).toEqual([250, 500]);
  });

  it('throws on an answer it has no outcome for (409)', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    fault(CALL.addOwner, 409, 'Conflict');
    // Act
    const outcome = directory().addOwner(application.id, USER);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 409, code: 'Conflict' });
  });
});

describe('GraphDirectory errors and transport', () => {
  it('honours Retry-After on 429 and then succeeds', async () => {
    // Prepare
    fake.faults.inject({ method: 'POST', route: '/applications', kind: 'throttle', count: 2, retryAfterSeconds: 3 });
    // Act
    const registered = await directory().registerApplication(SPEC);
    // Assess
    expect(registered.created).toBe(true);
    expect(sleeps).toEqual([3000, 3000]);
    expect(fake.calls[CALL.postApplication]).toBe(3);
  });

  it("throws GraphThrottledError with the server's delay when throttling persists", async () => {
    // Prepare
    fake.faults.inject({ kind: 'throttle', count: 100, retryAfterSeconds: 2 });
    // Act
    const outcome = directory().findOwnApplication(SPEC.uniqueName);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(GraphThrottledError);
    await expect(outcome).rejects.toMatchObject({ retryAfterSeconds: 2 });
    expect(fake.calls[CALL.byUniqueName]).toBe(4);
  });

  it('hands a Retry-After longer than a Lambda may wait to the state machine at once', async () => {
    // Prepare
    fake.faults.inject({ kind: 'throttle', count: 1, retryAfterSeconds: 120 });
    // Act
    const outcome = directory().findOwnApplication(SPEC.uniqueName);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphThrottledError', retryAfterSeconds: 120 });
    expect(sleeps).toEqual([]);
  });

  it('maps a network failure to GraphUnavailableError after its retries', async () => {
    // Prepare
    const baseUrl = fake.baseUrl;
    await fake.close();
    const client = directory({ baseUrl });
    // Act
    const outcome = client.findOwnApplication(SPEC.uniqueName);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(GraphUnavailableError);
    await expect(outcome).rejects.toMatchObject({ cause: expect.objectContaining({ message: expect.any(String) }) });
    expect(sleeps).toHaveLength(3);
    fake = await startGraphFake();
  });

  it('maps 401 to GraphRequestError without retrying', async () => {
    // Prepare
    const client = directory({ getToken: async () => ' ' });
    // Act
    const outcome = client.findOwnApplication(SPEC.uniqueName);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 401, code: 'InvalidAuthenticationToken' });
    expect(sleeps).toEqual([]);
  });

  it('maps a failing token provider to EntraAuthenticationError without calling Graph', async () => {
    // Prepare
    const client = directory({ getToken: async () => Promise.reject(new Error('AADSTS700016: application not found')) });
    // Act
    const outcome = client.findOwnApplication(SPEC.uniqueName);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(EntraAuthenticationError);
    await expect(outcome).rejects.toThrow(/AADSTS700016/);
    await expect(outcome).rejects.toMatchObject({ cause: expect.objectContaining({ message: 'AADSTS700016: application not found' }) });
    expect(fake.calls).toEqual({});
  });

  it('maps an empty token to EntraAuthenticationError without calling Graph', async () => {
    // Prepare
    const client = directory({ getToken: async () => '' });
    // Act
    const outcome = client.findOwnApplication(SPEC.uniqueName);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(EntraAuthenticationError);
    await expect(outcome).rejects.toThrow(/empty token/);
    expect(fake.calls).toEqual({});
  });

  it('refuses an @odata.nextLink to another origin: the bearer token never leaves Graph', async () => {
    // Prepare: a second server stands for the foreign origin and records whatever reaches it
    const elsewhere = await startGraphFake();
    try {
      await directory().registerApplication(SPEC);
      refuseStartsWith();
      const fetchSpy = rewriteAnswers(({ url, status, body }) =>
        url.pathname.endsWith('/createdObjects/microsoft.graph.application') && status === 200
          ? { status, body: { ...(body as object), '@odata.nextLink': `${elsewhere.baseUrl}/applications?$skiptoken=1` } }
          : undefined,
      );
      // Act
      const outcome = directory().findOwnApplications(PREFIX);
      // Assess
      await expect(outcome).rejects.toBeInstanceOf(GraphRequestError);
      await expect(outcome).rejects.toThrow(`refusing to follow a link off ${new URL(fake.baseUrl).origin}`);
      expect(elsewhere.calls).toEqual({});
      const origins = fetchSpy.mock.calls.map(([input]) => new URL(String(input)).origin);
      expect(new Set(origins)).toEqual(new Set([new URL(fake.baseUrl).origin]));
      expect(sleeps).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it('converges through a seeded fault storm', async () => {
    // Prepare
    fake.faults.startStorm({ probability: 0.3, seed: 7, retryAfterSeconds: 1 });
    const client = directory({ maxAttempts: 6 });
    // Act
    const { application } = await client.registerApplication(SPEC);
    const spId = await client.ensureServicePrincipal(application.appId);
    // Assess
    expect(fake.state.listServicePrincipals()).toEqual([expect.objectContaining({ id: spId })]);
    expect(fake.faults.served.throttle + fake.faults.served.unavailable).toBeGreaterThan(0);
  });
});

interface SentRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/** A `fetch` for `deps.fetch` that records each request and sends it on (through `rewriteAnswers` when a test rewrites). */
function recordingFetch(sent: SentRequest[]): NonNullable<GraphDirectoryDeps['fetch']> {
  return async (input, init) => {
    sent.push({
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      headers: { ...(init?.headers as Record<string, string> | undefined) },
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    return globalThis.fetch(input, init);
  };
}

/** The requests to one path (after the base URL), in order. */
function sentTo(sent: readonly SentRequest[], method: string, path: string): SentRequest[] {
  return sent.filter((request) => request.method === method && request.url.pathname === `${new URL(fake.baseUrl).pathname}${path}`);
}

/** An application the automation created, soft-deleted with its service principal, which createdObjects still lists (one reading). */
function ownSoftDeletedApplication(): FakeApplication {
  return fake.state.seedApplication({
    uniqueName: SPEC.uniqueName,
    displayName: 'old',
    deleted: true,
    servicePrincipalId: 'c0ffee00-0000-4000-8000-000000000001',
  });
}

const listsSoftDeleted = (old: FakeApplication, { url, status }: Exchange) =>
  status === 404 && url.pathname.endsWith(`/createdObjects/${old.id}`)
    ? { status: 200, body: { '@odata.type': '#microsoft.graph.application', id: old.id } }
    : undefined;

describe('GraphDirectory configuration', () => {
  it('talks to Microsoft Graph v1.0 when no base URL is given', async () => {
    // Prepare: a stub stands for the network
    const urls: string[] = [];
    const client = new GraphDirectory({
      automationServicePrincipalId: fake.state.automationServicePrincipalId,
      getToken: async () => 'fake-token',
      sleep: async () => undefined,
      fetch: async (input) => {
        urls.push(String(input));
        return Response.json({ error: { code: 'Request_ResourceNotFound', message: 'Resource does not exist.' } }, { status: 404 });
      },
    });
    // Act
    const found = await client.findApplicationByAppId(USER);
    // Assess
    expect(found).toBeNull();
    expect(urls).toEqual([`https://graph.microsoft.com/v1.0/applications(appId='${USER}')?$select=id,appId,uniqueName,displayName`]);
  });

  it('ignores trailing slashes of the configured base URL', async () => {
    // Prepare
    const sent: SentRequest[] = [];
    // Act
    const registered = await directory({ baseUrl: `${fake.baseUrl}//`, fetch: recordingFetch(sent) }).registerApplication(SPEC);
    // Assess
    expect(registered.created).toBe(true);
    expect(sent.map((request) => request.url.href)).toEqual([`${fake.baseUrl}/applications`]);
  });

  it('keeps its own service principal object ID in lower case, as Graph returns object IDs', async () => {
    // Act
    const id = await directory({
      automationServicePrincipalId: fake.state.automationServicePrincipalId.toUpperCase(),
    }).ownServicePrincipalId();
    // Assess
    expect(id).toBe(fake.state.automationServicePrincipalId.toLowerCase());
  });

  it.each([
    ['missing', undefined, /automationClientId: "undefined" is not a GUID/],
    [
      'not a GUID',
      'web-identity-automation',
      /automationClientId: "web-identity-automation" is not a GUID; pass the automation identity's client ID/,
    ],
  ])('refuses an automation client ID that is %s when no object ID is given', (_case, clientId, message) => {
    // Act
    const construct = () => new GraphDirectory({ baseUrl: fake.baseUrl, automationClientId: clientId, getToken: async () => 'fake-token' });
    // Assess
    expect(construct).toThrow(InvalidInputError);
    expect(construct).toThrow(message);
  });

  it("fails with Graph's answer, naming the client ID, when its own service principal cannot be read", async () => {
    // Prepare: a client ID no service principal of the tenant has
    const clientId = randomUUID();
    const client = directory({ automationServicePrincipalId: undefined, automationClientId: clientId });
    // Act
    const outcome = client.ownServicePrincipalId();
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 404, code: 'Request_ResourceNotFound' });
    await expect(outcome).rejects.toThrow(`read the service principal of automation identity ${clientId}`);
  });
});

describe('GraphDirectory requests on the wire', () => {
  it('sends JSON with a Content-Type only when there is a body, and always asks for JSON', async () => {
    // Prepare: https://learn.microsoft.com/graph/api/application-post-applications (Content-Type: application/json)
    const sent: SentRequest[] = [];
    const client = directory({ fetch: recordingFetch(sent) });
    // Act
    const { application } = await client.registerApplication(SPEC);
    await client.findOwnApplication(SPEC.uniqueName);
    await client.deleteApplication(application);
    // Assess
    const [post, ...others] = sent;
    expect(post?.method).toBe('POST');
    expect(post?.headers).toEqual({ Authorization: 'Bearer fake-token', Accept: 'application/json', 'Content-Type': 'application/json' });
    expect(JSON.parse(post?.body ?? '')).toEqual({
      uniqueName: SPEC.uniqueName,
      displayName: SPEC.displayName,
      signInAudience: 'AzureADMyOrg',
      notes: SPEC.notes,
      api: { requestedAccessTokenVersion: 2 },
    });
    expect(others.length).toBeGreaterThan(3);
    for (const request of others) {
      expect(request.body).toBeUndefined();
      expect(request.headers).toEqual({ Authorization: 'Bearer fake-token', Accept: 'application/json' });
    }
  });

  it('reads an application by its alternate key with $select of the fields it uses', async () => {
    // Prepare: https://learn.microsoft.com/graph/query-parameters#select
    const sent: SentRequest[] = [];
    // Act
    await directory({ fetch: recordingFetch(sent) }).findOwnApplication(SPEC.uniqueName);
    // Assess
    expect(sent.map((request) => decodeURIComponent(request.url.pathname + request.url.search))).toEqual([
      `${new URL(fake.baseUrl).pathname}/applications(uniqueName='${SPEC.uniqueName}')?$select=id,appId,uniqueName,displayName`,
    ]);
  });

  it('looks for a soft-deleted holder of the name with one $filter on uniqueName', async () => {
    // Prepare: https://learn.microsoft.com/graph/api/directory-deleteditems-list ($filter on the cast segment)
    squat({ deleted: true });
    const sent: SentRequest[] = [];
    // Act
    const outcome = directory({ fetch: recordingFetch(sent) }).registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ApplicationNameTakenError);
    const lookups = sentTo(sent, 'GET', '/directory/deletedItems/microsoft.graph.application');
    expect(lookups.map((request) => request.url.searchParams.get('$filter'))).toEqual([`uniqueName eq '${SPEC.uniqueName}'`]);
  });
});

describe('GraphDirectory.registerApplication, more shapes', () => {
  it.each([
    [
      '409 Request_MultipleObjectsWithSameKeyValue, whatever its message',
      409,
      'Request_MultipleObjectsWithSameKeyValue',
      'Request contains a property with duplicate values.',
    ],
    ['400 ObjectConflict, whatever its message', 400, 'ObjectConflict', 'Object conflict.'],
    ['a message saying the uniqueName is in use', 400, 'Request_BadRequest', 'The value of property uniqueName is in use.'],
  ])('takes %s for "the name is taken" and reads its own application back', async (_shape, status, code, message) => {
    // Prepare: https://learn.microsoft.com/graph/api/application-upsert shows these conflict answers
    const first = await directory().registerApplication(SPEC);
    rewriteAnswers(({ method, url, status: answered }) =>
      method === 'POST' && url.pathname.endsWith('/applications') && answered >= 400
        ? { status, body: { error: { code, message } } }
        : undefined,
    );
    // Act
    const again = await directory().registerApplication(SPEC);
    // Assess
    expect(again).toEqual({ application: first.application, created: false });
  });

  it('does not take a refusal (403) for a conflict, even when its message says "already exists"', async () => {
    // Prepare
    rewriteAnswers(({ method, url }) =>
      method === 'POST' && url.pathname.endsWith('/applications')
        ? { status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Denied: the object already exists.' } } }
        : undefined,
    );
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403, code: 'Authorization_RequestDenied' });
    expect(fake.calls[CALL.byUniqueName]).toBeUndefined();
  });

  it('checks a purge that answers 404 against deletedItems, and takes "not listed" as purged (another run purged it first)', async () => {
    // Prepare: https://learn.microsoft.com/graph/api/directory-deleteditems-get answers 404 for a purged item
    const old = ownSoftDeletedApplication();
    rewriteAnswers((exchange) => {
      const { method, url, status } = exchange;
      if (method === 'DELETE' && url.pathname.includes('/directory/deletedItems/') && status === 204) {
        return { status: 404, body: { error: { code: 'Request_ResourceNotFound', message: 'Resource does not exist.' } } };
      }
      return listsSoftDeleted(old, exchange);
    });
    // Act
    const registered = await directory().registerApplication(SPEC);
    // Assess
    expect(registered.created).toBe(true);
    expect(fake.state.listDeletedApplications()).toEqual([]);
    expect(fake.state.listDeletedServicePrincipals()).toEqual([]);
    expect(fake.calls[CALL.deletedItem]).toBe(2);
    expect(sleeps).toEqual([]);
  });

  it("surfaces Graph's refusal of the create that follows the purge", async () => {
    // Prepare
    const old = ownSoftDeletedApplication();
    rewriteAnswers((exchange) => listsSoftDeleted(old, exchange));
    fault(CALL.postApplication, 403, 'Authorization_RequestDenied', { skip: 1 });
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403, code: 'Authorization_RequestDenied' });
    expect(fake.state.listApplications()).toEqual([]);
  });

  it('does not fall back to listing every deleted application when the filtered lookup is refused (403)', async () => {
    // Prepare
    squat({ deleted: true });
    fault(CALL.deletedApplications, 403, 'Authorization_RequestDenied');
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403, code: 'Authorization_RequestDenied' });
    expect(fake.calls[CALL.deletedApplications]).toBe(1);
  });

  it("surfaces Graph's refusal of the unfiltered deleted-items listing", async () => {
    // Prepare: the tenant refuses $filter there (400), then the listing itself (403)
    await fake.close();
    fake = await startGraphFake({ deletedItemsFilter: false });
    squat({ deleted: true });
    fault(CALL.deletedApplications, 403, 'Authorization_RequestDenied', { skip: 1 });
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403, code: 'Authorization_RequestDenied' });
    expect(fake.calls[CALL.deletedApplications]).toBe(2);
  });

  it('picks the soft-deleted holder of the exact name when the filtered answer lists other deleted applications too', async () => {
    // Prepare: a tenant that ignores the filter; another deleted application comes first
    fake.state.seedApplication({ uniqueName: `${PREFIX}aroaotherdeleted00001`, displayName: 'x', createdBy: SQUATTER, deleted: true });
    const squatted = squat({ deleted: true });
    rewriteAnswers(({ method, url }) =>
      method === 'GET' && url.pathname.endsWith('/deletedItems/microsoft.graph.application') && url.searchParams.has('$filter')
        ? {
            status: 200,
            body: {
              value: fake.state
                .listDeletedApplications()
                .map((app) => ({ id: app.id, appId: app.appId, uniqueName: app.uniqueName, displayName: app.displayName })),
            },
          }
        : undefined,
    );
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toThrow(`held by the soft-deleted application ${squatted.appId}`);
  });

  it('refuses a squatted application when the createdObjects list is empty (405 on the single-object form)', async () => {
    // Prepare: the automation created nothing yet
    const squatted = squat();
    fault(CALL.createdObject, 405, 'Request_BadRequest');
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ApplicationNameTakenError);
    expect(fake.state.liveByUniqueName(SPEC.uniqueName)?.id).toBe(squatted.id);
    expect(writesBeyondCreate()).toEqual([]);
  });

  it('maps a created application whose body lacks its IDs to GraphRequestError UnexpectedResponse', async () => {
    // Prepare
    rewriteAnswers(({ status }) => (status === 201 ? { status: 201, body: { displayName: SPEC.displayName } } : undefined));
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 201, code: 'UnexpectedResponse' });
    await expect(outcome).rejects.toThrow(/Microsoft Graph answered 201 with an unexpected body/);
  });
});

describe('GraphDirectory.ensureServicePrincipal, lag and refusals', () => {
  it('retries replication lag answered as 404 NoBackingApplicationObject, then succeeds', async () => {
    // Prepare
    fake.state.replicationLagPerApplication = 1;
    const { application } = await directory().registerApplication(SPEC);
    rewriteAnswers(({ method, url, status, body }) =>
      method === 'POST' && url.pathname.endsWith('/servicePrincipals') && status === 400 ? { status: 404, body } : undefined,
    );
    // Act
    const id = await directory().ensureServicePrincipal(application.appId);
    // Assess
    expect(fake.state.listServicePrincipals()).toEqual([expect.objectContaining({ id })]);
    expect(fake.calls[CALL.postServicePrincipal]).toBe(2);
    expect(sleeps).toEqual([250]);
  });

  it('does not retry a 400 that is neither replication lag nor a conflict', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    fault(CALL.postServicePrincipal, 400, 'Request_BadRequest');
    // Act
    const outcome = directory().ensureServicePrincipal(application.appId);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 400, code: 'Request_BadRequest' });
    expect(fake.calls[CALL.postServicePrincipal]).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('does not take a refusal (403) for replication lag, even when its details name NoBackingApplicationObject', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    rewriteAnswers(({ method, url }) =>
      method === 'POST' && url.pathname.endsWith('/servicePrincipals')
        ? {
            status: 403,
            body: {
              error: {
                code: 'Authorization_RequestDenied',
                message: 'Insufficient privileges to complete the operation.',
                details: [{ code: 'NoBackingApplicationObject' }],
              },
            },
          }
        : undefined,
    );
    // Act
    const outcome = directory().ensureServicePrincipal(application.appId);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403, code: 'Authorization_RequestDenied' });
    expect(fake.calls[CALL.postServicePrincipal]).toBe(1);
  });
});

describe('GraphDirectory listings by prefix', () => {
  async function ownAndOthers(): Promise<{ ours: EntraApplication[]; squatted: FakeApplication }> {
    const client = directory();
    const ours = [(await client.registerApplication(SPEC)).application];
    await client.registerApplication({ ...SPEC, uniqueName: `${applicationNamePrefix(ACCOUNT, 'other-role')}aroaotherrole00000001` });
    const squatted = squat({ uniqueName: `${PREFIX}aroasquattedname00001` });
    return { ours, squatted };
  }

  /** A tenant whose answer to the startswith filter holds every application (the filter ignored). */
  function ignoreStartsWith(): void {
    rewriteAnswers(({ method, url }) =>
      method === 'GET' && url.pathname.endsWith('/applications') && url.searchParams.has('$filter')
        ? {
            status: 200,
            body: {
              value: fake.state
                .listApplications()
                .map((app) => ({ id: app.id, appId: app.appId, uniqueName: app.uniqueName, displayName: app.displayName })),
            },
          }
        : undefined,
    );
  }

  it('asks Graph for the names under the prefix with startswith on uniqueName and returns everyone’s', async () => {
    // Prepare: https://learn.microsoft.com/graph/api/application-list ($filter with startswith)
    const { ours, squatted } = await ownAndOthers();
    const sent: SentRequest[] = [];
    // Act
    const found = await directory({ fetch: recordingFetch(sent) }).applicationsWithPrefix(PREFIX);
    // Assess
    expect(found?.map((app) => app.id).sort()).toEqual([ours[0]!.id, squatted.id].sort());
    expect(sent.map((request) => request.url.searchParams.get('$filter'))).toEqual([`startswith(uniqueName,'${PREFIX}')`]);
  });

  it('keeps only names under the prefix when the filtered answer holds more', async () => {
    // Prepare
    const { ours, squatted } = await ownAndOthers();
    ignoreStartsWith();
    // Act
    const everyone = await directory().applicationsWithPrefix(PREFIX);
    const own = await directory().findOwnApplications(PREFIX);
    // Assess
    expect(everyone?.map((app) => app.id).sort()).toEqual([ours[0]!.id, squatted.id].sort());
    expect(own).toEqual(ours);
  });

  it('answers null when the tenant refuses startswith (400), and throws on any other refusal', async () => {
    // Prepare
    await ownAndOthers();
    refuseStartsWith();
    // Act
    const refusedFilter = await directory().applicationsWithPrefix(PREFIX);
    fake.faults.clear();
    fault(CALL.listApplications, 403, 'Authorization_RequestDenied');
    const refused = directory().applicationsWithPrefix(PREFIX);
    // Assess
    expect(refusedFilter).toBeNull();
    await expect(refused).rejects.toMatchObject({ name: 'GraphRequestError', status: 403, code: 'Authorization_RequestDenied' });
  });

  it('names only its own applications under the prefix when the tenant refuses startswith', async () => {
    // Prepare
    await ownAndOthers();
    refuseStartsWith();
    // Act
    const names = await directory().applicationNamesWithPrefix(PREFIX);
    // Assess
    expect(names).toEqual([SPEC.uniqueName]);
  });
});

describe('GraphDirectory.deleteApplication, purges', () => {
  it('checks, rather than retries, a purge answering 404 for a service principal soft-deleted before (purged meanwhile)', async () => {
    // Prepare: the older service principal is not one this call deleted, so its 404 is no replication lag
    const app = fake.state.seedApplication({ uniqueName: SPEC.uniqueName, displayName: SPEC.displayName });
    const older = fake.state.seedServicePrincipal({
      id: randomUUID(),
      appId: app.appId,
      createdBy: fake.state.automationServicePrincipalId,
      deleted: true,
    });
    rewriteAnswers(({ method, url, status }) =>
      method === 'DELETE' && url.pathname.endsWith(`/directory/deletedItems/${older.id}`) && status === 204
        ? { status: 404, body: { error: { code: 'Request_ResourceNotFound', message: 'Resource does not exist.' } } }
        : undefined,
    );
    // Act
    await directory().deleteApplication(asEntraApplication(app));
    // Assess
    expect(fake.state.listDeletedApplications()).toEqual([]);
    expect(fake.state.listDeletedServicePrincipals()).toEqual([]);
    expect(fake.calls[CALL.deletedItem]).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('purges only the soft-deleted service principals of its own appId', async () => {
    // Prepare: another application's service principal waits in deleted items too
    const { application } = await directory().registerApplication(SPEC);
    const other = fake.state.seedServicePrincipal({ id: randomUUID(), appId: randomUUID(), deleted: true });
    // Act
    await directory().deleteApplication(application);
    // Assess
    expect(fake.state.listDeletedServicePrincipals()).toEqual([expect.objectContaining({ id: other.id })]);
  });
});

describe('GraphDirectory.addOwner, answers by status', () => {
  async function withApplication(): Promise<EntraApplication> {
    fake.state.addUsers(USER);
    return (await directory().registerApplication(SPEC)).application;
  }

  function answerAddOwner(status: number, error: Record<string, unknown>): void {
    rewriteAnswers(({ method, url }) =>
      method === 'POST' && url.pathname.endsWith('/owners/$ref') ? { status, body: { error } } : undefined,
    );
  }

  it('reports a 403 naming the application as a refusal at once, not as replication lag', async () => {
    // Prepare
    const application = await withApplication();
    answerAddOwner(403, {
      code: 'Authorization_RequestDenied',
      message: `Insufficient privileges to update application ${application.id}.`,
    });
    // Act
    const outcome = await directory().addOwner(application.id, USER);
    // Assess
    expect(outcome).toEqual({ refused: 'Authorization_RequestDenied' });
    expect(fake.calls[CALL.addOwner]).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('reports a 400 Request_ResourceNotFound as not-found whatever its message', async () => {
    // Prepare
    const application = await withApplication();
    answerAddOwner(400, { code: 'Request_ResourceNotFound', message: 'Bad request.' });
    // Act
    const outcome = await directory().addOwner(application.id, USER);
    // Assess
    expect(outcome).toBe('not-found');
  });

  it('does not take a 403 whose message says "does not exist" for an unknown user', async () => {
    // Prepare
    const application = await withApplication();
    answerAddOwner(403, {
      code: 'Authorization_RequestDenied',
      message: 'The calling principal does not exist in the owners of the target.',
    });
    // Act
    const outcome = await directory().addOwner(application.id, USER);
    // Assess
    expect(outcome).toEqual({ refused: 'Authorization_RequestDenied' });
  });

  it('throws on a 409 even when its message says "already exist": only a 400 means already-owner', async () => {
    // Prepare
    const application = await withApplication();
    answerAddOwner(409, { code: 'Conflict', message: 'One or more added object references already exist.' });
    // Act
    const outcome = directory().addOwner(application.id, USER);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 409, code: 'Conflict' });
  });

  it.each([
    ['without any code', { message: 'Forbidden.' }, 'http-403'],
    [
      'with the code in error.details[] only',
      { message: 'Forbidden.', details: [{ code: 'Authorization_RequestDenied' }] },
      'Authorization_RequestDenied',
    ],
    [
      'with an empty top-level code',
      { code: '', message: 'Forbidden.', details: [{ code: 'Authorization_RequestDenied' }] },
      'Authorization_RequestDenied',
    ],
  ])('reports a 403 %s as refused with the first real code', async (_shape, error, refused) => {
    // Prepare: https://learn.microsoft.com/graph/errors (the error resource: code, message, details[])
    const application = await withApplication();
    answerAddOwner(403, error);
    // Act
    const outcome = await directory().addOwner(application.id, USER);
    // Assess
    expect(outcome).toEqual({ refused });
  });
});

describe('GraphDirectory.addFederatedCredential', () => {
  const CREDENTIAL = {
    name: 'main',
    issuer: 'https://token.actions.githubusercontent.com',
    subject: 'repo:contoso/payments:ref:refs/heads/main',
  };
  const FIC = 'graph:POST /applications/{id}/federatedIdentityCredentials';
  const FIC_BY_NAME = 'graph:GET /applications/{id}/federatedIdentityCredentials/{name}';

  it('retries a 404 right after the application was created (replication lag), then adds the credential', async () => {
    // Prepare
    fake.state.subresourceLagPerApplication = 2;
    const { application } = await directory().registerApplication(SPEC);
    // Act
    const outcome = await directory().addFederatedCredential(application.id, CREDENTIAL);
    // Assess
    expect(outcome).toBe('added');
    expect(fake.calls[FIC]).toBe(3);
    expect(sleeps).toEqual([250, 500]);
  });

  it('reports a refusal (403) as { refused } without reading back, even when a credential of that name exists', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    await directory().addFederatedCredential(application.id, CREDENTIAL);
    fault(FIC, 403, 'Authorization_RequestDenied');
    // Act
    const outcome = await directory().addFederatedCredential(application.id, CREDENTIAL);
    // Assess
    expect(outcome).toEqual({ refused: 'Authorization_RequestDenied' });
    expect(fake.calls[FIC_BY_NAME]).toBeUndefined();
  });

  it('throws on an answer that is neither created nor a refusal (401)', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    fault(FIC, 401, 'InvalidAuthenticationToken');
    // Act
    const outcome = directory().addFederatedCredential(application.id, CREDENTIAL);
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 401, code: 'InvalidAuthenticationToken' });
  });

  it('reports a credential of that name with another issuer as a conflict', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    await directory().addFederatedCredential(application.id, { ...CREDENTIAL, issuer: 'https://issuer.example' });
    // Act
    const outcome = await directory().addFederatedCredential(application.id, CREDENTIAL);
    // Assess
    expect(outcome).toBe('conflict');
  });

  it.each([
    [403, 'http-403'],
    [400, 'http-400'],
  ])('reports a %i without an error code as refused with its status', async (status, refused) => {
    // Prepare: a name Graph refuses, so nothing is created; the answer loses its code on the way back
    const { application } = await directory().registerApplication(SPEC);
    rewriteAnswers(({ method, url }) =>
      method === 'POST' && url.pathname.endsWith('/federatedIdentityCredentials')
        ? { status, body: { error: { message: 'No.' } } }
        : undefined,
    );
    // Act
    const outcome = await directory().addFederatedCredential(application.id, { ...CREDENTIAL, name: 'not a valid name' });
    // Assess
    expect(outcome).toEqual({ refused });
  });
});

describe('GraphDirectory inventory reads', () => {
  it('counts created objects over every page', async () => {
    // Prepare: more than one page holds (https://learn.microsoft.com/graph/paging, $top up to 999)
    fake.state.ownedObjectLimit = 2000;
    for (let i = 0; i < 1000; i++) fake.state.seedApplication({ uniqueName: `bulk-${i}`, displayName: 'x' });
    // Act
    const count = await directory().createdObjectCount();
    // Assess
    expect(count).toBe(1000);
    expect(fake.calls['graph:GET /servicePrincipals/{id}/createdObjects']).toBe(2);
  });

  it('lists deleted applications with their unique names, and deleted service principals', async () => {
    // Prepare
    const app = fake.state.seedApplication({
      uniqueName: SPEC.uniqueName,
      displayName: 'x',
      deleted: true,
      servicePrincipalId: randomUUID(),
    });
    // Act
    const applications = await directory().listDeletedItems('application');
    const servicePrincipals = await directory().listDeletedItems('servicePrincipal');
    // Assess
    expect(applications).toEqual([{ kind: 'application', id: app.id, appId: app.appId, uniqueName: SPEC.uniqueName }]);
    expect(servicePrincipals).toEqual([expect.objectContaining({ kind: 'servicePrincipal', appId: app.appId, uniqueName: null })]);
  });

  it('reports an application without unique name or display name with empty strings', async () => {
    // Prepare: both are optional on the application resource (https://learn.microsoft.com/graph/api/resources/application)
    const { application } = await directory().registerApplication(SPEC);
    rewriteAnswers(({ url, body }) => {
      if (!url.pathname.endsWith('/createdObjects/microsoft.graph.application')) return undefined;
      const value = (body as { value: Record<string, unknown>[] }).value.map((item) => ({ ...item, uniqueName: null, displayName: null }));
      return { status: 200, body: { value } };
    });
    // Act
    const listed = await directory().listOwnApplications();
    // Assess
    expect(listed).toEqual([expect.objectContaining({ id: application.id, uniqueName: '', displayName: '' })]);
  });

  it('reports an application read without a display name with an empty one, by key and in a listing', async () => {
    // Prepare
    const { application } = await directory().registerApplication(SPEC);
    rewriteAnswers(({ method, status, body }) => {
      if (method !== 'GET' || status !== 200) return undefined;
      const withoutName = (item: object) => ({ ...item, displayName: null });
      const page = body as { value?: object[] };
      return { status, body: page.value ? { ...page, value: page.value.map(withoutName) } : withoutName(body as object) };
    });
    // Act
    const byAppId = await directory().findApplicationByAppId(application.appId);
    const listed = await directory().listCreatedApplications();
    // Assess
    expect(byAppId?.application.displayName).toBe('');
    expect(listed).toEqual([{ ...application, displayName: '' }]);
  });

  it('reports a service principal without display name or type with empty strings', async () => {
    // Prepare
    const sp = fake.state.seedServicePrincipal({ id: randomUUID(), appId: randomUUID() });
    rewriteAnswers(({ url, body }) =>
      url.pathname.endsWith(`/servicePrincipals/${sp.id}`)
        ? { status: 200, body: { ...(body as object), displayName: null, servicePrincipalType: null } }
        : undefined,
    );
    // Act
    const found = await directory().getServicePrincipal(sp.id);
    // Assess
    expect(found).toEqual({ id: sp.id, appId: sp.appId, displayName: '', servicePrincipalType: '' });
  });

  it('says whether the automation still owns an application: no once an owner took it off, yes for one that is gone (nobody refused it)', async () => {
    // Prepare
    const owner = randomUUID();
    fake.state.addUsers(owner);
    const kept = fake.state.seedApplication({ uniqueName: 'kept', displayName: 'kept' });
    const taken = fake.state.seedApplication({ uniqueName: 'taken', displayName: 'taken', owners: [owner] });
    // Act
    const answers = [
      await directory().ownsApplication(kept.id),
      await directory().ownsApplication(taken.id),
      await directory().ownsApplication(randomUUID()),
    ];
    // Assess
    expect(answers).toEqual([true, false, true]);
  });

  it('reports no owners for an application that is gone (404)', async () => {
    // Act
    const owners = await directory().ownerIds(randomUUID());
    // Assess
    expect(owners).toEqual([]);
  });

  it.each([
    ['listOwnApplications', CALL.createdApplications, (client: GraphDirectory) => client.listOwnApplications()],
    ['listCreatedApplications', CALL.createdApplications, (client: GraphDirectory) => client.listCreatedApplications()],
    ['listDeletedItems', CALL.deletedServicePrincipals, (client: GraphDirectory) => client.listDeletedItems('servicePrincipal')],
    ['createdObjectCount', 'graph:GET /servicePrincipals/{id}/createdObjects', (client: GraphDirectory) => client.createdObjectCount()],
    ['ownerIds', 'graph:GET /applications/{id}/owners', (client: GraphDirectory) => client.ownerIds(randomUUID())],
    ['ownsApplication', 'graph:GET /applications/{id}/owners', (client: GraphDirectory) => client.ownsApplication(randomUUID())],
    ['getServicePrincipal', 'graph:GET /servicePrincipals/{id}', (client: GraphDirectory) => client.getServicePrincipal(randomUUID())],
    [
      'deleteApplication (its service principal)',
      CALL.servicePrincipalByAppId,
      (client: GraphDirectory) => client.deleteApplication({ id: randomUUID(), appId: randomUUID(), uniqueName: 'x', displayName: 'x' }),
    ],
    [
      'deleteApplication (deleted service principals)',
      CALL.deletedServicePrincipals,
      (client: GraphDirectory) => client.deleteApplication({ id: randomUUID(), appId: randomUUID(), uniqueName: 'x', displayName: 'x' }),
    ],
  ])("%s surfaces Graph's refusal (403) with Graph's code", async (_method, call, act) => {
    // Prepare
    fault(call, 403, 'Authorization_RequestDenied');
    // Act
    const outcome = act(directory());
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'GraphRequestError', status: 403, code: 'Authorization_RequestDenied' });
  });
});

describe('GraphDirectory error classification', () => {
  it('retries a 500 as Graph being unavailable, then succeeds', async () => {
    // Prepare: https://learn.microsoft.com/graph/errors lists 500 Internal Server Error among the server errors
    await directory().registerApplication(SPEC);
    fault(CALL.byUniqueName, 500, 'InternalServerError', { times: 1 });
    // Act
    const found = await directory().findOwnApplication(SPEC.uniqueName);
    // Assess
    expect(found?.uniqueName).toBe(SPEC.uniqueName);
    expect(fake.calls[CALL.byUniqueName]).toBe(2);
    expect(sleeps).toEqual([250]);
  });

  it("passes the token provider's own transient error through, and retries it", async () => {
    // Prepare: e.g. sts:GetWebIdentityToken throttled (entra-auth.ts)
    const client = directory({ getToken: async () => Promise.reject(new IamThrottledError('sts:GetWebIdentityToken was throttled')) });
    // Act
    const outcome = client.findOwnApplication(SPEC.uniqueName);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(IamThrottledError);
    expect(sleeps).toHaveLength(3);
    expect(fake.calls).toEqual({});
  });

  it('maps the quota message found only in error.details[].message to EntraQuotaExceededError', async () => {
    // Prepare
    rewriteAnswers(({ method }) =>
      method === 'POST'
        ? {
            status: 400,
            body: {
              error: {
                code: 'Request_BadRequest',
                message: 'One or more properties are invalid.',
                details: [{ message: 'The directory object quota limit for the Principal has been exceeded.' }],
              },
            },
          }
        : undefined,
    );
    // Act
    const outcome = directory().registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(EntraQuotaExceededError);
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
    expect(retryAfterSeconds('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(retryAfterSeconds('soon')).toBeUndefined();
  });

  it('reads Retry-After seconds only from a whole header of digits, surrounding blanks aside', () => {
    // Act & Assess: https://www.rfc-editor.org/rfc/rfc9110#name-retry-after (delay-seconds = 1*DIGIT)
    expect(retryAfterSeconds(' 7 ')).toBe(7);
    expect(retryAfterSeconds('12abc')).toBeUndefined();
    expect(retryAfterSeconds('abc12')).toBeUndefined();
  });
});
