/**
 * mulberry32: a small seedable generator, so fault storms, generated IDs and the order of
 * concurrent executions replay identically for the same seed. The one copy the Graph fake,
 * the IAM model and the scheduler share.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Version 4 UUIDs drawn from a seeded generator, so a replay gives objects the same IDs. */
export function seededUuid(random: () => number): () => string {
  const hex = () => Math.floor(random() * 16).toString(16);
  return () => {
    const digits = Array.from({ length: 32 }, hex);
    digits[12] = '4';
    digits[16] = '89ab'[Math.floor(random() * 4)]!;
    const s = digits.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  };
}
