import fc from 'fast-check';
import { InvalidInputError, silentLogger } from '../../../functions/shared/runtime';
import {
  applicationUniqueName,
  parseApplicationUniqueName,
  type DeletedItem,
  type EntraInventory,
  type InventoryApplication,
} from '../../../functions/shared/entra';
import type { AccountItem, Finding, TenantPlan } from '../../../functions/shared/sweep';
import { planSweep } from '../../../functions/sweep-plan/core';
import { makeHandler } from '../../../functions/sweep-plan/handler';
import { MemorySweepStore } from '../../../simulation/engine/local-sweep';

const ACCOUNT = '222222222222';
const OTHER_ACCOUNT = '333333333333';
const UNDEPLOYED = '444444444444';
const ANOTHER_UNDEPLOYED = '555555555555';

/** Directory GUIDs: `a…` client IDs, `b…` application objects, `c…` service principal objects. */
const guid = (letter: 'a' | 'b' | 'c', n: number) => `${letter}0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const CLIENT = (n: number) => guid('a', n);
const APP_OBJECT = (n: number) => guid('b', n);
const SP_OBJECT = (n: number) => guid('c', n);
/** The name the automation gives role `n`'s application in `account` (an IAM role ID, 21 characters). */
const ownName = (account: string, n: number) => applicationUniqueName(account, `role-${n}`, `AROA${String(n).padStart(17, '0')}`);

const liveApp = (n: number, uniqueName: string): InventoryApplication => ({
  id: APP_OBJECT(n),
  appId: CLIENT(n),
  uniqueName,
  displayName: `web-identity-${n}`,
  createdDateTime: '2025-05-01T00:00:00Z',
});
const deletedApp = (n: number, uniqueName: string | null): DeletedItem => ({
  kind: 'application',
  id: APP_OBJECT(n),
  appId: CLIENT(n),
  uniqueName,
});
/** Graph lists deleted service principals without a unique name (`$select=id,appId`). */
const deletedSp = (n: number, appId: string): DeletedItem => ({ kind: 'servicePrincipal', id: SP_OBJECT(n), appId, uniqueName: null });

/**
 * The tenant as the plan reads it through the `EntraInventory` port: what Graph's record
 * (`createdObjects`) lists as the automation's, and the tenant's deleted items, whoever made them.
 */
function tenant(
  contents: {
    applications?: InventoryApplication[];
    servicePrincipals?: { id: string; appId: string }[];
    deleted?: DeletedItem[];
    /** Object IDs Graph's record says the automation created. */
    createdByAutomation?: string[];
  } = {},
) {
  const purged: string[] = [];
  const inventory: EntraInventory = {
    listOwnApplications: async () => contents.applications ?? [],
    listOwnServicePrincipals: async () => contents.servicePrincipals ?? [],
    listDeletedItems: async (kind) => (contents.deleted ?? []).filter((item) => item.kind === kind),
    isOwnObject: async (objectId) => (contents.createdByAutomation ?? []).includes(objectId),
    purgeDeletedItem: async (objectId) => void purged.push(objectId),
  };
  return { inventory, purged };
}

const deps = (inventory: EntraInventory = tenant().inventory) => ({
  logger: silentLogger,
  inventory,
  baseline: {
    list: async () => [
      { accountId: ACCOUNT, status: 'CURRENT' },
      { accountId: OTHER_ACCOUNT, status: 'OUTDATED' },
    ],
  },
  store: new MemorySweepStore('web-identity-sweep-111111111111-eu-central-1'),
  identities: [{ createdObjectCount: async () => 12 }, { createdObjectCount: async () => 3 }],
  settings: { identityQuotaShare: 225 },
});
const plan = (input: unknown) => planSweep(deps(), { input, executionName: 'manual-1', startedAt: '2025-06-01T00:00:00Z' });

/** Plans a report run over this tenant; returns what the plan stored for the inspection map and the report. */
async function planOver(inventory: EntraInventory) {
  const dependencies = deps(inventory);
  const { sweep } = await planSweep(dependencies, {
    input: { mode: 'report' },
    executionName: 'manual-3',
    startedAt: '2025-06-01T00:00:00Z',
  });
  return {
    sweep,
    items: (await dependencies.store.getJson(sweep.accountsKey)) as AccountItem[],
    tenant: (await dependencies.store.getJson(sweep.tenantKey)) as TenantPlan,
  };
}
const softDeleted = (findings: readonly Finding[]) => findings.filter((finding) => finding.kind === 'soft-deleted');

describe('sweep-plan: the input of a sweep', () => {
  it.each([
    [{}, /mode: .*Start the sweep with \{"mode":"report"\}/],
    [{ mode: 'fix' }, /mode: /],
    [{ mode: 'repair', deletionCap: -1 }, /deletionCap: /],
    [{ mode: 'repair', deletioncap: 5 }, /deletioncap/],
  ])('refuses %j, naming the field and the form', async (input, message) => {
    await expect(plan(input)).rejects.toThrow(InvalidInputError);
    await expect(plan(input)).rejects.toThrow(message);
  });

  // Only an object has fields: anything else is refused as the wrong form, not read as a list of
  // misspelt fields (a string's characters, null's keys, which would throw a TypeError instead).
  it.each([[null], ['report'], [42]])('refuses %j as not the form of an input, showing the form', async (input) => {
    const refusal = await plan(input).catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as Error).message).toMatch(/^sweep input: .*Start the sweep with \{"mode":"report"\}/);
    expect((refusal as Error).message).not.toMatch(/unknown field/);
  });

  it('carries the mode, the cap of this run and the execution into the sweep, and writes one item per account', async () => {
    const dependencies = deps();

    const { sweep } = await planSweep(dependencies, {
      input: { mode: 'repair', deletionCap: 40 },
      executionName: 'manual-1',
      startedAt: '2025-06-01T00:00:00Z',
    });

    expect(sweep).toMatchObject({
      mode: 'repair',
      deletionCap: 40,
      executionName: 'manual-1',
      prefix: 'sweeps/manual-1/',
      accounts: 2,
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(await dependencies.store.getJson(sweep.accountsKey)).toEqual([
      { accountId: ACCOUNT, applications: [] },
      { accountId: OTHER_ACCOUNT, applications: [] },
    ]);
  });

  // Every later step reads and writes where the context says: the keys are the run's contract.
  it("names where each step of this execution reads and writes, under the execution's prefix, and no cap for a report run", async () => {
    const dependencies = deps();

    const { sweep } = await planSweep(dependencies, {
      input: { mode: 'report' },
      executionName: 'nightly-7',
      startedAt: '2025-06-01T02:00:00Z',
    });

    expect(sweep).toStrictEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      executionName: 'nightly-7',
      mode: 'report',
      startedAt: '2025-06-01T02:00:00Z',
      bucket: 'web-identity-sweep-111111111111-eu-central-1',
      prefix: 'sweeps/nightly-7/',
      accountsKey: 'sweeps/nightly-7/accounts.json',
      inspectPrefix: 'sweeps/nightly-7/inspect',
      repairPrefix: 'sweeps/nightly-7/repair',
      tenantKey: 'sweeps/nightly-7/tenant.json',
      accounts: 2,
    });
    expect([...dependencies.store.objects.keys()].sort()).toEqual([sweep.accountsKey, sweep.tenantKey]);
  });

  it("counts each automation identity's objects against its share, numbered in the configured order", async () => {
    const dependencies = deps();

    const { sweep } = await planSweep(dependencies, {
      input: { mode: 'report' },
      executionName: 'manual-2',
      startedAt: '2025-06-01T00:00:00Z',
    });

    expect(((await dependencies.store.getJson(sweep.tenantKey)) as { identities: unknown }).identities).toEqual([
      { identity: 1, objects: 12, share: 225 },
      { identity: 2, objects: 3, share: 225 },
    ]);
  });

  it('refuses, through its handler, a state without the execution name, naming the step and the field, before reading Entra', async () => {
    let listed = false;
    const inventory: EntraInventory = {
      ...tenant().inventory,
      listOwnApplications: async () => {
        listed = true;
        return [];
      },
    };
    const handler = makeHandler(() => deps(inventory));

    await expect(handler({ input: { mode: 'report' }, startedAt: '2025-06-01T00:00:00Z' })).rejects.toThrow(
      /^sweep-plan input: executionName: /,
    );
    expect(listed).toBe(false);
  });
});

describe("sweep-plan: the automation's live applications", () => {
  it('files each application under the account its name names, with its role incarnation and its service principal', async () => {
    const { inventory } = tenant({
      applications: [liveApp(1, ownName(ACCOUNT, 1)), liveApp(2, ownName(ACCOUNT, 2)), liveApp(3, ownName(OTHER_ACCOUNT, 3))],
      // Client IDs are GUIDs, matched whatever their case: Graph's listing of service principals may spell one in capitals.
      servicePrincipals: [
        { id: SP_OBJECT(1), appId: CLIENT(1).toUpperCase() },
        { id: SP_OBJECT(3), appId: CLIENT(3) },
      ],
    });

    const { items, tenant: plan } = await planOver(inventory);

    const own = (n: number, account: string, servicePrincipalId: string | null) => ({
      id: APP_OBJECT(n),
      appId: CLIENT(n),
      uniqueName: ownName(account, n),
      roleId: `AROA${String(n).padStart(17, '0')}`,
      createdDateTime: '2025-05-01T00:00:00Z',
      servicePrincipalId,
    });
    expect(items).toEqual([
      { accountId: ACCOUNT, applications: [own(1, ACCOUNT, SP_OBJECT(1)), own(2, ACCOUNT, null)] },
      { accountId: OTHER_ACCOUNT, applications: [own(3, OTHER_ACCOUNT, SP_OBJECT(3))] },
    ]);
    expect(plan.findings).toEqual([]);
    expect(plan.accounts).toBe(2);
  });

  // Graph's record lists every application the automation created, whatever it was named (an
  // earlier version's, a test's): only a name the automation makes says which account it serves.
  it('files no application whose name names no account, and reports none', async () => {
    const { inventory } = tenant({ applications: [liveApp(1, 'web-identity-legacy-payments'), liveApp(2, ownName(ACCOUNT, 2))] });

    const { items, tenant: plan } = await planOver(inventory);

    expect(items.map((item) => [item.accountId, item.applications.map((app) => app.appId)])).toEqual([
      [ACCOUNT, [CLIENT(2)]],
      [OTHER_ACCOUNT, []],
    ]);
    expect(plan.findings).toEqual([]);
  });

  it('reports and keeps the applications named for an account without a stack instance: one finding per account, in account order, with their count', async () => {
    const { inventory } = tenant({
      applications: [
        liveApp(1, ownName(ANOTHER_UNDEPLOYED, 1)),
        liveApp(2, ownName(UNDEPLOYED, 2)),
        liveApp(3, ownName(ANOTHER_UNDEPLOYED, 3)),
        liveApp(4, ownName(ACCOUNT, 4)),
      ],
    });

    const { sweep, items, tenant: plan } = await planOver(inventory);

    const kept = (account: string, count: number): Finding => ({
      kind: 'unreadable-account',
      account,
      action: 'none',
      result: 'reported',
      detail: `no member baseline stack instance: ${count} application(s) of the automation name this account and are kept`,
    });
    expect(plan.findings).toEqual([kept(UNDEPLOYED, 1), kept(ANOTHER_UNDEPLOYED, 2)]);
    // Nothing is inspected (so nothing is deleted) in an account the sweep cannot read.
    expect(items.map((item) => item.accountId)).toEqual([ACCOUNT, OTHER_ACCOUNT]);
    expect(sweep.accounts).toBe(2);
    expect(plan.accounts).toBe(2);
  });
});

describe("sweep-plan: soft-deleted objects (the automation's are purged only when Graph's record proves them so)", () => {
  it("proposes to purge a soft-deleted application proven the automation's, its service principal, and the service principal of a live application", async () => {
    const { inventory, purged } = tenant({
      applications: [liveApp(5, ownName(ACCOUNT, 5))],
      deleted: [deletedApp(1, ownName(OTHER_ACCOUNT, 1)), deletedSp(1, CLIENT(1)), deletedSp(5, CLIENT(5))],
      createdByAutomation: [APP_OBJECT(1), SP_OBJECT(1), SP_OBJECT(5)],
    });

    const { tenant: plan } = await planOver(inventory);

    const proposed = (objectId: string, appId: string, account: string | null, kind: DeletedItem['kind']): Finding => ({
      kind: 'soft-deleted',
      account,
      appId,
      objectId,
      action: 'purge-deleted-item',
      result: 'proposed',
      detail: kind,
    });
    expect(plan.findings).toEqual([
      // The application's name says which account it served; a service principal's says nothing.
      proposed(APP_OBJECT(1), CLIENT(1), OTHER_ACCOUNT, 'application'),
      proposed(SP_OBJECT(1), CLIENT(1), null, 'servicePrincipal'),
      proposed(SP_OBJECT(5), CLIENT(5), null, 'servicePrincipal'),
    ]);
    expect(plan.purge).toEqual([
      { id: APP_OBJECT(1), kind: 'application', appId: CLIENT(1) },
      { id: SP_OBJECT(1), kind: 'servicePrincipal', appId: CLIENT(1) },
      { id: SP_OBJECT(5), kind: 'servicePrincipal', appId: CLIENT(5) },
    ]);
    // The plan only reads: purging is the repair's, under the cap.
    expect(purged).toEqual([]);
  });

  // The attack: a tenant user registers an application under a name of the automation's form
  // (any user may pick any uniqueName not yet taken), deletes it, and waits for the sweep.
  it("never proposes to purge a soft-deleted application named exactly as the automation names them that Graph's record does not prove its own: it reports it for an administrator", async () => {
    const { inventory, purged } = tenant({
      deleted: [deletedApp(7, ownName(ACCOUNT, 7)), deletedSp(7, CLIENT(7))],
      createdByAutomation: [],
    });

    const { tenant: plan } = await planOver(inventory);

    const reported = (objectId: string, account: string | null, kind: DeletedItem['kind']): Finding => ({
      kind: 'soft-deleted',
      account,
      appId: CLIENT(7),
      objectId,
      action: 'none',
      result: 'reported',
      detail: `${kind}: Graph's record (createdObjects) does not show the automation created it, so it is not purged; a tenant administrator may (docs/operator.md#the-sweep)`,
    });
    expect(plan.findings).toEqual([reported(APP_OBJECT(7), ACCOUNT, 'application'), reported(SP_OBJECT(7), null, 'servicePrincipal')]);
    expect(plan.purge).toEqual([]);
    expect(purged).toEqual([]);
  });

  // The tenant's own deleted objects are none of the sweep's business, even when Graph's record
  // would claim them: only a name of the automation's form, or a client ID of its own, makes one a candidate.
  it("leaves alone the tenant's other deleted objects, look-alike names included: not purged, not reported, not counted", async () => {
    const { inventory, purged } = tenant({
      applications: [liveApp(9, ownName(ACCOUNT, 9))],
      deleted: [
        deletedApp(1, null),
        deletedApp(2, `aws-${ACCOUNT}-payments-ci`),
        deletedApp(3, ownName(ACCOUNT, 3).toUpperCase()),
        deletedApp(4, `${ownName(ACCOUNT, 4)}\n`),
        deletedApp(5, ownName(ACCOUNT, 5).replace(`aws-${ACCOUNT}`, 'aws-22222222222')),
        deletedSp(6, CLIENT(6)),
        deletedSp(1, CLIENT(1)),
      ],
      createdByAutomation: [APP_OBJECT(1), APP_OBJECT(2), APP_OBJECT(3), APP_OBJECT(4), APP_OBJECT(5), SP_OBJECT(6), SP_OBJECT(1)],
    });

    const { tenant: plan } = await planOver(inventory);

    expect(plan.findings).toEqual([]);
    expect(plan.purge).toEqual([]);
    expect(plan.directoryObjects).toBe(1);
    expect(purged).toEqual([]);
  });

  // Unproven soft-deleted objects may be the automation's too: counted, the quota alarm errs on the side of alarming.
  it("counts the automation's directory objects: live applications and service principals, and every soft-deleted object that may be its own", async () => {
    const { inventory } = tenant({
      applications: [liveApp(1, ownName(ACCOUNT, 1)), liveApp(2, ownName(ACCOUNT, 2)), liveApp(3, ownName(OTHER_ACCOUNT, 3))],
      servicePrincipals: [
        { id: SP_OBJECT(1), appId: CLIENT(1) },
        { id: SP_OBJECT(2), appId: CLIENT(2) },
      ],
      deleted: [deletedApp(4, ownName(ACCOUNT, 4)), deletedApp(5, ownName(ACCOUNT, 5)), deletedSp(5, CLIENT(5))],
      createdByAutomation: [APP_OBJECT(4)],
    });

    const { tenant: plan } = await planOver(inventory);

    // 3 live applications, 2 service principals, 1 proven and 2 unproven soft-deleted objects.
    expect(plan.directoryObjects).toBe(8);
    expect(plan.purge.map((item) => item.id)).toEqual([APP_OBJECT(4)]);
    expect(softDeleted(plan.findings).map((finding) => [finding.objectId, finding.action])).toEqual([
      [APP_OBJECT(4), 'purge-deleted-item'],
      [APP_OBJECT(5), 'none'],
      [SP_OBJECT(5), 'none'],
    ]);
  });

  describe("over generated mixes of the tenant's deleted objects", () => {
    const SEED = 4242;
    /** Names a tenant user might pick to pass for the automation's, none of its form. */
    const lookAlike = fc.oneof(
      fc.constant(null),
      fc.constantFrom(
        `aws-${ACCOUNT}-payments-ci`,
        ownName(ACCOUNT, 11).toUpperCase(),
        ` ${ownName(ACCOUNT, 12)}`,
        `${ownName(ACCOUNT, 13)}-copy`,
        `${ownName(ACCOUNT, 14)}\n`,
        `aws-${ACCOUNT}-0123456789abcdef-short`,
      ),
    );
    /** One deleted application and its service principal; who made them, and how they are named. */
    const pair = fc.record({
      named: fc.oneof(fc.constant<'own-form'>('own-form'), lookAlike),
      applicationProven: fc.boolean(),
      withServicePrincipal: fc.boolean(),
      servicePrincipalProven: fc.boolean(),
      applicationLive: fc.boolean(),
    });

    it(`purges only what Graph's record proves the automation's, of its form or its client IDs; reports the rest of those; ignores the others (seed ${SEED})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(pair, { maxLength: 8 }), async (pairs) => {
          const applications: InventoryApplication[] = [];
          const deleted: DeletedItem[] = [];
          const createdByAutomation: string[] = [];
          pairs.forEach((spec, n) => {
            if (spec.applicationLive) {
              // A live application of the automation (listed by Graph's record) whose service principal was deleted.
              applications.push(liveApp(n, ownName(ACCOUNT, n)));
            } else {
              deleted.push(deletedApp(n, spec.named === 'own-form' ? ownName(ACCOUNT, n) : spec.named));
              if (spec.applicationProven) createdByAutomation.push(APP_OBJECT(n));
            }
            if (spec.withServicePrincipal) deleted.push(deletedSp(n, CLIENT(n)));
            if (spec.servicePrincipalProven) createdByAutomation.push(SP_OBJECT(n));
          });
          const { inventory, purged } = tenant({ applications, deleted, createdByAutomation });

          const { tenant: plan } = await planOver(inventory);

          const ownClientIds = new Set([
            ...applications.map((app) => app.appId),
            ...deleted
              .filter((item) => item.kind === 'application' && item.uniqueName !== null && parseApplicationUniqueName(item.uniqueName))
              .map((item) => item.appId),
          ]);
          const candidate = (item: DeletedItem) =>
            item.kind === 'application'
              ? item.uniqueName !== null && parseApplicationUniqueName(item.uniqueName) !== null
              : ownClientIds.has(item.appId);
          const candidates = deleted.filter(candidate);
          // What is purged: exactly the candidates Graph's record proves the automation's.
          expect(plan.purge.map((item) => item.id).sort()).toEqual(
            candidates
              .filter((item) => createdByAutomation.includes(item.id))
              .map((item) => item.id)
              .sort(),
          );
          // Every candidate gets exactly one finding, a purge only if proven; nothing else gets one.
          const findings = softDeleted(plan.findings);
          expect(findings.map((finding) => finding.objectId).sort()).toEqual(candidates.map((item) => item.id).sort());
          for (const finding of findings) {
            expect(finding.action === 'purge-deleted-item').toBe(createdByAutomation.includes(finding.objectId!));
          }
          expect(plan.directoryObjects).toBe(applications.length + candidates.length);
          expect(purged).toEqual([]);
        }),
        { seed: SEED, numRuns: 200 },
      );
    });
  });
});
