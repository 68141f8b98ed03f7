import { SimulationDeadlockError, VirtualScheduler } from '../../../simulation/engine/scheduler';

/** Three "executions" that each sleep random virtual times and note when they woke. */
async function interleaving(seed: number): Promise<string[]> {
  const scheduler = new VirtualScheduler(seed);
  const log: string[] = [];
  const worker = async (name: string) => {
    for (let step = 0; step < 4; step++) {
      await scheduler.sleep(scheduler.latency('iam'));
      log.push(`${name}${step}@${scheduler.now()}`);
    }
  };
  const done = Promise.all(['a', 'b', 'c'].map(worker));
  await scheduler.run();
  await done;
  return log;
}

describe('the virtual scheduler', () => {
  it('wakes waits in virtual time order, however long they take in real time', async () => {
    // Prepare
    const scheduler = new VirtualScheduler(1);
    const woke: string[] = [];
    // Act
    void scheduler.sleep(300).then(() => woke.push(`late@${scheduler.now()}`));
    void scheduler.sleep(100).then(() => {
      // Real work between waits (here 20 ms of CPU) does not move the virtual clock.
      const until = Date.now() + 20;
      while (Date.now() < until);
      woke.push(`early@${scheduler.now()}`);
    });
    const end = await scheduler.run();
    // Assess
    expect(woke).toEqual(['early@100', 'late@300']);
    expect(end).toBe(300);
  });

  it('replays the same interleaving for the same seed, and another for another seed', async () => {
    const first = await interleaving(7);
    expect(await interleaving(7)).toEqual(first);
    expect(await interleaving(8)).not.toEqual(first);
    expect(first).toHaveLength(12);
  });

  it('breaks a tie between waits due at the same instant by the seed, and still replays', async () => {
    const order = async (seed: number) => {
      const scheduler = new VirtualScheduler(seed);
      const woke: number[] = [];
      for (let i = 0; i < 8; i++) void scheduler.sleep(50).then(() => woke.push(i));
      await scheduler.run();
      return woke;
    };
    const orders = await Promise.all([1, 2, 3, 4].map(order));
    expect(new Set(orders.map((o) => o.join())).size).toBeGreaterThan(1);
    expect(await order(3)).toEqual(orders[2]);
  });

  it('holds the clock still during real I/O, so the answer arrives at the instant of the request', async () => {
    // Prepare
    const scheduler = new VirtualScheduler(1);
    const seen: number[] = [];
    void (async () => {
      await scheduler.sleep(10);
      await scheduler.io(() => new Promise((resolve) => setTimeout(resolve, 30)));
      seen.push(scheduler.now());
    })();
    void scheduler.sleep(15).then(() => seen.push(scheduler.now()));
    // Act
    await scheduler.run();
    // Assess: the I/O finished before the 15 ms timer fired, though it took 30 ms of real time
    expect(seen).toEqual([10, 15]);
  });

  it('cancels a timer, which then neither fires nor moves the clock', async () => {
    const scheduler = new VirtualScheduler(1);
    let fired = false;
    const cancel = scheduler.at(3_600_000, () => {
      fired = true;
    });
    void scheduler.sleep(5);
    cancel();
    expect(await scheduler.run()).toBe(5);
    expect(fired).toBe(false);
  });

  it('reports a run that still waits when nothing is scheduled: something awaited outside the scheduler', async () => {
    const scheduler = new VirtualScheduler(1);
    void scheduler.sleep(5);
    await expect(scheduler.run(() => false)).rejects.toThrow(SimulationDeadlockError);
  });
});
