import { randomUUID } from 'node:crypto';

/**
 * The directory the Graph fake serves: applications, service principals and users, live or
 * soft-deleted, each with the principal that created it. No HTTP here (see graph-routes.ts
 * for the answers, graph-fake.ts for the server).
 *
 * What it models, with sources:
 * - every request is made by one of the automation's identities: its first one
 *   (`automationServicePrincipalId`) unless the request's token names another
 *   (`addAutomationIdentity`, identity-pool.ts); what it creates records it as creator (`createdObjects`,
 *   https://learn.microsoft.com/graph/api/serviceprincipal-list-createdobjects) and as owner
 *   (Application.ReadWrite.OwnedBy "allows the app to create other applications, and fully manage
 *   those applications", https://learn.microsoft.com/graph/permissions-reference#applicationreadwriteownedby);
 * - deleting an application soft-deletes its service principal too
 *   (https://learn.microsoft.com/entra/identity/enterprise-apps/restore-application); both stay in
 *   `directory/deletedItems` until purged;
 * - the creator quota: "a nonadmin user can create no more than 250 Microsoft Entra resources that
 *   include applications and service principals. Both active resources and deleted resources that
 *   are available to restore count toward this quota … To free up the quota, you need to
 *   permanently delete objects in the deleted items container"
 *   (https://learn.microsoft.com/entra/identity/enterprise-apps/delete-recover-faq). The service
 *   limits page adds that deleted resources no longer available to restore count a quarter for
 *   30 days (https://learn.microsoft.com/entra/identity/users/directory-service-limits-restrictions);
 *   the pages disagree on whether a purge frees the whole object, so `purgedObjectsCountAQuarter`
 *   offers the stricter reading.
 */

/** The world file's name for the automation's own service principal. */
export const AUTOMATION = 'automation';
export const DEFAULT_AUTOMATION_SERVICE_PRINCIPAL_ID = '0a7e0a7e-5e1f-4c1a-9d2b-a0700a7e0001';
export const DEFAULT_AUTOMATION_APP_ID = '0a7e0a7e-5e1f-4c1a-9d2b-a0700a7e0002';
export const DEFAULT_CREATOR_QUOTA = 250;
/** The gateway application the plan creates (stacks/entra-gateway.ts), and whoever applied the plan. */
export const DEFAULT_GATEWAY_APP_ID = '9a7e9a7e-6a7e-4a7e-8a7e-9a7e0a7e0001';
export const DEFAULT_GATEWAY_SERVICE_PRINCIPAL_ID = '9a7e9a7e-6a7e-4a7e-8a7e-9a7e0a7e0002';
export const DEFAULT_GATEWAY_APPLICATION_ID = '9a7e9a7e-6a7e-4a7e-8a7e-9a7e0a7e0003';
export const PLAN_DEPLOYER_ID = '9a7e9a7e-6a7e-4a7e-8a7e-9a7e0a7e00ff';

/** A federated identity credential on an application (https://learn.microsoft.com/graph/api/resources/federatedidentitycredential). */
export interface FakeFederatedCredential {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

export type ServicePrincipalType = 'Application' | 'ManagedIdentity';

export interface FakeApplication {
  id: string;
  appId: string;
  uniqueName: string | null;
  displayName: string;
  notes: string | null;
  signInAudience: string;
  requestedAccessTokenVersion: number | null;
  /** Owner object IDs: users or service principals (the automation's when it created the application). */
  owners: string[];
  /** Object ID of the principal that created it. */
  createdBy: string;
  createdDateTime: string;
  deletedDateTime: string | null;
  /** POST /servicePrincipals for this app still answers "no backing application object" this many times. */
  replicationLagRemaining: number;
  /** Requests to /applications/{id}/… still answer 404 this many times. */
  subresourceLagRemaining: number;
  federatedCredentials: FakeFederatedCredential[];
  /** DELETE /directory/deletedItems/{id} still answers 404 this many times after the delete. */
  purgeLagRemaining: number;
}

export interface FakeServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  servicePrincipalType: ServicePrincipalType;
  /** Whether it may sign in (get tokens); `PATCH /servicePrincipals/{id}` sets it. */
  accountEnabled: boolean;
  /** Object ID of the principal that created it; null for what Azure creates (managed identities). */
  createdBy: string | null;
  deletedDateTime: string | null;
  purgeLagRemaining: number;
}

