import {
  registerIdentity,
  federatedCredentialsStatus,
  ownersStatus,
  parseFederatedCredentialTags,
  parseOwnersTag,
  type AudienceSettings,
} from '../../../functions/create-service-principal/core';
import {
  AccountQuotaExceededError,
  AmbiguousIdentityError,
  ApplicationNameTakenError,
  GraphRequestError,
  GraphUnavailableError,
  NotOwnerError,
  ReservedIdentityError,
  UnknownIdentityError,
} from '../../../functions/shared/runtime';
import { applicationUniqueName } from '../../../functions/shared/entra';
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

const GATEWAY = 'a7e0a7e0-0000-4000-8000-00000000a7e0';
const GATEWAY_SP = 'a7e0a7e0-0000-4000-8000-00000000a7e1';
const AUTOMATION_CLIENT = 'a7e0a7e0-0000-4000-8000-00000000a7e2';
const AUTOMATION_SP = 'a7e0a7e0-0000-4000-8000-00000000a7e3';

const audienceSettings: AudienceSettings = {
  audienceMode: 'per-role',
  dualAudience: false,
  gatewayClientId: GATEWAY,
  gatewayServicePrincipalId: GATEWAY_SP,
  automationClientIds: [AUTOMATION_CLIENT],
  automationServicePrincipalId: AUTOMATION_SP,
  maxApplicationsPerAccount: 0,
};

function setUp(overrides: Partial<AudienceSettings & { tokenVersion: 1 | 2 }> = {}) {
  const iam = new FakeAccountIam();
  const directory = new FakeDirectory();
  const deps = {
    settings: { ...baseSettings, appNamePrefix: 'aws-wi', ...audienceSettings, ...overrides },
    openAccount: iam.open,
    directory,
    logger,
  };
  return { iam, directory, deps };
}

