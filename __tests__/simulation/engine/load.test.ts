import { silentLogger } from '../../../functions/shared/runtime';
import { parseConfig } from '../../../stacks/config';
import { EXAMPLE_CONFIG } from '../../../stacks/example-config';
import { generateBurst, unexpectedEnds, type Burst, type BurstOptions } from '../../../simulation/engine/burst';
import { planLoad } from '../../../simulation/engine/load';
import { localDefinitions, parseEvents, runSimulation, type SimulationOutput } from '../../../simulation/engine/run-simulation';
import { parseWorld } from '../../../simulation/engine/world';
import { withoutRoleLock } from '../../support/without-role-lock';

/**
 * Under load (docs/simulate.md#under-load): many events at once, executions interleaved at
 * every remote call, duplicates and reordering, and the same end state. Runtime: the 20-seed
 * sweep runs on 100-event bursts here (about a second each); the full 500-event burst runs on
 * two seeds here and on twenty in `npm run bench -- load`.
 */

// Each hazard runs twenty seeds of a simulated burst: about 20 s on a quiet two-core machine, several
// times that on a loaded one. A timeout is no speed assertion (bench/README.md measures speed); a
// timed-out test keeps running in the background and poisons the next one, so give it room.
jest.setTimeout(300_000);

const config = parseConfig(EXAMPLE_CONFIG);
const LOAD = { concurrency: 50, duplicates: 0.1, reorderSeconds: 3 };

type Definitions = { create: object; delete: object };
const locked = localDefinitions() as { create: any; delete: any };
const unlocked: Definitions = { create: withoutRoleLock(locked.create), delete: withoutRoleLock(locked.delete) };

function run(
  burst: Burst,
  seed: number,
  options: { load?: typeof LOAD; definitions?: Definitions; faults?: object[] } = {},
): Promise<SimulationOutput> {
  const world = options.faults ? { ...(burst.world as object), faults: options.faults } : burst.world;
  return runSimulation({
    world: parseWorld(world),
    events: parseEvents(burst.events),
    config,
    logger: silentLogger,
    seed,
    load: options.load ?? LOAD,
    ...(options.definitions ? { definitions: options.definitions } : {}),
  });
}

describe('the load plan', () => {
  const burst = generateBurst({ seed: 4, events: 40, accounts: 4 });
  const events = parseEvents(burst.events);

  it('keeps the calls’ own spacing, never delivers an event before its call, and delays each delivery by at most the window', () => {
    const plan = planLoad(events, { concurrency: 5, seed: 1, duplicates: 0, reorderSeconds: 2 });
    const times = events.map((e) => Date.parse(e.detail.eventTime as string));
    expect(plan.callAt).toEqual(times.map((t) => t - Math.min(...times)));
    for (const delivery of plan.deliveries) {
      expect(delivery.at).toBeGreaterThan(plan.callAt[delivery.index]!);
      expect(delivery.at).toBeLessThanOrEqual(plan.callAt[delivery.index]! + 2001);
    }
    expect(plan.deliveries.map((d) => d.at)).toEqual([...plan.deliveries.map((d) => d.at)].sort((a, b) => a - b));
  });

  it('delivers some events twice and out of order when asked, the same way for the same seed', () => {
    const settings = { concurrency: 5, seed: 9, duplicates: 0.5, reorderSeconds: 5 };
    const plan = planLoad(events, settings);
    const duplicates = plan.deliveries.filter((d) => d.duplicate);
    expect(duplicates.length).toBeGreaterThan(5);
    expect(duplicates.length).toBeLessThan(35);
    const order = plan.deliveries.map((d) => plan.callAt[d.index]!);
    expect(order.some((at, i) => i > 0 && at < order[i - 1]!)).toBe(true);
    expect(planLoad(events, settings)).toEqual(plan);
    expect(planLoad(events, { ...settings, seed: 10 })).not.toEqual(plan);
  });

  it('refuses options out of range, naming the flag', () => {
    expect(() => planLoad(events, { concurrency: 0, seed: 1, duplicates: 0, reorderSeconds: 0 })).toThrow(
      /--concurrency 0: a whole number of 1 or more/,
    );
    expect(() => planLoad(events, { concurrency: 2, seed: 1, duplicates: 1.5, reorderSeconds: 0 })).toThrow(/--duplicates 1.5/);
    expect(() => planLoad(events, { concurrency: 2, seed: 1, duplicates: 0, reorderSeconds: -1 })).toThrow(/--reorder -1/);
  });
});

describe('a run under load', () => {
  const burst = generateBurst({ seed: 2, events: 60, accounts: 6 });

  it('replays exactly for the same seed: the same executions, calls, identifiers and end state', async () => {
    const first = await run(burst, 11);
    const again = await run(burst, 11);
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    const other = await run(burst, 12);
    expect(JSON.stringify(other.executions)).not.toBe(JSON.stringify(first.executions));
  });

  it('runs at most N executions at once, and does run them concurrently', async () => {
    const output = await run(burst, 1, { load: { ...LOAD, concurrency: 3 } });
    expect(output.load!.executions.maxInFlight).toBe(3);
    expect(output.invariants.violations).toEqual([]);
    expect(unexpectedEnds(output, burst)).toEqual([]);
  });
});

/**
 * The hazards the per-role lock closes, each an attack on the workflows without it: over the
 * same seeds, some interleaving breaks an invariant without the lock, and none with it.
 */
