import { CERTIFICATE_PASSWORD_WARNING, parseHelperArgs, type CredentialsArgs } from '../../credential-helper/args';
import { endpointProblem, isLoopbackHost } from '../../credential-helper/endpoints';
import { EXIT_CODES, HelperError } from '../../credential-helper/exit-codes';

const base = [
  '--tenant-id',
  'aaaabbbb-0000-cccc-1111-dddd2222eeee',
  '--client-id',
  '00001111-aaaa-2222-bbbb-3333cccc4444',
  '--certificate',
  'workload.pem',
  '--role-arn',
  'arn:aws:iam::111122223333:role/payments-ci',
];

const TENANT = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';
const CLIENT = '00001111-aaaa-2222-bbbb-3333cccc4444';
const GATEWAY = '0a0a0a0a-1111-4222-8333-444455556666';
const ROLE = ['--role-arn', 'arn:aws:iam::111122223333:role/payments-ci'];

function usageError(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    parseHelperArgs(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(HelperError);
    expect((error as HelperError).exitCode).toBe(EXIT_CODES.usage);
    return (error as HelperError).message;
  }
  throw new Error('expected a usage error');
}

describe('parseHelperArgs', () => {
  it('applies the defaults: certificate source, audience = client ID, 3600 s, AWS_REGION, a cache under XDG_CACHE_HOME', () => {
    expect(parseHelperArgs(base, { AWS_REGION: 'eu-west-1', XDG_CACHE_HOME: '/c' })).toMatchObject({
      command: 'credentials',
      source: { kind: 'certificate', tenantId: TENANT, clientId: CLIENT, audience: CLIENT, certificate: 'workload.pem' },
      warnings: [],
      durationSeconds: 3600,
      region: 'eu-west-1',
      cacheDir: '/c/entra-aws-credentials',
      noCache: false,
    });
  });

  it('names each bad field and what it must be', () => {
    const message = usageError([
      '--tenant-id',
      'aaaabbbb-0000-cccc-1111-dddd2222eeee',
      '--client-id',
      'not-a-guid',
      '--role-arn',
      'payments-ci',
      '--duration-seconds',
      '50000',
    ]);
    expect(message).toContain('--client-id must be a GUID');
    expect(message).toContain('--certificate is required');
    expect(message).toContain('--role-arn must be an IAM role ARN');
    expect(message).toContain('--duration-seconds must be at least 900 and at most 43200');
  });

  it('takes the certificate password from the environment or a file, so it stays out of the process list', () => {
    expect(parseHelperArgs(base, { ENTRA_AWS_CERTIFICATE_PASSWORD: 'pw' })).toMatchObject({
      source: { certificatePassword: 'pw' },
      warnings: [],
    });
    expect(
      parseHelperArgs([...base, '--certificate-password-file', '/run/secrets/pw'], { ENTRA_AWS_CERTIFICATE_PASSWORD: 'pw' }),
    ).toMatchObject({
      source: { certificatePasswordFile: '/run/secrets/pw', certificatePassword: undefined },
      warnings: [],
    });
  });

  it('warns that --certificate-password shows the password in the process list, and refuses it with the file', () => {
    expect((parseHelperArgs([...base, '--certificate-password', 'pw'], {}) as CredentialsArgs).warnings).toEqual([
      CERTIFICATE_PASSWORD_WARNING,
    ]);
    expect(CERTIFICATE_PASSWORD_WARNING).toContain('process list');
    expect(usageError([...base, '--certificate-password', 'pw', '--certificate-password-file', 'f'])).toContain('exclude each other');
  });

  it('refuses an http:// authority host, even on loopback (MSAL refuses it)', () => {
    expect(usageError([...base, '--authority-host', 'http://127.0.0.1:1'])).toContain(
      '--authority-host (or ENTRA_AWS_AUTHORITY_HOST, AZURE_AUTHORITY_HOST) must be an https:// URL',
    );
    expect(usageError(base, { AZURE_AUTHORITY_HOST: 'http://login.example' })).toContain('must be an https:// URL');
  });

  it.each([
    ['--sts-endpoint', [...base, '--sts-endpoint', 'http://sts.example.com'], {}],
    ['ENTRA_AWS_STS_ENDPOINT', base, { ENTRA_AWS_STS_ENDPOINT: 'http://10.0.0.5' }],
    ['AWS_ENDPOINT_URL_STS', base, { AWS_ENDPOINT_URL_STS: 'http://10.0.0.5' }],
    ['AWS_ENDPOINT_URL', base, { AWS_ENDPOINT_URL: 'http://10.0.0.5' }],
    ['--iam-endpoint', ['doctor', ...ROLE, '--token', 't', '--iam-endpoint', 'http://iam.example.com'], {}],
    ['AWS_ENDPOINT_URL_IAM', ['doctor', ...ROLE, '--token', 't'], { AWS_ENDPOINT_URL_IAM: 'http://10.0.0.5' }],
    [
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      ['--token-source', 'github-actions', '--tenant-id', TENANT, '--client-id', CLIENT, ...ROLE],
      { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://pipelines.example/idtoken?api-version=2.0' },
    ],
  ])('refuses a clear-text %s, naming it', (name, argv, env) => {
    expect(usageError(argv, env)).toMatch(new RegExp(`${name.replace(/[-]/g, '\\-')}.* must be https://`));
  });

  it('accepts clear-text endpoints on loopback', () => {
    expect(parseHelperArgs([...base, '--sts-endpoint', 'http://127.0.0.1:4566'], {})).toMatchObject({
      stsEndpoint: 'http://127.0.0.1:4566',
    });
    expect(parseHelperArgs(base, { AWS_ENDPOINT_URL: 'http://localhost:4566' })).toMatchObject({ command: 'credentials' });
  });

  it('needs a token source for doctor', () => {
    expect(usageError(['doctor', '--role-arn', 'arn:aws:iam::111122223333:role/r'])).toContain('doctor needs a token');
    expect(
      parseHelperArgs(
        ['doctor', '--role-arn', 'arn:aws:iam::111122223333:role/r', '--token', 't.jwt', '--provider-client-ids', 'a, b'],
        {},
      ),
    ).toMatchObject({
      command: 'doctor',
      providerClientIds: ['a', 'b'],
    });
  });

  it('rejects an unknown command or flag', () => {
    expect(usageError(['login', ...base])).toContain('unknown command "login" (commands: doctor)');
    expect(usageError([...base, '--profile', 'x'])).toContain('unknown option --profile');
  });

  it('names the closest option or command for a slip, never Node parseArgs text', () => {
    const message = usageError([...base, '--role-ar', 'arn:aws:iam::111122223333:role/r', '--docter']);
    expect(message).toContain('unknown option --role-ar; did you mean --role-arn?');
    expect(usageError(['docter', ...base])).toContain('unknown command "docter"; did you mean "doctor"?');
    expect(usageError([...base, '--region'])).toContain('--region needs a value');
    expect(message).not.toMatch(/ERR_PARSE_ARGS|Unknown option '|To specify a positional/);
  });

  it('answers --help with the usage of the command, or of doctor after it', () => {
    const help = parseHelperArgs(['--help'], {});
    const doctorHelp = parseHelperArgs(['doctor', '-h', '--role-arn', 'x'], {});
    expect(help).toEqual({ command: 'help', text: expect.stringContaining('Prints AWS credential_process JSON') });
    expect(doctorHelp).toEqual({ command: 'help', text: expect.stringContaining('Explains why STS would deny the token') });
    expect((doctorHelp as { text: string }).text).not.toContain('credential_process');
  });

  describe('token sources', () => {
    it('managed-identity needs --audience, and takes --client-id as the user-assigned identity', () => {
      expect(usageError(['--token-source', 'managed-identity', ...ROLE])).toContain(
        "--audience (the role's client ID, or the gateway application ID) is required",
      );
      expect(
        parseHelperArgs(['--token-source', 'managed-identity', '--audience', GATEWAY, '--client-id', CLIENT, ...ROLE], {}),
      ).toMatchObject({
        source: { kind: 'managed-identity', clientId: CLIENT, audience: GATEWAY, tenantId: undefined },
      });
    });

    it('managed-identity ignores AZURE_CLIENT_ID, which may be meant for another tool', () => {
      expect(
        parseHelperArgs(['--token-source', 'managed-identity', '--audience', GATEWAY, ...ROLE], { AZURE_CLIENT_ID: CLIENT }),
      ).toMatchObject({
        source: { clientId: undefined },
      });
    });

    it("workload-identity takes tenant, client and token file from the pod's environment", () => {
      const env = {
        AZURE_TENANT_ID: TENANT,
        AZURE_CLIENT_ID: CLIENT,
        AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token',
      };
      expect(parseHelperArgs(['--token-source', 'workload-identity', ...ROLE], env)).toMatchObject({
        source: {
          kind: 'workload-identity',
          tenantId: TENANT,
          clientId: CLIENT,
          audience: CLIENT,
          federatedTokenFile: env.AZURE_FEDERATED_TOKEN_FILE,
        },
      });
      expect(usageError(['--token-source', 'workload-identity', ...ROLE])).toContain(
        '--federated-token-file (or AZURE_FEDERATED_TOKEN_FILE) is required',
      );
    });

    it('github-actions needs tenant and client, and reads the OIDC request from the environment', () => {
      expect(usageError(['--token-source', 'github-actions', ...ROLE])).toMatch(/--tenant-id is required\n--client-id is required/);
      const env = {
        ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.actions.githubusercontent.com/x/idtoken?api-version=2.0',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'rt',
      };
      expect(
        parseHelperArgs(
          [
            '--token-source',
            'github-actions',
            '--tenant-id',
            TENANT,
            '--client-id',
            CLIENT,
            '--audience',
            'api://entra-aws-gateway',
            ...ROLE,
          ],
          env,
        ),
      ).toMatchObject({
        source: {
          kind: 'github-actions',
          audience: 'api://entra-aws-gateway',
          githubTokenRequest: { url: env.ACTIONS_ID_TOKEN_REQUEST_URL, token: 'rt' },
        },
      });
    });

    it('names flags that belong to another source, an unknown source, and an audience given as a scope', () => {
      const message = usageError([
        '--token-source',
        'managed-identity',
        '--audience',
        `${GATEWAY}/.default`,
        '--certificate',
        'c.pem',
        ...ROLE,
      ]);
      expect(message).toContain('--certificate is only used with --token-source certificate');
      expect(message).toContain('--audience');
      expect(message).toContain('without /.default');
      expect(usageError(['--token-source', 'saml', ...ROLE])).toContain(
        '--token-source must be one of certificate, managed-identity, workload-identity, github-actions',
      );
    });

    it('doctor gets a fresh token from any source', () => {
      expect(parseHelperArgs(['doctor', ...ROLE, '--token-source', 'managed-identity', '--audience', GATEWAY], {})).toMatchObject({
        command: 'doctor',
        source: { kind: 'managed-identity', audience: GATEWAY },
      });
    });
  });
});

describe('endpointProblem', () => {
  it.each([
    'https://sts.amazonaws.com',
    'https://10.0.0.5:8443/x',
    'http://127.0.0.1:4566',
    'http://127.8.9.10',
    'http://127.255.255.255',
    // URL's IPv4 shorthand: 127.0.0.0.
    'http://127.0.0',
    'http://[::1]:8080',
    'http://localhost:1',
    'http://LOCALHOST',
  ])('accepts %s', (url) => expect(endpointProblem(url)).toBeUndefined());

  it.each([
    ['http://10.0.0.5', 'https://'],
    ['http://127.0.0.1.evil.example', 'https://'],
    ['http://localhost.evil.example', 'https://'],
    // Ends with "localhost" or starts like loopback, but is neither.
    ['http://mylocalhost', 'https://'],
    ['http://127.0.0.256', 'an absolute http(s):// URL'],
    ['http://127.0.0.1@evil.example', 'evil.example is not one'],
    ['http://[::ffff:127.0.0.1]', 'https://'],
    ['http://128.0.0.1', 'https://'],
    ['ftp://127.0.0.1', 'an https:// URL (not ftp://)'],
    ['sts.amazonaws.com', 'an absolute http(s):// URL'],
  ])('refuses %s', (url, problem) => expect(endpointProblem(url)).toContain(problem));
});

describe('isLoopbackHost', () => {
  // Also called on hostnames URL did not parse (the SDK's resolved endpoint): each octet is checked.
  it.each(['127.0.0.1', '127.255.255.255', 'localhost', 'LocalHost', '[::1]'])('takes %s as loopback', (host) =>
    expect(isLoopbackHost(host)).toBe(true),
  );
  it.each(['127.0.0.256', '127.300.0.1', '127.0.0', '128.0.0.1', 'mylocalhost', 'localhost.evil.example', '::1', '[::2]', '1127.0.0.1'])(
    'does not take %s as loopback',
    (host) => expect(isLoopbackHost(host)).toBe(false),
  );
});