export interface SeedApplication {
  readonly id?: string;
  readonly appId?: string;
  readonly uniqueName?: string | null;
  readonly displayName: string;
  /** Object IDs; default: the automation's service principal when it is the creator, else none. */
  readonly owners?: readonly string[];
  /** The creator's object ID; default the automation's service principal. */
  readonly createdBy?: string;
  /** Creates the application's service principal with this object ID (same creator, same deleted state). */
  readonly servicePrincipalId?: string;
  /** Seeds it soft-deleted (in `directory/deletedItems`). */
  readonly deleted?: boolean;
  /** ISO 8601; now when absent. */
  readonly createdDateTime?: string;
}

export interface SeedServicePrincipal {
  readonly id: string;
  readonly appId: string;
  readonly displayName?: string;
  readonly servicePrincipalType?: ServicePrincipalType;
  /** Default `true`. */
  readonly accountEnabled?: boolean;
  /** Default: nobody the fake knows (it does not count against the automation's quota). */
  readonly createdBy?: string | null;
  readonly deleted?: boolean;
}

export interface GraphFakeStateOptions {
  readonly now?: () => Date;
  /** New object and application IDs; random UUIDs by default (the simulator passes a seeded generator). */
  readonly newId?: () => string;
  readonly automationServicePrincipalId?: string;
  readonly automationAppId?: string;
}

/**
 * How the creator quota refusal is shaped. The Azure AD Graph error table lists
 * `Directory_QuotaExceeded` as a top-level code with 403 ("This also occurs when too many objects
 * are created for the principal",
 * https://learn.microsoft.com/previous-versions/azure/ad/graph/howto/azure-ad-graph-api-error-codes-and-error-handling),
 * and Microsoft Graph v1.0 fixtures for the related forward-link quota keep it top-level with 403
 * (instructure/canvas-lms, spec/lib/microsoft_sync/graph_service/groups_endpoints_spec.rb). No
 * source shows it in `error.details[]`, but Microsoft Graph reports other directory codes that way
 * (`NoBackingApplicationObject`), so `details` (400 `Request_BadRequest`) is offered too: a client
 * must recognise both.
 */
export type QuotaErrorForm = 'top-level' | 'details';

/**
 * How Graph answers where no primary source settles it (issue 20; docs/simulate.md#the-open-readings
 * lists each with the source that leaves it open). The defaults are the readings the client was
 * written for; each other value is one the client must survive.
 */
export interface GraphReadings {
  /**
   * `GET /servicePrincipals/{id}/createdObjects/microsoft.graph.application` (a cast after
   * `createdObjects`): the service's schema types the navigation `Collection(directoryObject)` with
   * no constraint (vendor/msgraph), but the SDKs' pre-processed metadata allows only
   * `microsoft.graph.servicePrincipal` after it. `rejected`: any cast there answers 400 `Request_BadRequest`.
   */
  createdObjectsCast: 'accepted' | 'rejected';
  /**
   * Whether an application the automation creates appears in its service principal's
   * `createdObjects` (https://learn.microsoft.com/graph/api/serviceprincipal-list-createdobjects
   * says only "directory objects"). `false`: applications never do (service principals still do);
   * they still count against the creator quota.
   */
  createdObjectsListApplications: boolean;
  /**
   * `$filter` naming `uniqueName` (`startswith` on /applications, `eq` under deletedItems): the
   * application resource lists its filters, the schema makes it an alternate key; `rejected`: 400.
   */
  filterOnUniqueName: 'accepted' | 'rejected';
  /** `$filter` naming `appId` under `directory/deletedItems`; `rejected`: 400. */
  deletedItemsFilterOnAppId: 'accepted' | 'rejected';
}

export const DEFAULT_READINGS: Readonly<GraphReadings> = {
  createdObjectsCast: 'accepted',
  createdObjectsListApplications: true,
  filterOnUniqueName: 'accepted',
  deletedItemsFilterOnAppId: 'accepted',
};

