import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { bundleFunction, cacheKey, deterministicZip, functionNames } from '../../stacks/bundling';

const ROOT = resolve(__dirname, '..', '..');

/** The one entry of a zip written by deterministicZip, read back by its headers (APPNOTE 4.3.7). */
function readSingleEntry(zip: Buffer) {
  expect(zip.readUInt32LE(0)).toBe(0x04034b50);
  const nameLength = zip.readUInt16LE(26);
  const compressedSize = zip.readUInt32LE(18);
  const start = 30 + nameLength;
  return {
    name: zip.subarray(30, start).toString('utf8'),
    crc: zip.readUInt32LE(14),
    modified: [zip.readUInt16LE(10), zip.readUInt16LE(12)],
    content: inflateRawSync(zip.subarray(start, start + compressedSize)),
    endOfCentralDirectory: zip.readUInt32LE(zip.length - 22),
  };
}

describe('deterministicZip', () => {
  it('writes one entry that inflates back to the content, with its CRC and a fixed 1980-01-01 time', () => {
    const content = Buffer.from('exports.handler = async () => "ok";\n'.repeat(100));

    const entry = readSingleEntry(deterministicZip('index.js', content));

    expect(entry).toEqual({
      name: 'index.js',
      crc: crc32(content),
      modified: [0, (1 << 5) | 1],
      content,
      endOfCentralDirectory: 0x06054b50,
    });
  });

  it('gives the same bytes for the same content', () => {
    const content = Buffer.from('same');

    expect(deterministicZip('index.js', content).equals(deterministicZip('index.js', content))).toBe(true);
  });
});

describe('bundleFunction', () => {
  it('bundles every function into a zip whose index.js exports the handler, without node_modules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));

    for (const name of functionNames()) {
      const bundle = bundleFunction(name);
      const file = join(dir, `${name}.js`);
      writeFileSync(file, readSingleEntry(readFileSync(bundle.zipPath)).content);

      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(typeof require(file).handler).toBe('function');
      expect(bundle.bundleBytes).toBeLessThanOrEqual(1024 * 1024);
    }
    expect(functionNames()).toEqual([
      'add-audience-id-provider',
      'assign-role-to-audience',
      'create-service-principal',
      'delete-service-principal',
      'disable-service-principal',
      'enable-service-principal',
      'remove-audience-id-provider',
      'restore-role',
      'revoke-older-sessions',
      'revoke-role',
      'router',
      'sweep-inspect-account',
      'sweep-plan',
      'sweep-remove-revocations',
      'sweep-repair-account',
      'sweep-report',
    ]);
  });

  it('names a function that does not exist', () => {
    expect(() => bundleFunction('no-such-function')).toThrow(
      /No function "no-such-function": expected .*functions\/no-such-function\/handler\.ts/,
    );
  });
});

describe('the bundle cache key', () => {
  const dir = join(ROOT, '.build', 'test-inputs');
  mkdirSync(dir, { recursive: true });
  const input = relative(ROOT, join(mkdtempSync(join(dir, 'key-')), 'input.ts'));

  it('changes when the content of an input changes', () => {
    writeFileSync(join(ROOT, input), 'export const a = 1;');
    const before = cacheKey(['router'], [input]);
    writeFileSync(join(ROOT, input), 'export const a = 2;');

    expect(cacheKey(['router'], [input])).not.toBe(before);
  });

  it('does not change when only the modification time does', () => {
    writeFileSync(join(ROOT, input), 'export const a = 1;');
    const before = cacheKey(['router'], [input]);
    writeFileSync(join(ROOT, input), 'export const a = 1;');

    expect(cacheKey(['router'], [input])).toBe(before);
  });

  it('changes when the set of functions changes', () => {
    expect(cacheKey(['router'], [input])).not.toBe(cacheKey(['router', 'another'], [input]));
  });
});
