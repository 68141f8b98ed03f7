import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CODES } from '../../credential-helper/exit-codes';

/**
 * The exit codes are a public interface (CI pipelines branch on them): the table in the
 * app-team guide and EXIT_CODES must list the same codes, each with one meaning.
 */
describe('exit codes', () => {
  const guide = readFileSync(join(__dirname, '..', '..', 'docs', 'app-teams.md'), 'utf8');
  const section = guide.slice(guide.indexOf('## 6. When it fails: exit codes'), guide.indexOf('## 7.'));
  const documented = [...section.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].map(([, code, meaning]) => ({
    code: Number(code),
    meaning: meaning.trim(),
  }));

  it('documents every code, and only those, once each', () => {
    expect(documented.map(({ code }) => code)).toEqual(Object.values(EXIT_CODES).sort((a, b) => a - b));
  });

  it('gives each name its own code', () => {
    expect(new Set(Object.values(EXIT_CODES)).size).toBe(Object.keys(EXIT_CODES).length);
  });

  it.each([
    ['unexpected', 'unexpected error'],
    ['usage', 'bad arguments'],
    ['tokenSourceUnavailable', 'the platform gave no token'],
    ['entraFederatedCredentialMismatch', 'Entra refused the federated token'],
    ['insecureLocation', 'the cache directory'],
  ] as const)('documents %s with its meaning', (name, meaning) => {
    expect(documented.find(({ code }) => code === EXIT_CODES[name])?.meaning).toContain(meaning);
  });
});
