import { badRequest, ok, type Reply } from './graph-errors';

/**
 * The OData side of the Graph fake's answers: path keys and literals, `$select`, `$filter`
 * (equality only) and paging, as https://learn.microsoft.com/graph/query-parameters and
 * https://learn.microsoft.com/graph/paging describe them.
 */

/** Percent-decoding; null for a malformed sequence. */
export function decode(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** A directory object ID in a path, decoded and lower-cased (object IDs are GUIDs); '' when malformed. */
export const idParam = (raw: string | undefined): string => (decode(raw ?? '') ?? '').toLowerCase();

/**
 * `$select`: only the named properties come back (https://learn.microsoft.com/graph/query-parameters#select);
 * a property the type does not have is a 400.
 */
export function selected(url: URL, known: readonly string[], typeName: string): { fields: string[] | null; error?: Reply } {
  const raw = url.searchParams.get('$select');
  if (raw === null) return { fields: null };
  const fields = raw
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknown = fields.find((f) => !known.includes(f));
  if (unknown !== undefined) {
    return { fields, error: badRequest(`Could not find a property named '${unknown}' on type '${typeName}'.`, 'BadRequest') };
  }
  return { fields };
}

export function project(json: Record<string, unknown>, fields: readonly string[] | null): Record<string, unknown> {
  if (fields === null) return json;
  const kept = Object.entries(json).filter(([key]) => key === '@odata.type' || fields.includes(key));
  return Object.fromEntries(kept);
}

/** The value of an OData string literal `'…'` (quotes doubled), or null when malformed. */
function odataLiteral(text: string): string | null {
  const match = /^'((?:[^']|'')*)'$/.exec(text);
  return match ? (match[1] ?? '').replace(/''/g, "'") : null;
}

export function keyLiteral(encoded: string | undefined): string | null {
  const text = decode(encoded ?? '');
  return text === null ? null : odataLiteral(text);
}

/**
 * `$filter=<property> eq '<value>'` on one of `properties`, else a 400 as Graph gives for a
 * filter it does not support. Returns undefined when there is no filter.
 */
export function equalityFilter(url: URL, properties: readonly string[]): { property: string; value: string } | Reply | undefined {
  const filter = url.searchParams.get('$filter');
  if (filter === null) return undefined;
  const match = /^(\w+) eq (.*)$/.exec(filter.trim());
  const value = match ? odataLiteral(match[2] ?? '') : null;
  if (!match || value === null || !properties.includes(match[1] ?? '')) {
    return badRequest('Unsupported or invalid query filter clause specified.', 'Request_UnsupportedQuery');
  }
  return { property: match[1]!, value };
}

/**
 * `$filter=startswith(<property>,'<prefix>')` on that property: the prefix, or undefined when the
 * request has no such filter (another filter, or none).
 */
export function startsWithFilter(url: URL, property: string): string | undefined {
  const match = /^startswith\((\w+),(.*)\)$/i.exec((url.searchParams.get('$filter') ?? '').trim());
  if (!match || match[1] !== property) return undefined;
  return odataLiteral(match[2] ?? '') ?? undefined;
}

/**
 * One page of a collection (https://learn.microsoft.com/graph/paging): `$top` from 1 to 999 (a
 * value outside answers 400 Request_UnsupportedQuery "Invalid page size specified", as recorded
 * by turbot/steampipe-plugin-azuread), 100 by default; `@odata.nextLink` on the same origin.
 */
export function page(baseUrl: string, path: string, url: URL, items: readonly Record<string, unknown>[]): Reply {
  const topParam = url.searchParams.get('$top');
  const top = topParam === null ? 100 : Number(topParam);
  if (!Number.isInteger(top) || top < 1 || top > 999) {
    return badRequest(`Invalid page size specified: '${topParam}'. Must be between 1 and 999 inclusive.`, 'Request_UnsupportedQuery');
  }
  const tokenParam = url.searchParams.get('$skiptoken');
  const skip = tokenParam === null ? 0 : Number(tokenParam);
  if (!Number.isInteger(skip) || skip < 0) return badRequest(`Invalid $skiptoken '${tokenParam}'.`);
  const next = new URL(`${baseUrl}${path}`);
  for (const [key, value] of url.searchParams) if (key !== '$skiptoken') next.searchParams.set(key, value);
  next.searchParams.set('$skiptoken', String(skip + top));
  return ok({
    '@odata.context': `${baseUrl}/$metadata#directoryObjects`,
    value: items.slice(skip, skip + top),
    ...(skip + top < items.length ? { '@odata.nextLink': next.toString() } : {}),
  });
}
