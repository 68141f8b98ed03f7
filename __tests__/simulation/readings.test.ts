import { silentLogger } from '../../functions/shared/runtime';
import { parseConfig, type FederationConfigInput } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { parseEvents, runSimulation, type SimulationOutput } from '../../simulation/engine/run-simulation';
import { parseWorld } from '../../simulation/engine/world';
import type { GraphReadings } from '../../simulation/fakes/graph-state';
import { applicationUniqueName, parseApplicationUniqueName } from '../../functions/shared/entra';
import { ACCOUNT, securityScenarios } from '../../simulation/scenarios/security';
import { sweepScenarios } from '../../simulation/scenarios/sweep';

/**
 * The main scenarios under each open reading of Graph (issue 20, docs/simulate.md#the-open-readings),
 * alone and all at once: each run must end as the run under the default readings does (the same
 * roles with the same statuses, the same applications by name, creator and owners, the same
 * soft-deleted objects, the same providers) with no invariant violated, and must have taken the
 * fallback its reading forces (so a reading the fake stopped playing fails here).
 *
 * Under `createdObjectsListApplications: false` the automation's own record (functions/shared/entra/records.ts)
 * is the proof: each world here holds the records a deployment that kept them from its first day would
 * (`recordsFor`).
 */

type Readings = Partial<GraphReadings>;

/** Whether a run took the fallback its reading forces. */
type Fallback = (output: SimulationOutput) => boolean;
const called =
  (pattern: RegExp): Fallback =>
  (output) =>
    Object.keys(output.calls).some((key) => pattern.test(key));

const READINGS: [string, Readings, Fallback][] = [
  ['createdObjectsCast rejected', { createdObjectsCast: 'rejected' }, called(/^graph:GET \/servicePrincipals\/\{id\}\/createdObjects$/)],
  ['filterOnUniqueName rejected', { filterOnUniqueName: 'rejected' }, called(/^graph:GET \/servicePrincipals\/\{id\}\/createdObjects/)],
  [
    'deletedItemsFilterOnAppId rejected',
    { deletedItemsFilterOnAppId: 'rejected' },
    called(/^graph:GET \/directory\/deletedItems\/microsoft\.graph\.servicePrincipal$/),
  ],
  [
    'createdObjectsListApplications false',
    { createdObjectsListApplications: false },
    // The orphan the sweep removed was proven the automation's by its record alone.
    (output) => !output.entra.applications.some((app) => app.displayName.endsWith('-deleted-role')),
  ],
  [
    'all four at once',
    {
      createdObjectsCast: 'rejected',
      createdObjectsListApplications: false,
      filterOnUniqueName: 'rejected',
      deletedItemsFilterOnAppId: 'rejected',
    },
    called(/^graph:GET \/servicePrincipals\/\{id\}\/createdObjects$/),
  ],
];

interface Case {
  readonly world: { entra?: object } & Record<string, unknown>;
  readonly events: readonly object[];
  readonly config?: FederationConfigInput;
  readonly sweep?: boolean;
}

const security = (name: string): Case => {
  const scenario = securityScenarios().find((s) => s.name === name)!;
  return { world: scenario.world as Case['world'], events: scenario.events, ...(scenario.config ? { config: scenario.config } : {}) };
};
const sweep = (name: string): Case => {
  const scenario = sweepScenarios().find((s) => s.name === name)!;
  return { world: scenario.world as Case['world'], events: [], sweep: true, ...(scenario.config ? { config: scenario.config } : {}) };
};

