// Date-of-birth comparison levels.
//
// Inputs are valid dates (the normaliser rejects impossible ones such as 1981-02-29), years 1-9999.
// A month without a year, or a day without a month, is not representable: a `d` given without `m` is ignored.
// A date is *full* when both `m` and `d` are present; otherwise it is *partial* (year, or year and month).
//
// Levels, in the order tried; the first that holds wins. All are symmetric. The digit levels work on the
// 8-character string YYYYMMDD of two full dates.
//
// - 'exact'             both full, same year, month and day.               1980-01-12 / 1980-01-12
// - 'day-month-swapped' both full, same year, a's month = b's day and a's day = b's month
//                       (the DD/MM versus MM/DD confusion).                 1980-01-12 / 1980-12-01
// - 'one-digit'         both full, YYYYMMDD strings differ in exactly one position (one keying error).
//                                                                           19800112 / 19800113;
//                                                                           also 19800112 / 19810112
// - 'transposed-digits' both full, YYYYMMDD strings differ in exactly two adjacent positions i, i+1 whose
//                       digits are swapped (a[i] = b[i+1], a[i+1] = b[i]), and both positions lie within
//                       one component: year (1-4), month (5-6) or day (7-8). A swap across a component
//                       boundary mixes two fields that are keyed separately (and in different orders
//                       by different senders), so it does not count.
//                                                                           19800112 / 19801012 (month),
//                                                                           19800312 / 19800321 (day),
//                                                                           19890512 / 19980512 (year);
//                                                                           not 19810101 / 19801101
// - 'year-off-by-one'   both full, same month and day, years differ by exactly 1.
//                                                                           1980-05-12 / 1979-05-12
// - 'within-days'       both full, at most `withinDays` (default 30) calendar days apart (proleptic
//                       Gregorian, leap years counted: 2000-02-28 → 2000-03-01 is 2 days, 1900-02-28 →
//                       1900-03-01 is 1 day).                                1999-12-31 / 2000-01-01
// - 'partial-agree'     at least one side partial, and every component known on both sides agrees (the
//                       year always; the month when both have one). Two equal partial dates land here too,
//                       never in 'exact', so 'exact' always means a full-date agreement.
//                                                                           1980 / 1980-01-12,
//                                                                           1980-01 / 1980-01-12
//                       Also both full, same year, and one of them 1 January (and no level above
//                       holds): 1 January is the placeholder registrars key for "year known only", so
//                       the day and month of such a date are not taken as known.
//                                                                           1980-01-01 / 1980-08-29
//                       Two 1 January dates of different years are two years of birth: 'disagree', never
//                       'one-digit', 'transposed-digits' or 'year-off-by-one'.  1954-01-01 / 1984-01-01
// - 'disagree'          anything else.

export interface PartialDate {
  y: number;
  m?: number;
  d?: number;
}

/** Date levels in the order they are tried. */
export const DATE_LEVELS = [
  'exact',
  'day-month-swapped',
  'one-digit',
  'transposed-digits',
  'year-off-by-one',
  'within-days',
  'partial-agree',
  'disagree',
] as const;
export type DateLevel = (typeof DATE_LEVELS)[number];

export const DEFAULT_WITHIN_DAYS = 30;

export interface CompareDatesOptions {
  /** Largest distance in days, inclusive, that counts as 'within-days'. Default 30. */
  withinDays?: number;
}

interface FullDate {
  y: number;
  m: number;
  d: number;
}

/** Which component of YYYYMMDD a position belongs to: 0 year, 1 month, 2 day. */
function componentOf(position: number): number {
  return position < 4 ? 0 : position < 6 ? 1 : 2;
}

export function compareDates(a: PartialDate, b: PartialDate, options?: CompareDatesOptions): DateLevel {
  const withinDays = options?.withinDays ?? DEFAULT_WITHIN_DAYS;
  if (a.m === undefined || a.d === undefined || b.m === undefined || b.d === undefined) {
    if (a.y !== b.y) return 'disagree';
    if (a.m !== undefined && b.m !== undefined && a.m !== b.m) return 'disagree';
    return 'partial-agree';
  }
  const fa = a as FullDate;
  const fb = b as FullDate;

  if (fa.y === fb.y && fa.m === fb.m && fa.d === fb.d) return 'exact';
  if (fa.y === fb.y && fa.m === fb.d && fa.d === fb.m) return 'day-month-swapped';
  // Two 1 January placeholders of different years are two years of birth, nothing more: their agreeing day and
  // month are the placeholder's, so a digit or a year apart is not a keying error of one date (MOHAMMED KHALIL,
  // 1954 and 1984, a father and a son of one name).
  if (isJanuaryFirst(fa) && isJanuaryFirst(fb)) return 'disagree';

  // The digits of YYYYMMDD, read from the right as numbers (no string is built: this runs per pair).
  let x = fa.y * 10000 + fa.m * 100 + fa.d;
  let z = fb.y * 10000 + fb.m * 100 + fb.d;
  let count = 0;
  let p1 = -1;
  let p2 = -1;
  let a1 = 0;
  let b1 = 0;
  let a2 = 0;
  let b2 = 0;
  for (let pos = 7; pos >= 0 && count <= 2; pos--) {
    const da = x % 10;
    const db = z % 10;
    x = (x - da) / 10;
    z = (z - db) / 10;
    if (da === db) continue;
    count++;
    if (count === 1) {
      p1 = pos;
      a1 = da;
      b1 = db;
    } else if (count === 2) {
      p2 = pos;
      a2 = da;
      b2 = db;
    }
  }
  if (count === 1) return 'one-digit';
  if (count === 2 && p2 === p1 - 1 && a1 === b2 && a2 === b1 && componentOf(p1) === componentOf(p2)) return 'transposed-digits';

  if (Math.abs(fa.y - fb.y) === 1 && fa.m === fb.m && fa.d === fb.d) return 'year-off-by-one';
  if (fa.y === fb.y && (isJanuaryFirst(fa) || isJanuaryFirst(fb))) return 'partial-agree';
  if (Math.abs(dayNumber(fa) - dayNumber(fb)) <= withinDays) return 'within-days';
  return 'disagree';
}

/** 1 January: the date a registration system keys when only the year of birth is known. */
function isJanuaryFirst(p: FullDate): boolean {
  return p.m === 1 && p.d === 1;
}

/** YYYYMMDD, zero-padded. */
export function yyyymmdd(p: FullDate): string {
  return String(p.y).padStart(4, '0') + String(p.m).padStart(2, '0') + String(p.d).padStart(2, '0');
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
export function dayNumber(p: FullDate): number {
  const y = p.m <= 2 ? p.y - 1 : p.y;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (p.m > 2 ? p.m - 3 : p.m + 9) + 2) / 5) + p.d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
