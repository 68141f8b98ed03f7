import { randomUUID } from 'node:crypto';
import { ApplicationNameTakenError, EntraQuotaExceededError } from '../../../../functions/shared/runtime';
import {
  GraphDirectory,
  AutomationIdentityPool,
  preferredIdentity,
  applicationNamePrefix,
  applicationUniqueName,
} from '../../../../functions/shared/entra';
import type { EntraDirectory } from '../../../../functions/shared/entra/ports';
import { identityToken, startGraphFake, type GraphFake } from '../../../../simulation/fakes/graph-fake';

/**
 * The automation's identities against the loopback Graph fake: the Graph calls the pool makes
 * (createdObjects, owners, federated credentials, service principals by ID), and how it chooses,
 * proves and routes to the identity that created an application.
 */

let fake: GraphFake;
beforeEach(async () => {
  fake = await startGraphFake();
});
afterEach(async () => {
  await fake.close();
});

const noSleep = async () => undefined;
const ACCOUNT = '111122223333';
const spec = (roleName: string, roleId = 'AROAEXAMPLE0000000001') => ({
  uniqueName: applicationUniqueName(ACCOUNT, roleName, roleId),
  displayName: roleName,
  notes: 'test',
  tokenVersion: 1 as const,
});

/** The first identity, by its object ID as the stack configures it. */
const firstMember = () =>
  new GraphDirectory({
    baseUrl: fake.baseUrl,
    automationServicePrincipalId: fake.state.automationServicePrincipalId,
    getToken: async () => 't',
    sleep: noSleep,
  });

/** A pool of the tenant's first `size` automation identities (added as needed), as live-graph.ts builds it (the others known by client ID). */
function pool(size: number, usableObjectsPerIdentity = Infinity, full: number[] = []) {
  while (fake.state.automationIdentities().length < size) fake.state.addAutomationIdentity();
  const members = fake.state
    .automationIdentities()
    .slice(0, size)
    .map((identity, i) =>
      i === 0
        ? firstMember()
        : new GraphDirectory({
            baseUrl: fake.baseUrl,
            automationClientId: identity.appId,
            getToken: async () => identityToken(identity.servicePrincipalId),
            sleep: noSleep,
          }),
    );
  return new AutomationIdentityPool({ members, usableObjectsPerIdentity, onIdentityFull: (index) => full.push(index) });
}

/** `count` role names whose applications `index` creates first in a pool of `size`. */
const rolesPreferring = (index: number, size: number, count: number) =>
  Array.from({ length: 100 }, (_, i) => `r${i}`)
    .filter((name) => preferredIdentity(spec(name).uniqueName, size) === index)
    .slice(0, count);

const creatorIndex = (appId: string) => {
  const app = fake.state.liveApplicationByAppId(appId)!;
  return fake.state.automationIdentities().findIndex((identity) => identity.servicePrincipalId === app.createdBy);
};

