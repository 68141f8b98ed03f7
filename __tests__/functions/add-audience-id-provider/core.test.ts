import { core } from '../../../functions/add-audience-id-provider/core';
import { AudienceLimitExceededError, OidcProviderNotFoundError } from '../../../functions/shared/errors';
import { ACCOUNT_ID, FakeAccountIam, PROVIDER_ARN, baseSettings, logger } from '../../fixtures/port-fakes';

const APP_ID = '2b1c7e4a-9f3d-4c5b-8a6e-1d2f3a4b5c6d';
const input = {
  accountId: ACCOUNT_ID,
  roleName: 'ci-deployer',
  eventId: 'e1',
  eventName: 'CreateRole' as const,
  application: {
    outcome: 'registered' as const,
    appId: APP_ID,
    applicationObjectId: '3c2d8f5b-0a4e-4d6c-9b7f-2e3a4b5c6d7e',
    servicePrincipalObjectId: '4d3e9a6c-1b5f-4e7d-8c9a-3f4b5c6d7e8f',
    roleId: 'AROAEXAMPLEEXAMPLEXX',
    created: true,
  },
};

describe('add-audience-id-provider core', () => {
  it("adds the application's client ID to the tenant's provider once", async () => {
    const iam = new FakeAccountIam();
    iam.providers.set(PROVIDER_ARN, []);
    const deps = { settings: baseSettings, openAccount: iam.open, logger };
    expect(await core(deps, input)).toEqual({ audience: { clientId: APP_ID } });
    expect(await core(deps, input)).toEqual({ audience: { clientId: APP_ID } });
    expect(iam.providers.get(PROVIDER_ARN)).toEqual([APP_ID]);
  });

  it('fails with OidcProviderNotFoundError when the account has no provider for the tenant', async () => {
    const iam = new FakeAccountIam();
    await expect(core({ settings: baseSettings, openAccount: iam.open, logger }, input)).rejects.toBeInstanceOf(
      OidcProviderNotFoundError,
    );
  });

  it('passes the audience limit on as AudienceLimitExceededError', async () => {
    const iam = new FakeAccountIam();
    iam.providers.set(PROVIDER_ARN, Array.from({ length: 100 }, (_, i) => `client-${i}`));
    await expect(core({ settings: baseSettings, openAccount: iam.open, logger }, input)).rejects.toBeInstanceOf(
      AudienceLimitExceededError,
    );
  });
});
