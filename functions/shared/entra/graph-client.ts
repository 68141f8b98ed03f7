import * as z from 'zod/mini';
import {
  ApplicationNameTakenError,
  AutomationError,
  EntraAuthenticationError,
  EntraQuotaExceededError,
  InvalidInputError,
  GraphReplicationLagError,
  GraphRequestError,
  GraphThrottledError,
  GraphUnavailableError,
} from '../runtime/errors';
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE, GUID_PATTERN as GUID } from '../workflow/contracts';
import type {
  AddFederatedCredentialOutcome,
  AddOwnerOutcome,
  ApplicationSpec,
  DeletedItem,
  DirectoryServicePrincipal,
  EntraApplication,
  EntraDirectory,
  EntraInventory,
  FederatedCredentialSpec,
  InventoryApplication,
  RegisteredApplication,
} from './ports';
import { realSleep, withRetry } from '../runtime/retry';
import { applicationUniqueName } from './naming';
import { CREATION_NONCE_MARK, type AutomationRecord, type AutomationRecordStore } from './records';
import { randomUUID } from 'node:crypto';

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
  /**
   * Object ID of the automation's own service principal: whose `createdObjects` prove "ours".
   * An identity of the pool (identity-pool.ts) may give its client ID instead: the object ID is
   * then read once, with its own token, from `GET /servicePrincipals(appId='…')`.
   */
  readonly automationServicePrincipalId?: string;
  /** The identity's client ID, when `automationServicePrincipalId` is not given. */
  readonly automationClientId?: string;
  /** A bearer token for `https://graph.microsoft.com/.default` (see `entra-auth.ts`). */
  readonly getToken: () => Promise<string>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Attempts per operation, the first included; default 4. */
  readonly maxAttempts?: number;
  /** Per-request timeout; default 10 s. */
  readonly requestTimeoutMs?: number;
  /** The global `fetch` by default (the simulator passes one that runs on its virtual clock). */
  readonly fetch?: typeof fetch;
  /**
   * The automation's own record of its creations (records.ts): with it, an application is also
   * proven the automation's when Graph's `createdObjects` does not list it (issue 20, reading 2).
   */
  readonly records?: AutomationRecordStore;
  /** A fresh nonce per intent; random UUIDs by default (the simulator passes a seeded one under load, so replays are reproducible). */
  readonly newNonce?: () => string;
  /** The intents' clock; `Date` by default. */
  readonly now?: () => Date;
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
const directoryServicePrincipalSchema = z.object({
  id: z.string().check(z.minLength(1)),
  appId: z.string().check(z.minLength(1)),
  displayName: z.nullish(z.string()),
  servicePrincipalType: z.nullish(z.string()),
});
const federatedCredentialSchema = z.object({
  name: z.string(),
  issuer: z.string(),
  subject: z.string(),
  audiences: z.optional(z.array(z.string())),
});
const servicePrincipalWithAppSchema = z.object({
  id: z.string().check(z.minLength(1)),
  appId: z.string().check(z.minLength(1)),
  deletedDateTime: z.nullish(z.string()),
});
const inventoryApplicationSchema = z.extend(applicationSchema, {
  createdDateTime: z.nullish(z.string()),
  deletedDateTime: z.nullish(z.string()),
});
const collectionSchema = z.object({
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

interface GraphResponse {
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

export class GraphDirectory implements EntraDirectory, EntraInventory {
  private readonly baseUrl: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly requestTimeoutMs: number;

  /** Who the automation is, as configured: its service principal's object ID, or only its client ID. */
  private readonly ownIdentity: { readonly servicePrincipalId: string } | { readonly clientId: string };
  private servicePrincipalId: Promise<string> | undefined;
  /** Whether Graph refused the cast after `createdObjects` (reading 1): then the listing is filtered here. */
  private castRefused = false;
  /** Applications this client created, by client ID: whose record gets the service principal's ID once it is made. */
  private readonly recordedByAppId = new Map<string, { readonly uniqueName: string; readonly applicationId: string }>();

  constructor(private readonly deps: GraphDirectoryDeps) {
    this.baseUrl = (deps.baseUrl ?? GRAPH_V1).replace(/\/+$/, '');
    this.sleep = deps.sleep ?? realSleep;
    this.random = deps.random ?? Math.random;
    this.maxAttempts = deps.maxAttempts ?? 4;
    this.requestTimeoutMs = deps.requestTimeoutMs ?? 10_000;
    const { automationServicePrincipalId: spId, automationClientId: clientId } = deps;
    if (spId !== undefined) {
      if (!GUID.test(spId)) {
        throw new InvalidInputError(
          `automationServicePrincipalId: "${spId}" is not a GUID; pass the object ID of the automation's own service principal`,
        );
      }
      this.ownIdentity = { servicePrincipalId: spId.toLowerCase() };
    } else if (clientId === undefined || !GUID.test(clientId)) {
      throw new InvalidInputError(
        `automationClientId: "${String(clientId)}" is not a GUID; pass the automation identity's client ID or its service principal's object ID`,
      );
    } else {
      this.ownIdentity = { clientId };
    }
  }

  /** The object ID of this identity's service principal (read once when only the client ID was given). */
  ownServicePrincipalId(): Promise<string> {
    const identity = this.ownIdentity;
    if ('servicePrincipalId' in identity) return Promise.resolve(identity.servicePrincipalId);
    this.servicePrincipalId ??= (async () => {
      const { clientId } = identity;
      const res = await this.retrying(() => this.request('GET', `/servicePrincipals(appId=${odataString(clientId)})?$select=id,appId`));
      if (res.status === 200) return parse(servicePrincipalSchema, res).id.toLowerCase();
      throw requestError(`read the service principal of automation identity ${clientId}`, res);
    })().catch((error: unknown) => {
      this.servicePrincipalId = undefined;
      throw error;
    });
    return this.servicePrincipalId;
  }

  // Create, never upsert: a PATCH with `Prefer: create-if-missing` would also update an
  // application someone else registered under our name. POST creates or conflicts
  // (https://learn.microsoft.com/graph/api/application-post-applications); on a conflict the
  // existing application is used only when Graph's record says the automation created it.
  async registerApplication(spec: ApplicationSpec): Promise<RegisteredApplication> {
    // The intent first (records.ts): its nonce rides in the notes, so the application this request
    // creates is recognisable as the automation's even if the answer, or the record's completion, is lost.
    const record = await this.writeIntent(spec);
    const body = {
      uniqueName: spec.uniqueName,
      displayName: spec.displayName,
      signInAudience: 'AzureADMyOrg',
      notes: record ? `${spec.notes} ${CREATION_NONCE_MARK}${record.nonce}` : spec.notes,
      // https://learn.microsoft.com/graph/api/resources/apiapplication: null or 1 issues
      // v1 tokens, 2 issues v2. Set explicitly so the issuer matches the IAM provider URL.
      api: { requestedAccessTokenVersion: spec.tokenVersion },
    };
    const created = await this.retrying(() => this.request('POST', '/applications', { body }));
    if (created.status === 201)
      return { application: await this.completed(toApplication(created, spec.uniqueName), record), created: true };
    if (!isConflict(created)) throw requestError('create application', created);

    const live = await this.getApplication(`(uniqueName=${odataString(spec.uniqueName)})`);
    if (live) {
      if (await this.isOwnApplication(live, { record })) return { application: await this.completed(live, record), created: false };
      throw nameTaken(spec.uniqueName, `application ${live.appId} ("${live.displayName}")`);
    }
    // Not live: a soft-deleted application still holds the name (uniqueName is unique across
    // deletedItems too). Ours (a Delete or compensation stopped before its purge): purge, create.
    const deleted = await this.findDeletedApplication(spec.uniqueName);
    if (!deleted) throw new GraphReplicationLagError(`application ${spec.uniqueName} conflicts but cannot be read yet`);
    if (!(await this.isOwnApplication(deleted, { record, deleted: true }))) {
      throw nameTaken(spec.uniqueName, `the soft-deleted application ${deleted.appId}`);
    }
    await this.pinIntent(deleted);
    await this.purge(deleted.id, false);
    // Its service principal was soft-deleted with it and counts against the quota too.
    for (const id of await this.findDeletedServicePrincipals(deleted.appId)) await this.purge(id, false);
    const again = await this.retrying(() => this.request('POST', '/applications', { body }));
    if (again.status === 201) return { application: await this.completed(toApplication(again, spec.uniqueName), record), created: true };
    throw requestError('create application', again);
  }

  /** The intent of this create, or the record of an earlier attempt (its nonce kept); null without a store or a role. */
  private async writeIntent(spec: ApplicationSpec): Promise<AutomationRecord | null> {
    const { records } = this.deps;
    if (!records || !spec.role) return null;
    return records.putIntent({
      uniqueName: spec.uniqueName,
      identity: await this.ownServicePrincipalId(),
      account: spec.role.account,
      roleName: spec.role.roleName,
      roleId: spec.role.roleId,
      nonce: (this.deps.newNonce ?? randomUUID)(),
      at: (this.deps.now ?? (() => new Date()))().toISOString(),
    });
  }

  /** Completes the record of the application this client created or recognised, and remembers it for its service principal. */
  private async completed(application: EntraApplication, record: AutomationRecord | null): Promise<EntraApplication> {
    if (!record || !this.deps.records) return application;
    await this.deps.records.complete(record.uniqueName, { appId: application.appId, applicationId: application.id });
    this.recordedByAppId.set(application.appId.toLowerCase(), { uniqueName: record.uniqueName, applicationId: application.id });
    return application;
  }

  /**
   * Whether the automation created this application: Graph's record (`createdObjects`), or the
   * automation's own (records.ts), written by this identity for the role incarnation the name
   * embeds: a `created` record naming this object ID, or an `intent` whose nonce the application's
   * notes carry (only the automation's own request could have put it there). A squatter's
   * application, registered before or after an intent, carries no nonce: never adopted.
   */
  async isOwnApplication(
    app: EntraApplication,
    options: { readonly record?: AutomationRecord | null; readonly deleted?: boolean } = {},
  ): Promise<boolean> {
    if (await this.isCreatedByAutomation(app.id)) return true;
    const { records } = this.deps;
    if (!records) return false;
    const record = options.record !== undefined && options.record !== null ? options.record : await records.get(app.uniqueName);
    if (!record || record.uniqueName !== app.uniqueName || record.identity !== (await this.ownServicePrincipalId())) return false;
    if (applicationUniqueName(record.account, record.roleName, record.roleId) !== app.uniqueName) return false;
    if (record.state === 'created' && record.applicationId === app.id) return true;
    // A nonce too short to be unguessable proves nothing (a world, or a hand-edited item, may hold one).
    if (record.state !== 'intent' || record.nonce.length < 16) return false;
    const notes = await this.applicationNotes(app.id, options.deleted === true);
    return notes?.includes(`${CREATION_NONCE_MARK}${record.nonce}`) ?? false;
  }

  /**
   * Completes a still open intent to this application before the automation deletes or purges it.
   * Once the application exists, its notes (and so the nonce) are readable by any tenant user
   * (https://learn.microsoft.com/graph/api/application-get); should the record outlive the
   * application (a Delete stopped between its purge and the record's removal), the nonce must not
   * prove a stranger's application registered under the freed name.
   */
  private async pinIntent(application: EntraApplication): Promise<void> {
    const open = await this.deps.records?.get(application.uniqueName);
    if (open?.state === 'intent' && open.applicationId === undefined) {
      await this.deps.records?.complete(application.uniqueName, { appId: application.appId, applicationId: application.id });
    }
  }

  /** The application's notes (https://learn.microsoft.com/graph/api/application-get; a soft-deleted one from deletedItems), or null when it is gone. */
  private async applicationNotes(objectId: string, deleted: boolean): Promise<string | null> {
    const path = `${deleted ? '/directory/deletedItems' : '/applications'}/${encodeURIComponent(objectId)}?$select=id,notes`;
    const res = await this.retrying(() => this.request('GET', path));
    if (res.status === 404) return null;
    if (res.status !== 200) throw requestError('read application notes', res);
    const notes = (res.body as { notes?: unknown } | undefined)?.notes;
    return typeof notes === 'string' ? notes : null;
  }

  /**
   * The live applications this identity's records under the prefix prove its own (those Graph's
   * `createdObjects` may not list: issue 20, reading 2), each read back from Graph; a `created`
   * record of an application already `listed` costs no request.
   */
  private async recordedApplications<T extends EntraApplication>(prefix: string, listed: readonly T[]): Promise<InventoryApplication[]> {
    const { records } = this.deps;
    if (!records) return [];
    const me = await this.ownServicePrincipalId();
    const known = new Set(listed.map((app) => app.id.toLowerCase()));
    const found: InventoryApplication[] = [];
    for (const record of await records.listWithPrefix(prefix)) {
      if (record.identity !== me) continue;
      if (record.state === 'created' && record.applicationId && known.has(record.applicationId.toLowerCase())) continue;
      const res = await this.retrying(() =>
        this.request(
          'GET',
          `/applications(uniqueName=${odataString(record.uniqueName)})?$select=id,appId,uniqueName,displayName,createdDateTime`,
        ),
      );
      if (res.status === 404) continue;
      if (res.status !== 200) throw requestError('read application', res);
      const app = parse(inventoryApplicationSchema, res);
      const application = {
        id: app.id,
        appId: app.appId,
        uniqueName: app.uniqueName ?? record.uniqueName,
        displayName: app.displayName ?? '',
      };
      if (await this.isOwnApplication(application, { record }))
        found.push({ ...application, createdDateTime: app.createdDateTime ?? null });
    }
    return found;
  }

  // Create first, read on conflict: in the usual case (a new application) that is one
  // call on the critical path instead of two.
  // https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals
  async ensureServicePrincipal(appId: string): Promise<string> {
    const id = await this.createOrReadServicePrincipal(appId);
    const recorded = this.recordedByAppId.get(appId.toLowerCase());
    if (recorded && this.deps.records) {
      await this.deps.records.complete(recorded.uniqueName, { appId, applicationId: recorded.applicationId, servicePrincipalId: id });
    }
    return id;
  }

  private createOrReadServicePrincipal(appId: string): Promise<string> {
    return this.retryingValue(async () => {
      const created = await this.request('POST', '/servicePrincipals', { body: { appId } });
      if (created.status === 201) return parse(servicePrincipalSchema, created).id;
      if (isReplicationLag(created)) {
        throw new GraphReplicationLagError(
          `service principal for appId ${appId}: the application is not replicated yet (${created.codes.join(', ') || created.status})`,
        );
      }
      if (!isConflict(created)) throw requestError('create service principal', created);
      const existing = await this.request('GET', `/servicePrincipals(appId=${odataString(appId)})?$select=id,appId`);
      if (existing.status === 200) return parse(servicePrincipalSchema, existing).id;
      // It existed a moment ago and is gone or not visible yet: try again from the start.
      if (existing.status === 404) {
        throw new GraphReplicationLagError(`service principal for appId ${appId} exists but cannot be read yet`);
      }
      throw requestError('read service principal', existing);
    });
  }

  async findOwnApplication(uniqueName: string): Promise<EntraApplication | null> {
    const app = await this.getApplication(`(uniqueName=${odataString(uniqueName)})`);
    return app && (await this.isOwnApplication(app)) ? app : null;
  }

  // https://learn.microsoft.com/graph/api/application-list: `$filter` with startsWith on
  // uniqueName. Should a tenant refuse that filter (400), the automation's own created
  // applications are listed instead (bounded by its quota) and matched here.
  async findOwnApplications(uniqueNamePrefix: string): Promise<readonly EntraApplication[]> {
    const filter = `$filter=${encodeURIComponent('startswith(uniqueName,')}${odataString(uniqueNamePrefix)})`;
    const first = await this.retrying(() => this.request('GET', `/applications?${filter}&${APP_SELECT}&$top=999`));
    if (first.status === 200) {
      const candidates = (await this.collect(first)).filter((app) => app.uniqueName.startsWith(uniqueNamePrefix));
      const ours: EntraApplication[] = [];
      for (const app of candidates) if (await this.isOwnApplication(app)) ours.push(app);
      return ours;
    }
    if (first.status !== 400) throw requestError('list applications', first);
    const listed = (await this.listCreatedApplications()).filter((app) => app.uniqueName.startsWith(uniqueNamePrefix));
    return withRecorded(listed, await this.recordedApplications(uniqueNamePrefix, listed));
  }

  // https://learn.microsoft.com/graph/api/application-get (alternate key appId)
  async findApplicationByAppId(appId: string): Promise<{ application: EntraApplication; ours: boolean } | null> {
    const app = await this.getApplication(`(appId=${odataString(appId)})`);
    return app ? { application: app, ours: await this.isOwnApplication(app) } : null;
  }

  // https://learn.microsoft.com/graph/api/application-delete: 204; the application and its
  // service principal then sit in deletedItems for 30 days, still counting against the
  // creator's quota (https://learn.microsoft.com/graph/api/resources/directory), so both
  // are purged (https://learn.microsoft.com/graph/api/directory-deleteditems-delete).
  async deleteApplication(application: EntraApplication): Promise<void> {
    await this.pinIntent(application);
    const servicePrincipalId = await this.findServicePrincipalId(application.appId);
    const res = await this.retrying(() => this.request('DELETE', `/applications/${encodeURIComponent(application.id)}`));
    if (res.status !== 204 && res.status !== 404) throw requestError('delete application', res);
    const justDeleted = res.status === 204;
    await this.purge(application.id, justDeleted);
    const deletedServicePrincipals = new Set(await this.findDeletedServicePrincipals(application.appId));
    if (servicePrincipalId) deletedServicePrincipals.add(servicePrincipalId);
    for (const id of deletedServicePrincipals) await this.purge(id, justDeleted && id === servicePrincipalId);
    // Gone for good: its record goes too (one naming another object, a later incarnation's, stays).
    const record = await this.deps.records?.get(application.uniqueName);
    if (record && (record.applicationId === undefined || record.applicationId === application.id)) {
      await this.deps.records?.remove(application.uniqueName);
    }
  }

  // https://learn.microsoft.com/graph/api/application-post-owners: 204 when added.
  // An existing owner answers 400 "One or more added object references already exist";
  // an unknown user 404 (or 400 with Request_ResourceNotFound / an invalid reference).
  // With Application.ReadWrite.OwnedBy the page's note says adding another owner is not
  // allowed (microsoft-graph-docs-contrib issue #4006 reports the 403), while its permission
  // table lists OwnedBy + Directory.Read.All: both readings are handled, a refusal is
  // reported, never fatal.
  async addOwner(applicationObjectId: string, userObjectId: string): Promise<AddOwnerOutcome> {
    const body = { '@odata.id': `${GRAPH_V1}/directoryObjects/${encodeURIComponent(userObjectId)}` };
    const res = await this.retrying(async () => {
      const answer = await this.request('POST', `/applications/${encodeURIComponent(applicationObjectId)}/owners/$ref`, { body });
      // A 404 naming the application right after it was created is replication lag.
      if (answer.status === 404 && answer.message.toLowerCase().includes(applicationObjectId.toLowerCase())) {
        throw new GraphReplicationLagError(`application ${applicationObjectId} is not replicated yet (add owner)`);
      }
      return answer;
    });
    if (res.status === 204) return 'added';
    if (res.status === 400 && /already exist/i.test(res.message)) return 'already-owner';
    if (res.status === 404) return 'not-found';
    if (
      res.status === 400 &&
      (res.codes.includes('Request_ResourceNotFound') || /does not exist|invalid object identifier|invalid reference/i.test(res.message))
    ) {
      return 'not-found';
    }
    if (res.status === 403 || res.status === 400) return { refused: res.codes[0] ?? `http-${res.status}` };
    throw requestError('add owner', res);
  }

  // ---------- the sweep's inventory: each collection listed once, every page of 999 ----------

  // https://learn.microsoft.com/graph/api/serviceprincipal-list-createdobjects with the cast
  // segment (`/microsoft.graph.application`) keeping one type; paging as
  // https://learn.microsoft.com/graph/paging describes it (`$top` up to 999, `@odata.nextLink`).
  // Should the record list soft-deleted objects too (its page does not say), their
  // `deletedDateTime` tells them apart: the inventory is of live objects.
  /** `recordsUnder`: only the records under that prefix are read (the account cap asks for one account's). */
  async listOwnApplications(options: { readonly recordsUnder?: string } = {}): Promise<readonly InventoryApplication[]> {
    const items = await this.listCreated('application', 'id,appId,uniqueName,displayName,createdDateTime,deletedDateTime');
    const listed = items.flatMap((item) => {
      const app = inventoryApplicationSchema.safeParse(item);
      if (!app.success || app.data.deletedDateTime) return [];
      const { id, appId, uniqueName, displayName, createdDateTime } = app.data;
      return [{ id, appId, uniqueName: uniqueName ?? '', displayName: displayName ?? '', createdDateTime: createdDateTime ?? null }];
    });
    return withRecorded(listed, await this.recordedApplications(options.recordsUnder ?? 'aws-', listed));
  }

  async listOwnServicePrincipals(): Promise<readonly { readonly id: string; readonly appId: string }[]> {
    const items = await this.listCreated('servicePrincipal', 'id,appId,deletedDateTime');
    return items.flatMap((item) => {
      const sp = servicePrincipalWithAppSchema.safeParse(item);
      return sp.success && !sp.data.deletedDateTime ? [{ id: sp.data.id, appId: sp.data.appId }] : [];
    });
  }

  // https://learn.microsoft.com/graph/api/directory-deleteditems-list: "returns 100 objects by
  // default and supports returning up to 999 objects per page using $top".
  async listDeletedItems(kind: DeletedItem['kind']): Promise<readonly DeletedItem[]> {
    const select = kind === 'application' ? 'id,appId,uniqueName' : 'id,appId';
    const items = await this.listAll(
      `/directory/deletedItems/microsoft.graph.${kind}?$select=${select}&$top=999`,
      `list deleted ${kind === 'application' ? 'applications' : 'service principals'}`,
    );
    return items.flatMap((item) => {
      const parsed = inventoryApplicationSchema.safeParse(item);
      return parsed.success ? [{ kind, id: parsed.data.id, appId: parsed.data.appId, uniqueName: parsed.data.uniqueName ?? null }] : [];
    });
  }

  async isOwnObject(objectId: string): Promise<boolean> {
    if (await this.isCreatedByAutomation(objectId)) return true;
    const { records } = this.deps;
    if (!records) return false;
    const me = await this.ownServicePrincipalId();
    const id = objectId.toLowerCase();
    return (await records.listWithPrefix('')).some(
      (record) =>
        record.identity === me &&
        record.state === 'created' &&
        (record.applicationId?.toLowerCase() === id || record.servicePrincipalId?.toLowerCase() === id),
    );
  }

  purgeDeletedItem(objectId: string): Promise<void> {
    return this.purge(objectId, false);
  }

  /** Every item of a collection, following `@odata.nextLink` (on Graph's origin only), from its first page when given. */
  private async listAll(path: string, what: string, first?: GraphResponse): Promise<unknown[]> {
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

  /**
   * Graph's record of what the automation created: `/servicePrincipals/{id}/createdObjects`
   * (https://learn.microsoft.com/graph/api/serviceprincipal-list-createdobjects; readable
   * with Application.ReadWrite.OwnedBy or Directory.Read.All). The single-object form
   * `…/createdObjects/{objectId}` answers 200 or 404; where a tenant refuses that form
   * (400/405), the list is read instead.
   */
  async isCreatedByAutomation(objectId: string): Promise<boolean> {
    const path = await this.createdObjectsPath();
    const res = await this.retrying(() => this.request('GET', `${path}/${encodeURIComponent(objectId)}?$select=id`));
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    if (res.status !== 400 && res.status !== 405) throw requestError('read created objects', res);
    return (await this.listCreatedApplications()).some((app) => app.id === objectId);
  }

  async listCreatedApplications(): Promise<EntraApplication[]> {
    return (await this.listCreated('application', 'id,appId,uniqueName,displayName')).flatMap((item) => {
      const app = applicationSchema.safeParse(item);
      return app.success && app.data.uniqueName
        ? [{ id: app.data.id, appId: app.data.appId, uniqueName: app.data.uniqueName, displayName: app.data.displayName ?? '' }]
        : [];
    });
  }

  /**
   * Every item of this identity's `createdObjects` of one type, every page. The cast segment
   * (`/microsoft.graph.application`) is valid OData on the service's schema, which types the
   * navigation `Collection(directoryObject)` unconstrained, but the SDKs' metadata allows only
   * `microsoft.graph.servicePrincipal` there and no page shows the service answering it (issue 20,
   * reading 1; docs/architecture.md#the-open-readings). Where it is refused (400), the whole
   * collection is listed, without `$select` (the properties are the derived types'), and kept by
   * the `@odata.type` each item of a directoryObject collection carries
   * (https://learn.microsoft.com/graph/api/serviceprincipal-list-createdobjects, response example);
   * the refusal is remembered for this client's life.
   */
  private async listCreated(kind: 'application' | 'servicePrincipal', select: string): Promise<unknown[]> {
    const path = await this.createdObjectsPath();
    const what = `list created ${kind === 'application' ? 'applications' : 'service principals'}`;
    if (!this.castRefused) {
      const first = await this.retrying(() => this.request('GET', `${path}/microsoft.graph.${kind}?$select=${select}&$top=999`));
      if (first.status !== 400) return this.listAll('', what, first);
      this.castRefused = true;
    }
    const type = `#microsoft.graph.${kind}`;
    return (await this.listAll(`${path}?$top=999`, what)).filter(
      (item) => typeof item === 'object' && item !== null && (item as Record<string, unknown>)['@odata.type'] === type,
    );
  }

  /**
   * How many live directory objects this identity created (its `createdObjects`, every page):
   * what counts against its creator quota, soft-deleted objects aside (the automation purges
   * those). https://learn.microsoft.com/graph/api/serviceprincipal-list-createdobjects
   */
  async createdObjectCount(): Promise<number> {
    const path = await this.createdObjectsPath();
    let page = await this.retrying(() => this.request('GET', `${path}?$select=id&$top=999`));
    let count = 0;
    for (;;) {
      if (page.status !== 200) throw requestError('list created objects', page);
      const body = parse(collectionSchema, page);
      count += body.value.length;
      const next = body['@odata.nextLink'];
      if (!next) return count;
      page = await this.retrying(() => this.request('GET', next));
    }
  }

  /** Object IDs of the application's owners (https://learn.microsoft.com/graph/api/application-list-owners). */
  async ownerIds(applicationObjectId: string): Promise<string[]> {
    const res = await this.retrying(() =>
      this.request('GET', `/applications/${encodeURIComponent(applicationObjectId)}/owners?$select=id&$top=999`),
    );
    if (res.status === 404) return [];
    if (res.status !== 200) throw requestError('list application owners', res);
    return parse(collectionSchema, res).value.flatMap((item) => {
      const owner = servicePrincipalSchema.safeParse(item);
      return owner.success ? [owner.data.id.toLowerCase()] : [];
    });
  }

  async ownsApplication(applicationObjectId: string): Promise<boolean> {
    const res = await this.retrying(() =>
      this.request('GET', `/applications/${encodeURIComponent(applicationObjectId)}/owners?$select=id&$top=999`),
    );
    // Gone (deleted meanwhile by another execution): no owner took it away; the next call on it says what became of it.
    if (res.status === 404) return true;
    if (res.status !== 200) throw requestError('list application owners', res);
    const own = await this.ownServicePrincipalId();
    return parse(collectionSchema, res).value.some((item) => servicePrincipalSchema.safeParse(item).data?.id.toLowerCase() === own);
  }

  /** A live application by unique name or client ID, whoever created it. */
  async readApplication(key: { readonly uniqueName: string } | { readonly appId: string }): Promise<EntraApplication | null> {
    return this.getApplication('uniqueName' in key ? `(uniqueName=${odataString(key.uniqueName)})` : `(appId=${odataString(key.appId)})`);
  }

  /**
   * Live applications (anyone's) whose unique name starts with the prefix
   * (https://learn.microsoft.com/graph/api/application-list, `$filter` with `startswith` on
   * uniqueName); `null` when the tenant refuses that filter (400).
   */
  async applicationsWithPrefix(prefix: string): Promise<EntraApplication[] | null> {
    const filter = `$filter=${encodeURIComponent('startswith(uniqueName,')}${odataString(prefix)})`;
    const first = await this.retrying(() => this.request('GET', `/applications?${filter}&${APP_SELECT}&$top=999`));
    if (first.status === 400) return null;
    if (first.status !== 200) throw requestError('list applications', first);
    return (await this.collect(first)).filter((app) => app.uniqueName.startsWith(prefix));
  }

  // This identity's own live applications (its `createdObjects`, one listing bounded by its quota),
  // never a `$filter` on anyone's: a stranger's names under the prefix neither count nor cost a call.
  async ownApplicationNamesWithPrefix(prefix: string): Promise<readonly string[]> {
    const listed = (await this.listOwnApplications({ recordsUnder: prefix })).filter((app) => app.uniqueName.startsWith(prefix));
    return listed.map((app) => app.uniqueName);
  }

  // https://learn.microsoft.com/graph/api/serviceprincipal-get: any service principal of the
  // tenant, readable with Directory.Read.All (which the automation holds for adding owners).
  async getServicePrincipal(objectId: string): Promise<DirectoryServicePrincipal | null> {
    if (!GUID.test(objectId)) return null;
    const res = await this.retrying(() =>
      this.request('GET', `/servicePrincipals/${encodeURIComponent(objectId)}?$select=id,appId,displayName,servicePrincipalType`),
    );
    if (res.status === 404) return null;
    if (res.status !== 200) throw requestError('read service principal', res);
    const sp = parse(directoryServicePrincipalSchema, res);
    return {
      id: sp.id.toLowerCase(),
      appId: sp.appId.toLowerCase(),
      displayName: sp.displayName ?? '',
      servicePrincipalType: sp.servicePrincipalType ?? '',
    };
  }

  // https://learn.microsoft.com/graph/api/serviceprincipal-get (the `(appId='…')` alternate
  // key): the service principal of a client ID, whoever made it. A managed identity, or another
  // tenant's multi-tenant application, has one in this tenant and no application object.
  async getServicePrincipalByAppId(appId: string): Promise<DirectoryServicePrincipal | null> {
    if (!GUID.test(appId)) return null;
    const res = await this.retrying(() =>
      this.request('GET', `/servicePrincipals(appId=${odataString(appId)})?$select=id,appId,displayName,servicePrincipalType`),
    );
    if (res.status === 404) return null;
    if (res.status !== 200) throw requestError('read service principal', res);
    const sp = parse(directoryServicePrincipalSchema, res);
    return {
      id: sp.id.toLowerCase(),
      appId: sp.appId.toLowerCase(),
      displayName: sp.displayName ?? '',
      servicePrincipalType: sp.servicePrincipalType ?? '',
    };
  }

  // https://learn.microsoft.com/graph/api/application-post-federatedidentitycredentials: 201;
  // at most 20 per application; the name, and issuer with subject, are unique on the
  // application. The page shows no error for a duplicate or for the 21st, so any 400/409 is
  // read back by name (https://learn.microsoft.com/graph/api/federatedidentitycredential-get):
  // the same credential is a retry, another one of that name a conflict, none a refusal.
  async addFederatedCredential(applicationObjectId: string, credential: FederatedCredentialSpec): Promise<AddFederatedCredentialOutcome> {
    const base = `/applications/${encodeURIComponent(applicationObjectId)}/federatedIdentityCredentials`;
    const body = { ...credential, audiences: [ENTRA_TOKEN_EXCHANGE_AUDIENCE] };
    const res = await this.retrying(async () => {
      const answer = await this.request('POST', base, { body });
      // A 404 naming the application right after it was created is replication lag.
      if (answer.status === 404)
        throw new GraphReplicationLagError(`application ${applicationObjectId} is not replicated yet (add federated credential)`);
      return answer;
    });
    if (res.status === 201) return 'added';
    if (res.status !== 400 && res.status !== 409 && res.status !== 403) throw requestError('add federated identity credential', res);
    if (res.status === 403) return { refused: res.codes[0] ?? 'http-403' };
    const existing = await this.retrying(() => this.request('GET', `${base}/${encodeURIComponent(credential.name)}`));
    if (existing.status === 200) {
      const found = parse(federatedCredentialSchema, existing);
      return found.issuer === credential.issuer && found.subject === credential.subject ? 'already-present' : 'conflict';
    }
    return { refused: res.codes[0] ?? `http-${res.status}` };
  }

  private async createdObjectsPath(): Promise<string> {
    return `/servicePrincipals/${encodeURIComponent(await this.ownServicePrincipalId())}/createdObjects`;
  }

  /** Every page of an application collection, following `@odata.nextLink` on Graph's origin only. */
  private async collect(first: GraphResponse): Promise<EntraApplication[]> {
    const apps: EntraApplication[] = [];
    let page = parse(collectionSchema, first);
    for (;;) {
      for (const item of page.value) {
        const app = applicationSchema.safeParse(item);
        if (app.success && app.data.uniqueName) {
          apps.push({ id: app.data.id, appId: app.data.appId, uniqueName: app.data.uniqueName, displayName: app.data.displayName ?? '' });
        }
      }
      const next = page['@odata.nextLink'];
      if (!next) return apps;
      const res = await this.retrying(() => this.request('GET', next));
      if (res.status !== 200) throw requestError('read next page', res);
      page = parse(collectionSchema, res);
    }
  }

  private async getApplication(key: string): Promise<EntraApplication | null> {
    const res = await this.retrying(() => this.request('GET', `/applications${key}?${APP_SELECT}`));
    if (res.status === 404) return null;
    if (res.status === 200) return toApplication(res, '');
    throw requestError('read application', res);
  }

  // https://learn.microsoft.com/graph/api/directory-deleteditems-list: the cast segment takes
  // its type's query parameters, but no page shows `$filter` on uniqueName under deletedItems
  // (the schema settles it for /applications only: issue 20, reading 3,
  // docs/architecture.md#the-open-readings). If a tenant refuses the filter (400), every deleted
  // application is read, page by page, and matched here on that exact name.
  private async findDeletedApplication(uniqueName: string): Promise<EntraApplication | null> {
    const collection = '/directory/deletedItems/microsoft.graph.application';
    const filter = `$filter=${encodeURIComponent('uniqueName eq ')}${odataString(uniqueName)}`;
    const res = await this.retrying(() => this.request('GET', `${collection}?${filter}&${APP_SELECT}`));
    if (res.status === 200) return (await this.collect(res)).find((app) => app.uniqueName === uniqueName) ?? null;
    if (res.status !== 400) throw requestError('list deleted applications', res);
    const all = await this.retrying(() => this.request('GET', `${collection}?${APP_SELECT}&$top=999`));
    if (all.status !== 200) throw requestError('list deleted applications', all);
    return (await this.collect(all)).find((app) => app.uniqueName === uniqueName) ?? null;
  }

  // https://learn.microsoft.com/graph/api/directory-deleteditems-list: `$filter` on appId under
  // the servicePrincipal cast. No page shows the service answering it (issue 20, reading 4): where
  // a tenant refuses it (400), every deleted service principal is listed and matched here, on
  // that exact appId only, so a purge never reaches another application's service principal.
  private async findDeletedServicePrincipals(appId: string): Promise<string[]> {
    const collection = '/directory/deletedItems/microsoft.graph.servicePrincipal';
    const filter = `$filter=${encodeURIComponent('appId eq ')}${odataString(appId)}`;
    const res = await this.retrying(() => this.request('GET', `${collection}?${filter}&$select=id,appId`));
    if (res.status !== 200 && res.status !== 400) throw requestError('list deleted service principals', res);
    const items =
      res.status === 200
        ? await this.listAll('', 'list deleted service principals', res)
        : await this.listAll(`${collection}?$select=id,appId&$top=999`, 'list deleted service principals');
    const wanted = appId.toLowerCase();
    return items
      .map((item) => servicePrincipalWithAppSchema.safeParse(item))
      .flatMap((sp) => (sp.success && sp.data.appId.toLowerCase() === wanted ? [sp.data.id] : []));
  }

  private async findServicePrincipalId(appId: string): Promise<string | null> {
    const res = await this.retrying(() => this.request('GET', `/servicePrincipals(appId=${odataString(appId)})?$select=id,appId`));
    if (res.status === 404) return null;
    if (res.status === 200) return parse(servicePrincipalSchema, res).id;
    throw requestError('read service principal', res);
  }

  /**
   * Purges one soft-deleted object. Right after its delete the item may not be visible in
   * deletedItems yet and the purge answers 404: when this call just deleted it, that is
   * replication lag, retried (here, then by the state machine). Otherwise a 404 is checked
   * with `GET /directory/deletedItems/{id}` (https://learn.microsoft.com/graph/api/directory-deleteditems-get):
   * absent there too means it is purged already.
   */
  private async purge(objectId: string, justDeleted: boolean): Promise<void> {
    const path = `/directory/deletedItems/${encodeURIComponent(objectId)}`;
    await this.retryingValue(async () => {
      const res = await this.request('DELETE', path);
      if (res.status === 204) return;
      if (res.status !== 404) throw requestError('purge deleted item', res);
      if (justDeleted) throw new GraphReplicationLagError(`deleted item ${objectId} is not visible in deletedItems yet`);
      const item = await this.request('GET', `${path}?$select=id`);
      if (item.status === 404) return;
      if (item.status === 200) throw new GraphReplicationLagError(`deleted item ${objectId} is listed but could not be purged yet`);
      throw requestError('read deleted item', item);
    });
  }

  private retrying(fn: () => Promise<GraphResponse>): Promise<GraphResponse> {
    return this.retryingValue(fn);
  }

  private retryingValue<T>(fn: () => Promise<T>): Promise<T> {
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
  private async request(
    method: string,
    pathOrUrl: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<GraphResponse> {
    const url = this.resolve(pathOrUrl);
    const token = await this.token();
    let response: Response;
    try {
      response = await (this.deps.fetch ?? fetch)(url, {
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

/** The applications Graph listed, and those only the automation's records prove (once each). */
function withRecorded<T extends EntraApplication>(listed: T[], recorded: readonly T[]): T[] {
  const ids = new Set(listed.map((app) => app.id));
  return [...listed, ...recorded.filter((app) => !ids.has(app.id))];
}

function isReplicationLag(res: GraphResponse): boolean {
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
function isConflict(res: GraphResponse): boolean {
  return (
    (res.status === 409 || res.status === 400) &&
    (res.codes.includes('Request_MultipleObjectsWithSameKeyValue') ||
      res.codes.includes('ObjectConflict') ||
      /already (exists|in use)|uniqueName.*(exist|in use|conflict)/i.test(res.message))
  );
}

function nameTaken(uniqueName: string, holder: string): ApplicationNameTakenError {
  return new ApplicationNameTakenError(
    `name-taken: the application name ${uniqueName} is held by ${holder}, which Graph does not record as created by the automation. ` +
      'It was left untouched. A tenant administrator should check who registered it and delete it.',
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

function requestError(what: string, res: GraphResponse): GraphRequestError {
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
