import { createLogger } from '../../functions/shared/runtime';
import { LOCK_SID, REVOKE_SESSIONS_POLICY_NAME, type PolicyDocument } from '../../functions/shared/iam';
import { parseConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { parseEvents, runSimulation, type SimulationOutput } from '../../simulation/engine/run-simulation';
import { updateAssumeRolePolicyEvent } from '../../simulation/engine/cloudtrail-events';
import { sessionDenied } from '../../simulation/engine/sessions';
import { parseWorld } from '../../simulation/engine/world';
import { ACCOUNT, IDS, readyWorld } from '../../simulation/scenarios/security';

/**
 * `{Prefix}-Role-Revoke` and `{Prefix}-Role-Restore` through the simulator (docs/simulate.md#revoking-a-role):
 * revoke → locked, sessions revoked, service principal disabled, application kept, status revoked,
 * a following sweep repair changes nothing; restore → ready on the same application.
 */

type Role = {
  roleName: string;
  tags: Record<string, string>;
  assumeRolePolicyDocument: { Statement: { Sid?: string; Effect: string; Condition?: unknown }[] };
  inlinePolicies: Record<string, PolicyDocument>;
};

const REQUESTED_BY = 'arn:aws:sts::111122223333:assumed-role/SecurityOps/alice';
const REVOKE = {
  accountId: ACCOUNT,
  roleName: 'ci-deployer',
  requestedBy: REQUESTED_BY,
  reason: 'INC-42: credential leaked in a build log',
};
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/sts.windows.net/${EXAMPLE_CONFIG.entra.tenantId}/`;

async function run(
  operations: { revoke?: object; restore?: object },
  options: { world?: object; sweep?: boolean; events?: object[] } = {},
): Promise<{ output: SimulationOutput; logs: Record<string, unknown>[] }> {
  const logs: Record<string, unknown>[] = [];
  const output = await runSimulation({
    world: parseWorld(options.world ?? readyWorld()),
    events: parseEvents(options.events ?? []),
    config: parseConfig(EXAMPLE_CONFIG),
    logger: createLogger({ sink: (line) => logs.push(JSON.parse(line)) }),
    operations: operations as never,
    ...(options.sweep ? { sweep: { mode: 'repair' as const } } : {}),
  });
  return { output, logs };
}

const roleOf = (output: SimulationOutput) =>
  (output.accounts[ACCOUNT]!.roles as unknown as Role[]).find((role) => role.roleName === 'ci-deployer')!;
const ourSp = (output: SimulationOutput) => output.entra.servicePrincipals.find((sp) => sp.id === IDS.ourSp);

describe('revoking a role (npm run simulate -- --revoke)', () => {
  it('locks the role, revokes its sessions, disables its service principal, keeps its application; status revoked; one alarm line', async () => {
    const { output, logs } = await run({ revoke: REVOKE });
    const role = roleOf(output);
    expect(output.executions.map((execution) => [execution.stateMachine, execution.status])).toEqual([
      ['Web-Identity-Role-Revoke', 'SUCCEEDED'],
    ]);
    expect(role.tags['entra:federation-status']).toBe('revoked');
    expect(role.tags['entra:access']).toBe('locked');
    const lock = role.assumeRolePolicyDocument.Statement.find((statement) => statement.Sid === LOCK_SID);
    expect(lock).toMatchObject({ Effect: 'Deny' });
    expect(lock!.Condition).toBeUndefined();
    expect(Object.keys(role.inlinePolicies)).toEqual([REVOKE_SESSIONS_POLICY_NAME]);
    expect(sessionDenied(role.inlinePolicies, { issuedAt: new Date(Date.now() - 60_000), federatedProvider: PROVIDER })).toBe(true);
    expect(ourSp(output)?.accountEnabled).toBe(false);
    expect(output.entra.applications.map((app) => app.appId)).toEqual([IDS.ourApp]);
    expect(output.accounts[ACCOUNT]!.oidcProviders[0]!.clientIds).toEqual([IDS.ourApp]);
    expect(output.invariants.violations).toEqual([]);
    const alarms = logs.filter((line) => line.alarm === 'role-revoked');
    expect(alarms).toEqual([
      expect.objectContaining({
        requestedBy: REQUESTED_BY,
        reason: REVOKE.reason,
        identity: 'disabled',
        locked: true,
        roleName: 'ci-deployer',
      }),
    ]);
  });

  it('a following sweep repair changes nothing: the role stays revoked and locked, its application stays', async () => {
    const revoked = await run({ revoke: REVOKE });
    const { output } = await run({}, { world: revoked.output, sweep: true });
    expect(roleOf(output)).toEqual(roleOf(revoked.output));
    expect(output.entra.applications).toEqual(revoked.output.entra.applications);
    expect(output.sweep?.findings.map((finding) => finding.kind)).toEqual(['revoked']);
    expect(output.executions).toEqual([]);
  });

  it("the team's next trust policy write does not federate a revoked role again (an attacker on the team cannot lift it)", async () => {
    const revoked = await run({ revoke: REVOKE });
    // The role's trust policy as it was before the revocation, re-applied by someone of the team.
    const before = (readyWorld().accounts[ACCOUNT] as { roles: { assumeRolePolicyDocument: object }[] }).roles[0]!.assumeRolePolicyDocument;
    const event = updateAssumeRolePolicyEvent('ci-deployer', before as PolicyDocument, { accountId: ACCOUNT, eventId: 'reapply-0001' });
    const { output } = await run({}, { world: revoked.output, events: [event] });
    expect(output.executions.map((execution) => [execution.stateMachine, execution.states.includes('AssignRoleToAudience')])).toEqual([
      ['Web-Identity-Role-Create', false],
    ]);
    expect(roleOf(output).tags['entra:federation-status']).toBe('revoked');
    expect(ourSp(output)?.accountEnabled).toBe(false);
  });

  it("adds the lock back when the team's write took it off, keeping the team's document under it (status revoked, access locked)", async () => {
    const revoked = await run({ revoke: REVOKE });
    const before = (readyWorld().accounts[ACCOUNT] as unknown as { roles: { assumeRolePolicyDocument: { Statement: object[] } }[] })
      .roles[0]!.assumeRolePolicyDocument;
    const event = updateAssumeRolePolicyEvent('ci-deployer', before as unknown as PolicyDocument, {
      accountId: ACCOUNT,
      eventId: 'reapply-0002',
    });
    const { output } = await run({}, { world: revoked.output, events: [event] });
    const statements = (roleOf(output) as unknown as { assumeRolePolicyDocument: { Statement: { Sid?: string; Effect: string }[] } })
      .assumeRolePolicyDocument.Statement;
    expect(statements.filter((statement) => /^EntraFederationLock/.test(statement.Sid ?? '')).map((statement) => statement.Effect)).toEqual(
      ['Deny'],
    );
    // The team's own statements are kept under the lock.
    expect(statements.length).toBe(before.Statement.length + 1);
    expect(output.executions.map((execution) => execution.states.includes('LockRevokedRole'))).toEqual([true]);
    expect(roleOf(output).tags['entra:federation-status']).toBe('revoked');
    expect(roleOf(output).tags['entra:access']).toBe('locked');
  });

  it('a brought identity is locked out and its sessions revoked, but not disabled: the alarm line says so', async () => {
    const world = readyWorld();
    const account = world.accounts[ACCOUNT] as { roles: { tags: Record<string, string> }[] };
    account.roles[0]!.tags = { ...account.roles[0]!.tags, 'entra:identity-mode': 'bring-your-own' };
    const { output, logs } = await run({ revoke: REVOKE }, { world });
    expect(roleOf(output).tags['entra:federation-status']).toBe('revoked');
    expect(ourSp(output)?.accountEnabled).toBe(true);
    expect(logs.find((line) => line.alarm === 'role-revoked')).toMatchObject({
      identity: 'not-ours',
      identityNotDisabled: expect.stringMatching(/NOT disabled/),
    });
  });

  it('refuses an input without requestedBy or reason, naming the field, and changes nothing', async () => {
    const { output } = await run({ revoke: { accountId: ACCOUNT, roleName: 'ci-deployer', reason: 'x' } });
    expect(output.executions.map((execution) => execution.status)).toEqual(['FAILED']);
    expect(roleOf(output).tags['entra:federation-status']).toBe('ready');
  });
});

describe('restoring a role (npm run simulate -- --restore)', () => {
  it('enables the service principal, lifts the lock and federates the role again to the same application; the revocation policy stays', async () => {
    const { output } = await run({ revoke: REVOKE, restore: { ...REVOKE, reason: 'INC-42 closed' } });
    const role = roleOf(output);
    expect(output.executions.map((execution) => [execution.stateMachine, execution.status])).toEqual([
      ['Web-Identity-Role-Revoke', 'SUCCEEDED'],
      ['Web-Identity-Role-Restore', 'SUCCEEDED'],
    ]);
    expect(role.tags['entra:federation-status']).toBe('ready');
    expect(role.tags['entra:client-id']).toBe(IDS.ourApp);
    expect(role.assumeRolePolicyDocument.Statement.some((statement) => statement.Sid === LOCK_SID)).toBe(false);
    expect(ourSp(output)?.accountEnabled).toBe(true);
    expect(output.entra.applications.map((app) => app.appId)).toEqual([IDS.ourApp]);
    expect(Object.keys(role.inlinePolicies)).toEqual([REVOKE_SESSIONS_POLICY_NAME]);
    expect(output.invariants.violations).toEqual([]);
  });

  it('refuses to restore a role that is not revoked', async () => {
    const { output } = await run({ restore: REVOKE });
    expect(output.executions.map((execution) => execution.status)).toEqual(['FAILED']);
    expect(roleOf(output).tags['entra:federation-status']).toBe('ready');
  });
});
