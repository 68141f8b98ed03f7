import { createHash, randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { EXIT_CODES, HelperError } from './exit-codes';

/** The AWS CLI / SDK `credential_process` output (version 1). */
export interface ProcessCredentials {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  /** ISO 8601; the SDKs call the process again once it has passed. */
  Expiration: string;
}

/** Credentials are reused until this long before they expire, so a caller never gets ones about to lapse. */
export const CACHE_MARGIN_MS = 5 * 60 * 1000;

/**
 * Every parameter of a credentials request. Two requests share cached credentials only when all
 * of them are equal: a different session name, duration, audience or token source is a
 * different AssumeRoleWithWebIdentity call, whose answer must not be served for this one.
 */
export interface CacheKey {
  tenantId?: string;
  clientId?: string;
  roleArn: string;
  /** As given; undefined means the helper's default. */
  roleSessionName?: string;
  durationSeconds: number;
  /** The token source and what names its identity (certificate path, token file, or none). */
  tokenSource: string;
  audience: string;
  region: string;
  stsEndpoint?: string;
  authorityHost?: string;
}

export interface CacheEntry {
  dir: string;
  file: string;
  /** SHA-256 of the whole key, stored in the file and checked on read. */
  digest: string;
}

/** The file format; a file of any other shape (or an older helper's) is a cache miss and is replaced. */
interface CacheFile {
  version: 2;
  key: string;
  credentials: ProcessCredentials;
}

/** Key fields sorted by name: a field added to CacheKey is covered without editing this function. */
export function cacheEntry(cacheDir: string, key: CacheKey): CacheEntry {
  const fields = Object.entries(key)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  const digest = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
  const dir = resolve(cacheDir);
  return { dir, file: join(dir, `${digest.slice(0, 32)}.json`), digest };
}

/**
 * POSIX ownership and permission bits mean nothing on Windows (stat reports 0o666 whatever the
 * ACL); there the cache relies on the user profile's ACL, as the AWS CLI's own cache does.
 */
const POSIX = process.platform !== 'win32';
/** O_NOFOLLOW: open fails (ELOOP) instead of following a symbolic link in the last component. */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
/** The sticky bit (S_ISVTX, which fs.constants does not export): only a file's owner may rename or delete it. */
const STICKY = 0o1000;
/** O_NONBLOCK: a FIFO planted in place of the file cannot hang the open; fstat then refuses it. */
const NON_BLOCK = constants.O_NONBLOCK ?? 0;

function currentUid(): number | undefined {
  return POSIX && typeof process.getuid === 'function' ? process.getuid() : undefined;
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

function insecure(message: string): HelperError {
  return new HelperError(EXIT_CODES.insecureLocation, message);
}

/**
 * The cache directory must be a real directory (not a symbolic link), owned by the current
 * user and closed to everybody else (0700). Anyone else who can write to it can plant or swap
 * files; anyone who can read it can read the keys. Returns false when it does not exist yet.
 */
async function checkCacheDirectory(dir: string): Promise<boolean> {
  let info: Stats;
  try {
    info = await lstat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const fix = `Use a directory only you can reach: --cache-dir <dir> (or ENTRA_AWS_CREDENTIALS_CACHE_DIR), or --no-cache.`;
  if (info.isSymbolicLink()) {
    throw insecure(
      `The credential cache directory ${dir} is a symbolic link; the helper never follows one (whoever controls the link chooses where credentials are read from). Give the real path, or remove the link. ${fix}`,
    );
  }
  if (!info.isDirectory()) throw insecure(`The credential cache directory ${dir} is not a directory. ${fix}`);
  if (!POSIX) return true;
  const uid = currentUid();
  if (uid !== undefined && info.uid !== uid) {
    throw insecure(
      `The credential cache directory ${dir} belongs to uid ${info.uid}, not to you (uid ${uid}): its owner can read your credentials and plant others. ${fix}`,
    );
  }
  if ((info.mode & 0o077) !== 0) {
    throw insecure(
      `The credential cache directory ${dir} has mode ${octal(info.mode)}; it must be 0700, or other users can read your credentials or replace them. Fix: chmod 700 ${dir}`,
    );
  }
  return true;
}

/** Why an opened cache file is not to be trusted, from its fstat (so it is the file actually read). */
function cacheFileProblem(info: Stats): string | undefined {
  if (!info.isFile()) return 'it is not a regular file';
  if (!POSIX) return undefined;
  const uid = currentUid();
  if (uid !== undefined && info.uid !== uid) return `it belongs to uid ${info.uid}, not to you`;
  if ((info.mode & 0o777) !== 0o600) return `its mode is ${octal(info.mode)}, not 0600`;
  if (info.nlink !== 1) return `it has ${info.nlink} hard links`;
  return undefined;
}

/**
 * Returns cached credentials still valid for at least `CACHE_MARGIN_MS`, else undefined.
 * Throws (exit 15) when the directory is unsafe. The file is opened without following a
 * symbolic link and checked through its descriptor (owner, 0600, regular file, one link), so
 * what is checked is what is read: there is no window between a check and the read in which
 * another file can be put in its place. A file failing a check is ignored, reported, and
 * replaced by the next write.
 */
export async function readCachedCredentials(
  entry: CacheEntry,
  now: Date,
  warn: (message: string) => void,
): Promise<ProcessCredentials | undefined> {
  if (!(await checkCacheDirectory(entry.dir))) return undefined;
  let handle: FileHandle;
  try {
    handle = await open(entry.file, constants.O_RDONLY | NO_FOLLOW | NON_BLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      warn(`ignored the cache file ${entry.file} (${code === 'ELOOP' ? 'it is a symbolic link' : code}); it will be replaced.`);
    return undefined;
  }
  try {
    const problem = cacheFileProblem(await handle.stat());
    if (problem) {
      warn(`ignored the cache file ${entry.file}: ${problem}; it will be replaced.`);
      return undefined;
    }
    return validCredentials(await handle.readFile('utf8'), entry, now);
  } finally {
    await handle.close();
  }
}

function validCredentials(text: string, entry: CacheEntry, now: Date): ProcessCredentials | undefined {
  let cached: Partial<CacheFile>;
  try {
    cached = JSON.parse(text) as Partial<CacheFile>;
  } catch {
    return undefined;
  }
  const credentials = cached.credentials;
  if (
    cached.version !== 2 ||
    cached.key !== entry.digest ||
    credentials?.Version !== 1 ||
    typeof credentials.AccessKeyId !== 'string' ||
    typeof credentials.SecretAccessKey !== 'string' ||
    typeof credentials.SessionToken !== 'string' ||
    typeof credentials.Expiration !== 'string'
  ) {
    return undefined;
  }
  const expiresAt = Date.parse(credentials.Expiration);
  if (!Number.isFinite(expiresAt) || expiresAt - now.getTime() <= CACHE_MARGIN_MS) return undefined;
  return {
    Version: 1,
    AccessKeyId: credentials.AccessKeyId,
    SecretAccessKey: credentials.SecretAccessKey,
    SessionToken: credentials.SessionToken,
    Expiration: credentials.Expiration,
  };
}

/** Creates the cache directory (0700) when missing, checks it, and atomically replaces the entry's file. */
export async function writeCachedCredentials(entry: CacheEntry, credentials: ProcessCredentials): Promise<void> {
  try {
    await mkdir(dirname(entry.dir), { recursive: true, mode: 0o700 });
    await mkdir(entry.dir, { mode: 0o700 });
    // The mode given to mkdir is masked by the umask, which can only remove bits; make it exact.
    await chmod(entry.dir, 0o700);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  await checkCacheDirectory(entry.dir);
  const content: CacheFile = { version: 2, key: entry.digest, credentials };
  await replaceAtomically(entry.file, `${JSON.stringify(content)}\n`);
}

/**
 * Writes `content` to `file` (mode 0600) for --token-file. The directory is the user's choice
 * (often a CI runner's temporary directory), so it need not be 0700, but a directory others may
 * write to lets them swap the file after it is written: refused, unless its sticky bit keeps
 * them from renaming or deleting files they do not own (as /tmp).
 */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  const dir = dirname(resolve(file));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (POSIX) {
    const info = await stat(dir);
    const uid = currentUid();
    if (uid !== undefined && info.uid !== uid && info.uid !== 0) {
      throw insecure(
        `The directory of --token-file, ${dir}, belongs to uid ${info.uid}: its owner could replace the token. Write it in a directory of your own.`,
      );
    }
    if ((info.mode & 0o022) !== 0 && (info.mode & STICKY) === 0) {
      throw insecure(
        `The directory of --token-file, ${dir}, has mode ${octal(info.mode)}: other users may replace the token in it. Write it in a directory only you can write to (chmod go-w ${dir}).`,
      );
    }
  }
  await replaceAtomically(resolve(file), content);
}

/**
 * Temporary file in the same directory (so the rename stays on one filesystem), created with
 * O_EXCL | O_NOFOLLOW and mode 0600, synced, then renamed over `file`. rename(2) replaces the
 * directory entry: a symbolic link planted at `file` is replaced, never written through, and a
 * reader sees the old file or the new one, never half of one.
 */
async function replaceAtomically(file: string, content: string): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, 0o600);
  try {
    // The mode given to open() is masked by the umask; fchmod makes 0600 exact.
    await handle.chmod(0o600);
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
