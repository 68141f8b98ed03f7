/**
 * Refreshes vendor/msgraph/ from Microsoft's published Graph v1.0 schema, `schemas/v1.0-Prod.csdl`
 * in https://github.com/microsoftgraph/msgraph-metadata (MIT). Needs the internet; never run in
 * CI (the vendored files are data the contract check reads, vendor/msgraph/README.md).
 *
 *   npx tsx vendor/msgraph/refresh.ts                    # the newest commit that changed the file
 *   npx tsx vendor/msgraph/refresh.ts --commit <sha>     # a given commit
 *   npx tsx vendor/msgraph/refresh.ts --commit <sha> --from <v1.0-Prod.csdl>   # offline, from a copy of that commit's file
 *
 * The whole file is 3.4 MB; only the elements the automation's requests and the Graph fake touch
 * are kept (EXTRACTED below), each copied verbatim, with the annotations that target them.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseXml, type XmlElement } from './xml';

export const REPOSITORY = 'microsoftgraph/msgraph-metadata';
export const PATH = 'schemas/v1.0-Prod.csdl';

/** What the contract check needs: add a type here when the client or the fake starts using it. */
export const EXTRACTED = {
  entityTypes: ['entity', 'directoryObject', 'application', 'servicePrincipal', 'user', 'directory', 'federatedIdentityCredential'],
  complexTypes: ['apiApplication', 'certification', 'keyCredential', 'passwordCredential'],
  entitySets: ['applications', 'servicePrincipals', 'directoryObjects', 'users'],
  singletons: ['directory'],
} as const;

const NAMESPACE = 'microsoft.graph';

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url, { headers: { 'User-Agent': 'entra-aws-web-identity vendor refresh' } });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${res.statusText}`);
  return res.text();
}

async function newestCommit(): Promise<string> {
  const url = `https://api.github.com/repos/${REPOSITORY}/commits?path=${encodeURIComponent(PATH)}&per_page=1`;
  const [commit] = JSON.parse(await fetchText(url)) as { sha: string }[];
  if (!commit) throw new Error(`no commit of ${REPOSITORY} changes ${PATH}`);
  return commit.sha;
}

/** The subset document: the kept elements verbatim, inside the same Edmx/Schema/EntityContainer frame. */
export function extract(source: string, provenance: string): string {
  const root = parseXml(source);
  const schema = root.children
    .find((e) => e.name === 'edmx:DataServices')
    ?.children.find((e) => e.name === 'Schema' && e.attributes.Namespace === NAMESPACE);
  if (!schema) throw new Error(`no <Schema Namespace="${NAMESPACE}"> in ${PATH}`);
  const verbatim = (element: XmlElement) => source.slice(element.start, element.end);
  const pick = (elements: readonly XmlElement[], kind: string, names: readonly string[]) =>
    names.map((name) => {
      const found = elements.find((e) => e.name === kind && e.attributes.Name === name);
      if (!found) throw new Error(`${PATH} has no <${kind} Name="${name}">`);
      return found;
    });
  const types = [
    ...pick(schema.children, 'EntityType', EXTRACTED.entityTypes),
    ...pick(schema.children, 'ComplexType', EXTRACTED.complexTypes),
  ];
  const container = schema.children.find((e) => e.name === 'EntityContainer');
  if (!container) throw new Error(`${PATH} has no <EntityContainer>`);
  const members = [
    ...pick(container.children, 'EntitySet', EXTRACTED.entitySets),
    ...pick(container.children, 'Singleton', EXTRACTED.singletons),
  ];
  // Annotations may sit in any Schema of the document; they target `microsoft.graph.<type>[/member]`
  // or `microsoft.graph.<container>/<set>`.
  const typeNames = [...EXTRACTED.entityTypes, ...EXTRACTED.complexTypes].map((name) => `${NAMESPACE}.${name}`);
  const containerTargets = [...EXTRACTED.entitySets, ...EXTRACTED.singletons].map(
    (name) => `${NAMESPACE}.${container.attributes.Name}/${name}`,
  );
  const targeted = (target = '') =>
    containerTargets.includes(target) || typeNames.some((name) => target === name || target.startsWith(`${name}/`));
  const annotations = root.children
    .flatMap((e) => (e.name === 'edmx:DataServices' ? e.children : []))
    .flatMap((s) => s.children)
    .filter((e) => e.name === 'Annotations' && targeted(e.attributes.Target));

  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<!-- ${provenance} -->`,
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">',
    '  <edmx:DataServices>',
    `    <Schema Namespace="${NAMESPACE}" Alias="${schema.attributes.Alias}" xmlns="http://docs.oasis-open.org/odata/ns/edm">`,
    ...types.map((e) => `      ${verbatim(e)}`),
    `      <EntityContainer Name="${container.attributes.Name}">`,
    ...members.map((e) => `        ${verbatim(e)}`),
    '      </EntityContainer>',
    ...annotations.map((e) => `      ${verbatim(e)}`),
    '    </Schema>',
    '  </edmx:DataServices>',
    '</edmx:Edmx>',
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { commit: { type: 'string' }, from: { type: 'string' } }, strict: true });
  if (values.from && !values.commit) throw new Error('--from needs --commit: the commit the copy was taken from');
  const commit = values.commit ?? (await newestCommit());
  const url = `https://raw.githubusercontent.com/${REPOSITORY}/${commit}/${PATH}`;
  const source = values.from ? readFileSync(values.from, 'utf8') : await fetchText(url);
  const sha256 = createHash('sha256').update(source).digest('hex');
  const provenance = `Extracted from https://github.com/${REPOSITORY}/blob/${commit}/${PATH} (MIT; sha256 ${sha256}) by vendor/msgraph/refresh.ts: the elements listed in its EXTRACTED, verbatim.`;
  const dir = __dirname;
  writeFileSync(join(dir, 'v1.0-Prod.subset.csdl'), extract(source, provenance));
  writeFileSync(
    join(dir, 'source.json'),
    `${JSON.stringify({ repository: REPOSITORY, commit, path: PATH, sha256, license: 'MIT', extracted: EXTRACTED }, null, 2)}\n`,
  );
  process.stdout.write(`vendor/msgraph: ${PATH} at ${commit}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`refresh: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
