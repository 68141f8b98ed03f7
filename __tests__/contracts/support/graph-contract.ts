import type { CsdlModel, CsdlNavigation } from './csdl';

/**
 * Holds one Graph exchange (request and answer) against Microsoft Graph v1.0's schema
 * (vendor/msgraph/): the path (entity set or singleton, key or alternate key, navigation
 * property, cast, `$ref`), the query options, the request body (each property exists, is not
 * read-only where written, has the type sent) and the answer's properties (each exists on the type
 * the answer claims). OData's URL rules: https://docs.oasis-open.org/odata/odata/v4.01/odata-v4.01-part2-url-conventions.html
 * (key-as-segment 4.3.6, alternate keys 4.3.5 via Core.V1.AlternateKeys, casts 4.11, `$ref` 4.4).
 */

export interface GraphExchange {
  readonly method: string;
  /** The request URL; its path starts with `/v1.0`. */
  readonly url: URL;
  readonly requestBody: unknown;
  readonly status: number;
  readonly responseBody: unknown;
}

/**
 * A request the schema allows that is still not settled by any primary source: reported as open,
 * never as a pass (docs/architecture.md#the-contract-check).
 */
export interface OpenReading {
  readonly id: string;
  /** The navigation property (`{declaring type}/{name}`) and the cast after it. */
  readonly navigation: string;
  readonly cast: string;
  readonly source: string;
}

const MSGRAPH_METADATA = 'https://github.com/microsoftgraph/msgraph-metadata/blob/0564689b82afc308d5aa8be54edfb9e5f1e0539f';

export const OPEN_READINGS: readonly OpenReading[] = [
  {
    id: 'createdObjects-cast-application',
    navigation: 'microsoft.graph.servicePrincipal/createdObjects',
    cast: 'microsoft.graph.application',
    source:
      `${MSGRAPH_METADATA}/schemas/v1.0-Prod.csdl types createdObjects as Collection(graph.directoryObject) with no constraint, so the cast is valid OData; ` +
      `but the SDKs' ${MSGRAPH_METADATA}/clean_v10_metadata/cleanMetadata.xml (transforms/csdl/preprocess_csdl.xsl) adds ` +
      'Org.OData.Validation.V1.DerivedTypeConstraint [microsoft.graph.servicePrincipal], and no page shows the service answering it (issue 20, reading 1)',
  },
];

export interface ContractResult {
  /** `METHOD /path`: what the schema does not allow. */
  readonly problems: string[];
  /** Ids of OPEN_READINGS the exchange relies on. */
  readonly openReadings: string[];
}

interface Resolved {
  /** Qualified entity type of what the path addresses. */
  readonly type: string;
  readonly collection: boolean;
  /** The navigation property that led here (for casts, `$ref` and inserts into it). */
  readonly navigation?: CsdlNavigation;
  readonly ref: boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Directory extension properties on open types (https://learn.microsoft.com/graph/extensibility-overview#directory-microsoft-entra-id-extensions). */
const EXTENSION_PROPERTY = /^extension_[0-9a-f]{32}_\w+$/;
const QUERY_OPTIONS = ['$select', '$filter', '$top', '$skiptoken', '$count', '$orderby', '$expand', '$search'];

/** An OData literal: `'text'` (quotes doubled), a GUID, an integer. */
function literal(text: string): { type: 'string' | 'guid' | 'int'; value: string } | undefined {
  const quoted = /^'((?:[^']|'')*)'$/.exec(text);
  if (quoted) return { type: 'string', value: (quoted[1] ?? '').replace(/''/g, "'") };
  if (GUID.test(text)) return { type: 'guid', value: text };
  if (/^-?\d+$/.test(text)) return { type: 'int', value: text };
  return undefined;
}

function literalFits(edmType: string, lit: ReturnType<typeof literal>): boolean {
  if (!lit) return false;
  if (edmType === 'Edm.String') return lit.type === 'string';
  if (edmType === 'Edm.Guid') return lit.type === 'guid';
  if (/^Edm\.(Int\d+|Byte)$/.test(edmType)) return lit.type === 'int';
  return false;
}

export class GraphContract {
  constructor(
    private readonly model: CsdlModel,
    private readonly openReadings: readonly OpenReading[] = OPEN_READINGS,
  ) {}

