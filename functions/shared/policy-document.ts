import { z } from 'zod';
import { TrustPolicyRewriteError } from './errors';
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
const statementSchema = z.looseObject({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Principal: principalSchema.optional(),
  NotPrincipal: principalSchema.optional(),
  Action: stringOrList.optional(),
  NotAction: stringOrList.optional(),
  Resource: stringOrList.optional(),
  NotResource: stringOrList.optional(),
  Condition: z.record(z.string(), z.record(z.string(), conditionValue)).optional(),
});

export const policyDocumentSchema = z.looseObject({
  Version: z.string().optional(),
  Id: z.string().optional(),
  Statement: z.union([statementSchema, z.array(statementSchema)]),
});

function malformed(detail: string): TrustPolicyRewriteError {
  return new TrustPolicyRewriteError(
    `malformed-policy: ${detail}. Fix the role's trust policy so that it is a JSON object with a "Statement" ` +
      `(one statement or a list) whose statements each have "Effect" "Allow" or "Deny".`,
    'malformed-policy',
  );
}

/**
 * Checks that `value` is a policy document and returns it unchanged (same object, same key
 * order), so that what is written back differs from what was read only where we changed it.
 */
export function assertPolicyDocument(value: unknown): PolicyDocument {
  const result = policyDocumentSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'the document';
    throw malformed(`${where}: ${issue?.message ?? 'not a policy document'}`);
  }
  return value as PolicyDocument;
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

/** The document as IAM stores it: URL-encoded minified JSON (what `GetRole` returns). */
export function encodePolicyDocument(policy: PolicyDocument): string {
  return encodeURIComponent(JSON.stringify(policy));
}
