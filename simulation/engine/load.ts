import type { Logger } from '../../functions/shared/runtime';
import { LOCK_HELD_ERROR } from '../../functions/shared/workflow';
import { ROUTER_EVENT_SOURCE } from '../../stacks/router-event-source';
import type { LocalWorld } from './local-world';
import type { SimulationEvent } from './events';
import type { VirtualScheduler } from './scheduler';
import { seededRandom } from '../fakes/seeded-random';
import { SimulationInputError } from './world';

/**
 * `npm run simulate -- --concurrency N [--seed S] [--duplicates P] [--reorder W]`
 * (docs/simulate.md#under-load): the events as production receives them. Each IAM call happens
 * at its own time (the CloudTrail `eventTime`); its event reaches the queue after a delivery
 * delay; the router reads the queue in batches as its event source does (up to 10 messages,
 * gathered for up to 1 s: `ROUTER_EVENT_SOURCE`); every execution runs concurrently with the
 * others, up to N at once, on the scheduler's virtual clock. Every random choice (delays,
 * duplicates, the order of simultaneous calls) comes from the seed.
 *
 * EventBridge delivers "at least once" and does not promise order
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-troubleshooting.html); SQS
 * standard queues deliver at least once and best-effort ordered
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html).
 * `--duplicates` and `--reorder` ask for both.
 */

export interface LoadSettings {
  /** At most this many executions at once (≥ 1). */
  readonly concurrency: number;
  readonly seed: number;
  /** Chance in [0, 1] that an event is delivered once more, at a random later time. */
  readonly duplicates: number;
  /** Each delivery is delayed by up to this many seconds, so events this close may arrive out of order. */
  readonly reorderSeconds: number;
}

export interface Delivery {
  /** The event's index in the events file. */
  readonly index: number;
  /** Virtual milliseconds. */
  readonly at: number;
  readonly duplicate: boolean;
}

export interface LoadPlan {
  /** The wall-clock time virtual time 0 stands for: the first call's time. */
  readonly epochMs: number;
  /** When each event's IAM call happened, in virtual milliseconds. */
  readonly callAt: readonly number[];
  /** Every delivery, in the order they reach the queue. */
  readonly deliveries: readonly Delivery[];
}

export interface LoadReport {
  readonly seed: number;
  readonly concurrency: number;
  readonly duplicates: number;
  readonly reorderSeconds: number;
  /** Virtual seconds from the first IAM call until the last execution ended. */
  readonly virtualSeconds: number;
  readonly deliveries: {
    readonly events: number;
    /** Deliveries of an event already delivered (the file's own redeliveries and `--duplicates`). */
    readonly redeliveries: number;
    /** Deliveries that arrived after an event whose call happened later. */
    readonly outOfOrder: number;
    readonly batches: number;
  };
  readonly executions: { readonly started: number; readonly maxInFlight: number; readonly byStatus: Record<string, number> };
  readonly retries: {
    /** IAM answers `ConcurrentModification` (each one retried, in the function or by Step Functions). */
    readonly concurrentModification: number;
    /** IAM `Throttling` and Graph 429 answers. */
    readonly throttled: number;
    /** An execution found its role's lock held and waited its turn. */
    readonly lockWaits: number;
    /** Step Functions retries, by the error that caused them. */
    readonly stepFunctions: Record<string, number>;
  };
  /**
   * Trust policies an app team wrote between the automation's read and its write, overwritten
   * by the automation (IAM has no conditional write), and whether the team's last write was
   * written again afterwards (docs/architecture.md#a-team-write-is-never-lost): `--check` exits 3
   * when one was not.
   */
  readonly trustPolicyOverwrites: readonly { readonly accountId: string; readonly roleName: string; readonly repaired: boolean }[];
}

/** Virtual time 0 when the events carry no times. */
const DEFAULT_EPOCH_MS = Date.parse('2026-01-01T00:00:00Z');

function callTimeMs(event: SimulationEvent): number {
  const detailTime = (event.detail as { eventTime?: unknown }).eventTime;
  const time = typeof detailTime === 'string' ? detailTime : (event as { time?: unknown }).time;
  return typeof time === 'string' ? Date.parse(time) : Number.NaN;
}

export function checkLoadSettings(settings: LoadSettings): void {
  const problems = [
    !(Number.isInteger(settings.concurrency) && settings.concurrency >= 1) &&
      `--concurrency ${settings.concurrency}: a whole number of 1 or more`,
    !Number.isInteger(settings.seed) && `--seed ${settings.seed}: a whole number`,
    !(settings.duplicates >= 0 && settings.duplicates <= 1) && `--duplicates ${settings.duplicates}: a chance between 0 and 1`,
    !(settings.reorderSeconds >= 0 && Number.isFinite(settings.reorderSeconds)) &&
      `--reorder ${settings.reorderSeconds}: seconds, 0 or more`,
  ].filter(Boolean);
  if (problems.length > 0) throw new SimulationInputError(`expected ${problems.join('; ')}`);
}

/**
 * When each call happens and when each delivery reaches the queue. Events that all carry a time
 * (`detail.eventTime`, else the envelope's `time`) keep their spacing; otherwise every call
 * happens at time 0, in the file's order.
 */
