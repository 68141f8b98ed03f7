import { ListStackInstancesCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BaselineAccounts, BaselineInstance, SweepStore } from './ports';

/**
 * The sweep's two AWS reads and writes in the central account, over the SDK: the member
 * baseline's stack instances (where it is deployed) and the sweep's bucket.
 */

/**
 * The accounts of the member baseline's stack instances in one region
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackInstances.html:
 * up to 100 a page, `NextToken` for the next; `CallAs` DELEGATED_ADMIN from a delegated
 * administrator). A service-managed StackSet with auto-deployment has an instance for every
 * account of the target OUs, present and future, so the configuration lists no account.
 */
export function stackSetBaselineAccounts(
  client: Pick<CloudFormationClient, 'send'>,
  options: { readonly stackSetName: string; readonly callAs: 'SELF' | 'DELEGATED_ADMIN'; readonly region: string },
): BaselineAccounts {
  return {
    async list() {
      const instances = new Map<string, BaselineInstance>();
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new ListStackInstancesCommand({
            StackSetName: options.stackSetName,
            CallAs: options.callAs,
            StackInstanceRegion: options.region,
            MaxResults: 100,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
        for (const summary of page.Summaries ?? []) {
          if (!summary.Account || (summary.Region && summary.Region !== options.region)) continue;
          instances.set(summary.Account, {
            accountId: summary.Account,
            status: summary.Status ?? 'UNKNOWN',
            ...(summary.StackInstanceStatus?.DetailedStatus ? { detailedStatus: summary.StackInstanceStatus.DetailedStatus } : {}),
          });
        }
        nextToken = page.NextToken;
      } while (nextToken);
      return [...instances.values()].sort((a, b) => a.accountId.localeCompare(b.accountId));
    },
  };
}

/** JSON objects in the sweep's bucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, API_PutObject.html). */
export function s3SweepStore(client: Pick<S3Client, 'send'>, bucket: string): SweepStore {
  return {
    bucket,
    async putJson(key, value) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(value), ContentType: 'application/json' }));
    },
    async putText(key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async getJson(key) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const text = (await object.Body?.transformToString('utf-8')) ?? '';
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new Error(`s3://${bucket}/${key} is not JSON (${(error as Error).message})`);
      }
    },
  };
}
