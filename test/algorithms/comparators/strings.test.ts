import naturalJaroWinkler from 'natural/lib/natural/distance/jaro-winkler_distance.js';
import naturalLevenshtein from 'natural/lib/natural/distance/levenshtein_distance.js';
import { describe, expect, it } from 'vitest';
import { damerauLevenshtein, jaccardTokens, jaro, jaroWinkler, levenshtein, neighbouringKeys, OCR_CONFUSIONS, ocrConfusionApart, oneEditApart, oneKeystrokeApart, substitutionAt } from '../../../algorithms/comparators/index.js';
import { mulberry32, pick, randomString } from '../../helpers/prng.js';

describe('jaroWinkler', () => {
  it.each([
    ['MARTHA', 'MARHTA', 0.961],
    ['DWAYNE', 'DUANE', 0.84],
    ['DIXON', 'DICKSONX', 0.813],
    ['JON', 'JOHN', 0.933],
    ['LAURA', 'LAUREN', 0.893],
  ])('%s / %s ≈ %f (known value)', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 3);
    expect(Math.abs(jaroWinkler(a, b) - expected)).toBeLessThanOrEqual(0.001);
  });

  it.each([
    // one character
    ['A', 'A', 1],
    ['A', 'B', 0],
    ['A', 'AB', 0.85], // jaro (1 + 1/2 + 1)/3, prefix 1
    ['A', 'BA', 2.5 / 3], // window clamped to 1: the A matches; no common prefix
    // two characters
    ['AB', 'AB', 1],
    ['AB', 'BA', 2.5 / 3], // m = 2, one transposition: (1 + 1 + 1/2)/3; natural gives 0
    ['AB', 'AC', 0.7], // m = 1: 2/3 + 0.1 * 1/3
    ['AB', 'CD', 0],
    // three characters
    ['ABC', 'BAC', (1 + 1 + 2 / 3) / 3], // natural: 0.556 (only C matches with window 0)
    ['ABC', 'ACB', (1 + 1 + 2 / 3) / 3 + 0.1 * (1 - (1 + 1 + 2 / 3) / 3)],
  ])('short strings: %s / %s = %f', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 12);
  });

  it.each([
    ['', ''],
    ['', 'A'],
    ['SMITH', ''],
  ])('empty is a null and never agrees: %j / %j → 0', (a, b) => {
    expect(jaroWinkler(a, b)).toBe(0);
    expect(jaro(a, b)).toBe(0);
  });

  it('is case-sensitive: inputs are expected folded already', () => {
    expect(jaroWinkler('J', 'j')).toBe(0);
    expect(jaroWinkler('JOHN', 'john')).toBe(0);
  });

  it('natural really is wrong on the short cases we correct (drop the workaround if this starts failing)', () => {
    expect(naturalJaroWinkler('AB', 'BA')).toBe(0);
    expect(naturalJaroWinkler('ABC', 'BAC')).toBeCloseTo(0.556, 3);
  });

  it('equals natural exactly whenever the longer string has 4+ characters', () => {
    const rnd = mulberry32(20240601);
    const names = ['MARTHA', 'MARHTA', 'DWAYNE', 'DUANE', 'DIXON', 'DICKSONX', 'JOHNSON', 'JONSSON', 'ANN', 'ANNA'];
    let compared = 0;
    for (let n = 0; n < 5000; n++) {
      const a = n % 5 === 0 ? pick(rnd, names) : randomString(rnd, 'ABCDE', 1, 9);
      const b = n % 5 === 0 ? pick(rnd, names) : randomString(rnd, 'ABCDE', 1, 9);
      if (Math.max(a.length, b.length) < 4) continue;
      expect(jaroWinkler(a, b), `${a} / ${b}`).toBe(naturalJaroWinkler(a, b));
      compared++;
    }
    expect(compared).toBeGreaterThan(4000);
  });

  it('is symmetric, in [0, 1], and 1 only for identical strings (seeded sample)', () => {
    const rnd = mulberry32(7);
    for (let n = 0; n < 5000; n++) {
      const a = randomString(rnd, 'ABC', 0, 6);
      const b = randomString(rnd, 'ABC', 0, 6);
      const v = jaroWinkler(a, b);
      expect(v, `${a} / ${b}`).toBe(jaroWinkler(b, a));
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      if (a !== b) expect(v).toBeLessThan(1);
      else if (a.length > 0) expect(v).toBe(1);
    }
  });
});

