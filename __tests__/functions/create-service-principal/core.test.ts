import { core, ownersStatus, parseOwnersTag } from '../../../functions/create-service-principal/core';
import { ApplicationNameTakenError } from '../../../functions/shared/errors';
import { applicationUniqueName } from '../../../functions/shared/naming';
import {
  ACCOUNT_ID,
  AUTOMATION,
  FakeAccountIam,
  FakeDirectory,
  PROVIDER_ARN,
  PROVIDER_HOST,
  appTeamTrustPolicy,
  baseSettings,
  logger,
} from '../../fixtures/port-fakes';

const input = { accountId: ACCOUNT_ID, roleName: 'ci-deployer', eventId: 'e1', eventName: 'CreateRole' as const };
const USER = '5f2b8a3c-1d4e-4f60-9a7b-8c9d0e1f2a3b';

function setUp() {
  const iam = new FakeAccountIam();
  const directory = new FakeDirectory();
  const deps = { settings: { ...baseSettings, appNamePrefix: 'aws-wi' }, openAccount: iam.open, directory, logger };
  return { iam, directory, deps };
}

/** A statement an app team wrote by hand: aud pinned to their own application, sub to its service principal. */
function handMadePolicy(appId: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow' as const,
        Principal: { Federated: PROVIDER_ARN },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${PROVIDER_HOST}:aud`]: appId, [`${PROVIDER_HOST}:sub`]: USER } },
      },
    ],
  };
}

describe('create-service-principal core', () => {
  it('registers an application named after the role incarnation, and its service principal', async () => {
    // Prepare
    const { iam, directory, deps } = setUp();
    const roleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    // Act
    const { application } = await core(deps, input);
    // Assess
    const [app] = [...directory.applications.values()];
    expect(app?.uniqueName).toBe(applicationUniqueName(ACCOUNT_ID, 'ci-deployer', roleId));
    expect(application).toEqual({
      outcome: 'registered',
      roleId,
      appId: app?.appId,
      applicationObjectId: app?.id,
      servicePrincipalObjectId: directory.servicePrincipals.get(app!.appId),
      created: true,
    });
    expect(iam.sessions[0]).toMatch(/^wi-[a-z]+-e1$/);
  });

  it("asks for the configured token version, so the application's tokens match the provider's issuer", async () => {
    const { iam, directory, deps } = setUp();
    const v2Host = `login.microsoftonline.com/${deps.settings.tenantId}/v2.0`;
    iam.putRole('ci-deployer', appTeamTrustPolicy(`arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${v2Host}`, v2Host));
    await core({ ...deps, settings: { ...deps.settings, tokenVersion: 2 } }, input);
    expect(directory.specs.map((spec) => spec.tokenVersion)).toEqual([2]);
  });

  it('is idempotent: a second run reuses its own application and says it did not create it', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const first = await core(deps, input);
    const second = await core(deps, input);
    expect(second.application).toEqual({ ...first.application, created: false });
    expect(directory.applications.size).toBe(1);
  });

  it('gives a re-created role (new role ID) a new application, never its predecessor’s', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const first = await core(deps, input);
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const second = await core(deps, input);
    expect(second.application.outcome === 'registered' && second.application.appId).not.toBe(
      first.application.outcome === 'registered' && first.application.appId,
    );
    expect(directory.applications.size).toBe(2);
  });

  it('refuses an application of that name that the automation did not create (squatted), leaving it untouched', async () => {
    const { iam, directory, deps } = setUp();
    const roleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    const squatted = directory.addForeignApplication(applicationUniqueName(ACCOUNT_ID, 'ci-deployer', roleId));
    await expect(core(deps, input)).rejects.toBeInstanceOf(ApplicationNameTakenError);
    expect(directory.applications.get(squatted.id)).toEqual(squatted);
    expect(directory.calls.some((call) => call.startsWith('ensureServicePrincipal'))).toBe(false);
  });

  it('leaves a hand-made federation (aud pinned to an application the automation did not create) as it is', async () => {
    const { iam, directory, deps } = setUp();
    const theirs = directory.addForeignApplication('their-own-app');
    iam.putRole('ci-deployer', handMadePolicy(theirs.appId));
    const { application } = await core(deps, input);
    expect(application).toEqual({ outcome: 'skipped', reason: 'hand-made' });
    expect(directory.calls.filter((call) => call.startsWith('registerApplication'))).toEqual([]);
  });

  it('treats a GUID audience that names no application as a placeholder and federates', async () => {
    const { iam, deps } = setUp();
    iam.putRole('ci-deployer', handMadePolicy('00000000-0000-0000-0000-000000000000'));
    const { application } = await core(deps, input);
    expect(application.outcome).toBe('registered');
  });

  it('skips a role that is gone without touching Entra', async () => {
    const { directory, deps } = setUp();
    const { application } = await core(deps, input);
    expect(application).toEqual({ outcome: 'skipped', reason: 'role-not-found' });
    expect(directory.calls).toEqual([]);
  });

  it('skips a role that trusts another provider', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole(
      'ci-deployer',
      appTeamTrustPolicy(`arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`, 'token.actions.githubusercontent.com'),
    );
    const { application } = await core(deps, input);
    expect(application).toEqual({ outcome: 'skipped', reason: 'not-federated' });
    expect(directory.calls).toEqual([]);
  });

  it('adds the owners the CreateRole call named and reports unknown and malformed IDs in the owners status', async () => {
    const { iam, directory, deps } = setUp();
    const unknown = '00000000-0000-4000-8000-000000000000';
    directory.users.add(USER);
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const { application } = await core(deps, { ...input, requestedOwners: `${USER}  not-a-guid ${unknown}` });
    expect(application.outcome === 'registered' && application.ownersStatus).toBe(`failed:malformed not-a-guid ${unknown}`);
    expect([...directory.applications.values()][0]?.owners).toEqual([AUTOMATION, USER]);
  });

  it('ignores an entra:owners tag on the role: only the CreateRole call may name owners', async () => {
    // Attack: someone who may only tag the role names themselves owner, to get a certificate on its application.
    const { iam, directory, deps } = setUp();
    directory.users.add(USER);
    iam.putRole('ci-deployer', appTeamTrustPolicy(), { 'entra:owners': USER });
    const { application } = await core(deps, { ...input, eventName: 'UpdateAssumeRolePolicy' });
    expect(application.outcome === 'registered' && application.ownersStatus).toBeUndefined();
    expect([...directory.applications.values()][0]?.owners).toEqual([AUTOMATION]);
    expect(directory.calls.some((call) => call.startsWith('addOwner'))).toBe(false);
  });

  it('federates even when Graph refuses to add the owners', async () => {
    const { iam, directory, deps } = setUp();
    directory.refusedOwners.set(USER, 'Authorization_RequestDenied');
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const { application } = await core(deps, { ...input, requestedOwners: USER });
    expect(application).toMatchObject({ outcome: 'registered', ownersStatus: `failed:authorization-request-denied ${USER}` });
  });
});

describe('parseOwnersTag', () => {
  it('splits on any whitespace and drops duplicates', () => {
    expect(parseOwnersTag(` ${USER}\t${USER.toUpperCase()} `)).toEqual({ ids: [USER], malformed: [] });
  });

  it('treats a missing tag as no owners', () => {
    expect(parseOwnersTag(undefined)).toEqual({ ids: [], malformed: [] });
  });
});

describe('ownersStatus', () => {
  it('says added when every owner was added or already one', () => {
    expect(ownersStatus([[USER, 'added'], ['x', 'already-owner']])).toBe('added');
  });

  it('cuts the list to 256 characters and counts the IDs left out', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `0000000${i.toString(16)}-0000-4000-8000-000000000000`);
    const status = ownersStatus(ids.map((id) => [id, 'not-found'] as const));
    expect(status.length).toBeLessThanOrEqual(256);
    expect(status).toMatch(/^failed:not-found (\S+ )+\+\d+$/);
    const shown = status.split(' ').length - 2;
    expect(status.endsWith(`+${12 - shown}`)).toBe(true);
  });
});