const PROVIDER = { url: `https://sts.windows.net/${EXAMPLE_CONFIG.entra.tenantId}/`, clientIds: [] };
const PLACEHOLDER = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/sts.windows.net/${EXAMPLE_CONFIG.entra.tenantId}/` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`sts.windows.net/${EXAMPLE_CONFIG.entra.tenantId}/:aud`]: 'api://replace-me' } },
    },
  ],
};
const createRole = { event: 'CreateRole', account: ACCOUNT, roleName: 'fresh', trust: PLACEHOLDER, id: 'readings-create-1' };

const CASES: [string, Case][] = [
  ['create', { world: { accounts: { [ACCOUNT]: { roles: [], oidcProviders: [PROVIDER] } } }, events: [createRole] }],
  [
    'redelivered create',
    { world: { accounts: { [ACCOUNT]: { roles: [], oidcProviders: [PROVIDER] } } }, events: [createRole, createRole] },
  ],
  ['delete leaving nothing', security('delete-leaves-nothing')],
  ['squatted name', security('squatted-application-name')],
  ['re-created role name', security('recreated-role-name')],
  ['creator quota', security('quota-exceeded')],
  ['account cap against strangers', security('strangers-fill-account-cap')],
  ['sweep: orphans removed (repair)', sweep('drift')],
  ['sweep: foreign applications kept (repair)', sweep('hand-made-and-squatters')],
];

type WorldApplication = { id?: string; appId: string; uniqueName?: string | null; displayName: string; createdBy?: string };
type WorldRole = { roleName: string; roleId?: string };

/**
 * The records a deployment that kept them from its first day would hold for the world's applications
 * of the automation: one `created` record each, its role name found among the world's roles (by role
 * ID) or in the display name (`{prefix}-{account}-{role name}`), checked against the unique name.
 */
function recordsFor(world: Case['world']) {
  const entra = (world.entra ?? {}) as { applications?: WorldApplication[] };
  const accounts = (world.accounts ?? {}) as Record<string, { roles?: WorldRole[] }>;
  return (entra.applications ?? []).flatMap((app) => {
    const parsed = app.uniqueName ? parseApplicationUniqueName(app.uniqueName) : null;
    if (!parsed || !app.id || (app.createdBy ?? 'automation') !== 'automation') return [];
    const candidates = [
      ...(accounts[parsed.accountId]?.roles ?? []).filter((role) => role.roleId === parsed.roleId).map((role) => role.roleName),
      app.displayName.split(`-${parsed.accountId}-`)[1] ?? '',
    ];
    const roleName = candidates.find((name) => name && applicationUniqueName(parsed.accountId, name, parsed.roleId) === app.uniqueName);
    if (!roleName) return [];
    return [
      {
        uniqueName: app.uniqueName!,
        identity: 'automation',
        account: parsed.accountId,
        roleName,
        roleId: parsed.roleId,
        appId: app.appId,
        applicationId: app.id,
        state: 'created' as const,
        at: '2025-01-01T00:00:00.000Z',
      },
    ];
  });
}

async function run(c: Case, readings: Readings): Promise<SimulationOutput> {
  const world = { ...c.world, entra: { ...(c.world.entra ?? {}), ...readings }, automationRecords: recordsFor(c.world) };
  return runSimulation({
    world: parseWorld(world),
    events: parseEvents(c.events),
    config: parseConfig(c.config ?? EXAMPLE_CONFIG),
    logger: silentLogger,
    ...(c.sweep ? { sweep: { mode: 'repair' as const } } : {}),
  });
}

/** What must not depend on the reading: the IAM side and the tenant, by names rather than generated IDs. */
function outcome(output: SimulationOutput) {
  return {
    roles: Object.entries(output.accounts).flatMap(([account, a]) =>
      a.roles.map((role) => [account, role.roleName, role.tags['entra:federation-status'] ?? null, role.tags['entra:access'] ?? null]),
    ),
    clientIdCounts: Object.values(output.accounts).map((a) => a.oidcProviders.map((p) => p.clientIds.length)),
    applications: output.entra.applications.map((app) => [app.uniqueName, app.createdBy, app.owners]).sort(),
    servicePrincipals: output.entra.servicePrincipals.length,
    deletedItems: [output.entra.deletedItems.applications.length, output.entra.deletedItems.servicePrincipals.length],
    violations: output.invariants.violations,
  };
}

const baselines = new Map<string, Promise<ReturnType<typeof outcome>>>();
const baseline = (name: string, c: Case) => {
  if (!baselines.has(name)) baselines.set(name, run(c, {}).then(outcome));
  return baselines.get(name)!;
};

describe.each(READINGS)('under %s', (_reading, readings, fallback) => {
  it.each(CASES)('%s ends as under the default readings', async (name, c) => {
    // Act
    const output = await run(c, readings);
    // Assess
    expect(outcome(output)).toEqual(await baseline(name, c));
    expect(output.invariants.violations).toEqual([]);
    expect(output.entra).toMatchObject(readings);
  });

  it('takes the fallback its reading forces', async () => {
    // Act
    const output = await run(sweep('drift'), readings);
    // Assess
    expect(fallback(output)).toBe(true);
  });
});
