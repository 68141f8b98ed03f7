import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { silentLogger } from '../../../functions/shared/runtime';
import { applicationUniqueName } from '../../../functions/shared/entra';
import { parseConfig } from '../../../stacks/config';
import { EXAMPLE_CONFIG } from '../../../stacks/example-config';
import { parseEvents, runSimulation, type SimulationOutput } from '../../../simulation/engine/run-simulation';
import { RUN_KEYS, parseWorld, worldSchema } from '../../../simulation/engine/world';
import { securityScenarios } from '../../../simulation/scenarios/security';
import { sweepScenarios } from '../../../simulation/scenarios/sweep';

/**
 * An output of `npm run simulate` is a world file (docs/simulate.md#an-output-is-a-world): the
 * world loader reads it, ignoring the keys that describe the run, and replaying it with no events
 * changes nothing and reports the same invariants.
 */

const ACCOUNT = '123456789012';
const USER = '11111111-1111-4111-8111-111111111111';
const OWNER_SP = '33333333-3333-4333-8333-333333333333';
const POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** A world that sets every field of the world file: `schemaPaths` keeps it complete. */
const EVERY_FIELD = {
  accounts: {
    [ACCOUNT]: {
      roles: [
        {
          roleName: 'every-field',
          roleId: 'AROAWORLD000000000009',
          path: '/teams/',
          assumeRolePolicyDocument: POLICY,
          tags: { team: 'data' },
          inlinePolicies: {
            EntraRevokeOlderSessions: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Deny',
                  Action: '*',
                  Resource: '*',
                  Condition: { DateLessThan: { 'aws:TokenIssueTime': '2025-02-02T00:00:00Z' } },
                },
              ],
            },
          },
          createDate: '2025-02-01T00:00:00.000Z',
        },
      ],
      oidcProviders: [{ url: `https://sts.windows.net/${EXAMPLE_CONFIG.entra.tenantId}/`, clientIds: ['api://one'] }],
      memberRoles: false,
    },
  },
  entra: {
    users: [USER],
    applications: [
      {
        id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1',
        appId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa2',
        uniqueName: 'ours',
        displayName: 'ours',
        servicePrincipalId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa3',
        owners: ['automation', USER, OWNER_SP],
        createdBy: 'automation',
        createdDateTime: '2025-03-01T00:00:00.000Z',
        federatedIdentityCredentials: [
          {
            name: 'main',
            issuer: 'https://token.actions.githubusercontent.com',
            subject: 'repo:o/r:ref:refs/heads/main',
            audiences: ['api://AzureADTokenExchange'],
          },
        ],
      },
    ],
    servicePrincipals: [
      {
        id: OWNER_SP,
        appId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbb1',
        displayName: 'vm',
        servicePrincipalType: 'ManagedIdentity',
        accountEnabled: false,
        createdBy: null,
      },
    ],
    deletedItems: {
      applications: [
        {
          id: 'cccccccc-cccc-4ccc-8ccc-ccccccccccc1',
          appId: 'cccccccc-cccc-4ccc-8ccc-ccccccccccc2',
          uniqueName: 'old',
          displayName: 'old',
          createdBy: 'automation',
        },
      ],
      servicePrincipals: [
        { id: 'cccccccc-cccc-4ccc-8ccc-ccccccccccc3', appId: 'cccccccc-cccc-4ccc-8ccc-ccccccccccc2', createdBy: 'automation' },
      ],
    },
    quota: 10,
    createdObjectsIncludeDeleted: true,
    // The open readings, each set to its non-default value (docs/simulate.md#the-open-readings).
    createdObjectsCast: 'rejected',
    createdObjectsListApplications: false,
    filterOnUniqueName: 'rejected',
    deletedItemsFilterOnAppId: 'rejected',
  },
  automationRecords: [
    {
      uniqueName: applicationUniqueName(ACCOUNT, 'every-field', 'AROAWORLD000000000009'),
      identity: 'automation',
      account: ACCOUNT,
      roleName: 'every-field',
      roleId: 'AROAWORLD000000000009',
      nonce: '6f1c2b3a-9d8e-4f70-8a6b-5c4d3e2f1a0b',
      appId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa2',
      applicationId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1',
      servicePrincipalId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa3',
      state: 'created',
      at: '2025-03-01T00:00:00.000Z',
    },
  ],
  faults: [{ call: 'graph:POST /applications/{id}/owners/$ref', status: 403, code: 'Authorization_RequestDenied', times: 2, skip: 1 }],
  failedRemovals: ['aws-123456789012-0123456789abcdef-'],
};

type Schema = z.core.$ZodType;

/**
 * The key paths of a schema (`accounts.*.roles[].roleName`) present in `value`, or, without a value,
 * all of them. Records of plain values (`tags`) and unions (a policy) are leaves.
 */
function keyPaths(schema: Schema, value: unknown = undefined, path = '', all = value === undefined): string[] {
  const def = schema._zod.def as { type: string } & Record<string, unknown>;
  if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) {
    return keyPaths(def.innerType as Schema, value, path, all);
  }
  if (def.type === 'pipe') return keyPaths(def.in as Schema, value, path, all);
  if (def.type === 'object') {
    const shape = def.shape as Record<string, Schema>;
    return Object.entries(shape).flatMap(([key, child]) => {
      const present = all || (value !== null && typeof value === 'object' && key in (value as object));
      if (!present) return [];
      const childPath = path ? `${path}.${key}` : key;
      return [childPath, ...keyPaths(child, all ? undefined : (value as Record<string, unknown>)[key], childPath, all)];
    });
  }
  if (def.type === 'array') {
    const items = all ? [undefined] : Array.isArray(value) ? value : [];
    return [...new Set(items.flatMap((item) => keyPaths(def.element as Schema, item, `${path}[]`, all)))];
  }
  if (def.type === 'record') {
    const values = all ? [undefined] : value && typeof value === 'object' ? Object.values(value) : [];
    return [...new Set(values.flatMap((item) => keyPaths(def.valueType as Schema, item, `${path}.*`, all)))];
  }
  return [];
}