/** One statement through the provider with the given `aud` and, if any, `sub` pins. */
function pinnedPolicy(aud: string, sub?: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow' as const,
        Principal: { Federated: PROVIDER_ARN },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${PROVIDER_HOST}:aud`]: aud, ...(sub ? { [`${PROVIDER_HOST}:sub`]: sub } : {}) } },
      },
    ],
  };
}

/** A statement an app team wrote by hand: aud pinned to their own application, sub to its service principal. */
const handMadePolicy = (appId: string) => pinnedPolicy(appId, USER);

const registrations = (directory: FakeDirectory) => directory.calls.filter((call) => call.startsWith('registerApplication'));

describe('create-service-principal core', () => {
  it('registers an application named after the role incarnation, and its service principal', async () => {
    // Prepare
    const { iam, directory, deps } = setUp();
    const roleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    // Act
    const { application } = await registerIdentity(deps, input);
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
      audiences: [app?.appId],
      requestAudience: app?.appId,
      identityMode: 'per-role',
    });
    expect(iam.sessions[0]).toMatch(/^wi-[a-z]+-e1$/);
  });

  it("asks for the configured token version, so the application's tokens match the provider's issuer", async () => {
    const { iam, directory, deps } = setUp();
    const v2Host = `login.microsoftonline.com/${deps.settings.tenantId}/v2.0`;
    iam.putRole('ci-deployer', appTeamTrustPolicy(`arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${v2Host}`, v2Host));
    await registerIdentity({ ...deps, settings: { ...deps.settings, tokenVersion: 2 } }, input);
    expect(directory.specs.map((spec) => spec.tokenVersion)).toEqual([2]);
  });

  it('is idempotent: a second run reuses its own application and says it did not create it', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const first = await registerIdentity(deps, input);
    const second = await registerIdentity(deps, input);
    expect(second.application).toEqual({ ...first.application, created: false });
    expect(directory.applications.size).toBe(1);
  });

  it('sends no write when an owner took the automation off the role’s application: not-owner, nothing created, deleted or added', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    await registerIdentity(deps, input);
    const [app] = [...directory.applications.values()];
    app!.owners = ['a11ce000-0000-4000-8000-00000000a11c'];
    const before = directory.calls.length;

    directory.users.add(USER);
    // A retry of the CreateRole's execution: it names an owner, which must not be sent
    const again = registerIdentity(deps, { ...input, requestedOwners: USER });

    await expect(again).rejects.toThrow(NotOwnerError);
    await expect(again).rejects.toThrow(/^not-owner: the automation is no longer an owner of application/);
    expect(directory.applications.size).toBe(1);
    expect(app!.owners).toEqual(['a11ce000-0000-4000-8000-00000000a11c']);
    expect(directory.calls.slice(before).filter((call) => /^(addOwner|addFederatedCredential|deleteApplication)/.test(call))).toEqual([]);
    expect(directory.calls.slice(before)).toContain(`ownsApplication ${app!.id}`);
  });

  it('gives a re-created role (new role ID) a new application, never its predecessor’s', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const first = await registerIdentity(deps, input);
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const second = await registerIdentity(deps, input);
    expect(second.application.outcome === 'registered' && second.application.appId).not.toBe(
      first.application.outcome === 'registered' && first.application.appId,
    );
    expect(directory.applications.size).toBe(2);
  });

  it('refuses an application of that name that the automation did not create (squatted), leaving it untouched', async () => {
    const { iam, directory, deps } = setUp();
    const roleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    const squatted = directory.addForeignApplication(applicationUniqueName(ACCOUNT_ID, 'ci-deployer', roleId));
    await expect(registerIdentity(deps, input)).rejects.toBeInstanceOf(ApplicationNameTakenError);
    expect(directory.applications.get(squatted.id)).toEqual(squatted);
    expect(directory.calls.some((call) => call.startsWith('ensureServicePrincipal'))).toBe(false);
  });

  it('leaves a hand-made federation (aud pinned to an application the automation did not create) as it is', async () => {
    const { iam, directory, deps } = setUp();
    const theirs = directory.addForeignApplication('their-own-app');
    iam.putRole('ci-deployer', handMadePolicy(theirs.appId));
    const { application } = await registerIdentity(deps, input);
    expect(application).toEqual({ outcome: 'skipped', reason: 'hand-made' });
    expect(directory.calls.filter((call) => call.startsWith('registerApplication'))).toEqual([]);
  });

  it('treats a GUID audience that names no application as a placeholder and federates', async () => {
    const { iam, deps } = setUp();
    iam.putRole('ci-deployer', pinnedPolicy('00000000-0000-0000-0000-000000000000'));
    const { application } = await registerIdentity(deps, input);
    expect(application.outcome).toBe('registered');
  });

  it('skips a role that is gone without touching Entra', async () => {
    const { directory, deps } = setUp();
    const { application } = await registerIdentity(deps, input);
    expect(application).toEqual({ outcome: 'skipped', reason: 'role-not-found' });
    expect(directory.calls).toEqual([]);
  });

  it('skips a role that trusts another provider', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole(
      'ci-deployer',
      appTeamTrustPolicy(
        `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`,
        'token.actions.githubusercontent.com',
      ),
    );
    const { application } = await registerIdentity(deps, input);
    expect(application).toEqual({ outcome: 'skipped', reason: 'not-federated' });
    expect(directory.calls).toEqual([]);
  });

  it('skips a role an operator revoked: no event federates it again, nothing is created', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), { 'entra:federation-status': 'revoked' });
    const { application } = await registerIdentity(deps, input);
    expect(application).toEqual({ outcome: 'skipped', reason: 'revoked' });
    expect(directory.calls).toEqual([]);
  });

  it('adds the owners the CreateRole call named and reports unknown and malformed IDs in the owners status', async () => {
    const { iam, directory, deps } = setUp();
    const unknown = '00000000-0000-4000-8000-000000000000';
    directory.users.add(USER);
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const { application } = await registerIdentity(deps, { ...input, requestedOwners: `${USER}  not-a-guid ${unknown}` });
    expect(application.outcome === 'registered' && application.ownersStatus).toBe(`failed:malformed not-a-guid ${unknown}`);
    expect([...directory.applications.values()][0]?.owners).toEqual([AUTOMATION, USER]);
  });

  it('ignores an entra:owners tag on the role: only the CreateRole call may name owners', async () => {
    // Attack: someone who may only tag the role names themselves owner, to get a certificate on its application.
    const { iam, directory, deps } = setUp();
    directory.users.add(USER);
    iam.putRole('ci-deployer', appTeamTrustPolicy(), { 'entra:owners': USER });
    const { application } = await registerIdentity(deps, { ...input, eventName: 'UpdateAssumeRolePolicy' });
    expect(application.outcome === 'registered' && application.ownersStatus).toBeUndefined();
    expect([...directory.applications.values()][0]?.owners).toEqual([AUTOMATION]);
    expect(directory.calls.some((call) => call.startsWith('addOwner'))).toBe(false);
  });

  it('federates even when Graph refuses to add the owners', async () => {
    const { iam, directory, deps } = setUp();
    directory.refusedOwners.set(USER, 'Authorization_RequestDenied');
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const { application } = await registerIdentity(deps, { ...input, requestedOwners: USER });
    expect(application).toMatchObject({ outcome: 'registered', ownersStatus: `failed:authorization-request-denied ${USER}` });
  });
});

describe('create-service-principal core: audience modes', () => {
  it('federates a role with an application of its own to the gateway audience in the shared mode', async () => {
    // Prepare
    const { iam, directory, deps } = setUp({ audienceMode: 'shared' });
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    // Act
    const { application } = await registerIdentity(deps, input);
    // Assess
    expect(directory.applications.size).toBe(1);
    expect(application).toMatchObject({ outcome: 'registered', audiences: [GATEWAY], requestAudience: GATEWAY, identityMode: 'shared' });
    expect(application).not.toHaveProperty('retiredAudiences');
  });

  it('admits both audiences while a migration runs (dual), the target mode first', async () => {
    const perRole = setUp({ dualAudience: true });
    perRole.iam.putRole('ci-deployer', appTeamTrustPolicy());
    const shared = setUp({ audienceMode: 'shared', dualAudience: true });
    shared.iam.putRole('ci-deployer', appTeamTrustPolicy());
    const a = (await registerIdentity(perRole.deps, input)).application;
    const b = (await registerIdentity(shared.deps, input)).application;
    expect(a.outcome === 'registered' && a.audiences).toEqual([a.outcome === 'registered' && a.appId, GATEWAY]);
    expect(b.outcome === 'registered' && b.audiences).toEqual([GATEWAY, b.outcome === 'registered' && b.appId]);
  });

  it('retires the role’s own client ID when a per-role role moves to the gateway, and never the gateway', async () => {
    // Prepare: a ready per-role role (aud = its own application, sub = its service principal)
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const first = (await registerIdentity(deps, input)).application;
    if (first.outcome !== 'registered') throw new Error('expected registered');
    iam.roles.get('ci-deployer')!.trustPolicy = pinnedPolicy(first.appId, first.servicePrincipalObjectId);
    // Act: the deployment is now shared; back again
    const moved = (await registerIdentity({ ...deps, settings: { ...deps.settings, audienceMode: 'shared' } }, input)).application;
    iam.roles.get('ci-deployer')!.trustPolicy = pinnedPolicy(GATEWAY, first.servicePrincipalObjectId);
    const back = (await registerIdentity(deps, input)).application;
    // Assess: the same application throughout (its own sub is not "brought"), no gateway retired
    expect(moved).toMatchObject({ outcome: 'registered', appId: first.appId, audiences: [GATEWAY], retiredAudiences: [first.appId] });
    expect(back).toMatchObject({ outcome: 'registered', appId: first.appId, audiences: [first.appId] });
    expect(back).not.toHaveProperty('retiredAudiences');
    expect(registrations(directory)).toHaveLength(3);
    expect(directory.applications.size).toBe(1);
  });

  it('does not take the gateway audience for a hand-made federation', async () => {
    // Prepare: the gateway is an application the automation did not create (the plan did)
    const { iam, directory, deps } = setUp({ audienceMode: 'shared' });
    (directory.addForeignApplication('gateway', 'the-deployer') as { appId: string }).appId = GATEWAY;
    iam.putRole('ci-deployer', pinnedPolicy(GATEWAY));
    const { application } = await registerIdentity(deps, input);
    expect(application.outcome).toBe('registered');
  });

  it('refuses a new application once the account has the configured number, but lets an existing one be re-run', async () => {
    // Prepare: a cap of 2, and two roles already federated
    const { iam, directory, deps } = setUp({ maxApplicationsPerAccount: 2 });
    for (const name of ['one', 'two']) {
      iam.putRole(name, appTeamTrustPolicy());
      await registerIdentity(deps, { ...input, roleName: name });
    }
    iam.putRole('three', appTeamTrustPolicy());
    // Act / Assess
    await expect(registerIdentity(deps, { ...input, roleName: 'three' })).rejects.toBeInstanceOf(AccountQuotaExceededError);
    await expect(registerIdentity(deps, { ...input, roleName: 'two' })).resolves.toMatchObject({
      application: { outcome: 'registered', created: false },
    });
    expect(directory.applications.size).toBe(2);
  });

  it('counts only the automation’s own applications against the cap: names strangers registered under the account do not fill it', async () => {
    // Prepare: a cap of 2, one role federated, and three names a tenant user registered under aws-{account}-
    const { iam, directory, deps } = setUp({ maxApplicationsPerAccount: 2 });
    iam.putRole('one', appTeamTrustPolicy());
    await registerIdentity(deps, { ...input, roleName: 'one' });
    for (const n of [1, 2, 3]) directory.addForeignApplication(`aws-${input.accountId}-stranger-${n}`, 'a-tenant-user');
    iam.putRole('two', appTeamTrustPolicy());
    // Act
    const { application } = await registerIdentity(deps, { ...input, roleName: 'two' });
    // Assess
    expect(application).toMatchObject({ outcome: 'registered', created: true });
  });
});

describe('create-service-principal core: bring your own identity', () => {
  it('creates nothing for a role whose sub names a managed identity, and federates it through the gateway', async () => {
    // Prepare
    const { iam, directory, deps } = setUp();
    const identity = directory.addIdentity();
    const roleId = iam.putRole('vm-reader', pinnedPolicy('placeholder', identity.id));
    // Act
    const { application } = await registerIdentity(deps, { ...input, roleName: 'vm-reader' });
    // Assess
    expect(application).toEqual({
      outcome: 'bring-your-own',
      roleId,
      servicePrincipalObjectId: identity.id,
      identityAppId: identity.appId,
      audiences: [GATEWAY],
      requestAudience: GATEWAY,
    });
    expect(registrations(directory)).toEqual([]);
    expect(directory.applications.size).toBe(0);
  });

  it('takes the same identity when the sub is pinned with no aud test at all', async () => {
    const { iam, directory, deps } = setUp();
    const identity = directory.addIdentity();
    const policy = pinnedPolicy('x', identity.id);
    delete (policy.Statement[0]!.Condition.StringEquals as Record<string, string>)[`${PROVIDER_HOST}:aud`];
    iam.putRole('vm-reader', policy);
    const { application } = await registerIdentity(deps, { ...input, roleName: 'vm-reader' });
    expect(application).toMatchObject({ outcome: 'bring-your-own', servicePrincipalObjectId: identity.id });
  });

  it('pins the identity’s own client ID with v2 tokens, where IAM reads azp', async () => {
    const { iam, directory, deps } = setUp({ tokenVersion: 2 });
    const identity = directory.addIdentity();
    const host = `login.microsoftonline.com/${baseSettings.tenantId}/v2.0`;
    iam.putRole('vm-reader', appTeamTrustPolicy(`arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${host}`, host));
    const policy = iam.roles.get('vm-reader')!.trustPolicy as unknown as {
      Statement: { Condition: { StringEquals: Record<string, string> } }[];
    };
    policy.Statement[0]!.Condition.StringEquals[`${host}:sub`] = identity.id;
    const { application } = await registerIdentity(deps, { ...input, roleName: 'vm-reader' });
    expect(application).toMatchObject({ outcome: 'bring-your-own', audiences: [identity.appId], requestAudience: GATEWAY });
  });

  it('ends unknown-identity for a sub that names no service principal, creating nothing', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('vm-reader', pinnedPolicy('placeholder', USER));
    await expect(registerIdentity(deps, { ...input, roleName: 'vm-reader' })).rejects.toBeInstanceOf(UnknownIdentityError);
    expect(registrations(directory)).toEqual([]);
  });

  it('ends unknown-identity for a service principal that cannot sign in as a workload', async () => {
    const { iam, directory, deps } = setUp();
    const legacy = directory.addIdentity({ servicePrincipalType: 'SocialIdp' });
    iam.putRole('vm-reader', pinnedPolicy('placeholder', legacy.id));
    await expect(registerIdentity(deps, { ...input, roleName: 'vm-reader' })).rejects.toThrow(/cannot sign in as a workload/);
  });

  it.each([
    ['the gateway', { id: GATEWAY_SP, appId: GATEWAY }],
    ["the automation's", { id: AUTOMATION_SP, appId: AUTOMATION_CLIENT }],
    ["another automation identity's (by client ID)", { appId: AUTOMATION_CLIENT }],
  ])('refuses %s service principal as a workload identity', async (_label, fields) => {
    // Attack: a team names the platform's own identity, whose tokens it might later obtain.
    const { iam, directory, deps } = setUp();
    const sp = directory.addIdentity({ ...fields, servicePrincipalType: 'Application' });
    iam.putRole('vm-reader', pinnedPolicy('placeholder', sp.id));
    await expect(registerIdentity(deps, { ...input, roleName: 'vm-reader' })).rejects.toBeInstanceOf(ReservedIdentityError);
  });

  it('keeps the role’s own application when its sub already names it (a ready role updated), as before', async () => {
    const { iam, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const first = (await registerIdentity(deps, input)).application;
    if (first.outcome !== 'registered') throw new Error('expected registered');
    iam.roles.get('ci-deployer')!.trustPolicy = pinnedPolicy(first.appId, first.servicePrincipalObjectId);
    const again = (await registerIdentity(deps, input)).application;
    expect(again).toMatchObject({ outcome: 'registered', appId: first.appId, created: false });
  });

  it('gives a re-created role a new application even when its policy names the previous incarnation’s identity', async () => {
    const { iam, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const first = (await registerIdentity(deps, input)).application;
    if (first.outcome !== 'registered') throw new Error('expected registered');
    iam.putRole('ci-deployer', pinnedPolicy(first.appId, first.servicePrincipalObjectId));
    const second = (await registerIdentity(deps, input)).application;
    expect(second.outcome === 'registered' && second.appId).not.toBe(first.appId);
  });

  it("gives a team that names another team's identity nothing of the other team's", async () => {
    // Attack: team A names team B's application's service principal in its own role's sub.
    const { iam, directory, deps } = setUp();
    iam.putRole('team-b', appTeamTrustPolicy());
    const b = (await registerIdentity(deps, { ...input, roleName: 'team-b' })).application;
    if (b.outcome !== 'registered') throw new Error('expected registered');
    const before = structuredClone([...directory.applications.values()]);
    iam.putRole('team-a', pinnedPolicy('placeholder', b.servicePrincipalObjectId));
    // Act
    const a = (
      await registerIdentity(deps, {
        ...input,
        roleName: 'team-a',
        requestedOwners: USER,
        requestedFederatedCredentials: { mine: 'https://token.actions.githubusercontent.com repo:a/a:ref:refs/heads/main' },
      })
    ).application;
    // Assess: A's role trusts B's identity (A's own choice); B's application is untouched: no owner, no credential
    expect(a).toMatchObject({
      outcome: 'bring-your-own',
      servicePrincipalObjectId: b.servicePrincipalObjectId,
      ownersStatus: `failed:bring-your-own ${USER}`,
      federatedCredentialsStatus: 'failed:bring-your-own mine',
    });
    expect([...directory.applications.values()]).toEqual(before);
    expect(directory.federatedCredentials.size).toBe(0);
    expect(directory.calls.filter((call) => call.startsWith('addOwner') || call.startsWith('addFederatedCredential'))).toEqual([]);
  });

  it('still leaves a hand-made federation alone when it also pins sub', async () => {
    const { iam, directory, deps } = setUp();
    const theirs = directory.addForeignApplication('their-own-app');
    const identity = directory.addIdentity();
    iam.putRole('ci-deployer', pinnedPolicy(theirs.appId, identity.id));
    expect((await registerIdentity(deps, input)).application).toEqual({ outcome: 'skipped', reason: 'hand-made' });
  });

  it('refuses statements that do not agree on one identity', async () => {
    const { iam, directory, deps } = setUp();
    const identity = directory.addIdentity();
    const open = pinnedPolicy('placeholder').Statement[0]!;
    iam.putRole('ci-deployer', { Version: '2012-10-17', Statement: [pinnedPolicy('placeholder', identity.id).Statement[0]!, open] });
    await expect(registerIdentity(deps, input)).rejects.toBeInstanceOf(AmbiguousIdentityError);
    expect(registrations(directory)).toEqual([]);
  });
});

describe('create-service-principal core: federated identity credentials', () => {
  const GITHUB = 'https://token.actions.githubusercontent.com';

  it('adds the credentials the CreateRole call named and reports the malformed ones', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const { application } = await registerIdentity(deps, {
      ...input,
      requestedFederatedCredentials: { main: `${GITHUB} repo:contoso/payments:ref:refs/heads/main`, broken: 'http://insecure subject' },
    });
    const [app] = [...directory.applications.values()];
    expect(directory.federatedCredentials.get(app!.id)).toEqual([
      { name: 'main', issuer: GITHUB, subject: 'repo:contoso/payments:ref:refs/heads/main' },
    ]);
    expect(application).toMatchObject({ federatedCredentialsStatus: 'failed:malformed broken' });
  });

  it('adds none from a tag on the role: only the CreateRole call may name them', async () => {
    // Attack: whoever may only tag the role names their own workload as the role's identity.
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), {
      'entra:federated-credential:mine': `${GITHUB} repo:attacker/x:ref:refs/heads/main`,
    });
    const { application } = await registerIdentity(deps, { ...input, eventName: 'UpdateAssumeRolePolicy' });
    expect(directory.federatedCredentials.size).toBe(0);
    expect(application).not.toHaveProperty('federatedCredentialsStatus');
  });

  it('says added on a retry that finds its own credentials', async () => {
    const { iam, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const named = { ...input, requestedFederatedCredentials: { main: `${GITHUB} repo:contoso/payments:environment:prod` } };
    await registerIdentity(deps, named);
    expect((await registerIdentity(deps, named)).application).toMatchObject({ federatedCredentialsStatus: 'added' });
  });
});

describe('parseFederatedCredentialTags', () => {
  it('keeps Entra’s first 20 by name and refuses the others by name', () => {
    const tags = Object.fromEntries(
      Array.from({ length: 22 }, (_, i) => [`c${String(i).padStart(2, '0')}`, `https://issuer.example/ sub-${i}`]),
    );
    const { credentials, refused } = parseFederatedCredentialTags(tags);
    expect(credentials).toHaveLength(20);
    expect(refused).toEqual([
      ['c20', 'limit'],
      ['c21', 'limit'],
    ]);
  });

  it('refuses a name Entra would not take, an issuer that is not https, and a missing subject', () => {
    const { credentials, refused } = parseFederatedCredentialTags({
      'has space': 'https://i.example/ s',
      plain: 'http://i.example/ s',
      lonely: 'https://i.example/',
      ok: 'https://i.example/ system:serviceaccount:ns:sa',
    });
    expect(credentials).toEqual([{ name: 'ok', issuer: 'https://i.example/', subject: 'system:serviceaccount:ns:sa' }]);
    expect(refused.map(([name]) => name).sort()).toEqual(['has space', 'lonely', 'plain']);
  });
});

