// Seeded PRNG (mulberry32) for deterministic property tests: the one algorithms/ uses.
export { mulberry32 } from '../../algorithms/random.js';

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
