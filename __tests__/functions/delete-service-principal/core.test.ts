import { deleteIdentity } from '../../../functions/delete-service-principal/core';
import { applicationUniqueName } from '../../../functions/shared/entra';
import { NotOwnerError, createLogger } from '../../../functions/shared/runtime';
import {
  ACCOUNT_ID,
  FakeAccountIam,
  FakeDirectory,
  PROVIDER_HOST,
  appTeamTrustPolicy,
  baseSettings,
  logger,
  newRoleId,
} from '../../fixtures/port-fakes';

const input = { accountId: ACCOUNT_ID, roleName: 'ci-deployer', eventId: 'e2', eventName: 'DeleteRole' as const };
const failure = { Error: 'TrustPolicyRewriteError', Cause: 'wildcard: …' };

async function setUp() {
  const iam = new FakeAccountIam();
  const directory = new FakeDirectory();
  const register = async (roleId: string) => {
    const { application } = await directory.registerApplication({
      uniqueName: applicationUniqueName(ACCOUNT_ID, 'ci-deployer', roleId),
      displayName: 'x',
      notes: '',
      tokenVersion: 1,
    });
    await directory.ensureServicePrincipal(application.appId);
    return application;
  };
  return { iam, directory, register, deps: { settings: baseSettings, openAccount: iam.open, directory, logger } };
}

const pinnedTo = (appId: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow' as const,
      Principal: { Federated: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${PROVIDER_HOST}` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${PROVIDER_HOST}:aud`]: appId, [`${PROVIDER_HOST}:sub`]: '4d3e9a6c-1b5f-4e7d-8c9a-3f4b5c6d7e8f' } },
    },
  ],
});

describe('delete-service-principal core (Delete)', () => {
  const ec2Only = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow' as const, Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };

  it('asks to revoke older sessions of a role its team took out of federation (its tags name an identity)', async () => {
    const { iam, deps } = await setUp();
    iam.putRole('ci-deployer', ec2Only, { 'entra:service-principal-id': '4d3e9a6c-1b5f-4e7d-8c9a-3f4b5c6d7e8f' });
    expect(await deleteIdentity(deps, { ...input, eventName: 'UpdateAssumeRolePolicy' })).toEqual({
      deleted: { appIds: [], any: false, revokeOlderSessions: true },
    });
  });

  it('does not for a role never federated, one that still trusts the provider, nor a role that is gone', async () => {
    const { iam, deps } = await setUp();
    iam.putRole('never', ec2Only);
    iam.putRole('still', appTeamTrustPolicy(), { 'entra:service-principal-id': '4d3e9a6c-1b5f-4e7d-8c9a-3f4b5c6d7e8f' });
    const results = await Promise.all(
      ['never', 'still', 'gone'].map((roleName) => deleteIdentity(deps, { ...input, roleName, eventName: 'UpdateAssumeRolePolicy' })),
    );
    expect(results.map((result) => result.deleted.revokeOlderSessions)).toEqual([false, false, false]);
  });

  it('deletes and purges the application and service principal of a deleted role and returns its client ID', async () => {
    const { directory, register, deps } = await setUp();
    const app = await register(newRoleId());
    expect(await deleteIdentity(deps, input)).toEqual({ deleted: { appIds: [app.appId], any: true, revokeOlderSessions: false } });
    expect(directory.applications.size + directory.servicePrincipals.size).toBe(0);
  });

  it('returns no client IDs when no application exists', async () => {
    const { deps } = await setUp();
    expect(await deleteIdentity(deps, input)).toEqual({ deleted: { appIds: [], any: false, revokeOlderSessions: false } });
  });

  it('removes every earlier incarnation but keeps the application of the role that exists now (late DeleteRole)', async () => {
    const { iam, directory, register, deps } = await setUp();
    const old = await register(newRoleId());
    const currentRoleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    const current = await register(currentRoleId);
    expect(await deleteIdentity(deps, input)).toEqual({ deleted: { appIds: [old.appId], any: true, revokeOlderSessions: false } });
    expect([...directory.applications.values()].map((app) => app.appId)).toEqual([current.appId]);
  });

  it('deletes what it still owns, then fails with not-owner and its alarm for an application an owner took it off', async () => {
    const { directory, register, deps } = await setUp();
    const owned = await register(newRoleId());
    const taken = await register(newRoleId());
    directory.applications.get(taken.id)!.owners = ['a11ce000-0000-4000-8000-00000000a11c'];
    const lines: Record<string, unknown>[] = [];
    const logged = { ...deps, logger: createLogger({ sink: (line) => lines.push(JSON.parse(line)) }) };

    const deleting = deleteIdentity(logged, input);

    await expect(deleting).rejects.toThrow(NotOwnerError);
    await expect(deleting).rejects.toThrow(new RegExp(`^not-owner: .*${taken.appId}`));
    expect([...directory.applications.values()].map((app) => app.appId)).toEqual([taken.appId]);
    expect(directory.calls).not.toContain(`deleteApplication ${taken.appId}`);
    expect(directory.calls).toContain(`deleteApplication ${owned.appId}`);
    expect(lines.filter((line) => line.alarm === 'not-owner')).toEqual([
      expect.objectContaining({ appIds: [taken.appId], deleted: [owned.appId] }),
    ]);
  });

  it('never deletes an application the automation did not create, even under the role’s name prefix', async () => {
    const { directory, deps } = await setUp();
    const foreign = directory.addForeignApplication(applicationUniqueName(ACCOUNT_ID, 'ci-deployer', newRoleId()));
    expect(await deleteIdentity(deps, input)).toEqual({ deleted: { appIds: [], any: false, revokeOlderSessions: false } });
    expect(directory.applications.get(foreign.id)).toBeDefined();
  });
});

