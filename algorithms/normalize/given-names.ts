/**
 * Known given names: the vocabulary that tells a keystroke slip (JENNIFRE, JENIFFER) from a second real name
 * one letter away (KAYLA / KYLA, LILY / LILA, JAYDEN / JAYLEN: twins are often named like that). A slip
 * rarely lands on another real name; parents name children only with real ones.
 *
 * The shipped lists hold the first names of IHME's pseudopeople US population, which draws them from US name
 * frequencies of every birth cohort (fixtures/names/given-names.csv), every US first name the Social Security
 * Administration counted 1,000 or more births of (given-names-us-ssa.csv), and the FEBRL generator's Australian
 * ones (given-names-au.csv); the formal names of the nickname tables, and the short forms of the international
 * one, are added to them (src/linkage/matcher.ts loadKnownGivenNames). A name this vocabulary lacks is
 * not proof of a typo: scorePair takes a keystroke for a slip only when the other name of the pair is known, and
 * between two unknown names only an OCR misreading (algorithms/pair-score.ts).
 */

import { normalizeGiven } from './names.js';

export type KnownNames = ReadonlySet<string>;

/** `name,persons` lines (header optional) → names, folded as given names are (normalizeGiven). */
export function parseGivenNameCsv(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const name = line.split(',')[0]!.trim();
    if (name === '' || name.toLowerCase() === 'name') continue;
    const folded = normalizeGiven(name).first;
    if (folded.length > 1) out.push(folded);
  }
  return out;
}

/** One vocabulary from several lists (given names, both sides of the nickname rows…). */
export function knownNames(...lists: Iterable<string>[]): KnownNames {
  const s = new Set<string>();
  for (const l of lists) {
    for (const n of l) {
      const folded = normalizeGiven(n).first;
      if (folded.length > 1) s.add(folded);
    }
  }
  return s;
}
