/**
 * Given-name nickname equivalence (BOB ~ ROBERT, BILL ~ WILLIAM), from the vendored table
 * fixtures/names/nicknames.csv (carltonnorthern/nicknames, Apache-2.0): rows `name1,has_nickname,name2`,
 * meaning name2 is a nickname of the canonical name name1.
 *
 * Two names are equivalent when they are equal, when one is listed as a nickname of the other, or when both
 * are nicknames of one canonical name (BOB ~ ROB through ROBERT). The relation is symmetric but deliberately
 * not transitive: BILL is a nickname of both ROBERT and WILLIAM, yet ROBERT and WILLIAM are different names.
 *
 * The table lists some pairs in both directions (robert→bill and bill→robert) so that a lookup works from
 * either side. Read literally, that makes BILL a canonical name of both ROBERT and WILLIAM, and ROBERT and
 * WILLIAM would then "share a canonical name". So for a pair listed both ways, the canonical side is the name
 * with more nicknames of its own (ROBERT has 11, BILL 5) and the reverse row is not used to derive canonical
 * names; on a tie (HAROLD, HARRY: 4 each) both directions are kept, the two being variants of one another.
 * Both rows still count for the direct "one is a nickname of the other" test.
 *
 * The table comes from genealogy data and is skewed towards older English names: a hit is evidence for the
 * model to weigh, not proof of identity.
 */

import { fold } from './text.js';

/** The one relationship the table uses. */
export const HAS_NICKNAME = 'has_nickname';

const HEADER = 'name1,relationship,name2';

/**
 * Parse the text of nicknames.csv into rows [name1, relationship, name2], fields trimmed, as written (lower
 * case). Skips the header line and blank lines; accepts LF or CRLF line ends (the vendored file uses CRLF) and
 * a byte-order mark. Throws on a line without exactly three fields: a damaged data file must not load quietly.
 */
export function parseNicknameCsv(text: string): Array<[string, string, string]> {
  const rows: Array<[string, string, string]> = [];
  const lines = text.replace(/^\uFEFF/u, '').split(/\r?\n/u);
  let headerSeen = false;
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    if (!headerSeen && rows.length === 0 && trimmed.toLowerCase() === HEADER) {
      headerSeen = true;
      return;
    }
    const fields = trimmed.split(',').map((f) => f.trim());
    const [name1, relationship, name2] = fields;
    if (fields.length !== 3 || name1 === undefined || relationship === undefined || name2 === undefined) {
      throw new Error(`nicknames.csv line ${i + 1}: expected 3 comma-separated fields, got ${fields.length}`);
    }
    rows.push([name1, relationship, name2]);
  });
  return rows;
}

export interface NicknameIndex {
  /**
   * The canonical names of a given name, folded upper case and sorted. A canonical name maps to itself (and to
   * any canonical name it is itself a nickname of); a nickname to all its canonical names (BILL → BILL, ROBERT,
   * WILLIAM…); a name the table does not know is its own canonical form. [] for an empty name.
   */
  canonicalForms(name: string): string[];
  /** Equal, one a nickname of the other, or both nicknames of one canonical name. Symmetric. False if either is empty. */
  areNicknames(a: string, b: string): boolean;
}

/** Build the lookup from parsed rows (see parseNicknameCsv). Throws on a relationship other than has_nickname. */
export function buildNicknameIndex(rows: Iterable<readonly [string, string, string]>): NicknameIndex {
  const edges: Array<[canonical: string, nickname: string]> = [];
  const nicknamesOf = new Map<string, Set<string>>();
  for (const [rawCanonical, relationship, rawNickname] of rows) {
    if (relationship !== HAS_NICKNAME) {
      throw new Error(`nickname table: unknown relationship "${relationship}" (expected "${HAS_NICKNAME}")`);
    }
    const canonical = fold(rawCanonical);
    const nickname = fold(rawNickname);
    if (canonical === '' || nickname === '' || canonical === nickname) continue;
    addTo(nicknamesOf, canonical, nickname);
    edges.push([canonical, nickname]);
  }

  const nicknameCount = (name: string): number => nicknamesOf.get(name)?.size ?? 0;
  const canonicalsOf = new Map<string, Set<string>>();
  for (const [canonical, nickname] of edges) {
    const listedBothWays = nicknamesOf.get(nickname)?.has(canonical) ?? false;
    // The reverse row of a pair listed both ways: the "nickname" is the more canonical of the two.
    if (listedBothWays && nicknameCount(nickname) > nicknameCount(canonical)) continue;
    addTo(canonicalsOf, nickname, canonical);
  }

  const formsOf = (name: string): Set<string> => {
    const forms = new Set(canonicalsOf.get(name));
    if (nicknamesOf.has(name) || forms.size === 0) forms.add(name);
    return forms;
  };

  return {
    canonicalForms(name: string): string[] {
      const f = fold(name);
      return f === '' ? [] : [...formsOf(f)].sort();
    },
    areNicknames(a: string, b: string): boolean {
      const fa = fold(a);
      const fb = fold(b);
      if (fa === '' || fb === '') return false;
      if (fa === fb) return true;
      if (nicknamesOf.get(fa)?.has(fb) || nicknamesOf.get(fb)?.has(fa)) return true;
      const formsB = formsOf(fb);
      for (const form of formsOf(fa)) if (formsB.has(form)) return true;
      return false;
    },
  };
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}
