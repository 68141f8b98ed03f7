import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphDirectory } from '../../functions/shared/entra';
import { GRAPH_CALL_KEYS } from '../../simulation/fakes/graph-routes';
import { CsdlModel, graphSchema } from './support/csdl';
import { GraphContract, OPEN_READINGS, type GraphExchange } from './support/graph-contract';
import { recordGraphScenarios, type Recording } from './support/graph-scenarios';

/**
 * The Graph client and the Graph fake held against Microsoft's published contract: Graph v1.0's
 * schema (vendor/msgraph/, from microsoftgraph/msgraph-metadata `schemas/v1.0-Prod.csdl`). Every
 * request the client sends over the scenarios of support/graph-scenarios.ts, and every answer the
 * fake gives, must be one the schema allows; the requests the schema allows but no primary source
 * settles are reported as open readings (OPEN_READINGS), never as passes.
 */

const contract = new GraphContract(graphSchema());
let recording: Recording;

beforeAll(async () => {
  recording = await recordGraphScenarios();
});

const problemsOf = (exchanges: readonly GraphExchange[]) => exchanges.flatMap((exchange) => contract.check(exchange).problems);

describe('the vendored schema', () => {
  it('records where it comes from: repository, commit and path', () => {
    // Act
    const source = JSON.parse(readFileSync(join(__dirname, '../../vendor/msgraph/source.json'), 'utf8'));
    const header = readFileSync(join(__dirname, '../../vendor/msgraph/v1.0-Prod.subset.csdl'), 'utf8').split('\n')[1];
    // Assess
    expect(source).toMatchObject({ repository: 'microsoftgraph/msgraph-metadata', path: 'schemas/v1.0-Prod.csdl', license: 'MIT' });
    expect(source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(header).toContain(`https://github.com/microsoftgraph/msgraph-metadata/blob/${source.commit}/schemas/v1.0-Prod.csdl`);
  });

  it('reads the types, keys and navigation properties the automation relies on', () => {
    // Act
    const schema = graphSchema();
    // Assess
    expect(schema.alternateKeys('microsoft.graph.application')).toEqual(['appId', 'uniqueName']);
    expect(schema.alternateKeys('microsoft.graph.servicePrincipal')).toEqual(['appId']);
    expect(schema.navigationProperty('microsoft.graph.servicePrincipal', 'createdObjects')?.type).toBe(
      'Collection(microsoft.graph.directoryObject)',
    );
    expect(schema.navigationProperty('microsoft.graph.directory', 'deletedItems')?.containsTarget).toBe(true);
    expect(schema.isDerivedFrom('microsoft.graph.application', 'microsoft.graph.directoryObject')).toBe(true);
    expect(schema.computed(schema.property('microsoft.graph.certification', 'isCertifiedByMicrosoft')!)).toBe(true);
    expect(schema.immutable(schema.property('microsoft.graph.application', 'createdByAppId')!)).toBe(true);
  });
});

describe('the recorded scenarios', () => {
  it('run every method of GraphDirectory', () => {
    // Assess
    const methods = Object.getOwnPropertyNames(GraphDirectory.prototype).filter((name) => name !== 'constructor');
    expect(methods.filter((name) => !recording.methods.has(name))).toEqual([]);
  });

  it('reach every route the Graph fake answers', () => {
    // Assess
    expect(GRAPH_CALL_KEYS.filter((key) => !recording.calls[key])).toEqual([]);
  });
});

describe('Graph v1.0 schema contract', () => {
  it('allows every request the client sends and every property the fake answers', () => {
    // Act
    const problems = problemsOf(recording.exchanges);
    // Assess
    expect(recording.exchanges.length).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });

  it('reports each open reading the client relies on, and no other: the cast after createdObjects is open, not a pass', () => {
    // Act
    const open = new Set(recording.exchanges.flatMap((exchange) => contract.check(exchange).openReadings));
    // Assess
    expect([...open]).toEqual(OPEN_READINGS.map((reading) => reading.id));
    expect(OPEN_READINGS.find((r) => r.id === 'createdObjects-cast-application')?.source).toMatch(
      /cleanMetadata\.xml.*DerivedTypeConstraint/,
    );
  });
});

describe('negative controls: a request the schema does not allow is caught', () => {
  const exchange = (method: string, path: string, requestBody?: unknown, responseBody?: unknown, status = 200): GraphExchange => ({
    method,
    url: new URL(`https://graph.microsoft.com/v1.0${path}`),
    requestBody,
    status,
    responseBody,
  });
  const body = { uniqueName: 'aws-x', displayName: 'x', signInAudience: 'AzureADMyOrg', api: { requestedAccessTokenVersion: 2 } };
  const ID = '3f2d5b4e-0000-4000-8000-000000000001';

  it.each([
    [
      'an unknown property',
      exchange('POST', '/applications', { ...body, audienceName: 'x' }),
      /body\.audienceName: .*application has no property/,
    ],
    [
      'an unknown nested property',
      exchange('POST', '/applications', { ...body, api: { tokenVersion: 2 } }),
      /body\.api\.tokenVersion: .*apiApplication has no property/,
    ],
    [
      'a write to a read-only (Computed) property',
      exchange('POST', '/applications', { ...body, certification: { isCertifiedByMicrosoft: true } }),
      /isCertifiedByMicrosoft: read-only \(Core\.V1\.Computed\)/,
    ],
    [
      'a change to an Immutable property',
      exchange('PATCH', `/applications/${ID}`, { createdByAppId: ID }),
      /createdByAppId: cannot change \(Core\.V1\.Immutable\)/,
    ],
    [
      'a value of the wrong type',
      exchange('POST', '/applications', { ...body, api: { requestedAccessTokenVersion: '2' } }),
      /"2" is not an Edm\.Int32/,
    ],
    [
      'a wrong cast',
      exchange('GET', `/servicePrincipals/${ID}/createdObjects/microsoft.graph.federatedIdentityCredential`),
      /not derived from microsoft\.graph\.directoryObject/,
    ],
    [
      'an unknown navigation property',
      exchange('GET', `/servicePrincipals/${ID}/createdApplications`),
      /has no navigation property "createdApplications"/,
    ],
    ['a key that is not an alternate key', exchange('GET', "/applications(displayName='x')"), /displayName is not an alternate key/],
    ['an unknown entity set', exchange('GET', '/deletedApplications'), /no entity set or singleton/],
    ['a $select of an unknown property', exchange('GET', '/applications?$select=id,roleId'), /\$select: .* no property "roleId"/],
    [
      'a $filter on an unknown property',
      exchange('GET', `/applications?$filter=${encodeURIComponent("roleName eq 'x'")}`),
      /\$filter: .* no property "roleName"/,
    ],
    [
      'a $ref on a contained navigation',
      exchange('POST', `/applications/${ID}/federatedIdentityCredentials/$ref`, { '@odata.id': 'x' }),
      /\$ref follows only/,
    ],
    [
      'a reference without $ref',
      exchange('POST', `/applications/${ID}/owners`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${ID}` }),
      /needs \/\$ref/,
    ],
    [
      'an answer with a property the type lacks',
      exchange('GET', `/applications/${ID}`, undefined, { id: ID, roleId: 'AROA' }),
      /answer\.roleId: .*application has no property/,
    ],
    [
      'an answer claiming a type that is not derived',
      exchange('GET', `/directory/deletedItems/microsoft.graph.application`, undefined, {
        value: [{ '@odata.type': '#microsoft.graph.servicePrincipal', id: ID }],
      }),
      /is not a microsoft\.graph\.application/,
    ],
  ])('%s', (_name, bad, problem) => {
    // Act
    const { problems } = contract.check(bad);
    // Assess
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });

  it("refuses a cast a DerivedTypeConstraint excludes, as the SDKs' pre-processed metadata constrains createdObjects", () => {
    // Prepare: the schema with the constraint clean_v10_metadata/cleanMetadata.xml adds
    const source = readFileSync(join(__dirname, '../../vendor/msgraph/v1.0-Prod.subset.csdl'), 'utf8').replace(
      '<NavigationProperty Name="createdObjects" Type="Collection(graph.directoryObject)" />',
      '<NavigationProperty Name="createdObjects" Type="Collection(graph.directoryObject)"><Annotation Term="Org.OData.Validation.V1.DerivedTypeConstraint"><Collection><String>microsoft.graph.servicePrincipal</String></Collection></Annotation></NavigationProperty>',
    );
    const constrained = new GraphContract(new CsdlModel(source));
    // Act
    const cast = constrained.check(exchange('GET', `/servicePrincipals/${ID}/createdObjects/microsoft.graph.application`));
    // Assess
    expect(cast.problems).toEqual([expect.stringMatching(/allows only microsoft\.graph\.servicePrincipal/)]);
  });
});
