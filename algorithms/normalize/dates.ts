/**
 * Dates of birth. A date is parsed with the precision it was sent with (year, year and month, or full date):
 * a sender that only knows the year must not be read as 1 January, or two records would "agree" on a day
 * nobody recorded. Impossible dates (30 February, month 13) and dates before 1880 are rejected as unknown:
 * they are keying errors or placeholders, and an unknown date weighs nothing in the model while a wrong one
 * counts as evidence.
 *
 * No "today" is consulted (these functions are pure): rejecting future dates is the caller's business.
 */

export interface ParsedDate {
  y: number;
  /** 1-12, absent when only the year is known. */
  m?: number;
  /** 1-31, absent unless the month is known too. */
  d?: number;
}

/** A date with all three components. */
export interface FullDate {
  y: number;
  m: number;
  d: number;
}

/** The earliest date of birth accepted. */
export const EARLIEST_YEAR = 1880;

const ISO = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/u;
// HL7 v2 DT form: YYYY[MM[DD]] without separators (YYYY alone is matched by ISO above).
const COMPACT = /^(\d{4})(\d{2})(\d{2})?$/u;

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * Parse 'YYYY', 'YYYY-MM', 'YYYY-MM-DD', 'YYYYMMDD' (and 'YYYYMM') into its components, keeping the
 * precision given. Null for anything else, for an impossible date and for a date before 1880-01-01.
 */
export function parseDate(raw: string | null | undefined): ParsedDate | null {
  const s = (raw ?? '').trim();
  const match = ISO.exec(s) ?? COMPACT.exec(s);
  if (match === null) return null;
  const [, ys, ms, ds] = match;
  const y = Number(ys);
  if (y < EARLIEST_YEAR) return null;
  if (ms === undefined) return { y };
  const m = Number(ms);
  if (m < 1 || m > 12) return null;
  if (ds === undefined) return { y, m };
  const d = Number(ds);
  if (d < 1 || d > daysInMonth(y, m)) return null;
  return { y, m, d };
}

export function isFullDate(p: ParsedDate | null | undefined): p is FullDate {
  return p != null && p.m !== undefined && p.d !== undefined;
}

/**
 * Same date at the same precision: 1980 and 1980-05-12 are not the same (one is only compatible with the
 * other). False when either is missing: an unknown date never agrees.
 */
export function sameDate(a: ParsedDate | null | undefined, b: ParsedDate | null | undefined): boolean {
  if (a == null || b == null) return false;
  return a.y === b.y && a.m === b.m && a.d === b.d;
}

/** 'YYYYMMDD' of a full date, null for a partial or missing one. */
export function toYyyymmdd(p: ParsedDate | null | undefined): string | null {
  if (!isFullDate(p)) return null;
  return `${String(p.y).padStart(4, '0')}${String(p.m).padStart(2, '0')}${String(p.d).padStart(2, '0')}`;
}

/**
 * Both full dates, same year, and day and month exchanged (the DD/MM versus MM/DD confusion):
 * 1980-03-05 / 1980-05-03. False for equal dates, including 1980-05-05 against itself.
 */
export function isDayMonthSwapped(a: ParsedDate | null | undefined, b: ParsedDate | null | undefined): boolean {
  if (!isFullDate(a) || !isFullDate(b)) return false;
  return a.y === b.y && a.m === b.d && a.d === b.m && a.m !== a.d;
}

export interface DigitDifference {
  /** Number of positions whose digits differ. */
  differing: number;
  /** Exactly two adjacent positions differ and their digits are swapped: 19800312 / 19800321. */
  adjacentTransposition: boolean;
}

/**
 * Position-by-position comparison of two digit strings of the same length (YYYYMMDD dates, or identifiers):
 * how many digits differ, and whether the difference is one swap of adjacent digits. Keying errors are
 * substitutions and transpositions, never insertions in a fixed-width field, hence no full edit distance.
 * Throws a RangeError when the strings are not digits of one length (a programming error, not bad data).
 */
export function digitEditDistance(a: string, b: string): DigitDifference {
  if (a.length !== b.length || !/^\d*$/u.test(a) || !/^\d*$/u.test(b)) {
    throw new RangeError(`digitEditDistance needs two digit strings of one length, got "${a}" and "${b}"`);
  }
  const positions: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) positions.push(i);
  const [i, j] = positions;
  const adjacentTransposition =
    positions.length === 2 && i !== undefined && j === i + 1 && a[i] === b[j] && a[j] === b[i];
  return { differing: positions.length, adjacentTransposition };
}

/** Absolute number of days between two full dates (2000-02-28 to 2000-03-01 is 2); null unless both are full. */
export function daysBetween(a: ParsedDate | null | undefined, b: ParsedDate | null | undefined): number | null {
  if (!isFullDate(a) || !isFullDate(b)) return null;
  const ms = Math.abs(Date.UTC(a.y, a.m - 1, a.d) - Date.UTC(b.y, b.m - 1, b.d));
  return Math.round(ms / 86_400_000);
}
