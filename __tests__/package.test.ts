import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const manifest = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The TypeScript the repository ships (tests excluded): what the runtime dependencies are for. */
function shippedSources(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file && !file.startsWith('__tests__/'))
    .map((file) => readFileSync(resolve(ROOT, file), 'utf8'));
}

describe('package.json', () => {
  it('pins every AWS SDK client to one release', () => {
    const clients = Object.entries({ ...manifest.dependencies, ...manifest.devDependencies }).filter(([name]) =>
      name.startsWith('@aws-sdk/client-'),
    );

    expect(clients.length).toBeGreaterThan(0);
    expect(new Set(clients.map(([, version]) => version)).size).toBe(1);
  });

  it('has no runtime dependency that no shipped source imports', () => {
    const sources = shippedSources().join('\n');

    const unused = Object.keys(manifest.dependencies).filter(
      (name) => !sources.includes(`from '${name}`) && !sources.includes(`require('${name}`),
    );

    expect(unused).toEqual([]);
  });
});
