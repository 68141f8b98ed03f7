import { core } from '../../../functions/delete-service-principal/core';
import { applicationUniqueName } from '../../../functions/shared/naming';
import { ACCOUNT_ID, FakeAccountIam, FakeDirectory, appTeamTrustPolicy, baseSettings, logger } from '../../fixtures/port-fakes';

const input = { accountId: ACCOUNT_ID, roleName: 'ci-deployer', eventId: 'e2', eventName: 'DeleteRole' as const };
const uniqueName = applicationUniqueName(ACCOUNT_ID, 'ci-deployer');

async function setUp() {
  const iam = new FakeAccountIam();
  const directory = new FakeDirectory();
  const app = await directory.upsertApplication({ uniqueName, displayName: 'x', notes: '', tokenVersion: 1 });
  await directory.ensureServicePrincipal(app.appId);
  return { iam, directory, app, deps: { settings: baseSettings, openAccount: iam.open, directory, logger } };
}

describe('delete-service-principal core', () => {
  it('deletes and purges the application of a deleted role and returns its client ID', async () => {
    const { directory, app, deps } = await setUp();
    expect(await core(deps, input)).toEqual({ deleted: { appId: app.appId } });
    expect(directory.applications.size + directory.deleted.size + directory.servicePrincipals.size).toBe(0);
  });

  it('returns null when no application exists', async () => {
    const { directory, app, deps } = await setUp();
    await directory.deleteApplication(app.id);
    await directory.purgeDeletedApplication(app.id);
    expect(await core(deps, input)).toEqual({ deleted: { appId: null } });
  });

  it('finishes a half-done delete: purges a soft-deleted application and still returns its client ID', async () => {
    const { directory, app, deps } = await setUp();
    await directory.deleteApplication(app.id);
    expect(await core(deps, input)).toEqual({ deleted: { appId: app.appId } });
    expect(directory.deleted.size).toBe(0);
  });

  it('deletes nothing for a stale event: the role exists again and trusts the provider', async () => {
    const { iam, directory, deps } = await setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    expect(await core(deps, input)).toEqual({ deleted: { appId: null } });
    expect(directory.applications.size).toBe(1);
  });

  it('deletes when the role still exists but no longer trusts the provider', async () => {
    const { iam, app, deps } = await setUp();
    iam.putRole('ci-deployer', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    expect(await core(deps, { ...input, eventName: 'UpdateAssumeRolePolicy' })).toEqual({ deleted: { appId: app.appId } });
  });

  it('compensates regardless of the role when a Create failed', async () => {
    const { iam, app, deps } = await setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const failure = { Error: 'AudienceLimitExceededError', Cause: '{}' };
    expect(await core(deps, { ...input, eventName: 'CreateRole', failure })).toEqual({ deleted: { appId: app.appId } });
    expect(iam.calls).toEqual([]);
  });
});
