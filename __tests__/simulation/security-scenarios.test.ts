import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../functions/shared/runtime';
import { LOCK_SID } from '../../functions/shared/iam';
import { parseConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { parseEvents, runSimulation, type SimulationOutput } from '../../simulation/engine/run-simulation';
import { ACCOUNT, GITHUB_PROVIDER_ARN, IDS, OTHER_ACCOUNT, securityScenarios } from '../../simulation/scenarios/security';
import { sessionDenied } from '../../simulation/engine/sessions';
import { REVOKE_SESSIONS_POLICY_NAME, revokedBefore, type PolicyDocument } from '../../functions/shared/iam';
import { SCENARIO_DIR, scenarioFiles } from '../../simulation/scenarios/write';
import { parseWorld } from '../../simulation/engine/world';

/**
 * Each security scenario of docs/simulate.md#security-scenarios, run through the simulator as an
 * operator would run its files, against what must (and must not) happen. Each `before` says
 * what the automation did before the fix: the assertions below fail on that behaviour.
 */

type Role = {
  roleName: string;
  tags: Record<string, string>;
  inlinePolicies: Record<string, PolicyDocument>;
  assumeRolePolicyDocument: { Statement: { Sid?: string; Effect: string; Condition?: unknown }[] };
};
type Account = { roles: Role[]; oidcProviders: { clientIds: string[] }[] };

const TENANT = EXAMPLE_CONFIG.entra.tenantId;
const scenarios = Object.fromEntries(securityScenarios().map((scenario) => [scenario.name, scenario]));

async function run(name: string): Promise<{ output: SimulationOutput; logs: string[] }> {
  const scenario = scenarios[name]!;
  const logs: string[] = [];
  const output = await runSimulation({
    world: parseWorld(scenario.world),
    events: parseEvents(scenario.events),
    config: parseConfig(scenario.config ?? EXAMPLE_CONFIG),
    logger: createLogger({ sink: (line) => logs.push(line) }),
    ...(scenario.sweep ? { sweep: { mode: scenario.sweep } } : {}),
  });
  return { output, logs };
}

const account = (output: SimulationOutput, id = ACCOUNT) => output.iam[id] as Account;
const role = (output: SimulationOutput, name: string, id = ACCOUNT) => account(output, id).roles.find((r) => r.roleName === name)!;
const clientIds = (output: SimulationOutput, id = ACCOUNT) => account(output, id).oidcProviders[0]?.clientIds ?? [];
const policyText = (r: Role) => JSON.stringify(r.assumeRolePolicyDocument);

describe('security scenarios (npm run simulate)', () => {
  it('the files under simulation/examples/security are the scenarios as written by npm run scenarios:write', () => {
    for (const scenario of securityScenarios()) {
      for (const [file, content] of Object.entries(scenarioFiles(scenario))) {
        expect(`${scenario.name}/${file}: ${readFileSync(join(SCENARIO_DIR, scenario.name, file), 'utf8')}`).toBe(
          `${scenario.name}/${file}: ${content}`,
        );
      }
    }
  });

  it('squatted application name: failed:name-taken, the squatter’s applications untouched and trusted by nothing', async () => {
    const { output } = await run('squatted-application-name');
    const victim = role(output, 'payments-deployer');
    expect(victim.tags['entra:federation-status']).toBe('failed:name-taken');
    expect(policyText(victim)).not.toContain(IDS.squatterSp);
    expect(policyText(victim)).not.toContain(IDS.squatterApp);
    expect(clientIds(output)).toEqual([]);
    const squatted = output.entra.applications.filter((app) => app.createdBy === IDS.squatter);
    expect(squatted.map((app) => [app.displayName, app.owners])).toEqual([
      ['totally-legit', [IDS.squatter, 'automation']],
      ['totally-legit-too', [IDS.squatter, 'automation']],
    ]);
    expect(output.calls['graph:PATCH /applications(uniqueName)']).toBeUndefined();
  });

  it('owners named by a later TagRole: the tagger is not an owner of anything', async () => {
    const { output } = await run('owners-named-by-tag');
    expect(output.entra.applications.flatMap((app) => app.owners)).not.toContain(IDS.attacker);
    expect(output.executions).toHaveLength(1);
  });

  it('re-created role name: the new role gets an application of its own without the earlier team’s owner', async () => {
    const { output } = await run('recreated-role-name');
    const pinnedAud = /:aud":"([0-9a-f-]{36})"/.exec(policyText(role(output, 'deployer')))?.[1];
    const pinnedApp = output.entra.applications.find((app) => app.appId === pinnedAud);
    expect(pinnedApp?.owners).toEqual(['automation']);
    // B's application is still there (Graph refused its deletion) but nothing trusts it.
    const bobs = output.entra.applications.find((app) => app.owners.includes(IDS.bob));
    expect(bobs).toBeDefined();
    expect(bobs?.appId).not.toBe(pinnedAud);
  });

  it.each(['failure-keeps-ready-role', 'graph-outage-keeps-ready-role'])(
    '%s: the ready role keeps its application, audience and pin; the status says what failed',
    async (name) => {
      const { output } = await run(name);
      const ready = role(output, 'ci-deployer');
      expect(ready.tags['entra:federation-status']).toMatch(/^failed:(wildcard|graph-unavailable)$/);
      expect(output.entra.applications.map((app) => app.appId)).toEqual([IDS.ourApp]);
      expect(output.entra.servicePrincipals.map((sp) => sp.id)).toEqual([IDS.ourSp]);
      expect(clientIds(output)).toEqual([IDS.ourApp]);
      expect(policyText(ready)).toContain(IDS.ourSp);
      expect(ready.tags['entra:client-id']).toBe(IDS.ourApp);
    },
  );

  it('re-applied placeholder: ready on the same application again, with no Graph write and no new object', async () => {
    const { output } = await run('reapplied-placeholder');
    const ready = role(output, 'ci-deployer');
    expect(ready.tags['entra:federation-status']).toBe('ready');
    expect(policyText(ready)).toContain(IDS.ourSp);
    expect(policyText(ready)).not.toContain('replace-me');
    expect(output.entra.applications.map((app) => app.appId)).toEqual([IDS.ourApp]);
    expect(output.entra.servicePrincipals.map((sp) => sp.id)).toEqual([IDS.ourSp]);
    const graphWrites = Object.entries(output.calls).filter(([call]) => /^graph:(POST|PATCH|PUT|DELETE) /.test(call));
    expect(graphWrites).toEqual([]);
    // The count is of real calls: the role was read from Graph (control).
    expect(Object.keys(output.calls).some((call) => call.startsWith('graph:GET '))).toBe(true);
  });

  it('open role: locked with a Deny for the provider’s tokens, the team’s statement kept', async () => {
    const { output } = await run('open-role-locked');
    const locked = role(output, 'open-role');
    expect(locked.tags).toMatchObject({ 'entra:federation-status': 'failed:graph-unavailable', 'entra:access': 'locked' });
    const statements = locked.assumeRolePolicyDocument.Statement;
    expect(statements.map((s) => [s.Sid, s.Effect])).toEqual([
      [undefined, 'Allow'],
      [LOCK_SID, 'Deny'],
    ]);
  });

  it('open role too large to lock: tagged open, and the role-open alarm line is logged', async () => {
    const { output, logs } = await run('open-role-too-large-to-lock');
    expect(role(output, 'open-big-role').tags['entra:access']).toBe('open');
    expect(logs.map((line) => JSON.parse(line) as { alarm?: string }).some((line) => line.alarm === 'role-open')).toBe(true);
  });

  it('forged account: nothing starts, the other account’s role is untouched', async () => {
    const { output } = await run('forged-account');
    expect(output.executions).toEqual([]);
    expect(role(output, 'payments-deployer', OTHER_ACCOUNT).tags).toEqual({});
    expect(output.entra.applications).toEqual([]);
  });

  it('hand-made federation: left exactly as the team wrote it, no tags, no application of ours', async () => {
    const { output } = await run('hand-made-federation');
    const legacy = role(output, 'legacy');
    expect(legacy.tags).toEqual({});
    expect(policyText(legacy)).toContain(IDS.handMadeApp);
    expect(policyText(legacy)).toContain('pwd*');
    expect(output.entra.applications.map((app) => app.createdBy)).toEqual([IDS.handMadeOwner]);
    expect(output.executions.map((e) => e.states.at(-1))).toEqual(['NothingToFederate']);
  });

  it('owners refused by Graph: ready and pinned all the same; entra:owners-status says what failed', async () => {
    const { output } = await run('owners-refused');
    const r = role(output, 'ci-deployer');
    expect(r.tags['entra:federation-status']).toBe('ready');
    expect(r.tags['entra:owners-status']).toBe(`failed:authorization-request-denied ${IDS.alice}`);
    expect(policyText(r)).toContain(':sub');
  });

  describe('older web identity sessions', () => {
    const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/sts.windows.net/${TENANT}/`;
    /** Sessions of each kind, issued a second before the revocation and a second after it. */
    function sessionsAround(r: Role) {
      const at = revokedBefore(r.inlinePolicies[REVOKE_SESSIONS_POLICY_NAME]!)!.getTime();
      const denied = (federatedProvider: string | undefined, offsetMs: number) =>
        sessionDenied(r.inlinePolicies, { issuedAt: new Date(at + offsetMs), ...(federatedProvider ? { federatedProvider } : {}) });
      return {
        tenantBefore: denied(PROVIDER, -1000),
        tenantAfter: denied(PROVIDER, 1000),
        ec2Before: denied(undefined, -1000),
        githubBefore: denied(GITHUB_PROVIDER_ARN, -1000),
      };
    }

    it("leave federation: the tenant's older web identity sessions are denied everything, EC2's and GitHub's are not", async () => {
      const { output } = await run('leave-federation-revokes-sessions');
      const r = role(output, 'ci-deployer');
      expect(Object.keys(r.inlinePolicies)).toEqual([REVOKE_SESSIONS_POLICY_NAME]);
      expect(sessionsAround(r)).toEqual({ tenantBefore: true, tenantAfter: false, ec2Before: false, githubBefore: false });
    });

    it("re-pinned to the team's managed identity: ready on it, the earlier identity's sessions denied", async () => {
      const { output } = await run('repin-revokes-sessions');
      const r = role(output, 'ci-deployer');
      expect(r.tags['entra:federation-status']).toBe('ready');
      expect(r.tags['entra:service-principal-id']).toBe(IDS.managedIdentitySp);
      expect(sessionsAround(r)).toMatchObject({ tenantBefore: true, tenantAfter: false, ec2Before: false });
    });

    it('an open role locked after a failure: the sessions anyone of the tenant took are denied', async () => {
      const { output } = await run('open-role-locked');
      const r = role(output, 'open-role');
      expect(r.tags['entra:access']).toBe('locked');
      expect(sessionsAround(r)).toMatchObject({ tenantBefore: true, tenantAfter: false });
    });

    it("inline policies full: failed:inline-policy-quota and the alarm line, the team's policy untouched", async () => {
      const { output, logs } = await run('inline-policy-quota');
      const r = role(output, 'ci-deployer');
      expect(r.tags['entra:federation-status']).toBe('failed:inline-policy-quota');
      expect(Object.keys(r.inlinePolicies)).toEqual(['team-permissions']);
      expect(logs.map((line) => JSON.parse(line)).filter((line) => line.alarm === 'inline-policy-quota')).toHaveLength(1);
    });
  });

  it('delete: no application and no service principal, live or soft-deleted, and no audience', async () => {
    const { output } = await run('delete-leaves-nothing');
    expect(output.entra.applications).toEqual([]);
    expect(output.entra.servicePrincipals).toEqual([]);
    expect(output.entra.deletedItems).toEqual({ applications: [], servicePrincipals: [] });
    expect(clientIds(output)).toEqual([]);
  });

  it("a kept statement that still admits the tenant: locked for every audience but the team's own, ready, entra:access=locked", async () => {
    const { output } = await run('kept-statement-open-locked');
    const r = role(output, 'two-paths');
    expect(r.tags['entra:federation-status']).toBe('ready');
    expect(r.tags['entra:access']).toBe('locked');
    const statements = r.assumeRolePolicyDocument.Statement;
    // The team's statement is as it wrote it; the lock exempts its application and the pinned identity.
    expect(statements[1]!.Condition).toEqual({ StringEquals: { [`sts.windows.net/${TENANT}/:aud`]: [IDS.teamApp, IDS.gateway] } });
    const lock = statements.find((statement) => statement.Sid === LOCK_SID);
    expect(lock?.Effect).toBe('Deny');
    const sub = /:sub":"([0-9a-f-]{36})"/.exec(JSON.stringify(statements[0]))?.[1];
    expect(lock?.Condition).toEqual({
      StringNotEquals: { [`sts.windows.net/${TENANT}/:aud`]: IDS.teamApp, [`sts.windows.net/${TENANT}/:sub`]: sub },
    });
    expect(output.invariants.violations).toEqual([]);
  });

  it('hand-made federation through a managed identity (no application in the tenant): left exactly as it is', async () => {
    const { output } = await run('hand-made-managed-identity');
    const scenario = scenarios['hand-made-managed-identity']!.world as { accounts: Record<string, { roles: Role[] }> };
    expect(role(output, 'vm-batch').assumeRolePolicyDocument).toEqual(scenario.accounts[ACCOUNT]!.roles[0]!.assumeRolePolicyDocument);
    expect(role(output, 'vm-batch').tags).toEqual({});
    expect(clientIds(output)).toEqual([IDS.managedIdentity]);
    expect(output.entra.applications).toEqual([]);
  });

  it('failure on a ready role whose new document drops the pin: the application, service principal and audience stay', async () => {
    const { output } = await run('failure-keeps-identity');
    const r = role(output, 'ci-deployer');
    expect(r.tags['entra:federation-status']).toBe('failed:wildcard');
    expect(output.entra.applications.map((app) => app.appId)).toEqual([IDS.ourApp]);
    expect(output.entra.servicePrincipals.map((sp) => sp.id)).toEqual([IDS.ourSp]);
    expect(output.entra.deletedItems).toEqual({ applications: [], servicePrincipals: [] });
    expect(clientIds(output)).toEqual([IDS.ourApp]);
    expect(r.tags['entra:client-id']).toBe(IDS.ourApp);
    expect(r.tags['entra:access']).not.toBe('open');
  });

  it('quota exceeded half-way: failed:entra-quota and nothing left behind', async () => {
    const { output } = await run('quota-exceeded');
    expect(role(output, 'one-too-many').tags['entra:federation-status']).toBe('failed:entra-quota');
    expect(output.entra.applications.map((app) => app.appId)).toEqual([IDS.ourApp]);
    expect(output.entra.servicePrincipals.map((sp) => sp.id)).toEqual([IDS.ourSp]);
    expect(output.entra.deletedItems).toEqual({ applications: [], servicePrincipals: [] });
    expect(clientIds(output)).toEqual([IDS.ourApp]);
  });

  it('owner removed the automation: failed:not-owner and its alarm, the Delete alarms too, the sweep reports both applications as not-owner', async () => {
    const { output, logs } = await run('owner-removed-automation');
    // The team's re-applied role: failed:not-owner, still pinned to its (working) application
    const kept = role(output, 'ci-deployer');
    expect(kept.tags['entra:federation-status']).toBe('failed:not-owner');
    expect(policyText(kept)).toContain(IDS.ourSp);
    // Nothing was written to an application the automation no longer owns (Graph would answer 403)
    expect(output.calls['graph:DELETE /applications/{id}']).toBeUndefined();
    expect(output.calls['graph:POST /applications/{id}/federatedIdentityCredentials']).toBeUndefined();
    expect(output.entra.applications.map((app) => [app.appId, app.owners])).toEqual([
      [IDS.ourApp, [IDS.alice]],
      [IDS.takenApp, [IDS.alice]],
    ]);
    // The alarm: the assign function's line for the tagged role, the Delete's for the application it may not delete
    const alarms = logs.map((line) => JSON.parse(line)).filter((line) => line.alarm === 'not-owner');
    expect(alarms.map((line) => [line.function, line.roleName])).toEqual([
      ['assign-role-to-audience', 'ci-deployer'],
      ['delete-service-principal', 'nightly-job'],
    ]);
    // The sweep: both applications are not-owner, reported; neither is an orphan to delete
    expect(output.sweep!.findings.map((finding) => [finding.kind, finding.appId, finding.action, finding.result])).toEqual([
      ['not-owner', IDS.ourApp, 'none', 'reported'],
      ['not-owner', IDS.takenApp, 'none', 'reported'],
    ]);
    expect(output.sweep!.totals.byKind['orphan-application']).toBeUndefined();
  });

  it('strangers fill an account cap: the new role is ready, the strangers’ applications untouched; the automation’s own third is refused', async () => {
    const { output } = await run('strangers-fill-account-cap');
    expect(role(output, 'new-role').tags['entra:federation-status']).toBe('ready');
    expect(role(output, 'third-role').tags['entra:federation-status']).toBe('failed:account-quota');
    const strangers = output.entra.applications.filter((app) => app.createdBy === IDS.squatter);
    expect(strangers.map((app) => [app.appId, app.owners])).toEqual(IDS.strangerApps.map((appId) => [appId, [IDS.squatter]]));
    expect(output.entra.applications.filter((app) => app.createdBy === 'automation')).toHaveLength(2);
  });
});

describe('squatter after an intent', () => {
  it('failed:name-taken, the squatter’s application not adopted, untouched, trusted by nothing; the intent stays an intent', async () => {
    const { output } = await run('squatter-after-intent');
    const victim = role(output, 'payments-deployer');
    expect(victim.tags['entra:federation-status']).toBe('failed:name-taken');
    expect(policyText(victim)).not.toContain(IDS.squatterApp);
    expect(policyText(victim)).not.toContain(IDS.squatterSp);
    expect(clientIds(output)).toEqual([]);
    expect(output.entra.applications.map((app) => [app.appId, app.displayName, app.owners])).toEqual([
      [IDS.squatterApp, 'totally-legit', ['automation']],
    ]);
    expect(output.automationRecords.map((record) => record.state)).toEqual(['intent']);
  });
});

describe('docs/simulate.md', () => {
  it('lists every security scenario with what it shows', () => {
    const guide = readFileSync(join(__dirname, '..', '..', 'docs', 'simulate.md'), 'utf8');
    for (const scenario of securityScenarios()) expect(guide).toContain(`| \`${scenario.name}\` | ${scenario.shows} |`);
  });
});
