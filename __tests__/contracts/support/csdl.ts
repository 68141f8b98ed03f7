import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseXml, type XmlElement } from '../../../vendor/msgraph/xml';

/**
 * Microsoft Graph v1.0's schema as the contract check reads it: structured types with their
 * bases, properties, navigation properties, keys and alternate keys, the entity container, and
 * the annotations that restrict writes (http://docs.oasis-open.org/odata/odata-vocabularies/v4.0/vocabularies/Org.OData.Core.V1.xml:
 * `Computed` "read-only", `Immutable` "can be provided on insert but not changed", `Permissions`
 * `Read`) or casts (`Org.OData.Validation.V1.DerivedTypeConstraint`). Read from the vendored
 * subset (vendor/msgraph/README.md).
 */

export const NAMESPACE = 'microsoft.graph';

export interface CsdlProperty {
  readonly name: string;
  /** Qualified: `Edm.String`, `microsoft.graph.apiApplication`, `Collection(Edm.String)`. */
  readonly type: string;
  readonly nullable: boolean;
  /** The type that declares it (a base of the type asked for, or the type itself). */
  readonly declaredBy: string;
}

export interface CsdlNavigation extends CsdlProperty {
  readonly containsTarget: boolean;
}

export interface CsdlType {
  readonly kind: 'entity' | 'complex';
  readonly name: string;
  readonly base: string | undefined;
  readonly open: boolean;
  readonly abstract: boolean;
  readonly properties: ReadonlyMap<string, CsdlProperty>;
  readonly navigation: ReadonlyMap<string, CsdlNavigation>;
  /** Alternate keys by alias, each one property (`appId`, `uniqueName`). */
  readonly alternateKeys: readonly string[];
  readonly key: readonly string[];
}

export interface CsdlAnnotation {
  readonly term: string;
  readonly element: XmlElement;
}

export class CsdlModel {
  readonly types = new Map<string, CsdlType>();
  /** Entity sets and singletons by name: their entity type and whether they are a collection. */
  readonly container = new Map<string, { readonly type: string; readonly collection: boolean }>();
  readonly containerName: string;
  private readonly annotations = new Map<string, CsdlAnnotation[]>();

  constructor(source: string) {
    const schema = parseXml(source)
      .children.find((e) => e.name === 'edmx:DataServices')
      ?.children.find((e) => e.name === 'Schema' && e.attributes.Namespace === NAMESPACE);
    if (!schema) throw new Error(`no <Schema Namespace="${NAMESPACE}">`);
    const alias = schema.attributes.Alias;
    const qualify = (name: string): string => {
      const collection = /^Collection\((.*)\)$/.exec(name);
      if (collection) return `Collection(${qualify(collection[1] ?? '')})`;
      return alias && name.startsWith(`${alias}.`) ? `${NAMESPACE}.${name.slice(alias.length + 1)}` : name;
    };
    let containerName = '';
    for (const element of schema.children) {
      if (element.name === 'EntityType' || element.name === 'ComplexType') {
        const name = `${NAMESPACE}.${element.attributes.Name}`;
        const properties = new Map<string, CsdlProperty>();
        const navigation = new Map<string, CsdlNavigation>();
        const key: string[] = [];
        const alternateKeys: string[] = [];
        for (const child of element.children) {
          const common = {
            name: child.attributes.Name ?? '',
            type: qualify(child.attributes.Type ?? ''),
            nullable: child.attributes.Nullable !== 'false',
            declaredBy: name,
          };
          // Annotations inside a property apply to it, as `<Annotations Target="type/property">` do.
          if (child.name === 'Property' || child.name === 'NavigationProperty') {
            for (const annotation of child.children)
              if (annotation.name === 'Annotation') this.annotate(`${name}/${common.name}`, annotation);
          }
          if (child.name === 'Property') properties.set(common.name, common);
          if (child.name === 'NavigationProperty')
            navigation.set(common.name, { ...common, containsTarget: child.attributes.ContainsTarget === 'true' });
          if (child.name === 'Key') key.push(...child.children.map((ref) => ref.attributes.Name ?? ''));
          if (child.name === 'Annotation') {
            this.annotate(name, child);
            if (child.attributes.Term === 'Org.OData.Core.V1.AlternateKeys') alternateKeys.push(...aliasesOf(child));
          }
        }
        this.types.set(name, {
          kind: element.name === 'EntityType' ? 'entity' : 'complex',
          name,
          base: element.attributes.BaseType ? qualify(element.attributes.BaseType) : undefined,
          open: element.attributes.OpenType === 'true',
          abstract: element.attributes.Abstract === 'true',
          properties,
          navigation,
          alternateKeys,
          key,
        });
      }
      if (element.name === 'EntityContainer') {
        containerName = element.attributes.Name ?? '';
        for (const member of element.children) {
          if (member.name === 'EntitySet')
            this.container.set(member.attributes.Name ?? '', { type: qualify(member.attributes.EntityType ?? ''), collection: true });
          if (member.name === 'Singleton')
            this.container.set(member.attributes.Name ?? '', { type: qualify(member.attributes.Type ?? ''), collection: false });
        }
      }
      if (element.name === 'Annotations') {
        for (const annotation of element.children) this.annotate(element.attributes.Target ?? '', annotation);
      }
    }
    this.containerName = `${NAMESPACE}.${containerName}`;
  }

