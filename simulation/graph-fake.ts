import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback (127.0.0.1, plain HTTP) fake of the Microsoft Graph v1.0 subset the
 * automation uses, with in-memory state and fault injection. Request and response
 * shapes follow the Graph docs pages named next to each route; error bodies are
 * `{ error: { code, message } }` as in https://learn.microsoft.com/graph/errors.
 *
 * What it enforces like Graph does:
 * - a non-empty `Authorization: Bearer …` on every request (401 otherwise);
 * - `uniqueName` is unique across live *and* soft-deleted applications;
 * - the 250 directory objects a non-admin creator may own, soft-deleted ones included
 *   (https://learn.microsoft.com/entra/identity/users/directory-service-limits-restrictions);
 * - owners must be known users; a deleted application takes its service principal along.
 */

export interface FakeApplication {
  id: string;
  appId: string;
  uniqueName: string | null;
  displayName: string;
  notes: string | null;
  signInAudience: string;
  requestedAccessTokenVersion: number | null;
  owners: string[];
  createdDateTime: string;
  deletedDateTime: string | null;
  /** POST /servicePrincipals for this app still answers "no backing application object" this many times. */
  replicationLagRemaining: number;
}

export interface FakeServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
}

export interface SeedApplication {
  readonly id?: string;
  readonly appId?: string;
  readonly uniqueName?: string | null;
  readonly displayName: string;
  readonly owners?: readonly string[];
  /** Creates the application's service principal with this object ID. */
  readonly servicePrincipalId?: string;
  /** Seeds it soft-deleted (in `directory/deletedItems`). */
  readonly deleted?: boolean;
}

export class GraphFakeState {
  readonly applications = new Map<string, FakeApplication>();
  readonly servicePrincipals = new Map<string, FakeServicePrincipal>();
  readonly users = new Set<string>();
  /** Objects the automation may own, soft-deleted included. */
  ownedObjectLimit = 250;
  /** How many lagging POST /servicePrincipals each newly created application gets. */
  replicationLagPerApplication = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  seedApplication(seed: SeedApplication): FakeApplication {
    const app: FakeApplication = {
      id: seed.id ?? randomUUID(),
      appId: seed.appId ?? randomUUID(),
      uniqueName: seed.uniqueName ?? null,
      displayName: seed.displayName,
      notes: null,
      signInAudience: 'AzureADMyOrg',
      requestedAccessTokenVersion: null,
      owners: [...(seed.owners ?? [])],
      createdDateTime: this.now().toISOString(),
      deletedDateTime: seed.deleted ? this.now().toISOString() : null,
      replicationLagRemaining: 0,
    };
    this.applications.set(app.id, app);
    if (seed.servicePrincipalId && !seed.deleted) {
      this.servicePrincipals.set(seed.servicePrincipalId, {
        id: seed.servicePrincipalId,
        appId: app.appId,
        displayName: app.displayName,
      });
    }
    return app;
  }

  addUsers(...ids: string[]): void {
    for (const id of ids) this.users.add(id.toLowerCase());
  }

  listApplications(): FakeApplication[] {
    return [...this.applications.values()].filter((app) => app.deletedDateTime === null);
  }

  listDeletedApplications(): FakeApplication[] {
    return [...this.applications.values()].filter((app) => app.deletedDateTime !== null);
  }

  listServicePrincipals(): FakeServicePrincipal[] {
    return [...this.servicePrincipals.values()];
  }

  ownedObjectCount(): number {
    return this.applications.size + this.servicePrincipals.size;
  }

  liveByUniqueName(uniqueName: string): FakeApplication | undefined {
    return this.listApplications().find((app) => app.uniqueName === uniqueName);
  }
}

export type FaultKind = 'throttle' | 'unavailable' | 'replication-lag';

export interface FaultRule {
  /** HTTP method, e.g. `POST`; any when absent. */
  readonly method?: string;
  /** Normalized route (`/servicePrincipals`, `/applications(uniqueName)`) or a pattern on it; any when absent. */
  readonly route?: string | RegExp;
  readonly kind: FaultKind;
  /** How many matching requests get the fault. */
  readonly count: number;
  /** For `throttle`; default 1. */
  readonly retryAfterSeconds?: number;
}

export interface StormOptions {
  /** Chance in [0, 1] that a request is faulted. */
  readonly probability: number;
  readonly seed: number;
  readonly kinds?: readonly ('throttle' | 'unavailable')[];
  readonly retryAfterSeconds?: number;
}

