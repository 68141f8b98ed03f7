import { isObject } from './values';

/**
 * CloudFormation intrinsic functions inside the member template, resolved to the plain
 * values they can produce, so that a policy written with them is judged like a literal one
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html).
 *
 * - `Fn::If` yields both branches: the condition is evaluated per account at deploy time, so
 *   either may apply (a condition "always true" is as easy to write as one that is not).
 * - `Ref` to a pseudo parameter or a parameter, `Fn::Sub` and `Fn::GetAtt` become placeholders
 *   (`${AWS::AccountId}`, `${Name}`, `${Id.Attr}`), `Fn::Join` joins them: the text shows what
 *   the value is built from.
 * - `Ref: AWS::NoValue` removes the property or list element
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html#cfn-pseudo-param-novalue).
 * - Anything else (`Fn::Select`, `Fn::FindInMap`, `Fn::ImportValue`, `Fn::Transform`, …) or
 *   more than MAX_VARIANTS combinations is opaque: the review cannot say what it grants.
 */

export const MAX_VARIANTS = 64;

export type Resolved = { readonly kind: 'values'; readonly values: readonly unknown[] } | { readonly kind: 'opaque'; readonly why: string };

const NO_VALUE = Symbol('AWS::NoValue');

class Opaque extends Error {}

function placeholderSub(text: string, variables: Record<string, string>): string {
  return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    return name in variables ? variables[name] : whole;
  });
}

function cap<T>(values: T[]): T[] {
  if (values.length > MAX_VARIANTS) throw new Opaque(`more than ${MAX_VARIANTS} combinations of Fn::If`);
  return values;
}

function product(lists: readonly (readonly unknown[])[]): unknown[][] {
  let result: unknown[][] = [[]];
  for (const list of lists) result = cap(result.flatMap((prefix) => list.map((v) => [...prefix, v])));
  return result;
}

function strings(values: readonly unknown[], fn: string): string[] {
  if (!values.every((v) => typeof v === 'string')) throw new Opaque(`${fn} of a value that is not text`);
  return values as string[];
}

function variants(value: unknown): unknown[] {
  if (Array.isArray(value)) {
    return product(value.map(variants)).map((items) => items.filter((item) => item !== NO_VALUE));
  }
  if (!isObject(value)) return [value];
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')) {
    const [fn] = keys;
    const arg = value[fn];
    switch (fn) {
      case 'Ref':
        if (arg === 'AWS::NoValue') return [NO_VALUE];
        if (typeof arg !== 'string') throw new Opaque('Ref to a value that is not a name');
        return [`\${${arg}}`];
      case 'Fn::GetAtt': {
        const path = Array.isArray(arg) ? arg : typeof arg === 'string' ? arg.split('.') : null;
        if (!path?.every((p) => typeof p === 'string')) throw new Opaque('Fn::GetAtt with a computed name');
        return [`\${${path.join('.')}}`];
      }
      case 'Fn::Sub': {
        if (typeof arg === 'string') return [placeholderSub(arg, {})];
        if (!Array.isArray(arg) || typeof arg[0] !== 'string' || !isObject(arg[1])) throw new Opaque('Fn::Sub of a computed template');
        const names = Object.keys(arg[1]);
        const combos = product(names.map((n) => strings(variants((arg[1] as Record<string, unknown>)[n]), 'Fn::Sub')));
        return combos.map((combo) => placeholderSub(arg[0] as string, Object.fromEntries(names.map((n, i) => [n, combo[i] as string]))));
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || typeof arg[0] !== 'string') throw new Opaque('Fn::Join with a computed delimiter');
        const lists = variants(arg[1]);
        return cap(
          lists.map((list) => {
            if (!Array.isArray(list)) throw new Opaque('Fn::Join of a value that is not a list');
            return strings(list, 'Fn::Join').join(arg[0] as string);
          }),
        );
      }
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3) throw new Opaque('Fn::If without [condition, then, else]');
        return cap([...variants(arg[1]), ...variants(arg[2])]);
      }
      default:
        throw new Opaque(`${fn} cannot be read before deployment`);
    }
  }
  const perKey = product(keys.map((k) => variants(value[k])));
  return perKey.map((combo) => Object.fromEntries(keys.map((k, i) => [k, combo[i]]).filter(([, v]) => v !== NO_VALUE)));
}

/** Every plain value `value` can produce, or why it cannot be read. */
export function resolveIntrinsics(value: unknown): Resolved {
  try {
    const values = variants(value).filter((v) => v !== NO_VALUE);
    return { kind: 'values', values: dedupe(values) };
  } catch (error) {
    if (error instanceof Opaque) return { kind: 'opaque', why: error.message };
    throw error;
  }
}

function dedupe(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = JSON.stringify(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
