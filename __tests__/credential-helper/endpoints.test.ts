/**
 * refuseClearTextEndpoints in this process, on a real AWS SDK client: the endpoint is checked when
 * the request is built, wherever the SDK found it, before anything is sent.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { refuseClearTextEndpoints } from '../../credential-helper/endpoints';
import { EXIT_CODES, HelperError } from '../../credential-helper/exit-codes';

const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' };

async function send(endpoint: string): Promise<unknown> {
  const client = new STSClient({ region: 'eu-central-1', endpoint, credentials, maxAttempts: 1 });
  refuseClearTextEndpoints(client, 'STS');
  return client.send(new GetCallerIdentityCommand({})).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('refuseClearTextEndpoints', () => {
  it('refuses a clear-text endpoint off this machine before the request leaves, naming the service and where it came from', async () => {
    const error = await send('http://192.0.2.10:8080');
    expect(error).toBeInstanceOf(HelperError);
    expect((error as HelperError).exitCode).toBe(EXIT_CODES.usage);
    expect((error as HelperError).message).toContain('The STS endpoint http://192.0.2.10:8080 must be https://');
  });

  it('lets a loopback endpoint through (nothing listens there: the failure is the connection, not the check)', async () => {
    const error = await send('http://127.0.0.1:9');
    expect(error).toBeDefined();
    expect(error).not.toBeInstanceOf(HelperError);
  });

  it('names the port only when the endpoint has one', async () => {
    const error = (await send('http://192.0.2.10')) as HelperError;
    expect(error.message).toContain('The STS endpoint http://192.0.2.10 must be');
  });
});