const registered = (roleId: string, app: { appId: string; id: string }, created: boolean) => ({
  outcome: 'registered' as const,
  roleId,
  appId: app.appId,
  applicationObjectId: app.id,
  servicePrincipalObjectId: app.id,
  created,
  audiences: [app.appId],
  requestAudience: app.appId,
  identityMode: 'per-role' as const,
});

describe('delete-service-principal core (compensation)', () => {
  it('removes the application of a failed Create when the role is not pinned to it', async () => {
    const { iam, directory, register, deps } = await setUp();
    const roleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    const app = await register(roleId);
    const application = registered(roleId, app, true);
    expect(await deleteIdentity(deps, { ...input, eventName: 'CreateRole', roleId, application, failure })).toEqual({
      deleted: { appIds: [app.appId], any: true },
    });
    expect(directory.applications.size).toBe(0);
  });

  it('keeps an application this execution found (Graph did not answer 201 to it), even when the new trust policy no longer pins it', async () => {
    // Attack on main before the fix: a ready role's team re-applies its placeholder document with a
    // Principal "*" statement; the Create fails (wildcard) and the compensation deleted the role's identity.
    const { iam, directory, register, deps } = await setUp();
    const roleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    const app = await register(roleId);
    const application = registered(roleId, app, false);
    expect(await deleteIdentity(deps, { ...input, eventName: 'UpdateAssumeRolePolicy', application, failure })).toEqual({
      deleted: { appIds: [], any: false },
    });
    expect(directory.applications.size).toBe(1);
  });

  it('deletes nothing when the execution never got its application back (its first step failed)', async () => {
    const { iam, directory, register, deps } = await setUp();
    const roleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    await register(roleId);
    expect(await deleteIdentity(deps, { ...input, eventName: 'CreateRole', roleId, failure })).toEqual({
      deleted: { appIds: [], any: false },
    });
    expect(directory.applications.size).toBe(1);
  });

  it('deletes nothing of another incarnation: the role was re-created since the event (its own Create may be about to pin it)', async () => {
    // Attack (review): A's failing Create compensated B's new, not yet pinned, application.
    const { iam, directory, register, deps } = await setUp();
    const roleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    await register(roleId);
    expect(await deleteIdentity(deps, { ...input, eventName: 'CreateRole', roleId: newRoleId(), failure })).toEqual({
      deleted: { appIds: [], any: false },
    });
    expect(directory.applications.size).toBe(1);
  });

  it('deletes nothing when the execution cannot know its incarnation (its first step failed on an update)', async () => {
    const { iam, directory, register, deps } = await setUp();
    const roleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    await register(roleId);
    expect(await deleteIdentity(deps, { ...input, eventName: 'UpdateAssumeRolePolicy', failure })).toEqual({
      deleted: { appIds: [], any: false },
    });
    expect(directory.applications.size).toBe(1);
  });

  it('keeps the application a role is pinned to: a failure on a ready role destroys nothing', async () => {
    // Attack on today's main: a TagRole during a Graph outage made compensation delete the working application.
    const { iam, directory, register, deps } = await setUp();
    const roleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    const app = await register(roleId);
    iam.putRole('ci-deployer', pinnedTo(app.appId), {}, roleId);
    const application = {
      outcome: 'registered' as const,
      roleId,
      appId: app.appId,
      applicationObjectId: app.id,
      servicePrincipalObjectId: app.id,
      created: false,
    };
    expect(await deleteIdentity(deps, { ...input, eventName: 'UpdateAssumeRolePolicy', application, failure })).toEqual({
      deleted: { appIds: [], any: false },
    });
    expect(directory.applications.size).toBe(1);
  });

  it('keeps the application of a shared-mode role, pinned by its sub behind the gateway audience', async () => {
    // Without the sub check, a failed re-run of a ready shared-mode role would delete the identity its pin names.
    const { iam, directory, register, deps } = await setUp();
    const roleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    const app = await register(roleId);
    const policy = pinnedTo('a7e0a7e0-0000-4000-8000-00000000a7e0') as {
      Statement: { Condition: { StringEquals: Record<string, string> } }[];
    };
    policy.Statement[0]!.Condition.StringEquals[`${PROVIDER_HOST}:sub`] = directory.servicePrincipals.get(app.appId)!;
    iam.putRole('ci-deployer', policy as never, {}, roleId);
    expect(await deleteIdentity(deps, { ...input, eventName: 'UpdateAssumeRolePolicy', failure })).toEqual({
      deleted: { appIds: [], any: false },
    });
    expect(directory.applications.size).toBe(1);
  });

  it('leaves a gone role to its Delete execution', async () => {
    const { directory, register, deps } = await setUp();
    await register(newRoleId());
    expect(await deleteIdentity(deps, { ...input, eventName: 'CreateRole', failure })).toEqual({ deleted: { appIds: [], any: false } });
    expect(directory.applications.size).toBe(1);
  });
});
