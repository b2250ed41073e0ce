import { describe, expect, it } from 'vitest';
import { compareIdentifiers, IDENTIFIER_LEVELS, type IdentifierLevel } from '../../../algorithms/comparators/index.js';
import { mulberry32, pick, randomString } from '../../helpers/prng.js';

describe('compareIdentifiers', () => {
  it.each<[string, string, IdentifierLevel]>([
    // exact
    ['123456789', '123456789', 'exact'],
    // one-digit: one substitution; near misses: two substitutions, an insertion
    ['123456789', '123456788', 'one-digit'],
    ['123456789', '023456789', 'one-digit'],
    ['6175551234', '6175551235', 'one-digit'],
    ['123456789', '123456700', 'disagree'],
    ['12345678', '123456789', 'disagree'],
    // transposition: one adjacent swap; near misses: non-adjacent swap, adjacent pair not swapped
    ['123456789', '123457689', 'transposition'],
    ['123456789', '213456789', 'transposition'],
    ['123456789', '123456798', 'transposition'], // last two digits swapped: also differs in the last four
    ['123456789', '123654789', 'disagree'], // 4 and 6 swapped, not adjacent
    ['123456789', '123465780', 'disagree'], // three positions differ
    ['123456789', '123457889', 'disagree'], // 6→7 and 7→8: adjacent but not a swap
    // last-four; near misses: last three only, one side shorter than four
    ['123456789', '987656789', 'last-four'],
    ['4155551234', '6175551234', 'last-four'],
    ['5551234', '6175551234', 'last-four'], // lengths may differ
    ['123456789', '987654789', 'disagree'],
    ['789', '123456789', 'disagree'],
    // nulls never agree
    ['', '', 'disagree'],
    ['', '123456789', 'disagree'],
  ])('%s / %s → %s', (a, b, expected) => {
    expect(compareIdentifiers(a, b)).toBe(expected);
    expect(compareIdentifiers(b, a)).toBe(expected);
  });

  it('is symmetric and reaches every level (seeded sample of typo pairs)', () => {
    const rnd = mulberry32(99);
    const seen = new Set<IdentifierLevel>();
    for (let n = 0; n < 3000; n++) {
      const a = randomString(rnd, '0123456789', 9, 9);
      const chars = [...a];
      const i = Math.floor(rnd() * 8);
      const op = pick(rnd, ['same', 'sub', 'swap', 'prefix', 'random'] as const);
      if (op === 'sub') chars[i] = pick(rnd, [...'0123456789']);
      if (op === 'swap') [chars[i], chars[i + 1]] = [chars[i + 1] ?? '', chars[i] ?? ''];
      if (op === 'prefix') for (let k = 0; k < 5; k++) chars[k] = pick(rnd, [...'0123456789']);
      const b = op === 'random' ? randomString(rnd, '0123456789', 9, 9) : chars.join('');
      const level = compareIdentifiers(a, b);
      expect(compareIdentifiers(b, a), `${a} / ${b}`).toBe(level);
      seen.add(level);
    }
    expect([...seen].sort()).toEqual([...IDENTIFIER_LEVELS].sort());
  });
});
