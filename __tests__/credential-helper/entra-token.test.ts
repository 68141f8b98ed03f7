/**
 * The token sources' own checks, in this process: the workload's PEM before any network call,
 * the files a source reads, and how Entra's and the platforms' refusals become exit codes. The
 * end-to-end runs of the real bin against the loopback fakes are token-sources.test.ts.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { TokenSourceArgs } from '../../credential-helper/args';
import { AADSTS_EXPLANATIONS, explainEntraError, getEntraToken, loadCertificate, thumbprint } from '../../credential-helper/entra-token';
import { EXIT_CODES, HelperError } from '../../credential-helper/exit-codes';
import { refusal } from './support/refusal';

const TENANT = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';
const CLIENT = 'c0ffee00-0000-4000-8000-000000000001';
const DAY = 24 * 3600 * 1000;
const NOT_BEFORE = new Date('2026-01-01T00:00:00Z');
const NOT_AFTER = new Date('2027-01-01T00:00:00Z');
const NOW = new Date('2026-06-01T00:00:00Z');

let work: string;
let pem: { cert: string; key: string; encryptedKey: string; otherKey: string };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'entra-token-'));
  const options = { keySize: 2048, algorithm: 'sha256', notBeforeDate: NOT_BEFORE, notAfterDate: NOT_AFTER } as const;
  const good = await generate([{ name: 'commonName', value: 'workload' }], options);
  const encrypted = await generate([{ name: 'commonName', value: 'workload-encrypted' }], { ...options, passphrase: 'correct horse' });
  const other = await generate([{ name: 'commonName', value: 'another' }], options);
  pem = { cert: good.cert, key: good.private, encryptedKey: `${encrypted.cert}${encrypted.private}`, otherKey: other.private };
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

let files = 0;
function file(content: string): string {
  files += 1;
  const path = join(work, `file-${files}`);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

describe('loadCertificate', () => {
  it('returns the certificate and its private key as PKCS#8, in that order', async () => {
    const loaded = await loadCertificate(file(`${pem.cert}${pem.key}`), undefined, NOW);
    expect(loaded.pem.startsWith(pem.cert.trim())).toBe(true);
    expect(loaded.pem).toMatch(/\n-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n?$/);
    expect(loaded.certificate.subject).toContain('CN=workload');
  });

  it('accepts the key before the certificate', async () => {
    const loaded = await loadCertificate(file(`${pem.key}${pem.cert}`), undefined, NOW);
    expect(loaded.certificate.subject).toContain('CN=workload');
  });

  it.each([
    ['a file that does not exist', () => join(work, 'missing.pem'), /Cannot read --certificate .*ENOENT/],
    ['no private key', () => file(pem.cert), /missing: private key\)/],
    ['no certificate', () => file(pem.key), /missing: certificate\)/],
    ['neither', () => file('hello'), /missing: certificate and private key\)/],
    [
      'a certificate block that is not X.509',
      () => file(`-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n${pem.key}`),
      /not a valid X.509/,
    ],
    ['the key of another certificate', () => file(`${pem.cert}${pem.otherKey}`), /does not belong to its certificate/],
  ])('refuses %s with the certificate exit code', async (_case, path, message) => {
    const error = await refusal(loadCertificate(path(), undefined, NOW));
    expect(error.exitCode).toBe(EXIT_CODES.certificate);
    expect(error.message).toMatch(message);
  });

  it('asks for the password of an encrypted key, refuses a wrong one, and opens it with the right one', async () => {
    const path = file(pem.encryptedKey);
    expect((await refusal(loadCertificate(path, undefined, NOW))).message).toContain('is password-protected');
    const wrong = await refusal(loadCertificate(path, 'battery staple', NOW));
    expect(wrong.exitCode).toBe(EXIT_CODES.certificate);
    expect(wrong.message).toContain('the certificate password is wrong');
    const loaded = await loadCertificate(path, 'correct horse', NOW);
    expect(loaded.pem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(loaded.pem).not.toContain('ENCRYPTED');
  });

  it('refuses a certificate from the moment it expires, and one not yet valid, by the clock it is given', async () => {
    const path = file(`${pem.cert}${pem.key}`);
    const certificate = new X509Certificate(pem.cert);
    const [notBefore, notAfter] = [new Date(certificate.validFrom), new Date(certificate.validTo)];

    await expect(loadCertificate(path, undefined, new Date(notAfter.getTime() - 1000))).resolves.toBeDefined();
    const expired = await refusal(loadCertificate(path, undefined, notAfter));
    expect(expired.message).toContain(`expired on ${notAfter.toISOString()}`);
    expect(expired.message).toContain(thumbprint(certificate));
    await expect(loadCertificate(path, undefined, notBefore)).resolves.toBeDefined();
    const early = await refusal(loadCertificate(path, undefined, new Date(notBefore.getTime() - DAY)));
    expect(early.exitCode).toBe(EXIT_CODES.certificate);
    expect(early.message).toContain(`not valid before ${notBefore.toISOString()}`);
  });

  it('shows the SHA-1 thumbprint as Entra does: 40 hex digits, no colons', async () => {
    const { certificate } = await loadCertificate(file(`${pem.cert}${pem.key}`), undefined, NOW);
    expect(thumbprint(certificate)).toMatch(/^[0-9A-F]{40}$/);
    expect(thumbprint(certificate)).toBe(certificate.fingerprint.split(':').join(''));
  });
});

describe('getEntraToken, before any network call', () => {
  const source = (overrides: Partial<TokenSourceArgs>): TokenSourceArgs => ({
    kind: 'certificate',
    tenantId: TENANT,
    clientId: CLIENT,
    audience: CLIENT,
    // Nothing listens there: a request that gets this far fails, and no real endpoint is called.
    authorityHost: 'https://127.0.0.1:9',
    ...overrides,
  });

  it('reads the password file without its trailing newline, then goes on to Entra', async () => {
    const passwordFile = file('correct horse\n');
    const error = await refusal(getEntraToken(source({ certificate: file(pem.encryptedKey), certificatePasswordFile: passwordFile }), NOW));
    // Past the certificate: Entra's host could not be reached.
    expect(error.exitCode).not.toBe(EXIT_CODES.certificate);
  });

  it('explains a password file it cannot read', async () => {
    const error = await refusal(
      getEntraToken(source({ certificate: file(pem.encryptedKey), certificatePasswordFile: join(work, 'no-password') }), NOW),
    );
    expect(error.exitCode).toBe(EXIT_CODES.certificate);
    expect(error.message).toContain('Cannot read --certificate-password-file');
  });

  it('takes the password given directly when there is no password file', async () => {
    const wrong = await refusal(getEntraToken(source({ certificate: file(pem.encryptedKey), certificatePassword: 'battery staple' }), NOW));
    expect(wrong.message).toContain('the certificate password is wrong');
  });

  it.each([
    ['missing', () => join(work, 'no-token'), 'Cannot read the federated token file'],
    ['empty', () => file('  \n'), 'is empty'],
  ])('explains a federated token file that is %s (no token from the platform)', async (_case, path, message) => {
    const error = await refusal(getEntraToken(source({ kind: 'workload-identity', federatedTokenFile: path() }), NOW));
    expect(error.exitCode).toBe(EXIT_CODES.tokenSourceUnavailable);
    expect(error.message).toContain(message);
  });

  it.each([
    ['a JWT', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YTpiIn0.c2ln'],
    ['not a JWT', 'not-a-jwt'],
  ])('goes on to Entra with a federated token file that holds %s (Entra judges the token)', async (_case, token) => {
    const error = await refusal(getEntraToken(source({ kind: 'workload-identity', federatedTokenFile: file(`${token}\n`) }), NOW));
    // Past the file: Entra's host could not be reached.
    expect(error.exitCode).not.toBe(EXIT_CODES.tokenSourceUnavailable);
  });

  it('strips only the one trailing newline of a password file', async () => {
    const generated = await generate([{ name: 'commonName', value: 'two-lines' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: NOT_BEFORE,
      notAfterDate: NOT_AFTER,
      passphrase: 'two\nlines',
    });
    const certificate = file(`${generated.cert}${generated.private}`);
    const error = await refusal(getEntraToken(source({ certificate, certificatePasswordFile: file('two\nlines\n') }), NOW));
    expect(error.exitCode).not.toBe(EXIT_CODES.certificate);
  }, 60_000);

  it('explains a GitHub job that has no OIDC request', async () => {
    const error = await refusal(getEntraToken(source({ kind: 'github-actions', githubTokenRequest: {} }), NOW));
    expect(error.exitCode).toBe(EXIT_CODES.tokenSourceUnavailable);
  });
});

describe('explainEntraError', () => {
  const context = (kind: TokenSourceArgs['kind']) => ({
    source: { kind, tenantId: TENANT, clientId: CLIENT, audience: CLIENT } satisfies TokenSourceArgs,
    assertion: {
      iss: 'https://token.actions.githubusercontent.com',
      sub: 'repo:o/r:ref:refs/heads/main',
      aud: 'api://AzureADTokenExchange',
      exp: 1_800_000_000,
    },
  });
  const entra = (code: string) => new Error(`AADSTS${code}: something went wrong.\nTrace ID: 1\nCorrelation ID: 2`);

  it.each([
    ['700016', 'certificate', EXIT_CODES.entraUnknownClient],
    ['7000229', 'workload-identity', EXIT_CODES.entraUnknownClient],
    ['700027', 'certificate', EXIT_CODES.entraCertificateNotRegistered],
    ['90002', 'github-actions', EXIT_CODES.entraTenantNotFound],
    ['500011', 'managed-identity', EXIT_CODES.entraOther],
    ['50001', 'certificate', EXIT_CODES.entraOther],
    ['70021', 'github-actions', EXIT_CODES.entraFederatedCredentialMismatch],
    ['700211', 'workload-identity', EXIT_CODES.entraFederatedCredentialMismatch],
    ['700212', 'github-actions', EXIT_CODES.entraFederatedCredentialMismatch],
    ['700213', 'workload-identity', EXIT_CODES.entraFederatedCredentialMismatch],
    ['700024', 'github-actions', EXIT_CODES.entraFederatedCredentialMismatch],
  ] as const)('gives AADSTS%s from a %s source its own exit code', (code, kind, exitCode) => {
    expect(explainEntraError(entra(code), context(kind)).exitCode).toBe(exitCode);
  });

  it.each([
    ['700027', 'github-actions'],
    ['70021', 'certificate'],
    ['700024', 'managed-identity'],
  ] as const)(
    'does not explain AADSTS%s for a %s source, where it cannot mean the same: the generic refusal, with the code',
    (code, kind) => {
      const error = explainEntraError(entra(code), context(kind));
      expect(error.exitCode).toBe(EXIT_CODES.entraOther);
      expect(error.message).toContain(`(AADSTS${code})`);
      expect(error.message).toContain(`AADSTS${code}: something went wrong.`);
    },
  );

  it('names the presented token and the subject form of its platform in a federated mismatch', () => {
    const github = explainEntraError(entra('700213'), context('github-actions')).message;
    const kubernetes = explainEntraError(entra('700213'), context('workload-identity')).message;
    expect(github).toContain('subject repo:o/r:ref:refs/heads/main');
    expect(github).toContain('repo:OWNER/REPO:ref:refs/heads/BRANCH');
    expect(kubernetes).toContain('system:serviceaccount:NAMESPACE:SERVICE-ACCOUNT');
    expect(explainEntraError(entra('700024'), context('github-actions')).message).toContain(new Date(1_800_000_000_000).toISOString());
  });

  it.each([
    ['70021', 'the issuer, subject and audience'],
    ['700211', 'the issuer'],
    ['700212', 'the audience'],
    ['700213', 'the subject'],
  ])('says which claim of the presented token matched no federated credential for AADSTS%s: %s', (code, what) => {
    expect(explainEntraError(entra(code), context('workload-identity')).message).toContain(
      `on application ${CLIENT} matching ${what} of the presented token (AADSTS${code})`,
    );
  });

  it('explains AADSTS50001, the older code of an unknown resource, as AADSTS500011', () => {
    const older = explainEntraError(entra('50001'), context('certificate')).message;
    expect(older).toBe(explainEntraError(entra('500011'), context('certificate')).message);
    expect(older).toContain(`Entra has no application ${CLIENT} to issue a token for`);
  });

  it('passes a HelperError through as it is', () => {
    const own = new HelperError(EXIT_CODES.certificate, 'already explained');
    expect(explainEntraError(own, context('certificate'))).toBe(own);
  });

  it('explains a managed identity endpoint without an Entra code: not assigned, or none at all', () => {
    const notFound = explainEntraError(new Error('ManagedIdentityCredential: Identity not found\nmore'), context('managed-identity'));
    const absent = explainEntraError(new Error('ManagedIdentityCredential: connect ECONNREFUSED'), context('managed-identity'));
    expect([notFound.exitCode, absent.exitCode]).toEqual([EXIT_CODES.tokenSourceUnavailable, EXIT_CODES.tokenSourceUnavailable]);
    expect(notFound.message).toContain(`with client ID ${CLIENT}`);
    expect(notFound.message).toContain('The endpoint said: Identity not found');
    expect(absent.message).toContain('No managed identity token: connect ECONNREFUSED.');
  });

  it("drops only a leading credential name from the managed identity endpoint's words", () => {
    const quoted = explainEntraError(new Error('IMDS said: ManagedIdentityCredential: Identity not found'), context('managed-identity'));
    expect(quoted.message).toContain('The endpoint said: IMDS said: ManagedIdentityCredential: Identity not found');
  });

  it('takes a tenant whose OpenID configuration cannot be read as not found', () => {
    for (const message of ['openid_config_error: could not resolve endpoints', 'endpoints_resolution_error: x']) {
      expect(explainEntraError(new Error(message), context('certificate')).exitCode).toBe(EXIT_CODES.entraTenantNotFound);
    }
  });

  it('reports anything else as a refusal by Entra, with its first AADSTS line, or its first line', () => {
    const unknown = explainEntraError(new Error('request failed\nAADSTS123456: odd  \nmore'), context('certificate'));
    const bare = explainEntraError('socket hang up', context('certificate'));
    expect(unknown.exitCode).toBe(EXIT_CODES.entraOther);
    expect(unknown.message).toBe('Entra refused the token request (AADSTS123456): AADSTS123456: odd');
    expect(bare.message).toBe('Entra refused the token request: socket hang up');
  });

  it('explains every code it lists', () => {
    for (const code of Object.keys(AADSTS_EXPLANATIONS)) {
      const kind = AADSTS_EXPLANATIONS[code]!.sources?.[0] ?? 'certificate';
      expect({ code, exitCode: explainEntraError(entra(code), context(kind)).exitCode }).toEqual({
        code,
        exitCode: AADSTS_EXPLANATIONS[code]!.exitCode,
      });
    }
  });
});
