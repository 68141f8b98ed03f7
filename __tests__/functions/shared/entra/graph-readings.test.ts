import { randomUUID } from 'node:crypto';
import {
  AutomationIdentityPool,
  GraphDirectory,
  applicationNamePrefix,
  applicationUniqueName,
  type AutomationRecordStore,
  type EntraApplication,
} from '../../../../functions/shared/entra';
import { identityToken, startGraphFake, type GraphFake } from '../../../../simulation/fakes/graph-fake';
import { DEFAULT_READINGS, type GraphReadings } from '../../../../simulation/fakes/graph-state';
import { InMemoryAutomationRecords } from '../../../../simulation/fakes/automation-records';

/**
 * The Graph client's fallbacks for the open readings of issue 20 (docs/architecture.md#the-open-readings),
 * each run in a crowded tenant: the applications of several roles, of several accounts, of several
 * automation identities, and a tenant user's under the very prefix asked for. A fallback lists more
 * than it needs and narrows down here; each test fails if that narrowing goes. Every client keeps
 * the automation's records (records.ts), the proof under `createdObjectsListApplications: false`.
 */

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const SQUATTER = 'b4d0b4d0-0000-4000-8000-00000000b4d0';

let fake: GraphFake;
beforeEach(async () => {
  fake = await startGraphFake();
});
afterEach(async () => {
  await fake.close();
});

const noSleep = async () => undefined;

/** Each automation identity's own client, as live-graph.ts builds them (the first by object ID, the others by client ID). */
function members(records: AutomationRecordStore): GraphDirectory[] {
  while (fake.state.automationIdentities().length < 2) fake.state.addAutomationIdentity();
  return fake.state.automationIdentities().map(
    (identity, i) =>
      new GraphDirectory({
        baseUrl: fake.baseUrl,
        ...(i === 0 ? { automationServicePrincipalId: identity.servicePrincipalId } : { automationClientId: identity.appId }),
        getToken: async () => identityToken(identity.servicePrincipalId),
        sleep: noSleep,
        records,
      }),
  );
}

const spec = (account: string, role: string, roleId: string) => ({
  uniqueName: applicationUniqueName(account, role, roleId),
  displayName: `${account}-${role}`,
  notes: 'test',
  tokenVersion: 1 as const,
  role: { account, roleName: role, roleId },
});

/**
 * The first identity created two incarnations of `deployer` in ACCOUNT, `reader` in ACCOUNT and
 * `deployer` in OTHER_ACCOUNT; the second identity a third incarnation of `deployer` in ACCOUNT; a
 * tenant user registered a fourth name under `deployer`'s prefix.
 */
async function crowdedTenant() {
  const [first, second] = members(new InMemoryAutomationRecords()) as [GraphDirectory, GraphDirectory];
  const register = async (member: GraphDirectory, account: string, role: string, roleId: string) => {
    const { application } = await member.registerApplication(spec(account, role, roleId));
    await member.ensureServicePrincipal(application.appId);
    return application;
  };
  const deployer = [
    await register(first, ACCOUNT, 'deployer', 'AROADEPLOYER000000001'),
    await register(first, ACCOUNT, 'deployer', 'AROADEPLOYER000000002'),
  ];
  const reader = await register(first, ACCOUNT, 'reader', 'AROAREADER00000000001');
  const elsewhere = await register(first, OTHER_ACCOUNT, 'deployer', 'AROADEPLOYER000000009');
  const bySecond = await register(second, ACCOUNT, 'deployer', 'AROADEPLOYER000000003');
  const squatted = fake.state.seedApplication({
    uniqueName: applicationUniqueName(ACCOUNT, 'deployer', 'AROADEPLOYER000000004'),
    displayName: 'squatted',
    createdBy: SQUATTER,
    owners: [SQUATTER, fake.state.automationServicePrincipalId],
    servicePrincipalId: randomUUID(),
  });
  return { first, second, deployer, reader, elsewhere, bySecond, squatted };
}

const names = (apps: readonly EntraApplication[]) => apps.map((app) => app.uniqueName).sort();

const READINGS: [string, Partial<GraphReadings>][] = [
  ['the default readings', {}],
  ['createdObjectsCast rejected', { createdObjectsCast: 'rejected' }],
  ['filterOnUniqueName rejected', { filterOnUniqueName: 'rejected' }],
  ['deletedItemsFilterOnAppId rejected', { deletedItemsFilterOnAppId: 'rejected' }],
  ['createdObjectsListApplications false (the records prove)', { createdObjectsListApplications: false }],
  [
    'all four',
    {
      createdObjectsCast: 'rejected',
      createdObjectsListApplications: false,
      filterOnUniqueName: 'rejected',
      deletedItemsFilterOnAppId: 'rejected',
    },
  ],
];

describe.each(READINGS)('under %s', (_name, readings) => {
  beforeEach(() => {
    fake.state.readings = { ...DEFAULT_READINGS, ...readings };
  });

  it("findOwnApplications(role prefix) is the identity's own incarnations of that role in that account, nothing else", async () => {
    // Prepare
    const tenant = await crowdedTenant();
    // Act
    const found = await tenant.first.findOwnApplications(applicationNamePrefix(ACCOUNT, 'deployer'));
    // Assess
    expect(names(found)).toEqual(names(tenant.deployer));
  });

  it("findOwnApplications(account prefix) is the identity's own applications of that account, nothing else", async () => {
    // Prepare
    const tenant = await crowdedTenant();
    // Act
    const found = await tenant.first.findOwnApplications(`aws-${ACCOUNT}-`);
    // Assess
    expect(names(found)).toEqual(names([...tenant.deployer, tenant.reader]));
  });

  it('the pool finds every identity’s incarnations of the role, and no one else’s', async () => {
    // Prepare
    const tenant = await crowdedTenant();
    const pool = new AutomationIdentityPool({ members: [tenant.first, tenant.second], usableObjectsPerIdentity: Infinity });
    // Act
    const found = await pool.findOwnApplications(applicationNamePrefix(ACCOUNT, 'deployer'));
    // Assess
    expect(names(found)).toEqual(names([...tenant.deployer, tenant.bySecond]));
  });

  it('the inventory lists the identity’s own applications and service principals, not the other identity’s nor the squatter’s', async () => {
    // Prepare
    const tenant = await crowdedTenant();
    // Act
    const applications = await tenant.first.listOwnApplications();
    const servicePrincipals = await tenant.first.listOwnServicePrincipals();
    // Assess
    const own = [...tenant.deployer, tenant.reader, tenant.elsewhere];
    expect(applications.map((app) => app.uniqueName).sort()).toEqual(names(own));
    expect(servicePrincipals.map((sp) => sp.appId).sort()).toEqual(own.map((app) => app.appId).sort());
  });

  it('deleting one application purges its own service principal only: the other soft-deleted ones stay', async () => {
    // Prepare
    const tenant = await crowdedTenant();
    const [gone, kept] = tenant.deployer as [EntraApplication, EntraApplication];
    fake.state.softDeleteApplication(fake.state.liveApplication(kept.id)!);
    fake.state.softDeleteApplication(fake.state.liveApplication(tenant.squatted.id)!);
    // Act
    await tenant.first.deleteApplication(gone);
    // Assess
    const deleted = fake.state.listDeletedServicePrincipals().map((sp) => sp.appId);
    expect(deleted.sort()).toEqual([kept.appId, tenant.squatted.appId].sort());
    expect(fake.state.listDeletedApplications().map((app) => app.id)).not.toContain(gone.id);
  });
});