const config = parseConfig(EXAMPLE_CONFIG);
const run = (world: unknown, events: unknown[] = [], options: { sweep?: 'report' | 'repair'; config?: unknown } = {}) =>
  runSimulation({
    world: parseWorld(world),
    events: parseEvents(events),
    config: options.config ? parseConfig(options.config) : config,
    logger: silentLogger,
    ...(options.sweep ? { sweep: { mode: options.sweep } } : {}),
  });

/** What a file on disk holds: the output as `npm run simulate` prints it. */
const asFile = (output: SimulationOutput): Record<string, unknown> => JSON.parse(JSON.stringify(output));
const worldPart = (output: SimulationOutput) =>
  Object.fromEntries(Object.entries(asFile(output)).filter(([key]) => !RUN_KEYS.includes(key)));

describe('an output is a world file', () => {
  it('the fixture sets every field of the world schema (add a new field to EVERY_FIELD)', () => {
    // Act
    const missing = keyPaths(worldSchema).filter((path) => !keyPaths(worldSchema, EVERY_FIELD).includes(path));
    // Assess
    expect(keyPaths(worldSchema).length).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });

  it('every field of the world schema survives a run and a second load', async () => {
    // Act
    const first = await run(EVERY_FIELD);
    const second = await run(asFile(first));
    // Assess
    const written = keyPaths(worldSchema, asFile(first));
    expect(keyPaths(worldSchema).filter((path) => !written.includes(path) && path !== 'entra.applications[].servicePrincipalId')).toEqual(
      [],
    );
    expect(worldPart(second)).toEqual(worldPart(first));
    expect(first.accounts[ACCOUNT]).toMatchObject({
      memberRoles: false,
      roles: [{ path: '/teams/', createDate: '2025-02-01T00:00:00.000Z' }],
    });
    expect(first.entra).toMatchObject({
      users: [USER],
      quota: 10,
      createdObjectsIncludeDeleted: true,
      createdObjectsCast: 'rejected',
      createdObjectsListApplications: false,
      filterOnUniqueName: 'rejected',
      deletedItemsFilterOnAppId: 'rejected',
    });
    expect(first.entra.applications[0]?.federatedIdentityCredentials).toEqual([
      {
        name: 'main',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:o/r:ref:refs/heads/main',
        audiences: ['api://AzureADTokenExchange'],
      },
    ]);
    // The service principal named by servicePrincipalId is written as the automation's creation, not nobody's.
    expect(first.entra.servicePrincipals).toContainEqual(
      expect.objectContaining({ id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa3', createdBy: 'automation' }),
    );
    expect(first.automationRecords).toEqual(EVERY_FIELD.automationRecords);
    // The faults that have not fired are carried, as they would go on.
    expect(first.faults).toEqual(EVERY_FIELD.faults);
  });

  it('ignores the keys that describe a run, and only those', () => {
    // Prepare
    const output = { ...EVERY_FIELD, ...Object.fromEntries(RUN_KEYS.map((key) => [key, { anything: true }])) };
    // Act
    const world = parseWorld(output);
    // Assess
    expect(world).toEqual(parseWorld(EVERY_FIELD));
    expect(() => parseWorld({ ...EVERY_FIELD, runs: [] })).toThrow(/runs/);
  });

  it('a world naming an automation identity the configuration does not have is refused, naming it', async () => {
    // Act
    const refused = run({
      accounts: {},
      entra: { applications: [{ appId: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', displayName: 'x', createdBy: 'automation-3' }] },
    });
    // Assess
    await expect(refused).rejects.toThrow(
      /"automation-3" names automation identity 3, but the configuration has 1 \(entra\.automationIdentities\)/,
    );
  });
});

const EXAMPLES = join(__dirname, '../../../simulation/examples');
const examples: [string, () => Promise<SimulationOutput>][] = [
  [
    'simulation/examples (world.json, events.json)',
    () =>
      run(JSON.parse(readFileSync(join(EXAMPLES, 'world.json'), 'utf8')), JSON.parse(readFileSync(join(EXAMPLES, 'events.json'), 'utf8'))),
  ],
  ...securityScenarios().map((s): [string, () => Promise<SimulationOutput>] => [
    `security/${s.name}`,
    () => run(s.world, [...s.events], s.config ? { config: s.config } : {}),
  ]),
  // `repair`: the mode that changes the world (a `report` sweep changes nothing to replay).
  ...sweepScenarios().map((s): [string, () => Promise<SimulationOutput>] => [
    `sweep/${s.name} --sweep repair`,
    () => run(s.world, [], { sweep: 'repair', ...(s.config ? { config: s.config } : {}) }),
  ]),
];

describe('replaying an output with no events changes nothing and reports the same invariants', () => {
  it.each(examples)('%s', async (name, first) => {
    // Prepare
    const written = await first();
    const sweepConfig =
      sweepScenarios().find((s) => name === `sweep/${s.name} --sweep repair`)?.config ??
      securityScenarios().find((s) => name === `security/${s.name}`)?.config;
    // Act
    const replayed = await run(asFile(written), [], sweepConfig ? { config: sweepConfig } : {});
    // Assess
    expect(worldPart(replayed)).toEqual(worldPart(written));
    expect(replayed.invariants).toEqual(written.invariants);
  });
});