export function planLoad(events: readonly SimulationEvent[], settings: LoadSettings): LoadPlan {
  checkLoadSettings(settings);
  const random = seededRandom(settings.seed ^ 0xd1e1);
  const times = events.map(callTimeMs);
  const timed = times.length > 0 && times.every((time) => Number.isFinite(time));
  const epochMs = timed ? Math.min(...times) : DEFAULT_EPOCH_MS;
  const callAt = timed ? times.map((time) => time - epochMs) : events.map(() => 0);
  const window = settings.reorderSeconds * 1000;
  const end = Math.max(0, ...callAt) + window;
  const deliveries: (Delivery & { tie: number })[] = [];
  events.forEach((_, index) => {
    // A delivery never precedes its call: at least 1 ms after it.
    const at = callAt[index]! + 1 + Math.floor(random() * window);
    deliveries.push({ index, at, duplicate: false, tie: random() });
    if (random() < settings.duplicates) {
      deliveries.push({ index, at: at + Math.floor(random() * (end - at + 1)), duplicate: true, tie: random() });
    }
  });
  deliveries.sort((a, b) => a.at - b.at || a.tie - b.tie || a.index - b.index);
  return { epochMs, callAt, deliveries: deliveries.map(({ index, at, duplicate }) => ({ index, at, duplicate })) };
}

/** Applies one event's IAM call to the world, as the sequential player does (playEvents). */
export type ApplyCall = (event: SimulationEvent, index: number) => void;

/**
 * Plays the plan on the scheduler's clock and returns when every execution has ended.
 * `world` must have been started with this scheduler (`startLocalWorld({ load })`).
 */
export async function playEventsUnderLoad(
  world: LocalWorld,
  events: readonly SimulationEvent[],
  plan: LoadPlan,
  scheduler: VirtualScheduler,
  settings: LoadSettings,
  applyCall: ApplyCall,
  logger: Logger,
): Promise<LoadReport> {
  // The calls happen at their own times, in the order they happened.
  const order = events.map((_, index) => index).sort((a, b) => plan.callAt[a]! - plan.callAt[b]! || a - b);
  const rankOf = new Map(order.map((index, rank) => [index, rank]));
  for (const index of order) scheduler.at(plan.callAt[index]!, () => applyCall(events[index]!, index));

  // The router's event source: a batch goes when it holds `batchSize` messages or its window closes.
  const { batchSize, maximumBatchingWindowInSeconds } = ROUTER_EVENT_SOURCE;
  const queue: Delivery[] = [];
  let closeWindow: (() => void) | null = null;
  let batches = 0;
  let outOfOrder = 0;
  let latestCall = -1;
  const delivered = new Set<number>();
  let redeliveries = 0;
  const routed: Promise<void>[] = [];

  const flush = () => {
    closeWindow?.();
    closeWindow = null;
    while (queue.length > 0) {
      const batch = queue.splice(0, batchSize);
      batches += 1;
      routed.push(
        world.pipeline.deliver(batch.map((d) => events[d.index]!)).then((response) => {
          for (const failure of response.batchItemFailures) {
            logger.warn('the router failed the message (it would be received again, then go to the DLQ)', {
              messageId: failure.itemIdentifier,
            });
          }
        }),
      );
    }
  };
  for (const delivery of plan.deliveries) {
    scheduler.at(delivery.at, () => {
      const rank = rankOf.get(delivery.index)!;
      if (rank < latestCall) outOfOrder += 1;
      latestCall = Math.max(latestCall, rank);
      if (delivered.has(delivery.index)) redeliveries += 1;
      delivered.add(delivery.index);
      queue.push(delivery);
      if (queue.length >= batchSize) flush();
      else closeWindow ??= scheduler.at(scheduler.now() + maximumBatchingWindowInSeconds * 1000, flush);
    });
  }

  const endMs = await scheduler.run(() => world.pipeline.unfinished() === 0);
  await Promise.all(routed);

  const executions = world.pipeline.executions;
  const byStatus: Record<string, number> = {};
  for (const execution of executions) byStatus[execution.status] = (byStatus[execution.status] ?? 0) + 1;
  const answered = (code: string) => world.iam.history.filter((call) => call.fault === code).length;
  const { retries } = world.pipeline.stats;
  return {
    seed: settings.seed,
    concurrency: settings.concurrency,
    duplicates: settings.duplicates,
    reorderSeconds: settings.reorderSeconds,
    virtualSeconds: Math.round(endMs) / 1000,
    deliveries: { events: events.length, redeliveries, outOfOrder, batches },
    executions: { started: executions.length, maxInFlight: world.pipeline.stats.maxInFlight, byStatus },
    retries: {
      concurrentModification: answered('ConcurrentModification'),
      throttled: answered('Throttling') + world.graph.faults.served.throttle,
      lockWaits: retries[LOCK_HELD_ERROR] ?? 0,
      stepFunctions: Object.fromEntries(Object.entries(retries).sort(([a], [b]) => a.localeCompare(b))),
    },
    trustPolicyOverwrites: world.iam.trustPolicyOverwrites.map(({ accountId, roleName, repaired }) => ({ accountId, roleName, repaired })),
  };
}