describe('federatedCredentialsStatus', () => {
  it('names the credentials that were not added, with the first reason', () => {
    expect(
      federatedCredentialsStatus([
        ['a', 'added'],
        ['b', 'conflict'],
        ['c', { refused: 'Authorization_RequestDenied' }],
      ]),
    ).toBe('failed:conflict b c');
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
    expect(
      ownersStatus([
        [USER, 'added'],
        ['x', 'already-owner'],
      ]),
    ).toBe('added');
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

describe('create-service-principal core: incarnations, re-pins and failures half-way', () => {
  it('does nothing for the event of an earlier incarnation (the role was deleted and created again since): not a Graph call', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy(), {}, 'AROANEWINCARNATION001');
    const { application } = await registerIdentity(deps, { ...input, roleId: 'AROAOLDINCARNATION001' });
    expect(application).toEqual({ outcome: 'skipped', reason: 'role-not-found' });
    expect(directory.calls).toEqual([]);
  });

  it('federates the incarnation the event names', async () => {
    const { iam, deps } = setUp();
    const roleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    await expect(registerIdentity(deps, { ...input, roleId })).resolves.toMatchObject({ application: { outcome: 'registered', roleId } });
  });

  it('re-pins a re-applied placeholder to the role’s own application with no Graph write', async () => {
    // Prepare: a federated role whose team applies its placeholder again (Terraform, CloudFormation)
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const first = (await registerIdentity(deps, input)).application;
    const before = directory.calls.length;
    // Act
    const again = (await registerIdentity(deps, { ...input, eventName: 'UpdateAssumeRolePolicy' })).application;
    // Assess: the same application and service principal, found by reads only
    expect(again).toEqual({ ...first, created: false });
    expect(directory.calls.slice(before).filter((call) => /^(registerApplication|ensureServicePrincipal|add|delete)/.test(call))).toEqual(
      [],
    );
    expect(directory.calls.slice(before)).toEqual(expect.arrayContaining([expect.stringMatching(/^findOwnApplication /)]));
  });

  it('registers the application with what names its role: its incarnation, its ARN and role ID in the notes, the token version', async () => {
    const { iam, directory, deps } = setUp();
    const roleId = iam.putRole('ci-deployer', appTeamTrustPolicy());
    await registerIdentity(deps, input);
    expect(directory.specs).toEqual([
      {
        uniqueName: applicationUniqueName(ACCOUNT_ID, 'ci-deployer', roleId),
        displayName: expect.stringContaining('ci-deployer'),
        notes: `Web identity federation for IAM role arn:aws:iam::${ACCOUNT_ID}:role/ci-deployer (role ID ${roleId}). Managed by automation.`,
        tokenVersion: 1,
        role: { account: ACCOUNT_ID, roleName: 'ci-deployer', roleId },
      },
    ]);
  });

  it('removes the application its own request created when a later step fails for good, and passes the failure on', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const refusal = new GraphRequestError('create service principal: 400', 400, 'Request_BadRequest');
    directory.ensureServicePrincipal = async () => {
      throw refusal;
    };
    await expect(registerIdentity(deps, input)).rejects.toBe(refusal);
    expect(directory.applications.size).toBe(0);
  });

  it('keeps the application on a transient failure: the retry reuses it', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    directory.ensureServicePrincipal = async () => {
      throw new GraphUnavailableError('create service principal: 503');
    };
    await expect(registerIdentity(deps, input)).rejects.toBeInstanceOf(GraphUnavailableError);
    expect(directory.applications.size).toBe(1);
    expect(directory.calls.filter((call) => call.startsWith('deleteApplication'))).toEqual([]);
  });

  it('passes the step’s own failure on when removing its application fails too (left for the next run or the Delete)', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const refusal = new GraphRequestError('create service principal: 400', 400, 'Request_BadRequest');
    directory.ensureServicePrincipal = async () => {
      throw refusal;
    };
    directory.deleteApplication = async () => {
      throw new GraphUnavailableError('delete application: 503');
    };
    await expect(registerIdentity(deps, input)).rejects.toBe(refusal);
    expect(directory.applications.size).toBe(1);
  });

  it('never removes an application it found, whatever fails', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    await registerIdentity(deps, input);
    const [app] = [...directory.applications.values()];
    directory.servicePrincipals.delete(app!.appId);
    directory.ensureServicePrincipal = async () => {
      throw new GraphRequestError('create service principal: 400', 400, 'Request_BadRequest');
    };
    await expect(registerIdentity(deps, input)).rejects.toBeInstanceOf(GraphRequestError);
    expect(directory.applications.get(app!.id)).toBe(app);
  });

  it('names not-owner when the service principal of an application an owner took away is refused, and deletes nothing', async () => {
    // Prepare: the role's application lost its service principal, and an owner took the automation off it
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    await registerIdentity(deps, input);
    const [app] = [...directory.applications.values()];
    directory.servicePrincipals.delete(app!.appId);
    app!.owners = [USER];
    directory.ensureServicePrincipal = async () => {
      throw new GraphRequestError('create service principal: 403', 403, 'Authorization_RequestDenied');
    };
    // Act / Assess
    await expect(registerIdentity(deps, { ...input, eventName: 'UpdateAssumeRolePolicy' })).rejects.toBeInstanceOf(NotOwnerError);
    expect(directory.applications.get(app!.id)).toBe(app);
  });

  it('passes a refusal on as it is when the application is still the automation’s', async () => {
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    await registerIdentity(deps, input);
    const [app] = [...directory.applications.values()];
    directory.servicePrincipals.delete(app!.appId);
    const refusal = new GraphRequestError('create service principal: 403', 403, 'Authorization_RequestDenied');
    directory.ensureServicePrincipal = async () => {
      throw refusal;
    };
    await expect(registerIdentity(deps, { ...input, eventName: 'UpdateAssumeRolePolicy' })).rejects.toBe(refusal);
  });

  it('counts against an account’s cap only its own applications in that account, not the automation’s elsewhere', async () => {
    const { iam, directory, deps } = setUp({ maxApplicationsPerAccount: 1 });
    for (const n of [1, 2]) {
      const app = directory.addForeignApplication(
        applicationUniqueName('999988887777', `other-${n}`, `AROAOTHERACCOUNT000${n}`),
        AUTOMATION,
      );
      expect(app.createdBy).toBe(AUTOMATION);
    }
    iam.putRole('one', appTeamTrustPolicy());
    await expect(registerIdentity(deps, { ...input, roleName: 'one' })).resolves.toMatchObject({ application: { created: true } });
    expect(directory.calls).toContain(`ownApplicationNamesWithPrefix aws-${ACCOUNT_ID}-`);
  });
});