// Independent oracle: breadth-first search over single edits (unit costs). With transpositions this is the
// true (unrestricted) Damerau-Levenshtein distance; without, Levenshtein.
function bfsDistance(a: string, b: string, transpositions: boolean): number {
  const alphabet = [...new Set([...a, ...b])];
  const maxLen = Math.max(a.length, b.length) + 1;
  let frontier = [a];
  const seen = new Set(frontier);
  for (let dist = 0; ; dist++) {
    const next: string[] = [];
    for (const s of frontier) {
      if (s === b) return dist;
      const out: string[] = [];
      for (let i = 0; i < s.length; i++) {
        out.push(s.slice(0, i) + s.slice(i + 1));
        for (const c of alphabet) out.push(s.slice(0, i) + c + s.slice(i + 1));
        if (transpositions && i + 1 < s.length) out.push(s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2));
      }
      if (s.length < maxLen) for (let i = 0; i <= s.length; i++) for (const c of alphabet) out.push(s.slice(0, i) + c + s.slice(i));
      for (const t of out) if (!seen.has(t)) { seen.add(t); next.push(t); }
    }
    frontier = next;
  }
}

// Independent oracle for optimal string alignment (textbook DP).
function osa(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push(Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = v;
    }
  }
  return at(a.length, b.length);
}

describe('damerauLevenshtein and levenshtein', () => {
  it.each([
    ['CA', 'ABC', 2, 3, 3],
    ['ACA', 'AAAA', 2, 2, 2], // natural's unrestricted variant says 1 (issue #757)
    ['MARTHA', 'MARHTA', 1, 1, 2],
    ['KITTEN', 'SITTING', 3, 3, 3],
    ['AB', 'BA', 1, 1, 2],
    ['', 'ABC', 3, 3, 3],
    ['ABC', '', 3, 3, 3],
    ['', '', 0, 0, 0],
    ['SMITH', 'SMITH', 0, 0, 0],
  ])('%s → %s: unrestricted %i, restricted %i, levenshtein %i', (a, b, unrestricted, restricted, lev) => {
    expect(damerauLevenshtein(a, b)).toBe(unrestricted);
    expect(damerauLevenshtein(a, b, { restricted: false })).toBe(unrestricted);
    expect(damerauLevenshtein(a, b, { restricted: true })).toBe(restricted);
    expect(levenshtein(a, b)).toBe(lev);
  });

  it("natural's unrestricted variant is wrong on repeated letters (why we use our own)", () => {
    expect(naturalLevenshtein.DamerauLevenshteinDistance('ACA', 'AAAA')).toBe(1);
  });

  it('match independent oracles and are symmetric (seeded sample)', () => {
    const rnd = mulberry32(42);
    for (let n = 0; n < 400; n++) {
      const a = randomString(rnd, 'ABC', 0, 5);
      const b = randomString(rnd, 'ABC', 0, 5);
      const label = `${a} / ${b}`;
      expect(damerauLevenshtein(a, b), label).toBe(bfsDistance(a, b, true));
      expect(levenshtein(a, b), label).toBe(bfsDistance(a, b, false));
      expect(damerauLevenshtein(a, b, { restricted: true }), label).toBe(osa(a, b));
      expect(damerauLevenshtein(a, b), label).toBe(damerauLevenshtein(b, a));
      expect(damerauLevenshtein(a, b, { restricted: true }), label).toBe(damerauLevenshtein(b, a, { restricted: true }));
    }
  });
});

