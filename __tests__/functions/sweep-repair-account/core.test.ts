import { sweepContext } from '../../fixtures/sweep-context';
import { GraphRequestError, GraphUnavailableError, silentLogger } from '../../../functions/shared/runtime';
import type { EntraApplication } from '../../../functions/shared/entra';
import type { MemberAccountIam } from '../../../functions/shared/iam';
import type { RepairItem, SweepContext } from '../../../functions/shared/sweep';
import { repairAccount, type Deps } from '../../../functions/sweep-repair-account/core';
import { makeHandler } from '../../../functions/sweep-repair-account/handler';
import { ACCOUNT_ID, FakeAccountIam, PROVIDER_ARN } from '../../fixtures/port-fakes';

const ACCOUNT = '222222222222';
const APP = (n: number) => `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const sweep = { id: '0123456789abcdef' } as SweepContext;

function fakes(options: { existing?: string[]; managedIdentities?: string[]; deleteFails?: (appId: string) => Error | undefined } = {}) {
  const removed: string[] = [];
  const deleted: string[] = [];
  const iam = { removeClientId: async (_provider: string, clientId: string) => void removed.push(clientId) } as unknown as MemberAccountIam;
  const deps: Deps = {
    settings: { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', tokenVersion: 1 },
    logger: silentLogger,
    openAccount: async () => iam,
    directory: {
      deleteApplication: async (app: EntraApplication) => {
        const error = options.deleteFails?.(app.appId);
        if (error) throw error;
        deleted.push(app.appId);
      },
      findApplicationByAppId: async (appId: string) =>
        (options.existing ?? []).includes(appId) ? { application: {} as EntraApplication, ours: false } : null,
      getServicePrincipal: async () => null,
      // A managed identity: a service principal with no application in the tenant.
      getServicePrincipalByAppId: async (appId: string) =>
        (options.managedIdentities ?? []).includes(appId)
          ? { id: appId, appId, displayName: 'mi', servicePrincipalType: 'ManagedIdentity' }
          : null,
      purgeDeletedItem: async () => undefined,
    },
  };
  return { deps, removed, deleted };
}
const item = (repair: Partial<RepairItem>): { repair: RepairItem; sweep: SweepContext } => ({
  repair: {
    accountId: ACCOUNT,
    deleteApplications: [],
    removeClientIds: [],
    purge: [],
    federate: [],
    removeRevocationPolicies: [],
    ...repair,
  },
  sweep,
});

describe('sweep-repair-account', () => {
  it('removes a dead client ID only if it still names no application', async () => {
    const { deps, removed } = fakes({ existing: [APP(2)] });

    const { repaired } = await repairAccount(deps, item({ removeClientIds: [APP(1), APP(2)] }));

    expect(removed).toEqual([APP(1)]);
    expect(repaired.outcomes).toEqual([
      { action: 'remove-client-id', target: APP(1), result: 'done' },
      {
        action: 'remove-client-id',
        target: APP(2),
        result: 'skipped',
        detail: 'an application or a service principal with this client ID exists now',
      },
    ]);
  });

  it('keeps a client ID that names a service principal with no application (a managed identity): it is live', async () => {
    const { deps, removed } = fakes({ managedIdentities: [APP(3)] });

    const { repaired } = await repairAccount(deps, item({ removeClientIds: [APP(3)] }));

    expect(removed).toEqual([]);
    expect(repaired.outcomes).toEqual([
      {
        action: 'remove-client-id',
        target: APP(3),
        result: 'skipped',
        detail: 'an application or a service principal with this client ID exists now',
      },
    ]);
  });

  it('reports a deletion Graph refuses and goes on; leaves the client ID of an application it could not delete', async () => {
    const { deps, removed, deleted } = fakes({
      deleteFails: (appId) => (appId === APP(1) ? new GraphRequestError('delete application: 403', 403) : undefined),
    });

    const { repaired } = await repairAccount(
      deps,
      item({
        deleteApplications: [
          { id: APP(101), appId: APP(1), uniqueName: 'a' },
          { id: APP(102), appId: APP(2), uniqueName: 'b' },
        ],
      }),
    );

    expect(deleted).toEqual([APP(2)]);
    expect(removed).toEqual([APP(2)]);
    expect(repaired.outcomes.map((outcome) => [outcome.target, outcome.result])).toEqual([
      [APP(1), 'failed'],
      [APP(2), 'done'],
    ]);
  });

  it('refuses, by name, a client ID to remove from the tenant-wide item (no account, no provider) and removes nothing', async () => {
    const { deps, removed } = fakes();

    const { repaired } = await repairAccount(deps, item({ accountId: null, removeClientIds: [APP(1)] }));

    expect(removed).toEqual([]);
    expect(repaired.outcomes).toEqual([
      {
        action: 'remove-client-id',
        target: APP(1),
        result: 'failed',
        detail: expect.stringMatching(/^InvalidInputError: .*without an account names client ID/),
      },
    ]);
  });

  it('leaves on a transient error, for the state machine to retry the whole (idempotent) item', async () => {
    const { deps } = fakes({ deleteFails: () => new GraphUnavailableError('503') });

    await expect(repairAccount(deps, item({ deleteApplications: [{ id: APP(101), appId: APP(1), uniqueName: 'a' }] }))).rejects.toThrow(
      GraphUnavailableError,
    );
  });

  it('names one Create execution per role, with the input an IAM event would give it and no owners', async () => {
    const { deps } = fakes();

    const { repaired } = await repairAccount(
      deps,
      item({ federate: [{ roleName: 'payments-ci', roleId: 'AROAPAYMENTSPAYMENTS1', kind: 'unfederated' }] }),
    );

    expect(repaired.federations).toEqual([
      {
        roleName: 'payments-ci',
        executionName: 'Sweep-0123456789abcdef-AROAPAYMENTSPAYMENTS1',
        input: {
          accountId: ACCOUNT,
          roleName: 'payments-ci',
          eventId: 'sweep-0123456789abcdef',
          eventName: 'Sweep',
          // It takes the role's lock first, like an execution the router starts.
          lock: { key: `${ACCOUNT}/payments-ci`, routedAt: expect.any(Number) },
        },
      },
    ]);
  });
});

/**
 * Against an in-memory member account (its provider's client IDs, the sessions opened in it) and
 * a tenant whose purges are recorded: where each change lands, and what is never opened.
 */
describe('sweep-repair-account: where the repair acts', () => {
  const SWEEP = sweepContext({ deletionCap: 25 });
  function world(options: { purgeFails?: (objectId: string) => Error | undefined } = {}) {
    const iam = new FakeAccountIam();
    iam.providers.set(PROVIDER_ARN, [APP(1), APP(2), APP(3)]);
    const purged: string[] = [];
    const { deps: base } = fakes();
    const deps: Deps = {
      ...base,
      openAccount: iam.open,
      directory: {
        ...base.directory,
        purgeDeletedItem: async (objectId: string) => {
          const error = options.purgeFails?.(objectId);
          if (error) throw error;
          purged.push(objectId);
        },
      },
    };
    return { iam, purged, deps };
  }
  const repairOf = (repair: Partial<RepairItem>): { repair: RepairItem; sweep: SweepContext } => ({
    repair: { ...item({}).repair, accountId: ACCOUNT_ID, ...repair },
    sweep: SWEEP,
  });

  it("deletes an orphan application and removes its client ID from the item's account's provider, in a session CloudTrail shows as the sweep's", async () => {
    const { iam, deps } = world();

    const { repaired } = await repairAccount(
      deps,
      repairOf({ deleteApplications: [{ id: APP(101), appId: APP(1), uniqueName: 'a' }], removeClientIds: [APP(3)] }),
    );

    expect(repaired.outcomes).toEqual([
      { action: 'delete-application', target: APP(1), result: 'done' },
      { action: 'remove-client-id', target: APP(3), result: 'done' },
    ]);
    expect(iam.providers.get(PROVIDER_ARN)).toEqual([APP(2)]);
    // The function and the sweep are named in the session: the member account's trail says why.
    expect(iam.sessions).toEqual(['wi-sweeprepaira-sweep-0123456789abcdef']);
  });

  it('opens no member account for an item with nothing to delete or remove there', async () => {
    const { iam, deps } = world();

    const { repaired } = await repairAccount(
      deps,
      repairOf({ federate: [{ roleName: 'payments-ci', roleId: 'AROAPAYMENTSPAYMENTS1', kind: 'unfederated' }] }),
    );

    expect(iam.sessions).toEqual([]);
    expect(repaired.outcomes).toEqual([]);
    expect(repaired.federations.map((federation) => federation.roleName)).toEqual(['payments-ci']);
  });

  it("purges the tenant's soft-deleted objects in the item without an account, opening no account; reports a purge Graph refuses and goes on", async () => {
    const { iam, purged, deps } = world({
      purgeFails: (objectId) => (objectId === APP(201) ? new GraphRequestError('purge deleted item: 403', 403) : undefined),
    });

    const { repaired } = await repairAccount(
      deps,
      repairOf({
        accountId: null,
        purge: [
          { id: APP(201), kind: 'application', appId: APP(1) },
          { id: APP(202), kind: 'servicePrincipal', appId: APP(1) },
        ],
      }),
    );

    expect(purged).toEqual([APP(202)]);
    expect(repaired).toEqual({
      accountId: null,
      outcomes: [
        { action: 'purge-deleted-item', target: APP(201), result: 'failed', detail: expect.stringMatching(/^GraphRequestError: /) },
        { action: 'purge-deleted-item', target: APP(202), result: 'done' },
      ],
      federations: [],
    });
    expect(iam.sessions).toEqual([]);
  });

  // A Create federates a role of one account: an item without an account starts none, whatever it names.
  it('starts no Create from the tenant-wide item, even one that names a role', async () => {
    const { deps } = world();

    const { repaired } = await repairAccount(
      deps,
      repairOf({ accountId: null, federate: [{ roleName: 'payments-ci', roleId: 'AROAPAYMENTSPAYMENTS1', kind: 'unfederated' }] }),
    );

    expect(repaired.federations).toEqual([]);
  });

  it('refuses, through its handler, an item whose application to delete is not named by a GUID, before opening any account or deleting anything', async () => {
    const { iam, purged, deps } = world();
    const handler = makeHandler(() => deps);

    await expect(handler(repairOf({ deleteApplications: [{ id: '../applications', appId: APP(1), uniqueName: 'a' }] }))).rejects.toThrow(
      /^sweep-repair-account input: repair\.deleteApplications\.0\.id: /,
    );
    expect(iam.sessions).toEqual([]);
    expect(iam.providers.get(PROVIDER_ARN)).toEqual([APP(1), APP(2), APP(3)]);
    expect(purged).toEqual([]);
  });
});
