/**
 * The default comparisons between two persons (algorithms/person.ts), in Splink's vocabulary: each comparison
 * is an ordered list of levels, level 0 is the null level (a value missing on either side: no evidence), and
 * the first level whose condition holds wins. `compareVector` writes the index of that level for every
 * comparison, in the order of COMPARISON_NAMES; a model scoring these vectors must list the same comparisons
 * with the same level labels in the same order (fixtures/models/default-model.json does; a test pins it).
 *
 * Multi-valued fields (several names, addresses, phones) count the best level over all pairs of values.
 *
 * Levels (thresholds from comparators/names.ts: JW_HIGH 0.92, JW_MEDIUM 0.88):
 * - given_name  null | exact (first given names equal, or all given names joined equal: MARY ANN / MARYANN)
 *               | nickname (a common canonical form in the nickname table, or one's first name the other's
 *               middle name: JAMES MICHAEL / MICHAEL) | jw-high (Jaro-Winkler ≥ 0.92, or one keystroke or one
 *               OCR misreading apart with four letters or more: RYAN / RYQN, CARMEN / CARRNEN) | phonetic (a Double
 *               Metaphone code in common) | jw-medium | initial (J / JOHN) | else.
 * - family_name null | exact (equal, or same parts in any order) | any-part (GARCIA / GARCIA LOPEZ) | jw-high
 *               (as for given names: MARTIN / MQRTIN)
 *               | reversed (given and family swapped: the given name of each agrees at jw-high or better with
 *               the family name of the other, while the direct comparisons do not) | partial-swap (one name
 *               keyed in the other field, the other name different: SAM WEBB / WEBB JONES; the given name of
 *               one agrees at jw-high or better with the family name of the other, in either direction,
 *               while no direct comparison agrees better than phonetically) | phonetic | else.
 *               When the names are reversed or partly swapped, the given_name comparison is set to its null
 *               level: the joint evidence of both names is carried by family_name's level, once.
 * - dob         null | exact | day-month-swapped | one-digit | transposed-digits | year-off-by-one | within-days
 *               (30 days) | partial-agree | else (comparators/dates.ts).
 * - sex         null | exact | else.
 * - ssn         null | exact | one-digit-or-transposition | last-four | else (comparators/identifiers.ts).
 * - middle_name null | exact (first middle names equal, or at Jaro-Winkler ≥ 0.92, both longer than an initial;
 *               or first and middle names in each other's place: JOHN MICHAEL / MICHAEL JOHN)
 *               | initial (first letters agree: J / JAMES, J / J) | else. The first further given name of each
 *               name variant (the middle field, or the second word of the given name: MARY ANN → ANN); the
 *               best level over name variants.
 * - other_id    null (no identifier of a common system) | exact | one-digit-or-transposition | else: other person
 *               identifiers (algorithms/person.ts PersonIdentifierInput), compared within one system; the best
 *               level over all pairs of the same system.
 * - phone       null | exact | one-digit (one substituted digit or one adjacent transposition) | else.
 * - postcode    null | exact (US ZIP5 or 4-digit postcode) | city (postcodes differ or one is missing, and the
 *               cities agree at Jaro-Winkler ≥ 0.92) | else. City is a level of this comparison rather than a
 *               comparison of its own because, between different people, the same postcode almost implies the
 *               same city: two comparisons would count one piece of evidence twice (households, neighbours).
 * - street      null | exact (standardised line equal) | jw-high (the same address but for typos: street names
 *               at Jaro-Winkler ≥ 0.92, spaces ignored, and house numbers equal, one missing, or one keystroke
 *               apart: 12 / 13, 158 / 185, 5 / 55) | two-parts | one-part | else. The parts of an address are
 *               its house number, its street name and its other line (a building or locality: 'Tara Hills',
 *               'Villa 2'; a unit-only line such as 'Apt 4B' is no part). 'two-parts': two of them agree (names
 *               at Jaro-Winkler ≥ 0.92, spaces ignored; the number exactly), where a street name keyed in the
 *               other line's field and the other line in the street's (lines swapped) count as agreeing names:
 *               12 MAIN ST + TARA HILLS / 40 MAIN ST + TARA HILLS, or 77 NEALES ST + TARA HILLS / 77 TARA HILLS
 *               + NEALES ST. 'one-part': one name agrees (12 MAIN ST / 40 MAIN ST); a house number alone is no
 *               evidence. A line without a street name is no street (null).
 */

