/**
 * Person-name normalisation for record linkage.
 *
 * Family names are compared two ways downstream, so both forms are produced:
 * - `full`: the whole family name with spaces and hyphens removed, particles kept. VAN DER BERG, Van der Berg
 *   and VANDERBERG all become VANDERBERG; GARCIA-LOPEZ and GARCIA LOPEZ both become GARCIALOPEZ.
 * - `parts`: each hyphen- or space-separated part with particles dropped, so that GARCIA-LOPEZ can agree
 *   with a record that kept only GARCIA (a common way compound Hispanic surnames are registered), and
 *   VAN DER BERG with BERG.
 *
 * Generational suffixes (JR, SR, II, III, IV) are taken off the end of either name into `suffix`: they are
 * not part of the name, and a junior and a senior sharing name and address is one of the classic false
 * merges, so the matcher needs them as a field of their own.
 */

import { fold } from './text.js';

export type NameSuffix = 'JR' | 'SR' | 'II' | 'III' | 'IV' | 'V';

/**
 * Suffix spellings, as folded words (JR. folds to JR). A bare V is not here: at the end of a given name it is far
 * more often a middle initial (JOHN V) than "the fifth"; see FAMILY_ONLY_SUFFIXES.
 */
const SUFFIXES: ReadonlyMap<string, NameSuffix> = new Map<string, NameSuffix>([
  ['JR', 'JR'],
  ['JNR', 'JR'],
  ['JUNIOR', 'JR'],
  ['SR', 'SR'],
  ['SNR', 'SR'],
  ['SENIOR', 'SR'],
  ['II', 'II'],
  ['2ND', 'II'],
  ['III', 'III'],
  ['3RD', 'III'],
  ['IV', 'IV'],
  ['4TH', 'IV'],
  ['5TH', 'V'],
]);

/** Accepted as a suffix only at the end of a family name (SMITH V), never of a given name (JOHN V = an initial). */
const FAMILY_ONLY_SUFFIXES: ReadonlyMap<string, NameSuffix> = new Map<string, NameSuffix>([['V', 'V']]);

/**
 * Particles of European family names: written or omitted, joined or separate, capitalised or not, depending
 * on the clerk and the country (Van der Berg, van den Berg, VANDERBERG, Berg). They are kept in `full` and
 * dropped from `parts`. MAC and MC are not particles (MCDONALD is one name, never DONALD).
 * SAINT is here because ST JOHN and JOHN are often the same family name in registration data.
 */
const PARTICLES: ReadonlySet<string> = new Set([
  'VAN',
  'VON',
  'DE',
  'DER',
  'DEN',
  'DEL',
  'DELLA',
  'DA',
  'DI',
  'DU',
  'LA',
  'LE',
  'SAINT',
]);

/** Spellings of SAINT in family names: ST JOHN, ST. JOHN and SAINT JOHN must agree. */
const SAINT_SPELLINGS: ReadonlySet<string> = new Set(['ST', 'SAINT']);

/**
 * ST run into the name, as a system that keeps letters only sends it (STCLAIR, STJOHN, STPIERRE): no English
 * word starts with ST and a consonant other than R (STRONG), H or Y, so the ST can only be SAINT.
 */
const SAINT_RUN_ON = /^ST[BCDFGJKLMNPQSTVWXZ][A-Z]{2,}$/;

/** Titles dropped when they lead a given name (DR. JANE → JANE). */
const TITLES: ReadonlySet<string> = new Set(['DR', 'MR', 'MRS', 'MS', 'MISS', 'PROF', 'REV']);

/** Dashes of every kind (hyphen, en dash, em dash…): they join the parts of one name (ANNE-MARIE). */
const DASHES = /\s*\p{Pd}+\s*/u;

/**
 * The words of a raw name, each word the list of its hyphen-joined parts, folded:
 * "Anne-Marie  O'Neil" → [['ANNE', 'MARIE'], ['ONEIL']]. Each dash-separated piece is folded on its own, so
 * the hyphens survive folding (which turns every other punctuation mark into a space).
 */
function words(raw: string): string[][] {
  const marked = raw
    .split(DASHES)
    .map((piece) => fold(piece))
    .join('-');
  return marked
    .split(' ')
    .map((word) =>
      word
        .split('-')
        .filter((part) => part !== '')
        .map(misreadDigits),
    )
    .filter((parts) => parts.length > 0);
}

/**
 * The letter a digit inside a name was misread or mistyped for: a scanner reads O as 0, I as 1, S as 5, B as 8,
 * Z as 2, G as 6 (comparators/strings.ts OCR_CONFUSIONS). A 1 may have been an L as well; I is the likelier, and
 * the comparators take I / L as one misreading anyway.
 */
const DIGIT_LETTERS: Readonly<Record<string, string>> = { '0': 'O', '1': 'I', '2': 'Z', '3': 'E', '4': 'A', '5': 'S', '6': 'G', '7': 'T', '8': 'B', '9': 'G' };
const DIGIT = /[0-9]/g;
const HAS_DIGIT = /[0-9]/;
const HAS_LETTER = /\p{L}/u;

