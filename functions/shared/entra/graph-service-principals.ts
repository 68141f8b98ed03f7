import { GraphReplicationLagError } from '../runtime/errors';
import { GUID_PATTERN as GUID } from '../workflow/contracts';
import { type GraphHttp, isConflict, isReplicationLag, odataString, parse, requestError } from './graph-http';
import { directoryServicePrincipalSchema, servicePrincipalSchema } from './graph-shapes';
import type { DirectoryServicePrincipal, SetAccountEnabledOutcome } from './ports';

/**
 * The Graph client's service-principals part: creating the service principal of an application
 * (create first, read on conflict), and reading any service principal of the tenant by object ID
 * or by client ID.
 */
export class ServicePrincipals {
  constructor(private readonly http: GraphHttp) {}

  // Create first, read on conflict: in the usual case (a new application) that is one
  // call on the critical path instead of two.
  // https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals
  createOrRead(appId: string): Promise<string> {
    return this.http.retryingValue(async () => {
      const created = await this.http.request('POST', '/servicePrincipals', { body: { appId } });
      if (created.status === 201) return parse(servicePrincipalSchema, created).id;
      if (isReplicationLag(created)) {
        throw new GraphReplicationLagError(
          `service principal for appId ${appId}: the application is not replicated yet (${created.codes.join(', ') || created.status})`,
        );
      }
      if (!isConflict(created)) throw requestError('create service principal', created);
      const existing = await this.http.request('GET', `/servicePrincipals(appId=${odataString(appId)})?$select=id,appId`);
      if (existing.status === 200) return parse(servicePrincipalSchema, existing).id;
      // It existed a moment ago and is gone or not visible yet: try again from the start.
      if (existing.status === 404) {
        throw new GraphReplicationLagError(`service principal for appId ${appId} exists but cannot be read yet`);
      }
      throw requestError('read service principal', existing);
    });
  }

  // https://learn.microsoft.com/graph/api/serviceprincipal-get: any service principal of the
  // tenant, readable with Directory.Read.All (which the automation holds for adding owners).
  get(objectId: string): Promise<DirectoryServicePrincipal | null> {
    return GUID.test(objectId) ? this.read(`/${encodeURIComponent(objectId)}`) : Promise.resolve(null);
  }

  // https://learn.microsoft.com/graph/api/serviceprincipal-get (the `(appId='…')` alternate
  // key): the service principal of a client ID, whoever made it. A managed identity, or another
  // tenant's multi-tenant application, has one in this tenant and no application object.
  getByAppId(appId: string): Promise<DirectoryServicePrincipal | null> {
    return GUID.test(appId) ? this.read(`(appId=${odataString(appId)})`) : Promise.resolve(null);
  }

  /** One service principal by key (`/{id}` or `(appId='…')`), or null when there is none. */
  private async read(key: string): Promise<DirectoryServicePrincipal | null> {
    const res = await this.http.retrying(() =>
      this.http.request('GET', `/servicePrincipals${key}?$select=id,appId,displayName,servicePrincipalType`),
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

  // https://learn.microsoft.com/graph/api/serviceprincipal-update: PATCH with `accountEnabled`,
  // 204 No Content. A disabled service principal gets no tokens, so its workloads can no longer
  // obtain the role's web identity token. Application.ReadWrite.OwnedBy may update only the
  // service principals the automation owns (https://learn.microsoft.com/graph/permissions-reference#applicationreadwriteownedby):
  // an identity the team brought answers 403, reported as refused, never fatal.
  async setEnabled(objectId: string, enabled: boolean): Promise<SetAccountEnabledOutcome> {
    if (!GUID.test(objectId)) return 'not-found';
    const res = await this.http.retrying(() =>
      this.http.request('PATCH', `/servicePrincipals/${encodeURIComponent(objectId)}`, { body: { accountEnabled: enabled } }),
    );
    if (res.status === 204 || res.status === 200) return 'done';
    if (res.status === 404) return 'not-found';
    if (res.status === 403) return { refused: res.codes[0] ?? 'http-403' };
    throw requestError(enabled ? 'enable service principal' : 'disable service principal', res);
  }

  async findId(appId: string): Promise<string | null> {
    const res = await this.http.retrying(() =>
      this.http.request('GET', `/servicePrincipals(appId=${odataString(appId)})?$select=id,appId`),
    );
    if (res.status === 404) return null;
    if (res.status === 200) return parse(servicePrincipalSchema, res).id;
    throw requestError('read service principal', res);
  }
}
