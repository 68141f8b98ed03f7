import { guidSchema } from '../../functions/shared/workflow';
import {
  badRequest,
  noBackingApplication,
  notFound,
  objectConflict,
  ok,
  quotaExceeded,
  requestDenied,
  graphError,
  isReply,
  type Reply,
} from './graph-errors';
import { randomUUID } from 'node:crypto';
import { decode, equalityFilter, idParam, keyLiteral, page, project, selected, startsWithFilter } from './graph-odata';
import {
  isApplication,
  type FakeApplication,
  type FakeFederatedCredential,
  type FakeServicePrincipal,
  type GraphFakeState,
} from './graph-state';

/**
 * The Microsoft Graph v1.0 routes the fake answers, one table: each route's method, path
 * pattern, call key (as the simulator prints it and as world faults name it) and handler.
 * The page each answer follows is named next to its handler.
 */

export interface GraphRequest {
  readonly method: string;
  /** Path under /v1.0, still URL-encoded. */
  readonly path: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
}

export interface RouteContext {
  readonly state: GraphFakeState;
  /** The automation identity making the request (its service principal's object ID), from the token. */
  readonly caller: string;
  /** e.g. `http://127.0.0.1:54321/v1.0`: where `@odata.nextLink`s point. */
  readonly baseUrl: string;
  /** When false, `$filter` on deletedItems answers 400 (exercises a client's fallback). */
  readonly deletedItemsFilter: boolean;
  /** Called for each replication-lag answer the state produces. */
  readonly noteLag: () => void;
}

type Handler = (ctx: RouteContext, req: GraphRequest, params: readonly string[]) => Reply;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  /** The normalized path in call keys. */
  readonly route: string;
  readonly handle: Handler;
}

const ID = '([^/()]+)';

// ---------- representations ----------

