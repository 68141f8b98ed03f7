import * as z from 'zod/mini';
import { collectionSchema, type GraphHttp, type GraphResponse, parse, requestError } from './graph-http';
import type { EntraApplication } from './ports';

/**
 * What the Graph client reads of Graph's answers: the properties it selects of applications,
 * service principals and federated credentials (each checked against Graph v1.0's schema by
 * __tests__/contracts), and the listing of applications page by page.
 */
export const APP_SELECT = '$select=id,appId,uniqueName,displayName';

export const applicationSchema = z.object({
  id: z.string().check(z.minLength(1)),
  appId: z.string().check(z.minLength(1)),
  uniqueName: z.nullish(z.string()),
  displayName: z.nullish(z.string()),
});
export const servicePrincipalSchema = z.object({ id: z.string().check(z.minLength(1)) });
export const directoryServicePrincipalSchema = z.object({
  id: z.string().check(z.minLength(1)),
  appId: z.string().check(z.minLength(1)),
  displayName: z.nullish(z.string()),
  servicePrincipalType: z.nullish(z.string()),
});
export const federatedCredentialSchema = z.object({
  name: z.string(),
  issuer: z.string(),
  subject: z.string(),
  audiences: z.optional(z.array(z.string())),
});
export const servicePrincipalWithAppSchema = z.object({
  id: z.string().check(z.minLength(1)),
  appId: z.string().check(z.minLength(1)),
  deletedDateTime: z.nullish(z.string()),
});
export const inventoryApplicationSchema = z.extend(applicationSchema, {
  createdDateTime: z.nullish(z.string()),
  deletedDateTime: z.nullish(z.string()),
});

export function toApplication(res: GraphResponse, uniqueName: string): EntraApplication {
  const app = parse(applicationSchema, res);
  return { id: app.id, appId: app.appId, uniqueName: app.uniqueName ?? uniqueName, displayName: app.displayName ?? '' };
}

/** Every page of an application collection, following `@odata.nextLink` on Graph's origin only. */
export async function collectApplications(http: GraphHttp, first: GraphResponse): Promise<EntraApplication[]> {
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
    const res = await http.retrying(() => http.request('GET', next));
    if (res.status !== 200) throw requestError('read next page', res);
    page = parse(collectionSchema, res);
  }
}
