import { randomUUID } from 'node:crypto';
import type { EntraDirectory } from '../../../../functions/shared/entra';
import { GraphDirectory } from '../../../../functions/shared/entra';
import { ApplicationNameTakenError } from '../../../../functions/shared/runtime';
import { identityToken, startGraphFake } from '../../../../simulation/fakes/graph-fake';
import { FakeDirectory } from '../../../fixtures/port-fakes';

/**
 * One contract for the EntraDirectory port (functions/shared/entra/ports.ts), run over every
 * implementation: the function cores' in-memory fake (`__tests__/fixtures/port-fakes.ts`) and
 * the real Graph client against the simulator's loopback Graph fake. A behaviour taught to one
 * and not the other fails here, not in a test that happens to use the wrong one.
 */
interface DirectoryUnderContract {
  readonly directory: EntraDirectory;
  /** An application another principal of the tenant registered (a squatter, a hand-made federation). */
  seedForeignApplication(uniqueName: string): { readonly id: string; readonly appId: string };
  /** A service principal without an application in the tenant (a managed identity). */
  seedManagedIdentity(): { readonly id: string; readonly appId: string };
  /** A user of the tenant; returns its object ID. */
  seedUser(): string;
  close(): Promise<void>;
}

const implementations: [string, () => Promise<DirectoryUnderContract>][] = [
  [
    'the port fake (function cores’ unit tests)',
    async () => {
      const fake = new FakeDirectory();
      return {
        directory: fake,
        seedForeignApplication: (uniqueName) => fake.addForeignApplication(uniqueName),
        seedManagedIdentity: () => fake.addIdentity({ servicePrincipalType: 'ManagedIdentity' }),
        seedUser: () => {
          const id = randomUUID();
          fake.users.add(id);
          return id;
        },
        close: async () => undefined,
      };
    },
  ],
  [
    'the Graph client against the simulator’s Graph fake',
    async () => {
      const fake = await startGraphFake();
      const directory = new GraphDirectory({
        baseUrl: fake.baseUrl,
        automationServicePrincipalId: fake.state.automationServicePrincipalId,
        getToken: async () => identityToken(fake.state.automationServicePrincipalId),
        sleep: async () => undefined,
      });
      return {
        directory,
        seedForeignApplication: (uniqueName) =>
          fake.state.seedApplication({ uniqueName, displayName: uniqueName, createdBy: randomUUID(), servicePrincipalId: randomUUID() }),
        seedManagedIdentity: () =>
          fake.state.seedServicePrincipal({ id: randomUUID(), appId: randomUUID(), servicePrincipalType: 'ManagedIdentity' }),
        seedUser: () => {
          const id = randomUUID();
          fake.state.addUsers(id);
          return id;
        },
        close: () => fake.close(),
      };
    },
  ],
];

const spec = (uniqueName: string) => ({ uniqueName, displayName: `display ${uniqueName}`, notes: 'contract', tokenVersion: 1 as const });

