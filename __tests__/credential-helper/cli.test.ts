/**
 * End to end: the real `entra-aws-credentials` bin, as a child process, through the real
 * @azure/identity and @aws-sdk/client-sts clients, against loopback HTTPS fakes of Entra
 * and STS/IAM. A child process is needed anyway: @azure/identity refuses http:// authorities,
 * and NODE_EXTRA_CA_CERTS (trusting the fakes' test-time certificate) is read only at start.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { EXIT_CODES } from '../../credential-helper/exit-codes';
import { startAwsFake, type AwsFake } from './support/aws-fake';
import { startEntraFake, type EntraFake } from './support/entra-fake';
import { makeLoopbackTls } from './support/https-server';

const BIN = join(__dirname, '..', '..', 'credential-helper', 'bin.js');
const TENANT = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';
const OTHER_TENANT = '99999999-0000-cccc-1111-dddd2222eeee';
const ACCOUNT = '111122223333';
const APP = { appId: '00001111-aaaa-2222-bbbb-3333cccc4444', sp: '11112222-bbbb-3333-cccc-4444dddd5555' };
const V2_APP = { appId: '22223333-cccc-4444-dddd-5555eeee6666', sp: '33334444-dddd-5555-eeee-6666ffff7777' };
const STALE_APP = { appId: '44445555-eeee-6666-ffff-7777aaaa8888', sp: '55556666-ffff-7777-aaaa-8888bbbb9999' };
const EXPIRED_KEY_APP = { appId: '66667777-aaaa-8888-bbbb-9999cccc0000', sp: '77778888-bbbb-9999-cccc-0000dddd1111' };
const UNKNOWN_CLIENT = '88889999-cccc-0000-dddd-1111eeee2222';
const STALE_SP = 'ffffeeee-dddd-cccc-bbbb-aaaa99998888';
const PROVIDER = `sts.windows.net/${TENANT}/`;
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${PROVIDER}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/payments-ci`;
const WRONG_SUB_ROLE = `arn:aws:iam::${ACCOUNT}:role/payments-stale`;
const V2_ROLE = `arn:aws:iam::${ACCOUNT}:role/reports-ci`;
const STALE_ROLE = `arn:aws:iam::${ACCOUNT}:role/batch-ci`;

/** The trust policy the automation writes (docs/architecture.md#the-trust-policy-the-automation-writes). */
function trustPolicy(appId: string, sub: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: PROVIDER_ARN },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${PROVIDER}:aud`]: appId, [`${PROVIDER}:sub`]: sub } },
      },
    ],
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let work: string;
let caFile: string;
let entra: EntraFake;
let aws: AwsFake;
const certs: Record<'good' | 'unregistered' | 'expired' | 'encrypted' | 'expiredKey', string> = {
  good: '',
  unregistered: '',
  expired: '',
  encrypted: '',
  expiredKey: '',
};

async function workloadCertificate(name: keyof typeof certs, options: Parameters<typeof generate>[1] = {}): Promise<string> {
  const pems = await generate([{ name: 'commonName', value: `workload-${name}` }], { keySize: 2048, algorithm: 'sha256', ...options });
  const file = join(work, `${name}.pem`);
  writeFileSync(file, `${pems.cert}${pems.private}`, { mode: 0o600 });
  return pems.cert;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'credential-helper-'));
  const tls = await makeLoopbackTls();
  caFile = join(work, 'ca.pem');
  writeFileSync(caFile, tls.caPem);
  const good = await workloadCertificate('good');
  await workloadCertificate('unregistered');
  const day = 24 * 3600 * 1000;
  await workloadCertificate('expired', { notBeforeDate: new Date(Date.now() - 30 * day), notAfterDate: new Date(Date.now() - day) });
  const encrypted = await workloadCertificate('encrypted', { passphrase: 'correct horse' });
  const expiredKey = await workloadCertificate('expiredKey');
  for (const key of Object.keys(certs) as (keyof typeof certs)[]) certs[key] = join(work, `${key}.pem`);

  entra = await startEntraFake(tls, {
    [TENANT]: [
      { appId: APP.appId, servicePrincipalId: APP.sp, certificates: [{ pem: good }, { pem: encrypted }], accessTokenVersion: 1 },
      { appId: V2_APP.appId, servicePrincipalId: V2_APP.sp, certificates: [{ pem: good }], accessTokenVersion: 2 },
      { appId: STALE_APP.appId, servicePrincipalId: STALE_APP.sp, certificates: [{ pem: good }], accessTokenVersion: 1, issuesExpiredTokens: true },
      {
        appId: EXPIRED_KEY_APP.appId,
        servicePrincipalId: EXPIRED_KEY_APP.sp,
        certificates: [{ pem: expiredKey, endDateTime: new Date(Date.now() - day) }],
        accessTokenVersion: 1,
      },
    ],
  });
  aws = await startAwsFake(
    tls,
    {
      accountId: ACCOUNT,
      providers: [{ url: PROVIDER, clientIds: [APP.appId, V2_APP.appId, STALE_APP.appId] }],
      roles: [
        { arn: ROLE, trustPolicy: trustPolicy(APP.appId, APP.sp), tags: { 'entra:client-id': APP.appId, 'entra:tenant-id': TENANT } },
        { arn: WRONG_SUB_ROLE, trustPolicy: trustPolicy(APP.appId, STALE_SP) },
        { arn: V2_ROLE, trustPolicy: trustPolicy(V2_APP.appId, V2_APP.sp) },
        { arn: STALE_ROLE, trustPolicy: trustPolicy(STALE_APP.appId, STALE_APP.sp) },
      ],
    },
    () => entra.jwks,
  );
});

afterAll(async () => {
  await entra?.stop();
  await aws?.stop();
  rmSync(work, { recursive: true, force: true });
});

function run(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  // A minimal environment: no AWS keys or profiles, so success proves none are needed.
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: work,
    NODE_EXTRA_CA_CERTS: caFile,
    AWS_CONFIG_FILE: join(work, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extraEnv,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 50_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

function credentialArgs(overrides: Record<string, string> = {}, cacheDir = mkdtempSync(join(work, 'cache-'))): string[] {
  const values: Record<string, string> = {
    '--tenant-id': TENANT,
    '--client-id': APP.appId,
    '--certificate': certs.good,
    '--role-arn': ROLE,
    '--region': 'eu-central-1',
    '--authority-host': entra.url,
    '--sts-endpoint': aws.url,
    '--cache-dir': cacheDir,
    ...overrides,
  };
  return Object.entries(values).flat();
}

function requestCounts() {
  return { entra: entra.requests.length, aws: aws.requests.length };
}

describe('entra-aws-credentials', () => {
  it('prints credential_process JSON from an unsigned AssumeRoleWithWebIdentity and caches it user-only', async () => {
    // Prepare
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    const stsCallsBefore = aws.requests.length;

    // Act
    const result = await run(credentialArgs({ '--duration-seconds': '900' }, cacheDir));

    // Assess
    // stderr may carry the AWS SDK's Node-version notice on Node 20; the helper itself says nothing.
    expect(result.stderr).not.toContain('entra-aws-credentials:');
    expect(result.code).toBe(EXIT_CODES.ok);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(output).toEqual({
      Version: 1,
      AccessKeyId: expect.stringMatching(/^ASIA/),
      SecretAccessKey: expect.any(String),
      SessionToken: expect.any(String),
      Expiration: expect.any(String),
    });
    const lifetime = Date.parse(output.Expiration as string) - Date.now();
    expect(lifetime).toBeGreaterThan(800_000);
    expect(lifetime).toBeLessThanOrEqual(900_000);
    expect(aws.requests.slice(stsCallsBefore)).toEqual(['AssumeRoleWithWebIdentity']);
    const files = require('node:fs').readdirSync(cacheDir) as string[];
    expect(files).toHaveLength(1);
    expect(statSync(join(cacheDir, files[0])).mode & 0o777).toBe(0o600);
  });

  it('answers a second call from the cache without any network request', async () => {
    // Prepare
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    const first = await run(credentialArgs({}, cacheDir));
    const before = requestCounts();

    // Act
    const second = await run(credentialArgs({}, cacheDir));

    // Assess
    expect(second.code).toBe(EXIT_CODES.ok);
    expect(second.stdout).toBe(first.stdout);
    expect(requestCounts()).toEqual(before);
  });

  it('refreshes credentials that expire within five minutes', async () => {
    // Prepare: a 900 s session is cached, then the cache entry is aged to expire in 4 minutes
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    await run(credentialArgs({ '--duration-seconds': '900' }, cacheDir));
    const file = join(cacheDir, (require('node:fs').readdirSync(cacheDir) as string[])[0]);
    const cached = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    writeFileSync(file, JSON.stringify({ ...cached, Expiration: new Date(Date.now() + 4 * 60_000).toISOString() }), { mode: 0o600 });
    const stsCallsBefore = aws.requests.length;

    // Act
    const result = await run(credentialArgs({}, cacheDir));

    // Assess
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(aws.requests.length).toBe(stsCallsBefore + 1);
    expect(JSON.parse(result.stdout).AccessKeyId).not.toBe(cached.AccessKeyId);
  });

  it('writes the raw Entra token to a 0600 file in --token-file mode without calling STS', async () => {
    // Prepare
    const tokenFile = join(work, 'tokens', 'web-identity-token');
    const stsCallsBefore = aws.requests.length;

    // Act
    const result = await run([...credentialArgs({ '--token-file': tokenFile }).filter((arg) => arg !== '--role-arn' && arg !== ROLE)]);

    // Assess
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(result.stdout).toBe('');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const claims = JSON.parse(Buffer.from(readFileSync(tokenFile, 'utf8').split('.')[1], 'base64url').toString()) as Record<string, string>;
    expect(claims).toMatchObject({ aud: APP.appId, sub: APP.sp, iss: `https://sts.windows.net/${TENANT}/`, ver: '1.0' });
    expect(aws.requests.length).toBe(stsCallsBefore);
  });

  it('reads a password-protected key with --certificate-password', async () => {
    const result = await run(credentialArgs({ '--certificate': certs.encrypted, '--certificate-password': 'correct horse' }));
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(result.stdout).Version).toBe(1);
  });

  describe('certificate problems (exit 3, before any network call)', () => {
    it.each([
      ['an unreadable file', { '--certificate': join(work ?? '', 'missing.pem') }, /Cannot read --certificate .*ENOENT/],
      ['a wrong password', { '--certificate': 'encrypted', '--certificate-password': 'wrong' }, /certificate password is wrong/],
      ['a missing password', { '--certificate': 'encrypted' }, /password-protected: give --certificate-password/],
      ['an expired certificate', { '--certificate': 'expired' }, /expired on .*az ad app credential reset/],
    ])('rejects %s', async (_name, overrides, message) => {
      // Prepare
      const resolved = Object.fromEntries(
        Object.entries(overrides).map(([flag, value]) => [flag, flag === '--certificate' && value in certs ? certs[value as keyof typeof certs] : value]),
      );
      if (resolved['--certificate'].endsWith('missing.pem')) resolved['--certificate'] = join(work, 'missing.pem');
      const before = requestCounts();

      // Act
      const result = await run(credentialArgs(resolved));

      // Assess
      expect(result.code).toBe(EXIT_CODES.certificate);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
      expect(requestCounts()).toEqual(before);
    });
  });

  describe('Entra errors', () => {
    it('explains an unknown client (AADSTS700016) with exit 4', async () => {
      const result = await run(credentialArgs({ '--client-id': UNKNOWN_CLIENT }));
      expect(result.code).toBe(EXIT_CODES.entraUnknownClient);
      expect(result.stderr).toContain(`no application with client ID ${UNKNOWN_CLIENT}`);
      expect(result.stderr).toContain('AADSTS700016');
    });

    it('explains a certificate not registered on the application (AADSTS700027) with exit 5', async () => {
      const result = await run(credentialArgs({ '--certificate': certs.unregistered }));
      expect(result.code).toBe(EXIT_CODES.entraCertificateNotRegistered);
      expect(result.stderr).toContain('AADSTS700027');
      expect(result.stderr).toContain(`az ad app credential reset --id ${APP.appId} --cert @cert.pem --append`);
    });

    it('explains an expired certificate registration (AADSTS700027) with exit 5', async () => {
      const result = await run(credentialArgs({ '--client-id': EXPIRED_KEY_APP.appId, '--certificate': certs.expiredKey }));
      expect(result.code).toBe(EXIT_CODES.entraCertificateNotRegistered);
      expect(result.stderr).toContain('registration expired');
    });

    it('explains an unknown tenant with exit 6', async () => {
      const result = await run(credentialArgs({ '--tenant-id': OTHER_TENANT }));
      expect(result.code).toBe(EXIT_CODES.entraTenantNotFound);
      expect(result.stderr).toContain(`tenant ${OTHER_TENANT}`);
      expect(result.stderr).toContain('entra:tenant-id');
    });
  });

  describe('STS errors point to doctor', () => {
    it('maps AccessDenied (wrong sub) to exit 8', async () => {
      const result = await run(credentialArgs({ '--role-arn': WRONG_SUB_ROLE }));
      expect(result.code).toBe(EXIT_CODES.stsAccessDenied);
      expect(result.stderr).toContain('Not authorized to perform sts:AssumeRoleWithWebIdentity');
      expect(result.stderr).toContain('doctor');
      expect(result.stdout).toBe('');
    });

    it('maps InvalidIdentityToken (v2 token, v1 provider) to exit 9', async () => {
      const result = await run(credentialArgs({ '--client-id': V2_APP.appId, '--role-arn': V2_ROLE }));
      expect(result.code).toBe(EXIT_CODES.stsInvalidIdentityToken);
      expect(result.stderr).toContain(`No OpenIDConnect provider found in your account for https://login.microsoftonline.com/${TENANT}/v2.0`);
      expect(result.stderr).toContain('doctor');
    });

    it('maps ExpiredTokenException to exit 10', async () => {
      const result = await run(credentialArgs({ '--client-id': STALE_APP.appId, '--role-arn': STALE_ROLE }));
      expect(result.code).toBe(EXIT_CODES.stsExpiredToken);
      expect(result.stderr).toContain('Token expired');
      expect(result.stderr).toContain('doctor');
    });
  });

  it('rejects a duration outside 900–43200 seconds naming the flag (exit 2)', async () => {
    const result = await run(credentialArgs({ '--duration-seconds': '60' }));
    expect(result.code).toBe(EXIT_CODES.usage);
    expect(result.stderr).toContain('--duration-seconds must be at least 900');
  });

  describe('doctor', () => {
    it('says the sub does not match, from a policy file, and exits 12', async () => {
      // Prepare
      const policyFile = join(work, 'stale-policy.json');
      writeFileSync(policyFile, JSON.stringify({ Role: { AssumeRolePolicyDocument: trustPolicy(APP.appId, STALE_SP) } }));

      // Act
      const result = await run([
        'doctor',
        ...credentialArgs({ '--role-arn': WRONG_SUB_ROLE, '--trust-policy': policyFile, '--provider-client-ids': APP.appId }).filter(
          (arg, index, all) => !['--sts-endpoint', '--cache-dir'].includes(arg) && !['--sts-endpoint', '--cache-dir'].includes(all[index - 1]),
        ),
      ]);

      // Assess
      expect(result.code).toBe(EXIT_CODES.doctorMismatch);
      expect(result.stdout).toMatch(new RegExp(`MISMATCH subject: The token's sub is ${APP.sp} .* allows only ${STALE_SP}`));
      expect(result.stdout).toMatch(/ok +issuer/);
      expect(result.stdout).toMatch(/ok +audience/);
      expect(result.stdout).toMatch(/ok +expiry/);
    });

    it('explains a v2 token against the v1 provider, reading the role and provider from IAM', async () => {
      // Prepare: the caller's own (fake) AWS credentials, as doctor reads IAM with them
      const tokenFile = join(work, 'v2-token');
      await run([...credentialArgs({ '--client-id': V2_APP.appId, '--token-file': tokenFile })].filter((arg) => arg !== '--role-arn' && arg !== ROLE));
      const awsBefore = aws.requests.length;

      // Act
      const result = await run(['doctor', '--role-arn', V2_ROLE, '--token', tokenFile, '--iam-endpoint', aws.url], {
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      });

      // Assess
      expect(result.code).toBe(EXIT_CODES.doctorMismatch);
      expect(result.stdout).toContain(`MISMATCH issuer: The token's issuer is https://login.microsoftonline.com/${TENANT}/v2.0`);
      expect(result.stdout).toContain('This is a v2 token');
      expect(result.stdout).toContain('MISMATCH token version: The token is a v2.0 token, but the role\'s provider expects v1.0 tokens.');
      expect(result.stdout).toMatch(/ok +audience: The token's azp/);
      expect(aws.requests.slice(awsBefore)).toEqual(['GetRole (signed)', 'GetOpenIDConnectProvider (signed)']);
    });

    it('finds no mismatch for the role the workload belongs to and exits 0', async () => {
      const result = await run(
        ['doctor', ...credentialArgs().filter((arg, index, all) => !['--sts-endpoint', '--cache-dir'].includes(arg) && !['--sts-endpoint', '--cache-dir'].includes(all[index - 1])), '--iam-endpoint', aws.url],
        { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      );
      expect(result.code).toBe(EXIT_CODES.ok);
      expect(result.stdout).not.toContain('MISMATCH');
      expect(result.stdout).toMatch(/ok +provider client IDs/);
      expect(result.stdout).toContain(`entra:client-id=${APP.appId}`);
    });
  });
});
