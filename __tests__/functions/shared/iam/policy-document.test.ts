import { TrustPolicyRewriteError } from '../../../../functions/shared/runtime';
import {
  encodePolicyDocument,
  parsePolicyDocument,
  statementSchema,
  type PolicyDocument,
  type PolicyStatement,
} from '../../../../functions/shared/iam';

// The `AssumeRolePolicyDocument` of the GetRole example response in the IAM API reference
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html): URL-encoded, RFC 3986.
const GET_ROLE_SAMPLE =
  '%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid%22%3A%22%22%2C%22Effect%22%3A%22Allow%22%2C' +
  '%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D';
const GET_ROLE_DECODED: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Sid: '', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

// CloudTrail `CreateRole` records carry the policy as the caller sent it: a JSON string,
// whitespace included (https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html).
const CLOUDTRAIL_JSON_STRING =
  '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Principal": {\n' +
  '        "Federated": "arn:aws:iam::111122223333:oidc-provider/sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/"\n' +
  '      },\n      "Action": "sts:AssumeRoleWithWebIdentity",\n      "Condition": {\n        "StringEquals": {\n' +
  '          "sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/:aud": "placeholder"\n        }\n      }\n    }\n  ]\n}';

function parseError(raw: unknown): TrustPolicyRewriteError {
  try {
    parsePolicyDocument(raw);
  } catch (error) {
    return error as TrustPolicyRewriteError;
  }
  throw new Error('expected parsePolicyDocument to throw');
}

describe('parsePolicyDocument', () => {
  it('decodes the URL-encoded document IAM GetRole returns', () => {
    expect(parsePolicyDocument(GET_ROLE_SAMPLE)).toEqual(GET_ROLE_DECODED);
  });

  it('accepts lower-case percent escapes', () => {
    const lowerEscapes = GET_ROLE_SAMPLE.replace(/%[0-9A-F]{2}/g, (sequence) => sequence.toLowerCase());

    expect(parsePolicyDocument(lowerEscapes)).toEqual(GET_ROLE_DECODED);
  });

  it('parses a JSON string as CloudTrail records it', () => {
    const policy = parsePolicyDocument(CLOUDTRAIL_JSON_STRING);

    expect(policy).toEqual(JSON.parse(CLOUDTRAIL_JSON_STRING));
  });

  it('returns an object input as is, keeping keys it does not model', () => {
    const input = { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Future: 1 } };

    expect(parsePolicyDocument(input)).toBe(input);
  });

  it('round-trips through the encoding IAM stores', () => {
    expect(parsePolicyDocument(encodePolicyDocument(GET_ROLE_DECODED))).toEqual(GET_ROLE_DECODED);
    expect(encodePolicyDocument(GET_ROLE_DECODED)).toBe(GET_ROLE_SAMPLE);
  });

  it('rejects invalid JSON with malformed-policy', () => {
    const error = parseError('{"Version": "2012-10-17", "Statement": [');

    expect(error).toBeInstanceOf(TrustPolicyRewriteError);
    expect(error.reason).toBe('malformed-policy');
    expect(error.message).toMatch(/^malformed-policy: the policy document is not valid JSON/);
  });

  it('rejects a broken percent escape', () => {
    expect(parseError('%7B%2').message).toMatch(/neither JSON nor valid URL-encoded JSON/);
  });

  it('rejects an empty string, an array, null and a number, naming what it got', () => {
    expect(parseError('  ').message).toMatch(/empty/);
    expect(parseError([]).message).toMatch(/got an array/);
    expect(parseError(null).message).toMatch(/got null/);
    expect(parseError(42).message).toMatch(/got number/);
  });

  it('names the missing Statement', () => {
    expect(parseError('{"Version":"2012-10-17"}').message).toMatch(/^malformed-policy: Statement: /);
  });

  it('names the statement and field with the wrong type', () => {
    const error = parseError({
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Action: 7 },
      ],
    });

    expect(error.message).toMatch(/Statement\.1\.Action/);
    expect(error.message).toMatch(/Fix the role's trust policy/);
  });
});

describe('encodePolicyDocument', () => {
  it("escapes the characters RFC 3986 reserves that encodeURIComponent leaves, such as '*'", () => {
    const encoded = encodePolicyDocument({ Statement: { Effect: 'Allow', Principal: '*', Action: "sts:(x)!'" } });

    expect(encoded).not.toMatch(/[!'()*]/);
    expect(encoded).toContain('%2A');
    expect(parsePolicyDocument(encoded)).toEqual({ Statement: { Effect: 'Allow', Principal: '*', Action: "sts:(x)!'" } });
  });
});

describe('the port types and the schema', () => {
  it('agree: every statement the schema accepts is a PolicyStatement (checked by tsc)', () => {
    // A type-level check: if the schema accepts a value the port's type does not describe
    // (numbers in conditions were the case), this stops compiling.
    const asPort = (statement: import('zod/mini').infer<typeof statementSchema>): PolicyStatement => statement;
    const parsed = statementSchema.parse({ Effect: 'Allow', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 } } });
    expect(asPort(parsed).Condition).toEqual({ NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 } });
  });
});
