import fc from 'fast-check';
import {
  ROLE_TAGS,
  encodeTrustPolicyWrite,
  decideTeamWrite,
  teamWriteStep,
  nextTrustPolicyWrite,
  parseTrustPolicyWrite,
  policyDigest,
  type TrustPolicyWrite,
} from '../../../../functions/shared/workflow';

/** A role as the rule sees it: its trust policy and tags. */
interface Role {
  trustPolicy: unknown;
  tags: Record<string, string>;
}

const T0 = Date.parse('2026-02-02T09:00:00Z') / 1000;
const doc = (id: string) => ({ Version: '2012-10-17', Id: id, Statement: [] });
/** The automation writes `written`, computed from `role` as read at `readSecond`. */
function automationWrites(role: Role, readSecond: number, written: unknown): Role {
  const marker = nextTrustPolicyWrite(role, readSecond * 1000 + 250, written);
  return { trustPolicy: written, tags: { ...role.tags, [ROLE_TAGS.trustPolicyWrite]: encodeTrustPolicyWrite(marker) } };
}

describe('the trust policy write marker', () => {
  it('round-trips, and reads anything else as no marker', () => {
    const write: TrustPolicyWrite = {
      since: T0,
      seen: { digest: policyDigest(doc('s')), at: T0 + 1 },
      applied: { at: T0 + 3, digest: policyDigest(doc('a')) },
      wrote: policyDigest(doc('b')),
    };
    const encoded = encodeTrustPolicyWrite(write);
    expect(encoded).toMatch(
      /^since=2026-02-02T09:00:00Z seen=[0-9a-f]{32}\/2026-02-02T09:00:01Z applied=2026-02-02T09:00:03Z\/[0-9a-f]{32} wrote=[0-9a-f]{32}$/,
    );
    // IAM tag values: letters, digits, spaces and _.:/=+-@, at most 256 characters
    expect(encoded).toMatch(/^[\w .:/=+\-@]{1,256}$/);
    expect(parseTrustPolicyWrite(encoded)).toEqual(write);
    const fresh = { ...write, seen: { ...write.seen, at: null }, applied: null };
    expect(parseTrustPolicyWrite(encodeTrustPolicyWrite(fresh))).toEqual(fresh);
    expect(parseTrustPolicyWrite(undefined)).toBeNull();
    expect(parseTrustPolicyWrite(`${encoded} `)).toBeNull();
    expect(parseTrustPolicyWrite('since=yesterday applied=- wrote=00')).toBeNull();
  });

  it('digests a policy whatever its key order', () => {
    expect(policyDigest({ Statement: [], Version: '2012-10-17' })).toBe(policyDigest({ Version: '2012-10-17', Statement: [] }));
    expect(policyDigest(doc('a'))).not.toBe(policyDigest(doc('b')));
  });
});

describe('whether a team call is applied again', () => {
  const pinned = automationWrites({ trustPolicy: doc('team-0'), tags: {} }, T0 + 10, doc('pinned'));
  const call = (second: number, id = 'team-1') => ({ second, digest: policyDigest(doc(id)) });

  it('applies a call of the read’s second or later while the role holds the automation’s write (ties count as inside)', () => {
    expect(decideTeamWrite(pinned, call(T0 + 10))).toBe('reapplied');
    expect(decideTeamWrite(pinned, call(T0 + 11))).toBe('reapplied');
    expect(decideTeamWrite(pinned, call(T0 + 9))).toBe('older-than-read');
  });

  it('never applies a call over a write that is not the automation’s, nor over no role', () => {
    expect(decideTeamWrite({ ...pinned, trustPolicy: doc('team-2') }, call(T0 + 11))).toBe('not-overwritten');
    expect(decideTeamWrite({ trustPolicy: doc('team-2'), tags: {} }, call(T0 + 11))).toBe('not-overwritten');
    expect(decideTeamWrite(null, call(T0 + 11))).toBe('role-gone');
  });

  it('applies no call older than one applied already, nor the same call twice; another call of that second wins', () => {
    const held = parseTrustPolicyWrite(pinned.tags[ROLE_TAGS.trustPolicyWrite])!;
    const applied: Role = {
      trustPolicy: doc('team-3'),
      tags: {
        [ROLE_TAGS.trustPolicyWrite]: encodeTrustPolicyWrite({
          ...held,
          applied: { at: T0 + 12, digest: policyDigest(doc('team-3')) },
          wrote: policyDigest(doc('team-3')),
        }),
      },
    };
    expect(decideTeamWrite(applied, call(T0 + 11))).toBe('older-than-applied');
    expect(decideTeamWrite(applied, call(T0 + 12, 'team-3'))).toBe('older-than-applied');
    expect(decideTeamWrite(applied, call(T0 + 12, 'team-4'))).toBe('reapplied');
    expect(decideTeamWrite(applied, call(T0 + 13))).toBe('reapplied');
  });

  it('keeps the window of the automation’s own write it was computed from, and opens a new one over a team’s write', () => {
    const again = automationWrites(pinned, T0 + 40, doc('pinned-again'));
    expect(parseTrustPolicyWrite(again.tags[ROLE_TAGS.trustPolicyWrite])!.since).toBe(T0 + 10);
    const overTeam = automationWrites({ ...pinned, trustPolicy: doc('team-5') }, T0 + 40, doc('pinned-5'));
    expect(parseTrustPolicyWrite(overTeam.tags[ROLE_TAGS.trustPolicyWrite])!.since).toBe(T0 + 40);
  });
});

