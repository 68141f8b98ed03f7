import { relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The import graph of the repository's TypeScript, read with the TypeScript compiler's own parser
 * and module resolution (`ts.resolveModuleName` with the project's tsconfig), so that a path, an
 * `index.ts` or a `require` resolves as it does for `tsc` and at run time. Every import counts,
 * `import type` too: a type-only import does not load the module, but it still ties the layers
 * together and closes cycles, which is what the layer test forbids.
 */

export interface ModuleImports {
  /** The repository's files it imports, repository-relative. */
  readonly files: readonly string[];
  /** The packages it imports (`cdktf`, `@cdktf/provider-aws`, `node:fs`…), by package name. */
  readonly packages: readonly string[];
}

/** Repository-relative file → what it imports. */
export type ImportGraph = ReadonlyMap<string, ModuleImports>;

/** The module specifiers of a source file: imports, re-exports, `import x = require()`, `require()` and `import()` with a literal. */
function specifiersOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push(node.moduleReference.expression.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments.length === 1 &&
      ts.isStringLiteralLike(node.arguments[0]!)
    ) {
      found.push((node.arguments[0] as ts.StringLiteralLike).text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; `node:fs` stays. */
const packageName = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * The graph reachable from `entries` (repository-relative paths under `root`). A relative import
 * that resolves to no file throws: the graph would be silently incomplete.
 */
export function importGraph(root: string, entries: readonly string[], options: ts.CompilerOptions): ImportGraph {
  const graph = new Map<string, ModuleImports>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (graph.has(file)) continue;
    const absolute = resolve(root, file);
    const text = ts.sys.readFile(absolute);
    if (text === undefined) throw new Error(`${file}: cannot be read`);
    const files: string[] = [];
    const packages: string[] = [];
    for (const specifier of specifiersOf(absolute, text)) {
      const resolved = ts.resolveModuleName(specifier, absolute, options, ts.sys).resolvedModule;
      const local =
        resolved && !resolved.isExternalLibraryImport && !resolved.resolvedFileName.endsWith('.d.ts')
          ? relative(root, resolved.resolvedFileName)
          : undefined;
      if (local !== undefined && !local.startsWith('..')) {
        files.push(local);
        pending.push(local);
      } else if (specifier.startsWith('.')) {
        throw new Error(`${file}: ${specifier} resolves to no file of the repository`);
      } else {
        packages.push(packageName(specifier));
      }
    }
    graph.set(file, { files: [...new Set(files)], packages: [...new Set(packages)] });
  }
  return graph;
}

/**
 * For each entry that reaches a forbidden package, the shortest chain of imports that loads it:
 * `simulation/load.ts → stacks/central-pipeline.ts → cdktf`.
 */
export function forbiddenChains(graph: ImportGraph, entries: readonly string[], forbidden: (pkg: string) => boolean): string[] {
  const chains: string[] = [];
  for (const entry of entries) {
    const parent = new Map<string, string | undefined>([[entry, undefined]]);
    const queue = [entry];
    let found: string | undefined;
    while (queue.length > 0 && found === undefined) {
      const file = queue.shift()!;
      const imports = graph.get(file)!;
      const pkg = imports.packages.find(forbidden);
      if (pkg !== undefined) {
        const chain = [pkg];
        for (let at: string | undefined = file; at !== undefined; at = parent.get(at)) chain.unshift(at);
        found = chain.join(' → ');
        break;
      }
      for (const next of imports.files) {
        if (!parent.has(next)) {
          parent.set(next, file);
          queue.push(next);
        }
      }
    }
    if (found !== undefined) chains.push(found);
  }
  return chains;
}

/** The import cycles: each strongly connected component of two files or more (or a file importing itself), its files sorted. */
export function importCycles(graph: ImportGraph): string[][] {
  // Tarjan's algorithm (https://doi.org/10.1137/0201010), iterative so that a long chain cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { file: string; next: number }[] = [{ file: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = graph.get(frame.file)?.files ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ file: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.file, Math.min(low.get(frame.file)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.file;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.file)!));
      }
      if (low.get(frame.file) === index.get(frame.file)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.file);
        const selfImport = graph.get(frame.file)?.files.includes(frame.file) ?? false;
        if (component.length > 1 || selfImport) cycles.push(component.sort());
      }
    }
  }
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}
