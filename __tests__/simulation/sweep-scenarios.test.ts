import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, silentLogger } from '../../functions/shared/runtime';
import type { SweepMode } from '../../functions/shared/sweep';
import { parseConfig, type FederationConfigInput } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { runLocalSweep, type SweepOutput } from '../../simulation/engine/local-sweep';
import { startLocalWorld, type LocalWorld } from '../../simulation/engine/local-world';
import {
  localDefinitions,
  pipelineSettings,
  simulationOutput,
  runSimulation,
  type SimulationOutput,
} from '../../simulation/engine/run-simulation';
import { REVOKE_SESSIONS_POLICY_NAME, revokeOlderSessionsPolicy } from '../../functions/shared/iam';
import {
  EXPIRED_REVOCATION_TIME,
  GATEWAY_CLIENT_ID,
  IDENTITY_IDS,
  SWEEP_ACCOUNTS,
  SWEEP_IDS,
  generatedSweepWorld,
  sweepScenarios,
} from '../../simulation/scenarios/sweep';
import { SWEEP_SCENARIO_DIR, sweepScenarioFiles } from '../../simulation/scenarios/write';
import { parseWorld, seedWorld } from '../../simulation/engine/world';

/**
 * The sweep scenarios of docs/simulate.md#sweep-scenarios, run as `npm run simulate -- --world …
 * --sweep report|repair` runs them, against what must (and must not) happen. "No write call" is
 * read off the remote calls the run made: IAM and Graph count every call, faults included.
 */

type Role = { roleName: string; roleId: string; tags: Record<string, string>; assumeRolePolicyDocument: unknown };
type Account = { roles: Role[]; oidcProviders: { clientIds: string[] }[] };

const scenarios = Object.fromEntries(sweepScenarios().map((scenario) => [scenario.name, scenario]));
const { a, b, outside } = SWEEP_ACCOUNTS;

/** Every call that changes IAM or Entra. */
const WRITES =
  /^(graph:(POST|PATCH|DELETE) |iam:(Add|Remove)ClientID|iam:(UpdateAssumeRolePolicy|TagRole|UntagRole|CreateRole|DeleteRole|PutRolePolicy|DeleteRolePolicy))/;
const writes = (calls: Record<string, number>) => Object.fromEntries(Object.entries(calls).filter(([key]) => WRITES.test(key)));
const delta = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(after).flatMap(([key, count]) => (count - (before[key] ?? 0) > 0 ? [[key, count - (before[key] ?? 0)]] : [])),
  );

/** A world seeded from a scenario, on which sweeps can run one after another. */
async function worldOf(name: string, config: FederationConfigInput = scenarios[name]!.config ?? EXAMPLE_CONFIG) {
  const parsed = parseConfig(config);
  const world = await startLocalWorld({ definitions: localDefinitions(), settings: pipelineSettings(parsed), logger: silentLogger });
  seedWorld(world, parseWorld(scenarios[name]!.world));
  const logs: string[] = [];
  const sweep = async (mode: SweepMode, executionName: string, deletionCap?: number) => {
    const before = world.calls();
    const result = await runLocalSweep(world, {
      mode,
      executionName,
      ...(deletionCap === undefined ? {} : { deletionCap }),
      settings: { ...pipelineSettings(parsed), deletionCap: parsed.sweep.deletionCap, entraObjectQuota: parsed.sweep.entraObjectQuota },
      logger: createLogger({ sink: (line) => logs.push(line) }),
    });
    return { result, calls: delta(before, world.calls()), state: simulationOutput(world, pipelineSettings(parsed)) };
  };
  return { world, sweep, logs };
}

let open: LocalWorld[] = [];
afterEach(async () => {
  await Promise.all(open.map((world) => world.close()));
  open = [];
});
async function opened(name: string, config?: FederationConfigInput) {
  const handle = await worldOf(name, config);
  open.push(handle.world);
  return handle;
}

const account = (state: SimulationOutput, id: string = a) => state.iam[id] as Account;
const role = (state: SimulationOutput, name: string, id: string = a) =>
  account(state, id).roles.find((candidate) => candidate.roleName === name)!;
