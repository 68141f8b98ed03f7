/**
 * IAM CloudTrail records wrapped as EventBridge delivers them to the central bus.
 *
 * Modelled on:
 * - EventBridge "AWS API Call via CloudTrail" event structure:
 *   https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html and
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
 * - CloudTrail record contents and the IAM log entry examples (CreateRole with
 *   `assumeRolePolicyDocument` as the JSON string the caller sent; `responseElements.role`
 *   with the URL-encoded document IAM stores):
 *   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#cloudtrail-integration_examples
 * Account IDs, ARNs and GUIDs are the documentation's placeholders or made up.
 */
import { createHash } from 'node:crypto';
import type { PolicyDocument } from '../../functions/shared/iam';

export interface EventOptions {
  readonly accountId?: string;
  readonly eventId?: string;
  readonly userArn?: string;
  readonly issuerArn?: string;
  readonly errorCode?: string;
  /** CreateRole only: the tags the call sets, recorded as `[{ key, value }]`. */
  readonly tags?: Readonly<Record<string, string>>;
  /** CreateRole only: the role ID IAM answered with; by default one derived from the event. */
  readonly roleId?: string;
  /** The account CloudTrail recorded the call in; the envelope's `account` by default (a forgery differs). */
  readonly recipientAccountId?: string;
  /** When the call happened (ISO 8601): `detail.eventTime` and the envelope's `time`. */
  readonly time?: string;
}

/** An IAM-shaped role ID (`AROA` + 17 of A–Z, 0–9), stable for one account, role and event. */
export function derivedRoleId(...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('/')).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return `AROA${Array.from(digest.subarray(0, 17), (byte) => alphabet[byte % 32]).join('')}`;
}

function envelope(eventName: string, requestParameters: Record<string, unknown> | null, responseElements: unknown, options: EventOptions) {
  const accountId = options.accountId ?? '111122223333';
  const userArn = options.userArn ?? `arn:aws:sts::${accountId}:assumed-role/platform-admin/alice@example.com`;
  const issuerArn = options.issuerArn ?? userArn.replace(/^arn:aws:sts::(\d+):assumed-role\/([^/]+)\/.*$/, 'arn:aws:iam::$1:role/$2');
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
    account: accountId,
    time: options.time ?? '2025-11-04T10:15:30Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAIDPPEZS35WEXAMPLE:alice@example.com',
        arn: userArn,
        accountId,
        accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAIDPPEZS35WEXAMPLE',
            arn: issuerArn,
            accountId,
            userName: issuerArn.split('/').pop(),
          },
          attributes: { creationDate: '2025-11-04T09:58:11Z', mfaAuthenticated: 'false' },
        },
      },
      eventTime: options.time ?? '2025-11-04T10:15:30Z',
      eventSource: 'iam.amazonaws.com',
      eventName,
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64',
      ...(options.errorCode ? { errorCode: options.errorCode, errorMessage: 'The request was rejected.' } : {}),
      requestParameters,
      responseElements,
      requestID: 'b7a3c1d2-7f1e-4b7e-9a60-0c1d2e3f4a5b',
      eventID: options.eventId ?? '2d2f6c86-4d9b-4b8f-9a7c-1e5d3c2b1a09',
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: options.recipientAccountId ?? accountId,
      eventCategory: 'Management',
      tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'iam.amazonaws.com' },
    },
  };
}

export function createRoleEvent(roleName: string, policy: PolicyDocument | string, options: EventOptions = {}) {
  const accountId = options.accountId ?? '111122223333';
  const document = typeof policy === 'string' ? policy : JSON.stringify(policy);
  return envelope(
    'CreateRole',
    {
      roleName,
      path: '/',
      assumeRolePolicyDocument: document,
      description: 'CI deployer',
      ...(options.tags ? { tags: Object.entries(options.tags).map(([key, value]) => ({ key, value })) } : {}),
    },
    options.errorCode
      ? null
      : {
          role: {
            path: '/',
            roleName,
            roleId: options.roleId ?? derivedRoleId(accountId, roleName, options.eventId ?? ''),
            arn: `arn:aws:iam::${accountId}:role/${roleName}`,
            createDate: 'Nov 4, 2025 10:15:30 AM',
            assumeRolePolicyDocument: encodeURIComponent(document),
          },
        },
    options,
  );
}

export function updateAssumeRolePolicyEvent(roleName: string, policy: PolicyDocument | string, options: EventOptions = {}) {
  return envelope(
    'UpdateAssumeRolePolicy',
    { roleName, policyDocument: typeof policy === 'string' ? policy : JSON.stringify(policy) },
    null,
    options,
  );
}

export function deleteRoleEvent(roleName: string, options: EventOptions = {}) {
  return envelope('DeleteRole', { roleName }, null, options);
}

/** TagRole records its tags as CloudTrail does: `[{ key, value }]`; IAM answers with no elements. */
export function tagRoleEvent(roleName: string, tags: Readonly<Record<string, string>>, options: EventOptions = {}) {
  return envelope('TagRole', { roleName, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }, null, options);
}

/** An SQS batch as Lambda receives it from the queue (body = the EventBridge event). */
export function sqsBatch(...bodies: (object | string)[]) {
  return {
    Records: bodies.map((body, index) => ({
      messageId: `msg-${index + 1}`,
      receiptHandle: `AQEB-${index + 1}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1730715331000' },
      messageAttributes: {},
      md5OfBody: '0',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:999988887777:web-identity-events',
      awsRegion: 'eu-west-1',
    })),
  };
}