  check(exchange: GraphExchange): ContractResult {
    const problems: string[] = [];
    const openReadings: string[] = [];
    const path = exchange.url.pathname.replace(/^\/v1\.0/, '');
    const where = `${exchange.method} ${path}`;
    const problem = (message: string) => problems.push(`${where}: ${message}`);

    const resolved = this.resolve(path, problem, (id) => openReadings.push(id));
    if (!resolved) return { problems, openReadings };
    this.checkQuery(exchange.url.searchParams, resolved, problem);
    this.checkRequestBody(exchange.method, exchange.requestBody, resolved, problem);
    if (exchange.status >= 200 && exchange.status < 300 && exchange.responseBody !== undefined) {
      this.checkAnswer(exchange.method, exchange.responseBody, resolved, problem);
    }
    return { problems, openReadings };
  }

  /** What a path under /v1.0 addresses, or undefined (with a problem) when the schema has no such path. */
  resolve(path: string, problem: (message: string) => void, open: (id: string) => void = () => {}): Resolved | undefined {
    const segments = path.split('/').filter((s) => s !== '');
    const first = /^([^()]+)(?:\((.*)\))?$/.exec(decodeURIComponent(segments[0] ?? ''));
    const root = first ? this.model.container.get(first[1] ?? '') : undefined;
    if (!first || !root) {
      problem(`"${segments[0]}" is no entity set or singleton of ${this.model.containerName}`);
      return undefined;
    }
    let at: Resolved = { type: root.type, collection: root.collection, ref: false };
    if (first[2] !== undefined) {
      const keyed = this.key(at, first[2], problem);
      if (!keyed) return undefined;
      at = keyed;
    }
    for (const raw of segments.slice(1)) {
      const segment = decodeURIComponent(raw);
      if (at.ref) {
        problem(`nothing may follow $ref`);
        return undefined;
      }
      if (segment === '$ref') {
        if (!at.navigation || at.navigation.containsTarget) {
          problem('$ref follows only a navigation property that does not contain its targets');
          return undefined;
        }
        at = { ...at, ref: true };
        continue;
      }
      if (segment.startsWith('microsoft.graph.')) {
        const cast = segment;
        if (!this.model.type(cast)) {
          problem(`cast to ${cast}: no such type in the schema (or not vendored: vendor/msgraph/refresh.ts EXTRACTED)`);
          return undefined;
        }
        if (!this.model.isDerivedFrom(cast, at.type)) {
          problem(`cast to ${cast}: not derived from ${at.type}`);
          return undefined;
        }
        const allowed = at.navigation ? this.model.derivedTypeConstraint(at.navigation) : undefined;
        if (allowed && !allowed.includes(cast)) {
          problem(`cast to ${cast}: ${at.navigation?.declaredBy}/${at.navigation?.name} allows only ${allowed.join(', ')}`);
          return undefined;
        }
        const reading = this.openReadings.find(
          (r) => at.navigation && r.navigation === `${at.navigation.declaredBy}/${at.navigation.name}` && r.cast === cast,
        );
        if (reading) open(reading.id);
        at = { ...at, type: cast };
        continue;
      }
      if (at.collection) {
        // Key-as-segment: `/applications/{id}`, `/federatedIdentityCredentials/{id or name}`.
        const key = this.model.key(at.type);
        const keyProperty = key.length === 1 ? this.model.property(at.type, key[0] ?? '') : undefined;
        if (!keyProperty || segment === '') {
          problem(`"${segment}" after the collection of ${at.type}: not a key of it`);
          return undefined;
        }
        at = { type: at.type, collection: false, ref: false, ...(at.navigation ? { navigation: at.navigation } : {}) };
        continue;
      }
      const nav = /^([^()]+)(?:\((.*)\))?$/.exec(segment);
      const navigation = nav ? this.model.navigationProperty(at.type, nav[1] ?? '') : undefined;
      if (!nav || !navigation) {
        problem(`${at.type} has no navigation property "${segment}"`);
        return undefined;
      }
      const collection = /^Collection\((.*)\)$/.exec(navigation.type);
      at = { type: collection ? (collection[1] ?? '') : navigation.type, collection: Boolean(collection), navigation, ref: false };
      if (nav[2] !== undefined) {
        const keyed = this.key(at, nav[2], problem);
        if (!keyed) return undefined;
        at = keyed;
      }
    }
    return at;
  }

