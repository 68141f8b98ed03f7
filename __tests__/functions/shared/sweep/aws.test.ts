import { CloudFormationClient, ListStackInstancesCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { s3SweepStore, stackSetBaselineAccounts } from '../../../../functions/shared/sweep';

describe('stackSetBaselineAccounts', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  afterEach(() => cloudFormation.reset());

  it('lists every page of the StackSet instances in the baseline region, as the configured caller', async () => {
    // Prepare
    cloudFormation
      .on(ListStackInstancesCommand, { NextToken: undefined })
      .resolves({
        Summaries: [
          { Account: '333333333333', Region: 'us-east-1', Status: 'CURRENT', StackInstanceStatus: { DetailedStatus: 'SUCCEEDED' } },
          { Account: '222222222222', Region: 'us-east-1', Status: 'OUTDATED', StackInstanceStatus: { DetailedStatus: 'FAILED' } },
        ],
        NextToken: 'page-2',
      })
      .on(ListStackInstancesCommand, { NextToken: 'page-2' })
      .resolves({
        Summaries: [
          { Account: '444444444444', Region: 'us-east-1', Status: 'CURRENT' },
          { Account: '555555555555', Region: 'eu-west-1', Status: 'CURRENT' },
        ],
      });
    const accounts = stackSetBaselineAccounts(new CloudFormationClient({ region: 'eu-central-1' }), {
      stackSetName: 'web-identity-member-baseline',
      callAs: 'DELEGATED_ADMIN',
      region: 'us-east-1',
    });

    // Act
    const instances = await accounts.list();

    // Assess
    expect(instances).toEqual([
      { accountId: '222222222222', status: 'OUTDATED', detailedStatus: 'FAILED' },
      { accountId: '333333333333', status: 'CURRENT', detailedStatus: 'SUCCEEDED' },
      { accountId: '444444444444', status: 'CURRENT' },
    ]);
    for (const call of cloudFormation.commandCalls(ListStackInstancesCommand)) {
      expect(call.args[0].input).toMatchObject({
        StackSetName: 'web-identity-member-baseline',
        CallAs: 'DELEGATED_ADMIN',
        StackInstanceRegion: 'us-east-1',
        MaxResults: 100,
      });
    }
    expect(cloudFormation.commandCalls(ListStackInstancesCommand)).toHaveLength(2);
  });
});

describe('s3SweepStore', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());
  // What GetObject's Body offers (SdkStreamMixin): the client reads it with transformToString.
  const body = (text: string) => ({ transformToString: async () => text }) as never;

  it('writes JSON with its content type and reads it back', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('{"a":1}') });
    const store = s3SweepStore(new S3Client({ region: 'eu-central-1' }), 'web-identity-sweep-111111111111-eu-central-1');

    await store.putJson('sweeps/x/report.json', { a: 1 });
    const read = await store.getJson('sweeps/x/report.json');

    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'web-identity-sweep-111111111111-eu-central-1',
      Key: 'sweeps/x/report.json',
      Body: '{"a":1}',
      ContentType: 'application/json',
    });
    expect(read).toEqual({ a: 1 });
  });

  it('writes a text object (the report page) with the media type given', async () => {
    s3.on(PutObjectCommand).resolves({});
    const store = s3SweepStore(new S3Client({ region: 'eu-central-1' }), 'bucket-name');

    await store.putText('sweeps/x/report.html', '<!DOCTYPE html>', 'text/html; charset=utf-8');

    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'bucket-name',
      Key: 'sweeps/x/report.html',
      Body: '<!DOCTYPE html>',
      ContentType: 'text/html; charset=utf-8',
    });
  });

  it('names the object that is not JSON', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('<html>') });
    const store = s3SweepStore(new S3Client({ region: 'eu-central-1' }), 'bucket-name');

    await expect(store.getJson('sweeps/x/manifest.json')).rejects.toThrow('s3://bucket-name/sweeps/x/manifest.json is not JSON');
  });
});