// Shape from https://learn.microsoft.com/graph/api/application-post-applications (response example)
// and https://learn.microsoft.com/graph/api/resources/apiapplication (requestedAccessTokenVersion).
function applicationJson(app: FakeApplication): Record<string, unknown> {
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

// https://learn.microsoft.com/graph/api/resources/serviceprincipal (servicePrincipalType:
// "Application", "ManagedIdentity", …).
function servicePrincipalJson(sp: FakeServicePrincipal): Record<string, unknown> {
  return {
    id: sp.id,
    appId: sp.appId,
    displayName: sp.displayName,
    servicePrincipalType: sp.servicePrincipalType,
    accountEnabled: sp.accountEnabled,
    deletedDateTime: sp.deletedDateTime,
  };
}

const TYPE = { application: '#microsoft.graph.application', servicePrincipal: '#microsoft.graph.servicePrincipal' } as const;

/** In a directoryObject collection each item names its type (https://learn.microsoft.com/graph/api/directory-deleteditems-list). */
function directoryObjectJson(item: FakeApplication | FakeServicePrincipal): Record<string, unknown> {
  return isApplication(item)
    ? { '@odata.type': TYPE.application, ...applicationJson(item) }
    : { '@odata.type': TYPE.servicePrincipal, ...servicePrincipalJson(item) };
}

const APPLICATION_PROPERTIES = Object.keys(applicationJson({} as FakeApplication));
const SERVICE_PRINCIPAL_PROPERTIES = Object.keys(servicePrincipalJson({} as FakeServicePrincipal));

function entity(ctx: RouteContext, set: string, json: Record<string, unknown>): Record<string, unknown> {
  return { '@odata.context': `${ctx.baseUrl}/$metadata#${set}/$entity`, ...json };
}

// ---------- application bodies ----------

const SIGN_IN_AUDIENCES = ['AzureADMyOrg', 'AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount'];
const WRITABLE = ['displayName', 'uniqueName', 'notes', 'signInAudience', 'api'];

/**
 * The writable application properties the fake models, checked like Graph checks them
 * (https://learn.microsoft.com/graph/api/resources/application). Anything else is refused:
 * a property the fake would silently drop could hide a client bug.
 */
function checkApplicationBody(body: Record<string, unknown>): Reply | null {
  const unknown = Object.keys(body).find((key) => !WRITABLE.includes(key));
  if (unknown !== undefined) {
    return badRequest(
      `Property '${unknown}' is not modelled by the simulation's Graph fake (or does not exist on type 'microsoft.graph.application').`,
    );
  }
  if ('displayName' in body && (typeof body.displayName !== 'string' || body.displayName === '')) {
    return badRequest("Invalid value specified for property 'displayName' of resource 'Application'.");
  }
  if ('uniqueName' in body && (typeof body.uniqueName !== 'string' || body.uniqueName === '')) {
    return badRequest("Invalid value specified for property 'uniqueName' of resource 'Application'.");
  }
  if ('notes' in body && body.notes !== null && typeof body.notes !== 'string') {
    return badRequest("Invalid value specified for property 'notes' of resource 'Application'.");
  }
  if ('signInAudience' in body && !SIGN_IN_AUDIENCES.includes(String(body.signInAudience))) {
    return badRequest("Invalid value specified for property 'signInAudience' of resource 'Application'.");
  }
  if ('api' in body) {
    const api = body.api as Record<string, unknown> | null;
    const version = api?.requestedAccessTokenVersion;
    if (
      typeof api !== 'object' ||
      api === null ||
      Object.keys(api).some((k) => k !== 'requestedAccessTokenVersion') ||
      ![null, undefined, 1, 2].includes(version as never)
    ) {
      return badRequest("Invalid value specified for property 'api' of resource 'Application'.");
    }
  }
  return null;
}

function applyWritable(app: FakeApplication, body: Record<string, unknown>): void {
  if (typeof body.displayName === 'string') app.displayName = body.displayName;
  if (typeof body.notes === 'string' || body.notes === null) app.notes = body.notes;
  if (typeof body.signInAudience === 'string') app.signInAudience = body.signInAudience;
  const api = body.api as { requestedAccessTokenVersion?: number | null } | undefined;
  if (api && 'requestedAccessTokenVersion' in api) app.requestedAccessTokenVersion = api.requestedAccessTokenVersion ?? null;
}

/** Creation shared by POST /applications and the upsert: uniqueName free (live or soft-deleted), quota left. */
function createApplication(ctx: RouteContext, uniqueName: string | null, body: Record<string, unknown>): Reply {
  if (typeof body.displayName !== 'string' || body.displayName === '') {
    return badRequest("Property 'displayName' is required.");
  }
  if (uniqueName !== null && ctx.state.anyByUniqueName(uniqueName)) return objectConflict('uniqueName');
  if (!ctx.state.quotaLeft(ctx.caller)) return quotaExceeded(ctx.state.quotaErrorForm);
  const app = ctx.state.createApplication({ uniqueName, displayName: body.displayName }, ctx.caller);
  applyWritable(app, body);
  return { status: 201, body: entity(ctx, 'applications', applicationJson(app)) };
}

// ---------- the open readings (graph-state.ts GraphReadings, docs/simulate.md#the-open-readings) ----------

/**
 * The 400 a tenant reading `filterOnUniqueName: rejected` (or, under deletedItems,
 * `deletedItemsFilterOnAppId: rejected`) gives for a `$filter` naming that property, in Graph's
 * error shape (https://learn.microsoft.com/graph/errors); the wording is Graph's usual one for a
 * filter it does not support on a property.
 */
function refusedFilter(ctx: RouteContext, req: GraphRequest, resource: string, deletedItems = false): Reply | null {
  const filter = req.url.searchParams.get('$filter');
  if (filter === null) return null;
  const names = (property: string) => new RegExp(`\\b${property}\\b`).test(filter);
  const { readings } = ctx.state;
  const property =
    readings.filterOnUniqueName === 'rejected' && names('uniqueName')
      ? 'uniqueName'
      : deletedItems && readings.deletedItemsFilterOnAppId === 'rejected' && names('appId')
        ? 'appId'
        : null;
  return property === null
    ? null
    : badRequest(`Unsupported or invalid query filter clause specified for property '${property}' of resource '${resource}'.`);
}

/**
 * The 400 for a cast after `createdObjects` under the reading `createdObjectsCast: rejected`: what
 * Microsoft's OData parser answers where a model restricts the types a navigation may be cast to
 * (the SDKs' metadata allows only microsoft.graph.servicePrincipal there). The wording is the
 * simulation's; the shape is Graph's (https://learn.microsoft.com/graph/errors).
 */
function refusedCast(ctx: RouteContext, type: string): Reply | null {
  if (ctx.state.readings.createdObjectsCast !== 'rejected') return null;
  return badRequest(`The type cast segment '${type}' is not allowed after the navigation property 'createdObjects'.`);
}

// ---------- handlers ----------

// https://learn.microsoft.com/graph/api/application-post-applications: 201 with the application.
const postApplication: Handler = (ctx, req) => {
  const invalid = checkApplicationBody(req.body);
  if (invalid) return invalid;
  return createApplication(ctx, typeof req.body.uniqueName === 'string' ? req.body.uniqueName : null, req.body);
};

// https://learn.microsoft.com/graph/api/application-upsert: 201 + body when created, 204 when
// updated, 404 without `Prefer: create-if-missing` for an unknown name.
const upsertApplication: Handler = (ctx, req, [raw]) => {
  const uniqueName = keyLiteral(raw);
  if (uniqueName === null) return badRequest('Invalid OData key literal.', 'BadRequest');
  const invalid = checkApplicationBody(req.body);
  if (invalid) return invalid;
  const existing = ctx.state.liveByUniqueName(uniqueName);
  if (existing) {
    if (!ctx.state.automationOwns(existing, ctx.caller)) return requestDenied();
    applyWritable(existing, req.body);
    return { status: 204 };
  }
  if (!/create-if-missing/i.test(String(req.headers.prefer ?? ''))) return notFound(uniqueName);
  return createApplication(ctx, uniqueName, req.body);
};

// https://learn.microsoft.com/graph/api/application-get (alternate key uniqueName).
const getApplicationByUniqueName: Handler = (ctx, req, [raw]) => {
  const uniqueName = keyLiteral(raw);
  if (uniqueName === null) return badRequest('Invalid OData key literal.', 'BadRequest');
  const select = selected(req.url, APPLICATION_PROPERTIES, 'microsoft.graph.application');
  if (select.error) return select.error;
  const app = ctx.state.liveByUniqueName(uniqueName);
  return app ? ok(entity(ctx, 'applications', project(applicationJson(app), select.fields))) : notFound(uniqueName);
};

// https://learn.microsoft.com/graph/api/application-get (alternate key appId: `GET /applications(appId='{appId}')`).
const getApplicationByAppId: Handler = (ctx, req, [raw]) => {
  const appId = keyLiteral(raw);
  if (appId === null) return badRequest('Invalid OData key literal.', 'BadRequest');
  const select = selected(req.url, APPLICATION_PROPERTIES, 'microsoft.graph.application');
  if (select.error) return select.error;
  const app = ctx.state.liveApplicationByAppId(appId);
  return app ? ok(entity(ctx, 'applications', project(applicationJson(app), select.fields))) : notFound(appId);
};

// https://learn.microsoft.com/graph/api/application-list: `$filter=displayName eq '…'`, or
// `startswith(uniqueName,'…')` (the application resource lists startsWith among uniqueName's
// filters, https://learn.microsoft.com/graph/api/resources/application), any creator.
const listApplications: Handler = (ctx, req) => {
  const select = selected(req.url, APPLICATION_PROPERTIES, 'microsoft.graph.application');
  if (select.error) return select.error;
  const refused = refusedFilter(ctx, req, 'Application');
  if (refused) return refused;
  const prefix = startsWithFilter(req.url, 'uniqueName');
  const filter = prefix === undefined ? equalityFilter(req.url, ['displayName']) : undefined;
  if (isReply(filter)) return filter;
  const apps = ctx.state
    .liveApplications()
    .filter((app) => (prefix === undefined ? !filter || app.displayName === filter.value : app.uniqueName?.startsWith(prefix)));
  return page(
    ctx.baseUrl,
    req.path,
    req.url,
    apps.map((app) => project(applicationJson(app), select.fields)),
  );
};

// https://learn.microsoft.com/graph/api/application-list-owners: the owners as directoryObjects.
const listOwners: Handler = (ctx, req, [rawId]) => {
  const app = subresourceTarget(ctx, rawId);
  if (isReply(app)) return app;
  const select = selected(req.url, ['id'], 'microsoft.graph.directoryObject');
  if (select.error) return select.error;
  const owners = app.owners.map((id) => ({
    '@odata.type': ctx.state.isUser(id) ? '#microsoft.graph.user' : TYPE.servicePrincipal,
    id,
  }));
  return page(
    ctx.baseUrl,
    req.path,
    req.url,
    owners.map((owner) => project(owner, select.fields)),
  );
};

const CREDENTIAL_NAME = /^[A-Za-z0-9_-]{1,120}$/;

function credentialJson(credential: FakeFederatedCredential): Record<string, unknown> {
  return { ...credential, description: null };
}

/**
 * https://learn.microsoft.com/graph/api/application-post-federatedidentitycredentials: 201 with
 * the credential; "Maximum of 20 objects can be added to an application"; name (120 URL-friendly
 * characters), and issuer with subject, are unique on the application; audiences takes a single
 * value; each string at most 600 characters (https://learn.microsoft.com/graph/api/resources/federatedidentitycredential).
 * The pages do not show the errors: the fake answers a duplicate with 409
 * `Request_MultipleObjectsWithSameKeyValue` (as for other alternate keys) and the 21st with 400
 * `Request_BadRequest`; the client reads back by name after any 400/409, so it does not depend on them.
 */
const postFederatedCredential: Handler = (ctx, req, [rawId]) => {
  const app = subresourceTarget(ctx, rawId);
  if (isReply(app)) return app;
  if (!ctx.state.automationOwns(app, ctx.caller)) return requestDenied();
  const { name, issuer, subject, audiences } = req.body;
  const text = (value: unknown) => typeof value === 'string' && value.length > 0 && value.length <= 600;
  if (typeof name !== 'string' || !CREDENTIAL_NAME.test(name))
    return badRequest("Invalid value specified for property 'name' of resource 'FederatedIdentityCredential'.");
  if (!text(issuer) || !/^https:\/\//.test(String(issuer)))
    return badRequest("Invalid value specified for property 'issuer' of resource 'FederatedIdentityCredential'.");
  if (!text(subject)) return badRequest("Invalid value specified for property 'subject' of resource 'FederatedIdentityCredential'.");
  if (!Array.isArray(audiences) || audiences.length !== 1 || !text(audiences[0])) {
    return badRequest("Invalid value specified for property 'audiences' of resource 'FederatedIdentityCredential'.");
  }
  if (app.federatedCredentials.some((c) => c.name === name || (c.issuer === issuer && c.subject === subject))) {
    return graphError(
      409,
      'Request_MultipleObjectsWithSameKeyValue',
      'FederatedIdentityCredential with the same name or issuer and subject already exists.',
    );
  }
  if (app.federatedCredentials.length >= 20)
    return badRequest('The maximum number of federated identity credentials for the application has been reached.');
  const credential: FakeFederatedCredential = {
    id: randomUUID(),
    name,
    issuer: String(issuer),
    subject: String(subject),
    audiences: [String(audiences[0])],
  };
  app.federatedCredentials.push(credential);
  return { status: 201, body: entity(ctx, `applications('${app.id}')/federatedIdentityCredentials`, credentialJson(credential)) };
};

// https://learn.microsoft.com/graph/api/federatedidentitycredential-get: by id or by name.
const getFederatedCredential: Handler = (ctx, _req, [rawId, rawKey]) => {
  const app = subresourceTarget(ctx, rawId);
  if (isReply(app)) return app;
  const key = decode(rawKey ?? '') ?? '';
  const credential = app.federatedCredentials.find((c) => c.name === key || c.id === key);
  return credential ? ok(credentialJson(credential)) : notFound(key);
};

/** The live application of `/applications/{id}/…`, or the 404 Graph gives for it, lag included. */
function subresourceTarget(ctx: RouteContext, rawId: string | undefined): FakeApplication | Reply {
  const id = idParam(rawId);
  const app = ctx.state.liveApplication(id);
  if (!app) return notFound(id);
  // Right after the application is created, its subresources may not be visible yet: 404.
  if (app.subresourceLagRemaining > 0) {
    app.subresourceLagRemaining -= 1;
    ctx.noteLag();
    return notFound(id);
  }
  return app;
}

// https://learn.microsoft.com/graph/api/application-post-owners: 204 when added; a reference
// already there is 400 "One or more added object references already exist" and an object that
// does not exist is 404 (both recorded in instructure/canvas-lms
// spec/lib/microsoft_sync/graph_service/groups_endpoints_spec.rb for the same $ref mechanism).
// Owners may be users or service principals.
const addOwner: Handler = (ctx, req, [rawId]) => {
  const app = subresourceTarget(ctx, rawId);
  if (isReply(app)) return app;
  if (!ctx.state.automationOwns(app, ctx.caller)) return requestDenied();
  const ref = typeof req.body['@odata.id'] === 'string' ? req.body['@odata.id'] : '';
  const ownerId = idParam(ref.split('/').pop());
  if (!/\/directoryObjects\/[^/]+$/.test(ref) || !guidSchema.safeParse(ownerId).success) {
    return badRequest('Invalid object identifier.');
  }
  if (!ctx.state.directoryObjectExists(ownerId)) return notFound(ownerId);
  if (app.owners.includes(ownerId)) {
    return badRequest("One or more added object references already exist for the following modified properties: 'owners'.");
  }
  app.owners.push(ownerId);
  return { status: 204 };
};

// https://learn.microsoft.com/graph/api/application-get
const getApplication: Handler = (ctx, req, [rawId]) => {
  const select = selected(req.url, APPLICATION_PROPERTIES, 'microsoft.graph.application');
  if (select.error) return select.error;
  const app = ctx.state.liveApplication(idParam(rawId));
  return app ? ok(entity(ctx, 'applications', project(applicationJson(app), select.fields))) : notFound(idParam(rawId));
};

// https://learn.microsoft.com/graph/api/application-delete: 204; the application and its
// service principal go to deletedItems (soft delete), still counting against the creator's quota.
const deleteApplication: Handler = (ctx, _req, [rawId]) => {
  const app = ctx.state.liveApplication(idParam(rawId));
  if (!app) return notFound(idParam(rawId));
  if (!ctx.state.automationOwns(app, ctx.caller)) return requestDenied();
  ctx.state.softDeleteApplication(app);
  return { status: 204 };
};

// https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals: 201; a second
// one for the same appId is 409 Request_MultipleObjectsWithSameKeyValue ("…is already in use").
const postServicePrincipal: Handler = (ctx, req) => {
  const appId = typeof req.body.appId === 'string' ? req.body.appId.toLowerCase() : '';
  if (appId === '') return badRequest("Property 'appId' is required.");
  const app = ctx.state.liveApplicationByAppId(appId);
  if (!app) return noBackingApplication(appId);
  if (app.replicationLagRemaining > 0) {
    app.replicationLagRemaining -= 1;
    ctx.noteLag();
    return noBackingApplication(appId);
  }
  if (ctx.state.liveServicePrincipalByAppId(appId)) {
    return graphError(
      409,
      'Request_MultipleObjectsWithSameKeyValue',
      `The service principal cannot be created, updated, or restored because the service principal name ${appId} is already in use.`,
    );
  }
  if (!ctx.state.automationOwns(app, ctx.caller)) return requestDenied();
  if (!ctx.state.quotaLeft(ctx.caller)) return quotaExceeded(ctx.state.quotaErrorForm);
  const sp = ctx.state.createServicePrincipal(app, ctx.caller);
  return { status: 201, body: entity(ctx, 'servicePrincipals', servicePrincipalJson(sp)) };
};

// https://learn.microsoft.com/graph/api/serviceprincipal-get (by id, or by the alternate key appId).
const getServicePrincipalByAppId: Handler = (ctx, req, [raw]) => {
  const appId = keyLiteral(raw);
  if (appId === null) return badRequest('Invalid OData key literal.', 'BadRequest');
  const select = selected(req.url, SERVICE_PRINCIPAL_PROPERTIES, 'microsoft.graph.servicePrincipal');
  if (select.error) return select.error;
  const sp = ctx.state.liveServicePrincipalByAppId(appId);
  return sp ? ok(entity(ctx, 'servicePrincipals', project(servicePrincipalJson(sp), select.fields))) : notFound(appId);
};

const getServicePrincipal: Handler = (ctx, req, [rawId]) => {
  const select = selected(req.url, SERVICE_PRINCIPAL_PROPERTIES, 'microsoft.graph.servicePrincipal');
  if (select.error) return select.error;
  const sp = ctx.state.liveServicePrincipal(idParam(rawId));
  return sp ? ok(entity(ctx, 'servicePrincipals', project(servicePrincipalJson(sp), select.fields))) : notFound(idParam(rawId));
};

// https://learn.microsoft.com/graph/api/serviceprincipal-update: 204 No Content. The fake models
// the one property the automation writes (`accountEnabled`, a boolean); any other is refused
// rather than ignored. Application.ReadWrite.OwnedBy updates only what the caller owns: 403
// otherwise (a managed identity or another team's application).
const patchServicePrincipal: Handler = (ctx, req, [rawId]) => {
  const unknown = Object.keys(req.body).filter((key) => key !== 'accountEnabled');
  if (unknown.length > 0)
    return badRequest(`The simulation's Graph fake does not model writing ${unknown.join(', ')} of a service principal.`);
  if (typeof req.body.accountEnabled !== 'boolean') return badRequest("Property 'accountEnabled' must be a boolean.");
  const sp = ctx.state.liveServicePrincipal(idParam(rawId));
  if (!sp) return notFound(idParam(rawId));
  if (!ctx.state.automationOwnsServicePrincipal(sp, ctx.caller)) return requestDenied();
  sp.accountEnabled = req.body.accountEnabled;
  return { status: 204 };
};

// https://learn.microsoft.com/graph/api/serviceprincipal-list-createdobjects: the live directory
// objects a service principal created, each with its @odata.type; the cast segment
// (`/microsoft.graph.application`) keeps one type, and a member is addressed by its ID.
function creatorOf(ctx: RouteContext, rawId: string | undefined): string | Reply {
  const id = idParam(rawId);
  return ctx.state.liveServicePrincipal(id) ? id : notFound(id);
}

const listCreatedObjects: Handler = (ctx, req, [rawId]) => {
  const creator = creatorOf(ctx, rawId);
  if (isReply(creator)) return creator;
  const select = selected(
    req.url,
    [...new Set([...APPLICATION_PROPERTIES, ...SERVICE_PRINCIPAL_PROPERTIES])],
    'microsoft.graph.directoryObject',
  );
  if (select.error) return select.error;
  return page(
    ctx.baseUrl,
    req.path,
    req.url,
    ctx.state.listedCreatedBy(creator).map((item) => project(directoryObjectJson(item), select.fields)),
  );
};

const listCreatedApplications: Handler = (ctx, req, [rawId]) => {
  const creator = creatorOf(ctx, rawId);
  if (isReply(creator)) return creator;
  const cast = refusedCast(ctx, 'microsoft.graph.application');
  if (cast) return cast;
  const select = selected(req.url, APPLICATION_PROPERTIES, 'microsoft.graph.application');
  if (select.error) return select.error;
  const apps = ctx.state.listedCreatedBy(creator).filter(isApplication);
  return page(
    ctx.baseUrl,
    req.path,
    req.url,
    apps.map((app) => project(directoryObjectJson(app), select.fields)),
  );
};

const listCreatedServicePrincipals: Handler = (ctx, req, [rawId]) => {
  const creator = creatorOf(ctx, rawId);
  if (isReply(creator)) return creator;
  const cast = refusedCast(ctx, 'microsoft.graph.servicePrincipal');
  if (cast) return cast;
  const select = selected(req.url, SERVICE_PRINCIPAL_PROPERTIES, 'microsoft.graph.servicePrincipal');
  if (select.error) return select.error;
  const sps = ctx.state.listedCreatedBy(creator).filter((item) => !isApplication(item));
  return page(
    ctx.baseUrl,
    req.path,
    req.url,
    sps.map((sp) => project(directoryObjectJson(sp), select.fields)),
  );
};

const getCreatedObject: Handler = (ctx, req, [rawId, rawObjectId]) => {
  const creator = creatorOf(ctx, rawId);
  if (isReply(creator)) return creator;
  const objectId = idParam(rawObjectId);
  const item = ctx.state.createdObject(creator, objectId);
  if (!item) return notFound(objectId);
  const select = selected(
    req.url,
    isApplication(item) ? APPLICATION_PROPERTIES : SERVICE_PRINCIPAL_PROPERTIES,
    'microsoft.graph.directoryObject',
  );
  if (select.error) return select.error;
  return ok(entity(ctx, 'directoryObjects', project(directoryObjectJson(item), select.fields)));
};

// https://learn.microsoft.com/graph/api/directory-deleteditems-list: the cast segment supports
// the query parameters of its type ($filter on uniqueName for applications, appId for service
// principals, $select, $top).
function listDeleted(kind: 'application' | 'servicePrincipal'): Handler {
  return (ctx, req) => {
    const [properties, filterable, typeName] =
      kind === 'application'
        ? [APPLICATION_PROPERTIES, ['uniqueName', 'appId', 'displayName'], 'microsoft.graph.application']
        : [SERVICE_PRINCIPAL_PROPERTIES, ['appId', 'displayName'], 'microsoft.graph.servicePrincipal'];
    const select = selected(req.url, properties, typeName);
    if (select.error) return select.error;
    if (!ctx.deletedItemsFilter && req.url.searchParams.has('$filter')) {
      return badRequest('Unsupported or invalid query filter clause specified.', 'Request_UnsupportedQuery');
    }
    const refused = refusedFilter(ctx, req, kind === 'application' ? 'Application' : 'ServicePrincipal', true);
    if (refused) return refused;
    const filter = equalityFilter(req.url, filterable);
    if (isReply(filter)) return filter;
    const items: (FakeApplication | FakeServicePrincipal)[] =
      kind === 'application' ? ctx.state.listDeletedApplications() : ctx.state.listDeletedServicePrincipals();
    const kept = items.filter((item) => !filter || (item as unknown as Record<string, unknown>)[filter.property] === filter.value);
    return page(
      ctx.baseUrl,
      req.path,
      req.url,
      kept.map((item) => project(directoryObjectJson(item), select.fields)),
    );
  };
}

// https://learn.microsoft.com/graph/api/directory-deleteditems-get: the soft-deleted object with its
// @odata.type; 404 when it is not (or no longer) in deleted items.
const getDeletedItem: Handler = (ctx, req, [rawId]) => {
  const id = idParam(rawId);
  const item = ctx.state.deletedItem(id);
  if (!item) return notFound(id);
  const select = selected(
    req.url,
    isApplication(item) ? APPLICATION_PROPERTIES : SERVICE_PRINCIPAL_PROPERTIES,
    'microsoft.graph.directoryObject',
  );
  if (select.error) return select.error;
  return ok(entity(ctx, 'directoryObjects', project(directoryObjectJson(item), select.fields)));
};

// https://learn.microsoft.com/graph/api/directory-deleteditems-delete: 204, and the object stops
// counting against the quota; 404 for an ID that is not in deleted items, including, for a
// moment, one that was just deleted (`purgeLagPerDeletion`).
const purgeDeletedItem: Handler = (ctx, _req, [rawId]) => {
  const id = idParam(rawId);
  const item = ctx.state.deletedItem(id);
  if (!item) return notFound(id);
  if (item.purgeLagRemaining > 0) {
    item.purgeLagRemaining -= 1;
    ctx.noteLag();
    return notFound(id);
  }
  const owned = isApplication(item)
    ? ctx.state.automationOwns(item, ctx.caller)
    : ctx.state.automationOwnsServicePrincipal(item, ctx.caller);
  if (!owned) return requestDenied();
  ctx.state.purge(item);
  return { status: 204 };
};

// Specific patterns first: the first route whose method and pattern match answers.
const ROUTES: readonly Route[] = [
  { method: 'PATCH', pattern: /^\/applications\(uniqueName=(.*)\)$/, route: '/applications(uniqueName)', handle: upsertApplication },
  { method: 'GET', pattern: /^\/applications\(uniqueName=(.*)\)$/, route: '/applications(uniqueName)', handle: getApplicationByUniqueName },
  { method: 'GET', pattern: /^\/applications\(appId=(.*)\)$/, route: '/applications(appId)', handle: getApplicationByAppId },
  { method: 'POST', pattern: /^\/applications$/, route: '/applications', handle: postApplication },
  { method: 'GET', pattern: /^\/applications$/, route: '/applications', handle: listApplications },
  { method: 'POST', pattern: new RegExp(`^/applications/${ID}/owners/\\$ref$`), route: '/applications/{id}/owners/$ref', handle: addOwner },
  { method: 'GET', pattern: new RegExp(`^/applications/${ID}/owners$`), route: '/applications/{id}/owners', handle: listOwners },
  {
    method: 'POST',
    pattern: new RegExp(`^/applications/${ID}/federatedIdentityCredentials/?$`),
    route: '/applications/{id}/federatedIdentityCredentials',
    handle: postFederatedCredential,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/applications/${ID}/federatedIdentityCredentials/([^/]+)$`),
    route: '/applications/{id}/federatedIdentityCredentials/{name}',
    handle: getFederatedCredential,
  },
  { method: 'GET', pattern: new RegExp(`^/applications/${ID}$`), route: '/applications/{id}', handle: getApplication },
  { method: 'DELETE', pattern: new RegExp(`^/applications/${ID}$`), route: '/applications/{id}', handle: deleteApplication },
  { method: 'POST', pattern: /^\/servicePrincipals$/, route: '/servicePrincipals', handle: postServicePrincipal },
  { method: 'GET', pattern: /^\/servicePrincipals\(appId=(.*)\)$/, route: '/servicePrincipals(appId)', handle: getServicePrincipalByAppId },
  {
    method: 'GET',
    pattern: new RegExp(`^/servicePrincipals/${ID}/createdObjects/microsoft\\.graph\\.application$`),
    route: '/servicePrincipals/{id}/createdObjects/microsoft.graph.application',
    handle: listCreatedApplications,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/servicePrincipals/${ID}/createdObjects/microsoft\\.graph\\.servicePrincipal$`),
    route: '/servicePrincipals/{id}/createdObjects/microsoft.graph.servicePrincipal',
    handle: listCreatedServicePrincipals,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/servicePrincipals/${ID}/createdObjects/(?!microsoft\\.graph\\.)([^/]+)$`),
    route: '/servicePrincipals/{id}/createdObjects/{objectId}',
    handle: getCreatedObject,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/servicePrincipals/${ID}/createdObjects$`),
    route: '/servicePrincipals/{id}/createdObjects',
    handle: listCreatedObjects,
  },
  { method: 'GET', pattern: new RegExp(`^/servicePrincipals/${ID}$`), route: '/servicePrincipals/{id}', handle: getServicePrincipal },
  { method: 'PATCH', pattern: new RegExp(`^/servicePrincipals/${ID}$`), route: '/servicePrincipals/{id}', handle: patchServicePrincipal },
  {
    method: 'GET',
    pattern: /^\/directory\/deletedItems\/microsoft\.graph\.application$/,
    route: '/directory/deletedItems/microsoft.graph.application',
    handle: listDeleted('application'),
  },
  {
    method: 'GET',
    pattern: /^\/directory\/deletedItems\/microsoft\.graph\.servicePrincipal$/,
    route: '/directory/deletedItems/microsoft.graph.servicePrincipal',
    handle: listDeleted('servicePrincipal'),
  },
  {
    method: 'GET',
    pattern: /^\/directory\/deletedItems\/(?!microsoft\.graph\.)([^/]+)$/,
    route: '/directory/deletedItems/{id}',
    handle: getDeletedItem,
  },
  {
    method: 'DELETE',
    pattern: /^\/directory\/deletedItems\/(?!microsoft\.graph\.)([^/]+)$/,
    route: '/directory/deletedItems/{id}',
    handle: purgeDeletedItem,
  },
];

/** Every call key the fake answers, e.g. `graph:POST /applications/{id}/owners/$ref`. */
export const GRAPH_CALL_KEYS: readonly string[] = ROUTES.map((r) => `graph:${r.method} ${r.route}`);

/**
 * `/applications/3f…/owners/$ref` → `/applications/{id}/owners/$ref`: the path part of call keys.
 * A path the fake does not model keeps its shape with object IDs replaced, so keys stay stable.
 */
export function normalizeRoute(path: string): string {
  const known = ROUTES.find((r) => r.pattern.test(path));
  if (known) return known.route;
  return path
    .split('/')
    .map((segment) => (guidSchema.safeParse(decode(segment) ?? '').success ? '{id}' : segment))
    .join('/');
}

/** The route's answer, or 400 for a request the fake does not model. */
export function answer(ctx: RouteContext, req: GraphRequest): Reply {
  for (const route of ROUTES) {
    if (route.method !== req.method) continue;
    const match = route.pattern.exec(req.path);
    if (match) return route.handle(ctx, req, match.slice(1));
  }
  return badRequest(`The simulation's Graph fake does not model ${req.method} ${req.path}.`, 'BadRequest');
}
