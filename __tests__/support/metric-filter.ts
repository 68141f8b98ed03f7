/**
 * CloudWatch Logs' JSON filter patterns, the subset the plan's metric filters use, to check them
 * against the log lines the functions write: `{ $.a.b = "text" }`, `{ $.a = * }` (the field
 * exists), `{ $.a = 12 }`, joined by `&&` or `||` (`&&` binds tighter), and the metric value or
 * a dimension taken from `$.field` of a matched line
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html). Anything
 * else in a pattern throws: a filter this cannot read is not checked silently.
 */

type Term = { path: string[]; value: string | number | '*' };

function parseTerm(text: string): Term {
  const match = /^\$\.([\w.]+)\s*=\s*(?:"([^"]*)"|(\*)|(-?\d+(?:\.\d+)?))$/.exec(text.trim());
  if (!match) throw new Error(`unsupported filter term: ${text}`);
  const [, path, string, star, number] = match;
  return { path: path!.split('.'), value: string ?? (star ? '*' : Number(number)) };
}

export function parseFilterPattern(pattern: string): Term[][] {
  const body = /^\{(.*)\}$/s.exec(pattern.trim())?.[1];
  if (body === undefined) throw new Error(`not a JSON filter pattern: ${pattern}`);
  return body.split('||').map((any) => any.split('&&').map(parseTerm));
}

function at(line: Record<string, unknown>, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined),
    line,
  );
}

function holds(line: Record<string, unknown>, term: Term): boolean {
  const value = at(line, term.path);
  if (term.value === '*') return value !== undefined && value !== null && typeof value !== 'object';
  return typeof term.value === 'number' ? value === term.value : value === term.value;
}

export function filterMatches(pattern: string, line: Record<string, unknown>): boolean {
  return parseFilterPattern(pattern).some((all) => all.every((term) => holds(line, term)));
}

/** A metric value or dimension: a number literal, or `$.field` of the line. */
export function extract(selector: string, line: Record<string, unknown>): unknown {
  if (!selector.startsWith('$.')) return Number(selector);
  return at(line, selector.slice(2).split('.'));
}
