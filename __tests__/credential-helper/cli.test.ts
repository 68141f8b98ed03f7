/**
 * End to end: the real `entra-aws-credentials` bin, as a child process, through the real
 * @azure/identity and @aws-sdk/client-sts clients, against loopback HTTPS fakes of Entra
 * and STS/IAM (support/world.ts). The other token sources are in token-sources.test.ts.
 */
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseHelperArgs, type CredentialsArgs } from '../../credential-helper/args';
import { cacheEntry, writeCachedCredentials } from '../../credential-helper/cache';
import { credentialsCacheKey, runCli } from '../../credential-helper/cli';
import { EXIT_CODES } from '../../credential-helper/exit-codes';
import {
  APP,
  EXPIRED_KEY_APP,
  OTHER_TENANT,
  ROLE,
  STALE_APP,
  STALE_ROLE,
  STALE_SP,
  TENANT,
  UNKNOWN_CLIENT,
  V2_APP,
  V2_ROLE,
  WRONG_SUB_ROLE,
  startWorld,
  trustPolicy,
  without,
  type World,
} from './support/world';

let world: World;
let work: string;
let certs: World['certs'];
let run: World['run'];
let credentialArgs: World['credentialArgs'];
let requestCounts: World['requestCounts'];

beforeAll(async () => {
  world = await startWorld();
  ({ work, certs, run, credentialArgs, requestCounts } = world);
});

afterAll(async () => {
  await world?.stop();
});

describe('entra-aws-credentials', () => {
  it('prints credential_process JSON from an unsigned AssumeRoleWithWebIdentity and caches it user-only', async () => {
    // Prepare
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    const stsCallsBefore = world.aws.requests.length;

    // Act
    const result = await run(credentialArgs({ '--duration-seconds': '900' }, cacheDir));

    // Assess
    // Nothing on stderr: the helper says nothing on success, and on Node.js 22 (.nvmrc) the AWS SDK
    // prints no NodeVersionSupportWarning either.
    expect(result.stderr).toBe('');
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
    expect(world.aws.requests.slice(stsCallsBefore)).toEqual(['AssumeRoleWithWebIdentity']);
    const files = readdirSync(cacheDir);
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
    const file = join(cacheDir, readdirSync(cacheDir)[0]);
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { credentials: Record<string, string> };
    cached.credentials.Expiration = new Date(Date.now() + 4 * 60_000).toISOString();
    writeFileSync(file, JSON.stringify(cached), { mode: 0o600 });
    const stsCallsBefore = world.aws.requests.length;

    // Act
    const result = await run(credentialArgs({}, cacheDir));

    // Assess
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(world.aws.requests.length).toBe(stsCallsBefore + 1);
    expect(JSON.parse(result.stdout).AccessKeyId).not.toBe(cached.credentials.AccessKeyId);
  });

  it('writes the raw Entra token to a 0600 file in --token-file mode without calling STS', async () => {
    // Prepare
    const tokenFile = join(work, 'tokens', 'web-identity-token');
    const stsCallsBefore = world.aws.requests.length;

    // Act
    const result = await run([...credentialArgs({ '--token-file': tokenFile }).filter((arg) => arg !== '--role-arn' && arg !== ROLE)]);

    // Assess
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(result.stdout).toBe('');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const claims = JSON.parse(Buffer.from(readFileSync(tokenFile, 'utf8').split('.')[1], 'base64url').toString()) as Record<string, string>;
    expect(claims).toMatchObject({ aud: APP.appId, sub: APP.sp, iss: `https://sts.windows.net/${TENANT}/`, ver: '1.0' });
    expect(world.aws.requests.length).toBe(stsCallsBefore);
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
        Object.entries(overrides).map(([flag, value]) => [
          flag,
          flag === '--certificate' && value in certs ? certs[value as keyof typeof certs] : value,
        ]),
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
      expect(result.stderr).toContain(
        `No OpenIDConnect provider found in your account for https://login.microsoftonline.com/${TENANT}/v2.0`,
      );
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
          (arg, index, all) =>
            !['--sts-endpoint', '--cache-dir'].includes(arg) && !['--sts-endpoint', '--cache-dir'].includes(all[index - 1]),
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
      await run(
        [...credentialArgs({ '--client-id': V2_APP.appId, '--token-file': tokenFile })].filter(
          (arg) => arg !== '--role-arn' && arg !== ROLE,
        ),
      );
      const awsBefore = world.aws.requests.length;

      // Act
      const result = await run(['doctor', '--role-arn', V2_ROLE, '--token', tokenFile, '--iam-endpoint', world.aws.url], {
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      });

      // Assess
      expect(result.code).toBe(EXIT_CODES.doctorMismatch);
      expect(result.stdout).toContain(`MISMATCH issuer: The token's issuer is https://login.microsoftonline.com/${TENANT}/v2.0`);
      expect(result.stdout).toContain('This is a v2 token');
      expect(result.stdout).toContain("MISMATCH token version: The token is a v2.0 token, but the role's provider expects v1.0 tokens.");
      expect(result.stdout).toMatch(/ok +audience: The token's azp/);
      expect(world.aws.requests.slice(awsBefore)).toEqual(['GetRole (signed)', 'GetOpenIDConnectProvider (signed)']);
    });

    it('finds no mismatch for the role the workload belongs to and exits 0', async () => {
      const result = await run(
        [
          'doctor',
          ...credentialArgs().filter(
            (arg, index, all) =>
              !['--sts-endpoint', '--cache-dir'].includes(arg) && !['--sts-endpoint', '--cache-dir'].includes(all[index - 1]),
          ),
          '--iam-endpoint',
          world.aws.url,
        ],
        { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      );
      expect(result.code).toBe(EXIT_CODES.ok);
      expect(result.stdout).not.toContain('MISMATCH');
      expect(result.stdout).toMatch(/ok +provider client IDs/);
      expect(result.stdout).toContain(`entra:client-id=${APP.appId}`);
    });
  });
});