import { compareDates } from './comparators/dates.js';
import { compareIdentifiers } from './comparators/identifiers.js';
import { JW_HIGH, JW_MEDIUM } from './comparators/names.js';
import { damerauLevenshtein, jaroWinkler, ocrConfusionApart, oneEditApart } from './comparators/strings.js';
import type { NameVariant, Person } from './person.js';

export const COMPARISON_NAMES = ['given_name', 'family_name', 'dob', 'sex', 'ssn', 'phone', 'postcode', 'street', 'other_id', 'middle_name'] as const;
export type ComparisonName = (typeof COMPARISON_NAMES)[number];

export const LEVEL_LABELS = {
  given_name: ['null', 'exact', 'nickname', 'jw-high', 'phonetic', 'jw-medium', 'initial', 'else'],
  family_name: ['null', 'exact', 'any-part', 'jw-high', 'reversed', 'partial-swap', 'phonetic', 'else'],
  dob: ['null', 'exact', 'day-month-swapped', 'one-digit', 'transposed-digits', 'year-off-by-one', 'within-days', 'partial-agree', 'else'],
  sex: ['null', 'exact', 'else'],
  ssn: ['null', 'exact', 'one-digit-or-transposition', 'last-four', 'else'],
  phone: ['null', 'exact', 'one-digit', 'else'],
  postcode: ['null', 'exact', 'city', 'else'],
  street: ['null', 'exact', 'jw-high', 'two-parts', 'one-part', 'else'],
  other_id: ['null', 'exact', 'one-digit-or-transposition', 'else'],
  middle_name: ['null', 'exact', 'initial', 'else'],
} as const satisfies Record<ComparisonName, readonly string[]>;

/** Index of each comparison in the vector. */
export const C = {
  given_name: 0,
  family_name: 1,
  dob: 2,
  sex: 3,
  ssn: 4,
  phone: 5,
  postcode: 6,
  street: 7,
  other_id: 8,
  middle_name: 9,
} as const satisfies Record<ComparisonName, number>;

/** Index of a level by comparison and label; throws on an unknown label (a programming error). */
export function levelIndex<N extends ComparisonName>(comparison: N, label: (typeof LEVEL_LABELS)[N][number]): number {
  const i = (LEVEL_LABELS[comparison] as readonly string[]).indexOf(label);
  if (i < 0) throw new RangeError(`comparison ${comparison} has no level ${label}`);
  return i;
}

/** The null level is index 0 in every comparison. */
export const NULL_LEVEL = 0;

// Level indexes used below (kept as constants: this is the hot path).
const G_EXACT = 1, G_NICK = 2, G_JWH = 3, G_PHON = 4, G_JWM = 5, G_INIT = 6, G_ELSE = 7;
const F_EXACT = 1, F_PART = 2, F_JWH = 3, F_REV = 4, F_SWAP1 = 5, F_PHON = 6, F_ELSE = 7;
const DOB_OFFSET = 1; // DATE_LEVELS (comparators/dates.ts) shifted by the null level; 'disagree' is 'else'
const S_EXACT = 1, S_ELSE = 2;
const ID_EXACT = 1, ID_TYPO = 2, ID_LAST4 = 3, ID_ELSE = 4;
const P_EXACT = 1, P_ONE = 2, P_ELSE = 3;
const Z_EXACT = 1, Z_CITY = 2, Z_ELSE = 3;
const A_EXACT = 1, A_JWH = 2, A_TWO = 3, A_ONE = 4, A_ELSE = 5;
const O_EXACT = 1, O_TYPO = 2, O_ELSE = 3;
const M_EXACT = 1, M_INIT = 2, M_ELSE = 3;

const DATE_INDEX: Readonly<Record<string, number>> = {
  exact: 0,
  'day-month-swapped': 1,
  'one-digit': 2,
  'transposed-digits': 3,
  'year-off-by-one': 4,
  'within-days': 5,
  'partial-agree': 6,
  disagree: 7,
};

function shares(a: readonly string[], b: readonly string[]): boolean {
  for (const x of a) for (const y of b) if (x === y) return true;
  return false;
}