describe('the hazards of concurrent executions of one role', () => {
  async function violationsBySeed(
    options: BurstOptions,
    definitions: Definitions | undefined,
    faults?: object[],
    invariants: string[] = [],
  ) {
    const counts: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const output = await run(generateBurst({ ...options, seed }), seed, {
        load: { concurrency: 50, duplicates: 0, reorderSeconds: options.lifecycles?.includes('recreated') ? 1 : 0 },
        ...(definitions ? { definitions } : {}),
        ...(faults ? { faults } : {}),
      });
      counts.push(output.invariants.violations.length);
      invariants.push(...output.invariants.violations.map((violation) => violation.invariant));
    }
    return counts;
  }
  const total = (counts: number[]) => counts.reduce((a, b) => a + b, 0);

  it('a Create that fails and compensates while another Create of the role pins it: the application stays under the lock', async () => {
    // Compensation undoes only what its own execution's request created (Graph answered 201 to it,
    // issue 17): the failing Create of an edited role found the application, so it never deletes
    // it. One race remains without the lock, and only the lock closes it: the CreateRole's own
    // Create fails (the team's edit landed first), its compensation reads the role (not pinned
    // yet), another Create pins the role to that application, then the compensation deletes it
    // (read, then delete). Whether a seed hits it depends on the seeded latencies of every call
    // (the Create's owners read of issue 17 item 7 shifted them); it is that race and nothing else.
    // Prepare: created, edited to a wildcard (that Create fails), fixed (that Create pins), a fraction of a second apart
    const options: BurstOptions = {
      seed: 0,
      events: 60,
      accounts: 60,
      lifecycles: ['fixed'],
      stepSeconds: [0.1, 0.8],
      redeliveries: 0,
      spreadSeconds: 5,
    };
    // Act
    const raced: string[] = [];
    await violationsBySeed(options, unlocked, undefined, raced);
    const withLock = await violationsBySeed(options, undefined);
    // Assess
    expect(withLock).toEqual(Array(10).fill(0));
    expect(raced.filter((invariant) => invariant !== 'pinned-to-missing-identity')).toEqual([]);
  });

  it('DeleteRole delivered while the role’s Create runs (Graph slow to answer): the new application outlives its role', async () => {
    const options: BurstOptions = {
      seed: 0,
      events: 60,
      accounts: 60,
      lifecycles: ['deleted'],
      stepSeconds: [0.2, 0.6],
      redeliveries: 0,
      spreadSeconds: 5,
    };
    const throttled = [{ call: 'graph:POST /applications', status: 429, code: 'TooManyRequests', times: 40 }];
    const without = await violationsBySeed(options, unlocked, throttled);
    const withLock = await violationsBySeed(options, undefined, throttled);
    expect(total(without)).toBeGreaterThan(0);
    expect(withLock).toEqual(Array(10).fill(0));
  });

  it('a role deleted and created again while the first Delete runs: each incarnation keeps its own application, with or without the lock', async () => {
    // Applications belong to one role incarnation (its RoleId is in the name), and Delete keeps
    // the application of the incarnation that exists now: this hazard needs no lock any more.
    const options: BurstOptions = {
      seed: 0,
      events: 60,
      accounts: 60,
      lifecycles: ['recreated'],
      stepSeconds: [0.1, 0.6],
      redeliveries: 0,
      spreadSeconds: 5,
    };
    const without = await violationsBySeed(options, unlocked);
    const withLock = await violationsBySeed(options, undefined);
    expect(without).toEqual(Array(10).fill(0));
    expect(withLock).toEqual(Array(10).fill(0));
  });

  it('fifty Creates adding client IDs to one provider at once: IAM answers ConcurrentModification, the retries see every role ready', async () => {
    // Prepare: fifty roles of one account, created within two seconds
    const burst = generateBurst({ seed: 5, events: 50, accounts: 1, lifecycles: ['open'], redeliveries: 0, spreadSeconds: 2 });
    // Act
    const output = await run(burst, 5);
    // Assess
    expect(output.load!.retries.concurrentModification).toBeGreaterThan(0);
    expect(output.load!.executions.byStatus).toEqual({ SUCCEEDED: 50 });
    expect(output.invariants.violations).toEqual([]);
    expect(unexpectedEnds(output, burst)).toEqual([]);
    const [account] = Object.values(output.iam) as { oidcProviders: { clientIds: string[] }[] }[];
    expect(account!.oidcProviders[0]!.clientIds).toHaveLength(50);
  });
});

describe('a burst of role events over many accounts', () => {
  it.each(Array.from({ length: 20 }, (_, i) => i + 1))(
    'seed %i, 100 events over 10 accounts at --concurrency 50 with duplicates and reordering: every invariant holds, every role ends as it should',
    async (seed) => {
      const burst = generateBurst({ seed, events: 100, accounts: 10 });
      const output = await run(burst, seed);
      expect(output.invariants.violations).toEqual([]);
      expect(unexpectedEnds(output, burst)).toEqual([]);
      expect(output.load!.trustPolicyOverwrites.filter((o) => !o.repaired)).toEqual([]);
      expect(output.load!.deliveries.outOfOrder).toBeGreaterThan(0);
      expect(output.load!.deliveries.redeliveries).toBeGreaterThan(0);
    },
  );

  it.each([1, 2])(
    'seed %i, 500 events over 50 accounts at --concurrency 50: every invariant holds, every role ends as it should',
    async (seed) => {
      const burst = generateBurst({ seed, events: 500, accounts: 50 });
      expect(burst.events).toHaveLength(500);
      const output = await run(burst, seed);
      expect(output.invariants.violations).toEqual([]);
      expect(unexpectedEnds(output, burst)).toEqual([]);
      expect(output.load!.trustPolicyOverwrites.length).toBeGreaterThan(0);
      expect(output.load!.trustPolicyOverwrites.filter((o) => !o.repaired)).toEqual([]);
      expect(output.load!.executions.maxInFlight).toBeGreaterThan(10);
      expect(output.load!.retries.lockWaits).toBeGreaterThan(0);
    },
  );
});
