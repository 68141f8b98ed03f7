import { randomUUID } from 'node:crypto';
import {
  GraphDirectory,
  applicationNamePrefix,
  applicationUniqueName,
  odataString,
  type ApplicationSpec,
  type AutomationRecordStore,
} from '../../../functions/shared/entra';
import { startGraphFake, type GraphFake, type GraphFakeOptions } from '../../../simulation/fakes/graph-fake';
import { InMemoryAutomationRecords } from '../../../simulation/fakes/automation-records';
import type { GraphExchange } from './graph-contract';

/**
 * Every request the Graph client sends and every answer the Graph fake gives, recorded over a set
 * of scenarios that together run every method of `GraphDirectory` (functions/shared/entra/graph-client.ts)
 * and reach every route of the fake (simulation/fakes/graph-routes.ts): the material of the
 * contract check (__tests__/contracts/graph-contract.test.ts).
 */

const ACCOUNT = '111122223333';
const USER = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const SQUATTER = 'b4d0b4d0-0000-4000-8000-00000000b4d0';

const spec = (role: string, roleId: string): ApplicationSpec => ({
  uniqueName: applicationUniqueName(ACCOUNT, role, roleId),
  displayName: `web-identity-${ACCOUNT}-${role}`,
  notes: `Web identity federation for IAM role arn:aws:iam::${ACCOUNT}:role/${role} (role ID ${roleId}). Managed by automation.`,
  tokenVersion: 2,
});

export interface Recording {
  readonly exchanges: GraphExchange[];
  /** Requests per call key, over every fake of the scenarios. */
  readonly calls: Record<string, number>;
  /** Methods of GraphDirectory.prototype that ran. */
  readonly methods: Set<string>;
}

/** A `fetch` that hands every exchange to `log` and the answer, unchanged, to the caller. */
function recordingFetch(log: GraphExchange[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const text = await response.text();
    log.push({
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      requestBody: init?.body === undefined || init.body === null ? undefined : JSON.parse(String(init.body)),
      status: response.status,
      responseBody: text === '' ? undefined : JSON.parse(text),
    });
    return new Response(text === '' ? null : text, { status: response.status, headers: response.headers });
  };
}

