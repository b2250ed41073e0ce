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

/**
 * The vocabulary, and how many people bear each name where a count is known (the SSA's births): a plain set
 * of names is a vocabulary without counts.
 */
export type KnownNames = ReadonlySet<string> & { readonly births?: ReadonlyMap<string, number> };

/**
 * How many times as common a name must be for a known spelling one slip away from it to be read as its slip:
 * JASEN / JASON (232 times), MADISEN / MADISON (76), JENIFER / JENNIFER (58). Twins' names that close are of
 * one order (MARY / MARIE 8, KAYLA / KYLA 9, JOSE / JOSUE 12, MARIA / MARTA 32): parents do not give one twin the
 * name and the other its rare misspelling.
 */
export const DWARFED_BY = 50;

/** x is a known name and y is a name DWARFED_BY times as common or more (false without counts). */
export function dwarfed(known: KnownNames, x: string, y: string): boolean {
  const bx = known.births?.get(x);
  const by = known.births?.get(y);
  return bx !== undefined && by !== undefined && by >= DWARFED_BY * bx;
}

/** `name,births` lines (header optional) → births by name folded as given names are, summed over spellings that fold together. */
export function parseNameCounts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split(/\r?\n/)) {
    const [raw, n] = line.split(',');
    const count = Number(n);
    if (!raw || !Number.isFinite(count) || count <= 0) continue;
    const folded = normalizeGiven(raw.trim()).first;
    if (folded.length > 1) out.set(folded, (out.get(folded) ?? 0) + count);
  }
  return out;
}

/** The vocabulary with counts of births by name (parseNameCounts). */
export function withBirths(names: ReadonlySet<string>, births: ReadonlyMap<string, number>): KnownNames {
  return Object.assign(new Set(names), { births });
}

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
