import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { buildSync, version as esbuildVersion, type BuildOptions } from 'esbuild';

/** Where the functions live: `functions/<name>/handler.ts` exports `handler`. */
export const FUNCTIONS_DIR = resolve(__dirname, '..', 'functions');

export interface FunctionBundle {
  /** The zip Lambda receives: one file, `index.js`. */
  readonly zipPath: string;
  /** Base64 SHA-256 of the zip, as Lambda's `source_code_hash` expects. */
  readonly sha256: string;
  /** Minified JavaScript size, before zipping. */
  readonly bundleBytes: number;
  readonly zipBytes: number;
}

/** Every function: a folder under `functions/` with a `handler.ts`. */
export function functionNames(): string[] {
  return readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(FUNCTIONS_DIR, entry.name, 'handler.ts')))
    .map((entry) => entry.name)
    .sort();
}

const ROOT = resolve(__dirname, '..');
const BUILD_DIR = join(ROOT, '.build', 'functions');
const CACHE_FILE = join(BUILD_DIR, 'bundles.json');

/** Minified CommonJS for the nodejs22.x runtime. */
const BUILD_OPTIONS = {
  // The SDK is bundled too: the runtime's copy is whatever version Lambda ships that day.
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  // Prefer the ES module builds (`module`, e.g. the AWS SDK's dist-es): esbuild tree-shakes
  // them, unlike the CommonJS `main` builds. platform 'node' ignores `browser`, so the SDK still
  // gets its Node runtime config. Cuts ~150–240 KiB per function.
  mainFields: ['module', 'main'],
  minify: true,
  legalComments: 'none',
} as const satisfies BuildOptions;

/**
 * Bundles functions' handlers with esbuild. One build for all of them: esbuild parses the
 * AWS SDK and the shared code once, about three times faster than a build per function.
 */
export function bundleFunctionCodes(names: readonly string[]): { codes: Map<string, Uint8Array>; inputs: string[] } {
  const outdir = join(ROOT, '.build', 'bundles'); // names the outputs; nothing is written
  const result = buildSync({
    ...BUILD_OPTIONS,
    entryPoints: Object.fromEntries(names.map((name) => [name, join(FUNCTIONS_DIR, name, 'handler.ts')])),
    outdir,
    absWorkingDir: ROOT,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return {
    codes: new Map(result.outputFiles.map((file) => [relative(outdir, file.path).replace(/\.js$/, ''), file.contents])),
    inputs: Object.keys(result.metafile.inputs).sort(),
  };
}

interface BundleCache {
  readonly key: string;
  readonly inputs: readonly string[];
  readonly bundles: Readonly<Record<string, FunctionBundle>>;
}

/**
 * What the bundles depend on: every file esbuild read (by content, never by mtime), the
 * lock file (a different resolution), esbuild's version and options, the function list.
 */
export function cacheKey(names: readonly string[], inputs: readonly string[]): string {
  const hash = createHash('sha256').update(JSON.stringify({ esbuild: esbuildVersion, BUILD_OPTIONS, names }));
  for (const input of [...inputs, 'package-lock.json']) {
    const path = join(ROOT, input);
    hash.update(`\0${input}\0`).update(existsSync(path) ? readFileSync(path) : 'missing');
  }
  return hash.digest('hex');
}

function readCache(names: readonly string[]): BundleCache['bundles'] | undefined {
  if (!existsSync(CACHE_FILE)) return undefined;
  const cache = JSON.parse(readFileSync(CACHE_FILE, 'utf8')) as BundleCache;
  const complete = names.every((name) => cache.bundles[name] && existsSync(cache.bundles[name].zipPath));
  return complete && cache.key === cacheKey(names, cache.inputs) ? cache.bundles : undefined;
}

/** Code does not change while a process runs; tests synthesize many configurations in one. */
let bundlesThisProcess: BundleCache['bundles'] | undefined;

/**
 * A function's zip, whose bytes depend on the code only, so synthesizing twice (or after
 * touching every file's mtime) gives the same asset hash and an empty plan. cdktf's own
 * archiver stamps file times into the zip. Every function is bundled at once, and the
 * zips are reused while nothing they were built from changed (`cdktf deploy` synthesizes
 * again right after `cdktf diff`).
 */
export function bundleFunction(name: string): FunctionBundle {
  const names = functionNames();
  bundlesThisProcess ??= readCache(names);
  if (!bundlesThisProcess) {
    const { codes, inputs } = bundleFunctionCodes(names);
    bundlesThisProcess = Object.fromEntries([...codes].map(([fn, code]) => [fn, writeZip(fn, code)]));
    writeAtomically(
      CACHE_FILE,
      JSON.stringify({ key: cacheKey(names, inputs), inputs, bundles: bundlesThisProcess } satisfies BundleCache),
    );
  }
  const bundle = bundlesThisProcess[name];
  if (!bundle) throw new Error(`No function "${name}": expected ${join(FUNCTIONS_DIR, name, 'handler.ts')}`);
  return bundle;
}

function writeZip(name: string, code: Uint8Array): FunctionBundle {
  const zip = deterministicZip('index.js', code);
  const sha256 = createHash('sha256').update(zip).digest('base64');
  const contentId = createHash('sha256').update(zip).digest('hex').slice(0, 16);
  const zipPath = join(BUILD_DIR, `${name}-${contentId}.zip`);
  if (!existsSync(zipPath)) writeAtomically(zipPath, zip);
  return { zipPath, sha256, bundleBytes: code.byteLength, zipBytes: zip.byteLength };
}

/** Renamed into place: parallel synths never read a half-written file. */
function writeAtomically(path: string, content: string | Uint8Array): void {
  mkdirSync(BUILD_DIR, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, content);
  renameSync(partial, path);
}

/** A single-entry zip (PKZIP APPNOTE 6.3.x) with a fixed timestamp: 1980-01-01 00:00. */
export function deterministicZip(fileName: string, content: Uint8Array): Buffer {
  const name = Buffer.from(fileName, 'utf8');
  const compressed = deflateRawSync(content, { level: 9 });
  const crc = crc32(content);
  const DOS_TIME = 0;
  const DOS_DATE = (0 << 9) | (1 << 5) | 1;
  const DEFLATE = 8;
  const VERSION = 20;

  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(VERSION, 4);
  local.writeUInt16LE(0, 6);
  local.writeUInt16LE(DEFLATE, 8);
  local.writeUInt16LE(DOS_TIME, 10);
  local.writeUInt16LE(DOS_DATE, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(compressed.length, 18);
  local.writeUInt32LE(content.byteLength, 22);
  local.writeUInt16LE(name.length, 26);
  local.writeUInt16LE(0, 28);

  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | VERSION, 4); // made by Unix, so the mode below is honoured
  central.writeUInt16LE(VERSION, 6);
  central.writeUInt16LE(0, 8);
  central.writeUInt16LE(DEFLATE, 10);
  central.writeUInt16LE(DOS_TIME, 12);
  central.writeUInt16LE(DOS_DATE, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(compressed.length, 20);
  central.writeUInt32LE(content.byteLength, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt16LE(0, 30);
  central.writeUInt16LE(0, 32);
  central.writeUInt16LE(0, 34);
  central.writeUInt16LE(0, 36);
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // regular file, rw-r--r--
  central.writeUInt32LE(0, 42);

  const centralOffset = local.length + name.length + compressed.length;
  const centralSize = central.length + name.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralOffset, 16);

  return Buffer.concat([local, name, compressed, central, name, end]);
}