export class GraphFakeState {
  /** Live and soft-deleted (see `deletedDateTime`), by object ID, in creation order. */
  private readonly applications = new Map<string, FakeApplication>();
  /** Live and soft-deleted; the automation's own is not among them. */
  private readonly servicePrincipals = new Map<string, FakeServicePrincipal>();
  /** Objects by creator, live and soft-deleted, so `createdObjects` costs no scan of the directory. */
  private readonly byCreator = new Map<string, Set<FakeApplication | FakeServicePrincipal>>();
  /** The automation's identities after the first: service principal object ID → client ID. */
  private readonly poolIdentities = new Map<string, string>();
  /** Objects the plan made (the gateway): they exist, but are not part of the world's listings. */
  private readonly platformObjects = new Set<string>();
  private readonly users = new Set<string>();
  // Indexes, so a world of thousands of roles costs no quadratic time.
  private readonly byUniqueName = new Map<string, FakeApplication>();
  private readonly byAppId = new Map<string, FakeApplication>();
  /** Live service principals by appId. */
  private readonly liveSpByAppId = new Map<string, FakeServicePrincipal>();
  /** Objects each creator created that are live or soft-deleted. */
  private readonly createdCounts = new Map<string, number>();
  readonly automationServicePrincipalId: string;
  readonly automationAppId: string;
  /** The automation's creator quota: objects it created, live and soft-deleted. */
  ownedObjectLimit = DEFAULT_CREATOR_QUOTA;
  /** The stricter reading of the service limits page (see the class comment). */
  purgedObjectsCountAQuarter = false;
  /**
   * Whether `createdObjects` lists soft-deleted objects too. Its page does not say
   * (https://learn.microsoft.com/graph/api/serviceprincipal-list-createdobjects); false, the
   * default, is the reading under which the automation can prove none of its soft-deleted
   * objects its own.
   */
  createdObjectsIncludeDeleted = false;
  quotaErrorForm: QuotaErrorForm = 'top-level';
  /** The open readings this directory plays (`GraphReadings`). */
  readings: GraphReadings = { ...DEFAULT_READINGS };
  /** How many lagging POST /servicePrincipals each newly created application gets. */
  replicationLagPerApplication = 0;
  /** How many 404s /applications/{id}/… answers right after the application is created. */
  subresourceLagPerApplication = 0;
  /** How many 404s a purge answers right after the object was deleted. */
  purgeLagPerDeletion = 0;
  /** Objects each creator created and then purged (for `purgedObjectsCountAQuarter`). */
  private readonly purgedCounts = new Map<string, number>();
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(options: GraphFakeStateOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.automationServicePrincipalId = (options.automationServicePrincipalId ?? DEFAULT_AUTOMATION_SERVICE_PRINCIPAL_ID).toLowerCase();
    this.automationAppId = (options.automationAppId ?? DEFAULT_AUTOMATION_APP_ID).toLowerCase();
  }

  // ---------- set-up (not requests) ----------

  /** Throws when the uniqueName or appId is taken: the directory keeps both unique. */
  seedApplication(seed: SeedApplication): FakeApplication {
    const createdBy = (seed.createdBy ?? this.automationServicePrincipalId).toLowerCase();
    if (seed.uniqueName && this.byUniqueName.has(seed.uniqueName)) throw new Error(`graph-fake: uniqueName ${seed.uniqueName} is taken`);
    if (seed.appId && this.byAppId.has(seed.appId.toLowerCase())) throw new Error(`graph-fake: appId ${seed.appId} is taken`);
    const defaultOwners = this.isAutomationIdentity(createdBy) ? [createdBy] : [];
    const app: FakeApplication = {
      id: (seed.id ?? this.newId()).toLowerCase(),
      appId: (seed.appId ?? this.newId()).toLowerCase(),
      uniqueName: seed.uniqueName ?? null,
      displayName: seed.displayName,
      notes: null,
      signInAudience: 'AzureADMyOrg',
      requestedAccessTokenVersion: null,
      owners: (seed.owners ?? defaultOwners).map((id) => id.toLowerCase()),
      createdBy,
      createdDateTime: seed.createdDateTime ?? this.timestamp(),
      deletedDateTime: seed.deleted ? this.timestamp() : null,
      replicationLagRemaining: 0,
      subresourceLagRemaining: 0,
      purgeLagRemaining: 0,
      federatedCredentials: [],
    };
    this.applications.set(app.id, app);
    this.byAppId.set(app.appId, app);
    if (app.uniqueName !== null) this.byUniqueName.set(app.uniqueName, app);
    this.countCreation(app);
    if (seed.servicePrincipalId) {
      this.seedServicePrincipal({
        id: seed.servicePrincipalId,
        appId: app.appId,
        displayName: app.displayName,
        createdBy,
        ...(seed.deleted ? { deleted: true } : {}),
      });
    }
    return app;
  }