describe('create-service-principal core: audiences of a role with an application of its own', () => {
  async function pinnedRole(overrides: Partial<AudienceSettings>) {
    const { iam, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const first = (await registerIdentity(deps, input)).application;
    if (first.outcome !== 'registered') throw new Error('expected registered');
    iam.roles.get('ci-deployer')!.trustPolicy = pinnedPolicy(first.appId, first.servicePrincipalObjectId);
    const again = (await registerIdentity({ ...deps, settings: { ...deps.settings, ...overrides } }, input)).application;
    return { appId: first.appId, again };
  }

  it('retires nothing for a role that stays per-role', async () => {
    const { appId, again } = await pinnedRole({});
    expect(again).toMatchObject({ audiences: [appId], requestAudience: appId, identityMode: 'per-role' });
    expect(again).not.toHaveProperty('retiredAudiences');
  });

  it('retires nothing while a move to the gateway admits both audiences', async () => {
    const { appId, again } = await pinnedRole({ audienceMode: 'shared', dualAudience: true });
    expect(again).toMatchObject({ audiences: [GATEWAY, appId], requestAudience: GATEWAY, identityMode: 'shared' });
    expect(again).not.toHaveProperty('retiredAudiences');
  });

  it('retires nothing in the shared mode for a role not pinned to its own client ID', async () => {
    const { iam, deps } = setUp({ audienceMode: 'shared' });
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const { application } = await registerIdentity(deps, input);
    expect(application).toMatchObject({ audiences: [GATEWAY] });
    expect(application).not.toHaveProperty('retiredAudiences');
  });
});

describe('create-service-principal core: statements the team wrote by hand beside others', () => {
  const statement = (aud: string | undefined, sub: string | undefined) => ({
    Effect: 'Allow' as const,
    Principal: { Federated: PROVIDER_ARN },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: { ...(aud ? { [`${PROVIDER_HOST}:aud`]: aud } : {}), ...(sub ? { [`${PROVIDER_HOST}:sub`]: sub } : {}) },
    },
  });

  it('federates the placeholder statement and reports the hand-made audience it keeps', async () => {
    const { iam, directory, deps } = setUp();
    const theirs = directory.addForeignApplication('their-own-app');
    const theirSp = directory.addIdentity({ appId: theirs.appId, servicePrincipalType: 'Application' });
    iam.putRole('ci-deployer', {
      Version: '2012-10-17',
      Statement: [statement(theirs.appId, theirSp.id), ...[appTeamTrustPolicy().Statement].flat()],
    });
    const { application } = await registerIdentity(deps, input);
    expect(application).toMatchObject({ outcome: 'registered', created: true, handMadeAudiences: [theirs.appId] });
  });

  it('brings the identity a second statement names through the gateway, beside a hand-made one: no application of its own', async () => {
    // A hand-made statement (their application) and a brought managed identity: the role is the team's
    // federation throughout; the automation must not create an application for it.
    const { iam, directory, deps } = setUp();
    const theirs = directory.addForeignApplication('their-own-app');
    const theirSp = directory.addIdentity({ appId: theirs.appId, servicePrincipalType: 'Application' });
    const managed = directory.addIdentity();
    iam.putRole('ci-deployer', {
      Version: '2012-10-17',
      Statement: [statement(theirs.appId, theirSp.id), statement(GATEWAY.toUpperCase(), managed.id)],
    });
    const { application } = await registerIdentity(deps, input);
    expect(application).toMatchObject({ outcome: 'bring-your-own', servicePrincipalObjectId: managed.id });
    expect(registrations(directory)).toEqual([]);
  });

  it('refuses to bring the automation’s or the gateway’s own service principal, by object ID as by client ID', async () => {
    for (const reserved of [AUTOMATION_SP, GATEWAY_SP]) {
      const { iam, directory, deps } = setUp();
      directory.addIdentity({ id: reserved, servicePrincipalType: 'Application' });
      iam.putRole('ci-deployer', pinnedPolicy(GATEWAY, reserved));
      await expect(registerIdentity(deps, input)).rejects.toBeInstanceOf(ReservedIdentityError);
    }
  });

  it('brings an application’s identity whose application is not in this tenant (a multi-tenant application)', async () => {
    const { iam, directory, deps } = setUp();
    const elsewhere = directory.addIdentity({ servicePrincipalType: 'Application', displayName: 'saas' });
    iam.putRole('ci-deployer', pinnedPolicy(GATEWAY, elsewhere.id));
    await expect(registerIdentity(deps, input)).resolves.toMatchObject({
      application: { outcome: 'bring-your-own', identityAppId: elsewhere.appId },
    });
  });
});

