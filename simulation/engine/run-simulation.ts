import { ROLE_TAGS, TASK_FUNCTION_NAMES, roleLockTableName } from '../../functions/shared/workflow';
import { applicationNamePrefix } from '../../functions/shared/entra';
import { describeIssues, type Logger } from '../../functions/shared/runtime';
import { identityObjectLimit, identityQuotaShare, parseConfig, type FederationConfig } from '../../stacks/config';
import { EXAMPLE_CONFIG } from '../../stacks/example-config';
import { expandShortEvent, shortEventSchema, type ShortFormSettings } from './short-events';
import { protectedRolePatterns } from '../../stacks/member-baseline-template';
import {
  createWorkflowDefinition,
  deleteWorkflowDefinition,
  restoreWorkflowDefinition,
  revokeWorkflowDefinition,
  type TaskFunctionArns,
} from '../../stacks/workflow-definitions';
import type { OperatorRequest, PipelineSettings } from './local-pipeline';
import { isApplication } from '../fakes/graph-state';
import { startLocalWorld, type LocalWorld } from './local-world';
import { runLocalSweep, type SweepOutput } from './local-sweep';
import { SimulationInputError, captureWorld, principalNamer, seedWorld, type World, type WorldDocument } from './world';
import type { SweepMode } from '../../functions/shared/sweep';
import { checkInvariants, failedRemovalsOf, type InvariantReport } from './invariants';
import { planLoad, playEventsUnderLoad, type LoadReport, type LoadSettings } from './load';
import { VirtualScheduler, type LatencyProfile } from './scheduler';
import type { IgnoredEvent } from './ignored-events';
import { eventsSchema, type SimulationEvent } from './events';

/**
 * `npm run simulate` (docs/simulate.md): a world and a list of EventBridge events in, the final
 * IAM and Entra state, the executions and the remote-call counts out. The file formats
 * are public: keep them stable and documented in docs/simulate.md.
 */

/** `npm run simulate`'s exit codes (docs/simulate.md#exit-codes). */
export const SIMULATE_EXIT = {
  /** The run completed; failed executions are data. */
  completed: 0,
  /** The simulator itself failed (a bug). */
  failed: 1,
  /** An input file or an option is unreadable or malformed. */
  badInput: 2,
  /** `--check`: an invariant does not hold after the run. */
  invariantViolated: 3,
} as const;

/**
 * An events file: full envelopes, or entries in the short form (`event`, `account`, `roleName`…),
 * expanded first (short-events.ts, docs/simulate.md#the-short-form). `settings` name the
 * automation for `by: "automation"` (default: the embedded example configuration's).
 */
export function parseEvents(raw: unknown, source = 'events', settings?: ShortFormSettings): SimulationEvent[] {
  const problems: string[] = [];
  const expanded = Array.isArray(raw)
    ? raw.map((entry: unknown, index) => {
        if (typeof entry !== 'object' || entry === null || !('event' in entry)) return entry;
        const short = shortEventSchema.safeParse(entry);
        if (short.success) {
          return expandShortEvent(
            short.data,
            index,
            settings ?? { automationRoleName: parseConfig(EXAMPLE_CONFIG).aws.automationRoleName },
          );
        }
        problems.push(
          ...describeIssues(short.error)
            .split('; ')
            .map((problem) => `[${index}].${problem}`),
        );
        return entry;
      })
    : raw;
  if (problems.length > 0) throw new SimulationInputError(`${source}: ${problems.join('; ')}`);
  const result = eventsSchema.safeParse(expanded);
  if (!result.success) {
    throw new SimulationInputError(`${source}: ${describeIssues(result.error).replace(/(^|; )(\d+)\./g, '$1[$2].')}`);
  }
  return result.data;
}