async function withFake(
  recording: Recording,
  options: GraphFakeOptions,
  scenario: (
    fake: GraphFake,
    directory: GraphDirectory,
    raw: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>,
    /** The same client with the automation's record store (records.ts). */
    withRecords: (records: AutomationRecordStore) => GraphDirectory,
  ) => Promise<void>,
): Promise<void> {
  const fake = await startGraphFake(options);
  const fetchAndRecord = recordingFetch(recording.exchanges);
  const client = (records?: AutomationRecordStore) =>
    new GraphDirectory({
      baseUrl: fake.baseUrl,
      automationServicePrincipalId: fake.state.automationServicePrincipalId,
      getToken: async () => 'contract-token',
      sleep: async () => {},
      random: () => 0.5,
      fetch: fetchAndRecord,
      ...(records ? { records } : {}),
    });
  const directory = client();
  const raw = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetchAndRecord(`${fake.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: 'Bearer contract-token',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  try {
    await scenario(fake, directory, raw, client);
  } finally {
    for (const [key, count] of Object.entries(fake.calls)) recording.calls[key] = (recording.calls[key] ?? 0) + count;
    await fake.close();
  }
}

/** Runs `fn`, keeping the error it may throw out of the way: a refusal is an answer the check reads too. */
async function settle(fn: () => Promise<unknown>): Promise<void> {
  await fn().catch(() => undefined);
}

export async function recordGraphScenarios(): Promise<Recording> {
  const recording: Recording = { exchanges: [], calls: {}, methods: new Set() };
  const methods = Object.getOwnPropertyNames(GraphDirectory.prototype).filter((name) => name !== 'constructor');
  const spies = methods.map((name) => {
    const original = (GraphDirectory.prototype as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      recording.methods.add(name);
      return original.apply(this, args);
    };
    Object.defineProperty(GraphDirectory.prototype, name, { value: wrapped, configurable: true, writable: true });
    return () => Object.defineProperty(GraphDirectory.prototype, name, { value: original, configurable: true, writable: true });
  });
  try {
    // The life of one role's identity, and what the sweep reads.
    await withFake(recording, {}, async (fake, directory, raw) => {
      fake.state.addUsers(USER);
      const fromClientId = new GraphDirectory({
        baseUrl: fake.baseUrl,
        automationClientId: fake.state.automationAppId,
        getToken: async () => 'contract-token',
        fetch: recordingFetch(recording.exchanges),
      });
      await fromClientId.ownServicePrincipalId();

      const role = spec('ci-deployer', 'AROAEXAMPLEROLEID0001');
      const { application } = await directory.registerApplication(role);
      await directory.registerApplication(role); // a retry: the conflict, read back, proven ours
      const servicePrincipalId = await directory.ensureServicePrincipal(application.appId);
      await directory.ensureServicePrincipal(application.appId); // a retry: 409, read by appId
      await directory.addOwner(application.id, USER);
      await directory.addOwner(application.id, USER); // already an owner
      await directory.addOwner(application.id, randomUUID()); // no such user
      const credential = {
        name: 'github-main',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 'repo:org/app:ref:refs/heads/main',
      };
      await directory.addFederatedCredential(application.id, credential);
      await directory.addFederatedCredential(application.id, credential); // a retry: read back by name
      await directory.findOwnApplication(role.uniqueName);
      await directory.findOwnApplications(applicationNamePrefix(ACCOUNT, 'ci-deployer'));
      await directory.findApplicationByAppId(application.appId);
      await directory.readApplication({ uniqueName: role.uniqueName });
      await directory.readApplication({ appId: application.appId });
      await directory.ownApplicationNamesWithPrefix(applicationNamePrefix(ACCOUNT, 'ci-deployer'));
      await directory.getServicePrincipal(servicePrincipalId);
      await directory.getServicePrincipalByAppId(application.appId);
      await directory.setServicePrincipalEnabled(servicePrincipalId, false);
      await directory.setServicePrincipalEnabled(servicePrincipalId, true);
      // A managed identity is not the automation's: the PATCH is refused (403), reported, never thrown.
      const managed = fake.state.seedServicePrincipal({ id: randomUUID(), appId: randomUUID(), servicePrincipalType: 'ManagedIdentity' });
      await directory.setServicePrincipalEnabled(managed.id, false);
      await directory.ownerIds(application.id);
      await directory.ownsApplication(application.id);
      await directory.listOwnApplications();
      await directory.listOwnServicePrincipals();
      await directory.createdObjectCount();
      await directory.isOwnObject(application.id);

      // A squatted name: someone else's application is read, never written.
      const squatted = spec('squatted', 'AROAEXAMPLEROLEID0002');
      fake.state.seedApplication({
        uniqueName: squatted.uniqueName,
        displayName: squatted.displayName,
        createdBy: SQUATTER,
        owners: [SQUATTER],
      });
      await settle(() => directory.registerApplication(squatted));

      // A name held by the automation's own soft-deleted application: purged, then created again
      // (in the reading where createdObjects lists soft-deleted objects too, docs/simulate.md).
      fake.state.createdObjectsIncludeDeleted = true;
      const recreated = spec('recreated', 'AROAEXAMPLEROLEID0003');
      fake.state.seedApplication({
        uniqueName: recreated.uniqueName,
        displayName: recreated.displayName,
        servicePrincipalId: randomUUID(),
        deleted: true,
      });
      await directory.registerApplication(recreated);
      fake.state.createdObjectsIncludeDeleted = false;

      await directory.deleteApplication(application);
      await directory.listDeletedItems('application');
      await directory.listDeletedItems('servicePrincipal');
      const orphan = fake.state.seedApplication({
        uniqueName: spec('orphan', 'AROAEXAMPLEROLEID0004').uniqueName,
        displayName: 'orphan',
        deleted: true,
      });
      await directory.purgeDeletedItem(orphan.id);
      await directory.purgeDeletedItem(orphan.id); // gone already: 404, then read to be sure

      // Routes the fake answers that the client does not call today (the fake's answers are checked too).
      const live = await directory.registerApplication(spec('fake-only', 'AROAEXAMPLEROLEID0005'));
      await raw('GET', `/applications/${live.application.id}`);
      await raw('GET', `/applications/${live.application.id}/owners`);
      await raw('GET', `/applications?$filter=${encodeURIComponent('displayName eq ')}${odataString('orphan')}`);
      const upserted = spec('upserted', 'AROAEXAMPLEROLEID0006');
      await raw(
        'PATCH',
        `/applications(uniqueName=${odataString(upserted.uniqueName)})`,
        { displayName: upserted.displayName },
        { Prefer: 'create-if-missing' },
      );
      await raw('PATCH', `/applications(uniqueName=${odataString(upserted.uniqueName)})`, { notes: 'updated' });
    });

    // The fallbacks: a tenant that refuses `startswith` on uniqueName and the single-object form of createdObjects.
    await withFake(recording, {}, async (fake, directory) => {
      fake.faults.add({ call: 'graph:GET /applications', answer: { status: 400, code: 'Request_UnsupportedQuery' }, times: 0, skip: 0 });
      fake.faults.add({
        call: 'graph:GET /servicePrincipals/{id}/createdObjects/{objectId}',
        answer: { status: 400, code: 'Request_BadRequest' },
        times: 0,
        skip: 0,
      });
      const role = spec('fallback', 'AROAEXAMPLEROLEID0007');
      const { application } = await directory.registerApplication(role);
      await directory.findOwnApplications(applicationNamePrefix(ACCOUNT, 'fallback'));
      await directory.applicationsWithPrefix(applicationNamePrefix(ACCOUNT, 'fallback'));
      await directory.isCreatedByAutomation(application.id);
    });

    // A tenant that refuses `$filter` under deletedItems: the deleted application is found by listing.
    await withFake(recording, { deletedItemsFilter: false }, async (fake, directory) => {
      fake.state.createdObjectsIncludeDeleted = true;
      const role = spec('deleted-fallback', 'AROAEXAMPLEROLEID0008');
      fake.state.seedApplication({
        uniqueName: role.uniqueName,
        displayName: role.displayName,
        servicePrincipalId: randomUUID(),
        deleted: true,
      });
      await settle(() => directory.registerApplication(role));
    });

    // The automation's own record of its creations (records.ts), under the reading where createdObjects
    // lists no application: the intent's nonce in the notes, the record's completion, the proofs by record.
    const records = new InMemoryAutomationRecords();
    await withFake(recording, {}, async (fake, _directory, _raw, withRecords) => {
      fake.state.readings = { ...fake.state.readings, createdObjectsListApplications: false };
      const directory = withRecords(records);
      const roleSpec = {
        ...spec('recorded', 'AROAEXAMPLEROLEID0011'),
        role: { account: ACCOUNT, roleName: 'recorded', roleId: 'AROAEXAMPLEROLEID0011' },
      };
      const { application } = await directory.registerApplication(roleSpec);
      await directory.ensureServicePrincipal(application.appId);
      // The record lost its completion (a crash after the create): the intent's nonce in the notes proves it.
      records.seed({ ...(await records.get(roleSpec.uniqueName))!, state: 'intent' });
      await directory.registerApplication(roleSpec);
      await directory.findOwnApplications(applicationNamePrefix(ACCOUNT, 'recorded'));
      await directory.listOwnApplications();
      await directory.isOwnObject(application.id);
      await directory.deleteApplication(application);
      // A soft-deleted application of an intent still open: its notes are read from deletedItems.
      const again = await directory.registerApplication(roleSpec);
      records.seed({ ...(await records.get(roleSpec.uniqueName))!, state: 'intent', appId: undefined, applicationId: undefined });
      fake.state.softDeleteApplication(fake.state.liveApplication(again.application.id)!);
      await directory.registerApplication(roleSpec);
    });

    // The open readings (issue 20), all rejected at once: each fallback's requests are held against the schema too.
    await withFake(recording, {}, async (fake, directory) => {
      fake.state.readings = {
        createdObjectsCast: 'rejected',
        createdObjectsListApplications: true,
        filterOnUniqueName: 'rejected',
        deletedItemsFilterOnAppId: 'rejected',
      };
      fake.state.createdObjectsIncludeDeleted = true;
      const role = spec('readings', 'AROAEXAMPLEROLEID0009');
      const { application } = await directory.registerApplication(role);
      await directory.ensureServicePrincipal(application.appId);
      await directory.findOwnApplications(applicationNamePrefix(ACCOUNT, 'readings'));
      await directory.listOwnApplications();
      await directory.listOwnServicePrincipals();
      await directory.deleteApplication(application);
      const recreated = spec('readings-deleted', 'AROAEXAMPLEROLEID0010');
      fake.state.seedApplication({
        uniqueName: recreated.uniqueName,
        displayName: recreated.displayName,
        servicePrincipalId: randomUUID(),
        deleted: true,
      });
      await directory.registerApplication(recreated);
    });
  } finally {
    for (const restore of spies) restore();
  }
  return recording;
}
