import { ROLE_TAGS } from '../../../functions/shared/workflow';
import { silentLogger } from '../../../functions/shared/runtime';
import { parseEvents, runSimulation, type SimulationOutput } from '../../../simulation/engine/run-simulation';
import { identitiesNeeded, scaleWorld, type ScaleWorldOptions } from '../../../simulation/engine/scale-world';
import { parseWorld } from '../../../simulation/engine/world';
import { identityObjectLimit, parseConfig } from '../../../stacks/config';

/**
 * The world `npm run simulate:scale` writes (1,000 accounts × 10 roles by default), scaled down
 * to 20 accounts with the same generator: every role ends ready, one client ID per provider in
 * the shared mode, no Entra object for a role that brings its own identity, and the automation
 * identities share the creator quota.
 */

interface Role {
  roleName: string;
  assumeRolePolicyDocument: { Statement: { Condition: { StringEquals: Record<string, string | string[]> } }[] };
  tags: Record<string, string>;
}

async function run(options: ScaleWorldOptions): Promise<{ output: SimulationOutput; generated: ReturnType<typeof scaleWorld> }> {
  const generated = scaleWorld(options);
  const output = await runSimulation({
    world: parseWorld(generated.world),
    events: parseEvents(generated.events),
    config: parseConfig(generated.config),
    logger: silentLogger,
  });
  return { output, generated };
}

const rolesOf = (output: SimulationOutput): Role[] =>
  Object.values(output.iam as Record<string, { roles: Role[] }>).flatMap((account) => account.roles);

describe('a world at scale (scaled down)', () => {
  const options: ScaleWorldOptions = { accounts: 20, rolesPerAccount: 10, broughtPerAccount: 4, audienceMode: 'shared' };
  let shared: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    shared = await run(options);
  });

  it('ends with every role ready, in the shared mode, with one client ID per provider', () => {
    // Assess
    const { summary } = shared.output;
    expect(summary.federatedRoles).toEqual({ total: 200, byStatus: { ready: 200 }, byIdentityMode: { shared: 120, 'bring-your-own': 80 } });
    expect(summary.providers).toEqual({ count: 20, maxClientIds: 1 });
    expect(shared.output.executions.every((execution) => execution.status === 'SUCCEEDED')).toBe(true);
  });

  it('pins every role to the gateway audience and its own identity: the brought ones to the managed identity named in sub', () => {
    const roles = rolesOf(shared.output);
    const gateway = roles[0]!.tags[ROLE_TAGS.audience];
    const identities = new Map(
      (shared.generated.world as { entra: { servicePrincipals: { id: string; appId: string }[] } }).entra.servicePrincipals.map((sp) => [
        sp.id,
        sp.appId,
      ]),
    );
    const subs = new Set<string>();
    for (const role of roles) {
      const pins = role.assumeRolePolicyDocument.Statement[0]!.Condition.StringEquals;
      const aud = Object.entries(pins).find(([key]) => key.endsWith(':aud'))![1];
      const sub = Object.entries(pins).find(([key]) => key.endsWith(':sub'))![1] as string;
      expect(aud).toBe(gateway);
      expect(role.tags[ROLE_TAGS.audience]).toBe(gateway);
      subs.add(sub);
      if (role.tags[ROLE_TAGS.identityMode] === 'bring-your-own') expect(role.tags[ROLE_TAGS.clientId]).toBe(identities.get(sub));
    }
    // No two roles share an identity, so no role's identity opens another role.
    expect(subs.size).toBe(roles.length);
  });

  it('creates no Entra object for the roles that bring their own identity, two for each other role', () => {
    const { entraObjectsCreated } = shared.output.summary;
    expect(entraObjectsCreated.forBroughtIdentities).toBe(0);
    expect(entraObjectsCreated.total).toBe(2 * 120);
    expect(shared.output.entra.applications).toHaveLength(120);
  });

  it('spreads the applications over the automation identities, none past its configured share', () => {
    const config = parseConfig(shared.generated.config);
    const byIdentity = Object.values(shared.output.summary.entraObjectsCreated.byIdentity);
    expect(config.entra.automationIdentities).toBe(identitiesNeeded(120, 0.9));
    expect(byIdentity).toHaveLength(config.entra.automationIdentities);
    expect(Math.max(...byIdentity)).toBeLessThanOrEqual(identityObjectLimit(config.entra));
  });

  it('generates the same files for the same options', () => {
    expect(JSON.stringify(scaleWorld(options))).toBe(JSON.stringify(shared.generated));
  });

  it('holds one client ID per role with an application (and the gateway) in the per-role mode', async () => {
    const { output } = await run({ accounts: 3, rolesPerAccount: 10, broughtPerAccount: 4, audienceMode: 'per-role' });
    expect(output.summary.federatedRoles.byStatus).toEqual({ ready: 30 });
    expect(output.summary.providers).toEqual({ count: 3, maxClientIds: 7 });
    expect(output.summary.entraObjectsCreated).toMatchObject({ total: 36, forBroughtIdentities: 0 });
  });
});