export function pipelineSettings(config: FederationConfig): PipelineSettings {
  return {
    namePrefix: config.namePrefix,
    tenantId: config.entra.tenantId.toLowerCase(),
    tokenVersion: config.entra.tokenVersion,
    automationRoleName: config.aws.automationRoleName,
    protectedRoles: protectedRolePatterns(config),
    appNamePrefix: config.namePrefix,
    trustPolicyMaxChars: config.trustPolicyMaxChars,
    audienceMode: config.entra.audienceMode,
    dualAudience: config.entra.dualAudience,
    maxApplicationsPerAccount: config.entra.maxApplicationsPerAccount ?? 0,
    automationIdentities: config.entra.automationIdentities,
    identityObjectLimit: identityObjectLimit(config.entra),
    identityQuotaShare: identityQuotaShare(config.entra),
  };
}

/** The stack renders these same definitions with the functions' ARNs and the lock table's name. */
export function localDefinitions(namePrefix = 'web-identity'): { create: object; delete: object; revoke: object; restore: object } {
  const arns = Object.fromEntries(
    TASK_FUNCTION_NAMES.map((name) => [name, `arn:aws:lambda:us-east-1:000000000000:function:${name}`]),
  ) as TaskFunctionArns;
  const lock = { tableName: roleLockTableName(namePrefix) };
  return {
    create: createWorkflowDefinition(arns, lock),
    delete: deleteWorkflowDefinition(arns, lock),
    revoke: revokeWorkflowDefinition(arns),
    restore: restoreWorkflowDefinition(arns),
  };
}

/**
 * The output: a world file (`WorldDocument`: `accounts`, `entra`, `faults`, and any other world
 * field, as `captureWorld` writes them) followed by what describes the run (`RUN_KEYS`, which a
 * world loader ignores): docs/simulate.md#an-output-is-a-world.
 */
export type SimulationOutput = WorldDocument & RunReport;

export interface RunReport {
  iam: Record<string, unknown>;
  executions: { stateMachine: string; name: string; status: string; states: string[] }[];
  /** Delivered events that started nothing, and why (docs/simulate.md#ignored-events). */
  ignoredEvents: IgnoredEvent[];
  calls: Record<string, number>;
  summary: SimulationSummary;
  /** With `--sweep`: what the sweep found and did (docs/simulate.md#the-sweep-section). */
  sweep?: SweepOutput;
  /** Under load only (`--concurrency`, `--duplicates`, `--reorder`): how the run went. */
  load?: LoadReport;
  /** What must hold after any run (simulation/engine/invariants.ts). */
  invariants: InvariantReport;
}

/** The run at a glance (docs/simulate.md#summary), computed from the final state above. */
export interface SimulationSummary {
  /** Roles that trust the tenant's provider, by `entra:federation-status` (`none`: never tagged) and by `entra:identity-mode`. */
  federatedRoles: { total: number; byStatus: Record<string, number>; byIdentityMode: Record<string, number> };
  /** The most client IDs any one provider holds (IAM allows 100), and the number of providers. */
  providers: { count: number; maxClientIds: number };
  /**
   * Live directory objects the automation's identities created, in all and per identity
   * (`automation`, `automation-2`…), and how many of them belong to roles that bring their own identity (none should).
   */
  entraObjectsCreated: { total: number; byIdentity: Record<string, number>; forBroughtIdentities: number };
}

/**
 * What one event's IAM call does to the world: nothing when it failed (`errorCode`), was seen
 * before (a redelivery) or is a forgery (another account put it on the bus); otherwise the call
 * is applied. Shared by the sequential and the concurrent players.
 */
