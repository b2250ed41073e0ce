// String similarity and edit distances for record linkage.
//
// Conventions shared by every comparator in this directory:
// - Inputs are already normalised by the caller: case- and diacritic-folded (upper case), punctuation
//   handled. There is deliberately no `ignoreCase` path (natural's is broken: it checks equality before
//   folding and its prefix loop runs past the end of the string, `JW('J','j',{ignoreCase:true})` = 0.4).
// - An empty string is a null. Callers route nulls to the comparison's null level and never compare them;
//   if one arrives anyway, a similarity returns 0 (never "equal"), so a null can never earn agreement.
// - Strings are compared by UTF-16 code unit, as `natural` does. Folded names are ASCII in practice.
//
// Which implementation (see notes/hl7-ihe-and-libs.md §3):
// - `jaroWinkler` is our own. natural's JaroWinklerDistance uses the match window floor(max/2) - 1, which
//   is 0 when the longer string has 2-3 characters (and -1 for 1 character), so `AB` vs `BA` scores 0 and
//   `ABC` vs `BAC` scores 0.56. We clamp the window to at least 1, which only changes strings whose longer
//   side has at most 3 characters; for everything else the result is identical to natural's (a
//   differential test pins this). The Winkler prefix bonus is applied as natural and Wikipedia do
//   (prefix ≤ 4, p = 0.1, no 0.7 boost threshold).
// - `levenshtein` and `damerauLevenshtein(…, { restricted: true })` (optimal string alignment) call
//   natural's `distance/levenshtein_distance.js` (which exports both; verified against a reference in the
//   tests).
// - Unrestricted `damerauLevenshtein` is our own (Lowrance-Wagner): natural's unrestricted variant updates
//   its last-row table inside the column loop and undercounts on repeated letters (`ACA`/`AAAA` = 1, true
//   distance 2; it is also asymmetric), natural issue #757, fix still unmerged in 8.1.1.

import naturalLevenshtein from 'natural/lib/natural/distance/levenshtein_distance.js';

/** Winkler's prefix scale. */
export const JW_PREFIX_SCALE = 0.1;
/** Longest common prefix that earns the Winkler bonus. */
export const JW_MAX_PREFIX = 4;

// Match flags reused across calls (grown when a longer string comes), so that comparing does not allocate.
const scratchBuffers = [new Uint8Array(64), new Uint8Array(64)];

/** Scratch buffer `i`, its first n bytes zeroed. */
function scratch(i: 0 | 1, n: number): Uint8Array {
  let buf = scratchBuffers[i]!;
  if (buf.length < n) {
    buf = new Uint8Array(Math.max(n, buf.length * 2));
    scratchBuffers[i] = buf;
  }
  buf.fill(0, 0, n);
  return buf;
}

/**
 * Jaro similarity in [0, 1]. Match window max(1, floor(max(|a|, |b|) / 2) - 1); see the file header.
 * Empty input → 0 (null convention).
 */
export function jaro(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  if (a === b) return 1;

  const window = Math.max(1, Math.floor(Math.max(la, lb) / 2) - 1);
  const matchedA = scratch(0, la);
  const matchedB = scratch(1, lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const start = Math.max(0, i - window);
    const end = Math.min(i + window + 1, lb);
    const ca = a.charCodeAt(i);
    for (let k = start; k < end; k++) {
      if (matchedB[k] === 1 || b.charCodeAt(k) !== ca) continue;
      matchedA[i] = 1;
      matchedB[k] = 1;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;

  // Half-transpositions: matched characters of a and b, read in order, that differ.
  let half = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (matchedA[i] !== 1) continue;
    while (matchedB[k] !== 1) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) half++;
    k++;
  }
  const t = half / 2;
  return (matches / la + matches / lb + (matches - t) / matches) / 3;
}

/**
 * Jaro-Winkler similarity in [0, 1] (1 = identical), on already folded strings.
 * Empty input → 0 (null convention). `A`/`A` = 1, `A`/`B` = 0, `AB`/`BA` = 0.833 (natural: 0),
 * MARTHA/MARHTA = 0.961, DWAYNE/DUANE = 0.84, DIXON/DICKSONX = 0.813.
 */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j === 0 || j === 1) return j;
  const limit = Math.min(JW_MAX_PREFIX, a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * JW_PREFIX_SCALE * (1 - j);
}

