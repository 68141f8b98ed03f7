import * as z from 'zod/mini';
import {
  AutomationError,
  EntraAuthenticationError,
  GraphReplicationLagError,
  GraphRequestError,
  GraphThrottledError,
  GraphUnavailableError,
} from './errors';
import type { AddOwnerOutcome, ApplicationSpec, EntraApplication, EntraDirectory } from './ports';
import { realSleep, withRetry } from './retry';

/**
 * `EntraDirectory` over Microsoft Graph v1.0 REST with the global `fetch`.
 *
 * Every operation runs in one bounded retry loop: 429 waits what `Retry-After` says,
 * 5xx, network failures and replication lag back off exponentially with full jitter.
 * The loop is short (≤ 4 attempts, ≤ 20 s of sleep) because a Lambda has a timeout; once
 * it gives up, the named error it throws lets the state machine's `Retry` do the long
 * backoff. Every failure leaves as an error from `errors.ts`.
 */
export interface GraphDirectoryDeps {
  /** Default `https://graph.microsoft.com/v1.0`; the loopback fake in tests. */
  readonly baseUrl?: string;
  /** A bearer token for `https://graph.microsoft.com/.default` (see `entra-auth.ts`). */
  readonly getToken: () => Promise<string>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Attempts per operation, the first included; default 4. */
  readonly maxAttempts?: number;
  /** Per-request timeout; default 10 s. */
  readonly requestTimeoutMs?: number;
}

export const GRAPH_V1 = 'https://graph.microsoft.com/v1.0';

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
const MAX_TOTAL_DELAY_MS = 20_000;
const APP_SELECT = '$select=id,appId,uniqueName,displayName';

const applicationSchema = z.object({
  id: z.string().check(z.minLength(1)),
  appId: z.string().check(z.minLength(1)),
  uniqueName: z.nullish(z.string()),
  displayName: z.nullish(z.string()),
});
const servicePrincipalSchema = z.object({ id: z.string().check(z.minLength(1)) });
const collectionSchema = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.optional(z.string()),
});
const errorBodySchema = z.object({
  error: z.object({ code: z.optional(z.string()), message: z.optional(z.string()) }),
});

interface GraphResponse {
  readonly status: number;
  readonly body: unknown;
  readonly code?: string;
  readonly message: string;
}

/** An OData string literal for a key or a `$filter`: single quotes doubled, then URL-encoded. */
export function odataString(value: string): string {
  return `'${encodeURIComponent(value.replace(/'/g, "''"))}'`;
}

export class GraphDirectory implements EntraDirectory {
  private readonly baseUrl: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly requestTimeoutMs: number;

  constructor(private readonly deps: GraphDirectoryDeps) {
    this.baseUrl = (deps.baseUrl ?? GRAPH_V1).replace(/\/+$/, '');
    this.sleep = deps.sleep ?? realSleep;
    this.random = deps.random ?? Math.random;
    this.maxAttempts = deps.maxAttempts ?? 4;
    this.requestTimeoutMs = deps.requestTimeoutMs ?? 10_000;
  }

  // https://learn.microsoft.com/graph/api/application-upsert: 201 + body when created,
  // 204 without body when updated.
  async upsertApplication(spec: ApplicationSpec): Promise<EntraApplication> {
    const body = {
      displayName: spec.displayName,
      signInAudience: 'AzureADMyOrg',
      notes: spec.notes,
      // https://learn.microsoft.com/graph/api/resources/apiapplication: null or 1 issues
      // v1 tokens, 2 issues v2. Set explicitly so the issuer matches the IAM provider URL.
      api: { requestedAccessTokenVersion: spec.tokenVersion },
    };
    const path = `/applications(uniqueName=${odataString(spec.uniqueName)})`;
    const patch = () => this.request('PATCH', path, { body, headers: { Prefer: 'create-if-missing' } });

    let res = await this.retrying(patch);
    if (res.status === 400 && /uniqueName already exists/i.test(res.message)) {
      // A soft-deleted application keeps its uniqueName (a Delete that stopped before
      // the purge). Purging it frees the name; the role is federated again from scratch.
      const deleted = await this.findDeletedApplication(spec.uniqueName);
      if (deleted) {
        await this.purgeDeletedApplication(deleted.id);
        res = await this.retrying(patch);
      }
    }
    if (res.status === 201) return toApplication(res, spec.uniqueName);
    if (res.status === 204) {
      const app = await this.findApplication(spec.uniqueName);
      if (app) return app;
      throw new GraphReplicationLagError(`application ${spec.uniqueName} was updated but cannot be read back yet`);
    }
    throw requestError('upsert application', res);
  }