/** The re-application step as the function runs it (teamWriteStep), over an in-memory role. */
function step(role: Role, c: { second: number; document: unknown }): Role {
  const { marker, reapply } = teamWriteStep(role, { second: c.second, digest: policyDigest(c.document) });
  const tags = marker ? { ...role.tags, [ROLE_TAGS.trustPolicyWrite]: encodeTrustPolicyWrite(marker) } : role.tags;
  return { trustPolicy: reapply ? c.document : role.trustPolicy, tags };
}
const pin = (policy: unknown) => ({ pinned: policy });
/** After a step, the judgement: the automation pins whatever team document the role holds. */
function judged(role: Role, readSecond: number): Role {
  const current = role.trustPolicy as { pinned?: unknown };
  return current.pinned === undefined ? automationWrites(role, readSecond, pin(current)) : role;
}

describe('two team calls of one second, the later one seen by the automation’s read', () => {
  it.each([
    ['the later one first', ['fix', 'wildcard']],
    ['the earlier one first', ['wildcard', 'fix']],
  ])('end with the later one whichever is handled first (%s)', (_, order) => {
    // Prepare: created, then in second T0+2 a wildcard and a fix; the pin read the fix in that second
    const calls: Record<string, { second: number; document: unknown }> = {
      wildcard: { second: T0 + 2, document: doc('wildcard') },
      fix: { second: T0 + 2, document: doc('fix') },
    };
    let role = automationWrites({ trustPolicy: doc('fix'), tags: {} }, T0 + 2, pin(doc('fix')));
    // Act
    for (const [index, name] of order!.entries()) role = judged(step(role, calls[name!]!), T0 + 10 + index);
    // Assess
    expect(role.trustPolicy).toEqual(pin(doc('fix')));
  });
});

/**
 * The property the design rests on: team calls overwritten by one automation write, each at its
 * own second, are handled in any order, each followed by the automation's judgement (a pin of
 * whatever the role holds), with redelivered events and extra pins mixed in: the role ends with
 * the pin of the team's last call.
 */
describe('any handling order ends with the team’s last write (property)', () => {
  const SEED = 1919;
  it(`holds for generated orders (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.oneof(fc.nat(), fc.constant(-1)), { minLength: 1, maxLength: 20 }),
        (offsets, picks) => {
          // The automation read the role at T0 (the team's writes all landed after), and wrote its pin.
          let role = automationWrites({ trustPolicy: doc('created'), tags: {} }, T0, pin(doc('created')));
          let clock = T0 + 100;
          const calls = offsets.map((offset) => ({ second: T0 + offset, document: doc(`team-${offset}`) }));
          const handle = (c: { second: number; document: unknown }) => {
            clock += 1;
            role = step(role, c);
            // Then the role is judged as after any update: the automation pins what it holds.
            role = judged(role, clock);
          };
          // Every call is handled at least once, in the generated order; -1 is an extra pin (a sweep, a redelivered Create).
          const order = [...picks.map((p) => (p < 0 ? null : calls[p % calls.length]!)), ...calls];
          for (const c of order) {
            if (c) handle(c);
            else {
              clock += 1;
              role = automationWrites(role, clock, role.trustPolicy);
            }
          }
          const last = calls.reduce((a, b) => (b.second > a.second ? b : a));
          expect(role.trustPolicy).toEqual(pin(last.document));
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});