export class GraphFakeFaults {
  private rules: Array<FaultRule & { remaining: number }> = [];
  private storm: (StormOptions & { next: () => number }) | null = null;
  /** Faults actually served, by kind. */
  readonly served: Record<FaultKind, number> = { throttle: 0, unavailable: 0, 'replication-lag': 0 };

  inject(rule: FaultRule): void {
    this.rules.push({ ...rule, remaining: rule.count });
  }

  /** The next `count` POST /servicePrincipals answer `NoBackingApplicationObject`. */
  replicationLag(count: number): void {
    this.inject({ method: 'POST', route: '/servicePrincipals', kind: 'replication-lag', count });
  }

  startStorm(options: StormOptions): void {
    this.storm = { ...options, next: mulberry32(options.seed) };
  }

  clear(): void {
    this.rules = [];
    this.storm = null;
  }

  /** @internal picks the fault for one request, if any. */
  take(method: string, route: string): { kind: FaultKind; retryAfterSeconds: number } | null {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.method === undefined || r.method.toUpperCase() === method) &&
        (r.route === undefined || (typeof r.route === 'string' ? r.route === route : r.route.test(route))),
    );
    if (rule) {
      rule.remaining--;
      this.served[rule.kind]++;
      return { kind: rule.kind, retryAfterSeconds: rule.retryAfterSeconds ?? 1 };
    }
    if (this.storm && this.storm.next() < this.storm.probability) {
      const kinds = this.storm.kinds?.length ? this.storm.kinds : (['throttle', 'unavailable'] as const);
      const kind = kinds[Math.floor(this.storm.next() * kinds.length)] ?? 'unavailable';
      this.served[kind]++;
      return { kind, retryAfterSeconds: this.storm.retryAfterSeconds ?? 1 };
    }
    return null;
  }
}

export interface GraphFakeOptions {
  readonly state?: GraphFakeState;
  /** When false, `$filter` on deletedItems answers 400 (exercises the client's fallback). */
  readonly deletedItemsFilter?: boolean;
}

