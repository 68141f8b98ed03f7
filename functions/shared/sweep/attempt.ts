import { AutomationError } from '../runtime';
import type { RepairOutcome } from './contracts';

/** What one repair action came to when it did not fail: done, or left alone and why. */
export type AttemptResult = 'done' | { readonly skipped: string };

/**
 * Runs one repair action and says what became of it, as the report settles it. A transient
 * failure (an `AutomationError` that says so: throttling, a 5xx) leaves the step, so that the
 * state machine retries it and every attempt reads again before it writes. Any other failure
 * closes on this action alone: it is `failed`, with the error (after `failurePrefix`, which says
 * what stays), and the repair goes on with the next.
 */
export async function attempt(
  action: RepairOutcome['action'],
  target: string,
  work: () => Promise<AttemptResult>,
  failurePrefix = '',
): Promise<RepairOutcome> {
  try {
    const result = await work();
    return result === 'done' ? { action, target, result } : { action, target, result: 'skipped', detail: result.skipped };
  } catch (error) {
    if (error instanceof AutomationError && error.transient) throw error;
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { action, target, result: 'failed', detail: `${failurePrefix}${text}` };
  }
}
