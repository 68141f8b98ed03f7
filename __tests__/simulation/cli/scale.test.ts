import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** `npm run simulate:scale` then `npm run simulate`, as a user runs them: child processes, files, exit codes. */

const ROOT = resolve(__dirname, '..', '..', '..');
const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'simulation', 'cli', script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });

describe('npm run simulate:scale', () => {
  it('writes a world, events and a configuration that npm run simulate replays to every role ready', () => {
    // Prepare
    const out = mkdtempSync(join(tmpdir(), 'scale-'));
    // Act
    const generated = run('scale.ts', '--accounts', '3', '--roles', '4', '--brought', '1', '--out', out);
    const simulated = run(
      'simulate.ts',
      '--world',
      join(out, 'world.json'),
      '--events',
      join(out, 'events.json'),
      '--config',
      join(out, 'config.json'),
    );
    // Assess
    expect(generated.status).toBe(0);
    expect(generated.stdout).toContain('12 CreateRole events');
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).entra).toMatchObject({
      audienceMode: 'shared',
      automationIdentities: 1,
      quotaShare: 0.9,
    });
    expect(simulated.status).toBe(0);
    expect(JSON.parse(simulated.stdout).summary).toMatchObject({
      federatedRoles: { total: 12, byStatus: { ready: 12 }, byIdentityMode: { shared: 9, 'bring-your-own': 3 } },
      providers: { count: 3, maxClientIds: 1 },
    });
  });

  it.each([
    [['--accounts', '0'], /--accounts: expected a whole number of at least 1, got "0"/],
    [['--brought', '11'], /--brought: 11 is more than --roles 10/],
    [['--mode', 'mixed'], /--mode: expected shared or per-role/],
    [['--quota-share', '2'], /--quota-share: expected a share in \(0, 1\]/],
    [['--colour', 'blue'], /Unknown option '--colour'/],
  ])('refuses %j with exit 2, naming the option', (args, message) => {
    const result = run('scale.ts', ...args, '--out', mkdtempSync(join(tmpdir(), 'scale-')));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('usage: npm run simulate:scale');
  });
});