  seedServicePrincipal(seed: SeedServicePrincipal): FakeServicePrincipal {
    const sp: FakeServicePrincipal = {
      id: seed.id.toLowerCase(),
      appId: seed.appId.toLowerCase(),
      displayName: seed.displayName ?? '',
      servicePrincipalType: seed.servicePrincipalType ?? 'Application',
      accountEnabled: seed.accountEnabled ?? true,
      createdBy: seed.createdBy?.toLowerCase() ?? null,
      deletedDateTime: seed.deleted ? this.timestamp() : null,
      purgeLagRemaining: 0,
    };
    this.servicePrincipals.set(sp.id, sp);
    if (sp.deletedDateTime === null) this.liveSpByAppId.set(sp.appId, sp);
    this.countCreation(sp);
    return sp;
  }

  private countCreation(item: FakeApplication | FakeServicePrincipal): void {
    if (item.createdBy === null) return;
    this.createdCounts.set(item.createdBy, (this.createdCounts.get(item.createdBy) ?? 0) + 1);
    const set = this.byCreator.get(item.createdBy) ?? new Set();
    this.byCreator.set(item.createdBy, set);
    set.add(item);
  }

  /**
   * Another identity of the automation (identity-pool.ts): its own service principal, client ID
   * and creator quota (`ownedObjectLimit` each). Requests name it by their token (graph-fake.ts).
   */
  addAutomationIdentity(ids: { servicePrincipalId?: string; appId?: string } = {}): { servicePrincipalId: string; appId: string } {
    const identity = {
      servicePrincipalId: (ids.servicePrincipalId ?? randomUUID()).toLowerCase(),
      appId: (ids.appId ?? randomUUID()).toLowerCase(),
    };
    this.poolIdentities.set(identity.servicePrincipalId, identity.appId);
    return identity;
  }

  /** Every identity of the automation, the first one first. */
  automationIdentities(): { servicePrincipalId: string; appId: string }[] {
    return [
      { servicePrincipalId: this.automationServicePrincipalId, appId: this.automationAppId },
      ...[...this.poolIdentities].map(([servicePrincipalId, appId]) => ({ servicePrincipalId, appId })),
    ];
  }

  isAutomationIdentity(servicePrincipalId: string): boolean {
    const key = servicePrincipalId.toLowerCase();
    return key === this.automationServicePrincipalId || this.poolIdentities.has(key);
  }

  /**
   * The gateway application and its service principal, as the plan creates them
   * (stacks/entra-gateway.ts): created and owned by whoever applied the plan, not by the automation.
   */
  seedGateway(ids: { appId?: string; servicePrincipalId?: string; id?: string } = {}): FakeApplication {
    const app = this.seedApplication({
      id: ids.id ?? DEFAULT_GATEWAY_APPLICATION_ID,
      appId: ids.appId ?? DEFAULT_GATEWAY_APP_ID,
      displayName: 'aws-gateway',
      createdBy: PLAN_DEPLOYER_ID,
      owners: [PLAN_DEPLOYER_ID],
      servicePrincipalId: ids.servicePrincipalId ?? DEFAULT_GATEWAY_SERVICE_PRINCIPAL_ID,
    });
    this.platformObjects.add(app.id);
    this.platformObjects.add(this.liveSpByAppId.get(app.appId)!.id);
    return app;
  }

  addUsers(...ids: string[]): void {
    for (const id of ids) this.users.add(id.toLowerCase());
  }

  // ---------- reads ----------

  /** Live applications of the world: the plan's own (the gateway) are not part of it. */
  listApplications(): FakeApplication[] {
    return this.liveApplications().filter((app) => !this.platformObjects.has(app.id));
  }

  /** Every live application, the plan's included: what Graph lists. */
  liveApplications(): FakeApplication[] {
    return [...this.applications.values()].filter((app) => app.deletedDateTime === null);
  }