describe('oneEditApart', () => {
  it.each([
    ['MARTIN', 'MQRTIN', true],
    ['JENNIFER', 'JENNIFRE', true],
    ['JENNIFER', 'JENIFER', true],
    ['ROBERT', 'ROERT', true],
    ['ANA', 'ANNA', true],
    ['RYAN', 'YRAN', true],
    ['MARTIN', 'MARTIN', false],
    ['MARTIN', 'MRATNI', false],
    ['ABC', 'CA', false],
    ['', 'A', true],
    ['', '', false],
  ])('%s / %s → %s', (a, b, expected) => {
    expect(oneEditApart(a, b)).toBe(expected);
    expect(oneEditApart(b, a)).toBe(expected);
  });

  it('is damerauLevenshtein === 1 on random short strings (few letters, so edits collide)', () => {
    const rnd = mulberry32(20261125);
    for (let i = 0; i < 20_000; i++) {
      const a = randomString(rnd, 'ABC', 0, 6);
      const b = rnd() < 0.5 ? randomString(rnd, 'ABC', 0, 6) : mutateOnce(rnd, a);
      expect(oneEditApart(a, b), `${a} / ${b}`).toBe(damerauLevenshtein(a, b) === 1);
    }
  });
});

describe('neighbouringKeys (QWERTY)', () => {
  it.each([
    ['N', 'M', true],
    ['Q', 'W', true],
    ['Q', 'A', true],
    ['W', 'A', true],
    ['A', 'Z', true],
    ['S', 'Z', true],
    ['D', 'Z', false],
    ['E', 'R', true],
    ['E', '3', true],
    ['E', '4', true],
    ['E', '2', false],
    ['I', 'A', false],
    ['I', 'O', true],
    ['I', 'K', true],
    ['I', 'J', true],
    ['I', 'L', false],
    ['P', 'L', true],
    ['M', 'K', true],
    ['M', 'J', true],
    ['M', 'L', false],
    ['A', 'A', false],
    ['A', '-', false],
  ])('%s / %s → %s', (x, y, expected) => {
    expect(neighbouringKeys(x, y)).toBe(expected);
    expect(neighbouringKeys(y, x)).toBe(expected);
  });
});

describe('oneKeystrokeApart', () => {
  it.each([
    ['JOHN', 'JOHM', true, 'N / M side by side'],
    ['MINH', 'MANH', false, 'I and A are far apart'],
    ['MINH', 'MINJ', true, 'H / J side by side'],
    ['SARA', 'SARAH', true, 'a letter added'],
    ['MARIA', 'MRAIA', true, 'a transposition'],
    ['ANH', 'AN', true, 'a letter dropped'],
    ['LUIS', 'LUIS', false, 'the same'],
    ['TRAN', 'TRIN', false, 'A and I are far apart'],
    ['TRAN', 'TRANH', true, 'a letter added'],
  ])('%s / %s → %s (%s)', (a, b, expected) => {
    expect(oneKeystrokeApart(a, b)).toBe(expected);
    expect(oneKeystrokeApart(b, a)).toBe(expected);
  });

  it('is oneEditApart less the substitutions between keys that do not touch', () => {
    const rnd = mulberry32(20261202);
    for (let i = 0; i < 20_000; i++) {
      const a = randomString(rnd, 'AEINMK', 1, 6);
      const b = rnd() < 0.5 ? randomString(rnd, 'AEINMK', 1, 6) : mutateOnce(rnd, a);
      let expected = oneEditApart(a, b);
      if (expected && a.length === b.length) {
        const diff = [...a].flatMap((c, j) => (c === b[j] ? [] : [j]));
        if (diff.length === 1) expected = neighbouringKeys(a[diff[0]!]!, b[diff[0]!]!);
      }
      expect(oneKeystrokeApart(a, b), `${a} / ${b}`).toBe(expected);
    }
  });
});

