import { InvalidInputError, silentLogger } from '../../../functions/shared/runtime';
import type { EntraInventory } from '../../../functions/shared/entra';
import { planSweep } from '../../../functions/sweep-plan/core';
import { MemorySweepStore } from '../../../simulation/engine/local-sweep';

const empty: EntraInventory = {
  listOwnApplications: async () => [],
  listOwnServicePrincipals: async () => [],
  listDeletedItems: async () => [],
  isOwnObject: async () => false,
  purgeDeletedItem: async () => undefined,
};
const deps = () => ({
  logger: silentLogger,
  inventory: empty,
  baseline: { list: async () => [{ accountId: '222222222222', status: 'CURRENT' }] },
  store: new MemorySweepStore('web-identity-sweep-111111111111-eu-central-1'),
  identities: [{ createdObjectCount: async () => 12 }, { createdObjectCount: async () => 3 }],
  settings: { identityQuotaShare: 225 },
});
const plan = (input: unknown) => planSweep(deps(), { input, executionName: 'manual-1', startedAt: '2025-06-01T00:00:00Z' });

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
      accounts: 1,
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(await dependencies.store.getJson(sweep.accountsKey)).toEqual([{ accountId: '222222222222', applications: [] }]);
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
});