/**
 * A word of a name that mixes letters and digits is a name misread (TAYL0R, PR1CE, LOPE2): its digits are read as
 * the letters they stand for, so that it compares, blocks and counts as the name it is. A word of digits only, or a
 * suffix written with digits (3RD), is left as it is.
 */
function misreadDigits(part: string): string {
  if (!HAS_DIGIT.test(part) || !HAS_LETTER.test(part) || SUFFIXES.has(part)) return part;
  return part.replace(DIGIT, (d) => DIGIT_LETTERS[d]!);
}

/** The suffix a folded word stands for, if any. */
function suffixOf(word: string, family: boolean): NameSuffix | undefined {
  return SUFFIXES.get(word) ?? (family ? FAMILY_ONLY_SUFFIXES.get(word) : undefined);
}

/**
 * The generational suffix in a raw value on its own, as sent in a separate field (HL7 XPN.4):
 * 'Jr.' → 'JR', '3rd' → 'III'; undefined when it is not one.
 */
export function normalizeSuffix(raw: string | null | undefined): NameSuffix | undefined {
  return suffixOf(fold(raw ?? '').replace(/ /g, ''), true);
}

export interface NormalizedFamily {
  /** Folded, every part joined without spaces, particles kept: 'van der Berg' → 'VANDERBERG'. '' when empty. */
  full: string;
  /** Each hyphen- or space-separated part, particles dropped: 'van der Berg' → ['BERG']. */
  parts: string[];
  /** Generational suffix found at the end: 'Smith Jr.' → 'JR'. */
  suffix?: NameSuffix;
}

/**
 * Normalise a family name. A suffix is recognised only after at least one other word (JUNIOR alone is a
 * family name). Particles are dropped from `parts` only when something else remains: LE (Vietnamese Lê),
 * DA and DI are whole family names too.
 */
export function normalizeFamily(raw: string | null | undefined): NormalizedFamily {
  // Hyphens and spaces mean the same thing in a family name, so the word structure is flattened.
  const all = words(raw ?? '').flat();
  let suffix: NameSuffix | undefined;
  const last = all[all.length - 1];
  if (all.length > 1 && last !== undefined) {
    suffix = suffixOf(last, true);
    if (suffix !== undefined) all.pop();
  }
  const spelled = all.flatMap((p) => (SAINT_SPELLINGS.has(p) ? ['SAINT'] : SAINT_RUN_ON.test(p) ? ['SAINT', p.slice(2)] : [p]));
  const core = spelled.filter((p) => !PARTICLES.has(p));
  const result: NormalizedFamily = { full: spelled.join(''), parts: core.length > 0 ? core : spelled };
  if (suffix !== undefined) result.suffix = suffix;
  return result;
}

export interface NormalizedGiven {
  /** The first given name, hyphenated parts joined: 'Anne-Marie' → 'ANNEMARIE'. '' when empty. */
  first: string;
  /** The hyphen-joined parts of the first name: 'Anne-Marie' → ['ANNE', 'MARIE']; ['MARY'] for 'Mary'. */
  firstParts: string[];
  /** Further given names, each with its hyphens removed: 'Mary Anne' → ['ANNE']. */
  middle: string[];
  /** First letter of `first`, '' when there is none. */
  initial: string;
  /** Generational suffix found at the end: 'John Jr' → 'JR'. */
  suffix?: NameSuffix;
}

/**
 * Normalise the given names. A space separates given names (MARY ANNE → first MARY, middle ANNE); a hyphen
 * joins one compound name (ANNE-MARIE → first ANNEMARIE, parts ANNE, MARIE), because that is how the two are
 * used: a hyphenated name is always written whole, a second given name is often left out.
 * Leading titles (DR, MR, MRS, MS, MISS, PROF, REV) and a trailing suffix are removed, never the last word.
 */
export function normalizeGiven(raw: string | null | undefined): NormalizedGiven {
  const ws = words(raw ?? '');
  while (ws.length > 1 && isSingleWordIn(ws[0], TITLES)) ws.shift();
  let suffix: NameSuffix | undefined;
  const last = ws[ws.length - 1];
  if (ws.length > 1 && last !== undefined && last.length === 1 && last[0] !== undefined) {
    suffix = suffixOf(last[0], false);
    if (suffix !== undefined) ws.pop();
  }
  const firstParts = ws[0] ?? [];
  const first = firstParts.join('');
  const result: NormalizedGiven = {
    first,
    firstParts,
    middle: ws.slice(1).map((parts) => parts.join('')),
    initial: first.charAt(0),
  };
  if (suffix !== undefined) result.suffix = suffix;
  return result;
}

function isSingleWordIn(word: string[] | undefined, set: ReadonlySet<string>): boolean {
  return word !== undefined && word.length === 1 && word[0] !== undefined && set.has(word[0]);
}

/** True when the value is a single letter once folded ('J', 'j.', 'Ø'): an initial, not a name. */
export function isInitial(raw: string | null | undefined): boolean {
  return /^\p{L}$/u.test(fold(raw ?? ''));
}
