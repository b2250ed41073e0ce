import { describe, expect, it } from 'vitest';
import {
  compareDates,
  DATE_LEVELS,
  dayNumber,
  type DateLevel,
  type PartialDate,
} from '../../../algorithms/comparators/index.js';
import { mulberry32 } from '../../helpers/prng.js';

/** 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'. */
function dt(s: string): PartialDate {
  const [y, m, d] = s.split('-').map(Number);
  if (y === undefined) throw new Error(s);
  return { y, ...(m === undefined ? {} : { m }), ...(d === undefined ? {} : { d }) };
}

describe('compareDates: each level with an example that hits it and a near miss that does not', () => {
  it.each<[string, string, DateLevel]>([
    // exact
    ['1980-01-12', '1980-01-12', 'exact'],
    ['1980', '1980', 'partial-agree'], // near miss: equal but not full dates
    // day-month-swapped
    ['1980-01-12', '1980-12-01', 'day-month-swapped'],
    ['1980-03-12', '1981-12-03', 'disagree'], // near miss: year differs too
    // one-digit (one position of YYYYMMDD)
    ['1980-01-12', '1980-01-13', 'one-digit'],
    ['1980-01-12', '1981-01-12', 'one-digit'], // a one-digit year change is caught here, before year ±1
    ['1980-01-12', '1980-03-25', 'disagree'], // near miss: two digits (and 73 days)
    ['1980-01-12', '1980-01-23', 'within-days'], // near miss: two digits, caught later as 11 days
    // transposed-digits (adjacent swap inside one component)
    ['1980-01-12', '1980-10-12', 'transposed-digits'], // month 01 ↔ 10
    ['1980-03-12', '1980-03-21', 'transposed-digits'], // day 12 ↔ 21
    ['1989-05-12', '1998-05-12', 'transposed-digits'], // year 89 ↔ 98
    ['1981-01-01', '1980-11-01', 'disagree'], // near miss: 19810101 / 19801101 swaps across year|month
    ['1980-01-21', '1980-02-11', 'within-days'], // near miss: 0121 / 0211 swaps across month|day (21 days)
    ['1980-01-12', '1980-12-10', 'disagree'], // near miss: 0112 / 1210 differs in three positions
    // year-off-by-one
    ['1980-05-12', '1979-05-12', 'year-off-by-one'], // 1980 / 1979: two digits differ
    ['1980-05-12', '1978-05-12', 'disagree'], // near miss: two years
    ['1980-05-12', '1979-05-13', 'disagree'], // near miss: day differs too
    // within-days
    ['1999-12-31', '2000-01-01', 'within-days'],
    ['1980-05-12', '1980-06-11', 'within-days'], // 30 days: inclusive
    ['1980-05-12', '1980-06-12', 'one-digit'],
    ['1980-05-12', '1980-06-13', 'disagree'], // near miss: 32 days
    // partial-agree
    ['1980', '1980-01-12', 'partial-agree'],
    ['1980-01', '1980-01-12', 'partial-agree'],
    ['1980-01', '1980', 'partial-agree'],
    ['1980-01', '1980-02-12', 'disagree'], // near miss: month known on both sides and differs
    ['1980', '1981-01-12', 'disagree'], // near miss: year differs
    ['1980', '1981', 'disagree'],
    // 1 January, the placeholder for "year known only": only the year is taken as known
    ['1996-01-01', '1996-08-29', 'partial-agree'],
    ['1996-12-31', '1996-01-01', 'partial-agree'],
    ['1996-01-01', '1996-01-11', 'one-digit'], // a keying error explains it first
    ['1996-01-01', '1996-01-15', 'partial-agree'], // before within-days: the placeholder reading is the likelier
    ['1996-01-01', '1997-08-29', 'disagree'], // near miss: another year
    ['1996-01-02', '1996-08-29', 'disagree'], // near miss: 2 January is no placeholder
    ['1996-01-01', '1996-01-01', 'exact'],
    // Two placeholders of different years are two years of birth: no keying error of one date
    ['1954-01-01', '1984-01-01', 'disagree'], // would be one-digit
    ['1989-01-01', '1998-01-01', 'disagree'], // would be transposed-digits
    ['1979-01-01', '1980-01-01', 'disagree'], // would be year-off-by-one
    ['1954-02-01', '1984-02-01', 'one-digit'], // near miss: 1 February is no placeholder
  ])('%s / %s → %s', (a, b, expected) => {
    expect(compareDates(dt(a), dt(b))).toBe(expected);
    expect(compareDates(dt(b), dt(a))).toBe(expected);
  });

  it('a day without a month is ignored (year-only)', () => {
    expect(compareDates({ y: 1980, d: 3 }, { y: 1980, m: 1, d: 12 })).toBe('partial-agree');
  });
});