  listDeletedApplications(): FakeApplication[] {
    return [...this.applications.values()].filter((app) => app.deletedDateTime !== null);
  }

  /** Live service principals of the world (the automation's and the plan's own excluded). */
  listServicePrincipals(): FakeServicePrincipal[] {
    return [...this.servicePrincipals.values()].filter((sp) => sp.deletedDateTime === null && !this.platformObjects.has(sp.id));
  }

  listDeletedServicePrincipals(): FakeServicePrincipal[] {
    return [...this.servicePrincipals.values()].filter((sp) => sp.deletedDateTime !== null);
  }

  liveByUniqueName(uniqueName: string): FakeApplication | undefined {
    const app = this.byUniqueName.get(uniqueName);
    return app && app.deletedDateTime === null ? app : undefined;
  }

  /** Live or soft-deleted: `uniqueName` stays taken until the purge. */
  anyByUniqueName(uniqueName: string): FakeApplication | undefined {
    return this.byUniqueName.get(uniqueName);
  }

  liveApplicationByAppId(appId: string): FakeApplication | undefined {
    const app = this.byAppId.get(appId.toLowerCase());
    return app && app.deletedDateTime === null ? app : undefined;
  }

  /** The tenant's users, in the order they were added. */
  listUsers(): string[] {
    return [...this.users];
  }

  isUser(id: string): boolean {
    return this.users.has(id.toLowerCase());
  }

  liveApplication(id: string): FakeApplication | undefined {
    const app = this.applications.get(id.toLowerCase());
    return app && app.deletedDateTime === null ? app : undefined;
  }

  /** A live service principal, the automation's own included. */
  liveServicePrincipal(id: string): FakeServicePrincipal | undefined {
    const key = id.toLowerCase();
    if (this.isAutomationIdentity(key)) return this.automationServicePrincipal(key);
    const sp = this.servicePrincipals.get(key);
    return sp && sp.deletedDateTime === null ? sp : undefined;
  }

  liveServicePrincipalByAppId(appId: string): FakeServicePrincipal | undefined {
    const key = appId.toLowerCase();
    const identity = this.automationIdentities().find((candidate) => candidate.appId === key);
    if (identity) return this.automationServicePrincipal(identity.servicePrincipalId);
    return this.liveSpByAppId.get(key);
  }

  /** One of the automation's own service principals: they exist, but are not part of the world's listings. */
  automationServicePrincipal(servicePrincipalId = this.automationServicePrincipalId): FakeServicePrincipal {
    const id = servicePrincipalId.toLowerCase();
    return {
      id,
      appId: id === this.automationServicePrincipalId ? this.automationAppId : this.poolIdentities.get(id)!,
      displayName: 'entra-aws-web-identity automation',
      servicePrincipalType: 'Application',
      accountEnabled: true,
      createdBy: null,
      deletedDateTime: null,
      purgeLagRemaining: 0,
    };
  }

  /** Objects a principal created (live, and soft-deleted under `createdObjectsIncludeDeleted`), applications first. */
  createdBy(creatorId: string): (FakeApplication | FakeServicePrincipal)[] {
    const creator = creatorId.toLowerCase();
    const listed = [...(this.byCreator.get(creator) ?? [])].filter(
      (item) => item.deletedDateTime === null || this.createdObjectsIncludeDeleted,
    );
    return [...listed.filter(isApplication), ...listed.filter((item) => !isApplication(item))];
  }

  /**
   * What `createdObjects` lists for a principal: `createdBy`, without the applications under the
   * reading `createdObjectsListApplications: false`.
   */
  listedCreatedBy(creatorId: string): (FakeApplication | FakeServicePrincipal)[] {
    const all = this.createdBy(creatorId);
    return this.readings.createdObjectsListApplications ? all : all.filter((item) => !isApplication(item));
  }

  /**
   * An object the principal created, by object ID, as `createdObjects/{id}` answers it (soft-deleted
   * ones only under `createdObjectsIncludeDeleted`, applications only under `createdObjectsListApplications`).
   */
  createdObject(creatorId: string, objectId: string): FakeApplication | FakeServicePrincipal | undefined {
    const key = objectId.toLowerCase();
    const item = this.applications.get(key) ?? this.servicePrincipals.get(key);
    const visible =
      item &&
      (item.deletedDateTime === null || this.createdObjectsIncludeDeleted) &&
      (this.readings.createdObjectsListApplications || !isApplication(item));
    return visible && item.createdBy === creatorId.toLowerCase() ? item : undefined;
  }