/** Every entry of a directory with its content and modification time: equal snapshots mean nothing was read-modified or written. */
function snapshot(dir: string): Record<string, { content: string; mtimeMs: number; mode: number }> {
  return Object.fromEntries(
    readdirSync(dir).map((name) => {
      const file = join(dir, name);
      const info = statSync(file);
      return [name, { content: readFileSync(file, 'utf8'), mtimeMs: info.mtimeMs, mode: info.mode }];
    }),
  );
}

describe('the credential cache, end to end', () => {
  it('refuses a cache directory other users can write to, before any network call (exit 15)', async () => {
    // Prepare
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    chmodSync(cacheDir, 0o777);
    const before = requestCounts();

    // Act
    const result = await run(credentialArgs({}, cacheDir));

    // Assess
    expect(result.code).toBe(EXIT_CODES.insecureLocation);
    expect(result.stderr).toContain(`The credential cache directory ${cacheDir} has mode 0777`);
    expect(result.stderr).toContain(`chmod 700 ${cacheDir}`);
    expect(result.stdout).toBe('');
    expect(requestCounts()).toEqual(before);
  });

  it('refuses a cache directory reached through a symbolic link (exit 15)', async () => {
    // Prepare
    const real = mkdtempSync(join(work, 'cache-'));
    const link = join(work, `cache-link-${Date.now()}`);
    symlinkSync(real, link);

    // Act
    const result = await run(credentialArgs({}, link));

    // Assess
    expect(result.code).toBe(EXIT_CODES.insecureLocation);
    expect(result.stderr).toContain('is a symbolic link');
    expect(readdirSync(real)).toEqual([]);
  });

  it('--no-cache neither reads nor writes the cache', async () => {
    // Prepare: a valid entry planted for exactly this request, which a cached call returns
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    const args = credentialArgs({}, cacheDir);
    const planted = {
      Version: 1 as const,
      AccessKeyId: 'ASIAPLANTEDINCACHE00',
      SecretAccessKey: 's',
      SessionToken: 't',
      Expiration: new Date(Date.now() + 3600_000).toISOString(),
    };
    await writeCachedCredentials(cacheEntry(cacheDir, credentialsCacheKey(parseHelperArgs(args, {}) as CredentialsArgs)), planted);
    const before = snapshot(cacheDir);
    const stsCallsBefore = world.aws.requests.length;
    const absentDir = join(work, `never-created-${Date.now()}`);

    // Act
    const uncached = await run([...args, '--no-cache']);
    const uncachedElsewhere = await run([...credentialArgs({}, absentDir), '--no-cache']);
    const cached = await run(args);

    // Assess
    expect(uncached.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(uncached.stdout).AccessKeyId).not.toBe(planted.AccessKeyId);
    expect(world.aws.requests.length).toBe(stsCallsBefore + 2);
    expect(snapshot(cacheDir)).toEqual(before);
    expect(uncachedElsewhere.code).toBe(EXIT_CODES.ok);
    expect(existsSync(absentDir)).toBe(false);
    // The control: without --no-cache the planted entry is what comes back.
    expect(JSON.parse(cached.stdout).AccessKeyId).toBe(planted.AccessKeyId);
  });

  it('--no-cache does not even look at an unsafe cache directory', async () => {
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    chmodSync(cacheDir, 0o777);
    const result = await run([...credentialArgs({}, cacheDir), '--no-cache']);
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('does not use a group-readable (0640) cache file, says so, and replaces it with a 0600 one', async () => {
    // Prepare
    const cacheDir = mkdtempSync(join(work, 'cache-'));
    const first = await run(credentialArgs({}, cacheDir));
    const [name] = readdirSync(cacheDir);
    chmodSync(join(cacheDir, name), 0o640);
    const stsCallsBefore = world.aws.requests.length;

    // Act
    const second = await run(credentialArgs({}, cacheDir));

    // Assess
    expect(second.code).toBe(EXIT_CODES.ok);
    expect(world.aws.requests.length).toBe(stsCallsBefore + 1);
    expect(JSON.parse(second.stdout).AccessKeyId).not.toBe(JSON.parse(first.stdout).AccessKeyId);
    expect(second.stderr).toContain('its mode is 0640, not 0600');
    expect(lstatSync(join(cacheDir, name)).mode & 0o777).toBe(0o600);
  });
});

describe('endpoint overrides accept only https://, or http:// to loopback', () => {
  const clearText = 'http://192.0.2.10:8080';

  it.each([
    ['--sts-endpoint', { flag: clearText }, '--sts-endpoint (or ENTRA_AWS_STS_ENDPOINT) must be https://'],
    ['ENTRA_AWS_STS_ENDPOINT', { ENTRA_AWS_STS_ENDPOINT: clearText }, '--sts-endpoint (or ENTRA_AWS_STS_ENDPOINT) must be https://'],
    ['AWS_ENDPOINT_URL_STS', { AWS_ENDPOINT_URL_STS: clearText }, 'AWS_ENDPOINT_URL_STS must be https://'],
    ['AWS_ENDPOINT_URL', { AWS_ENDPOINT_URL: clearText }, 'AWS_ENDPOINT_URL must be https://'],
  ])('refuses a clear-text %s before any network call (exit 2)', async (_name, setting, message) => {
    // Prepare
    const { flag, ...env } = setting as Record<string, string>;
    const args = without(credentialArgs(), '--sts-endpoint');
    const before = requestCounts();

    // Act
    const result = await run(flag ? [...args, '--sts-endpoint', flag] : args, env);

    // Assess
    expect(result.code).toBe(EXIT_CODES.usage);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('192.0.2.10 is not one');
    expect(requestCounts()).toEqual(before);
  });

  it('refuses a clear-text endpoint_url from the AWS profile when the request is built, so the token is never sent', async () => {
    // Prepare: the SDK's own configured endpoint, which no flag of ours names
    const config = join(work, 'clear-text-profile');
    writeFileSync(config, `[default]\nendpoint_url = ${'http://192.0.2.10:8080'}\n`);
    const stsCallsBefore = world.aws.requests.length;

    // Act
    const result = await run(without(credentialArgs(), '--sts-endpoint'), { AWS_CONFIG_FILE: config });

    // Assess
    expect(result.code).toBe(EXIT_CODES.usage);
    expect(result.stderr).toContain('The STS endpoint http://192.0.2.10:8080 must be https://');
    expect(result.stderr).toContain('endpoint_url');
    expect(world.aws.requests.length).toBe(stsCallsBefore);
  });

  it('lets http:// to a loopback address through (the call then fails on the closed port, not on the rule)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const result = await run(credentialArgs({ '--sts-endpoint': `http://127.0.0.1:${closed}` }));
    expect(result.code).toBe(EXIT_CODES.stsOther);
    expect(result.stderr).not.toContain('must be https://');
  });
});

describe('certificate password', () => {
  it('warns that --certificate-password is visible in the process list', async () => {
    const result = await run(credentialArgs({ '--certificate': certs.encrypted, '--certificate-password': 'correct horse' }));
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(result.stderr).toContain('warning: --certificate-password is visible to every local user in the process list');
    expect(result.stderr).toContain('--certificate-password-file');
  });

  it('reads --certificate-password-file (one trailing newline dropped) or ENTRA_AWS_CERTIFICATE_PASSWORD without a warning', async () => {
    // Prepare
    const passwordFile = join(work, 'password');
    writeFileSync(passwordFile, 'correct horse\n', { mode: 0o600 });

    // Act
    const fromFile = await run(credentialArgs({ '--certificate': certs.encrypted, '--certificate-password-file': passwordFile }));
    const fromEnvironment = await run(credentialArgs({ '--certificate': certs.encrypted }), {
      ENTRA_AWS_CERTIFICATE_PASSWORD: 'correct horse',
    });

    // Assess
    for (const result of [fromFile, fromEnvironment]) {
      expect(result.code).toBe(EXIT_CODES.ok);
      expect(result.stderr).not.toContain('entra-aws-credentials: warning');
    }
  });
});

describe('exit codes', () => {
  it('exits 1 on an unexpected error, never 0', async () => {
    // Prepare: a failure no code path explains (the clock itself throws)
    const stderr: string[] = [];
    const io = {
      env: {},
      stdout: () => undefined,
      stderr: (text: string) => void stderr.push(text),
      now: (): Date => {
        throw new TypeError('the clock broke');
      },
    };

    // Act
    const code = await runCli(credentialArgs(), io);

    // Assess: 1 is the documented code (docs test ties the table to EXIT_CODES)
    expect(code).toBe(1);
    expect(stderr.join('')).toContain('unexpected error: TypeError: the clock broke');
  });
});
