import { addAudience } from '../../../functions/add-audience-id-provider/core';
import { AudienceLimitExceededError, OidcProviderNotFoundError } from '../../../functions/shared/runtime';
import { ACCOUNT_ID, FakeAccountIam, PROVIDER_ARN, baseSettings, logger } from '../../fixtures/port-fakes';

const APP_ID = '2b1c7e4a-9f3d-4c5b-8a6e-1d2f3a4b5c6d';
const GATEWAY = 'a7e0a7e0-0000-4000-8000-00000000a7e0';
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
    expect(await addAudience(deps, input)).toEqual({ audience: { clientIds: [APP_ID], removed: [] } });
    expect(await addAudience(deps, input)).toEqual({ audience: { clientIds: [APP_ID], removed: [] } });
    expect(iam.providers.get(PROVIDER_ARN)).toEqual([APP_ID]);
  });

  it('keeps one client ID per provider in the shared mode, however many roles', async () => {
    // Prepare: 150 roles of one account, each with its own application, all behind the gateway
    const iam = new FakeAccountIam();
    iam.providers.set(PROVIDER_ARN, []);
    const deps = { settings: baseSettings, openAccount: iam.open, logger };
    // Act
    for (let i = 0; i < 150; i += 1) {
      const appId = `2b1c7e4a-9f3d-4c5b-8a6e-${String(i).padStart(12, '0')}`;
      await addAudience(deps, {
        ...input,
        application: { ...input.application, appId, audiences: [GATEWAY], requestAudience: GATEWAY, identityMode: 'shared' as const },
      });
    }
    // Assess: past IAM's 100 client IDs per provider without reaching it
    expect(iam.providers.get(PROVIDER_ARN)).toEqual([GATEWAY]);
  });

  it('adds the new audience before it removes the retired one, and never removes one it still needs', async () => {
    const iam = new FakeAccountIam();
    iam.providers.set(PROVIDER_ARN, [APP_ID]);
    const deps = { settings: baseSettings, openAccount: iam.open, logger };
    const moving = { ...input.application, audiences: [GATEWAY], retiredAudiences: [APP_ID, GATEWAY] };
    expect(await addAudience(deps, { ...input, application: moving })).toEqual({ audience: { clientIds: [GATEWAY], removed: [APP_ID] } });
    expect(iam.calls).toEqual([`addClientId ${GATEWAY}`, `removeClientId ${APP_ID}`]);
    expect(iam.providers.get(PROVIDER_ARN)).toEqual([GATEWAY]);
  });

  it('adds the gateway for a role that brings its own identity', async () => {
    const iam = new FakeAccountIam();
    iam.providers.set(PROVIDER_ARN, []);
    const brought = {
      outcome: 'bring-your-own' as const,
      roleId: 'AROAEXAMPLEEXAMPLEXX',
      servicePrincipalObjectId: '4d3e9a6c-1b5f-4e7d-8c9a-3f4b5c6d7e8f',
      identityAppId: '5e4f0b7d-2c6a-4f8e-9dab-4a5b6c7d8e9f',
      audiences: [GATEWAY],
      requestAudience: GATEWAY,
    };
    await addAudience({ settings: baseSettings, openAccount: iam.open, logger }, { ...input, application: brought });
    expect(iam.providers.get(PROVIDER_ARN)).toEqual([GATEWAY]);
  });

  it('fails with OidcProviderNotFoundError when the account has no provider for the tenant', async () => {
    const iam = new FakeAccountIam();
    await expect(addAudience({ settings: baseSettings, openAccount: iam.open, logger }, input)).rejects.toBeInstanceOf(
      OidcProviderNotFoundError,
    );
  });

  it('passes the audience limit on as AudienceLimitExceededError', async () => {
    const iam = new FakeAccountIam();
    iam.providers.set(
      PROVIDER_ARN,
      Array.from({ length: 100 }, (_, i) => `client-${i}`),
    );
    await expect(addAudience({ settings: baseSettings, openAccount: iam.open, logger }, input)).rejects.toBeInstanceOf(
      AudienceLimitExceededError,
    );
  });
});
