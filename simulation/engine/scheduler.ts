import { seededRandom } from '../fakes/seeded-random';

/**
 * Virtual time for `npm run simulate -- --concurrency N` (docs/simulate.md#under-load): a
 * discrete-event scheduler. Every remote call (an IAM or STS request through the SDK, a Graph
 * request, a DynamoDB request, a Lambda invocation) and every sleep (a retry's backoff, a
 * `Retry-After`, a Step Functions retry interval) waits on the virtual clock instead of the
 * real one. Whatever is due first runs next; a tie is broken by the seeded generator. So the
 * order in which concurrent executions interleave is chosen by the seed, and the same seed
 * replays it exactly.
 *
 * Exactness needs one rule: nothing the simulated system does may wait on anything but this
 * scheduler. Promise chains are fine (they drain before `setImmediate`); real I/O (the Graph
 * fake's loopback HTTP) goes through `io()`, which freezes the virtual clock until the answer
 * is in. Before firing the next due event the scheduler lets the previous one run until it
 * waits again (`settle`): every runnable continuation has reached its next wait, so the
 * order never depends on how fast the machine is.
 */

interface Timer {
  readonly at: number;
  /** Seeded tie-break among timers due at the same instant. */
  readonly tie: number;
  readonly seq: number;
  readonly fire: () => void;
}

/** Latency ranges in virtual milliseconds, per kind of remote call: the model's, for ordering, not vendor figures. */
export interface LatencyProfile {
  readonly [kind: string]: readonly [min: number, max: number];
}

/**
 * The defaults: round trips of a few tens to a few hundreds of milliseconds, wide enough that
 * concurrent calls overlap and reorder. `iam-write` is how long IAM takes to apply a write
 * (the window in which another write to the same role or provider conflicts).
 */
export const DEFAULT_LATENCIES: LatencyProfile = {
  iam: [40, 160],
  'iam-write': [20, 120],
  sts: [20, 100],
  graph: [60, 300],
  dynamodb: [5, 25],
  lambda: [10, 60],
};

export class SimulationDeadlockError extends Error {
  override readonly name = 'SimulationDeadlockError';
}

export class VirtualScheduler {
  /** Virtual milliseconds since the run began. */
  private clock = 0;
  private readonly timers: Timer[] = [];
  private seq = 0;
  private inflight = 0;
  private ioDrained: (() => void) | null = null;
  /** Bumped whenever something is scheduled or real I/O starts: `settle` waits until it stops moving. */
  private version = 0;
  private readonly random: () => number;

  constructor(
    seed: number,
    private readonly latencies: LatencyProfile = DEFAULT_LATENCIES,
  ) {
    this.random = seededRandom(seed ^ 0x5eed);
  }

  /** Virtual milliseconds since the run began. */
  now(): number {
    return this.clock;
  }

  /** A number in [0, 1) from the scheduler's own seeded generator (jitter, shuffles). */
  next(): number {
    return this.random();
  }

  /** Resolves after `ms` virtual milliseconds. */
  sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.schedule(Math.max(0, ms), resolve);
    });

  /** Runs `fire` at virtual time `at` (at once if that is past); the returned function cancels it. */
  at(at: number, fire: () => void): () => void {
    const timer = this.schedule(Math.max(0, at - this.clock), fire);
    return () => {
      const index = this.timers.indexOf(timer);
      if (index >= 0) this.timers.splice(index, 1);
    };
  }

  /** A latency drawn for one call of that kind. */
  latency(kind: string): number {
    const range = this.latencies[kind];
    if (!range) throw new Error(`scheduler: no latency profile for "${kind}"`);
    const [min, max] = range;
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** Half a round trip of that kind: the request travels, or the answer does. */
  travel(kind: string): Promise<void> {
    return this.sleep(Math.round(this.latency(kind) / 2));
  }

  /**
   * Real I/O (the Graph fake's loopback HTTP): the virtual clock stands still until it
   * settles, so the fake answers at the virtual instant the request arrived.
   */
  async io<T>(work: () => Promise<T>): Promise<T> {
    this.inflight += 1;
    this.version += 1;
    try {
      return await work();
    } finally {
      this.inflight -= 1;
      if (this.inflight === 0) this.ioDrained?.();
    }
  }

  /**
   * Fires due timers, earliest first, until none is left; then returns the virtual time.
   * `isIdle` says whether the simulated system expects nothing more: a run that has nothing
   * scheduled while it still waits for something is a bug of the simulator, not a result.
   */
  async run(isIdle: () => boolean = () => true): Promise<number> {
    for (;;) {
      await this.settle();
      const timer = this.pop();
      if (!timer) break;
      this.clock = timer.at;
      timer.fire();
    }
    if (!isIdle()) {
      throw new SimulationDeadlockError(
        `simulation: nothing is scheduled at virtual time ${this.clock} ms, yet executions are still running (something awaited outside the scheduler)`,
      );
    }
    return this.clock;
  }

  private schedule(delay: number, fire: () => void): Timer {
    this.version += 1;
    const timer: Timer = { at: this.clock + delay, tie: this.random(), seq: this.seq++, fire };
    this.timers.push(timer);
    return timer;
  }

  private pop(): Timer | undefined {
    if (this.timers.length === 0) return undefined;
    let best = 0;
    for (let i = 1; i < this.timers.length; i++) {
      const a = this.timers[i]!;
      const b = this.timers[best]!;
      if (a.at < b.at || (a.at === b.at && (a.tie < b.tie || (a.tie === b.tie && a.seq < b.seq)))) best = i;
    }
    const [timer] = this.timers.splice(best, 1);
    return timer;
  }

  /** Lets every runnable continuation reach its next wait: no I/O in flight, nothing new for two macrotask turns. */
  private async settle(): Promise<void> {
    let quiet = 0;
    while (quiet < 2) {
      if (this.inflight > 0) {
        await new Promise<void>((resolve) => {
          this.ioDrained = resolve;
        });
        this.ioDrained = null;
        quiet = 0;
      }
      const before = this.version;
      await new Promise<void>((resolve) => setImmediate(resolve));
      quiet = this.inflight === 0 && this.version === before ? quiet + 1 : 0;
    }
  }
}