export function callApplier(world: Pick<LocalWorld, 'iam'>, logger: Logger): (event: SimulationEvent, index: number) => void {
  const seen = new Set<string>();
  return (event, index) => {
    const { detail } = event;
    // The call happened in the sender's account, as the router reads it (the envelope's `account`).
    const accountId = event.account;
    if (detail.recipientAccountId !== undefined && detail.recipientAccountId !== accountId) {
      // A real IAM event names the account it was recorded in; this one was put on the bus by
      // another account (a forgery): no IAM call happened, and the router must ignore it.
      logger.info('forged event: detail.recipientAccountId is not the sending account; no IAM call is applied', {
        index,
        eventId: detail.eventID,
        account: accountId,
        recipientAccountId: detail.recipientAccountId,
      });
    } else if (seen.has(detail.eventID)) {
      logger.info('redelivery: the call is not applied again', { index, eventId: detail.eventID });
    } else if (detail.errorCode) {
      logger.info('the recorded call failed: nothing changed in IAM', { index, eventId: detail.eventID });
    } else {
      try {
        world.iam.applyCloudTrailCall(accountId, detail.eventName, detail.requestParameters, detail.responseElements?.role?.roleId);
      } catch (error) {
        throw new SimulationInputError(`events: [${index}] (eventID ${detail.eventID}): ${(error as Error).message}`);
      }
    }
    seen.add(detail.eventID);
  };
}

/**
 * Applies each event's IAM call (unless it failed or was seen before: a redelivery), then
 * delivers it to the router and runs every execution it started to completion.
 */
export async function playEvents(world: LocalWorld, events: readonly SimulationEvent[], logger: Logger): Promise<void> {
  const apply = callApplier(world, logger);
  for (const [index, event] of events.entries()) {
    apply(event, index);
    const response = await world.pipeline.deliver([event]);
    if (response.batchItemFailures.length > 0) {
      logger.warn('the router failed the message (it would go to the DLQ)', { index, eventId: event.detail.eventID });
    }
    await world.pipeline.drain();
  }
}

interface RoleView {
  readonly roleName: string;
  readonly roleId: string;
  readonly assumeRolePolicyDocument: unknown;
  readonly tags: Readonly<Record<string, string>>;
}

export function simulationSummary(world: LocalWorld, iam: ReturnType<LocalWorld['iam']['snapshot']>): SimulationSummary {
  const { state } = world.graph;
  const byStatus: Record<string, number> = {};
  const byIdentityMode: Record<string, number> = {};
  const broughtPrefixes: string[] = [];
  let total = 0;
  let providers = 0;
  let maxClientIds = 0;
  for (const [accountId, account] of Object.entries(iam)) {
    for (const provider of account.oidcProviders) {
      providers += 1;
      maxClientIds = Math.max(maxClientIds, provider.clientIds.length);
    }
    const arns = account.oidcProviders.map((provider) => provider.arn);
    for (const role of account.roles as readonly RoleView[]) {
      if (!arns.some((arn) => JSON.stringify(role.assumeRolePolicyDocument).includes(arn))) continue;
      total += 1;
      const status = role.tags[ROLE_TAGS.status] ?? 'none';
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      const mode = role.tags[ROLE_TAGS.identityMode];
      if (mode) byIdentityMode[mode] = (byIdentityMode[mode] ?? 0) + 1;
      if (mode === 'bring-your-own') broughtPrefixes.push(applicationNamePrefix(accountId, role.roleName));
    }
  }
  const name = principalNamer(state);
  const byIdentity: Record<string, number> = {};
  let forBroughtIdentities = 0;
  const brought = new Set(broughtPrefixes);
  for (const identity of state.automationIdentities()) {
    const created = state.createdBy(identity.servicePrincipalId);
    byIdentity[name(identity.servicePrincipalId)!] = created.length;
    for (const item of created) {
      const app = isApplication(item) ? item : state.liveApplicationByAppId(item.appId);
      const prefix = /^aws-\d{12}-[0-9a-f]{16}-/.exec(app?.uniqueName ?? '')?.[0];
      if (prefix && brought.has(prefix)) forBroughtIdentities += 1;
    }
  }
  return {
    federatedRoles: { total, byStatus, byIdentityMode },
    providers: { count: providers, maxClientIds },
    entraObjectsCreated: { total: Object.values(byIdentity).reduce((a, b) => a + b, 0), byIdentity, forBroughtIdentities },
  };
}

