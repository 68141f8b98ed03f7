import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where a provider's generated bindings are (one folder per resource type, and `provider`). */
const bindings = (provider: 'aws' | 'azuread') => join(dirname(require.resolve(`@cdktf/provider-${provider}/package.json`)), 'lib');

/**
 * The top-level attributes (arguments, computed attributes and nested blocks) of a Terraform
 * resource type, as the provider bindings the configuration is synthesized with know them.
 *
 * @cdktf/provider-aws and @cdktf/provider-azuread are generated from the providers' own schemas
 * (`terraform providers schema -json`) at the version their provider class records
 * (`terraformGeneratorMetadata.providerVersion`): their resource classes are the only copy of those
 * schemas on a machine that cannot download a provider. Each resource class names every attribute
 * once in its generated code, as one of: a getter's `this.getStringAttribute('name')` (and its
 * siblings), a nested block's or computed map's `new …(this, "name"…)`, or a computed attribute's
 * `// name - computed: …` comment. The resource class is the one that sets `tfResourceType`; the
 * block classes before it in the same file hold the nested attributes, which are not read here.
 *
 * Returns undefined for a type the bindings do not generate (Terraform's built-in `terraform_data`).
 */
export function providerAttributes(type: string): ReadonlySet<string> | undefined {
  const [provider, ...rest] = type.split('_');
  if (provider !== 'aws' && provider !== 'azuread') return undefined;
  const file = join(bindings(provider), rest.join('-'), 'index.js');
  if (!existsSync(file)) return undefined;
  const source = readFileSync(file, 'utf8');
  const declared = /(\w+)\.tfResourceType = "([^"]+)"/.exec(source);
  if (!declared || declared[2] !== type) return undefined;
  const resourceClass = source.slice(source.indexOf(`class ${declared[1]} extends cdktf.TerraformResource`));
  const names = [
    ...resourceClass.matchAll(/get\w*Attribute\('(\w+)'\)/g),
    ...resourceClass.matchAll(/\(this, "(\w+)"/g),
    ...resourceClass.matchAll(/\/\/ (\w+) - computed: /g),
  ].map((m) => m[1]);
  return new Set(names);
}

/** The provider version the bindings were generated from (the schema providerAttributes() reads). */
export function providerVersion(provider: 'aws' | 'azuread'): string {
  const source = readFileSync(join(bindings(provider), 'provider', 'index.js'), 'utf8');
  return /providerVersion: '([^']+)'/.exec(source)?.[1] ?? 'unknown';
}