export interface GraphFake {
  /** e.g. `http://127.0.0.1:54321/v1.0`: what `GraphDirectory` takes as `baseUrl`. */
  readonly baseUrl: string;
  readonly state: GraphFakeState;
  readonly faults: GraphFakeFaults;
  /** Requests received per route, keyed `graph:{METHOD} {route}` (docs/simulate.md#output-stdout-one-json-document). Faulted ones count. */
  readonly calls: Record<string, number>;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startGraphFake(options: GraphFakeOptions = {}): Promise<GraphFake> {
  const state = options.state ?? new GraphFakeState();
  const faults = new GraphFakeFaults();
  const calls: Record<string, number> = {};
  let baseUrl = '';

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\/v1\.0/, '');
    const route = normalizeRoute(path);
    const key = `graph:${method} ${route}`;
    calls[key] = (calls[key] ?? 0) + 1;
    send(res, answer(method, path, route, url, req, raw));
  }

  function answer(
    method: string,
    path: string,
    route: string,
    url: URL,
    req: IncomingMessage,
    raw: string,
  ): Reply {
    const auth = req.headers.authorization ?? '';
    if (!/^Bearer \S+/.test(auth)) {
      return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    }
    const fault = faults.take(method, route);
    if (fault?.kind === 'throttle') {
      return {
        ...graphError(429, 'TooManyRequests', 'Too many requests.'),
        headers: { 'Retry-After': String(fault.retryAfterSeconds) },
      };
    }
    if (fault?.kind === 'unavailable') {
      return graphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable.');
    }
    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return graphError(400, 'BadRequest', 'Unable to read JSON request payload.');
      }
    }
    if (fault?.kind === 'replication-lag') return noBackingApplication(String(body.appId ?? ''));

    const byUniqueName = /^\/applications\(uniqueName=(.*)\)$/.exec(path);
    if (byUniqueName) {
      const uniqueName = odataLiteral(byUniqueName[1] ?? '');
      if (uniqueName === null) return graphError(400, 'BadRequest', 'Invalid OData key literal.');
      if (method === 'PATCH') return upsert(uniqueName, body, String(req.headers.prefer ?? ''));
      if (method === 'GET') {
        const app = state.liveByUniqueName(uniqueName);
        return app ? ok(entity('applications', app)) : notFound(uniqueName);
      }
    }
    const spByAppId = /^\/servicePrincipals\(appId=(.*)\)$/.exec(path);
    if (spByAppId && method === 'GET') {
      const appId = odataLiteral(spByAppId[1] ?? '');
      const sp = state.listServicePrincipals().find((s) => s.appId === appId);
      return sp ? ok(entity('servicePrincipals', sp)) : notFound(appId ?? '');
    }
    if (path === '/servicePrincipals' && method === 'POST') return createServicePrincipal(body);

    const owners = /^\/applications\/([^/]+)\/owners\/\$ref$/.exec(path);
    if (owners && method === 'POST') return addOwner(decodeURIComponent(owners[1] ?? ''), body);

    const byId = /^\/applications\/([^/]+)$/.exec(path);
    if (byId) {
      const app = state.applications.get(decodeURIComponent(byId[1] ?? ''));
      const live = app && app.deletedDateTime === null ? app : undefined;
      if (method === 'GET') return live ? ok(entity('applications', live)) : notFound(byId[1] ?? '');
      if (method === 'DELETE') {
        if (!live) return notFound(byId[1] ?? '');
        live.deletedDateTime = new Date().toISOString();
        for (const sp of state.listServicePrincipals()) {
          if (sp.appId === live.appId) state.servicePrincipals.delete(sp.id);
        }
        return { status: 204 };
      }
    }
    if (path === '/directory/deletedItems/microsoft.graph.application' && method === 'GET') {
      return listDeleted(url);
    }
    const deletedItem = /^\/directory\/deletedItems\/([^/]+)$/.exec(path);
    if (deletedItem && method === 'DELETE') {
      const app = state.applications.get(decodeURIComponent(deletedItem[1] ?? ''));
      if (!app || app.deletedDateTime === null) return notFound(deletedItem[1] ?? '');
      state.applications.delete(app.id);
      return { status: 204 };
    }
    return graphError(400, 'BadRequest', `Unsupported request: ${method} ${path}`);
  }

  // https://learn.microsoft.com/graph/api/application-upsert
  function upsert(uniqueName: string, body: Record<string, unknown>, prefer: string | undefined): Reply {
    const existing = state.liveByUniqueName(uniqueName);
    if (existing) {
      applyWritable(existing, body);
      return { status: 204 };
    }
    if (!/create-if-missing/i.test(prefer ?? '')) return notFound(uniqueName);
    if (typeof body.displayName !== 'string' || body.displayName === '') {
      return graphError(400, 'Request_BadRequest', "Property 'displayName' is required.");
    }
    if (state.listDeletedApplications().some((app) => app.uniqueName === uniqueName)) {
      return graphError(400, 'Request_BadRequest', 'Another object with the same value for property uniqueName already exists.');
    }
    if (state.ownedObjectCount() >= state.ownedObjectLimit) return quotaExceeded();
    const app = state.seedApplication({ uniqueName, displayName: body.displayName });
    applyWritable(app, body);
    app.replicationLagRemaining = state.replicationLagPerApplication;
    return { status: 201, body: entity('applications', app) };
  }

  // https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals
  function createServicePrincipal(body: Record<string, unknown>): Reply {
    const appId = typeof body.appId === 'string' ? body.appId : '';
    const app = state.listApplications().find((a) => a.appId === appId);
    if (!app) return noBackingApplication(appId);
    if (app.replicationLagRemaining > 0) {
      app.replicationLagRemaining--;
      faults.served['replication-lag']++;
      return noBackingApplication(appId);
    }
    if (state.listServicePrincipals().some((sp) => sp.appId === appId)) {
      return graphError(
        409,
        'Request_MultipleObjectsWithSameKeyValue',
        `The service principal cannot be created, updated, or restored because the service principal name ${appId} is already in use.`,
      );
    }
    if (state.ownedObjectCount() >= state.ownedObjectLimit) return quotaExceeded();
    const sp: FakeServicePrincipal = { id: randomUUID(), appId, displayName: app.displayName };
    state.servicePrincipals.set(sp.id, sp);
    return { status: 201, body: entity('servicePrincipals', sp) };
  }

  // https://learn.microsoft.com/graph/api/application-post-owners
  function addOwner(applicationId: string, body: Record<string, unknown>): Reply {
    const app = state.applications.get(applicationId);
    if (!app || app.deletedDateTime !== null) return notFound(applicationId);
    const ref = typeof body['@odata.id'] === 'string' ? body['@odata.id'] : '';
    const userId = decodeURIComponent(ref.split('/').pop() ?? '').toLowerCase();
    if (!/\/directoryObjects\/[^/]+$/.test(ref) || !GUID.test(userId)) {
      return graphError(400, 'Request_BadRequest', 'Invalid object identifier.');
    }
    if (!state.users.has(userId)) return notFound(userId);
    if (app.owners.includes(userId)) {
      return graphError(
        400,
        'Request_BadRequest',
        "One or more added object references already exist for the following modified properties: 'owners'.",
      );
    }
    app.owners.push(userId);
    return { status: 204 };
  }

  // https://learn.microsoft.com/graph/api/directory-deleteditems-list
  function listDeleted(url: URL): Reply {
    let items = state.listDeletedApplications();
    const filter = url.searchParams.get('$filter');
    if (filter !== null) {
      const match = /^uniqueName eq (.*)$/.exec(filter);
      const value = match ? odataLiteral(encodeURIComponent(match[1] ?? '')) : null;
      if (options.deletedItemsFilter === false || value === null) {
        return graphError(400, 'Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified.');
      }
      items = items.filter((app) => app.uniqueName === value);
    }
    const top = Math.min(Number(url.searchParams.get('$top') ?? 100) || 100, 999);
    const skip = Number(url.searchParams.get('$skiptoken') ?? 0) || 0;
    const page = items.slice(skip, skip + top);
    const next = new URL(`${baseUrl}/directory/deletedItems/microsoft.graph.application`);
    for (const [k, v] of url.searchParams) if (k !== '$skiptoken') next.searchParams.set(k, v);
    next.searchParams.set('$skiptoken', String(skip + top));
    return ok({
      '@odata.context': `${baseUrl}/$metadata#directoryObjects`,
      value: page.map((app) => ({ '@odata.type': '#microsoft.graph.application', ...representation(app) })),
      ...(skip + top < items.length ? { '@odata.nextLink': next.toString() } : {}),
    });
  }

  function entity(set: 'applications' | 'servicePrincipals', item: FakeApplication | FakeServicePrincipal) {
    const body = 'owners' in item ? representation(item) : { ...item, servicePrincipalType: 'Application' };
    return { '@odata.context': `${baseUrl}/$metadata#${set}/$entity`, ...body };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1.0`;

  return {
    baseUrl,
    state,
    faults,
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** `/applications/3f…/owners/$ref` → `/applications/{id}/owners/$ref`; the keys of `calls`. */
export function normalizeRoute(path: string): string {
  return path
    .replace(/^\/applications\(uniqueName=.*\)$/, '/applications(uniqueName)')
    .replace(/^\/servicePrincipals\(appId=.*\)$/, '/servicePrincipals(appId)')
    .replace(/^\/applications\/[^/]+/, '/applications/{id}')
    .replace(/^\/directory\/deletedItems\/(?!microsoft\.graph\.)[^/]+$/, '/directory/deletedItems/{id}');
}

/** The value of an OData string literal `'…'` (URL-encoded, quotes doubled), or null when malformed. */
function odataLiteral(encoded: string): string | null {
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    return null;
  }
  const match = /^'((?:[^']|'')*)'$/.exec(text);
  return match ? (match[1] ?? '').replace(/''/g, "'") : null;
}

function applyWritable(app: FakeApplication, body: Record<string, unknown>): void {
  if (typeof body.displayName === 'string') app.displayName = body.displayName;
  if (typeof body.notes === 'string' || body.notes === null) app.notes = body.notes;
  if (typeof body.signInAudience === 'string') app.signInAudience = body.signInAudience;
  const api = body.api as { requestedAccessTokenVersion?: number | null } | undefined;
  if (api && 'requestedAccessTokenVersion' in api) app.requestedAccessTokenVersion = api.requestedAccessTokenVersion ?? null;
}

// Shape from https://learn.microsoft.com/graph/api/application-post-applications (response example).
function representation(app: FakeApplication) {
  return {
    id: app.id,
    appId: app.appId,
    uniqueName: app.uniqueName,
    displayName: app.displayName,
    notes: app.notes,
    signInAudience: app.signInAudience,
    createdDateTime: app.createdDateTime,
    deletedDateTime: app.deletedDateTime,
    api: { requestedAccessTokenVersion: app.requestedAccessTokenVersion },
  };
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function graphError(status: number, code: string, message: string): Reply {
  return {
    status,
    body: { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID() } } },
  };
}

function notFound(id: string): Reply {
  return graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

function noBackingApplication(appId: string): Reply {
  return graphError(
    400,
    'NoBackingApplicationObject',
    `The appId '${appId}' of the service principal does not reference a valid application object.`,
  );
}

function quotaExceeded(): Reply {
  return graphError(
    400,
    'Directory_QuotaExceeded',
    'The directory object quota limit for the Principal has been exceeded. Please ask your administrator to increase the quota limit or delete objects to reduce the used quota.',
  );
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload = '';
  if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers['Content-Type'] = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A small seeded PRNG so a storm replays identically. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