describe('GraphDirectory: what bring-your-own, credentials and the quota need', () => {
  it('reads any service principal of the tenant by object ID, with its type, and null for none', async () => {
    // Prepare
    const identity = fake.state.seedServicePrincipal({
      id: randomUUID(),
      appId: randomUUID(),
      displayName: 'vm',
      servicePrincipalType: 'ManagedIdentity',
    });
    const graph = firstMember();
    // Act / Assess
    expect(await graph.getServicePrincipal(identity.id)).toEqual({
      id: identity.id,
      appId: identity.appId,
      displayName: 'vm',
      servicePrincipalType: 'ManagedIdentity',
    });
    expect(await graph.getServicePrincipal(randomUUID())).toBeNull();
    expect(await graph.getServicePrincipal('not-a-guid')).toBeNull();
    expect(fake.calls['graph:GET /servicePrincipals/{id}']).toBe(2);
  });

  it('adds a federated credential once, says so on a retry, and reports a different one of that name as a conflict', async () => {
    // Prepare
    const graph = firstMember();
    const { application } = await graph.registerApplication(spec('ci'));
    const credential = {
      name: 'main',
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'repo:contoso/payments:ref:refs/heads/main',
    };
    // Act
    const outcomes = [
      await graph.addFederatedCredential(application.id, credential),
      await graph.addFederatedCredential(application.id, credential),
      await graph.addFederatedCredential(application.id, { ...credential, subject: 'repo:contoso/other:ref:refs/heads/main' }),
    ];
    // Assess
    expect(outcomes).toEqual(['added', 'already-present', 'conflict']);
    expect(fake.state.liveApplication(application.id)?.federatedCredentials).toMatchObject([
      { ...credential, audiences: ['api://AzureADTokenExchange'] },
    ]);
  });

  it('reports the 21st credential as refused with Graph’s code', async () => {
    const graph = firstMember();
    const { application } = await graph.registerApplication(spec('ci'));
    for (let i = 0; i < 20; i += 1)
      await graph.addFederatedCredential(application.id, { name: `c${i}`, issuer: 'https://issuer.example', subject: `s${i}` });
    expect(await graph.addFederatedCredential(application.id, { name: 'c20', issuer: 'https://issuer.example', subject: 's20' })).toEqual({
      refused: 'Request_BadRequest',
    });
  });

  it('counts the objects an identity created, live ones, as its quota sees them', async () => {
    const graph = firstMember();
    const { application } = await graph.registerApplication(spec('ci'));
    await graph.ensureServicePrincipal(application.appId);
    await graph.registerApplication(spec('cd'));
    expect(await graph.createdObjectCount()).toBe(3);
  });

  it('lists the names of the applications the identity created in an account: not a stranger’s, not another account’s', async () => {
    const graph = firstMember();
    await graph.registerApplication(spec('ci'));
    fake.state.seedApplication({
      uniqueName: `${applicationNamePrefix(ACCOUNT, 'squat')}x`,
      displayName: 'squat',
      createdBy: randomUUID(),
    });
    fake.state.seedApplication({ uniqueName: 'aws-999999999999-x', displayName: 'elsewhere', createdBy: randomUUID() });
    expect([...(await graph.ownApplicationNamesWithPrefix(`aws-${ACCOUNT}-`))]).toEqual([spec('ci').uniqueName]);
  });

  it('reads its own service principal once, by client ID, when only that was configured', async () => {
    const identity = fake.state.addAutomationIdentity();
    const graph = new GraphDirectory({
      baseUrl: fake.baseUrl,
      automationClientId: identity.appId,
      getToken: async () => identityToken(identity.servicePrincipalId),
      sleep: noSleep,
    });
    expect(await graph.ownServicePrincipalId()).toBe(identity.servicePrincipalId);
    expect(await graph.ownServicePrincipalId()).toBe(identity.servicePrincipalId);
    expect(fake.calls['graph:GET /servicePrincipals(appId)']).toBe(1);
  });
});