export function simulationOutput(
  world: LocalWorld,
  settings: Pick<PipelineSettings, 'tenantId' | 'tokenVersion'>,
  load?: LoadReport,
): SimulationOutput {
  const iam = world.iam.snapshot();
  // The removals that failed in this run or in the runs before it (a world written by one carries them).
  const captured = captureWorld(world, failedRemovalsOf(world.pipeline.executions));
  const invariants = checkInvariants({ iam, entra: captured.entra }, settings, { failedRemovals: new Set(captured.failedRemovals) });
  return {
    ...captured,
    iam,
    executions: world.pipeline.executions.map((execution) => ({
      stateMachine: execution.stateMachine,
      name: execution.name,
      status: execution.status,
      states: [...execution.states],
    })),
    ignoredEvents: world.pipeline.ignoredEvents(),
    calls: world.calls(),
    summary: simulationSummary(world, iam),
    ...(load ? { load } : {}),
    invariants,
  };
}

export interface SimulationInput {
  readonly world: World;
  readonly events: readonly SimulationEvent[];
  readonly config: FederationConfig;
  readonly logger: Logger;
  readonly definitions?: { readonly create: object; readonly delete: object; readonly revoke?: object; readonly restore?: object };
  /**
   * `--revoke` / `--restore`: an operator's revocation, then restore, of one role, after the events
   * and before the sweep (docs/simulate.md#revoking-a-role).
   */
  readonly operations?: { readonly revoke?: OperatorRequest; readonly restore?: OperatorRequest };
  /** `--sweep`: a sweep in this mode runs after the events. */
  readonly sweep?: { readonly mode: SweepMode; readonly deletionCap?: number; readonly onReportHtml?: (html: string) => void };
  /** Seeds generated role IDs and, under load, every random choice (default 1). */
  readonly seed?: number;
  /** Concurrent executions on a virtual clock; absent, one event at a time, each run to completion. */
  readonly load?: Omit<LoadSettings, 'seed'>;
  /** Latency ranges of the virtual clock (simulation/engine/scheduler.ts `DEFAULT_LATENCIES`). */
  readonly latencies?: LatencyProfile;
}

/** The execution name the simulator gives its sweep: the Create executions it starts are named from it. */
export const SIMULATED_SWEEP_EXECUTION = 'simulate-sweep';

export async function runSimulation(input: SimulationInput): Promise<SimulationOutput> {
  const seed = input.seed ?? 1;
  const settings = pipelineSettings(input.config);
  const load = input.load ? { ...input.load, seed } : undefined;
  const plan = load ? planLoad(input.events, load) : undefined;
  const scheduler = load ? new VirtualScheduler(seed, input.latencies) : undefined;
  const world = await startLocalWorld({
    definitions: input.definitions ?? localDefinitions(input.config.namePrefix),
    settings,
    logger: input.logger,
    seed,
    ...(load && plan && scheduler ? { load: { scheduler, concurrency: load.concurrency, epochMs: plan.epochMs } } : {}),
  });
  try {
    seedWorld(world, input.world);
    if (load && plan && scheduler) {
      const report = await playEventsUnderLoad(world, input.events, plan, scheduler, load, callApplier(world, input.logger), input.logger);
      return simulationOutput(world, settings, report);
    }
    await playEvents(world, input.events, input.logger);
    if (input.operations?.revoke) await world.pipeline.operate('revoke', input.operations.revoke);
    if (input.operations?.restore) await world.pipeline.operate('restore', input.operations.restore);
    if (!input.sweep) return simulationOutput(world, settings);
    const sweep = await runLocalSweep(world, {
      ...input.sweep,
      executionName: SIMULATED_SWEEP_EXECUTION,
      settings: {
        ...pipelineSettings(input.config),
        deletionCap: input.config.sweep.deletionCap,
        entraObjectQuota: input.config.sweep.entraObjectQuota,
      },
      logger: input.logger,
    });
    return { ...simulationOutput(world, settings), sweep };
  } finally {
    await world.close();
  }
}
