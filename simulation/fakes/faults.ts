/**
 * Fault injection shared by the Graph fake and the IAM model: one mechanism, keyed by the
 * same call keys the simulator prints (`graph:POST /applications/{id}/owners/$ref`,
 * `iam:UpdateAssumeRolePolicy`, `sts:AssumeRole`). It only decides *whether* a call fails
 * and with which status and code; each protocol adapter turns that answer into what its
 * service really sends (a Graph error body, an AWS SDK exception).
 */

/** What a faulted call answers. */
export interface FaultAnswer {
  readonly status: number;
  readonly code: string;
  /** Seconds for a `Retry-After` header (Graph 429s); the adapter's default when absent. */
  readonly retryAfterSeconds?: number;
}

/** A call key, a pattern on it, or a predicate. */
export type CallMatcher = string | RegExp | ((key: string) => boolean);

export interface FaultRule {
  readonly call: CallMatcher;
  readonly answer: FaultAnswer;
  /** Matching calls let through before the rule fires (default 0). */
  readonly skip?: number;
  /** Matching calls it fails after the skipped ones; 0 fails every one (default 1). */
  readonly times?: number;
}

/** A rule on one call key with what is left of it. */
export interface PendingFault extends FaultRule {
  readonly call: string;
  readonly skip: number;
  readonly times: number;
}

export interface FaultStorm {
  /** Chance in [0, 1] that a matching call fails. */
  readonly rate: number;
  /** One is drawn, uniformly, for each faulted call, among those `allows` lets that call have. */
  readonly answers: readonly FaultAnswer[];
  /** Calls the storm hits; every call when absent. */
  readonly calls?: CallMatcher;
  /**
   * Whether a call may get an answer (every one by default): a service answers each operation with
   * its own errors only. A faulted call none of the answers fits goes through unharmed.
   */
  readonly allows?: (key: string, answer: FaultAnswer) => boolean;
  /** The storm's own generator (a seeded storm); the injector's otherwise. */
  readonly random?: () => number;
}

interface ActiveRule {
  readonly rule: FaultRule;
  readonly skip: number;
  readonly times: number;
  /** Matching calls seen, faulted or not. */
  seen: number;
  /** Calls this rule failed. */
  fired: number;
}

function callMatches(matcher: CallMatcher, key: string): boolean {
  if (typeof matcher === 'string') return matcher === key;
  if (matcher instanceof RegExp) return matcher.test(key);
  return matcher(key);
}

function count(value: number | undefined, fallback: number, what: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 0) throw new Error(`faults: ${what} must be a whole number ≥ 0, got ${String(value)}`);
  return n;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private storm: FaultStorm | null = null;
  /** Faults served, by answer code. */
  readonly served: Record<string, number> = {};

  constructor(private readonly random: () => number) {}

  /** Rules are offered every call in the order they were added; the first one due fires. */
  add(rule: FaultRule): void {
    const skip = count(rule.skip, 0, 'skip');
    const times = count(rule.times, 1, 'times');
    if (!Number.isInteger(rule.answer.status) || rule.answer.status < 400 || rule.answer.status > 599) {
      throw new Error(`faults: status must be an HTTP error status (400-599), got ${rule.answer.status}`);
    }
    if (rule.answer.code === '') throw new Error('faults: code must not be empty');
    this.rules.push({ rule, skip, times, seen: 0, fired: 0 });
  }

  /**
   * The rules on call keys that have not done all they were told, as they would be written to go
   * on from here: the calls still to let through (`skip`) and to fail (`times`, 0 for every one).
   * A world written after a run carries these (simulation/engine/world.ts `captureWorld`).
   */
  pending(): PendingFault[] {
    return this.rules.flatMap(({ rule, skip, times, seen, fired }) => {
      if (typeof rule.call !== 'string' || (times !== 0 && fired >= times)) return [];
      return [{ call: rule.call, answer: rule.answer, skip: Math.max(0, skip - seen), times: times === 0 ? 0 : times - fired }];
    });
  }

  startStorm(storm: FaultStorm): void {
    if (!(storm.rate >= 0 && storm.rate <= 1)) throw new Error(`faults: storm rate ${storm.rate} must be in [0, 1]`);
    if (storm.answers.length === 0) throw new Error('faults: a storm needs at least one answer');
    this.storm = storm;
  }

  stopStorm(): void {
    this.storm = null;
  }

  clear(): void {
    this.rules = [];
    this.storm = null;
  }

  /** The answer for this call when it must fail, else null. Every rule matching the key counts the call. */
  take(key: string): FaultAnswer | null {
    let due: ActiveRule | undefined;
    for (const active of this.rules) {
      if (!callMatches(active.rule.call, key)) continue;
      active.seen += 1;
      const fires = active.seen > active.skip && (active.times === 0 || active.fired < active.times);
      if (fires && !due) due = active;
    }
    if (due) {
      due.fired += 1;
      return this.serve(due.rule.answer);
    }
    const storm = this.storm;
    if (storm && (storm.calls === undefined || callMatches(storm.calls, key))) {
      const random = storm.random ?? this.random;
      if (random() < storm.rate) {
        const fitting = storm.allows ? storm.answers.filter((answer) => storm.allows!(key, answer)) : storm.answers;
        const pick = random();
        const answer = fitting[Math.floor(pick * fitting.length)];
        return answer ? this.serve(answer) : null;
      }
    }
    return null;
  }

  private serve(answer: FaultAnswer): FaultAnswer {
    this.served[answer.code] = (this.served[answer.code] ?? 0) + 1;
    return answer;
  }
}