  private annotate(target: string, element: XmlElement): void {
    const list = this.annotations.get(target) ?? [];
    list.push({ term: element.attributes.Term ?? '', element });
    this.annotations.set(target, list);
  }

  type(name: string): CsdlType | undefined {
    return this.types.get(name);
  }

  /** The type and its bases, most derived first. */
  lineage(name: string): CsdlType[] {
    const chain: CsdlType[] = [];
    for (let type = this.types.get(name); type; type = type.base ? this.types.get(type.base) : undefined) chain.push(type);
    return chain;
  }

  isDerivedFrom(name: string, base: string): boolean {
    return this.lineage(name).some((type) => type.name === base);
  }

  property(typeName: string, name: string): CsdlProperty | undefined {
    for (const type of this.lineage(typeName)) {
      const found = type.properties.get(name);
      if (found) return found;
    }
    return undefined;
  }

  navigationProperty(typeName: string, name: string): CsdlNavigation | undefined {
    for (const type of this.lineage(typeName)) {
      const found = type.navigation.get(name);
      if (found) return found;
    }
    return undefined;
  }

  alternateKeys(typeName: string): string[] {
    return this.lineage(typeName).flatMap((type) => type.alternateKeys);
  }

  key(typeName: string): readonly string[] {
    return this.lineage(typeName).find((type) => type.key.length > 0)?.key ?? [];
  }

  annotationsOf(target: string, term: string): CsdlAnnotation[] {
    return (this.annotations.get(target) ?? []).filter((a) => a.term === term);
  }

  /** A Boolean term on a target: its `Bool` attribute (default true, as the vocabulary's `Tag` terms are). */
  flag(target: string, term: string): boolean {
    return this.annotationsOf(target, term).some((a) => (a.element.attributes.Bool ?? 'true') === 'true');
  }

  /** Read-only for a client: `Core.V1.Computed`, or `Core.V1.Permissions` of `Read` only. */
  computed(property: CsdlProperty): boolean {
    const target = `${property.declaredBy}/${property.name}`;
    return (
      this.flag(target, 'Org.OData.Core.V1.Computed') ||
      this.annotationsOf(target, 'Org.OData.Core.V1.Permissions').some((a) =>
        /Permission\/Read$/.test(a.element.attributes.EnumMember ?? ''),
      )
    );
  }

  immutable(property: CsdlProperty): boolean {
    return this.flag(`${property.declaredBy}/${property.name}`, 'Org.OData.Core.V1.Immutable');
  }

  /** The types a navigation property's casts may name, when the schema constrains them. */
  derivedTypeConstraint(navigation: CsdlNavigation): string[] | undefined {
    const [constraint] = this.annotationsOf(`${navigation.declaredBy}/${navigation.name}`, 'Org.OData.Validation.V1.DerivedTypeConstraint');
    if (!constraint) return undefined;
    return constraint.element.children.flatMap((collection) => collection.children.map((s) => s.text ?? ''));
  }
}

/** `<Annotation Term="Org.OData.Core.V1.AlternateKeys">` → the alias of each single-property key. */
function aliasesOf(annotation: XmlElement): string[] {
  const aliases: string[] = [];
  const walk = (element: XmlElement) => {
    if (element.name === 'PropertyValue' && element.attributes.Property === 'Alias' && element.attributes.String) {
      aliases.push(element.attributes.String);
    }
    for (const child of element.children) walk(child);
  };
  walk(annotation);
  return aliases;
}

let cached: CsdlModel | undefined;

/** The vendored Graph v1.0 schema subset. */
export function graphSchema(): CsdlModel {
  cached ??= new CsdlModel(readFileSync(join(__dirname, '../../../vendor/msgraph/v1.0-Prod.subset.csdl'), 'utf8'));
  return cached;
}