  // Create first, read on conflict: in the usual case (a new application) that is one
  // call on the critical path instead of two.
  // https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals
  async ensureServicePrincipal(appId: string): Promise<string> {
    return this.retryingValue(async () => {
      const created = await this.request('POST', '/servicePrincipals', { body: { appId } });
      if (created.status === 201) return parse(servicePrincipalSchema, created).id;
      if (isReplicationLag(created)) {
        throw new GraphReplicationLagError(
          `service principal for appId ${appId}: the application is not replicated yet (${created.code ?? created.status})`,
        );
      }
      if (!isAlreadyExists(created)) throw requestError('create service principal', created);
      const existing = await this.request('GET', `/servicePrincipals(appId=${odataString(appId)})?$select=id,appId`);
      if (existing.status === 200) return parse(servicePrincipalSchema, existing).id;
      // It existed a moment ago and is gone or not visible yet: try again from the start.
      if (existing.status === 404) {
        throw new GraphReplicationLagError(`service principal for appId ${appId} exists but cannot be read yet`);
      }
      throw requestError('read service principal', existing);
    });
  }

  // https://learn.microsoft.com/graph/api/application-get (alternate key uniqueName)
  async findApplication(uniqueName: string): Promise<EntraApplication | null> {
    const res = await this.retrying(() =>
      this.request('GET', `/applications(uniqueName=${odataString(uniqueName)})?${APP_SELECT}`),
    );
    if (res.status === 404) return null;
    if (res.status === 200) return toApplication(res, uniqueName);
    throw requestError('read application', res);
  }

  // https://learn.microsoft.com/graph/api/directory-deleteditems-list: the cast segment
  // supports the query parameters of the resource, so `$filter` on uniqueName works like
  // on /applications. If a tenant refuses the filter (400), fall back to reading the
  // deleted applications page by page and matching here.
  async findDeletedApplication(uniqueName: string): Promise<EntraApplication | null> {
    const collection = '/directory/deletedItems/microsoft.graph.application';
    const filter = `$filter=${encodeURIComponent('uniqueName eq ')}${odataString(uniqueName)}`;
    const res = await this.retrying(() => this.request('GET', `${collection}?${filter}&${APP_SELECT}`));
    if (res.status === 200) return firstMatch(parse(collectionSchema, res).value, uniqueName);
    if (res.status !== 400) throw requestError('list deleted applications', res);

    let next: string | undefined = `${collection}?${APP_SELECT}&$top=999`;
    while (next) {
      const page = parse(
        collectionSchema,
        await this.retrying((): Promise<GraphResponse> => this.request('GET', next as string)),
      );
      const found = firstMatch(page.value, uniqueName);
      if (found) return found;
      next = page['@odata.nextLink'];
    }
    return null;
  }

  // https://learn.microsoft.com/graph/api/application-delete: 204; the application then
  // sits in deletedItems for 30 days, still counting against the owner's quota.
  async deleteApplication(applicationObjectId: string): Promise<void> {
    const res = await this.retrying(() =>
      this.request('DELETE', `/applications/${encodeURIComponent(applicationObjectId)}`),
    );
    if (res.status === 204 || res.status === 404) return;
    throw requestError('delete application', res);
  }

  // https://learn.microsoft.com/graph/api/directory-deleteditems-delete
  async purgeDeletedApplication(applicationObjectId: string): Promise<void> {
    const res = await this.retrying(() =>
      this.request('DELETE', `/directory/deletedItems/${encodeURIComponent(applicationObjectId)}`),
    );
    if (res.status === 204 || res.status === 404) return;
    throw requestError('purge deleted application', res);
  }

  // https://learn.microsoft.com/graph/api/application-post-owners: 204 when added.
  // An existing owner answers 400 "One or more added object references already exist";
  // an unknown user 404 (or 400 with Request_ResourceNotFound / an invalid reference).
  async addOwner(applicationObjectId: string, userObjectId: string): Promise<AddOwnerOutcome> {
    const body = { '@odata.id': `${GRAPH_V1}/directoryObjects/${encodeURIComponent(userObjectId)}` };
    const res = await this.retrying(() =>
      this.request('POST', `/applications/${encodeURIComponent(applicationObjectId)}/owners/$ref`, { body }),
    );
    if (res.status === 204) return 'added';
    if (res.status === 400 && /already exist/i.test(res.message)) return 'already-owner';
    if (res.status === 404) return 'not-found';
    if (
      res.status === 400 &&
      (res.code === 'Request_ResourceNotFound' || /does not exist|invalid object identifier|invalid reference/i.test(res.message))
    ) {
      return 'not-found';
    }
    throw requestError('add owner', res);
  }

  private retrying(fn: () => Promise<GraphResponse>): Promise<GraphResponse> {
    return this.retryingValue(fn);
  }

