import { GraphReplicationLagError } from '../runtime/errors';
import { type GraphHttp, odataString, requestError } from './graph-http';
import { APP_SELECT, collectApplications, inventoryApplicationSchema, servicePrincipalWithAppSchema } from './graph-shapes';
import type { DeletedItem, EntraApplication } from './ports';

/**
 * The Graph client's deleted-items part (https://learn.microsoft.com/graph/api/resources/directory):
 * a deleted application or service principal stays in deletedItems for 30 days, holding its name
 * and counting against its creator's quota, until it is purged. Finding, listing and purging them.
 */
export class DeletedItems {
  constructor(private readonly http: GraphHttp) {}

  // https://learn.microsoft.com/graph/api/directory-deleteditems-list: "returns 100 objects by
  // default and supports returning up to 999 objects per page using $top".
  async list(kind: DeletedItem['kind']): Promise<readonly DeletedItem[]> {
    const select = kind === 'application' ? 'id,appId,uniqueName' : 'id,appId';
    const items = await this.http.listAll(
      `/directory/deletedItems/microsoft.graph.${kind}?$select=${select}&$top=999`,
      `list deleted ${kind === 'application' ? 'applications' : 'service principals'}`,
    );
    return items.flatMap((item) => {
      const parsed = inventoryApplicationSchema.safeParse(item);
      return parsed.success ? [{ kind, id: parsed.data.id, appId: parsed.data.appId, uniqueName: parsed.data.uniqueName ?? null }] : [];
    });
  }

  // https://learn.microsoft.com/graph/api/directory-deleteditems-list: the cast segment takes
  // its type's query parameters, but no page shows `$filter` on uniqueName under deletedItems
  // (the schema settles it for /applications only: issue 20, reading 3,
  // docs/architecture.md#the-open-readings). If a tenant refuses the filter (400), every deleted
  // application is read, page by page, and matched here on that exact name.
  async findApplication(uniqueName: string): Promise<EntraApplication | null> {
    const collection = '/directory/deletedItems/microsoft.graph.application';
    const filter = `$filter=${encodeURIComponent('uniqueName eq ')}${odataString(uniqueName)}`;
    const res = await this.http.retrying(() => this.http.request('GET', `${collection}?${filter}&${APP_SELECT}`));
    if (res.status === 200) return (await collectApplications(this.http, res)).find((app) => app.uniqueName === uniqueName) ?? null;
    if (res.status !== 400) throw requestError('list deleted applications', res);
    const all = await this.http.retrying(() => this.http.request('GET', `${collection}?${APP_SELECT}&$top=999`));
    if (all.status !== 200) throw requestError('list deleted applications', all);
    return (await collectApplications(this.http, all)).find((app) => app.uniqueName === uniqueName) ?? null;
  }

  // https://learn.microsoft.com/graph/api/directory-deleteditems-list: `$filter` on appId under
  // the servicePrincipal cast. No page shows the service answering it (issue 20, reading 4): where
  // a tenant refuses it (400), every deleted service principal is listed and matched here, on
  // that exact appId only, so a purge never reaches another application's service principal.
  async findServicePrincipals(appId: string): Promise<string[]> {
    const collection = '/directory/deletedItems/microsoft.graph.servicePrincipal';
    const filter = `$filter=${encodeURIComponent('appId eq ')}${odataString(appId)}`;
    const res = await this.http.retrying(() => this.http.request('GET', `${collection}?${filter}&$select=id,appId`));
    if (res.status !== 200 && res.status !== 400) throw requestError('list deleted service principals', res);
    const items =
      res.status === 200
        ? await this.http.listAll('', 'list deleted service principals', res)
        : await this.http.listAll(`${collection}?$select=id,appId&$top=999`, 'list deleted service principals');
    const wanted = appId.toLowerCase();
    return items
      .map((item) => servicePrincipalWithAppSchema.safeParse(item))
      .flatMap((sp) => (sp.success && sp.data.appId.toLowerCase() === wanted ? [sp.data.id] : []));
  }

  /**
   * Purges one soft-deleted object. Right after its delete the item may not be visible in
   * deletedItems yet and the purge answers 404: when this call just deleted it, that is
   * replication lag, retried (here, then by the state machine). Otherwise a 404 is checked
   * with `GET /directory/deletedItems/{id}` (https://learn.microsoft.com/graph/api/directory-deleteditems-get):
   * absent there too means it is purged already.
   */
  async purge(objectId: string, justDeleted: boolean): Promise<void> {
    const path = `/directory/deletedItems/${encodeURIComponent(objectId)}`;
    await this.http.retryingValue(async () => {
      const res = await this.http.request('DELETE', path);
      if (res.status === 204) return;
      if (res.status !== 404) throw requestError('purge deleted item', res);
      if (justDeleted) throw new GraphReplicationLagError(`deleted item ${objectId} is not visible in deletedItems yet`);
      const item = await this.http.request('GET', `${path}?$select=id`);
      if (item.status === 404) return;
      if (item.status === 200) throw new GraphReplicationLagError(`deleted item ${objectId} is listed but could not be purged yet`);
      throw requestError('read deleted item', item);
    });
  }
}
