/**
 * Capped exponential backoff with full jitter, shared by the Graph and IAM clients.
 *
 * Retries inside a Lambda stay short on purpose: the function has a timeout, and the
 * state machines' `Retry` does the long backoff between invocations. So the helper gives
 * up (rethrowing the last error unchanged) when attempts run out, when the next wait would
 * break the sleep budget, or when the server asks for a longer wait than `maxDelayMs`.
 *
 * Full jitter (delay = random × min(cap, base × 2^n)) is from the AWS Architecture Blog,
 * "Exponential Backoff And Jitter": it spreads concurrent retriers best.
 */

export interface RetryOptions {
  /** Whether the failure may succeed if tried again. Anything else is rethrown at once. */
  readonly isRetryable: (error: unknown) => boolean;
  /** Total tries, the first included (≥ 1). */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** Cap of one wait; a server-requested wait above it ends the retries. */
  readonly maxDelayMs: number;
  /** Cap of all waits together; default: no cap beyond `maxAttempts × maxDelayMs`. */
  readonly maxTotalDelayMs?: number;
  /** A wait the server asked for (e.g. `Retry-After`), in ms; it replaces the jittered delay. */
  readonly retryAfterMs?: (error: unknown) => number | undefined;
  /** Injected for tests; defaults to a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected for tests; in [0, 1), defaults to `Math.random`. */
  readonly random?: () => number;
  /** Called before each wait, e.g. to log. */
  readonly onRetry?: (event: { attempt: number; delayMs: number; error: unknown }) => void;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The jittered delay before retry number `attempt` (1 = the first retry). */
export function backoffDelayMs(
  attempt: number,
  options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
    throw new RangeError(`withRetry: maxAttempts must be an integer ≥ 1, got ${options.maxAttempts}`);
  }
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const budget = options.maxTotalDelayMs ?? Number.POSITIVE_INFINITY;
  let slept = 0;

  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.maxAttempts || !options.isRetryable(error)) throw error;
      const requested = options.retryAfterMs?.(error);
      if (requested !== undefined && requested > options.maxDelayMs) throw error;
      const delayMs = requested ?? backoffDelayMs(attempt, options, random);
      if (slept + delayMs > budget) throw error;
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
      slept += delayMs;
    }
  }
}
