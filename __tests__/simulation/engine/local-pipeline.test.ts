import { stepFunctionsRetryDelayMs } from '../../../simulation/engine/local-pipeline';

/** The simulator's own reading of a state's Retry, which times Step Functions' retries on the virtual clock. */
describe('Step Functions retry intervals, as the local pipeline times them', () => {
  const rules = [
    { ErrorEquals: ['Held'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 3, MaxDelaySeconds: 5 },
    { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 1, JitterStrategy: 'FULL' },
  ];

  it('waits IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds, until the rule’s attempts are spent', () => {
    const attempts: number[] = [];
    const delays = [1, 2, 3, 4].map(() => stepFunctionsRetryDelayMs(rules, attempts, 'Held', () => 0.5));
    expect(delays).toEqual([2000, 4000, 5000, null]);
  });

  it('takes the first rule that names the error, States.TaskFailed for any other, with full jitter where the rule says so', () => {
    const attempts: number[] = [];
    expect(stepFunctionsRetryDelayMs(rules, attempts, 'Other', () => 0.25)).toBe(250);
    expect(stepFunctionsRetryDelayMs(rules, attempts, 'Other', () => 0.25)).toBeNull();
    expect(stepFunctionsRetryDelayMs([{ ErrorEquals: ['Only'] }], [], 'Other', () => 0)).toBeNull();
  });

  it('uses the ASL defaults when a rule names none: 1 s, doubling, 3 attempts', () => {
    const attempts: number[] = [];
    const delays = [1, 2, 3, 4].map(() => stepFunctionsRetryDelayMs([{ ErrorEquals: ['States.ALL'] }], attempts, 'X', () => 0));
    expect(delays).toEqual([1000, 2000, 4000, null]);
  });
});
