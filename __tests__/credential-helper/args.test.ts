import { parseHelperArgs } from '../../credential-helper/args';
import { EXIT_CODES, HelperError } from '../../credential-helper/exit-codes';

const base = [
  '--tenant-id', 'aaaabbbb-0000-cccc-1111-dddd2222eeee',
  '--client-id', '00001111-aaaa-2222-bbbb-3333cccc4444',
  '--certificate', 'workload.pem',
  '--role-arn', 'arn:aws:iam::111122223333:role/payments-ci',
];

function usageError(argv: string[]): string {
  try {
    parseHelperArgs(argv, {});
  } catch (error) {
    expect(error).toBeInstanceOf(HelperError);
    expect((error as HelperError).exitCode).toBe(EXIT_CODES.usage);
    return (error as HelperError).message;
  }
  throw new Error('expected a usage error');
}

describe('parseHelperArgs', () => {
  it('applies the defaults: 3600 s, AWS_REGION, a cache under XDG_CACHE_HOME', () => {
    expect(parseHelperArgs(base, { AWS_REGION: 'eu-west-1', XDG_CACHE_HOME: '/c' })).toMatchObject({
      command: 'credentials',
      durationSeconds: 3600,
      region: 'eu-west-1',
      cacheDir: '/c/entra-aws-credentials',
      noCache: false,
    });
  });

  it('names each bad field and what it must be', () => {
    const message = usageError(['--tenant-id', 'aaaabbbb-0000-cccc-1111-dddd2222eeee', '--client-id', 'not-a-guid', '--role-arn', 'payments-ci', '--duration-seconds', '50000']);
    expect(message).toContain('--client-id must be a GUID');
    expect(message).toContain('--certificate is required');
    expect(message).toContain('--role-arn must be an IAM role ARN');
    expect(message).toContain('--duration-seconds must be at least 900 and at most 43200');
  });

  it('takes the certificate password from the environment so it stays out of the process list', () => {
    expect(parseHelperArgs(base, { ENTRA_AWS_CERTIFICATE_PASSWORD: 'pw' })).toMatchObject({ certificatePassword: 'pw' });
  });

  it('refuses an http:// authority host', () => {
    expect(usageError([...base, '--authority-host', 'http://127.0.0.1:1'])).toContain('--authority-host must be an https:// URL');
  });

  it('needs a token source for doctor', () => {
    expect(usageError(['doctor', '--role-arn', 'arn:aws:iam::111122223333:role/r'])).toContain('doctor needs a token');
    expect(parseHelperArgs(['doctor', '--role-arn', 'arn:aws:iam::111122223333:role/r', '--token', 't.jwt', '--provider-client-ids', 'a, b'], {})).toMatchObject({
      command: 'doctor',
      providerClientIds: ['a', 'b'],
    });
  });

  it('rejects an unknown command or flag', () => {
    expect(usageError(['login', ...base])).toContain('Unknown command "login"');
    expect(usageError([...base, '--profile', 'x'])).toContain("Unknown option '--profile'");
  });
});
