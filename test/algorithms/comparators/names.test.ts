import { describe, expect, it } from 'vitest';
import {
  compareFamilyParts,
  compareNames,
  FAMILY_LEVELS,
  JW_HIGH,
  JW_MEDIUM,
  jaroWinkler,
  NAME_LEVELS,
  sameSpokenName,
  spellingSkeleton,
  type FamilyLevel,
  type NameLevel,
} from '../../../algorithms/comparators/index.js';
import { mulberry32, pick } from '../../helpers/prng.js';

// A deliberately one-directional table (nickname → canonical): compareNames must ask both ways.
const NICKNAMES = new Map<string, string[]>([
  ['BILL', ['WILLIAM']],
  ['WILL', ['WILLIAM']],
  ['BOB', ['ROBERT']],
  ['PEGGY', ['MARGARET']],
  ['JON', ['JOHN', 'JONATHAN']],
]);
const areNicknames = (a: string, b: string): boolean => NICKNAMES.get(a)?.includes(b) ?? false;

describe('compareNames', () => {
  it('orders its levels and thresholds as documented', () => {
    expect(NAME_LEVELS).toEqual(['exact', 'nickname', 'jw-high', 'phonetic', 'jw-medium', 'initial', 'disagree']);
    expect(JW_HIGH).toBe(0.92);
    expect(JW_MEDIUM).toBe(0.88);
  });

  it.each<[string, string, NameLevel]>([
    // exact
    ['JOHN', 'JOHN', 'exact'],
    ['J', 'J', 'exact'],
    // nickname (needs the predicate; asked in both orders)
    ['WILLIAM', 'BILL', 'nickname'],
    ['BILL', 'WILLIAM', 'nickname'],
    ['MARGARET', 'PEGGY', 'nickname'],
    ['JOHN', 'JON', 'nickname'], // would be jw-high (0.933) without the table: nickname comes first
    ['BILL', 'ROBERT', 'disagree'], // near miss: nicknames of different names
    // jw-high (≥ 0.92, inclusive)
    ['MARTHA', 'MARHTA', 'jw-high'],
    ['KATHERINE', 'CATHERINE', 'jw-high'],
    ['MARIA', 'MARIO', 'jw-high'], // exactly 0.92
    // phonetic (Double Metaphone, 4 characters)
    ['SMITH', 'SCHMIDT', 'phonetic'], // JW 0.699
    ['STEPHEN', 'STEVEN', 'phonetic'], // JW 0.894: phonetic is tried before jw-medium
    ['ANDERSON', 'ANDRESEN', 'phonetic'], // JW 0.908
    ['SMITH', 'JONES', 'disagree'], // near miss
    // jw-medium (≥ 0.88, no phonetic match)
    ['LAURA', 'LAUREN', 'jw-medium'], // 0.893
    ['JONSSON', 'JOHANSON', 'jw-medium'], // 0.895
    ['JOHN', 'JONATHAN', 'disagree'], // near miss: JW 0.80 (and no nickname predicate here)
    ['JO', 'JOHN', 'disagree'], // near miss: JW 0.867, and JO is not a single letter
    // initial
    ['J', 'JOHN', 'initial'],
    ['J', 'JAY', 'initial'], // same metaphone code J, but a single letter is not a phonetic match
    ['J', 'MARY', 'disagree'], // near miss
    // nulls
    ['', '', 'disagree'],
    ['', 'JOHN', 'disagree'],
  ])('%j / %j → %s', (a, b, expected) => {
    const useTable = expected === 'nickname' || a === 'BILL';
    const options = useTable ? { areNicknames } : {};
    expect(compareNames(a, b, options)).toBe(expected);
    expect(compareNames(b, a, options)).toBe(expected);
  });

  it('uses the thresholds it documents', () => {
    expect(jaroWinkler('MARIA', 'MARIO')).toBeGreaterThanOrEqual(JW_HIGH);
    expect(jaroWinkler('LAURA', 'LAUREN')).toBeLessThan(JW_HIGH);
    expect(jaroWinkler('LAURA', 'LAUREN')).toBeGreaterThanOrEqual(JW_MEDIUM);
    expect(jaroWinkler('JO', 'JOHN')).toBeLessThan(JW_MEDIUM);
    expect(compareNames('WILLIAM', 'BILL')).toBe('disagree'); // no predicate, no nickname level
  });
});

describe('compareFamilyParts', () => {
  it.each<[string[], string[], FamilyLevel]>([
    [['SMITH'], ['SMITH'], 'exact'],
    [['GARCIA', 'LOPEZ'], ['LOPEZ', 'GARCIA'], 'exact'], // same parts, any order
    [['DE', 'LA', 'CRUZ'], ['DELACRUZ'], 'exact'], // same letters once joined
    [['', 'SMITH'], ['SMITH'], 'exact'], // empty parts ignored
    [['GARCIA'], ['GARCIA', 'LOPEZ'], 'any-part'],
    [['SMITH', 'JONES'], ['JONES'], 'any-part'],
    [['GARCIA', 'LOPEZ'], ['GARCIA', 'LOPEZ', 'MARTIN'], 'any-part'],
    [['GARCIA', 'LOPES'], ['LOPEZ'], 'jw-high'], // best pair LOPES / LOPEZ (0.92)
    [['MC', 'DONALD'], ['MACDONALD'], 'jw-high'], // only the joined names are close (MCDONALD / MACDONALD)
    [['SCHMIDT', 'NGUYEN'], ['SMITH'], 'phonetic'],
    [['LAUREN', 'NGUYEN'], ['LAURA', 'OKAFOR'], 'jw-medium'],
    [['G'], ['GARCIA', 'LOPEZ'], 'initial'],
    [['NGUYEN'], ['SMITH', 'JONES'], 'disagree'],
    [[], ['SMITH'], 'disagree'],
    [[''], [''], 'disagree'],
  ])('%j / %j → %s', (a, b, expected) => {
    expect(compareFamilyParts(a, b)).toBe(expected);
    expect(compareFamilyParts(b, a)).toBe(expected);
  });
});