describe.each(implementations)('EntraDirectory contract: %s', (_name, make) => {
  let subject: DirectoryUnderContract;
  let directory: EntraDirectory;
  beforeEach(async () => {
    subject = await make();
    directory = subject.directory;
  });
  afterEach(() => subject.close());

  describe('registerApplication', () => {
    it('creates the application under its unique name and says so', async () => {
      // Act
      const registered = await directory.registerApplication(spec('aws-111122223333-a-AROA1'));
      // Assess
      expect(registered.created).toBe(true);
      expect(registered.application).toMatchObject({
        uniqueName: 'aws-111122223333-a-AROA1',
        displayName: 'display aws-111122223333-a-AROA1',
      });
    });

    it('returns the same application, not created, when the automation registers the same name again (a retry)', async () => {
      // Prepare
      const first = await directory.registerApplication(spec('retried'));
      // Act
      const second = await directory.registerApplication(spec('retried'));
      // Assess
      expect(second).toEqual({ application: first.application, created: false });
    });

    it('refuses a name another principal holds, and leaves that application as it was', async () => {
      // Prepare
      const squatted = subject.seedForeignApplication('squatted');
      // Act
      const attempt = directory.registerApplication(spec('squatted'));
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(ApplicationNameTakenError);
      await expect(directory.findApplicationByAppId(squatted.appId)).resolves.toMatchObject({ ours: false });
    });
  });

  describe('finding applications', () => {
    it('findOwnApplication finds the automation’s application by name, and neither a foreign one nor a missing one', async () => {
      // Prepare
      const own = await directory.registerApplication(spec('own'));
      subject.seedForeignApplication('foreign');
      // Act
      const found = await Promise.all(['own', 'foreign', 'missing'].map((name) => directory.findOwnApplication(name)));
      // Assess
      expect(found).toEqual([own.application, null, null]);
    });

    it('findOwnApplications lists the automation’s applications under the prefix only: not other prefixes, not foreign ones', async () => {
      // Prepare: two roles of one account, a role of another account, a squatter under the first prefix
      const a = await directory.registerApplication(spec('aws-111122223333-role-AROA1'));
      const b = await directory.registerApplication(spec('aws-111122223333-role-AROA2'));
      await directory.registerApplication(spec('aws-444455556666-role-AROA3'));
      subject.seedForeignApplication('aws-111122223333-role-AROA4');
      // Act
      const found = await directory.findOwnApplications('aws-111122223333-role-');
      // Assess
      expect(found.map((app) => app.uniqueName).sort()).toEqual([a.application.uniqueName, b.application.uniqueName]);
    });

    it('findApplicationByAppId finds any live application and says whether it is the automation’s', async () => {
      // Prepare
      const own = await directory.registerApplication(spec('mine'));
      const foreign = subject.seedForeignApplication('theirs');
      // Act
      const [ownFound, foreignFound, missing] = await Promise.all([
        directory.findApplicationByAppId(own.application.appId),
        directory.findApplicationByAppId(foreign.appId),
        directory.findApplicationByAppId(randomUUID()),
      ]);
      // Assess
      expect(ownFound).toEqual({ application: own.application, ours: true });
      expect(foreignFound).toMatchObject({ application: { appId: foreign.appId }, ours: false });
      expect(missing).toBeNull();
    });

    it('ownApplicationNamesWithPrefix lists the automation’s own live names under the prefix: not a stranger’s, not another account’s', async () => {
      // Prepare
      await directory.registerApplication(spec('aws-111122223333-x-AROA1'));
      subject.seedForeignApplication('aws-111122223333-y-AROA2');
      await directory.registerApplication(spec('aws-999999999999-x-AROA3'));
      // Act
      const names = await directory.ownApplicationNamesWithPrefix('aws-111122223333-');
      // Assess
      expect([...names]).toEqual(['aws-111122223333-x-AROA1']);
    });
  });

  describe('service principals', () => {
    it('ensureServicePrincipal creates the application’s service principal once and returns the same ID after', async () => {
      // Prepare
      const { application } = await directory.registerApplication(spec('with-sp'));
      // Act
      const first = await directory.ensureServicePrincipal(application.appId);
      const again = await directory.ensureServicePrincipal(application.appId);
      // Assess
      expect(again).toBe(first);
      await expect(directory.getServicePrincipal(first)).resolves.toMatchObject({ id: first, appId: application.appId });
    });

    it('getServicePrincipal finds an identity the automation did not make, with its type, and null for an unknown ID', async () => {
      // Prepare
      const identity = subject.seedManagedIdentity();
      // Act
      const [found, missing] = await Promise.all([directory.getServicePrincipal(identity.id), directory.getServicePrincipal(randomUUID())]);
      // Assess
      expect(found).toMatchObject({ id: identity.id, appId: identity.appId, servicePrincipalType: 'ManagedIdentity' });
      expect(missing).toBeNull();
    });

    it('getServicePrincipalByAppId finds the service principal of a client ID with no application (a managed identity), and of the automation’s own, and null for an unknown one', async () => {
      // Prepare
      const identity = subject.seedManagedIdentity();
      const { application } = await directory.registerApplication(spec('by-app-id'));
      const sp = await directory.ensureServicePrincipal(application.appId);
      // Act
      const [mi, own, missing] = await Promise.all([
        directory.getServicePrincipalByAppId(identity.appId),
        directory.getServicePrincipalByAppId(application.appId),
        directory.getServicePrincipalByAppId(randomUUID()),
      ]);
      // Assess
      expect(mi).toMatchObject({ id: identity.id, appId: identity.appId, servicePrincipalType: 'ManagedIdentity' });
      expect(own).toMatchObject({ id: sp, appId: application.appId });
      expect(missing).toBeNull();
    });
  });

  describe('deleteApplication', () => {
    it('removes the application so that no lookup finds it, and a second delete counts as done', async () => {
      // Prepare
      const { application } = await directory.registerApplication(spec('doomed'));
      await directory.ensureServicePrincipal(application.appId);
      // Act
      await directory.deleteApplication(application);
      await directory.deleteApplication(application);
      // Assess
      await expect(directory.findOwnApplication('doomed')).resolves.toBeNull();
      await expect(directory.findApplicationByAppId(application.appId)).resolves.toBeNull();
    });

    it('frees the unique name: registering it again creates a new application', async () => {
      // Prepare
      const first = await directory.registerApplication(spec('reborn'));
      await directory.deleteApplication(first.application);
      // Act
      const second = await directory.registerApplication(spec('reborn'));
      // Assess
      expect(second.created).toBe(true);
      expect(second.application.appId).not.toBe(first.application.appId);
    });
  });

  describe('owners and federated credentials', () => {
    it('addOwner adds a user once, says already-owner the second time, and not-found for a user the tenant does not have', async () => {
      // Prepare
      const { application } = await directory.registerApplication(spec('owned'));
      const user = subject.seedUser();
      // Act
      const outcomes = [
        await directory.addOwner(application.id, user),
        await directory.addOwner(application.id, user),
        await directory.addOwner(application.id, randomUUID()),
      ];
      // Assess
      expect(outcomes).toEqual(['added', 'already-owner', 'not-found']);
    });

    it('addFederatedCredential adds one, recognises the same one again, and reports a different one under the same name as a conflict', async () => {
      // Prepare
      const { application } = await directory.registerApplication(spec('federated'));
      const credential = {
        name: 'github-main',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:org/app:ref:refs/heads/main',
      };
      // Act
      const outcomes = [
        await directory.addFederatedCredential(application.id, credential),
        await directory.addFederatedCredential(application.id, credential),
        await directory.addFederatedCredential(application.id, { ...credential, subject: 'repo:org/other:ref:refs/heads/main' }),
      ];
      // Assess
      expect(outcomes).toEqual(['added', 'already-present', 'conflict']);
    });
  });
});