  /** What counts against an identity's creator quota (the first automation identity's by default). */
  ownedObjectCount(creatorId = this.automationServicePrincipalId): number {
    const creator = creatorId.toLowerCase();
    return (this.createdCounts.get(creator) ?? 0) + (this.purgedObjectsCountAQuarter ? (this.purgedCounts.get(creator) ?? 0) / 4 : 0);
  }

  quotaLeft(creatorId = this.automationServicePrincipalId): boolean {
    return this.ownedObjectCount(creatorId) + 1 <= this.ownedObjectLimit;
  }

  /** A user or a live service principal: what may become an owner. */
  directoryObjectExists(id: string): boolean {
    return this.isUser(id) || this.liveServicePrincipal(id) !== undefined;
  }

  /** Application.ReadWrite.OwnedBy writes only what the caller (an automation identity) owns. */
  automationOwns(app: FakeApplication, caller = this.automationServicePrincipalId): boolean {
    return app.owners.includes(caller.toLowerCase());
  }

  automationOwnsServicePrincipal(sp: FakeServicePrincipal, caller = this.automationServicePrincipalId): boolean {
    if (sp.createdBy === caller.toLowerCase()) return true;
    const app = this.byAppId.get(sp.appId);
    return app !== undefined && this.automationOwns(app, caller);
  }

  // ---------- writes (the routes check permissions and quota first) ----------

  createApplication(
    fields: { uniqueName: string | null; displayName: string },
    caller = this.automationServicePrincipalId,
  ): FakeApplication {
    const app = this.seedApplication({ ...fields, createdBy: caller });
    app.replicationLagRemaining = this.replicationLagPerApplication;
    app.subresourceLagRemaining = this.subresourceLagPerApplication;
    return app;
  }

  createServicePrincipal(app: FakeApplication, caller = this.automationServicePrincipalId): FakeServicePrincipal {
    return this.seedServicePrincipal({
      id: this.newId(),
      appId: app.appId,
      displayName: app.displayName,
      createdBy: caller,
    });
  }

  /** Soft-deletes the application and its live service principals. */
  softDeleteApplication(app: FakeApplication): void {
    const when = this.timestamp();
    app.deletedDateTime = when;
    app.purgeLagRemaining = this.purgeLagPerDeletion;
    const sp = this.liveSpByAppId.get(app.appId);
    if (sp) {
      sp.deletedDateTime = when;
      sp.purgeLagRemaining = this.purgeLagPerDeletion;
      this.liveSpByAppId.delete(app.appId);
    }
  }

  /** A soft-deleted application or service principal by object ID. */
  deletedItem(id: string): FakeApplication | FakeServicePrincipal | undefined {
    const key = id.toLowerCase();
    const item = this.applications.get(key) ?? this.servicePrincipals.get(key);
    return item && item.deletedDateTime !== null ? item : undefined;
  }

  /** Removes a soft-deleted object for good. */
  purge(item: FakeApplication | FakeServicePrincipal): void {
    if (item.createdBy !== null) {
      this.purgedCounts.set(item.createdBy, (this.purgedCounts.get(item.createdBy) ?? 0) + 1);
      this.createdCounts.set(item.createdBy, (this.createdCounts.get(item.createdBy) ?? 1) - 1);
      this.byCreator.get(item.createdBy)?.delete(item);
    }
    if (isApplication(item)) {
      this.applications.delete(item.id);
      this.byAppId.delete(item.appId);
      if (item.uniqueName !== null) this.byUniqueName.delete(item.uniqueName);
    } else {
      this.servicePrincipals.delete(item.id);
      if (this.liveSpByAppId.get(item.appId) === item) this.liveSpByAppId.delete(item.appId);
    }
  }

  private timestamp(): string {
    return this.now().toISOString();
  }
}

export function isApplication(item: FakeApplication | FakeServicePrincipal): item is FakeApplication {
  return 'owners' in item;
}