// Seeded sample of name pairs: a base name against itself, a typo of it, a nickname, an initial, or another name.
const GIVEN = ['WILLIAM', 'BILL', 'ROBERT', 'BOB', 'MARGARET', 'PEGGY', 'JOHN', 'JON', 'JONATHAN', 'STEPHEN',
  'STEVEN', 'KATHERINE', 'CATHERINE', 'MARTHA', 'LAURA', 'LAUREN', 'MARIA', 'MARIO', 'JOSE', 'ANNA', 'ANNE'];
const FAMILY = ['SMITH', 'SCHMIDT', 'SMYTH', 'GARCIA', 'LOPEZ', 'LOPES', 'ANDERSON', 'ANDRESEN', 'JOHNSON',
  'JONSSON', 'JOHANSON', 'NGUYEN', 'MACDONALD', 'MCDONALD', 'OKAFOR'];

function perturb(rnd: () => number, name: string): string {
  const chars = [...name];
  const i = Math.floor(rnd() * chars.length);
  switch (Math.floor(rnd() * 6)) {
    case 0: return name;
    case 1: chars[i] = pick(rnd, [...'AEIOUKSTN']); return chars.join('');
    case 2: chars.splice(i, 1); return chars.join('');
    case 3: if (i + 1 < chars.length) [chars[i], chars[i + 1]] = [chars[i + 1] ?? '', chars[i] ?? '']; return chars.join('');
    case 4: return name.slice(0, 1);
    default: return pick(rnd, [...GIVEN, ...FAMILY]);
  }
}

describe('symmetry over a seeded random sample of name pairs', () => {
  it('compareNames(a, b) === compareNames(b, a), reaching every level', () => {
    const rnd = mulberry32(8675309);
    const seen = new Set<NameLevel>();
    for (let n = 0; n < 4000; n++) {
      const a = pick(rnd, [...GIVEN, ...FAMILY]);
      const b = rnd() < 0.15 ? pick(rnd, [...NICKNAMES.keys()]) : perturb(rnd, a);
      const level = compareNames(a, b, { areNicknames });
      expect(compareNames(b, a, { areNicknames }), `${a} / ${b}`).toBe(level);
      expect(jaroWinkler(a, b)).toBe(jaroWinkler(b, a));
      seen.add(level);
    }
    expect([...seen].sort()).toEqual([...NAME_LEVELS].sort());
  });

  it('compareFamilyParts(a, b) === compareFamilyParts(b, a), reaching every level', () => {
    const rnd = mulberry32(424242);
    const seen = new Set<FamilyLevel>();
    const parts = (): string[] => Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => pick(rnd, FAMILY));
    for (let n = 0; n < 4000; n++) {
      const a = parts();
      const b = rnd() < 0.5 ? a.map((p) => perturb(rnd, p)) : parts();
      const level = compareFamilyParts(a, b);
      expect(compareFamilyParts(b, a), `${a.join(' ')} / ${b.join(' ')}`).toBe(level);
      seen.add(level);
    }
    expect([...seen].sort()).toEqual([...FAMILY_LEVELS].sort());
  });
});

describe('spellingSkeleton / sameSpokenName', () => {
  it.each([
    ['CATHERINE', 'KATHERINE'],
    ['NATALIA', 'NATALYA'],
    ['JOSEFINA', 'JOSEPHINA'],
    ['MAKSIM', 'MAXIM'],
    ['KSENIA', 'XENIA'],
    ['YASSIN', 'YASIN'],
    ['ALIYA', 'ALIYAH'],
    ['AALIYAH', 'ALIYA'],
    ['SERGEI', 'SERGEY'],
    ['JAXON', 'JACKSON'],
    ['ARACELI', 'ARACELY'],
    ['LETICIA', 'LETISIA'],
    ['SARAH', 'SARA'],
    ['PHILLIP', 'PHILIP'],
    ['NOA', 'NOAH'],
    ['MIA', 'MYA'],
  ])('%s / %s: one spoken name', (a, b) => {
    expect(spellingSkeleton(a)).toBe(spellingSkeleton(b));
    expect(sameSpokenName(a, b)).toBe(true);
    expect(sameSpokenName(b, a)).toBe(true);
  });

  it.each([
    ['KAYLA', 'KYLA'],
    ['AIDEN', 'AIDAN'],
    ['JAYDEN', 'JAYLEN'],
    ['LILY', 'LILA'],
    ['ISABEL', 'ISABELLA'],
    ['TAMIKA', 'TAMEKA'],
    ['JOHN', 'JON'],
    ['JO', 'JOH'], // a two-letter form is an abbreviation
    ['JOHN', 'JOHN'], // the same spelling is not "another spelling"
  ])('%s / %s: not another spelling of one name', (a, b) => {
    expect(sameSpokenName(a, b)).toBe(false);
  });

  it('keeps the letters that tell names apart: vowels, an H inside the name, a final H after a consonant', () => {
    expect(spellingSkeleton('PHOEBE')).toBe('FOEBE');
    expect(spellingSkeleton('CICELY')).toBe('SISELI');
    expect(spellingSkeleton('JOHN')).toBe('JOHN');
    expect(spellingSkeleton('JUDITH')).toBe('JUDITH');
    expect(spellingSkeleton('QUINN')).toBe('KUIN');
  });
});
