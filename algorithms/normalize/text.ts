/**
 * Text folding shared by every normaliser: two spellings of the same name that differ only in case,
 * accents, apostrophes or punctuation must fold to the same string, or the comparators downstream would
 * score a clerical difference as a disagreement.
 */

/**
 * Apostrophes and look-alikes, removed outright rather than turned into a space, so that O'BRIEN and OBRIEN
 * (and D'ANGELO / DANGELO) agree. The acute accent (U+00B4) is here because it is often typed for an apostrophe
 * and NFKD would turn it into a space. The ʻokina (U+02BB) is written or dropped freely in Hawaiian names.
 */
const APOSTROPHES = /['\u2018\u2019\u201B\u02BB\u02BC\u0060\u00B4\u2032]/gu;

/** Combining marks left behind by NFKD: MÜLLER → MU + ¨ + LLER → MULLER. */
const COMBINING_MARKS = /\p{M}/gu;

/**
 * Letters that NFKD does not decompose into a base letter plus a mark, mapped to the ASCII spelling a clerk
 * would use. ß is written SS (upper case has no single letter for it in common use).
 */
const UNDECOMPOSABLE_LETTERS: Readonly<Record<string, string>> = {
  ß: 'SS',
  ẞ: 'SS',
  Æ: 'AE',
  æ: 'AE',
  Œ: 'OE',
  œ: 'OE',
  Ø: 'O',
  ø: 'O',
  Ł: 'L',
  ł: 'L',
  Đ: 'D',
  đ: 'D',
  Ð: 'D',
  ð: 'D',
  Þ: 'TH',
  þ: 'TH',
  Ħ: 'H',
  ħ: 'H',
  ı: 'I',
  Ŧ: 'T',
  ŧ: 'T',
};
const UNDECOMPOSABLE = new RegExp(`[${Object.keys(UNDECOMPOSABLE_LETTERS).join('')}]`, 'gu');

/** Anything that is not a letter or a digit (in any script) separates words. */
const NON_WORD = /[^\p{L}\p{N}]+/gu;

/**
 * Canonical form of free text for matching: NFKD, combining marks stripped, special letters spelt out
 * (ß → SS, Æ → AE, Ø → O, Ł → L), upper case, apostrophes removed, any other punctuation (hyphens, dots,
 * commas, slashes) turned into a single space, trimmed. Letters of other scripts are kept (upper-cased), so a
 * Cyrillic name still compares with itself instead of folding to nothing.
 *
 * Idempotent: fold(fold(s)) === fold(s).
 */
export function fold(s: string): string {
  // Most names and streets arrive as upper-case ASCII words already: they are their own fold, and ASCII needs
  // no Unicode decomposition. Both shortcuts give exactly what the general path gives (a test compares them).
  if (FOLDED_ASCII.test(s)) return s;
  if (ASCII.test(s)) return s.replace(ASCII_APOSTROPHES, '').toUpperCase().replace(ASCII_NON_WORD, ' ').trim();
  return foldUnicode(s);
}

const FOLDED_ASCII = /^[A-Z0-9]+(?: [A-Z0-9]+)*$/;
const ASCII = /^[\x00-\x7f]*$/;
/** The APOSTROPHES that are ASCII, and NON_WORD within ASCII once upper-cased. */
const ASCII_APOSTROPHES = /['`]/g;
const ASCII_NON_WORD = /[^A-Z0-9]+/g;

/** fold's general path (exported for the test that holds the ASCII shortcuts to it). */
export function foldUnicode(s: string): string {
  return s
    .replace(APOSTROPHES, '')
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .replace(UNDECOMPOSABLE, (c) => UNDECOMPOSABLE_LETTERS[c] ?? c)
    .toUpperCase()
    .replace(NON_WORD, ' ')
    .trim();
}

/** The words of a folded string: tokens("  Jean-Luc  O'Neil ") → ['JEAN', 'LUC', 'ONEIL']. */
export function tokens(s: string): string[] {
  const f = fold(s);
  return f === '' ? [] : f.split(' ');
}
