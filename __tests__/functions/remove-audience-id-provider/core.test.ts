import { removeAudience } from '../../../functions/remove-audience-id-provider/core';
import { ACCOUNT_ID, FakeAccountIam, PROVIDER_ARN, baseSettings, logger } from '../../fixtures/port-fakes';

const APP_ID = '2b1c7e4a-9f3d-4c5b-8a6e-1d2f3a4b5c6d';
const OTHER = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const input = {
  accountId: ACCOUNT_ID,
  roleName: 'ci-deployer',
  eventId: 'e2',
  eventName: 'DeleteRole' as const,
  deleted: { appIds: [APP_ID], any: true },
};

describe('remove-audience-id-provider core', () => {
  it("removes only the deleted application's client ID, and is a no-op the second time", async () => {
    const iam = new FakeAccountIam();
    iam.providers.set(PROVIDER_ARN, [OTHER, APP_ID]);
    const deps = { settings: baseSettings, openAccount: iam.open, logger };
    expect(await removeAudience(deps, input)).toEqual({ audienceRemoval: { clientIds: [APP_ID] } });
    expect(iam.providers.get(PROVIDER_ARN)).toEqual([OTHER]);
    expect(await removeAudience(deps, input)).toEqual({ audienceRemoval: { clientIds: [APP_ID] } });
    expect(iam.providers.get(PROVIDER_ARN)).toEqual([OTHER]);
  });

  it('counts a missing provider as done', async () => {
    const iam = new FakeAccountIam();
    const deps = { settings: baseSettings, openAccount: iam.open, logger };
    expect(await removeAudience(deps, input)).toEqual({ audienceRemoval: { clientIds: [APP_ID] } });
    expect(iam.calls).toEqual([`removeClientId ${APP_ID}`]);
  });
});