describe('the status tags', () => {
  it('writes Graph’s refusal codes in kebab case, whatever their punctuation', () => {
    expect(federatedCredentialsStatus([['a', { refused: 'Request_BadRequest' }]])).toBe('failed:request-bad-request a');
    expect(ownersStatus([[USER, { refused: '_Odd__Code.' }]])).toBe(`failed:odd-code ${USER}`);
  });

  it('replaces characters IAM tag values refuse in a name', () => {
    expect(federatedCredentialsStatus([['bad name!', 'malformed']])).toBe('failed:malformed bad_name_');
  });

  it('keeps a status of exactly 256 characters whole, and cuts one longer', () => {
    // "failed:malformed " is 17 characters; one name of 239 makes 256.
    const exact = 'n'.repeat(239);
    expect(federatedCredentialsStatus([[exact, 'malformed']])).toBe(`failed:malformed ${exact}`);
    // With a second name, neither both (258) nor the first and "+1" (259) fit: only the count does.
    expect(
      federatedCredentialsStatus([
        [exact, 'malformed'],
        ['x', 'malformed'],
      ]),
    ).toBe('failed:malformed +2');
    expect(
      federatedCredentialsStatus([
        ['n'.repeat(236), 'malformed'],
        ['xxxxx', 'malformed'],
      ]),
    ).toBe(`failed:malformed ${'n'.repeat(236)} +1`);
  });

  it('sorts the credentials by name before keeping Entra’s first 20, whatever order the tags came in', () => {
    const names = Array.from({ length: 22 }, (_, i) => `cred-${String(i).padStart(2, '0')}`);
    const tags = Object.fromEntries([...names].reverse().map((name) => [name, 'https://issuer.example subject']));
    const { credentials, refused } = parseFederatedCredentialTags(tags);
    expect(credentials.map((c) => c.name)).toEqual(names.slice(0, 20));
    expect(refused).toEqual([
      ['cred-20', 'limit'],
      ['cred-21', 'limit'],
    ]);
  });

  it('reads a credential value around surrounding spaces, but refuses anything before the issuer', () => {
    expect(parseFederatedCredentialTags({ a: '  https://issuer.example repo:o/r:ref:refs/heads/main  ' }).credentials).toEqual([
      { name: 'a', issuer: 'https://issuer.example', subject: 'repo:o/r:ref:refs/heads/main' },
    ]);
    expect(parseFederatedCredentialTags({ a: 'x https://issuer.example subject' }).refused).toEqual([['a', 'malformed']]);
  });
});

describe('create-service-principal core: a sub changed beside the automation’s own aud pin', () => {
  it('keeps the role’s own application when its team points sub at a managed identity but leaves aud on the application: bringing one takes the gateway audience or none', async () => {
    // Prepare: a federated role; its team edits only the sub of the automation's pin
    const { iam, directory, deps } = setUp();
    iam.putRole('ci-deployer', appTeamTrustPolicy());
    const first = (await registerIdentity(deps, input)).application;
    if (first.outcome !== 'registered') throw new Error('expected registered');
    const managed = directory.addIdentity();
    iam.roles.get('ci-deployer')!.trustPolicy = pinnedPolicy(first.appId, managed.id);
    // Act
    const again = (await registerIdentity(deps, { ...input, eventName: 'UpdateAssumeRolePolicy' })).application;
    // Assess: the same application and its own service principal, never the managed identity
    expect(again).toMatchObject({ outcome: 'registered', appId: first.appId, servicePrincipalObjectId: first.servicePrincipalObjectId });
  });
});
