import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { buildSync } from 'esbuild';

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

/** Bundles one function's handler with esbuild: minified CommonJS for the nodejs22.x runtime. */
export function bundleFunctionCode(name: string): Uint8Array {
  const result = buildSync({
    entryPoints: [join(FUNCTIONS_DIR, name, 'handler.ts')],
    // The SDK is bundled too: the runtime's copy is whatever version Lambda ships that day.
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // Prefer the ES module builds (`module`, e.g. the AWS SDK's dist-es): esbuild tree-shakes
    // them, unlike the CommonJS `main` builds. platform 'node' ignores `browser`, so the SDK still
    // gets its Node runtime config. Cuts ~150–240 KiB per function.
    mainFields: ['module', 'main'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0].contents;
}

/** Code does not change while a process runs; tests synthesize many configurations in one. */
const bundlesThisProcess = new Map<string, FunctionBundle>();

/**
 * Bundles a function and writes a zip whose bytes depend on the code only, so
 * synthesizing twice (or after touching every file's mtime) gives the same asset
 * hash and an empty plan. cdktf's own archiver stamps file times into the zip.
 */
export function bundleFunction(name: string, buildDir = resolve(__dirname, '..', '.build', 'functions')): FunctionBundle {
  const key = `${buildDir}\0${name}`;
  const cached = bundlesThisProcess.get(key);
  if (cached && existsSync(cached.zipPath)) return cached;
  const code = bundleFunctionCode(name);
  const zip = deterministicZip('index.js', code);
  const sha256 = createHash('sha256').update(zip).digest('base64');
  const contentId = createHash('sha256').update(zip).digest('hex').slice(0, 16);
  mkdirSync(buildDir, { recursive: true });
  const zipPath = join(buildDir, `${name}-${contentId}.zip`);
  if (!existsSync(zipPath)) {
    // Content-addressed and renamed into place: parallel synths never see a half-written zip.
    const partial = `${zipPath}.${process.pid}.partial`;
    writeFileSync(partial, zip);
    renameSync(partial, zipPath);
  }
  const bundle = { zipPath, sha256, bundleBytes: code.byteLength, zipBytes: zip.byteLength };
  bundlesThisProcess.set(key, bundle);
  return bundle;
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
