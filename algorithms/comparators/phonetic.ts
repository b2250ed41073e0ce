// Double Metaphone codes for blocking and name comparison.
//
// We use the `double-metaphone` package (wooorm, ESM, reference algorithm), not natural's DoubleMetaphone:
// natural encodes JOSE as `JS` where the reference algorithm gives `HS`. `double-metaphone` returns
// full-length codes (ALEXANDER → ALKSNTR, words/double-metaphone#2); the classic algorithm stops at 4
// characters, so we truncate (ALEXANDER → ALKS), which is what blocking keys and m/u estimates assume.

import { doubleMetaphone } from 'double-metaphone';

/** Length of the classic Double Metaphone code. */
export const METAPHONE_CODE_LENGTH = 4;

/**
 * [primary, secondary] Double Metaphone codes, each truncated to 4 characters.
 * SMITH → [SM0, XMT], SCHMIDT → [XMT, SMT], JOSE → [HS, HS], ALEXANDER → [ALKS, ALKS].
 * Empty input → ['', ''].
 */
export function doubleMetaphone4(s: string): [primary: string, secondary: string] {
  const [primary, secondary] = doubleMetaphone(s);
  return [primary.slice(0, METAPHONE_CODE_LENGTH), secondary.slice(0, METAPHONE_CODE_LENGTH)];
}

/**
 * True when any non-empty code of `a` (primary or secondary, 4 characters) equals any code of `b`.
 * SMITH ~ SCHMIDT (both have XMT); SMITH ~ SMYTH. Symmetric. Inputs whose codes are empty (empty string,
 * punctuation only) never match.
 */
export function phoneticMatch(a: string, b: string): boolean {
  const [pa, sa] = doubleMetaphone4(a);
  const [pb, sb] = doubleMetaphone4(b);
  for (const x of [pa, sa]) {
    if (x.length === 0) continue;
    if (x === pb || x === sb) return true;
  }
  return false;
}
