/**
 * The part of EventBridge's event pattern matching the central rule uses, to test the rule by
 * what it lets through rather than by its shape:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * - every field of the pattern must match (AND); a list matches when one of its values does (OR);
 * - a field the event lacks matches only `{ "exists": false }`: every other value and operator,
 *   `anything-but` included, needs the field to be there;
 * - an array in the event matches when one of its elements does;
 * - `$or` holds sub-patterns of which one must match;
 * - `wildcard`: `*` stands for any run of characters.
 * Any other operator throws, so a rule that starts using one is not silently misread.
 */
export type EventPattern = { readonly [key: string]: unknown };

const wildcardRegex = (wildcard: string) =>
  new RegExp(
    `^${wildcard
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

function matchesOperator(operator: Record<string, unknown>, present: boolean, value: unknown): boolean {
  const [name, argument, ...more] = Object.entries(operator).flat();
  if (more.length > 0) throw new Error(`one operator per object, got ${JSON.stringify(operator)}`);
  if (name === 'exists') return argument === present;
  if (!present) return false;
  switch (name) {
    case 'wildcard':
      // One pattern, or a list of which one must match (the form anything-but takes in the central rule).
      return (
        typeof value === 'string' && (Array.isArray(argument) ? argument : [argument]).some((w) => wildcardRegex(String(w)).test(value))
      );
    case 'anything-but': {
      if (typeof argument === 'object' && argument !== null && !Array.isArray(argument)) {
        return !matchesOperator(argument as Record<string, unknown>, present, value);
      }
      const excluded = Array.isArray(argument) ? argument : [argument];
      return !excluded.includes(value);
    }
    default:
      throw new Error(`event pattern operator ${String(name)} is not modelled in __tests__/support/event-pattern.ts`);
  }
}

function matchesValues(allowed: readonly unknown[], present: boolean, value: unknown): boolean {
  const candidates = present && Array.isArray(value) ? value : [value];
  return allowed.some((item) =>
    typeof item === 'object' && item !== null
      ? candidates.some((candidate) => matchesOperator(item as Record<string, unknown>, present, candidate))
      : present && candidates.includes(item),
  );
}

export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  const fields = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') return (expected as EventPattern[]).some((branch) => matchesEventPattern(branch, event));
    const present = Object.hasOwn(fields, key);
    if (Array.isArray(expected)) return matchesValues(expected, present, fields[key]);
    return matchesEventPattern(expected as EventPattern, fields[key]);
  });
}
