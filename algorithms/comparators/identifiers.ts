// Identifier comparison levels for digit strings of one kind (SSN: 9 digits; phone: last 10 digits), as
// produced by the normalisers. Characters are compared as they are; no digit check is made here.
//
// Levels, in the order tried; the first that holds wins. All are symmetric.
// - 'exact'          identical.                                                123456789 / 123456789
// - 'one-digit'      same length, exactly one position differs (a substitution; insertions and
//                    deletions do not count).                                 123456789 / 123456788
// - 'transposition'  same length, exactly two positions differ, adjacent, with their digits swapped.
//                                                                              123456789 / 123457689
// - 'last-four'      the last four characters agree (both at least 4 long); the rest differs.
//                                                                              123456789 / 987656789
// - 'disagree'       anything else.
//
// An empty string is a null: callers route it to the null level; if compared anyway it is 'disagree'.

/** Identifier levels in the order they are tried. */
export const IDENTIFIER_LEVELS = ['exact', 'one-digit', 'transposition', 'last-four', 'disagree'] as const;
export type IdentifierLevel = (typeof IDENTIFIER_LEVELS)[number];

export const LAST_DIGITS = 4;

export function compareIdentifiers(a: string, b: string): IdentifierLevel {
  if (a.length === 0 || b.length === 0) return 'disagree';
  if (a === b) return 'exact';
  if (a.length === b.length) {
    let first = -1;
    let second = -1;
    let count = 0;
    for (let i = 0; i < a.length && count <= 2; i++) {
      if (a.charCodeAt(i) === b.charCodeAt(i)) continue;
      count++;
      if (count === 1) first = i;
      else second = i;
    }
    if (count === 1) return 'one-digit';
    if (count === 2 && second === first + 1 && a[first] === b[second] && a[second] === b[first]) {
      return 'transposition';
    }
  }
  if (a.length >= LAST_DIGITS && b.length >= LAST_DIGITS && sameEnd(a, b, LAST_DIGITS)) return 'last-four';
  return 'disagree';
}

/** The last n characters of a and b agree (both at least n long); compared in place, nothing allocated. */
function sameEnd(a: string, b: string, n: number): boolean {
  for (let k = 1; k <= n; k++) if (a.charCodeAt(a.length - k) !== b.charCodeAt(b.length - k)) return false;
  return true;
}