describe('substitutionAt', () => {
  it.each([
    ['MINH', 'MANH', 1],
    ['JOHN', 'JOHM', 3],
    ['XAVIER', 'ZAVIER', 0],
    ['MARIA', 'MRAIA', -1], // a transposition
    ['SARA', 'SARAH', -1], // a letter added
    ['TEMIUTOPE', 'TEMITOPE', -1], // a letter dropped
  ])('%s / %s → %i', (a, b, expected) => {
    expect(substitutionAt(a, b)).toBe(expected);
    expect(substitutionAt(b, a)).toBe(expected);
  });
});

describe('ocrConfusionApart', () => {
  it.each([
    ['RAVI', 'RAUI', true], // U / V
    ['HARISH', 'HARLSH', true], // I / L
    ['STANISLAW', 'STANISLAVV', true], // VV / W
    ['ANNA', 'AMA', true], // NN / M
    ['CARMEN', 'CAMEN', false], // a letter dropped: a keystroke, not a misreading
    ['SARNIA', 'SAMIA', true], // RN / M
    ['DANA', 'CLANA', true], // CL / D at the start
    ['JOSE', 'JOSF', true], // E / F: the bottom bar lost
    ['NINA', 'MINA', false], // one key apart, and two names
    ['KARA', 'LARA', false],
    ['MINJI', 'MINJU', false],
    ['KELLY', 'KEIIY', false], // two misreadings
    ['RAVI', 'RAVI', false],
    ['', 'U', false],
  ])('%s / %s → %s', (a, b, expected) => {
    expect(ocrConfusionApart(a, b)).toBe(expected);
    expect(ocrConfusionApart(b, a)).toBe(expected);
  });

  it('is one replacement of one confusion, on random strings of confusable letters', () => {
    const bruteForce = (a: string, b: string) => {
      for (const [x, y] of OCR_CONFUSIONS) {
        for (const [from, to] of [
          [x, y],
          [y, x],
        ] as const) {
          for (let i = a.indexOf(from); i >= 0; i = a.indexOf(from, i + 1)) if (a.slice(0, i) + to + a.slice(i + from.length) === b) return true;
        }
      }
      return false;
    };
    const rnd = mulberry32(20261202);
    for (let i = 0; i < 20_000; i++) {
      const a = randomString(rnd, 'UVILWRNMCDA', 0, 6);
      let b = randomString(rnd, 'UVILWRNMCDA', 0, 6);
      if (rnd() < 0.5 && a.length > 0) {
        const [x, y] = pick(rnd, OCR_CONFUSIONS);
        const j = a.indexOf(x);
        if (j >= 0) b = a.slice(0, j) + y + a.slice(j + x.length);
      }
      expect(ocrConfusionApart(a, b), `${a} / ${b}`).toBe(a !== b && bruteForce(a, b));
    }
  });
});

/** One random edit of any kind (or none, when the string is too short for the one drawn). */
function mutateOnce(rnd: () => number, s: string): string {
  const i = Math.floor(rnd() * (s.length + 1));
  const c = pick(rnd, ['A', 'B', 'C']);
  switch (Math.floor(rnd() * 4)) {
    case 0:
      return s.slice(0, i) + c + s.slice(i + 1);
    case 1:
      return s.slice(0, i) + c + s.slice(i);
    case 2:
      return s.slice(0, i) + s.slice(i + 1);
    default:
      return i + 1 < s.length ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : s;
  }
}

describe('jaccardTokens', () => {
  it.each([
    ['MARY ANN', 'ANN MARY', 1],
    ['GARCIA LOPEZ', 'GARCIA', 0.5],
    ['A B C', 'B C D', 0.5],
    ['A  B', 'B   A ', 1], // any whitespace run separates; repeated tokens count once
    ['A A B', 'A B', 1],
    ['SMITH', 'JONES', 0],
    ['', '', 0],
    ['SMITH', '', 0],
    ['   ', 'SMITH', 0],
  ])('%j / %j = %f', (a, b, expected) => {
    expect(jaccardTokens(a, b)).toBe(expected);
    expect(jaccardTokens(b, a)).toBe(expected);
  });
});
