/**
 * Reading values out of a change representation
 * (https://developer.hashicorp.com/terraform/internals/json-format, "Change Representation"):
 * `after` leaves that are unknown until apply are absent or null there, and `true` in
 * `after_unknown`; sensitive leaves are `true` in `before_sensitive` / `after_sensitive`.
 */

export const KNOWN_AFTER_APPLY = '(known after apply)';
export const SENSITIVE = '(sensitive)';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value that says nothing: absent, null, empty text, list or object, or false. */
export const isEmpty = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === '' ||
  v === false ||
  (Array.isArray(v) && v.length === 0) ||
  (isObject(v) && Object.keys(v).length === 0);

/** The value with every unknown leaf replaced by "(known after apply)" and every sensitive leaf by "(sensitive)". */
export function overlay(value: unknown, unknown: unknown, sensitive: unknown): unknown {
  if (sensitive === true) return SENSITIVE;
  if (unknown === true) return KNOWN_AFTER_APPLY;
  if (Array.isArray(value) || Array.isArray(unknown)) {
    const values = Array.isArray(value) ? value : [];
    const unknowns = Array.isArray(unknown) ? unknown : [];
    const sensitives = Array.isArray(sensitive) ? sensitive : [];
    const length = Math.max(values.length, unknowns.length);
    return Array.from({ length }, (_, i) => overlay(values[i], unknowns[i], sensitives[i]));
  }
  if (isObject(value) || isObject(unknown)) {
    const values = isObject(value) ? value : {};
    const unknowns = isObject(unknown) ? unknown : {};
    const sensitives = isObject(sensitive) ? sensitive : {};
    const keys = [...Object.keys(values), ...Object.keys(unknowns).filter((k) => !(k in values))];
    return Object.fromEntries(keys.map((k) => [k, overlay(values[k], unknowns[k], sensitives[k])]));
  }
  return value;
}

/** True when any leaf under `mask` is `true` (an unknown or sensitive marker). */
export function anyMarked(mask: unknown): boolean {
  if (mask === true) return true;
  if (Array.isArray(mask)) return mask.some(anyMarked);
  if (isObject(mask)) return Object.values(mask).some(anyMarked);
  return false;
}

/** The mask under one top-level attribute (masks may be `false` or absent as a whole). */
export function maskAt(mask: unknown, key: string): unknown {
  return isObject(mask) ? mask[key] : undefined;
}

/** JSON with object keys sorted, so that equal values give equal text whatever their key order. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort(byText)
        .map((k) => [k, sortKeys(value[k])]),
    );
  }
  return value;
}

/** Code-unit order: the same on every machine and locale (localeCompare is not). */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Text as a Markdown code span that nothing inside can end: plan values come from the
 * configuration a pull request changes, and must not be able to write Markdown of their own
 * into the review (a backtick would close the span, a newline would end a table row).
 */
export function md(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/[\r\n]+/g, ' ')}\``;
}

/** A code fence longer than any run of backticks in `text`, so the text cannot close it (CommonMark). */
export function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}