describe('AutomationIdentityPool', () => {
  it('creates each role’s application with the same identity every time, whatever the incarnation', () => {
    const a = preferredIdentity(applicationUniqueName(ACCOUNT, 'ci', 'AROAEXAMPLE0000000001'), 7);
    expect(preferredIdentity(applicationUniqueName(ACCOUNT, 'ci', 'AROAEXAMPLE0000000002'), 7)).toBe(a);
    expect(preferredIdentity(applicationNamePrefix(ACCOUNT, 'ci'), 7)).toBe(a);
    expect(
      new Set(Array.from({ length: 50 }, (_, i) => preferredIdentity(applicationNamePrefix(ACCOUNT, `r${i}`), 7))).size,
    ).toBeGreaterThan(1);
  });

  it('creates with the preferred identity, which alone owns and manages the application', async () => {
    // Prepare
    const directory = pool(3);
    // Act
    const { application } = await directory.registerApplication(spec('ci'));
    await directory.ensureServicePrincipal(application.appId);
    // Assess
    expect(creatorIndex(application.appId)).toBe(preferredIdentity(spec('ci').uniqueName, 3));
    expect(fake.state.liveApplication(application.id)?.owners).toEqual([fake.state.liveApplication(application.id)?.createdBy]);
  });

  it('asks the identity that created an application whether it still owns it: no once an owner took it off', async () => {
    // Prepare: a role whose preferred identity is not the first
    const directory = pool(3);
    const role = Array.from({ length: 20 }, (_, i) => `r${i}`).find((name) => preferredIdentity(spec(name).uniqueName, 3) !== 0)!;
    const { application } = await directory.registerApplication(spec(role));
    const owner = randomUUID();
    fake.state.addUsers(owner);
    // Act
    const before = await pool(3).ownsApplication(application.id);
    fake.state.liveApplication(application.id)!.owners = [owner];
    const after = await pool(3).ownsApplication(application.id);
    // Assess
    expect(creatorIndex(application.appId)).not.toBe(0);
    expect([before, after]).toEqual([true, false]);
  });

  it('moves on to the next identity once one has used its share, and refuses once all have', async () => {
    // Prepare: 2 identities that may create 2 objects each (one role)
    const full: number[] = [];
    const directory = pool(2, 2, full);
    const roles = ['a', 'b', 'c'];
    // Act
    const created = [];
    for (const role of roles.slice(0, 2)) {
      const { application } = await directory.registerApplication(spec(role));
      await directory.ensureServicePrincipal(application.appId);
      created.push(creatorIndex(application.appId));
    }
    // Assess
    expect(created.sort()).toEqual([0, 1]);
    await expect(directory.registerApplication(spec('c'))).rejects.toThrow(EntraQuotaExceededError);
    await expect(directory.registerApplication(spec('c'))).rejects.toThrow(/every automation identity \(2\) has used its share/);
    expect(full.length).toBeGreaterThan(0);
  });

  it.each([
    // A share of 4 objects is exactly two roles; 3 is one role and a half, which must not become two (an overrun by one).
    [4, 2],
    [3, 1],
    [2, 1],
    [1, 0],
  ])('counts a share of %i objects, two a role (application and service principal), as room for %i role(s)', async (share, roles) => {
    // Prepare
    const full: number[] = [];
    const directory = pool(1, share, full);
    // Act
    let created = 0;
    for (const role of ['a', 'b', 'c']) {
      try {
        const { application } = await directory.registerApplication(spec(role));
        await directory.ensureServicePrincipal(application.appId);
        created += 1;
      } catch (error) {
        expect(error).toBeInstanceOf(EntraQuotaExceededError);
        break;
      }
    }
    // Assess: the identity that filled up is named, with what it had used
    expect(created).toBe(roles);
    expect(fake.state.ownedObjectCount(fake.state.automationIdentities()[0]!.servicePrincipalId)).toBe(2 * roles);
    expect(full).toEqual([0]);
  });

  it('moves on when Graph itself refuses at the quota, and names the identity that is full', async () => {
    // Prepare: two roles that prefer the same identity, which may create one object
    fake.state.ownedObjectLimit = 1;
    const full: number[] = [];
    const directory = pool(2, Infinity, full);
    const [first, second] = rolesPreferring(preferredIdentity(spec('a').uniqueName, 2), 2, 2);
    // Act
    await directory.registerApplication(spec(first));
    await directory.registerApplication(spec(second));
    // Assess
    const [preferred, other] = [preferredIdentity(spec(first).uniqueName, 2), 1 - preferredIdentity(spec(first).uniqueName, 2)];
    expect(fake.state.ownedObjectCount(fake.state.automationIdentities()[preferred]!.servicePrincipalId)).toBe(1);
    expect(fake.state.ownedObjectCount(fake.state.automationIdentities()[other]!.servicePrincipalId)).toBe(1);
    expect(full).toEqual([preferred]);
  });

  it('moves on to the identity after the preferred one, in a fixed order', async () => {
    // Prepare: three identities of one role each; two roles that prefer the same one
    const directory = pool(3, 2);
    const preferred = preferredIdentity(spec('a').uniqueName, 3);
    const [first, second] = rolesPreferring(preferred, 3, 2);
    // Act
    const a = await directory.registerApplication(spec(first));
    await directory.ensureServicePrincipal(a.application.appId);
    const b = await directory.registerApplication(spec(second));
    // Assess
    expect([creatorIndex(a.application.appId), creatorIndex(b.application.appId)]).toEqual([preferred, (preferred + 1) % 3]);
  });

  it('finds, on a retry, the application another identity of the pool created, and routes its writes there', async () => {
    // Prepare: identity 2 created the application (the preferred one was full at the time)
    const directory = pool(3);
    const others = fake.state.automationIdentities();
    const preferred = preferredIdentity(spec('ci').uniqueName, 3);
    const creator = others[(preferred + 1) % 3]!;
    const viaCreator = new GraphDirectory({
      baseUrl: fake.baseUrl,
      automationClientId: creator.appId,
      getToken: async () => identityToken(creator.servicePrincipalId),
      sleep: noSleep,
    });
    const { application } = await viaCreator.registerApplication(spec('ci'));
    // Act: a fresh pool (another invocation) registers, deletes
    const again = await pool(3).registerApplication(spec('ci'));
    await directory.deleteApplication(application);
    // Assess
    expect(again).toEqual({ application, created: false });
    expect(fake.state.liveApplication(application.id)).toBeUndefined();
  });

  it('does not take a squatted application as its own because it lists a pool identity as owner', async () => {
    // Attack: a tenant user registers the name first and makes an automation identity co-owner.
    const directory = pool(3);
    const identities = fake.state.automationIdentities();
    const squatter = randomUUID();
    fake.state.seedApplication({
      uniqueName: spec('ci').uniqueName,
      displayName: 'squat',
      createdBy: squatter,
      owners: [squatter, ...identities.map((i) => i.servicePrincipalId)],
    });
    await expect(directory.registerApplication(spec('ci'))).rejects.toBeInstanceOf(ApplicationNameTakenError);
    expect(await directory.findOwnApplication(spec('ci').uniqueName)).toBeNull();
    const app = fake.state.liveByUniqueName(spec('ci').uniqueName)!;
    expect(await directory.findApplicationByAppId(app.appId)).toMatchObject({ ours: false });
  });

  it('with one identity, makes exactly the calls the single identity makes', async () => {
    const directory = pool(1);
    await directory.registerApplication(spec('ci'));
    expect(fake.calls).toEqual({ 'graph:POST /applications': 1 });
  });

  it('with one identity, makes the single identity’s calls for every operation, no owners or pool reads besides', async () => {
    // Each operation once, on the role's application, then on a stranger's.
    const script = async (directory: EntraDirectory) => {
      const stranger = fake.state.seedApplication({
        uniqueName: spec('other').uniqueName,
        displayName: 'stranger',
        createdBy: randomUUID(),
      });
      const { application } = await directory.registerApplication(spec('ci'));
      const servicePrincipalId = await directory.ensureServicePrincipal(application.appId);
      const found = [
        await directory.findOwnApplication(spec('ci').uniqueName),
        await directory.findOwnApplications(applicationNamePrefix(ACCOUNT, 'ci')),
        await directory.findApplicationByAppId(application.appId),
        await directory.findApplicationByAppId(stranger.appId),
        await directory.ownsApplication(application.id),
        await directory.setServicePrincipalEnabled(servicePrincipalId, false),
        await directory.setServicePrincipalEnabled(servicePrincipalId, true),
      ];
      await directory.deleteApplication(application);
      return found.map((value) =>
        JSON.stringify(value, (key, v: unknown) => (['id', 'appId', 'createdDateTime'].includes(key) ? typeof v : v)),
      );
    };
    const single = await script(firstMember());
    const singleCalls = { ...fake.calls };
    await fake.close();
    fake = await startGraphFake();

    const pooled = await script(pool(1));

    expect(pooled).toEqual(single);
    expect(fake.calls).toEqual(singleCalls);
  });

  it('refuses to be built with no identity', () => {
    expect(() => new AutomationIdentityPool({ members: [], usableObjectsPerIdentity: Infinity })).toThrow(/at least one identity/);
  });

  it('hashes a name that is not an application name whole, not a role prefix found inside it', () => {
    const prefix = applicationNamePrefix(ACCOUNT, 'ci');
    // 2^31 identities: two different hashes that agree here would be a one-in-two-billion accident.
    expect(preferredIdentity(`x${prefix}`, 2 ** 31)).not.toBe(preferredIdentity(prefix, 2 ** 31));
    expect(preferredIdentity(`${prefix}AROAEXAMPLE`, 2 ** 31)).toBe(preferredIdentity(prefix, 2 ** 31));
  });

  it('takes an application as ours when an identity of the pool created it and still owns it', async () => {
    // Prepare: a role whose preferred identity is not the first
    const [role] = rolesPreferring(2, 3, 1);
    const { application } = await pool(3).registerApplication(spec(role!));
    // Act: another invocation
    const found = await pool(3).findApplicationByAppId(application.appId);
    // Assess
    expect(found).toEqual({ application, ours: true });
    expect(await pool(3).findOwnApplication(spec(role!).uniqueName)).toEqual(application);
    expect(await pool(3).findOwnApplications(applicationNamePrefix(ACCOUNT, role!))).toEqual([application]);
  });

  it('does not take as ours an application its creating identity no longer owns: owners first, then the proof', async () => {
    // Attack: the identity's own createdObjects still lists the application, but an owner took
    // the automation off it; without the owners check the pool would manage what it cannot write.
    const [role] = rolesPreferring(1, 3, 1);
    const { application } = await pool(3).registerApplication(spec(role!));
    const owner = randomUUID();
    fake.state.addUsers(owner);
    fake.state.liveApplication(application.id)!.owners = [owner];

    expect(await pool(3).findApplicationByAppId(application.appId)).toEqual({ application, ours: false });
    expect(await pool(3).findOwnApplication(spec(role!).uniqueName)).toBeNull();
    expect(await pool(3).findOwnApplications(applicationNamePrefix(ACCOUNT, role!))).toEqual([]);
  });

  it('learns in one invocation which identity created an application, whatever the case of its IDs, and asks Graph once', async () => {
    // Prepare: a role whose preferred identity is not the first
    const [role] = rolesPreferring(2, 3, 1);
    const seeded = await pool(3).registerApplication(spec(role!));
    const reads = () =>
      Object.entries(fake.calls)
        .filter(([key]) => /owners|createdObjects/.test(key))
        .reduce((sum, [, count]) => sum + count, 0);
    // Act: a fresh pool proves it once, then routes every later call without reading again
    const directory = pool(3);
    const found = await directory.findApplicationByAppId(seeded.application.appId.toUpperCase());
    const afterProof = reads();
    const upper = { ...seeded.application, id: seeded.application.id.toUpperCase(), appId: seeded.application.appId.toUpperCase() };
    const owns = [await directory.ownsApplication(upper.id), await directory.ownsApplication(seeded.application.id)];
    const servicePrincipalId = await directory.ensureServicePrincipal(upper.appId);
    // Assess: ownsApplication reads the owners itself, once each; nothing else re-proves
    expect(found).toMatchObject({ ours: true });
    expect(owns).toEqual([true, true]);
    expect(reads() - afterProof).toBe(2);
    expect(fake.state.liveServicePrincipalByAppId(seeded.application.appId)?.id).toBe(servicePrincipalId);
  });

  it('remembers the identity that created an application in this invocation: its writes go there without a proof', async () => {
    const [role] = rolesPreferring(2, 3, 1);
    const directory = pool(3);
    const { application } = await directory.registerApplication(spec(role!));
    const before = { ...fake.calls };

    await directory.ensureServicePrincipal(application.appId);
    await directory.deleteApplication({ ...application, id: application.id.toUpperCase() });

    const proofs = Object.entries(fake.calls).filter(([key, count]) => /owners|createdObjects/.test(key) && count !== (before[key] ?? 0));
    expect(proofs).toEqual([]);
    expect(fake.state.liveApplication(application.id)).toBeUndefined();
  });

  it('passes on a Graph failure other than a taken name, rather than answering from another identity’s application', async () => {
    // Prepare: another identity created the role's application; the preferred one then gets a 503 on create
    const preferred = preferredIdentity(spec('ci').uniqueName, 3);
    const directory = pool(3);
    const other = fake.state.automationIdentities()[(preferred + 1) % 3]!;
    await new GraphDirectory({
      baseUrl: fake.baseUrl,
      automationClientId: other.appId,
      getToken: async () => identityToken(other.servicePrincipalId),
      sleep: noSleep,
    }).registerApplication(spec('ci'));
    fake.faults.inject({ method: 'POST', route: '/applications', kind: 'unavailable', count: 100 });
    // Act
    const error = await directory.registerApplication(spec('ci')).then(
      () => null,
      (caught: unknown) => caught,
    );
    // Assess: Graph's failure, for the Create's retry; the application was not read
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ApplicationNameTakenError);
    expect(fake.calls['graph:GET /applications(uniqueName)'] ?? 0).toBe(0);
  });

  it('routes every write on an application to the identity that created it, from a fresh invocation', async () => {
    // Prepare: identity 2 created the role's application; another invocation writes to it
    const [role] = rolesPreferring(2, 3, 1);
    const { application } = await pool(3).registerApplication(spec(role!));
    const owner = randomUUID();
    fake.state.addUsers(owner);
    // Act
    const writes = [
      await pool(3).addOwner(application.id, owner),
      await pool(3).addFederatedCredential(application.id, {
        name: 'github',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:o/r:ref:refs/heads/main',
      }),
    ];
    const servicePrincipalId = await pool(3).ensureServicePrincipal(application.appId);
    const disabled = await pool(3).setServicePrincipalEnabled(servicePrincipalId, false);
    // Assess: each accepted (only the creating identity owns it), the service principal found by either key
    expect([...writes, disabled]).toEqual(['added', 'added', 'done']);
    expect(fake.state.liveServicePrincipalByAppId(application.appId)?.accountEnabled).toBe(false);
    expect((await pool(3).getServicePrincipal(servicePrincipalId))?.appId).toBe(application.appId);
    expect((await pool(3).getServicePrincipalByAppId(application.appId))?.id).toBe(servicePrincipalId);
    expect(await pool(3).setServicePrincipalEnabled(randomUUID(), true)).toBe('not-found');
  });

  it('lists the application names every identity of the pool created under a prefix', async () => {
    const directory = pool(3);
    const roles = [...rolesPreferring(0, 3, 1), ...rolesPreferring(1, 3, 1), ...rolesPreferring(2, 3, 1)];
    for (const role of roles) await directory.registerApplication(spec(role));
    fake.state.seedApplication({ uniqueName: spec('stranger').uniqueName, displayName: 'stranger', createdBy: randomUUID() });

    const names = await pool(3).ownApplicationNamesWithPrefix(`aws-${ACCOUNT}-`);

    expect([...names].sort()).toEqual(roles.map((role) => spec(role).uniqueName).sort());
  });

  it('answers null for a client ID that names no application', async () => {
    expect(await pool(3).findApplicationByAppId(randomUUID())).toBeNull();
  });

  it('refuses at the quota without a callback to tell', async () => {
    // Prepare: no onIdentityFull; one identity whose share is one role, taken
    while (fake.state.automationIdentities().length < 1) fake.state.addAutomationIdentity();
    const directory = new AutomationIdentityPool({ members: [firstMember()], usableObjectsPerIdentity: 2 });
    const { application } = await directory.registerApplication(spec('a'));
    await directory.ensureServicePrincipal(application.appId);
    fake.state.ownedObjectLimit = 2;
    const graphRefuses = new AutomationIdentityPool({ members: [firstMember()], usableObjectsPerIdentity: Infinity });
    // Act / Assess: the share, then Graph's own refusal
    await expect(directory.registerApplication(spec('b'))).rejects.toBeInstanceOf(EntraQuotaExceededError);
    await expect(graphRefuses.registerApplication(spec('b'))).rejects.toBeInstanceOf(EntraQuotaExceededError);
  });

  it('with one identity, refuses a squatted name with the single identity’s calls only', async () => {
    fake.state.seedApplication({ uniqueName: spec('ci').uniqueName, displayName: 'squat', createdBy: randomUUID() });
    await expect(firstMember().registerApplication(spec('ci'))).rejects.toBeInstanceOf(ApplicationNameTakenError);
    const single = { ...fake.calls };
    await expect(pool(1).registerApplication(spec('ci'))).rejects.toBeInstanceOf(ApplicationNameTakenError);
    expect(Object.fromEntries(Object.entries(fake.calls).map(([key, count]) => [key, count - (single[key] ?? 0)]))).toEqual(single);
  });

  it('remembers a client ID it learnt at creation: the service principal goes to the creator without reading the application', async () => {
    const [role] = rolesPreferring(2, 3, 1);
    const directory = pool(3);
    const { application } = await directory.registerApplication(spec(role!));
    const reads = fake.calls['graph:GET /applications(appId)'] ?? 0;
    await directory.ensureServicePrincipal(application.appId.toUpperCase());
    expect(fake.calls['graph:GET /applications(appId)'] ?? 0).toBe(reads);
    expect(fake.state.liveServicePrincipalByAppId(application.appId)).toBeDefined();
  });
});