/** Plain Levenshtein distance (insert, delete, substitute; unit costs), via natural. */
export function levenshtein(a: string, b: string): number {
  return naturalLevenshtein.LevenshteinDistance(a, b);
}

export interface DamerauLevenshteinOptions {
  /**
   * true: optimal string alignment (a transposed pair is never edited again), via natural;
   * false (default): true Damerau-Levenshtein (Lowrance-Wagner), own implementation.
   * `CA` → `ABC`: unrestricted 2 (CA → AC → ABC), restricted 3.
   */
  restricted?: boolean;
}

/**
 * Exactly one keystroke apart: Damerau-Levenshtein distance 1 (one substitution, insertion, deletion, or a
 * transposition of two adjacent letters). Linear time: it runs on every pair the Jaro-Winkler levels miss.
 */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // transposition
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1); // deletion / insertion
}

/** QWERTY rows, for neighbouring keys (the row's neighbours and the keys touching it above and below). */
const KEYBOARD_ROWS = ['1234567890', 'QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM'];
const KEY_POSITION = new Map<string, readonly [number, number]>();
KEYBOARD_ROWS.forEach((row, r) => [...row].forEach((k, c) => KEY_POSITION.set(k, [r, c])));

/**
 * Two keys a finger slips between: side by side in a row, or touching in the row above or below (a QWERTY row
 * is offset by about half a key from the next, so Q touches A and W, and A touches Z).
 */
export function neighbouringKeys(x: string, y: string): boolean {
  const p = KEY_POSITION.get(x);
  const q = KEY_POSITION.get(y);
  if (p === undefined || q === undefined || x === y) return false;
  const [r1, c1] = p;
  const [r2, c2] = q;
  if (r1 === r2) return Math.abs(c1 - c2) === 1;
  if (Math.abs(r1 - r2) !== 1) return false;
  // The lower row is shifted right: key c of a row touches keys c and c + 1 of the row above.
  const [lowC, highC] = r1 > r2 ? [c1, c2] : [c2, c1];
  return highC === lowC || highC === lowC + 1;
}

/**
 * One keystroke apart as a typist slips (JOHN / JOHM, MARIA / MRAIA, SARAH / SARA): oneEditApart, with a
 * substitution only between neighbouring keys. MINH / MANH (I and A are far apart) is another name, not a slip.
 */
export function oneKeystrokeApart(a: string, b: string): boolean {
  if (!oneEditApart(a, b)) return false;
  const i = substitutionAt(a, b);
  return i < 0 || neighbouringKeys(a[i]!, b[i]!);
}

/**
 * For a and b one edit apart (oneEditApart): where one letter stands for another (MINH / MANH → 1), or -1 when
 * the edit is a letter added, dropped or two swapped.
 */
export function substitutionAt(a: string, b: string): number {
  if (a.length !== b.length) return -1;
  let i = 0;
  while (a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // A transposition leaves the next letter different too; a substitution does not.
  return a.slice(i + 1) === b.slice(i + 1) ? i : -1;
}

/** Damerau-Levenshtein distance (insert, delete, substitute, transpose adjacent; unit costs). */
export function damerauLevenshtein(a: string, b: string, options: DamerauLevenshteinOptions = {}): number {
  if (options.restricted === true) {
    return naturalLevenshtein.DamerauLevenshteinDistance(a, b, { restricted: true });
  }
  return unrestrictedDamerauLevenshtein(a, b);
}

/** Lowrance-Wagner, with the usual sentinel row/column holding `maxDist`. */
function unrestrictedDamerauLevenshtein(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  if (la === 0) return lb;
  if (lb === 0) return la;
  const maxDist = la + lb;
  const width = lb + 2;
  // d[(i + 1) * width + (j + 1)] is the distance between a[0, i) and b[0, j).
  const d = new Uint32Array((la + 2) * width);
  const at = (i: number, j: number): number => d[i * width + j] ?? maxDist;
  d[0] = maxDist;
  for (let i = 0; i <= la; i++) {
    d[(i + 1) * width] = maxDist;
    d[(i + 1) * width + 1] = i;
  }
  for (let j = 0; j <= lb; j++) {
    d[j + 1] = maxDist;
    d[width + j + 1] = j;
  }
  const lastRow = new Map<number, number>(); // character → last row (1-based) of a where it occurred
  for (let i = 1; i <= la; i++) {
    const ca = a.charCodeAt(i - 1);
    let lastMatchCol = 0; // last column (1-based) of b in this row where b[j-1] === a[i-1]
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      const k = lastRow.get(cb) ?? 0;
      const l = lastMatchCol;
      let cost = 1;
      if (ca === cb) {
        cost = 0;
        lastMatchCol = j;
      }
      d[(i + 1) * width + j + 1] = Math.min(
        at(i, j) + cost, // substitute or match
        at(i + 1, j) + 1, // insert
        at(i, j + 1) + 1, // delete
        at(k, l) + (i - k - 1) + 1 + (j - l - 1), // transpose, with deletions/insertions between
      );
    }
    lastRow.set(ca, i);
  }
  return at(la + 1, lb + 1);
}

