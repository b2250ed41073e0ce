// Seeded PRNG (mulberry32) for deterministic property tests.
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rnd: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rnd() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

export function randomString(rnd: () => number, alphabet: string, minLen: number, maxLen: number): string {
  const len = minLen + Math.floor(rnd() * (maxLen - minLen + 1));
  let s = '';
  for (let i = 0; i < len; i++) s += pick(rnd, [...alphabet]);
  return s;
}
