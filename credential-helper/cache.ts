import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

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

export interface CacheKey {
  tenantId: string;
  clientId: string;
  roleArn: string;
}

/** One file per role + client: a hash keeps the name filesystem-safe and short. */
export function cacheFilePath(cacheDir: string, key: CacheKey): string {
  const digest = createHash('sha256').update(JSON.stringify([key.tenantId, key.clientId, key.roleArn])).digest('hex');
  return join(cacheDir, `${digest.slice(0, 32)}.json`);
}

/**
 * Returns cached credentials still valid for at least `CACHE_MARGIN_MS`, else undefined.
 * A file other users could read is ignored (and later overwritten): it may have been
 * planted, and it is not ours to trust.
 */
export async function readCachedCredentials(file: string, now: Date): Promise<ProcessCredentials | undefined> {
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0 || (typeof process.getuid === 'function' && info.uid !== process.getuid())) return undefined;
    const cached = JSON.parse(await readFile(file, 'utf8')) as Partial<ProcessCredentials>;
    if (
      cached.Version !== 1 ||
      typeof cached.AccessKeyId !== 'string' ||
      typeof cached.SecretAccessKey !== 'string' ||
      typeof cached.SessionToken !== 'string' ||
      typeof cached.Expiration !== 'string'
    ) {
      return undefined;
    }
    const expiresAt = Date.parse(cached.Expiration);
    if (!Number.isFinite(expiresAt) || expiresAt - now.getTime() <= CACHE_MARGIN_MS) return undefined;
    return cached as ProcessCredentials;
  } catch {
    // Missing or corrupt cache: get fresh credentials.
    return undefined;
  }
}

/** Writes via a 0600 temporary file and a rename, so a reader never sees half a file. */
export async function writeCachedCredentials(file: string, credentials: ProcessCredentials): Promise<void> {
  await writePrivateFile(file, `${JSON.stringify(credentials)}\n`);
}

/** Creates the directory (0700) if needed and atomically replaces `file` with a user-only (0600) copy of `content`. */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  const dir = join(file, '..');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    // The mode given to open() is masked by the umask; chmod makes 0600 exact.
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