  /** `(…)` after a collection: the key, or an alternate key `alias=literal` (Core.V1.AlternateKeys). */
  private key(at: Resolved, text: string, problem: (message: string) => void): Resolved | undefined {
    if (!at.collection) {
      problem(`a key (${text}) after ${at.type}, which is not a collection`);
      return undefined;
    }
    const named = /^(\w+)=(.*)$/.exec(text);
    const name = named ? (named[1] ?? '') : (this.model.key(at.type)[0] ?? '');
    if (named && !this.model.alternateKeys(at.type).includes(name)) {
      problem(`${name} is not an alternate key of ${at.type} (it has ${this.model.alternateKeys(at.type).join(', ') || 'none'})`);
      return undefined;
    }
    const property = this.model.property(at.type, name);
    const value = named ? (named[2] ?? '') : text;
    if (!property || !literalFits(property.type, literal(value))) {
      problem(`key ${name}=${value}: not a literal of ${property?.type ?? 'a known property'}`);
      return undefined;
    }
    return { type: at.type, collection: false, ref: false, ...(at.navigation ? { navigation: at.navigation } : {}) };
  }

  private checkQuery(params: URLSearchParams, at: Resolved, problem: (message: string) => void): void {
    for (const [name, value] of params) {
      if (!QUERY_OPTIONS.includes(name)) {
        problem(`query option ${name} is not an OData system query option`);
        continue;
      }
      if (name === '$select') {
        for (const field of value.split(',').map((f) => f.trim())) {
          if (!this.model.property(at.type, field) && !this.model.navigationProperty(at.type, field)) {
            problem(`$select: ${at.type} has no property "${field}"`);
          }
        }
      }
      if (name === '$top' && !/^\d+$/.test(value)) problem(`$top=${value}: not a non-negative integer`);
      if (name === '$count' && !['true', 'false'].includes(value)) problem(`$count=${value}: not true or false`);
      if (name === '$filter') this.checkFilter(value, at, problem);
      if (name === '$filter' && !at.collection) problem('$filter on a single entity');
    }
  }

  /** The filter forms the client sends: `P eq literal`, `startswith(P,literal)` (https://learn.microsoft.com/graph/filter-query-parameter). */
  private checkFilter(filter: string, at: Resolved, problem: (message: string) => void): void {
    const match = /^(\w+) eq (.+)$/.exec(filter) ?? /^startswith\((\w+),(.+)\)$/i.exec(filter);
    if (!match) {
      problem(`$filter=${filter}: a form this check does not read (extend GraphContract.checkFilter)`);
      return;
    }
    const property = this.model.property(at.type, match[1] ?? '');
    if (!property) problem(`$filter: ${at.type} has no property "${match[1]}"`);
    else if (!literalFits(property.type, literal(match[2] ?? '')))
      problem(`$filter: ${match[2]} is not a literal of ${property.type} (${match[1]})`);
  }

  private checkRequestBody(method: string, body: unknown, at: Resolved, problem: (message: string) => void): void {
    if (method === 'GET' || method === 'DELETE') {
      if (body !== undefined) problem(`${method} with a body`);
      if (method === 'DELETE' && at.collection) problem('DELETE of a whole collection');
      return;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      problem(`${method} without a JSON object body`);
      return;
    }
    const record = body as Record<string, unknown>;
    if (method === 'POST' && at.ref) {
      this.checkReference(record, at, problem);
      return;
    }
    if (method === 'POST') {
      if (!at.collection) problem(`POST to a single ${at.type} (no action of the schema is modelled here)`);
      else if (at.navigation && !at.navigation.containsTarget) problem(`POST into ${at.navigation.name} adds a reference: it needs /$ref`);
      this.checkStructured(at.type, record, 'insert', 'body', problem);
      return;
    }
    if (method === 'PATCH') {
      if (at.collection) problem('PATCH of a whole collection');
      this.checkStructured(at.type, record, 'update', 'body', problem);
      return;
    }
    problem(`method ${method} is not one OData uses on entities`);
  }

  /** `{"@odata.id": "<service root>/directoryObjects/{id}"}`: an entity the navigation property may reference. */
  private checkReference(body: Record<string, unknown>, at: Resolved, problem: (message: string) => void): void {
    const extra = Object.keys(body).filter((key) => key !== '@odata.id');
    if (extra.length > 0) problem(`$ref body: only @odata.id, not ${extra.join(', ')}`);
    const id = body['@odata.id'];
    if (typeof id !== 'string' || !/^https:\/\/graph\.microsoft\.com\/v1\.0\//.test(id)) {
      problem('$ref body: @odata.id must be an entity URL under https://graph.microsoft.com/v1.0/');
      return;
    }
    const target = this.resolve(new URL(id).pathname.replace(/^\/v1\.0/, ''), (message) => problem(`$ref body: ${message}`));
    if (target && (target.collection || !this.model.isDerivedFrom(target.type, at.type))) {
      problem(`$ref body: ${id} is not one ${at.type}`);
    }
  }

