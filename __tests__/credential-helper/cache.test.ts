import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheFilePath, readCachedCredentials, writeCachedCredentials, type ProcessCredentials } from '../../credential-helper/cache';

const NOW = new Date('2026-03-01T12:00:00Z');
const key = { tenantId: 't', clientId: 'c', roleArn: 'arn:aws:iam::111122223333:role/r' };

function credentials(expiresInMs: number): ProcessCredentials {
  return {
    Version: 1,
    AccessKeyId: 'ASIAEXAMPLE',
    SecretAccessKey: 'secret',
    SessionToken: 'token',
    Expiration: new Date(NOW.getTime() + expiresInMs).toISOString(),
  };
}

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'helper-cache-')), 'nested');
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

describe('credential cache', () => {
  it('keys files per role and client', () => {
    expect(cacheFilePath(dir, key)).not.toBe(cacheFilePath(dir, { ...key, roleArn: 'arn:aws:iam::111122223333:role/other' }));
    expect(cacheFilePath(dir, key)).not.toBe(cacheFilePath(dir, { ...key, clientId: 'd' }));
    expect(cacheFilePath(dir, key)).toBe(cacheFilePath(dir, { ...key }));
  });

  it('writes a 0600 file in a 0700 directory and leaves no temporary file', async () => {
    const file = cacheFilePath(dir, key);
    await writeCachedCredentials(file, credentials(3600_000));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual([file.split('/').at(-1)]);
  });

  it('returns credentials valid for more than five minutes and drops those that are not', async () => {
    const file = cacheFilePath(dir, key);
    await writeCachedCredentials(file, credentials(5 * 60_000 + 1000));
    expect(await readCachedCredentials(file, NOW)).toEqual(credentials(5 * 60_000 + 1000));
    await writeCachedCredentials(file, credentials(5 * 60_000));
    expect(await readCachedCredentials(file, NOW)).toBeUndefined();
  });

  it('ignores a cache file other users can read', async () => {
    const file = cacheFilePath(dir, key);
    await writeCachedCredentials(file, credentials(3600_000));
    chmodSync(file, 0o644);
    expect(await readCachedCredentials(file, NOW)).toBeUndefined();
  });

  it('ignores a corrupt cache file', async () => {
    const file = cacheFilePath(dir, key);
    await writeCachedCredentials(file, credentials(3600_000));
    writeFileSync(file, '{"Version": 1, "AccessKeyId"', { mode: 0o600 });
    expect(await readCachedCredentials(file, NOW)).toBeUndefined();
  });
});
