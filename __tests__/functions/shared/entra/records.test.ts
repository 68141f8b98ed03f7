import { randomUUID } from 'node:crypto';
import { ApplicationNameTakenError } from '../../../../functions/shared/runtime';
import {
  CREATION_NONCE_MARK,
  GraphDirectory,
  applicationUniqueName,
  type AutomationRecord,
  type AutomationRecordStore,
} from '../../../../functions/shared/entra';
import { InMemoryAutomationRecords } from '../../../../simulation/fakes/automation-records';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbAutomationRecords } from '../../../../functions/shared/entra';

/**
 * A table behind aws-sdk-client-mock, as DynamoDB documents the requests the adapter sends: the
 * condition `attribute_not_exists`/`attribute_exists` on the key fails with
 * ConditionalCheckFailedException (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html),
 * `SET #n = :v` updates, a Scan's `begins_with` filter and its pages (one item each here, so paging runs).
 */
function mockedTable(): DynamoDbAutomationRecords {
  const items = new Map<string, Record<string, AttributeValue>>();
  const mock = mockClient(DynamoDBClient);
  const keyOf = (key: Record<string, AttributeValue> | undefined) => key?.uniqueName?.S ?? '';
  const failed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  mock.on(GetItemCommand).callsFake((input) => ({ Item: items.get(keyOf(input.Key)) }));
  mock.on(PutItemCommand).callsFake((input) => {
    const key = keyOf(input.Item);
    if (input.ConditionExpression === 'attribute_not_exists(#key)' && items.has(key)) throw failed();
    items.set(key, { ...input.Item });
    return {};
  });
  mock.on(UpdateItemCommand).callsFake((input) => {
    const key = keyOf(input.Key);
    const item = items.get(key);
    if (!item) throw failed();
    for (const [, name, value] of (input.UpdateExpression as string).matchAll(/(#\w+) = (:\w+)/g)) {
      item[input.ExpressionAttributeNames[name]] = input.ExpressionAttributeValues[value];
    }
    return {};
  });
  mock.on(ScanCommand).callsFake((input) => {
    const prefix = input.ExpressionAttributeValues?.[':prefix']?.S ?? '';
    const all = [...items.keys()].sort().filter((key) => key.startsWith(prefix));
    const start = input.ExclusiveStartKey ? all.indexOf(keyOf(input.ExclusiveStartKey)) + 1 : 0;
    const page = all.slice(start, start + 1);
    return {
      Items: page.map((key) => items.get(key)),
      ...(start + 1 < all.length ? { LastEvaluatedKey: { uniqueName: { S: page[0] } } } : {}),
    };
  });
  mock.on(DeleteItemCommand).callsFake((input) => {
    items.delete(keyOf(input.Key));
    return {};
  });
  return new DynamoDbAutomationRecords(new DynamoDBClient({ region: 'eu-central-1' }), 'web-identity-automation-records');
}
import { startGraphFake, type GraphFake } from '../../../../simulation/fakes/graph-fake';

/**
 * The automation's own record of its creations (functions/shared/entra/records.ts): the store's
 * contract, and the proof it gives the Graph client where `createdObjects` lists no application
 * (issue 20, reading 2), attacked by a tenant user who registers the role's name.
 */

const ACCOUNT = '111122223333';
const ROLE = 'deployer';
const ROLE_ID = 'AROADEPLOYER000000001';
const UNIQUE_NAME = applicationUniqueName(ACCOUNT, ROLE, ROLE_ID);
const SQUATTER = 'b4d0b4d0-0000-4000-8000-00000000b4d0';
const SPEC = {
  uniqueName: UNIQUE_NAME,
  displayName: `web-identity-${ACCOUNT}-${ROLE}`,
  notes: 'Managed by automation.',
  tokenVersion: 1 as const,
  role: { account: ACCOUNT, roleName: ROLE, roleId: ROLE_ID },
};

describe.each<[string, () => AutomationRecordStore]>([
  ['in memory (the simulator’s)', () => new InMemoryAutomationRecords()],
  ['DynamoDB (the deployed adapter, on aws-sdk-client-mock)', mockedTable],
])('the record store contract: %s', (_name, makeStore) => {
  const intent = (nonce: string) => ({
    uniqueName: UNIQUE_NAME,
    identity: randomUUID(),
    account: ACCOUNT,
    roleName: ROLE,
    roleId: ROLE_ID,
    nonce,
    at: '2025-01-01T00:00:00.000Z',
  });

  it('keeps the first intent of a name: a retry gets the earlier nonce back', async () => {
    // Prepare
    const store = makeStore();
    // Act
    const first = await store.putIntent(intent('first-nonce-0123456789'));
    const again = await store.putIntent(intent('second-nonce-0123456789'));
    // Assess
    expect(first).toMatchObject({ state: 'intent', nonce: 'first-nonce-0123456789' });
    expect(again).toEqual(first);
  });

  it('completes a record with the IDs, then with the service principal’s, and lists and removes by name', async () => {
    // Prepare
    const store = makeStore();
    await store.putIntent(intent('a-nonce-0123456789abc'));
    // Act
    await store.complete(UNIQUE_NAME, { appId: 'app', applicationId: 'object' });
    await store.complete(UNIQUE_NAME, { appId: 'app', applicationId: 'object', servicePrincipalId: 'sp' });
    const listed = await store.listWithPrefix(`aws-${ACCOUNT}-`);
    const elsewhere = await store.listWithPrefix('aws-999999999999-');
    await store.remove(UNIQUE_NAME);
    await store.remove(UNIQUE_NAME);
    // Assess
    expect(listed).toEqual([
      expect.objectContaining({ state: 'created', appId: 'app', applicationId: 'object', servicePrincipalId: 'sp' }),
    ]);
    expect(elsewhere).toEqual([]);
    await expect(store.get(UNIQUE_NAME)).resolves.toBeNull();
  });

  it('lists every record under a prefix, across pages, and none of another account', async () => {
    // Prepare
    const store = makeStore();
    const names = ['a', 'b', 'c'].map((role) => applicationUniqueName(ACCOUNT, role, ROLE_ID));
    for (const uniqueName of [...names, applicationUniqueName('999999999999', 'a', ROLE_ID)]) {
      await store.putIntent({ ...intent(`nonce-of-${uniqueName}`), uniqueName });
    }
    // Act
    const listed = await store.listWithPrefix(`aws-${ACCOUNT}-`);
    // Assess
    expect(listed.map((record) => record.uniqueName).sort()).toEqual([...names].sort());
  });
});

describe('the Graph client’s proof by record, where createdObjects lists no application', () => {
  let fake: GraphFake;
  let records: InMemoryAutomationRecords;
  let directory: GraphDirectory;
  beforeEach(async () => {
    fake = await startGraphFake();
    fake.state.readings.createdObjectsListApplications = false;
    fake.state.addUsers(SQUATTER);
    records = new InMemoryAutomationRecords();
    directory = new GraphDirectory({
      baseUrl: fake.baseUrl,
      automationServicePrincipalId: fake.state.automationServicePrincipalId,
      getToken: async () => 't',
      sleep: async () => undefined,
      records,
    });
  });
  afterEach(async () => {
    await fake.close();
  });

  /** An intent an earlier attempt wrote and never completed (it crashed before its create). */
  const staleIntent = (overrides: Partial<AutomationRecord> = {}): AutomationRecord => {
    const record: AutomationRecord = {
      uniqueName: UNIQUE_NAME,
      identity: fake.state.automationServicePrincipalId,
      account: ACCOUNT,
      roleName: ROLE,
      roleId: ROLE_ID,
      nonce: randomUUID(),
      state: 'intent',
      at: '2025-01-01T00:00:00.000Z',
      ...overrides,
    };
    records.seed(record);
    return record;
  };

  it('writes the intent before the create, its nonce in the notes, and completes it after', async () => {
    // Act
    const { application, created } = await directory.registerApplication(SPEC);
    const sp = await directory.ensureServicePrincipal(application.appId);
    // Assess
    const record = await records.get(UNIQUE_NAME);
    expect(created).toBe(true);
    expect(record).toMatchObject({ state: 'created', appId: application.appId, applicationId: application.id, servicePrincipalId: sp });
    expect(fake.state.liveApplication(application.id)?.notes).toBe(`Managed by automation. ${CREATION_NONCE_MARK}${record!.nonce}`);
  });

  it('a redelivered create finds its own application by the record, and Delete and the inventory too', async () => {
    // Prepare
    const { application } = await directory.registerApplication(SPEC);
    // Act
    const again = await directory.registerApplication(SPEC);
    const found = await directory.findOwnApplication(UNIQUE_NAME);
    const inventory = await directory.listOwnApplications();
    await directory.deleteApplication(application);
    // Assess
    expect(again).toEqual({ application, created: false });
    expect(found).toEqual(application);
    expect(inventory.map((app) => app.id)).toEqual([application.id]);
    await expect(records.get(UNIQUE_NAME)).resolves.toBeNull();
  });

  it('a crash between the create and the completion: the intent’s nonce in the notes proves the application, and the record is completed', async () => {
    // Prepare: the create happened, the completion did not
    const { application } = await directory.registerApplication(SPEC);
    records.seed({ ...(await records.get(UNIQUE_NAME))!, state: 'intent', appId: undefined, applicationId: undefined } as AutomationRecord);
    // Act
    const again = await directory.registerApplication(SPEC);
    // Assess
    expect(again).toEqual({ application, created: false });
    await expect(records.get(UNIQUE_NAME)).resolves.toMatchObject({ state: 'created', applicationId: application.id });
  });

  it.each([
    ['with the automation as co-owner', [SQUATTER, 'automation']],
    ['with the automation as its only owner', ['automation']],
  ])('a squatter’s application after a stale intent (%s) is never adopted: name-taken, untouched', async (_name, owners) => {
    // Prepare: an earlier attempt wrote its intent and crashed; then a tenant user registered the name
    staleIntent();
    const squatted = fake.state.seedApplication({
      uniqueName: UNIQUE_NAME,
      displayName: 'totally-legit',
      createdBy: SQUATTER,
      owners: owners.map((owner) => (owner === 'automation' ? fake.state.automationServicePrincipalId : owner)),
      createdDateTime: '2025-01-01T00:00:01.000Z',
    });
    // Act
    const outcome = directory.registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ApplicationNameTakenError);
    await expect(directory.findOwnApplication(UNIQUE_NAME)).resolves.toBeNull();
    expect(fake.state.liveApplication(squatted.id)).toMatchObject({ displayName: 'totally-legit', notes: null });
    await expect(records.get(UNIQUE_NAME)).resolves.toMatchObject({ state: 'intent' });
  });

  it('a squatter’s application whose notes carry a nonce of their own is not adopted', async () => {
    // Prepare
    staleIntent();
    const squatted = fake.state.seedApplication({ uniqueName: UNIQUE_NAME, displayName: 'x', createdBy: SQUATTER, owners: [SQUATTER] });
    squatted.notes = `Managed by automation. ${CREATION_NONCE_MARK}${randomUUID()}`;
    // Act / Assess
    await expect(directory.registerApplication(SPEC)).rejects.toBeInstanceOf(ApplicationNameTakenError);
  });

  it('where createdObjects lists the application, its record costs the inventory no request', async () => {
    // Prepare
    fake.state.readings.createdObjectsListApplications = true;
    await directory.registerApplication(SPEC);
    for (const key of Object.keys(fake.calls)) delete fake.calls[key];
    // Act
    const inventory = await directory.listOwnApplications();
    // Assess
    expect(inventory.map((app) => app.uniqueName)).toEqual([UNIQUE_NAME]);
    expect(Object.keys(fake.calls)).toEqual(['graph:GET /servicePrincipals/{id}/createdObjects/microsoft.graph.application']);
  });

  it.each<[string, (own: { id: string }) => Partial<AutomationRecord>]>([
    ['another automation identity wrote it', () => ({ identity: randomUUID() })],
    ['it names another role incarnation', () => ({ roleId: 'AROADEPLOYER000000002' })],
    ['it names another object', () => ({ state: 'created', applicationId: randomUUID() })],
  ])('a record proves nothing when %s', async (_name, overrides) => {
    // Prepare: the automation's own application, proven by nothing but a record that does not fit
    const { application } = await directory.registerApplication(SPEC);
    records.seed({ ...(await records.get(UNIQUE_NAME))!, ...overrides(application) } as AutomationRecord);
    // Act
    const found = await directory.findOwnApplication(UNIQUE_NAME);
    // Assess
    expect(found).toBeNull();
  });
});

describe('an intent’s nonce, once published in the notes, proves one application only', () => {
  let fake: GraphFake;
  afterEach(async () => {
    await fake.close();
  });

  it.each([
    ['createdObjects lists no application', false],
    ['createdObjects lists the application', true],
  ])(
    'a tenant user who read the nonce re-registers the name after a Delete that stopped before removing the record: refused (%s)',
    async (_reading, listsApplications) => {
      // Prepare: a create whose completion was lost (the record stays `intent`, the notes carry its nonce)
      fake = await startGraphFake();
      fake.state.readings.createdObjectsListApplications = listsApplications;
      fake.state.addUsers(SQUATTER);
      const records = new InMemoryAutomationRecords();
      let removeFails = true;
      const store: AutomationRecordStore = {
        get: (name) => records.get(name),
        putIntent: (intent) => records.putIntent(intent),
        complete: (name, ids) => records.complete(name, ids),
        listWithPrefix: (prefix) => records.listWithPrefix(prefix),
        // Delete crashes after its purge, before the record goes
        remove: async (name) => {
          if (removeFails) throw new Error('Lambda timed out');
          await records.remove(name);
        },
      };
      const directory = new GraphDirectory({
        baseUrl: fake.baseUrl,
        automationServicePrincipalId: fake.state.automationServicePrincipalId,
        getToken: async () => 't',
        sleep: async () => undefined,
        records: store,
      });
      const { application } = await directory.registerApplication(SPEC);
      records.seed({
        ...(await records.get(UNIQUE_NAME))!,
        state: 'intent',
        appId: undefined,
        applicationId: undefined,
      } as AutomationRecord);
      // Any member user can read an application's notes: member users "can also read all directory
      // information (with a few exceptions)" (https://learn.microsoft.com/entra/fundamentals/users-default-permissions).
      const published = fake.state.liveApplication(application.id)!.notes!;
      // The role's federation is removed: Delete finds the application by the nonce, deletes and purges it, then stops
      const found = await directory.findOwnApplication(UNIQUE_NAME);
      await expect(directory.deleteApplication(found!)).rejects.toThrow('Lambda timed out');
      removeFails = false;
      // The tenant user registers the freed name with the published nonce, the automation as co-owner
      const squatted = fake.state.seedApplication({
        uniqueName: UNIQUE_NAME,
        displayName: 'totally-legit',
        createdBy: SQUATTER,
        owners: [SQUATTER, fake.state.automationServicePrincipalId],
      });
      squatted.notes = published;
      // Act: the federation is tagged again, the same role incarnation asks for its application
      const outcome = directory.registerApplication(SPEC);
      // Assess
      await expect(outcome).rejects.toBeInstanceOf(ApplicationNameTakenError);
      await expect(directory.findOwnApplication(UNIQUE_NAME)).resolves.toBeNull();
      expect((await directory.listOwnApplications()).map((app) => app.id)).not.toContain(squatted.id);
    },
  );
});

describe('an intent’s nonce and a soft-deleted application of the automation', () => {
  let fake: GraphFake;
  afterEach(async () => {
    await fake.close();
  });

  it('a tenant user who registers the freed name with the published nonce between the purge and the re-create is refused on the retry', async () => {
    // Prepare: a create whose completion was lost; then an administrator soft-deleted the application
    fake = await startGraphFake();
    fake.state.readings.createdObjectsListApplications = false;
    fake.state.addUsers(SQUATTER);
    const records = new InMemoryAutomationRecords();
    let squatted: { id: string } | undefined;
    let published = '';
    const racing: typeof fetch = async (input, init) => {
      const answer = await fetch(input, init);
      // The tenant user, who read the nonce while the application was live, wins the race for the freed name
      if (init?.method === 'DELETE' && String(input).includes('/directory/deletedItems/') && !squatted) {
        squatted = fake.state.seedApplication({
          uniqueName: UNIQUE_NAME,
          displayName: 'totally-legit',
          createdBy: SQUATTER,
          owners: [SQUATTER, fake.state.automationServicePrincipalId],
        });
        (squatted as { notes?: string }).notes = published;
      }
      return answer;
    };
    const directory = new GraphDirectory({
      baseUrl: fake.baseUrl,
      automationServicePrincipalId: fake.state.automationServicePrincipalId,
      getToken: async () => 't',
      sleep: async () => undefined,
      records,
      fetch: racing,
    });
    const { application } = await directory.registerApplication(SPEC);
    records.seed({ ...(await records.get(UNIQUE_NAME))!, state: 'intent', appId: undefined, applicationId: undefined } as AutomationRecord);
    published = fake.state.liveApplication(application.id)!.notes!;
    fake.state.softDeleteApplication(fake.state.liveApplication(application.id)!);
    // The redelivered create recognises its soft-deleted application, purges it, and loses the race
    await expect(directory.registerApplication(SPEC)).rejects.toThrow();
    expect(fake.state.liveApplication(squatted!.id)).toBeDefined();
    // Act: the next attempt
    const outcome = directory.registerApplication(SPEC);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ApplicationNameTakenError);
    await expect(directory.findOwnApplication(UNIQUE_NAME)).resolves.toBeNull();
  });
});