  private checkAnswer(method: string, body: unknown, at: Resolved, problem: (message: string) => void): void {
    if (typeof body !== 'object' || body === null) {
      problem('answer: not a JSON object');
      return;
    }
    const record = body as Record<string, unknown>;
    const collection = at.collection && method === 'GET';
    if (!collection) {
      this.checkItem(at.type, record, 'answer', problem);
      return;
    }
    if (!Array.isArray(record.value)) {
      problem('answer: a collection without "value"');
      return;
    }
    const extra = Object.keys(record).filter((key) => key !== 'value' && !key.startsWith('@odata.'));
    if (extra.length > 0) problem(`answer: ${extra.join(', ')} beside a collection's value`);
    record.value.forEach((item, i) => {
      if (typeof item !== 'object' || item === null) problem(`answer.value[${i}]: not an entity`);
      else this.checkItem(at.type, item as Record<string, unknown>, `answer.value[${i}]`, problem);
    });
  }

  /** An entity in an answer: its `@odata.type` (when given) derives from what the path addresses. */
  private checkItem(expected: string, item: Record<string, unknown>, where: string, problem: (message: string) => void): void {
    const claimed = typeof item['@odata.type'] === 'string' ? item['@odata.type'].replace(/^#/, '') : expected;
    if (!this.model.type(claimed)) problem(`${where}: @odata.type ${claimed} is not in the schema (or not vendored)`);
    else if (!this.model.isDerivedFrom(claimed, expected)) problem(`${where}: @odata.type ${claimed} is not a ${expected}`);
    else this.checkStructured(claimed, item, 'read', where, problem);
  }

  checkStructured(
    typeName: string,
    value: Record<string, unknown>,
    mode: 'read' | 'insert' | 'update',
    where: string,
    problem: (message: string) => void,
  ): void {
    const type = this.model.type(typeName);
    if (!type) {
      problem(`${where}: type ${typeName} is not vendored (add it to vendor/msgraph/refresh.ts EXTRACTED)`);
      return;
    }
    for (const [name, field] of Object.entries(value)) {
      if (name.startsWith('@odata.')) {
        if (mode !== 'read' && name !== '@odata.type') problem(`${where}.${name}: an annotation a client does not send`);
        continue;
      }
      const property = this.model.property(typeName, name);
      if (!property) {
        if (this.model.navigationProperty(typeName, name)) problem(`${where}.${name}: a navigation property inline (${mode})`);
        else if (!(this.model.lineage(typeName).some((t) => t.open) && EXTENSION_PROPERTY.test(name))) {
          problem(`${where}.${name}: ${typeName} has no property "${name}"`);
        }
        continue;
      }
      if (mode !== 'read' && this.model.computed(property))
        problem(`${where}.${name}: read-only (Core.V1.Computed) on ${property.declaredBy}`);
      if (mode === 'update' && this.model.immutable(property))
        problem(`${where}.${name}: cannot change (Core.V1.Immutable) on ${property.declaredBy}`);
      this.checkValue(property.type, property.nullable, field, mode, `${where}.${name}`, problem);
    }
  }

  private checkValue(
    type: string,
    nullable: boolean,
    value: unknown,
    mode: 'read' | 'insert' | 'update',
    where: string,
    problem: (message: string) => void,
  ): void {
    if (value === null) {
      if (!nullable) problem(`${where}: null, but ${type} is not nullable`);
      return;
    }
    const collection = /^Collection\((.*)\)$/.exec(type);
    if (collection) {
      if (!Array.isArray(value)) problem(`${where}: ${type} needs an array`);
      else for (const [i, item] of value.entries()) this.checkValue(collection[1] ?? '', false, item, mode, `${where}[${i}]`, problem);
      return;
    }
    const fits: Record<string, (v: unknown) => boolean> = {
      'Edm.String': (v) => typeof v === 'string',
      'Edm.Boolean': (v) => typeof v === 'boolean',
      'Edm.Int32': (v) => Number.isInteger(v) && Math.abs(v as number) <= 2 ** 31,
      'Edm.Int64': (v) => Number.isInteger(v),
      'Edm.Guid': (v) => typeof v === 'string' && GUID.test(v),
      'Edm.DateTimeOffset': (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v),
      'Edm.Binary': (v) => typeof v === 'string' && /^[A-Za-z0-9+/_-]*=*$/.test(v),
    };
    const check = fits[type];
    if (check) {
      if (!check(value)) problem(`${where}: ${JSON.stringify(value)} is not an ${type}`);
      return;
    }
    if (typeof value !== 'object' || Array.isArray(value)) problem(`${where}: ${type} needs an object`);
    else this.checkStructured(type, value as Record<string, unknown>, mode, where, problem);
  }
}
