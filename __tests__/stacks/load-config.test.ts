import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FederationConfigInput } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { loadConfig } from '../../stacks/load-config';

describe('loadConfig', () => {
  it('reads the file named by WEB_IDENTITY_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const file = join(dir, 'config.json');
    const own: FederationConfigInput = { ...EXAMPLE_CONFIG, namePrefix: 'acme-federation' };
    writeFileSync(file, JSON.stringify(own));

    const config = loadConfig({ WEB_IDENTITY_CONFIG: file });

    expect(config.namePrefix).toBe('acme-federation');
  });

  it('names the file when it is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, '{ not json');

    expect(() => loadConfig({ WEB_IDENTITY_CONFIG: file })).toThrow(
      new RegExp(`Invalid configuration in ${file}:\\n  - cannot read it as JSON`),
    );
  });

  it('uses the embedded example when no file is named', () => {
    expect(loadConfig({}).aws.centralAccountId).toBe('111111111111');
  });
});
