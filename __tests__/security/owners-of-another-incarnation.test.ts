import { randomUUID } from 'node:crypto';
import { createRoleEvent, deleteRoleEvent } from '../fixtures/cloudtrail';
import { ACCOUNT, HOST, federatedPolicy, startE2eWorld, type E2eWorld } from '../e2e/harness';

/**
 * REVIEW FINDING 1 (critical): owners named by one incarnation's CreateRole are added to the
 * application of ANOTHER incarnation of the same role name.
 *
 * The router passes `requestedOwners` from a CreateRole record, but not the role ID IAM
 * answered with (`responseElements.role.roleId`). create-service-principal then reads
 * whatever role holds the name *now* (GetRole) and adds those owners to that incarnation's
 * application, whether it created it or found it ("created: false"). CloudTrail delivers IAM
 * events to EventBridge best effort and late (seconds to minutes), the Create's own retries
 * (up to ~10 min of backoff) re-run GetRole, and role names are shared in an account whose
 * teams are told apart by tags or paths (ABAC), not by names.
 *
 * Attack: team A (attacker) creates role `deployer` naming itself in `entra:owners`, and deletes
 * it; team B then creates its own `deployer`. When A's CreateRole event is processed after B's
 * role exists, A becomes owner of B's application, registers a certificate on it and assumes
 * B's role, which is pinned to that application's service principal.
 *
 * Minimal fix: the router also passes `responseElements.role.roleId` of a CreateRole; the Create
 * adds owners (better: does anything at all for a CreateRole) only when the role read now has
 * that role ID; otherwise it logs and skips (the current incarnation has its own CreateRole).
 */

let world: E2eWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const at = () => ({ accountId: ACCOUNT, eventId: randomUUID() });

/** The application whose appId the role's trust policy pins as `aud`. */
function pinnedApplication(w: E2eWorld, roleName: string) {
  const statements = w.iam.role(ACCOUNT, roleName)?.assumeRolePolicyDocument.Statement as unknown as {
    Condition?: Record<string, Record<string, string>>;
  }[];
  const aud = statements.map((s) => s.Condition?.StringEquals?.[`${HOST}:aud`]).find(Boolean);
  return w.graph.state.listApplications().find((app) => app.appId === aud);
}

/** Applies the IAM calls in the order they happened (the world changes at once); events are delivered later. */
function happen(w: E2eWorld, ...events: ReturnType<typeof createRoleEvent | typeof deleteRoleEvent>[]): void {
  for (const event of events) {
    const detail = event.detail as {
      eventName: string;
      requestParameters: Record<string, unknown>;
      responseElements?: { role?: { roleId?: string } } | null;
    };
    w.iam.applyCloudTrailCall(ACCOUNT, detail.eventName, detail.requestParameters, detail.responseElements?.role?.roleId);
  }
}

async function deliver(w: E2eWorld, ...events: object[]): Promise<void> {
  for (const event of events) {
    await w.pipeline.deliver([event as never]);
    await w.pipeline.drain();
  }
}

describe('attack: owners of one incarnation never reach another incarnation', () => {
  it("a late CreateRole of team A's deleted 'deployer' does not make A owner of team B's new 'deployer' application", async () => {
    // Prepare
    world = await startE2eWorld();
    const attacker = randomUUID();
    const bob = randomUUID();
    world.graph.state.addUsers(attacker, bob);
    const aCreate = createRoleEvent('deployer', federatedPolicy(), { ...at(), tags: { 'entra:owners': attacker } });
    const aDelete = deleteRoleEvent('deployer', at());
    const bCreate = createRoleEvent('deployer', federatedPolicy(), { ...at(), tags: { 'entra:owners': bob } });
    happen(world, aCreate, aDelete, bCreate);

    // Act: B's event arrives first; A's two events arrive late (best-effort delivery).
    await deliver(world, bCreate, aCreate, aDelete);

    // Assess: B's role is federated to an application only B owns.
    expect(world.iam.role(ACCOUNT, 'deployer')?.tags['entra:federation-status']).toBe('ready');
    const app = pinnedApplication(world, 'deployer');
    expect(app).toBeDefined();
    expect(app?.owners).toContain(bob.toLowerCase());
    expect(app?.owners).not.toContain(attacker.toLowerCase());
  });

  it("A's CreateRole processed while B's role already exists (no delivery delay needed: Create retries re-read the role)", async () => {
    // Prepare: A's Create meets a Graph outage on its first attempt; while Step Functions backs
    // off, A deletes its role and B creates its own under the same name.
    const attacker = randomUUID();
    const aDelete = deleteRoleEvent('deployer', at());
    const bCreate = createRoleEvent('deployer', federatedPolicy(), at());
    let invocations = 0;
    world = await startE2eWorld({
      beforeTask: async (stateName) => {
        if (stateName !== 'CreateServicePrincipal') return;
        invocations += 1;
        if (invocations === 2) happen(world!, aDelete, bCreate);
      },
    });
    world.graph.state.addUsers(attacker);
    world.graph.faults.inject({ method: 'POST', route: '/applications', kind: 'unavailable', count: 4 });
    const aCreate = createRoleEvent('deployer', federatedPolicy(), { ...at(), tags: { 'entra:owners': attacker } });
    happen(world, aCreate);

    // Act: A's Create retries into B's incarnation (and must leave it alone); B's own event federates it.
    await deliver(world, aCreate);
    const afterA = pinnedApplication(world, 'deployer');
    await deliver(world, bCreate);

    // Assess
    expect(invocations).toBeGreaterThanOrEqual(2);
    expect(afterA).toBeUndefined();
    const app = pinnedApplication(world, 'deployer');
    expect(app).toBeDefined();
    expect(app?.owners).not.toContain(attacker.toLowerCase());
  });
});
