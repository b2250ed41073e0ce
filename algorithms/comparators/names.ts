// Name comparison levels, on folded (upper-case, diacritic-free) single names.
//
// Levels, in the order tried; the first that holds wins (thresholds are the constants below):
// - 'exact'      identical.                                                    JOHN / JOHN
// - 'nickname'   the injected predicate says so, asked in both orders (so a one-directional table still
//                gives a symmetric result).                                    WILLIAM / BILL
// - 'jw-high'    Jaro-Winkler ≥ JW_HIGH (0.92).                                MARTHA / MARHTA (0.961)
// - 'phonetic'   a 4-character Double Metaphone code in common; both sides at least 2 characters (a single
//                letter is an initial, not a name).                            SMITH / SCHMIDT (XMT)
// - 'jw-medium'  Jaro-Winkler ≥ JW_MEDIUM (0.88).                              ANDERSON / ANDRESEN
// - 'initial'    one side is a single letter equal to the other's first letter. J / JOHN
// - 'disagree'   anything else.
// An empty string is a null: callers route it to the null level; if compared anyway it is 'disagree'.
// With a symmetric predicate (or none) every level is symmetric: compareNames(a, b) === compareNames(b, a).

import { phoneticMatch } from './phonetic.js';
import { jaroWinkler } from './strings.js';

/** Jaro-Winkler at or above this is 'jw-high'. */
export const JW_HIGH = 0.92;
/** Jaro-Winkler at or above this (and below JW_HIGH, without a phonetic match) is 'jw-medium'. */
export const JW_MEDIUM = 0.88;

/** Name levels in the order they are tried. */
export const NAME_LEVELS = [
  'exact',
  'nickname',
  'jw-high',
  'phonetic',
  'jw-medium',
  'initial',
  'disagree',
] as const;
export type NameLevel = (typeof NAME_LEVELS)[number];

export interface CompareNamesOptions {
  /** Nickname equivalence (e.g. from the nickname table); called with folded names. */
  areNicknames?: (a: string, b: string) => boolean;
}

export function compareNames(a: string, b: string, options: CompareNamesOptions = {}): NameLevel {
  if (a.length === 0 || b.length === 0) return 'disagree';
  if (a === b) return 'exact';
  const areNicknames = options.areNicknames;
  if (areNicknames !== undefined && (areNicknames(a, b) || areNicknames(b, a))) return 'nickname';
  const jw = jaroWinkler(a, b);
  if (jw >= JW_HIGH) return 'jw-high';
  if (a.length >= 2 && b.length >= 2 && phoneticMatch(a, b)) return 'phonetic';
  if (jw >= JW_MEDIUM) return 'jw-medium';
  if ((a.length === 1 && b[0] === a) || (b.length === 1 && a[0] === b)) return 'initial';
  return 'disagree';
}

/**
 * Family-name levels for multi-part names (hyphenated, compound, two surnames):
 * - 'exact'     the same parts, in any order, or the same letters once the parts are joined
 *               (GARCIA LOPEZ / LOPEZ GARCIA; DE LA CRUZ / DELACRUZ).
 * - 'any-part'  some part appears on both sides (GARCIA / GARCIA LOPEZ; SMITH-JONES / JONES).
 * - otherwise the best compareNames level (never 'exact', never 'nickname') over every pair of parts and
 *   the pair of joined names: 'jw-high' | 'phonetic' | 'jw-medium' | 'initial' | 'disagree'.
 * Empty parts are ignored; a side without parts is a null and gives 'disagree'. Symmetric.
 */
export const FAMILY_LEVELS = [
  'exact',
  'any-part',
  'jw-high',
  'phonetic',
  'jw-medium',
  'initial',
  'disagree',
] as const;
export type FamilyLevel = (typeof FAMILY_LEVELS)[number];

export function compareFamilyParts(aParts: readonly string[], bParts: readonly string[]): FamilyLevel {
  const as = aParts.filter((p) => p.length > 0);
  const bs = bParts.filter((p) => p.length > 0);
  if (as.length === 0 || bs.length === 0) return 'disagree';

  if (as.join('') === bs.join('') || sameMultiset(as, bs)) return 'exact';
  const bSet = new Set(bs);
  if (as.some((p) => bSet.has(p))) return 'any-part';

  let best: FamilyLevel = 'disagree';
  let bestRank = FAMILY_LEVELS.indexOf(best);
  const consider = (x: string, y: string): void => {
    const level = compareNames(x, y);
    // 'exact' between parts or joined names was handled above; 'nickname' needs a predicate.
    if (level === 'exact' || level === 'nickname') return;
    const rank = FAMILY_LEVELS.indexOf(level);
    if (rank < bestRank) {
      best = level;
      bestRank = rank;
    }
  };
  for (const x of as) for (const y of bs) consider(x, y);
  if (as.length > 1 || bs.length > 1) consider(as.join(''), bs.join(''));
  return best;
}

function sameMultiset(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

/**
 * The spelling skeleton of a folded name: what is left of it when the spellings English, Spanish and the usual
 * romanisations use for one sound are made one (CATHERINE / KATHERINE, NATALIA / NATALYA, JOSEFINA /
 * JOSEPHINA, MAKSIM / MAXIM, YASSIN / YASIN, ALIYA / ALIYAH):
 *   PH → F;  CK → K;  C before E, I, Y → S, any other C → K;  Q → K;  X → KS;  Y → I;
 *   then doubled letters are written once, and an H that ends the name after a vowel is dropped.
 * Vowels are otherwise kept, so names that sound different stay apart (KAYLA / KYLA, AIDEN / AIDAN, AVA / EVA).
 */
export function spellingSkeleton(name: string): string {
  let s = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    const next = name[i + 1];
    if (c === 'P' && next === 'H') {
      s += 'F';
      i++;
    } else if (c === 'C' && next === 'K') {
      s += 'K';
      i++;
    } else if (c === 'C') s += next === 'E' || next === 'I' || next === 'Y' ? 'S' : 'K';
    else if (c === 'Q') s += 'K';
    else if (c === 'X') s += 'KS';
    else if (c === 'Y') s += 'I';
    else s += c;
  }
  let out = '';
  for (const c of s) if (out[out.length - 1] !== c) out += c;
  if (out.length > 2 && out.endsWith('H') && 'AEIOU'.includes(out[out.length - 2]!)) out = out.slice(0, -1);
  return out;
}

/** The spelling skeleton of a name of three letters or more, '' for a shorter one (an abbreviation, not a spelling). */
export function spokenKey(name: string): string {
  return name.length >= 3 ? spellingSkeleton(name) : '';
}

/**
 * Two spellings of one spoken name: different, with the same spoken key (NOA / NOAH, LEA / LEAH). Parents do not
 * give twins two names that sound alike, so such a pair is one person's name spelled by two registrars.
 */
export function sameSpokenName(a: string, b: string): boolean {
  if (a === b) return false;
  const k = spokenKey(a);
  return k !== '' && k === spokenKey(b);
}