/**
 * A typo Jaro-Winkler undervalues: one keystroke or one OCR misreading apart and at least four letters each.
 * JW weighs a slip near the start of a short name heavily (MARTIN / MQRTIN 0.91, RYAN / RYQN 0.87), though it
 * is as much a typo as one at the end; and a scanner's RN for M (CARMEN / CARRNEN) is two edits to it.
 */
function oneKeystroke(x: string, y: string): boolean {
  return x.length >= 4 && y.length >= 4 && (oneEditApart(x, y) || ocrConfusionApart(x, y));
}

/** Given-name level of two name variants; NULL_LEVEL when either given name is unknown. */
export function givenLevel(a: NameVariant, b: NameVariant): number {
  const x = a.given;
  const y = b.given;
  if (x === '' || y === '') return NULL_LEVEL;
  if (x === y || a.givenJoined === b.givenJoined) return G_EXACT;
  if (shares(a.givenNicknames, b.givenNicknames)) return G_NICK;
  // One record's first name is the other's middle name: a person who goes by the middle name (JAMES MICHAEL /
  // MICHAEL), or first and middle keyed in each other's place. Weighed as a nickname: another form of the name.
  if (goesByMiddle(a, b) || goesByMiddle(b, a)) return G_NICK;
  let jw = jaroWinkler(x, y);
  if (a.givenJoined !== x || b.givenJoined !== y) jw = Math.max(jw, jaroWinkler(a.givenJoined, b.givenJoined));
  if (jw >= JW_HIGH || oneKeystroke(x, y)) return G_JWH;
  if (shares(a.givenCodes, b.givenCodes)) return G_PHON;
  if (jw >= JW_MEDIUM) return G_JWM;
  if ((x.length === 1 && y.charAt(0) === x) || (y.length === 1 && x.charAt(0) === y)) return G_INIT;
  return G_ELSE;
}

/** Family-name level of two name variants, without the 'reversed' test (see compareNamesInto). */
export function familyLevel(a: NameVariant, b: NameVariant): number {
  const x = a.family;
  const y = b.family;
  if (x === '' || y === '') return NULL_LEVEL;
  if (x === y) return F_EXACT;
  const ap = a.familyParts;
  const bp = b.familyParts;
  const multi = ap.length > 1 || bp.length > 1;
  if (multi || ap[0] !== x || bp[0] !== y) {
    if (a.familyPartsJoined === b.familyPartsJoined || a.familyPartsSorted === b.familyPartsSorted) return F_EXACT;
    for (const p of ap) if (p.length > 1 && bp.includes(p)) return F_PART;
  }
  let jw = jaroWinkler(x, y);
  if (multi) for (const p of ap) for (const q of bp) jw = Math.max(jw, jaroWinkler(p, q));
  if (jw >= JW_HIGH || oneKeystroke(x, y)) return F_JWH;
  if (shares(a.familyCodes, b.familyCodes)) return F_PHON;
  return F_ELSE;
}

/** At least jw-high between two single names (exact included). */
function strongAgreement(x: string, y: string): boolean {
  return x !== '' && y !== '' && (x === y || jaroWinkler(x, y) >= JW_HIGH);
}

/**
 * x is v's family name (jw-high or better), or one part of it when it has several: GARCIA of GARCIA-VASQUEZ, and
 * SHANNON of a family field that received SHANNON CATHERINE.
 */
function inFamily(x: string, v: NameVariant): boolean {
  return strongAgreement(x, v.family) || (v.familyParts.length > 1 && v.familyParts.includes(x));
}

/**
 * Given and family names swapped between a and b, each agreeing with the other: NGUYEN ANH / ANH NGUYEN, and with
 * a compound family name of which the swapped record kept one part (GAEL GARCIA-VASQUEZ / GARCIA GAEL) or into
 * which the given and middle names went (SHANNON FITZGERALD / FITZGERALD, SHANNON CATHERINE).
 */
function reversed(a: NameVariant, b: NameVariant): boolean {
  return a.given.length > 1 && b.given.length > 1 && inFamily(a.given, b) && inFamily(b.given, a);
}

/** One name keyed in the other field: a's given agrees with b's family, or a's family with b's given. */
function partlySwapped(a: NameVariant, b: NameVariant): boolean {
  return (a.given.length > 1 && strongAgreement(a.given, b.family)) || (b.given.length > 1 && strongAgreement(a.family, b.given));
}

