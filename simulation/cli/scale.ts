/**
 * `npm run simulate:scale -- [--accounts 1000] [--roles 10] [--brought 4] [--mode shared|per-role] [--out .build/scale-world]`
 * writes `world.json`, `events.json` and `config.json` for `npm run simulate` (docs/simulate.md#a-world-at-scale).
 * Exit 0 when written, 2 on bad arguments.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scaleWorld } from '../engine/scale-world';

const USAGE =
  'usage: npm run simulate:scale -- [--accounts 1000] [--roles 10] [--brought 4] [--mode shared|per-role] [--quota-share 0.9] [--out .build/scale-world]';

function count(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`--${name}: expected a whole number of at least ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

function main(argv: string[]): number {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        accounts: { type: 'string', default: '1000' },
        roles: { type: 'string', default: '10' },
        brought: { type: 'string', default: '4' },
        mode: { type: 'string', default: 'shared' },
        'quota-share': { type: 'string', default: '0.9' },
        out: { type: 'string', default: join('.build', 'scale-world') },
      },
      strict: true,
    });
    if (values.mode !== 'shared' && values.mode !== 'per-role')
      throw new Error(`--mode: expected shared or per-role, got ${JSON.stringify(values.mode)}`);
    const quotaShare = Number(values['quota-share']);
    if (!(quotaShare > 0 && quotaShare <= 1))
      throw new Error(`--quota-share: expected a share in (0, 1], got ${JSON.stringify(values['quota-share'])}`);
    const roles = count('roles', values.roles, 1);
    const brought = count('brought', values.brought, 0);
    if (brought > roles) throw new Error(`--brought: ${brought} is more than --roles ${roles}`);
    const generated = scaleWorld({
      accounts: count('accounts', values.accounts, 1),
      rolesPerAccount: roles,
      broughtPerAccount: brought,
      audienceMode: values.mode,
      quotaShare,
    });
    mkdirSync(values.out, { recursive: true });
    for (const [file, content] of [
      ['world.json', generated.world],
      ['events.json', generated.events],
      ['config.json', generated.config],
    ] as const) {
      writeFileSync(join(values.out, file), `${JSON.stringify(content)}\n`);
    }
    process.stdout.write(
      `wrote ${join(values.out, 'world.json')}, events.json (${generated.events.length} CreateRole events) and config.json ` +
        `(${generated.config.entra.automationIdentities} automation identities)\n` +
        `run: npm run simulate -- --world ${join(values.out, 'world.json')} --events ${join(values.out, 'events.json')} --config ${join(values.out, 'config.json')}\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`simulate:scale: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
