import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cacheEntry,
  readCachedCredentials,
  writeCachedCredentials,
  writePrivateFile,
  type CacheEntry,
  type CacheKey,
  type ProcessCredentials,
} from '../../credential-helper/cache';
import { EXIT_CODES, HelperError } from '../../credential-helper/exit-codes';

// The module object itself (an ES namespace import would be a frozen copy): cache.ts calls its functions through it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fsPromises: typeof import('node:fs/promises') = require('node:fs/promises');

const NOW = new Date('2026-03-01T12:00:00Z');

/** Every field set, so the test below varies each one. */
const key: Required<CacheKey> = {
  tenantId: 'aaaabbbb-0000-cccc-1111-dddd2222eeee',
  clientId: '00001111-aaaa-2222-bbbb-3333cccc4444',
  roleArn: 'arn:aws:iam::111122223333:role/r',
  roleSessionName: 'ci',
  durationSeconds: 3600,
  tokenSource: 'certificate:/home/me/workload.pem',
  audience: '00001111-aaaa-2222-bbbb-3333cccc4444',
  region: 'eu-central-1',
  stsEndpoint: 'https://sts.eu-central-1.amazonaws.com',
  authorityHost: 'https://login.microsoftonline.com',
};

function credentials(expiresInMs: number, accessKeyId = 'ASIAEXAMPLE'): ProcessCredentials {
  return {
    Version: 1,
    AccessKeyId: accessKeyId,
    SecretAccessKey: 'secret',
    SessionToken: 'token',
    Expiration: new Date(NOW.getTime() + expiresInMs).toISOString(),
  };
}

let root: string;
let dir: string;
let entry: CacheEntry;
let warnings: string[];
const warn = (message: string) => void warnings.push(message);
const read = () => readCachedCredentials(entry, NOW, warn);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'helper-cache-'));
  dir = join(root, 'nested');
  entry = cacheEntry(dir, key);
  warnings = [];
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

async function refusal(action: () => Promise<unknown>): Promise<string> {
  const error = await action().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(HelperError);
  expect((error as HelperError).exitCode).toBe(EXIT_CODES.insecureLocation);
  return (error as HelperError).message;
}

describe('cache key', () => {
  it.each(Object.keys(key) as (keyof CacheKey)[])('gives a different entry when %s differs', (field) => {
    const changed = { ...key, [field]: typeof key[field] === 'number' ? 900 : `${String(key[field])}-other` };
    expect(cacheEntry(dir, changed).file).not.toBe(entry.file);
  });

  it('tells an unset field from a set one, and is stable for equal keys', () => {
    expect(cacheEntry(dir, { ...key, roleSessionName: undefined }).file).not.toBe(entry.file);
    expect(cacheEntry(dir, { ...key }).file).toBe(entry.file);
  });
});