/** Best (lowest non-null) of two levels, where NULL_LEVEL means "nothing yet". */
const better = (current: number, next: number): number => (next === NULL_LEVEL ? current : current === NULL_LEVEL ? next : Math.min(current, next));

function compareNamesInto(a: Person, b: Person, out: Uint8Array): void {
  let g = NULL_LEVEL;
  let f = NULL_LEVEL;
  let m = NULL_LEVEL;
  for (const va of a.names) for (const vb of b.names) {
    g = better(g, givenLevel(va, vb));
    f = better(f, familyLevel(va, vb));
    m = better(m, middleLevel(va, vb));
  }
  out[C.middle_name] = m;
  // Names reversed or partly swapped: only when neither direct comparison found a strong agreement.
  if ((f === F_ELSE || f === F_PHON) && (g === G_ELSE || g === G_JWM || g === G_PHON || g === G_INIT)) {
    let swap = NULL_LEVEL;
    outer: for (const va of a.names) for (const vb of b.names) {
      if (reversed(va, vb)) {
        swap = F_REV;
        break outer;
      }
      if (swap === NULL_LEVEL && partlySwapped(va, vb)) swap = F_SWAP1;
    }
    if (swap !== NULL_LEVEL) {
      f = swap;
      g = NULL_LEVEL;
    }
  }
  out[C.given_name] = g;
  out[C.family_name] = f;
}

/**
 * b's first name is a's first middle name (two letters or more: an initial says too little), and b's own middle
 * name, if any, is a's first name or its initial: JAMES MICHAEL / MICHAEL or MICHAEL J. Twins JOHN MICHAEL and
 * MICHAEL JAMES are two names.
 */
function goesByMiddle(a: NameVariant, b: NameVariant): boolean {
  const m = a.middle[0];
  if (m === undefined || m.length <= 1 || m !== b.given) return false;
  const bm = b.middle[0];
  return bm === undefined || bm === a.given || (bm.length === 1 && bm === a.givenInitial);
}

/** Middle-name level of two name variants; NULL_LEVEL when either has none. */
function middleLevel(a: NameVariant, b: NameVariant): number {
  const x = a.middle[0] ?? '';
  const y = b.middle[0] ?? '';
  if (x === '' || y === '') return NULL_LEVEL;
  // First and middle names keyed in each other's place (JOHN MICHAEL / MICHAEL JOHN): the same two names.
  if (x.length > 1 && x === b.given && y === a.given) return M_EXACT;
  if (x.length > 1 && y.length > 1 && (x === y || jaroWinkler(x, y) >= JW_HIGH)) return M_EXACT;
  return x.charCodeAt(0) === y.charCodeAt(0) ? M_INIT : M_ELSE;
}

function dobLevel(a: Person, b: Person): number {
  if (a.dob === null || b.dob === null) return NULL_LEVEL;
  return DOB_OFFSET + (DATE_INDEX[compareDates(a.dob, b.dob)] ?? 7);
}

function ssnLevel(a: Person, b: Person): number {
  if (a.ssn === null || b.ssn === null) return NULL_LEVEL;
  const l = compareIdentifiers(a.ssn, b.ssn);
  return l === 'exact' ? ID_EXACT : l === 'one-digit' || l === 'transposition' ? ID_TYPO : l === 'last-four' ? ID_LAST4 : ID_ELSE;
}

function phoneLevel(a: Person, b: Person): number {
  if (a.phones.length === 0 || b.phones.length === 0) return NULL_LEVEL;
  let best = P_ELSE;
  for (const x of a.phones) for (const y of b.phones) {
    if (x === y) return P_EXACT;
    const l = compareIdentifiers(x, y);
    if (l === 'one-digit' || l === 'transposition') best = P_ONE;
  }
  return best;
}

function postcodeLevel(a: Person, b: Person): number {
  const zips = a.postcodes.length > 0 && b.postcodes.length > 0;
  if (zips) for (const x of a.postcodes) if (b.postcodes.includes(x)) return Z_EXACT;
  const cities = a.cities.length > 0 && b.cities.length > 0;
  if (cities) {
    for (const x of a.cities) for (const y of b.cities) if (x === y || jaroWinkler(x, y) >= JW_HIGH) return Z_CITY;
  }
  return zips || cities ? Z_ELSE : NULL_LEVEL;
}

