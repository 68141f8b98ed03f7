import { FaultInjector, type FaultAnswer } from '../../../simulation/fakes/faults';
import { seededRandom } from '../../../simulation/fakes/seeded-random';

const DENIED: FaultAnswer = { status: 403, code: 'Authorization_RequestDenied' };
const OWNERS = 'graph:POST /applications/{id}/owners/$ref';

/** Which of `n` calls of `key` fail. */
function outcomes(faults: FaultInjector, key: string, n: number): (string | null)[] {
  return Array.from({ length: n }, () => faults.take(key)?.code ?? null);
}

describe('FaultInjector rules', () => {
  it('fails one matching call by default, then lets calls through', () => {
    // Prepare
    const faults = new FaultInjector(Math.random);
    faults.add({ call: OWNERS, answer: DENIED });
    // Act
    const result = outcomes(faults, OWNERS, 3);
    // Assess
    expect(result).toEqual(['Authorization_RequestDenied', null, null]);
    expect(faults.served).toEqual({ Authorization_RequestDenied: 1 });
  });

  it('lets `skip` matching calls through first, then fails `times` of them', () => {
    // Prepare
    const faults = new FaultInjector(Math.random);
    faults.add({ call: OWNERS, answer: DENIED, skip: 2, times: 2 });
    // Act
    const result = outcomes(faults, OWNERS, 6);
    // Assess
    expect(result).toEqual([null, null, 'Authorization_RequestDenied', 'Authorization_RequestDenied', null, null]);
  });

  it('fails every matching call after the skipped ones when times is 0', () => {
    // Prepare
    const faults = new FaultInjector(Math.random);
    faults.add({ call: 'iam:UpdateAssumeRolePolicy', answer: { status: 409, code: 'ConcurrentModification' }, skip: 1, times: 0 });
    // Act
    const result = outcomes(faults, 'iam:UpdateAssumeRolePolicy', 50);
    // Assess
    expect(result[0]).toBeNull();
    expect(result.slice(1).every((code) => code === 'ConcurrentModification')).toBe(true);
  });

  it('ignores calls with other keys', () => {
    // Prepare
    const faults = new FaultInjector(Math.random);
    faults.add({ call: OWNERS, answer: DENIED });
    // Act
    const other = faults.take('graph:POST /applications');
    const mine = faults.take(OWNERS);
    // Assess
    expect(other).toBeNull();
    expect(mine).toEqual(DENIED);
  });

  it('matches keys by pattern or predicate too', () => {
    // Prepare
    const faults = new FaultInjector(Math.random);
    faults.add({ call: /^graph:GET /, answer: { status: 503, code: 'serviceNotAvailable' } });
    faults.add({ call: (key) => key.endsWith('AssumeRole'), answer: { status: 400, code: 'Throttling' } });
    // Act
    const get = faults.take('graph:GET /applications/{id}');
    const sts = faults.take('sts:AssumeRole');
    // Assess
    expect([get?.code, sts?.code]).toEqual(['serviceNotAvailable', 'Throttling']);
  });

  it('serves the first rule that is due; every matching rule counts the call for its skip', () => {
    // Prepare
    const faults = new FaultInjector(Math.random);
    faults.add({ call: OWNERS, answer: DENIED, times: 1 });
    faults.add({ call: OWNERS, answer: { status: 404, code: 'Request_ResourceNotFound' }, skip: 1, times: 1 });
    // Act
    const result = outcomes(faults, OWNERS, 3);
    // Assess: call 1 is rule 1's; rule 2 had seen it, so call 2 is past its skip.
    expect(result).toEqual(['Authorization_RequestDenied', 'Request_ResourceNotFound', null]);
  });

  it.each([
    [{ skip: -1 }, /skip must be a whole number ≥ 0/],
    [{ times: -1 }, /times must be a whole number ≥ 0/],
    [{ times: 1.5 }, /times must be a whole number ≥ 0/],
  ])('refuses a rule with %p', (counts, message) => {
    // Prepare
    const faults = new FaultInjector(Math.random);
    // Act
    const add = () => faults.add({ call: OWNERS, answer: DENIED, ...counts });
    // Assess
    expect(add).toThrow(message);
  });

  it('refuses an answer that is not an HTTP error, or has no code', () => {
    // Prepare
    const faults = new FaultInjector(Math.random);
    // Act
    const success = () => faults.add({ call: OWNERS, answer: { status: 204, code: 'x' } });
    const noCode = () => faults.add({ call: OWNERS, answer: { status: 400, code: '' } });
    // Assess
    expect(success).toThrow(/400-599/);
    expect(noCode).toThrow(/code must not be empty/);
  });
});

describe('FaultInjector storms', () => {
  const storm = (seed: number) => {
    const faults = new FaultInjector(Math.random);
    faults.startStorm({ rate: 0.5, answers: [DENIED, { status: 429, code: 'TooManyRequests' }], random: seededRandom(seed) });
    return outcomes(faults, OWNERS, 40);
  };

  it('replays identically for the same seed and mixes its answers', () => {
    // Act
    const first = storm(7);
    const second = storm(7);
    // Assess
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set([null, 'Authorization_RequestDenied', 'TooManyRequests']));
  });

  it('hits only the calls it names, and rules come before it', () => {
    // Prepare
    const faults = new FaultInjector(seededRandom(1));
    faults.startStorm({ rate: 1, answers: [DENIED], calls: 'iam:GetRole' });
    faults.add({ call: 'iam:GetRole', answer: { status: 409, code: 'ConcurrentModification' } });
    // Act
    const first = faults.take('iam:GetRole');
    const second = faults.take('iam:GetRole');
    const other = faults.take('iam:TagRole');
    // Assess
    expect([first?.code, second?.code, other]).toEqual(['ConcurrentModification', 'Authorization_RequestDenied', null]);
  });

  it('stops, and refuses a rate outside [0, 1] or no answers', () => {
    // Prepare
    const faults = new FaultInjector(seededRandom(1));
    faults.startStorm({ rate: 1, answers: [DENIED] });
    // Act
    faults.stopStorm();
    // Assess
    expect(faults.take(OWNERS)).toBeNull();
    expect(() => faults.startStorm({ rate: 1.5, answers: [DENIED] })).toThrow(/rate 1.5 must be in \[0, 1\]/);
    expect(() => faults.startStorm({ rate: 0.5, answers: [] })).toThrow(/at least one answer/);
  });
});