describe('credential cache', () => {
  it('creates a 0700 directory, writes a 0600 file, and leaves no temporary file', async () => {
    await writeCachedCredentials(entry, credentials(3600_000));
    expect(statSync(entry.file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual([entry.file.split('/').at(-1)]);
  });

  it('returns credentials valid for more than five minutes and drops those that are not', async () => {
    await writeCachedCredentials(entry, credentials(5 * 60_000 + 1000));
    expect(await read()).toEqual(credentials(5 * 60_000 + 1000));
    await writeCachedCredentials(entry, credentials(5 * 60_000));
    expect(await read()).toBeUndefined();
  });

  it('ignores a corrupt cache file', async () => {
    await writeCachedCredentials(entry, credentials(3600_000));
    writeFileSync(entry.file, '{"version": 2, "key"', { mode: 0o600 });
    expect(await read()).toBeUndefined();
  });

  it("does not serve another request's entry copied under this request's name", async () => {
    // Prepare: a valid entry of another role, under this entry's file name
    const other = cacheEntry(dir, { ...key, roleArn: 'arn:aws:iam::111122223333:role/admin' });
    await writeCachedCredentials(other, credentials(3600_000, 'ASIAADMINROLE'));
    renameSync(other.file, entry.file);

    // Act + Assess
    expect(await read()).toBeUndefined();
  });
});

describe('cache directory attacks (refused, exit 15)', () => {
  it.each([0o770, 0o750, 0o707, 0o757, 0o777])('refuses a directory with mode %o, on read and on write', async (mode) => {
    // Prepare
    await writeCachedCredentials(entry, credentials(3600_000));
    chmodSync(dir, mode);

    // Act
    const onRead = await refusal(read);
    const onWrite = await refusal(() => writeCachedCredentials(entry, credentials(3600_000)));

    // Assess
    expect(onRead).toContain(`has mode 0${mode.toString(8)}; it must be 0700`);
    expect(onRead).toContain(`chmod 700 ${dir}`);
    expect(onWrite).toBe(onRead);
  });

  it('refuses a directory owned by another user', async () => {
    // Prepare: the directory is ours; the helper is told it runs as another uid
    await writeCachedCredentials(entry, credentials(3600_000));
    const owner = statSync(dir).uid;
    jest.spyOn(process, 'getuid').mockReturnValue(owner + 1000);

    // Act
    const message = await refusal(read);

    // Assess
    expect(message).toContain(`belongs to uid ${owner}, not to you (uid ${owner + 1000})`);
    expect(message).toContain('--cache-dir');
  });

  it('refuses a cache directory that is a symbolic link, even to a safe directory', async () => {
    // Prepare
    const target = join(root, 'elsewhere');
    mkdirSync(target, { mode: 0o700 });
    symlinkSync(target, dir);

    // Act
    const onRead = await refusal(read);
    const onWrite = await refusal(() => writeCachedCredentials(entry, credentials(3600_000)));

    // Assess
    expect(onRead).toContain('is a symbolic link');
    expect(onWrite).toContain('is a symbolic link');
    expect(readdirSync(target)).toEqual([]);
  });
});

describe('cache file attacks (ignored and replaced)', () => {
  it('does not use a group-readable (0640) cache file', async () => {
    await writeCachedCredentials(entry, credentials(3600_000));
    chmodSync(entry.file, 0o640);
    expect(await read()).toBeUndefined();
    expect(warnings.join('\n')).toContain('its mode is 0640, not 0600');
  });

  it('does not follow a symbolic link planted as the cache file, and replaces the link, not its target', async () => {
    // Prepare: the link points at credentials the attacker chose (a readable, valid-looking entry)
    mkdirSync(dir, { mode: 0o700 });
    const planted = join(root, 'planted.json');
    writeFileSync(planted, JSON.stringify({ version: 2, key: entry.digest, credentials: credentials(3600_000, 'ASIAATTACKER') }), {
      mode: 0o600,
    });
    symlinkSync(planted, entry.file);
    const plantedBefore = readFileSync(planted, 'utf8');

    // Act
    const returned = await read();
    await writeCachedCredentials(entry, credentials(3600_000, 'ASIAFRESH'));

    // Assess
    expect(returned).toBeUndefined();
    expect(warnings.join('\n')).toContain('it is a symbolic link');
    expect(lstatSync(entry.file).isSymbolicLink()).toBe(false);
    expect(readFileSync(planted, 'utf8')).toBe(plantedBefore);
    expect((await read())?.AccessKeyId).toBe('ASIAFRESH');
  });

  it('does not use a cache file with a second hard link', async () => {
    await writeCachedCredentials(entry, credentials(3600_000));
    linkSync(entry.file, join(root, 'second-name'));
    expect(await read()).toBeUndefined();
    expect(warnings.join('\n')).toContain('2 hard links');
  });

  it('does not hang on a FIFO planted as the cache file', async () => {
    mkdirSync(dir, { mode: 0o700 });
    execFileSync('mkfifo', ['-m', '600', entry.file]);
    expect(await read()).toBeUndefined();
    expect(warnings.join('\n')).toContain('not a regular file');
  });

  it('cannot return a file substituted between any check and the read: what is checked is the open descriptor', async () => {
    // Prepare: a valid 0600 entry; on the helper's first access to the file (open or read),
    // an attacker's world-readable file with other keys is renamed into its place.
    await writeCachedCredentials(entry, credentials(3600_000, 'ASIAOWNKEYS'));
    const attacker = join(dir, 'attacker.json');
    writeFileSync(attacker, JSON.stringify({ version: 2, key: entry.digest, credentials: credentials(3600_000, 'ASIAATTACKER') }));
    chmodSync(attacker, 0o644);
    let substituted = false;
    const substitute = (path: unknown) => {
      if (!substituted && String(path) === entry.file) {
        renameSync(attacker, entry.file);
        substituted = true;
      }
    };
    const realOpen = fsPromises.open;
    const realReadFile = fsPromises.readFile;
    jest.spyOn(fsPromises, 'open').mockImplementation(((path: Parameters<typeof realOpen>[0], ...rest: unknown[]) => {
      substitute(path);
      return (realOpen as (...args: unknown[]) => unknown)(path, ...rest);
    }) as typeof realOpen);
    jest.spyOn(fsPromises, 'readFile').mockImplementation(((path: Parameters<typeof realReadFile>[0], ...rest: unknown[]) => {
      substitute(path);
      return (realReadFile as (...args: unknown[]) => unknown)(path, ...rest);
    }) as typeof realReadFile);

    // Act
    const returned = await read();

    // Assess
    expect(substituted).toBe(true);
    expect(returned).toBeUndefined();
    expect(warnings.join('\n')).toContain('its mode is 0644, not 0600');
  });
});

describe('--token-file writes', () => {
  it('refuses a directory others may write to without the sticky bit', async () => {
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const message = await refusal(() => writePrivateFile(join(shared, 'token'), 'eyJ.x.y'));
    expect(message).toContain('other users may replace the token');
    expect(readdirSync(shared)).toEqual([]);
  });

  it('accepts a sticky world-writable directory (as /tmp) and replaces a planted symbolic link instead of writing through it', async () => {
    // Prepare
    const sticky = join(root, 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    const victim = join(root, 'victim');
    writeFileSync(victim, 'do not overwrite');
    symlinkSync(victim, join(sticky, 'token'));

    // Act
    await writePrivateFile(join(sticky, 'token'), 'eyJ.x.y');

    // Assess
    expect(readFileSync(victim, 'utf8')).toBe('do not overwrite');
    expect(lstatSync(join(sticky, 'token')).isSymbolicLink()).toBe(false);
    expect(statSync(join(sticky, 'token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(sticky, 'token'), 'utf8')).toBe('eyJ.x.y');
  });
});