function otherIdLevel(a: Person, b: Person): number {
  let best = NULL_LEVEL;
  for (let i = 0; i < a.otherIdValues.length; i++) {
    for (let j = 0; j < b.otherIdValues.length; j++) {
      if (a.otherIdSystems[i] !== b.otherIdSystems[j]) continue;
      const l = compareIdentifiers(a.otherIdValues[i]!, b.otherIdValues[j]!);
      if (l === 'exact') return O_EXACT;
      best = l === 'one-digit' || l === 'transposition' ? O_TYPO : best === NULL_LEVEL ? O_ELSE : best;
    }
  }
  return best;
}

/** House numbers one keystroke apart: a substitution, an adjacent transposition, an insertion or a deletion. */
function numberTypo(x: string, y: string): boolean {
  if (x === '' || y === '' || Math.abs(x.length - y.length) > 1) return false;
  return damerauLevenshtein(x, y) <= 1;
}

/** Two address names agree: equal, or at Jaro-Winkler ≥ 0.92 with spaces ignored (`x`, `y` already compact). */
function namesAgree(x: string, y: string): boolean {
  return x !== '' && y !== '' && (x === y || jaroWinkler(x, y) >= JW_HIGH);
}

function streetLevel(a: Person, b: Person): number {
  if (a.streets.length === 0 || b.streets.length === 0) return NULL_LEVEL;
  let best = A_ELSE;
  for (let i = 0; i < a.streets.length; i++) {
    for (let j = 0; j < b.streets.length; j++) {
      if (a.streets[i] === b.streets[j]) return A_EXACT;
      if (best === A_JWH) continue;
      const na = a.streetNameKeys[i] ?? '';
      const nb = b.streetNameKeys[j] ?? '';
      const xa = a.streetNumbers[i] ?? '';
      const xb = b.streetNumbers[j] ?? '';
      const street = namesAgree(na, nb);
      if (street && (xa === xb || xa === '' || xb === '' || numberTypo(xa, xb))) {
        best = A_JWH;
        continue;
      }
      if (best === A_TWO) continue;
      const oa = a.streetOthers[i] ?? '';
      const ob = b.streetOthers[j] ?? '';
      let names = (street ? 1 : 0) + (namesAgree(oa, ob) ? 1 : 0);
      if (names === 0) names = (namesAgree(na, ob) ? 1 : 0) + (namesAgree(oa, nb) ? 1 : 0);
      const parts = names + (xa !== '' && xa === xb ? 1 : 0);
      if (parts >= 2) best = A_TWO;
      else if (names === 1) best = A_ONE;
    }
  }
  return best;
}

/**
 * The comparison vector of two persons: for each comparison (COMPARISON_NAMES order) the index of the level
 * that holds. Writes into `out` when given (no allocation for the vector), else into a new Uint8Array.
 */
export function compareVector(a: Person, b: Person, out: Uint8Array = new Uint8Array(COMPARISON_NAMES.length)): Uint8Array {
  compareNamesInto(a, b, out);
  out[C.dob] = dobLevel(a, b);
  out[C.sex] = a.sex === null || b.sex === null ? NULL_LEVEL : a.sex === b.sex ? S_EXACT : S_ELSE;
  out[C.ssn] = ssnLevel(a, b);
  out[C.phone] = phoneLevel(a, b);
  out[C.postcode] = postcodeLevel(a, b);
  out[C.street] = streetLevel(a, b);
  out[C.other_id] = otherIdLevel(a, b);
  return out;
}

/** The comparison vector with level labels, for explanations and tests: { given_name: 'exact', … }. */
export function compareLabels(a: Person, b: Person): Record<ComparisonName, string> {
  const v = compareVector(a, b);
  const out = {} as Record<ComparisonName, string>;
  COMPARISON_NAMES.forEach((name, i) => {
    out[name] = (LEVEL_LABELS[name] as readonly string[])[v[i] ?? 0] ?? 'null';
  });
  return out;
}

/**
 * The values whose frequency adjusts the exact levels of the name comparisons (term-frequency adjustment):
 * the primary given and family names, '' when unknown. A pair that agrees exactly uses the frequency of the
 * agreeing value; when the two records' keys differ (agreement through another name variant), use the
 * larger of the two frequencies (the more common value, the smaller weight).
 */
export function termFrequencyKeys(p: Person): { given_name: string; family_name: string } {
  return { given_name: p.given, family_name: p.family };
}
