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
  type Stats,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
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

/** An errno error as node:fs rejects with. */
function errno(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${syscall} '${path}'`), { code, syscall, path });
}

/** The helper runs as `uid`, and (l)stat reports `path` as owned by `owner`: ownership by others without needing root. */
function ownership(method: 'lstat' | 'stat', path: string, uid: number, owner: number): void {
  jest.spyOn(process, 'getuid').mockReturnValue(uid);
  const real = fsPromises[method];
  jest.spyOn(fsPromises, method).mockImplementation((async (target: string, ...rest: unknown[]) => {
    const info = await (real as (...args: unknown[]) => Promise<Stats>)(target, ...rest);
    if (String(target) === path) info.uid = owner;
    return info;
  }) as typeof real);
}

/** Every FileHandle the module opens, to check they are closed. */
function recordOpenedHandles(): FileHandle[] {
  const handles: FileHandle[] = [];
  const realOpen = fsPromises.open;
  jest.spyOn(fsPromises, 'open').mockImplementation((async (...args: unknown[]) => {
    const handle = await (realOpen as (...a: unknown[]) => Promise<FileHandle>)(...args);
    handles.push(handle);
    return handle;
  }) as typeof realOpen);
  return handles;
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

  it('is a silent miss when the cache directory or the cache file does not exist yet, and creates nothing on read', async () => {
    // Act + Assess: no directory
    expect(await read()).toBeUndefined();
    expect(readdirSync(root)).toEqual([]);

    // Act + Assess: the directory, but no file
    mkdirSync(dir, { mode: 0o700 });
    expect(await read()).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('fails, rather than reporting a miss, when the cache directory cannot be examined for another reason than absence', async () => {
    // Prepare: a path component of the cache directory is a regular file
    writeFileSync(join(root, 'file'), '');
    entry = cacheEntry(join(root, 'file', 'nested'), key);

    // Act + Assess
    await expect(read()).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('writes the whole entry, and reads back exactly the credentials written', async () => {
    await writeCachedCredentials(entry, credentials(3600_000));
    expect(JSON.parse(readFileSync(entry.file, 'utf8'))).toEqual({ version: 2, key: entry.digest, credentials: credentials(3600_000) });
    expect(await read()).toEqual(credentials(3600_000));
  });

  const valid = credentials(3600_000);
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["an older helper's format (version 1)", { version: 1 }, {}],
    ['a numeric AccessKeyId', {}, { AccessKeyId: 12345 }],
    ['a null SecretAccessKey', {}, { SecretAccessKey: null }],
    ['no SessionToken', {}, { SessionToken: undefined }],
    // An array would pass Date.parse (it is converted to its string) but is no credential_process Expiration.
    ['an Expiration that is not a string', {}, { Expiration: [valid.Expiration] }],
  ])('treats an entry with %s as a miss, never returning it', async (_, fileChange, credentialsChange) => {
    // Prepare: a valid entry (right key, far from expiry), then one field spoilt (JSON.stringify drops an undefined field)
    await writeCachedCredentials(entry, valid);
    const file = { version: 2, key: entry.digest, ...fileChange, credentials: { ...valid, ...credentialsChange } };
    writeFileSync(entry.file, JSON.stringify(file), { mode: 0o600 });

    // Act + Assess
    expect(await read()).toBeUndefined();
  });

  it('closes the cache file it opened, whether it uses it or not', async () => {
    // Prepare
    await writeCachedCredentials(entry, credentials(3600_000));
    const handles = recordOpenedHandles();

    // Act: one usable file, then one refused (0640)
    const returned = await read();
    chmodSync(entry.file, 0o640);
    await read();

    // Assess: a closed FileHandle has fd -1
    expect(returned).toEqual(credentials(3600_000));
    expect(handles).toHaveLength(2);
    expect(handles.map((handle) => handle.fd)).toEqual([-1, -1]);
  });

  it('creates the cache directory without access for others from the start, not only once chmod has run', async () => {
    // Prepare: note the directory's mode when the helper makes it exact (with the usual umask 022, mkdir without a mode gives 0755)
    const modes: number[] = [];
    const realChmod = fsPromises.chmod;
    jest.spyOn(fsPromises, 'chmod').mockImplementation(async (path, mode) => {
      if (String(path) === dir) modes.push(lstatSync(dir).mode & 0o777);
      return realChmod(path, mode);
    });

    // Act
    await writeCachedCredentials(entry, credentials(3600_000));

    // Assess
    expect(modes).toHaveLength(1);
    expect(modes[0] & 0o077).toBe(0);
  });

  it('reports a failure to create the cache directory as it is', async () => {
    // Prepare: mkdir of the cache directory is refused (as in a parent directory one may not write to)
    const realMkdir = fsPromises.mkdir;
    jest.spyOn(fsPromises, 'mkdir').mockImplementation((async (path: string, options?: unknown) => {
      if (String(path) === dir) throw errno('EACCES', 'mkdir', dir);
      return realMkdir(path, options as Parameters<typeof realMkdir>[1]);
    }) as typeof realMkdir);

    // Act + Assess
    await expect(writeCachedCredentials(entry, credentials(3600_000))).rejects.toMatchObject({ code: 'EACCES', syscall: 'mkdir' });
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

  it('refuses a cache directory path that is a regular file', async () => {
    // Prepare: a 0700 file of ours where the directory should be
    writeFileSync(dir, '', { mode: 0o700 });

    // Act
    const onRead = await refusal(read);
    const onWrite = await refusal(() => writeCachedCredentials(entry, credentials(3600_000)));

    // Assess
    expect(onRead).toContain(`${dir} is not a directory`);
    expect(onWrite).toBe(onRead);
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

  it('does not use a cache file owned by another user, even in your own 0700 directory', async () => {
    // Prepare: the helper runs as uid 4242 and the directory is reported as its own; the file stays owned by the test's uid
    await writeCachedCredentials(entry, credentials(3600_000));
    const fileOwner = statSync(entry.file).uid;
    ownership('lstat', dir, 4242, 4242);

    // Act
    const returned = await read();

    // Assess
    expect(returned).toBeUndefined();
    expect(warnings.join('\n')).toContain(`it belongs to uid ${fileOwner}, not to you`);
  });

  it('names an error opening the cache file as it is (only ELOOP is a symbolic link)', async () => {
    // Prepare
    await writeCachedCredentials(entry, credentials(3600_000));
    const realOpen = fsPromises.open;
    jest.spyOn(fsPromises, 'open').mockImplementation((async (path: string, ...rest: unknown[]) => {
      if (String(path) === entry.file) throw errno('EACCES', 'open', entry.file);
      return (realOpen as (...args: unknown[]) => unknown)(path, ...rest);
    }) as typeof realOpen);

    // Act
    const returned = await read();

    // Assess
    expect(returned).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('(EACCES)');
    expect(warnings[0]).not.toContain('symbolic link');
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

  it.each([
    ['0700', 0o700],
    ['0755', 0o755],
  ])('writes into a directory of yours that others cannot write to (mode %s, no sticky bit)', async (_, mode) => {
    // Prepare
    const own = join(root, 'own');
    mkdirSync(own);
    chmodSync(own, mode);

    // Act
    await writePrivateFile(join(own, 'token'), 'eyJ.x.y');

    // Assess
    expect(readFileSync(join(own, 'token'), 'utf8')).toBe('eyJ.x.y');
    expect(statSync(join(own, 'token')).mode & 0o777).toBe(0o600);
  });

  it('refuses a directory that belongs to another user (not root): its owner could replace the token', async () => {
    // Prepare: the helper runs as uid 4242; the directory is reported as uid 4343's
    const theirs = join(root, 'theirs');
    mkdirSync(theirs, { mode: 0o755 });
    ownership('stat', theirs, 4242, 4343);

    // Act
    const message = await refusal(() => writePrivateFile(join(theirs, 'token'), 'eyJ.x.y'));

    // Assess
    expect(message).toContain(`${theirs}, belongs to uid 4343`);
    expect(readdirSync(theirs)).toEqual([]);
  });

  it.each([
    ['root (as /tmp)', 0],
    ['the user running the helper', 4242],
  ])('accepts a directory owned by %s', async (_, owner) => {
    // Prepare: the helper runs as uid 4242
    const accepted = join(root, 'accepted');
    mkdirSync(accepted, { mode: 0o755 });
    ownership('stat', accepted, 4242, owner);

    // Act
    await writePrivateFile(join(accepted, 'token'), 'eyJ.x.y');

    // Assess
    expect(readFileSync(join(accepted, 'token'), 'utf8')).toBe('eyJ.x.y');
  });

  it('fails, and leaves no temporary file, when the file cannot be put in place', async () => {
    // Prepare: a non-empty directory where the token file should go, so the rename fails
    const target = join(root, 'token');
    mkdirSync(join(target, 'inside'), { recursive: true });

    // Act
    const outcome = writePrivateFile(target, 'eyJ.x.y');

    // Assess
    await expect(outcome).rejects.toMatchObject({ syscall: 'rename' });
    expect(readdirSync(root)).toEqual(['token']);
  });

  it('fails, leaves no temporary file and keeps the previous file, when writing the content fails (disk full)', async () => {
    // Prepare: a previous token; the next write to a new file handle fails with ENOSPC
    const target = join(root, 'token');
    await writePrivateFile(target, 'previous');
    const realOpen = fsPromises.open;
    jest.spyOn(fsPromises, 'open').mockImplementation((async (...args: unknown[]) => {
      const handle = await (realOpen as (...a: unknown[]) => Promise<FileHandle>)(...args);
      jest.spyOn(handle, 'writeFile').mockRejectedValue(errno('ENOSPC', 'write', String(args[0])));
      return handle;
    }) as typeof realOpen);

    // Act
    const outcome = writePrivateFile(target, 'eyJ.x.y');

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readdirSync(root)).toEqual(['token']);
    expect(readFileSync(target, 'utf8')).toBe('previous');
  });
});

describe('on Windows', () => {
  // Node reports POSIX modes on Windows from the read-only attribute only (0o666 or 0o444, whatever the ACL):
  // https://nodejs.org/api/fs.html#file-modes. There the cache relies on the profile's ACL, so the mode bits
  // and owner must not be judged, or the cache would refuse every directory.
  let windows: typeof import('../../credential-helper/cache');
  const platform = Object.getOwnPropertyDescriptor(process, 'platform') as PropertyDescriptor;

  beforeEach(() => {
    Object.defineProperty(process, 'platform', { ...platform, value: 'win32' });
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      windows = require('../../credential-helper/cache');
    });
  });
  afterEach(() => {
    Object.defineProperty(process, 'platform', platform);
  });

  it('uses a cache whose directory and file modes would be refused on POSIX', async () => {
    // Prepare: what Node would report on Windows for a writable directory and file
    const winEntry = windows.cacheEntry(dir, key);
    await windows.writeCachedCredentials(winEntry, credentials(3600_000));
    chmodSync(dir, 0o777);
    chmodSync(winEntry.file, 0o666);

    // Act
    const returned = await windows.readCachedCredentials(winEntry, NOW, warn);

    // Assess
    expect(returned).toEqual(credentials(3600_000));
    expect(warnings).toEqual([]);
  });

  it('writes --token-file into a directory whatever its POSIX mode', async () => {
    // Prepare
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);

    // Act
    await windows.writePrivateFile(join(shared, 'token'), 'eyJ.x.y');

    // Assess
    expect(readFileSync(join(shared, 'token'), 'utf8')).toBe('eyJ.x.y');
  });
});
