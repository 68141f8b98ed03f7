import { randomUUID } from 'node:crypto';
import { createRoleEvent, deleteRoleEvent } from '../fixtures/cloudtrail';
import { ACCOUNT, HOST, PROVIDER_ARN, federatedPolicy, startE2eWorld, type E2eWorld } from '../e2e/harness';

/**
 * REVIEW FINDING 4 (medium): a Create that fails compensates the role's CURRENT incarnation,
 * not its own.
 *
 * delete-service-principal (compensation mode) computes the application to remove from the
 * role it reads now (`applicationUniqueName(account, role, role.roleId)`), and
 * assign-role-to-audience throws `RoleNotFoundError` when it finds another incarnation. So when
 * team A's role `deployer` is deleted and team B's `deployer` is created while A's Create is
 * between its create and pin steps, A's compensation deletes and purges B's application and
 * removes its audience, while B's own Create is about to pin to it. B's role ends
 * `entra:federation-status = ready`, `entra:access = pinned`, pinned to a service principal
 * that no longer exists: unusable, and its status lies. Team A can time this (it deletes its own
 * role right after creating it; role names are shared in the account), so it is a targeted
 * denial of service, and it breaks "compensation may only undo what that execution created".
 *
 * Minimal fix: carry the incarnation through the execution (the CreateRole's
 * `responseElements.role.roleId`, or `application.roleId` from create-service-principal) and
 * let the compensation remove only the application of that incarnation; a role read with
 * another role ID is not this execution's to touch.
 */

let world: E2eWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

describe("review: a failing Create never removes another incarnation's application", () => {
  it("team A's Create, failing because its role was replaced, leaves team B's new application alone", async () => {
    // Prepare
    const aId = randomUUID();
    const bId = randomUUID();
    const aCreate = createRoleEvent('deployer', federatedPolicy(), { accountId: ACCOUNT, eventId: aId });
    const aDelete = deleteRoleEvent('deployer', { accountId: ACCOUNT, eventId: randomUUID() });
    const bCreate = createRoleEvent('deployer', federatedPolicy(), { accountId: ACCOUNT, eventId: bId });
    let bAtPin!: () => void;
    const bReachedPin = new Promise<void>((resolve) => (bAtPin = resolve));
    let swapped = false;
    world = await startE2eWorld({
      beforeTask: async (stateName, input) => {
        if (stateName !== 'AssignRoleToAudience') return;
        if (input.eventId === aId && !swapped) {
          // A's application is registered; A deletes its role and B creates its own `deployer`.
          swapped = true;
          happen(world!, aDelete, bCreate);
          // B's Create waits for A's to release the role's lock (one execution per role at a
          // time), so A reaches its pin, meets B's role and compensates first.
          await world!.pipeline.deliver([bCreate as never]);
        } else if (input.eventId === bId) {
          bAtPin();
        }
      },
    });
    happen(world, aCreate);

    // Act: A's Create runs to its end (it meets B's role at the pin), then B's Create pins.
    await world.pipeline.deliver([aCreate as never]);
    const aExecution = () => world!.pipeline.executions.find((e) => e.input.eventId === aId);
    for (let i = 0; i < 2000 && aExecution()?.status === 'RUNNING'; i += 1) await sleep(5);
    await world.pipeline.drain();
    await bReachedPin;

    // Assess: B's role is ready and pinned to an application and service principal that exist, whose client ID the provider holds.
    expect(swapped).toBe(true);
    const role = world.iam.role(ACCOUNT, 'deployer')!;
    expect(role.tags['entra:federation-status']).toBe('ready');
    const aud = JSON.stringify(role.assumeRolePolicyDocument).match(
      new RegExp(`${HOST.replace(/[./]/g, '\\$&')}:aud":"([0-9a-f-]{36})`),
    )?.[1];
    expect(aud).toBeDefined();
    expect(world.graph.state.listApplications().map((app) => app.appId)).toContain(aud);
    expect(world.graph.state.listServicePrincipals().map((sp) => sp.appId)).toContain(aud);
    expect(world.iam.provider(ACCOUNT, PROVIDER_ARN)?.clientIds).toContain(aud);
  });
});
