import * as z from 'zod/mini';
import { TrustPolicyRewriteError } from '../runtime/errors';
import type { PolicyDocument } from './ports';

/**
 * Reading IAM policy documents from wherever they come from:
 * - IAM `GetRole` returns `AssumeRolePolicyDocument` URL-encoded (RFC 3986), e.g.
 *   `%7B%22Version%22%3A%222012-10-17%22...`
 *   (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html);
 * - CloudTrail records carry `requestParameters.assumeRolePolicyDocument` as the JSON
 *   string the caller sent, and some tools send it URL-encoded;
 * - the simulator's world file may hold it as an object.
 *
 * A document that does not parse or has the wrong shape throws `TrustPolicyRewriteError`
 * with reason `malformed-policy` (not `InvalidInputError`): the policy belongs to the app
 * team, not to our input contract, and the reason ends up in the role's status tag
 * (`failed:malformed-policy`) where the app team can see and fix it.
 */

const stringOrList = z.union([z.string(), z.array(z.string())]);
const principalSchema = z.union([z.literal('*'), z.record(z.string(), stringOrList)]);
// Condition values are strings, lists, booleans (`"Bool"`) or numbers (`"NumericLessThan"`).
const conditionValue = z.union([z.string(), z.boolean(), z.number(), z.array(z.union([z.string(), z.boolean(), z.number()]))]);

// Loose objects: a key we do not model must survive a rewrite untouched, never be dropped.
export const statementSchema = z.looseObject({
  Sid: z.optional(z.string()),
  Effect: z.enum(['Allow', 'Deny']),
  Principal: z.optional(principalSchema),
  NotPrincipal: z.optional(principalSchema),
  Action: z.optional(stringOrList),
  NotAction: z.optional(stringOrList),
  Resource: z.optional(stringOrList),
  NotResource: z.optional(stringOrList),
  Condition: z.optional(z.record(z.string(), z.record(z.string(), conditionValue))),
});

export const policyDocumentSchema = z.looseObject({
  Version: z.optional(z.string()),
  Id: z.optional(z.string()),
  Statement: z.union([statementSchema, z.array(statementSchema)]),
});

function malformed(detail: string): TrustPolicyRewriteError {
  return new TrustPolicyRewriteError(
    `malformed-policy: ${detail}. Fix the role's trust policy so that it is a JSON object with a "Statement" ` +
      `(one statement or a list) whose statements each have "Effect" "Allow" or "Deny".`,
    'malformed-policy',
  );
}

function firstIssue(error: z.core.$ZodError, prefix: readonly PropertyKey[]): string {
  const issue = error.issues[0];
  const path = [...prefix, ...(issue?.path ?? [])];
  return `${path.length > 0 ? path.map(String).join('.') : 'the document'}: ${issue?.message ?? 'not a policy document'}`;
}

/**
 * Checks that `value` is a policy document and returns it unchanged (same object, same key
 * order), so that what is written back differs from what was read only where we changed it.
 */
export function assertPolicyDocument(value: unknown): PolicyDocument {
  const result = policyDocumentSchema.safeParse(value);
  if (result.success) return value as PolicyDocument;
  // The union's own message ("Invalid input") names no field: validate the statements one by
  // one so the error says which statement and which field is wrong.
  const statement = (value as { Statement?: unknown } | null)?.Statement;
  const statements = Array.isArray(statement) ? statement : [statement];
  for (const [index, item] of statements.entries()) {
    const checked = statementSchema.safeParse(item);
    if (!checked.success) {
      throw malformed(firstIssue(checked.error, Array.isArray(statement) ? ['Statement', index] : ['Statement']));
    }
  }
  throw malformed(firstIssue(result.error, []));
}

function decodeJsonText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') throw malformed('the policy document is empty');
  let json = trimmed;
  // A JSON policy starts with `{`; URL-encoded it starts with `%7B` (any case).
  if (!trimmed.startsWith('{')) {
    try {
      json = decodeURIComponent(trimmed);
    } catch {
      throw malformed('the policy document is neither JSON nor valid URL-encoded JSON');
    }
  }
  try {
    return JSON.parse(json);
  } catch (error) {
    throw malformed(`the policy document is not valid JSON (${(error as Error).message})`);
  }
}

/** Parses a policy given as an object, a JSON string, or a URL-encoded JSON string. */
export function parsePolicyDocument(raw: unknown): PolicyDocument {
  if (typeof raw === 'string') return assertPolicyDocument(decodeJsonText(raw));
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) return assertPolicyDocument(raw);
  throw malformed(`expected an object or a JSON string, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
}

/**
 * The document as IAM returns it: minified JSON, URL-encoded per RFC 3986, which (unlike
 * `encodeURIComponent`) also escapes `!'()*`, so a wildcard comes back as `%2A`.
 */
export function encodePolicyDocument(policy: PolicyDocument): string {
  return encodeURIComponent(JSON.stringify(policy)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