/**
 * Jaccard similarity of the sets of whitespace-separated tokens: |A ∩ B| / |A ∪ B|, in [0, 1].
 * `MARY ANN` vs `ANN MARY` = 1; `GARCIA LOPEZ` vs `GARCIA` = 0.5. Repeated tokens count once.
 * Either side without tokens → 0 (null convention).
 */
export function jaccardTokens(a: string, b: string): number {
  const ta = tokenSet(a);
  const tb = tokenSet(b);
  if (ta.size === 0 || tb.size === 0) return 0;
  let common = 0;
  for (const t of ta) if (tb.has(t)) common++;
  return common / (ta.size + tb.size - common);
}

function tokenSet(s: string): Set<string> {
  const out = new Set<string>();
  for (const t of s.split(/\s+/)) if (t.length > 0) out.add(t);
  return out;
}

/**
 * Glyphs a scanner or a tired eye reads as one another on a printed or handwritten form (U / V, I / L,
 * E / F, VV / W, RN / M, CL / D …), each listed once; a confusion is symmetric.
 */
export const OCR_CONFUSIONS: ReadonlyArray<readonly [string, string]> = [
  ['U', 'V'],
  ['I', 'L'],
  ['I', '1'],
  ['L', '1'],
  ['O', '0'],
  ['O', 'Q'],
  ['E', 'F'],
  ['S', '5'],
  ['B', '8'],
  ['Z', '2'],
  ['G', '6'],
  ['VV', 'W'],
  ['RN', 'M'],
  ['NN', 'M'],
  ['CL', 'D'],
  ['LI', 'H'],
  ['II', 'U'],
];

/**
 * `a` reads as `b` through exactly one OCR confusion (RAVI / RAUI, STANISLAW / STANISLAVV, HARISH / HARLSH):
 * one occurrence of one side of a pair in OCR_CONFUSIONS replaced by the other side. Unlike a keystroke
 * (NINA / MINA, KARA / LARA), such a misreading almost never lands on another name parents give.
 */
export function ocrConfusionApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  // The common prefix and suffix bound where the one replacement can be.
  let p = 0;
  while (p < a.length && p < b.length && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  // No confusion spans more than two glyphs: a longer differing middle is no single misreading (most pairs).
  if (a.length - p - s > 2 || b.length - p - s > 2) return false;
  for (const [x, y] of OCR_CONFUSIONS) {
    if (replacesAt(a, b, x, y, p, s) || replacesAt(a, b, y, x, p, s)) return true;
  }
  return false;
}

/** `b` is `a` with one occurrence of `from` (covering the differing middle a[p, len−s)) replaced by `to`. */
function replacesAt(a: string, b: string, from: string, to: string, p: number, s: number): boolean {
  if (a.length - from.length !== b.length - to.length) return false;
  // The replaced span must cover the differing middle; it may reach into the common prefix or suffix (RN / M).
  const lo = Math.max(0, a.length - s - from.length);
  const hi = Math.min(p, a.length - from.length);
  for (let i = lo; i <= hi; i++) {
    if (a.startsWith(from, i) && b.startsWith(to, i) && a.slice(i + from.length) === b.slice(i + to.length) && a.slice(0, i) === b.slice(0, i)) return true;
  }
  return false;
}
