import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector, type FaultAnswer, type FaultRule, type PendingFault } from './faults';
import { badRequest, faultReply, graphError, type Reply } from './graph-errors';
import { answer, normalizeRoute } from './graph-routes';
import { GraphFakeState } from './graph-state';
import { seededRandom } from './seeded-random';

/**
 * A loopback (127.0.0.1, plain HTTP) fake of the Microsoft Graph v1.0 subset the automation
 * uses: the HTTP side only. The directory is graph-state.ts, the answers graph-routes.ts (query
 * options graph-odata.ts), the error bodies graph-errors.ts, fault injection faults.ts (shared
 * with the IAM model).
 *
 * Every request needs a non-empty `Authorization: Bearer …` (401 otherwise, as Graph answers
 * a missing token: https://learn.microsoft.com/graph/errors); the token says which automation
 * identity calls (`identityToken`), the first one by default. Each one is counted under its call
 * key, `graph:{METHOD} {route}`, faulted ones included: each was a round trip.
 */

export type FaultKind = 'throttle' | 'unavailable' | 'replication-lag';

/** A fault on Graph requests by method and normalized route (the tests' shorthand). */
export interface GraphFaultRule {
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

// 429 with Retry-After (https://learn.microsoft.com/graph/throttling); 503 serviceNotAvailable
// (https://learn.microsoft.com/graph/errors); replication lag as graph-errors.ts shapes it.
function answerOf(kind: FaultKind, retryAfterSeconds?: number): FaultAnswer {
  if (kind === 'throttle') return { status: 429, code: 'TooManyRequests', retryAfterSeconds: retryAfterSeconds ?? 1 };
  if (kind === 'unavailable') return { status: 503, code: 'serviceNotAvailable' };
  return { status: 400, code: 'NoBackingApplicationObject' };
}

function kindOf(answer: FaultAnswer): FaultKind | null {
  if (answer.status === 429) return 'throttle';
  if (answer.status >= 500) return 'unavailable';
  return answer.code === 'NoBackingApplicationObject' ? 'replication-lag' : null;
}

/** Graph's face of the shared fault injector: the call keys are `graph:{METHOD} {route}`. */
export class GraphFakeFaults {
  // Storms bring their own seeded generator; this one only makes the default deterministic too.
  private readonly injector = new FaultInjector(seededRandom(1));
  /** Faults actually served, by kind, the state's replication lag included. */
  readonly served: Record<FaultKind, number> = { throttle: 0, unavailable: 0, 'replication-lag': 0 };

  /** A rule on call keys, as world files state them. */
  add(rule: FaultRule): void {
    this.injector.add(rule);
  }

  inject(rule: GraphFaultRule): void {
    if (rule.count <= 0) return;
    this.injector.add({
      call: (key) => {
        const [method, route] = key.replace(/^graph:/, '').split(' ', 2) as [string, string];
        return (
          (rule.method === undefined || rule.method.toUpperCase() === method) &&
          (rule.route === undefined || (typeof rule.route === 'string' ? rule.route === route : rule.route.test(route)))
        );
      },
      answer: answerOf(rule.kind, rule.retryAfterSeconds),
      times: rule.count,
    });
  }

  /** The next `count` POST /servicePrincipals answer `NoBackingApplicationObject`. */
  replicationLag(count: number): void {
    this.inject({ method: 'POST', route: '/servicePrincipals', kind: 'replication-lag', count });
  }

  /** The rules on call keys still to fire (FaultInjector.pending). */
  pending(): PendingFault[] {
    return this.injector.pending();
  }

  startStorm(options: StormOptions): void {
    const kinds = options.kinds?.length ? options.kinds : (['throttle', 'unavailable'] as const);
    this.injector.startStorm({
      rate: options.probability,
      answers: kinds.map((kind) => answerOf(kind, options.retryAfterSeconds)),
      random: seededRandom(options.seed),
    });
  }

  clear(): void {
    this.injector.clear();
  }

  /** @internal the fault for one request, if any. */
  take(key: string): FaultAnswer | null {
    const answer = this.injector.take(key);
    const kind = answer ? kindOf(answer) : null;
    if (kind) this.served[kind] += 1;
    return answer;
  }

  /** @internal a replication-lag answer produced by the state. */
  noteLag(): void {
    this.served['replication-lag'] += 1;
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
    const key = `graph:${method} ${normalizeRoute(path)}`;
    calls[key] = (calls[key] ?? 0) + 1;
    send(res, reply(key, method, path, url, req, raw));
  }

  function reply(key: string, method: string, path: string, url: URL, req: IncomingMessage, raw: string): Reply {
    const token = /^Bearer (\S+)/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const caller = callerOf(state, token);
    if (!caller) return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure: unknown automation identity.');
    const fault = faults.take(key);
    if (fault) return faultReply(fault);
    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return badRequest('Unable to read JSON request payload.', 'BadRequest');
      }
    }
    return answer(
      { state, caller, baseUrl, deletedItemsFilter: options.deletedItemsFilter !== false, noteLag: () => faults.noteLag() },
      { method, path, url, headers: req.headers, body },
    );
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

/** The token a GraphDirectory of the simulation sends for one automation identity (see `callerOf`). */
export const identityToken = (servicePrincipalId: string): string => `sim-identity:${servicePrincipalId}`;

/**
 * Who makes a request: the identity its token names (`identityToken`), or, for any other
 * non-empty token, the automation's first identity. `null` for a token naming an identity the
 * directory does not have.
 */
function callerOf(state: GraphFakeState, token: string): string | null {
  if (!token.startsWith('sim-identity:')) return state.automationServicePrincipalId;
  const id = token.slice('sim-identity:'.length).toLowerCase();
  return state.isAutomationIdentity(id) ? id : null;
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