describe('compareDates: leap years and the withinDays option', () => {
  it.each<[string, string, number, DateLevel]>([
    ['2000-02-28', '2000-03-01', 1, 'disagree'], // 2000 is a leap year: 2 days
    ['2000-02-28', '2000-03-01', 2, 'within-days'],
    ['1900-02-28', '1900-03-01', 1, 'within-days'], // 1900 is not: 1 day
    ['2020-02-29', '2020-03-01', 1, 'within-days'],
    ['2024-02-29', '2024-03-30', 30, 'within-days'],
    ['2024-02-29', '2024-03-31', 30, 'disagree'], // 31 days
    ['2023-02-28', '2023-03-30', 30, 'within-days'], // no Feb 29 in 2023
    ['2024-02-29', '2024-02-28', 0, 'one-digit'],
    ['2024-02-29', '2025-03-01', 366, 'within-days'], // 366 days
    ['2024-02-29', '2025-03-01', 365, 'disagree'],
    ['1980-05-12', '1980-05-20', 7, 'disagree'],
    ['1980-05-12', '1980-05-20', 8, 'within-days'],
  ])('%s / %s withinDays %i → %s', (a, b, withinDays, expected) => {
    expect(compareDates(dt(a), dt(b), { withinDays })).toBe(expected);
    expect(compareDates(dt(b), dt(a), { withinDays })).toBe(expected);
  });

  it('dayNumber is the Unix day number, proleptic Gregorian', () => {
    expect(dayNumber({ y: 1970, m: 1, d: 1 })).toBe(0);
    expect(dayNumber({ y: 2000, m: 3, d: 1 }) - dayNumber({ y: 2000, m: 2, d: 28 })).toBe(2);
    expect(dayNumber({ y: 1900, m: 3, d: 1 }) - dayNumber({ y: 1900, m: 2, d: 28 })).toBe(1);
    const rnd = mulberry32(5);
    for (let n = 0; n < 500; n++) {
      const y = 1800 + Math.floor(rnd() * 300);
      const m = 1 + Math.floor(rnd() * 12);
      const d = 1 + Math.floor(rnd() * 28);
      expect(dayNumber({ y, m, d })).toBe(Date.UTC(y, m - 1, d) / 86_400_000);
    }
  });
});

describe('compareDates: symmetry', () => {
  it('compare(a, b) === compare(b, a) over a seeded sample, reaching every level', () => {
    const rnd = mulberry32(1234);
    const seen = new Set<DateLevel>();
    const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
    const randomDate = (): { y: number; m: number; d: number } => {
      const y = 1975 + Math.floor(rnd() * 10);
      const m = 1 + Math.floor(rnd() * 12);
      return { y, m, d: 1 + Math.floor(rnd() * daysIn(y, m)) };
    };
    for (let n = 0; n < 5000; n++) {
      const a = randomDate();
      let b: PartialDate;
      const op = Math.floor(rnd() * 7);
      if (op === 0) b = { ...a };
      else if (op === 1) b = a.d <= 12 ? { y: a.y, m: a.d, d: a.m } : randomDate();
      else if (op === 2) b = { ...a, d: Math.min(daysIn(a.y, a.m), Math.max(1, a.d + Math.floor(rnd() * 21) - 10)) };
      else if (op === 3) b = { ...a, y: a.y + (rnd() < 0.5 ? -1 : 1) };
      else if (op === 4) b = rnd() < 0.5 ? { y: a.y } : { y: a.y, m: a.m };
      else b = randomDate();
      if (b.m === 2 && b.d === 29 && daysIn(b.y, 2) === 28) continue;
      const level = compareDates(a, b);
      expect(compareDates(b, a), `${JSON.stringify(a)} / ${JSON.stringify(b)}`).toBe(level);
      seen.add(level);
    }
    expect([...seen].sort()).toEqual([...DATE_LEVELS].sort());
  });
});
