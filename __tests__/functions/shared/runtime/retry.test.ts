import { backoffDelayMs, withRetry, type RetryOptions } from '../../../../functions/shared/runtime';

class Transient extends Error {
  constructor(readonly retryAfterMs?: number) {
    super('transient');
  }
}

/** Far more waits than any test here allows: past it the loop has lost its limit. */
const MAX_FAKE_SLEEPS = 100;

function recordingOptions(overrides: Partial<RetryOptions> = {}) {
  const sleeps: number[] = [];
  const options: RetryOptions = {
    isRetryable: (error) => error instanceof Transient,
    maxAttempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    // A loop whose limit is broken must fail, not hang: the fake refuses to wait for ever, and it
    // yields to the event loop (a promise that resolves at once never does, so not even Jest's
    // timeout could fire).
    sleep: async (ms) => {
      sleeps.push(ms);
      if (sleeps.length > MAX_FAKE_SLEEPS) throw new Error(`fake sleep called ${sleeps.length} times: the retry loop does not stop`);
      await new Promise((resolve) => setImmediate(resolve));
    },
    random: () => 0.5,
    ...overrides,
  };
  return { options, sleeps };
}

function failing(times: number, error: () => Error) {
  let calls = 0;
  const fn = async () => {
    calls++;
    if (calls <= times) throw error();
    return `ok after ${calls}`;
  };
  return { fn, calls: () => calls };
}

describe('withRetry', () => {
  it('returns the first success without sleeping', async () => {
    // Prepare
    const { options, sleeps } = recordingOptions();
    // Act
    const result = await withRetry(async () => 'done', options);
    // Assess
    expect(result).toBe('done');
    expect(sleeps).toEqual([]);
  });

  it('retries a retryable failure with exponential full-jitter delays', async () => {
    // Prepare
    const { options, sleeps } = recordingOptions();
    const { fn, calls } = failing(3, () => new Transient());
    // Act
    const result = await withRetry(fn, options);
    // Assess: random 0.5 × min(1000, 100 × 2^n)
    expect(result).toBe('ok after 4');
    expect(calls()).toBe(4);
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('caps each delay at maxDelayMs', async () => {
    // Prepare
    const { options, sleeps } = recordingOptions({ maxAttempts: 8, random: () => 0.999 });
    const { fn } = failing(7, () => new Transient());
    // Act
    await withRetry(fn, options);
    // Assess
    expect(Math.max(...sleeps)).toBe(999);
    expect(sleeps.slice(-3)).toEqual([999, 999, 999]);
  });

  it('rethrows the last error unchanged when attempts run out', async () => {
    // Prepare
    const { options, sleeps } = recordingOptions({ maxAttempts: 3 });
    const last = new Transient();
    let n = 0;
    const fn = async () => {
      n++;
      throw n === 3 ? last : new Transient();
    };
    // Act
    const outcome = withRetry(fn, options);
    // Assess
    await expect(outcome).rejects.toBe(last);
    expect(n).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it('rethrows a non-retryable error at once', async () => {
    // Prepare
    const { options, sleeps } = recordingOptions();
    const { fn, calls } = failing(1, () => new Error('permanent'));
    // Act
    const outcome = withRetry(fn, options);
    // Assess
    await expect(outcome).rejects.toThrow('permanent');
    expect(calls()).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('waits exactly what the server asked for instead of the jittered delay', async () => {
    // Prepare
    const { options, sleeps } = recordingOptions({
      retryAfterMs: (error) => (error instanceof Transient ? error.retryAfterMs : undefined),
    });
    const { fn } = failing(2, () => new Transient(700));
    // Act
    await withRetry(fn, options);
    // Assess
    expect(sleeps).toEqual([700, 700]);
  });

  it('gives up when the server asks for a wait longer than maxDelayMs', async () => {
    // Prepare
    const { options, sleeps } = recordingOptions({
      retryAfterMs: (error) => (error instanceof Transient ? error.retryAfterMs : undefined),
    });
    const { fn, calls } = failing(1, () => new Transient(5000));
    // Act
    const outcome = withRetry(fn, options);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(Transient);
    expect(calls()).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('gives up before the total sleep would exceed maxTotalDelayMs', async () => {
    // Prepare
    const { options, sleeps } = recordingOptions({ maxAttempts: 10, maxTotalDelayMs: 120 });
    const { fn, calls } = failing(9, () => new Transient());
    // Act
    const outcome = withRetry(fn, options);
    // Assess: 50 + 100 > 120, so only one wait happens
    await expect(outcome).rejects.toBeInstanceOf(Transient);
    expect(sleeps).toEqual([50]);
    expect(calls()).toBe(2);
  });

  it('tells onRetry about each wait', async () => {
    // Prepare
    const events: Array<{ attempt: number; delayMs: number }> = [];
    const { options } = recordingOptions({ onRetry: ({ attempt, delayMs }) => events.push({ attempt, delayMs }) });
    const { fn } = failing(2, () => new Transient());
    // Act
    await withRetry(fn, options);
    // Assess
    expect(events).toEqual([
      { attempt: 1, delayMs: 50 },
      { attempt: 2, delayMs: 100 },
    ]);
  });

  it('rejects a maxAttempts below one', async () => {
    // Prepare
    const { options } = recordingOptions({ maxAttempts: 0 });
    // Act
    const outcome = withRetry(async () => 'never', options);
    // Assess
    await expect(outcome).rejects.toThrow(/maxAttempts/);
  });
});

describe('backoffDelayMs', () => {
  it('stays within [0, min(cap, base × 2^(attempt-1)))', () => {
    // Prepare
    const options = { baseDelayMs: 200, maxDelayMs: 5000 };
    // Act
    const low = backoffDelayMs(3, options, () => 0);
    const high = backoffDelayMs(3, options, () => 0.9999);
    const capped = backoffDelayMs(10, options, () => 0.9999);
    // Assess
    expect(low).toBe(0);
    expect(high).toBe(799);
    expect(capped).toBe(4999);
  });
});