const clientIds = (state: SimulationOutput, id: string = a) => account(state, id).oidcProviders[0]!.clientIds;
const kinds = (sweep: SweepOutput) =>
  sweep.findings
    .map((finding) => `${finding.kind} ${finding.roleName ?? finding.appId ?? finding.account ?? ''} ${finding.action} ${finding.result}`)
    .sort();

describe('sweep scenarios (npm run simulate -- --sweep)', () => {
  it('the files under simulation/examples/sweep are the scenarios as written by npm run scenarios:write', () => {
    for (const scenario of sweepScenarios()) {
      for (const [file, content] of Object.entries(sweepScenarioFiles(scenario))) {
        expect(`${scenario.name}/${file}: ${readFileSync(join(SWEEP_SCENARIO_DIR, scenario.name, file), 'utf8')}`).toBe(
          `${scenario.name}/${file}: ${content}`,
        );
      }
    }
  });

  describe('day one: roles that existed before the automation', () => {
    it('report lists every role that trusts the provider and makes no write call', async () => {
      const { sweep } = await opened('day-one');

      const { result, calls, state } = await sweep('report', 'report-1');

      expect(kinds(result)).toEqual([
        'unfederated data-export federate proposed',
        'unfederated deployer federate proposed',
        'unfederated payments-ci federate proposed',
      ]);
      expect(writes(calls)).toEqual({});
      expect(role(state, 'payments-ci').tags).toEqual({});
      expect(state.entra.applications).toEqual([]);
      expect(result.states).not.toContain('RepairAccounts');
    });

    it('one repair leaves every such role ready and pinned; the second changes nothing', async () => {
      const { sweep } = await opened('day-one');

      const first = await sweep('repair', 'repair-1');
      const second = await sweep('repair', 'repair-2');

      for (const [name, id] of [
        ['payments-ci', a],
        ['data-export', a],
        ['deployer', b],
      ] as const) {
        const ready = role(first.state, name, id);
        expect(ready.tags['entra:federation-status']).toBe('ready');
        expect(clientIds(first.state, id)).toContain(ready.tags['entra:client-id']);
        expect(JSON.stringify(ready.assumeRolePolicyDocument)).toContain(ready.tags['entra:service-principal-id']!);
      }
      expect(role(first.state, 'batch-worker').tags).toEqual({});
      expect(first.result.totals.byResult).toEqual({ done: 3 });
      expect(first.state.executions.map((execution) => [execution.name.replace(/-AROA\w+$/, ''), execution.status])).toEqual(
        Array(3).fill([expect.stringMatching(/^Sweep-[0-9a-f]{16}$/), 'SUCCEEDED']),
      );
      expect(second.result.findings).toEqual([]);
      expect(writes(second.calls)).toEqual({});
      expect(second.state.iam).toEqual(first.state.iam);
    });
  });

  describe('drift: an orphan application, a dead client ID, broken pins, a retryable failure', () => {
    it('report proposes each repair and changes nothing', async () => {
      const { sweep } = await opened('drift');

      const { result, calls } = await sweep('report', 'report-1');

      expect(kinds(result)).toEqual(
        [
          `dead-client-id ${SWEEP_IDS.deadClientId} remove-client-id proposed`,
          `dead-client-id ${SWEEP_IDS.purgedApp} remove-client-id proposed`,
          `orphan-application ${SWEEP_IDS.orphanApp} delete-application proposed`,
          'broken-pin audit-reader federate proposed',
          'broken-pin ledger-writer federate proposed',
          'refused wide-open none reported',
          'retryable-failure flaky-role federate proposed',
        ].sort(),
      );
      expect(writes(calls)).toEqual({});
    });

    it('repair deletes and purges the orphan (application and service principal), removes dead client IDs, re-federates; a second run changes nothing', async () => {
      const { sweep } = await opened('drift');

      const first = await sweep('repair', 'repair-1');
      const second = await sweep('repair', 'repair-2');

      const ids = (state: SimulationOutput) => [
        ...state.entra.applications.map((app) => app.appId),
        ...state.entra.servicePrincipals.map((sp) => sp.id),
        ...state.entra.deletedItems.applications.map((app) => app.appId),
        ...state.entra.deletedItems.servicePrincipals.map((sp) => sp.id),
      ];
      expect(ids(first.state)).not.toContain(SWEEP_IDS.orphanApp);
      expect(ids(first.state)).not.toContain(SWEEP_IDS.orphanSp);
      expect(clientIds(first.state)).not.toEqual(expect.arrayContaining([SWEEP_IDS.orphanApp]));
      expect(clientIds(first.state)).not.toContain(SWEEP_IDS.deadClientId);
      expect(clientIds(first.state)).not.toContain(SWEEP_IDS.purgedApp);
      for (const name of ['ledger-writer', 'audit-reader', 'flaky-role']) {
        const repaired = role(first.state, name);
        expect(repaired.tags['entra:federation-status']).toBe('ready');
        expect(clientIds(first.state)).toContain(repaired.tags['entra:client-id']);
        expect(first.state.entra.servicePrincipals.map((sp) => sp.id)).toContain(repaired.tags['entra:service-principal-id']);
      }
      // The application that lost its service principal is kept and gets a new one.
      expect(role(first.state, 'ledger-writer').tags['entra:client-id']).toBe(SWEEP_IDS.spLessApp);
      expect(role(first.state, 'wide-open').tags['entra:federation-status']).toBe('failed:wildcard');
      expect(role(first.state, 'ready-role')).toEqual(role(second.state, 'ready-role'));
      expect(first.result.totals.byResult).toEqual({ done: 6, reported: 1 });

      expect(kinds(second.result)).toEqual(['refused wide-open none reported']);
      expect(writes(second.calls)).toEqual({});
    });
  });

  it('a role whose Create fails is reported failed, tagged by the Create, and refused (not retried) by the next sweep', async () => {
    // Prepare: a pre-existing role whose trust policy also trusts everyone (a wildcard).
    const { world, sweep } = await opened('day-one');
    world.iam.createRole(a, {
      roleName: 'too-wide',
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${a}:oidc-provider/sts.windows.net/${EXAMPLE_CONFIG.entra.tenantId}/` },
            Action: 'sts:AssumeRoleWithWebIdentity',
          },
          { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
        ],
      },
      createDate: new Date('2024-01-01T00:00:00Z'),
    });

    // Act
    const first = await sweep('repair', 'repair-1');
    const second = await sweep('repair', 'repair-2');

    // Assess
    expect(first.result.findings.find((finding) => finding.roleName === 'too-wide')).toMatchObject({
      kind: 'unfederated',
      result: 'failed',
      detail: expect.stringMatching(
        /Create execution Sweep-[0-9a-f]{16}-AROA\w+ States\.TaskFailed; the role's entra:federation-status says why/,
      ),
    });
    expect(first.result.totals.byResult).toEqual({ done: 3, failed: 1 });
    expect(role(first.state, 'too-wide').tags['entra:federation-status']).toBe('failed:wildcard');
    expect(kinds(second.result)).toEqual(['refused too-wide none reported']);
    expect(writes(second.calls)).toEqual({});
  });

  describe('the deletion cap', () => {
    it('over the cap, a repair deletes none, reports each as withheld and alarms, and still federates', async () => {
      const { sweep, logs } = await opened('deletion-cap');

      const { result, state, calls } = await sweep('repair', 'repair-1');

      expect(kinds(result).filter((line) => line.startsWith('orphan-application'))).toEqual([
        'orphan-application a0000000-0000-4000-8000-000000000201 delete-application withheld',
        'orphan-application a0000000-0000-4000-8000-000000000202 delete-application withheld',
        'orphan-application a0000000-0000-4000-8000-000000000203 delete-application withheld',
      ]);
      expect(result.findings).toContainEqual(expect.objectContaining({ kind: 'over-deletion-cap', account: null, action: 'none' }));
      expect(result.totals).toMatchObject({ deletions: 3, deletionsWithheld: true });
      expect(state.entra.applications).toHaveLength(4); // the three orphans and the new role's application
      expect(calls['graph:DELETE /applications/{id}']).toBeUndefined();
      expect(calls['iam:RemoveClientIDFromOpenIDConnectProvider']).toBeUndefined();
      expect(role(state, 'payments-ci').tags['entra:federation-status']).toBe('ready');
      const metrics = logs
        .map((line) => JSON.parse(line) as { message: string; metrics?: Record<string, number> })
        .find((line) => line.message === 'sweep metrics');
      expect(metrics?.metrics).toMatchObject({ deletionsWithheld: 1, orphanApplications: 3 });
    });

    it('an execution input with a higher cap lets the reviewed deletions through', async () => {
      const { sweep } = await opened('deletion-cap');

      const { result, state } = await sweep('repair', 'repair-1', 3);

      expect(result.totals.deletionsWithheld).toBe(false);
      expect(state.entra.applications.map((app) => app.appId)).not.toContain('a0000000-0000-4000-8000-000000000201');
      expect(clientIds(state)).toEqual([role(state, 'payments-ci').tags['entra:client-id']]);
    });

    it('at the cap, a repair deletes them', async () => {
      const { sweep } = await opened('deletion-cap', { ...EXAMPLE_CONFIG, sweep: { deletionCap: 3 } });

      const { result } = await sweep('repair', 'repair-1');

      expect(result.totals.byKind['orphan-application']).toBe(3);
      expect(result.findings.filter((finding) => finding.kind === 'orphan-application').map((finding) => finding.result)).toEqual([
        'done',
        'done',
        'done',
      ]);
    });
  });

  describe('accounts the sweep cannot read completely', () => {
    it('are reported and nothing named for them is deleted; a readable account is repaired', async () => {
      const { sweep } = await opened('unreadable-account');

      const { result, state } = await sweep('repair', 'repair-1');

      expect(kinds(result)).toEqual([
        'orphan-application a0000000-0000-4000-8000-000000000401 delete-application done',
        `unreadable-account ${b} none reported`,
        `unreadable-account ${outside} none reported`,
      ]);
      expect(state.entra.applications.map((app) => app.appId).sort()).toEqual([
        'a0000000-0000-4000-8000-000000000402',
        'a0000000-0000-4000-8000-000000000403',
      ]);
      expect(clientIds(state, b)).toEqual(['a0000000-0000-4000-8000-000000000402']);
      expect(result.totals).toMatchObject({ accounts: 3, unreadableAccounts: 2 });
    });

    it('an account whose role listing fails part-way is unreadable, not half-judged', async () => {
      // Prepare: ListRoles answers the first account, then fails for the second every time.
      const { world, sweep } = await opened('day-one');
      world.iam.faults.add({ call: 'iam:ListRoles', answer: { status: 400, code: 'Throttling' }, skip: 1, times: 0 });

      const { result, calls } = await sweep('repair', 'repair-1');

      expect(
        result.findings
          .filter((finding) => finding.kind === 'unreadable-account')
          .map((finding) => [finding.account, finding.detail?.split(':')[0]]),
      ).toEqual([[b, 'IamThrottledError']]);
      // The retries of the state machine's Retry (8 attempts after the first) all hit the fault.
      expect(calls['iam:ListRoles']).toBeGreaterThan(8);
    });
  });

  describe('what the automation did not create', () => {
    it('a hand-made federation, a squatter named like the automation, a squatter soft-deleted: reported or ignored, never touched', async () => {
      const { sweep } = await opened('hand-made-and-squatters');
      const before = simulationOutput((await opened('hand-made-and-squatters')).world, pipelineSettings(parseConfig(EXAMPLE_CONFIG)));

      const { result, state, calls } = await sweep('repair', 'repair-1');

      expect(kinds(result)).toEqual([
        'hand-made legacy-deployer none reported',
        `soft-deleted ${SWEEP_IDS.squatterDeletedApp} none reported`,
      ]);
      expect(writes(calls)).toEqual({});
      expect(state.iam).toEqual(before.iam);
      expect(state.entra).toEqual(before.entra);
    });
  });

  describe('one judgement: the gateway, brought identities and identities with no application (issue 17, items 1, 3 and 4)', () => {
    const I = IDENTITY_IDS;
    it('re-pins a ready shared-mode role left open through the gateway; leaves the brought and the hand-made managed identity alone', async () => {
      const { sweep } = await opened('gateway-is-not-hand-made');

      const { result, state } = await sweep('repair', 'repair-1');

      expect(kinds(result)).toEqual(['drifted shared-role federate done', 'hand-made hand-made-vm-role none reported']);
      const shared = role(state, 'shared-role');
      expect(JSON.stringify(shared.assumeRolePolicyDocument)).toContain(`:sub":"${I.sharedSp}"`);
      expect(shared.tags['entra:access']).toBe('pinned');
      expect(state.invariants.violations.filter((v) => v.roleName === 'shared-role')).toEqual([]);
      const scenario = scenarios['gateway-is-not-hand-made']!.world as { accounts: Record<string, { roles: Role[] }> };
      const written = (name: string) => scenario.accounts[a]!.roles.find((r) => r.roleName === name)!.assumeRolePolicyDocument;
      expect(role(state, 'vm-role').assumeRolePolicyDocument).toEqual(written('vm-role'));
      expect(role(state, 'hand-made-vm-role').assumeRolePolicyDocument).toEqual(written('hand-made-vm-role'));
      expect(clientIds(state)).toEqual(expect.arrayContaining([GATEWAY_CLIENT_ID, I.handMadeMi]));
      expect(state.entra.applications).toHaveLength(1);
    });

    it('finds a v2 role that brings a managed identity healthy: no application created, its client ID kept', async () => {
      const { sweep } = await opened('brought-managed-identity');

      const { result, state, calls } = await sweep('repair', 'repair-1');

      expect(kinds(result)).toEqual([]);
      expect(writes(calls)).toEqual({});
      expect(clientIds(state)).toEqual([I.broughtMi]);
      expect(state.entra.applications).toEqual([]);
    });
  });

  describe("expired revocation policies (issue 19 part 2: the sweep's half)", () => {
    it("a report proposes removing the automation's expired policy on a role that left federation and removes nothing; a repair removes exactly that one, not a team's policy of that name nor a recent revocation", async () => {
      const { world, sweep } = await opened('expired-revocation');
      // Revoked an hour ago: its sessions may still be live (a static world cannot say "an hour ago").
      world.iam.createRole(a, {
        roleName: 'left-an-hour-ago',
        assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
        inlinePolicies: {
          [REVOKE_SESSIONS_POLICY_NAME]: revokeOlderSessionsPolicy(
            `arn:aws:iam::${a}:oidc-provider/sts.windows.net/${EXAMPLE_CONFIG.entra.tenantId}/`,
            new Date(Date.now() - 3_600_000),
          ),
        },
      });

      const policiesOf = (state: SimulationOutput, roleName: string) =>
        Object.keys((role(state, roleName) as Role & { inlinePolicies: object }).inlinePolicies);

      const report = await sweep('report', 'report-1');

      expect(kinds(report.result)).toEqual(['expired-revocation left-federation remove-revocation-policy proposed']);
      expect(report.result.findings[0]!.detail).toContain(new Date(EXPIRED_REVOCATION_TIME).toISOString());
      expect(writes(report.calls)).toEqual({});
      for (const roleName of ['left-federation', 'teams-own', 'left-an-hour-ago'])
        expect(policiesOf(report.state, roleName)).toEqual([REVOKE_SESSIONS_POLICY_NAME]);
      expect(report.calls['iam:GetAccountAuthorizationDetails']).toBeGreaterThan(0);

      const repair = await sweep('repair', 'repair-1');

      expect(kinds(repair.result)).toEqual(['expired-revocation left-federation remove-revocation-policy done']);
      expect(writes(repair.calls)).toEqual({ 'iam:DeleteRolePolicy': 1 });
      expect(policiesOf(repair.state, 'left-federation')).toEqual([]);
      for (const roleName of ['teams-own', 'left-an-hour-ago'])
        expect(policiesOf(repair.state, roleName)).toEqual([REVOKE_SESSIONS_POLICY_NAME]);
      // Read again before the removal: the incarnation, then the policy itself.
      expect(repair.calls).toMatchObject({ 'iam:GetRole': expect.any(Number), 'iam:GetRolePolicy': 1 });

      // The next repair finds nothing left to remove.
      const again = await sweep('repair', 'repair-2');
      expect(kinds(again.result)).toEqual([]);
      expect(writes(again.calls)).toEqual({});
    });

    it('a removal that keeps failing leaves the policy where it is and reports it failed, with the error', async () => {
      const { world, sweep } = await opened('expired-revocation');
      // IAM throttles the removal's every read: the state machine's retries run out, its Catch keeps the repair.
      world.iam.faults.add({ call: 'iam:GetRolePolicy', answer: { status: 400, code: 'Throttling' }, times: 0 });

      const { result, state, calls } = await sweep('repair', 'repair-1');

      expect(kinds(result)).toEqual(['expired-revocation left-federation remove-revocation-policy failed']);
      expect(result.findings[0]!.detail).toMatch(/the removal failed, the policy stays: IamThrottledError: /);
      expect(writes(calls)).toEqual({});
      expect(Object.keys((role(state, 'left-federation') as Role & { inlinePolicies: object }).inlinePolicies)).toEqual([
        REVOKE_SESSIONS_POLICY_NAME,
      ]);
    });
  });

  describe('soft-deleted objects of the automation', () => {
    it("are purged, application and service principal, where Graph's record lists them", async () => {
      const { sweep } = await opened('soft-deleted');

      const { result, state } = await sweep('repair', 'repair-1');

      expect(kinds(result)).toEqual([
        `soft-deleted ${SWEEP_IDS.deletedApp} purge-deleted-item done`,
        `soft-deleted ${SWEEP_IDS.deletedApp} purge-deleted-item done`,
      ]);
      expect(state.entra.deletedItems).toEqual({ applications: [], servicePrincipals: [] });
    });

    it("are reported, never purged, where Graph's record does not list soft-deleted objects", async () => {
      const scenario = scenarios['soft-deleted']!;
      const world = { ...scenario.world, entra: { ...(scenario.world as { entra: object }).entra, createdObjectsIncludeDeleted: false } };

      const output = await runSimulation({
        world: parseWorld(world),
        events: [],
        config: parseConfig(EXAMPLE_CONFIG),
        logger: silentLogger,
        sweep: { mode: 'repair' },
      });

      expect(output.sweep!.findings.map((finding) => [finding.kind, finding.action, finding.result])).toEqual([
        ['soft-deleted', 'none', 'reported'],
        ['soft-deleted', 'none', 'reported'],
      ]);
      expect(output.entra.deletedItems.applications).toHaveLength(1);
      expect(output.entra.deletedItems.servicePrincipals).toHaveLength(1);
    });
  });

  it('a generated organization with a few percent drift is swept correctly, and a second repair changes nothing', async () => {
    // Prepare: 20 accounts × 10 roles; the benchmark runs 1,000 × 10.
    const generated = generatedSweepWorld({
      accounts: 20,
      rolesPerAccount: 10,
      unfederatedEvery: 33,
      brokenPinEvery: 50,
      orphanEvery: 7,
      deadClientIdEvery: 9,
    });
    const parsed = parseConfig(EXAMPLE_CONFIG);
    const world = await startLocalWorld({ definitions: localDefinitions(), settings: pipelineSettings(parsed), logger: silentLogger });
    open.push(world);
    seedWorld(world, parseWorld(generated.world));
    const settings = { ...pipelineSettings(parsed), deletionCap: 100, entraObjectQuota: 100000 };

    // Act
    const report = await runLocalSweep(world, { mode: 'report', executionName: 'r', settings, logger: silentLogger, concurrency: 4 });
    const repair = await runLocalSweep(world, { mode: 'repair', executionName: 'p', settings, logger: silentLogger, concurrency: 4 });
    const before = world.calls();
    const again = await runLocalSweep(world, { mode: 'repair', executionName: 'q', settings, logger: silentLogger, concurrency: 4 });

    // Assess
    expect(report.totals.byKind).toEqual({
      unfederated: generated.expected.unfederated,
      'broken-pin': generated.expected.brokenPin,
      'orphan-application': generated.expected.orphans,
      'dead-client-id': generated.expected.deadClientIds,
    });
    expect(report.totals.federatedRoles).toBe(generated.expected.roles);
    expect(repair.totals.byResult).toEqual({ done: report.totals.findings });
    expect(again.findings).toEqual([]);
    expect(writes(delta(before, world.calls()))).toEqual({});
  });
});