  private retryingValue<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, {
      isRetryable: (error) => error instanceof AutomationError && error.transient,
      retryAfterMs: (error) =>
        error instanceof GraphThrottledError && error.retryAfterSeconds !== undefined
          ? error.retryAfterSeconds * 1000
          : undefined,
      maxAttempts: this.maxAttempts,
      baseDelayMs: BASE_DELAY_MS,
      maxDelayMs: MAX_DELAY_MS,
      maxTotalDelayMs: MAX_TOTAL_DELAY_MS,
      sleep: this.sleep,
      random: this.random,
    });
  }

  /** One HTTP exchange. Throws the transient errors; returns every other answer. */
  private async request(
    method: string,
    pathOrUrl: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<GraphResponse> {
    const url = this.resolve(pathOrUrl);
    const token = await this.token();
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (error) {
      throw new GraphUnavailableError(`${method} ${routeOf(pathOrUrl)}: no answer from Microsoft Graph`, { cause: error });
    }
    const text = await response.text().catch(() => '');
    const body = parseJson(text);
    const parsedError = errorBodySchema.safeParse(body);
    const code = parsedError.success ? parsedError.data.error.code : undefined;
    const message = parsedError.success ? (parsedError.data.error.message ?? '') : '';
    const where = `${method} ${routeOf(pathOrUrl)}`;

    if (response.status === 429) {
      throw new GraphThrottledError(
        `${where}: throttled by Microsoft Graph (${code ?? 'TooManyRequests'})`,
        retryAfterSeconds(response.headers.get('retry-after')),
      );
    }
    if (response.status >= 500) {
      throw new GraphUnavailableError(`${where}: Microsoft Graph answered ${response.status} ${code ?? ''}`.trim());
    }
    return { status: response.status, body, code, message };
  }

  private async token(): Promise<string> {
    try {
      const token = await this.deps.getToken();
      if (!token) throw new Error('the token provider returned an empty token');
      return token;
    } catch (error) {
      if (error instanceof AutomationError) throw error;
      throw new EntraAuthenticationError(`could not get a Microsoft Graph token: ${describe(error)}`, { cause: error });
    }
  }

  /** Relative paths go under `baseUrl`; `@odata.nextLink`s must stay on its origin (they carry our token). */
  private resolve(pathOrUrl: string): string {
    if (!/^https?:\/\//i.test(pathOrUrl)) return `${this.baseUrl}${pathOrUrl}`;
    if (new URL(pathOrUrl).origin !== new URL(this.baseUrl).origin) {
      throw new GraphRequestError(`refusing to follow a link off ${new URL(this.baseUrl).origin}: ${pathOrUrl}`, 0);
    }
    return pathOrUrl;
  }
}

function isReplicationLag(res: GraphResponse): boolean {
  return (
    (res.status === 400 || res.status === 404) &&
    (res.code === 'NoBackingApplicationObject' || /does not reference a valid application object/i.test(res.message))
  );
}

// A second service principal for one appId: 409 Request_MultipleObjectsWithSameKeyValue
// ("…is already in use"), or 400 ObjectConflict on some paths.
function isAlreadyExists(res: GraphResponse): boolean {
  return (
    (res.status === 409 || res.status === 400) &&
    (res.code === 'Request_MultipleObjectsWithSameKeyValue' ||
      res.code === 'ObjectConflict' ||
      /already (exists|in use)/i.test(res.message))
  );
}

/** `Retry-After` in seconds (Graph sends delta-seconds); an HTTP date is converted. */
export function retryAfterSeconds(header: string | null, now: () => number = Date.now): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now()) / 1000));
}

function parse<T>(schema: z.ZodMiniType<T>, res: GraphResponse): T {
  const parsed = schema.safeParse(res.body);
  if (!parsed.success) {
    throw new GraphRequestError(
      `Microsoft Graph answered ${res.status} with an unexpected body: ${z.prettifyError(parsed.error)}`,
      res.status,
      'UnexpectedResponse',
    );
  }
  return parsed.data;
}

function toApplication(res: GraphResponse, uniqueName: string): EntraApplication {
  const app = parse(applicationSchema, res);
  return { id: app.id, appId: app.appId, uniqueName: app.uniqueName ?? uniqueName, displayName: app.displayName ?? '' };
}

function firstMatch(items: readonly unknown[], uniqueName: string): EntraApplication | null {
  for (const item of items) {
    const app = applicationSchema.safeParse(item);
    if (app.success && app.data.uniqueName === uniqueName) {
      return { id: app.data.id, appId: app.data.appId, uniqueName, displayName: app.data.displayName ?? '' };
    }
  }
  return null;
}

function requestError(what: string, res: GraphResponse): GraphRequestError {
  const detail = [res.code, res.message].filter(Boolean).join(': ');
  return new GraphRequestError(`${what}: Microsoft Graph answered ${res.status}${detail ? ` (${detail})` : ''}`, res.status, res.code);
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The path without origin or query string, for error messages. */
function routeOf(pathOrUrl: string): string {
  return pathOrUrl.replace(/^https?:\/\/[^/]+/i, '').split('?')[0] ?? pathOrUrl;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
