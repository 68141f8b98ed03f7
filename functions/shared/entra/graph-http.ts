import * as z from 'zod/mini';
import {
  AutomationError,
  EntraAuthenticationError,
  EntraQuotaExceededError,
  GraphRequestError,
  GraphThrottledError,
  GraphUnavailableError,
} from '../runtime/errors';
import { realSleep, withRetry } from '../runtime/retry';

/**
 * The HTTP layer under the Graph client (graph-client.ts): one exchange with Microsoft Graph v1.0
 * through the global `fetch`, its answer read into status, error codes and message, and the
 * bounded retry loop every operation runs in: 429 waits what `Retry-After` says, 5xx, network
 * failures and replication lag back off exponentially with full jitter. The loop is short (≤ 4
 * attempts, ≤ 20 s of sleep) because a Lambda has a timeout; once it gives up, the named error it
 * throws lets the state machine's `Retry` do the long backoff. Every failure leaves as an error
 * from `errors.ts`. It knows nothing of applications or service principals.
 */
export interface GraphHttpOptions {
  /** Default `https://graph.microsoft.com/v1.0`; the loopback fake in tests. */
  readonly baseUrl?: string;
  /** A bearer token for `https://graph.microsoft.com/.default` (see `auth.ts`). */
  readonly getToken: () => Promise<string>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Attempts per operation, the first included; default 4. */
  readonly maxAttempts?: number;
  /** Per-request timeout; default 10 s. */
  readonly requestTimeoutMs?: number;
  /** The global `fetch` by default (the simulator passes one that runs on its virtual clock). */
  readonly fetch?: typeof fetch;
}

export const GRAPH_V1 = 'https://graph.microsoft.com/v1.0';

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
const MAX_TOTAL_DELAY_MS = 20_000;

export const collectionSchema = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.optional(z.string()),
});

/**
 * Graph's error body (https://learn.microsoft.com/graph/errors): a top-level `code` and
 * `message`, and sometimes the specific cause only in `details[].code`, e.g. replication lag
 * as `{"code":"Request_BadRequest","details":[{"code":"NoBackingApplicationObject"}]}`.
 */
const errorBodySchema = z.object({
  error: z.object({
    code: z.optional(z.string()),
    message: z.optional(z.string()),
    details: z.optional(z.array(z.object({ code: z.optional(z.string()), message: z.optional(z.string()) }))),
  }),
});

export interface GraphResponse {
  readonly status: number;
  readonly body: unknown;
  /** The top-level error code first, then every `details[].code`. */
  readonly codes: readonly string[];
  /** The top-level message and the details' messages, joined. */
  readonly message: string;
}

/** An OData string literal for a key or a `$filter`: single quotes doubled, then URL-encoded. */
export function odataString(value: string): string {
  return `'${encodeURIComponent(value.replace(/'/g, "''"))}'`;
}

export class GraphHttp {
  private readonly baseUrl: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: GraphHttpOptions) {
    this.baseUrl = (options.baseUrl ?? GRAPH_V1).replace(/\/+$/, '');
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  /** Every item of a collection, following `@odata.nextLink` (on Graph's origin only), from its first page when given. */
  async listAll(path: string, what: string, first?: GraphResponse): Promise<unknown[]> {
    const items: unknown[] = [];
    let res = first ?? (await this.retrying(() => this.request('GET', path)));
    for (;;) {
      if (res.status !== 200) throw requestError(what, res);
      const page = parse(collectionSchema, res);
      items.push(...page.value);
      const next = page['@odata.nextLink'];
      if (!next) return items;
      res = await this.retrying(() => this.request('GET', next));
    }
  }

  retrying(fn: () => Promise<GraphResponse>): Promise<GraphResponse> {
    return this.retryingValue(fn);
  }

  retryingValue<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, {
      isRetryable: (error) => error instanceof AutomationError && error.transient,
      retryAfterMs: (error) =>
        error instanceof GraphThrottledError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : undefined,
      maxAttempts: this.maxAttempts,
      baseDelayMs: BASE_DELAY_MS,
      maxDelayMs: MAX_DELAY_MS,
      maxTotalDelayMs: MAX_TOTAL_DELAY_MS,
      sleep: this.sleep,
      random: this.random,
    });
  }

  /** One HTTP exchange. Throws the transient errors; returns every other answer. */
  async request(
    method: string,
    pathOrUrl: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<GraphResponse> {
    const url = this.resolve(pathOrUrl);
    const token = await this.token();
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
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
    const error = parsedError.success ? parsedError.data.error : undefined;
    const codes = [error?.code, ...(error?.details ?? []).map((detail) => detail.code)].filter(
      (code): code is string => typeof code === 'string' && code !== '',
    );
    const message = [error?.message, ...(error?.details ?? []).map((detail) => detail.message)].filter(Boolean).join(' ');
    const where = `${method} ${routeOf(pathOrUrl)}`;

    if (response.status === 429) {
      throw new GraphThrottledError(
        `${where}: throttled by Microsoft Graph (${codes[0] ?? 'TooManyRequests'})`,
        retryAfterSeconds(response.headers.get('retry-after')),
      );
    }
    if (response.status >= 500) {
      throw new GraphUnavailableError(`${where}: Microsoft Graph answered ${response.status} ${codes[0] ?? ''}`.trim());
    }
    // The creator's object quota, whatever the status: nothing the automation retries fixes it.
    if (codes.includes('Directory_QuotaExceeded') || /quota limit .*exceeded/i.test(message)) {
      throw new EntraQuotaExceededError(
        `${where}: the automation reached its Entra directory object quota (${codes.join(', ') || response.status}: ${message}). ` +
          'Soft-deleted objects count too: purge them, or raise the quota (see docs/operator.md).',
      );
    }
    return { status: response.status, body, codes, message };
  }

  private async token(): Promise<string> {
    try {
      const token = await this.options.getToken();
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

export function isReplicationLag(res: GraphResponse): boolean {
  return (
    (res.status === 400 || res.status === 404) &&
    (res.codes.includes('NoBackingApplicationObject') || /does not reference a valid application object/i.test(res.message))
  );
}

/**
 * An object with that key exists already: 409 `Request_MultipleObjectsWithSameKeyValue`
 * ("…is already in use"), 400/409 `ObjectConflict`, or a message naming `uniqueName`
 * ("…uniqueName already exists"), as the service principal and application pages and the
 * upsert page show them (https://learn.microsoft.com/graph/api/application-upsert).
 */
export function isConflict(res: GraphResponse): boolean {
  return (
    (res.status === 409 || res.status === 400) &&
    (res.codes.includes('Request_MultipleObjectsWithSameKeyValue') ||
      res.codes.includes('ObjectConflict') ||
      /already (exists|in use)|uniqueName.*(exist|in use|conflict)/i.test(res.message))
  );
}

/** `Retry-After` in seconds (Graph sends delta-seconds); an HTTP date is converted. */
export function retryAfterSeconds(header: string | null, now: () => number = Date.now): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now()) / 1000));
}

export function parse<T>(schema: z.ZodMiniType<T>, res: GraphResponse): T {
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

export function requestError(what: string, res: GraphResponse): GraphRequestError {
  const detail = [res.codes.join(', '), res.message].filter(Boolean).join(': ');
  return new GraphRequestError(`${what}: Microsoft Graph answered ${res.status}${detail ? ` (${detail})` : ''}`, res.status, res.codes[0]);
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
