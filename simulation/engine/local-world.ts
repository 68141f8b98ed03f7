import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import {
  MEMBER_CAPABILITIES,
  memberRoleName,
  type MemberCapability,
  ROLE_LOCK_ATTRIBUTES,
  roleLockTableName,
} from '../../functions/shared/workflow';
import { GraphDirectory, AutomationIdentityPool } from '../../functions/shared/entra';
import { createOpenMemberAccount, type OpenMemberAccountLister } from '../../functions/shared/iam';
import type { Logger } from '../../functions/shared/runtime';
import { DynamoDbTable } from '../fakes/dynamodb-model';
import { identityToken, startGraphFake, type GraphFake } from '../fakes/graph-fake';
import { GraphFakeState, type GraphFakeStateOptions } from '../fakes/graph-state';
import { createIamModel, type IamModel } from '../fakes/iam-model';
import { createLocalPipeline, type LocalPipeline, type PipelineSettings } from './local-pipeline';
import type { VirtualScheduler } from './scheduler';
import { seededRandom, seededUuid } from '../fakes/seeded-random';
import { InMemoryAutomationRecords } from '../fakes/automation-records';

/**
 * Everything the pipeline talks to, in one process: the in-memory IAM model behind the
 * real SDK clients, the loopback Graph fake behind the real Graph client, and the local
 * pipeline. No sleeping anywhere: in-function retries get a no-op `sleep`, Step Functions
 * retries an interval override of 0, so fault storms cost no wall-clock time. Under load
 * (`load`), every remote call and every wait runs on the scheduler's virtual clock instead
 * (simulation/engine/scheduler.ts), and every random choice comes from the seed.
 */
export interface LocalWorld {
  readonly iam: IamModel;
  readonly graph: GraphFake;
  readonly pipeline: LocalPipeline;
  /** The real Graph clients on the fake, one per automation identity, as the functions get them. */
  readonly directory: AutomationIdentityPool;
  /** The first automation identity's Graph client: the sweep's view (functions/shared/entra/live-graph.ts liveInventory). */
  readonly inventory: GraphDirectory;
  /**
   * Each automation identity as the sweep counts its creator quota (live-graph.ts
   * liveIdentityCounters): the first is `inventory`, the others read with the first one's token.
   */
  readonly identityCounters: readonly GraphDirectory[];
  /** IAM in member accounts through the member role of a capability, as the functions get it. */
  readonly openAccountAs: (capability: MemberCapability) => OpenMemberAccountLister;
  /** The central account's role-lock table. */
  readonly lockTable: DynamoDbTable;
  /** The central account's record of the automation's creations (functions/shared/entra/records.ts). */
  readonly records: InMemoryAutomationRecords;
  /** The plan's identities as the functions' environment names them: the gateway's and the first automation identity's client IDs. */
  readonly platform: { readonly gatewayClientId: string; readonly automationClientId: string };
  /** Remote calls by key (`graph:…`, `iam:…`, `sts:…`), as the output prints them (docs/simulate.md#output-stdout-one-json-document). */
  calls(): Record<string, number>;
  /**
   * Another pipeline over the same IAM model and Graph fake, configured otherwise: the same
   * tenant and accounts after a redeploy (e.g. a migration between audience modes).
   */
  pipelineWith(overrides: Partial<PipelineSettings>): LocalPipeline;
  close(): Promise<void>;
}

export interface LocalWorldOptions {
  readonly definitions: { readonly create: object; readonly delete: object; readonly revoke?: object; readonly restore?: object };
  readonly settings: PipelineSettings;
  readonly logger: Logger;
  /** Seeds the IAM model's ids and fault storms. */
  readonly seed?: number;
  /** The tenant's fixed parts, e.g. the automation's own service principal and client ID. */
  readonly graphState?: GraphFakeStateOptions;
  readonly beforeTask?: Parameters<typeof createLocalPipeline>[0]['beforeTask'];
  /**
   * Round-trip time added to every IAM and STS call (the benchmark's critical-path
   * measure: wall time / latency ≈ sequential calls). Graph latency is the caller's
   * business: GraphDirectory uses the global `fetch`.
   */
  readonly remoteLatencyMs?: number;
  /** Concurrent executions on a virtual clock (`npm run simulate -- --concurrency N`). */
  readonly load?: LoadOptions;
}

export interface LoadOptions {
  readonly scheduler: VirtualScheduler;
  /** At most this many executions run at once. */
  readonly concurrency: number;
  /** The wall-clock time (ms since the epoch) virtual time 0 stands for: the router's clock reads from here. */
  readonly epochMs: number;
}

/** Statuses whose answer has no body (the Fetch standard's null body statuses). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * `fetch` on the virtual clock: the request travels, the Graph fake answers at once (the clock
 * stands still during the real loopback round trip), the answer travels back.
 */
function virtualFetch(scheduler: VirtualScheduler): typeof fetch {
  return async (input, init) => {
    await scheduler.travel('graph');
    const answer = await scheduler.io(async () => {
      const response = await fetch(input, init);
      return { status: response.status, statusText: response.statusText, headers: response.headers, body: await response.arrayBuffer() };
    });
    await scheduler.travel('graph');
    return new Response(NULL_BODY_STATUS.has(answer.status) ? null : answer.body, answer);
  };
}

/** A client whose `send` waits `latencyMs` first; the model's mock still sees this client as `this`. */
function withLatency<C extends { send: (...args: never[]) => Promise<unknown> }>(client: C, latencyMs: number | undefined): C {
  if (!latencyMs) return client;
  const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as { send: unknown }).send = async (...args: unknown[]) => {
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return send(...args);
  };
  return client;
}

const noSleep = async (): Promise<void> => undefined;

