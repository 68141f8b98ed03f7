import { core, parseOwnersTag } from '../../../functions/create-service-principal/core';
import { applicationUniqueName } from '../../../functions/shared/naming';
import {
  ACCOUNT_ID,
  FakeAccountIam,
  FakeDirectory,
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

describe('create-service-principal core', () => {
  it('registers an application and service principal for a federated role', async () => {
    // Prepare
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    // Act
    const { application } = await core(deps, input);
    // Assess
    expect(application.outcome).toBe('registered');
    const [app] = [...directory.applications.values()];
    expect(app?.uniqueName).toBe(applicationUniqueName(ACCOUNT_ID, 'ci-deployer'));
    expect(application).toMatchObject({
      appId: app?.appId,
      applicationObjectId: app?.id,
      servicePrincipalObjectId: directory.servicePrincipals.get(app!.appId),
      ownerProblems: [],
    });
    expect(iam.sessions[0]).toMatch(/^wi-[a-z]+-e1$/);
  });

  it('is idempotent: a second run reuses the same application', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const first = await core(deps, input);
    const second = await core(deps, input);
    expect(second).toEqual(first);
    expect(directory.applications.size).toBe(1);
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

  it('adds the owners named in entra:owners and reports unknown and malformed IDs without failing', async () => {
    const { iam, directory, deps } = setUp();
    const unknown = '00000000-0000-4000-8000-000000000000';
    directory.users.add(USER);
    iam.putRole('ci-deployer', appTeamTrustPolicy(), { 'entra:owners': `${USER}  not-a-guid ${unknown}` });
    const { application } = await core(deps, input);
    expect(application.outcome === 'registered' && application.ownerProblems).toEqual([
      'not-a-guid: not a user object ID (expected a GUID)',
      `${unknown}: no such user in the tenant`,
    ]);
    expect([...directory.applications.values()][0]?.owners).toEqual([USER]);
  });
});

describe('parseOwnersTag', () => {
  it('splits on any whitespace and drops duplicates', () => {
    expect(parseOwnersTag(` ${USER}\t${USER.toUpperCase()} `)).toEqual({ ids: [USER], problems: [] });
  });

  it('treats a missing tag as no owners', () => {
    expect(parseOwnersTag(undefined)).toEqual({ ids: [], problems: [] });
  });
});
