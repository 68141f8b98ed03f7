import { randomUUID } from 'node:crypto';
import { ApplicationNameTakenError, GraphReplicationLagError, InvalidInputError } from '../runtime/errors';
import { ENTRA_TOKEN_EXCHANGE_AUDIENCE, GUID_PATTERN as GUID } from '../workflow/contracts';
import { DeletedItems } from './graph-deleted-items';
import { collectionSchema, GRAPH_V1, GraphHttp, type GraphHttpOptions, isConflict, odataString, parse, requestError } from './graph-http';
import { ServicePrincipals } from './graph-service-principals';
import {
  APP_SELECT,
  applicationSchema,
  collectApplications,
  federatedCredentialSchema,
  inventoryApplicationSchema,
  servicePrincipalSchema,
  servicePrincipalWithAppSchema,
  toApplication,
} from './graph-shapes';
import { applicationUniqueName } from './naming';
import type {
  AddFederatedCredentialOutcome,
  SetAccountEnabledOutcome,
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
import { CREATION_NONCE_MARK, type AutomationRecord, type AutomationRecordStore } from './records';

// The HTTP layer's names, for the callers that imported them from here.
export { GRAPH_V1, odataString, retryAfterSeconds } from './graph-http';

/** What the Graph client needs: the HTTP layer's options (graph-http.ts) and who the automation is. */
export interface GraphDirectoryDeps extends GraphHttpOptions {
  /**
   * Object ID of the automation's own service principal: whose `createdObjects` prove "ours".
   * An identity of the pool (identity-pool.ts) may give its client ID instead: the object ID is
   * then read once, with its own token, from `GET /servicePrincipals(appId='…')`.
   */
  readonly automationServicePrincipalId?: string;
  /** The identity's client ID, when `automationServicePrincipalId` is not given. */
  readonly automationClientId?: string;
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

/**
 * `EntraDirectory` and `EntraInventory` over Microsoft Graph v1.0: the applications (created,
 * found, proven the automation's, deleted), and the inventory of what the automation created,
 * over the HTTP layer (graph-http.ts) with the service-principals (graph-service-principals.ts)
 * and deleted-items (graph-deleted-items.ts) parts.
 */
export class GraphDirectory implements EntraDirectory, EntraInventory {
  private readonly http: GraphHttp;
  private readonly servicePrincipals: ServicePrincipals;
  private readonly deleted: DeletedItems;

  /** Who the automation is, as configured: its service principal's object ID, or only its client ID. */
  private readonly ownIdentity: { readonly servicePrincipalId: string } | { readonly clientId: string };
  private servicePrincipalId: Promise<string> | undefined;
  /** Whether Graph refused the cast after `createdObjects` (reading 1): then the listing is filtered here. */
  private castRefused = false;
  /** Applications this client created, by client ID: whose record gets the service principal's ID once it is made. */
  private readonly recordedByAppId = new Map<string, { readonly uniqueName: string; readonly applicationId: string }>();

  constructor(private readonly deps: GraphDirectoryDeps) {
    this.http = new GraphHttp(deps);
    this.servicePrincipals = new ServicePrincipals(this.http);
    this.deleted = new DeletedItems(this.http);
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
      const res = await this.http.retrying(() =>
        this.http.request('GET', `/servicePrincipals(appId=${odataString(clientId)})?$select=id,appId`),
      );
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
    const created = await this.http.retrying(() => this.http.request('POST', '/applications', { body }));
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
    const deleted = await this.deleted.findApplication(spec.uniqueName);
    if (!deleted) throw new GraphReplicationLagError(`application ${spec.uniqueName} conflicts but cannot be read yet`);
    if (!(await this.isOwnApplication(deleted, { record, deleted: true }))) {
      throw nameTaken(spec.uniqueName, `the soft-deleted application ${deleted.appId}`);
    }
    await this.pinIntent(deleted);
    await this.deleted.purge(deleted.id, false);
    // Its service principal was soft-deleted with it and counts against the quota too.
    for (const id of await this.deleted.findServicePrincipals(deleted.appId)) await this.deleted.purge(id, false);
    const again = await this.http.retrying(() => this.http.request('POST', '/applications', { body }));
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
   * Once the application exists, its notes (and so the nonce) are readable by any member user, who
   * "can also read all directory information" (https://learn.microsoft.com/entra/fundamentals/users-default-permissions); should the record outlive the
   * application (a Delete stopped between its purge and the record's removal), the nonce must not
   * prove a stranger's application registered under the freed name.
   */
  private async pinIntent(application: EntraApplication): Promise<void> {
    const open = await this.deps.records?.get(application.uniqueName);
    if (open?.state === 'intent' && open.applicationId === undefined) {
      await this.deps.records?.complete(application.uniqueName, { appId: application.appId, applicationId: application.id });
    }
  }

  /**
   * The application's notes (https://learn.microsoft.com/graph/api/application-get), or null when it is gone.
   * A soft-deleted one is read whole from deletedItems (https://learn.microsoft.com/graph/api/directory-deleteditems-get):
   * that navigation is typed `directoryObject`, which has no `notes` to `$select` (the schema contract check
   * refuses `$select=id,notes` there), while the object answered is the application with all its properties.
   */
  private async applicationNotes(objectId: string, deleted: boolean): Promise<string | null> {
    const id = encodeURIComponent(objectId);
    const path = deleted ? `/directory/deletedItems/${id}` : `/applications/${id}?$select=id,notes`;
    const res = await this.http.retrying(() => this.http.request('GET', path));
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
      const res = await this.http.retrying(() =>
        this.http.request(
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
    const id = await this.servicePrincipals.createOrRead(appId);
    const recorded = this.recordedByAppId.get(appId.toLowerCase());
    if (recorded && this.deps.records) {
      await this.deps.records.complete(recorded.uniqueName, { appId, applicationId: recorded.applicationId, servicePrincipalId: id });
    }
    return id;
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
    const first = await this.http.retrying(() => this.http.request('GET', `/applications?${filter}&${APP_SELECT}&$top=999`));
    if (first.status === 200) {
      const candidates = (await collectApplications(this.http, first)).filter((app) => app.uniqueName.startsWith(uniqueNamePrefix));
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
    const servicePrincipalId = await this.servicePrincipals.findId(application.appId);
    const res = await this.http.retrying(() => this.http.request('DELETE', `/applications/${encodeURIComponent(application.id)}`));
    if (res.status !== 204 && res.status !== 404) throw requestError('delete application', res);
    const justDeleted = res.status === 204;
    await this.deleted.purge(application.id, justDeleted);
    const deletedServicePrincipals = new Set(await this.deleted.findServicePrincipals(application.appId));
    if (servicePrincipalId) deletedServicePrincipals.add(servicePrincipalId);
    for (const id of deletedServicePrincipals) await this.deleted.purge(id, justDeleted && id === servicePrincipalId);
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
    const res = await this.http.retrying(async () => {
      const answer = await this.http.request('POST', `/applications/${encodeURIComponent(applicationObjectId)}/owners/$ref`, { body });
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

  listDeletedItems(kind: DeletedItem['kind']): Promise<readonly DeletedItem[]> {
    return this.deleted.list(kind);
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
    return this.deleted.purge(objectId, false);
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
    const res = await this.http.retrying(() => this.http.request('GET', `${path}/${encodeURIComponent(objectId)}?$select=id`));
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
      const first = await this.http.retrying(() => this.http.request('GET', `${path}/microsoft.graph.${kind}?$select=${select}&$top=999`));
      if (first.status !== 400) return this.http.listAll('', what, first);
      this.castRefused = true;
    }
    const type = `#microsoft.graph.${kind}`;
    return (await this.http.listAll(`${path}?$top=999`, what)).filter(
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
    let page = await this.http.retrying(() => this.http.request('GET', `${path}?$select=id&$top=999`));
    let count = 0;
    for (;;) {
      if (page.status !== 200) throw requestError('list created objects', page);
      const body = parse(collectionSchema, page);
      count += body.value.length;
      const next = body['@odata.nextLink'];
      if (!next) return count;
      page = await this.http.retrying(() => this.http.request('GET', next));
    }
  }

  /** Object IDs of the application's owners (https://learn.microsoft.com/graph/api/application-list-owners). */
  async ownerIds(applicationObjectId: string): Promise<string[]> {
    return (await this.owners(applicationObjectId)) ?? [];
  }

  async ownsApplication(applicationObjectId: string): Promise<boolean> {
    const owners = await this.owners(applicationObjectId);
    // Gone (deleted meanwhile by another execution): no owner took it away; the next call on it says what became of it.
    if (owners === null) return true;
    return owners.includes(await this.ownServicePrincipalId());
  }

  /** The owners' object IDs, lower case; null when the application is gone. */
  private async owners(applicationObjectId: string): Promise<string[] | null> {
    const res = await this.http.retrying(() =>
      this.http.request('GET', `/applications/${encodeURIComponent(applicationObjectId)}/owners?$select=id&$top=999`),
    );
    if (res.status === 404) return null;
    if (res.status !== 200) throw requestError('list application owners', res);
    return parse(collectionSchema, res).value.flatMap((item) => {
      const owner = servicePrincipalSchema.safeParse(item);
      return owner.success ? [owner.data.id.toLowerCase()] : [];
    });
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
    const first = await this.http.retrying(() => this.http.request('GET', `/applications?${filter}&${APP_SELECT}&$top=999`));
    if (first.status === 400) return null;
    if (first.status !== 200) throw requestError('list applications', first);
    return (await collectApplications(this.http, first)).filter((app) => app.uniqueName.startsWith(prefix));
  }

  // This identity's own live applications (its `createdObjects`, one listing bounded by its quota),
  // never a `$filter` on anyone's: a stranger's names under the prefix neither count nor cost a call.
  async ownApplicationNamesWithPrefix(prefix: string): Promise<readonly string[]> {
    const listed = (await this.listOwnApplications({ recordsUnder: prefix })).filter((app) => app.uniqueName.startsWith(prefix));
    return listed.map((app) => app.uniqueName);
  }

  getServicePrincipal(objectId: string): Promise<DirectoryServicePrincipal | null> {
    return this.servicePrincipals.get(objectId);
  }

  getServicePrincipalByAppId(appId: string): Promise<DirectoryServicePrincipal | null> {
    return this.servicePrincipals.getByAppId(appId);
  }

  setServicePrincipalEnabled(objectId: string, enabled: boolean): Promise<SetAccountEnabledOutcome> {
    return this.servicePrincipals.setEnabled(objectId, enabled);
  }

  // https://learn.microsoft.com/graph/api/application-post-federatedidentitycredentials: 201;
  // at most 20 per application; the name, and issuer with subject, are unique on the
  // application. The page shows no error for a duplicate or for the 21st, so any 400/409 is
  // read back by name (https://learn.microsoft.com/graph/api/federatedidentitycredential-get):
  // the same credential is a retry, another one of that name a conflict, none a refusal.
  async addFederatedCredential(applicationObjectId: string, credential: FederatedCredentialSpec): Promise<AddFederatedCredentialOutcome> {
    const base = `/applications/${encodeURIComponent(applicationObjectId)}/federatedIdentityCredentials`;
    const body = { ...credential, audiences: [ENTRA_TOKEN_EXCHANGE_AUDIENCE] };
    const res = await this.http.retrying(async () => {
      const answer = await this.http.request('POST', base, { body });
      // A 404 naming the application right after it was created is replication lag.
      if (answer.status === 404)
        throw new GraphReplicationLagError(`application ${applicationObjectId} is not replicated yet (add federated credential)`);
      return answer;
    });
    if (res.status === 201) return 'added';
    if (res.status !== 400 && res.status !== 409 && res.status !== 403) throw requestError('add federated identity credential', res);
    if (res.status === 403) return { refused: res.codes[0] ?? 'http-403' };
    const existing = await this.http.retrying(() => this.http.request('GET', `${base}/${encodeURIComponent(credential.name)}`));
    if (existing.status === 200) {
      const found = parse(federatedCredentialSchema, existing);
      return found.issuer === credential.issuer && found.subject === credential.subject ? 'already-present' : 'conflict';
    }
    return { refused: res.codes[0] ?? `http-${res.status}` };
  }

  private async createdObjectsPath(): Promise<string> {
    return `/servicePrincipals/${encodeURIComponent(await this.ownServicePrincipalId())}/createdObjects`;
  }

  private async getApplication(key: string): Promise<EntraApplication | null> {
    const res = await this.http.retrying(() => this.http.request('GET', `/applications${key}?${APP_SELECT}`));
    if (res.status === 404) return null;
    if (res.status === 200) return toApplication(res, '');
    throw requestError('read application', res);
  }
}

/** The applications Graph listed, and those only the automation's records prove (once each). */
function withRecorded<T extends EntraApplication>(listed: T[], recorded: readonly T[]): T[] {
  const ids = new Set(listed.map((app) => app.id));
  return [...listed, ...recorded.filter((app) => !ids.has(app.id))];
}

function nameTaken(uniqueName: string, holder: string): ApplicationNameTakenError {
  return new ApplicationNameTakenError(
    `name-taken: the application name ${uniqueName} is held by ${holder}, which Graph does not record as created by the automation. ` +
      'It was left untouched. A tenant administrator should check who registered it and delete it.',
  );
}