export async function startLocalWorld(options: LocalWorldOptions): Promise<LocalWorld> {
  const seed = options.seed ?? 1;
  const scheduler = options.load?.scheduler;
  const iam = createIamModel(seed, scheduler ? { timing: scheduler } : {});
  iam.install();
  let graph: GraphFake | undefined;
  try {
    const newId = scheduler ? { newId: seededUuid(seededRandom(seed ^ 0x1d5)) } : {};
    graph = await startGraphFake({ state: new GraphFakeState({ ...options.graphState, ...newId }) });
    return assembleLocalWorld(options, iam, graph);
  } catch (error) {
    // Whatever was started stops: a listening fake would keep the process (and jest) alive.
    iam.restore();
    await graph?.close();
    throw error;
  }
}

/** The world around a started IAM model and Graph fake (their owner closes them if this throws). */
function assembleLocalWorld(options: LocalWorldOptions, iam: IamModel, graph: GraphFake): LocalWorld {
  const scheduler = options.load?.scheduler;
  // Under load, waits are virtual and jitter comes from the seed; otherwise nothing waits.
  const waits = scheduler ? { sleep: scheduler.sleep, random: () => scheduler.next() } : { sleep: noSleep };
  // The plan's Entra objects: the gateway, and the automation identities after the first.
  const gateway = graph.state.seedGateway();
  for (let i = 1; i < options.settings.automationIdentities; i += 1) graph.state.addAutomationIdentity();
  const identities = graph.state.automationIdentities();
  const records = new InMemoryAutomationRecords();
  // Nonces from the seed, so runs (and the load test's replays) are reproducible; under load the intents' clock is the virtual one.
  const newNonce = seededUuid(seededRandom((options.seed ?? 1) ^ 0x2ec0));
  const now = options.load ? () => new Date(options.load!.epochMs + options.load!.scheduler.now()) : () => new Date();
  const members = identities.map(
    (identity, i) =>
      new GraphDirectory({
        baseUrl: graph.baseUrl,
        // The first identity's object ID is configured; the others' are read with their own token, as deployed.
        ...(i === 0 ? { automationServicePrincipalId: identity.servicePrincipalId } : { automationClientId: identity.appId }),
        getToken: async () => identityToken(identity.servicePrincipalId),
        records,
        newNonce,
        now,
        ...waits,
        ...(scheduler ? { fetch: virtualFetch(scheduler) } : {}),
      }),
  );
  const identityCounters = identities.map((identity, i) =>
    i === 0
      ? members[0]!
      : new GraphDirectory({
          baseUrl: graph.baseUrl,
          automationClientId: identity.appId,
          getToken: async () => identityToken(identities[0]!.servicePrincipalId),
          ...waits,
          ...(scheduler ? { fetch: virtualFetch(scheduler) } : {}),
        }),
  );
  const directory = new AutomationIdentityPool({
    members,
    usableObjectsPerIdentity: options.settings.identityObjectLimit,
    onIdentityFull: (index, used) =>
      options.logger.info('automation identity full; the next one takes over', { identity: index + 1, used }),
  });
  // One OpenMemberAccount per member role, as each deployed function has its own.
  const openAccounts = new Map(
    MEMBER_CAPABILITIES.map((capability) => [
      capability,
      createOpenMemberAccount({
        // aws-sdk-client-mock answers for it; the credentials are never used.
        sts: withLatency(
          new STSClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
          options.remoteLatencyMs,
        ),
        memberRoleName: memberRoleName(options.settings.automationRoleName, capability),
        region: 'us-east-1',
        ...waits,
        makeIamClient: (config) => withLatency(new IAMClient(config), options.remoteLatencyMs),
      }),
    ]),
  );
  // The synthesized definitions name the table by Terraform reference (`${aws_dynamodb_table.…role-locks….name}`).
  const lockTable = new DynamoDbTable(roleLockTableName(options.settings.namePrefix), ROLE_LOCK_ATTRIBUTES.key, {
    accepts: (name) => /^\$\{aws_dynamodb_table\.[\w-]*role-locks[\w-]*\.name\}$/.test(name),
  });
  const pipelineFor = (settings: PipelineSettings) =>
    createLocalPipeline({
      definitions: options.definitions,
      settings: {
        ...settings,
        gatewayClientId: gateway.appId,
        gatewayServicePrincipalId: graph.state.liveServicePrincipalByAppId(gateway.appId)!.id,
        automationServicePrincipalId: graph.state.automationServicePrincipalId,
        automationClientIds: identities.map((identity) => identity.appId),
      },
      openAccountAs: (capability) => openAccounts.get(capability)!,
      directory,
      logger: options.logger,
      lockTable,
      ...(options.beforeTask ? { beforeTask: options.beforeTask } : {}),
      ...(options.load
        ? {
            timing: options.load.scheduler,
            maxConcurrentExecutions: options.load.concurrency,
            now: () => options.load!.epochMs + options.load!.scheduler.now(),
          }
        : {}),
    });
  const pipeline = pipelineFor(options.settings);
  return {
    iam,
    graph,
    pipeline,
    pipelineWith: (overrides) => pipelineFor({ ...options.settings, ...overrides }),
    directory,
    inventory: members[0]!,
    identityCounters,
    openAccountAs: (capability) => openAccounts.get(capability)!,
    lockTable,
    records,
    platform: { gatewayClientId: gateway.appId.toLowerCase(), automationClientId: identities[0]!.appId },
    calls: () =>
      Object.fromEntries(
        Object.entries({ ...graph.calls, ...iam.calls, ...lockTable.calls })
          .filter(([, count]) => (count ?? 0) > 0)
          .sort(([a], [b]) => a.localeCompare(b)),
      ) as Record<string, number>,
    async close() {
      iam.restore();
      await graph.close();
    },
  };
}
