import { describe, expect, it } from 'vitest';
import {
  daysBetween,
  digitEditDistance,
  isDayMonthSwapped,
  parseDate,
  sameDate,
  toYyyymmdd,
  type DigitDifference,
  type ParsedDate,
} from '../../../algorithms/normalize/dates.js';

describe('parseDate', () => {
  it.each<[string | null | undefined, ParsedDate | null]>([
    // the accepted forms, precision kept
    ['1980', { y: 1980 }],
    ['1980-05', { y: 1980, m: 5 }],
    ['1980-05-12', { y: 1980, m: 5, d: 12 }],
    ['19800512', { y: 1980, m: 5, d: 12 }],
    ['198005', { y: 1980, m: 5 }],
    [' 1980-05-12 ', { y: 1980, m: 5, d: 12 }],
    // calendar limits
    ['1980-01-31', { y: 1980, m: 1, d: 31 }],
    ['1980-04-30', { y: 1980, m: 4, d: 30 }],
    ['1980-04-31', null],
    ['1980-02-29', { y: 1980, m: 2, d: 29 }],
    ['2000-02-29', { y: 2000, m: 2, d: 29 }], // divisible by 400: leap
    ['1900-02-29', null], // divisible by 100: not leap
    ['1981-02-29', null],
    ['1980-02-30', null],
    ['19800230', null],
    ['1980-13-01', null],
    ['1980-13', null],
    ['1980-00-10', null],
    ['1980-05-00', null],
    ['1980-12-32', null],
    // earliest accepted date
    ['1880-01-01', { y: 1880, m: 1, d: 1 }],
    ['1880', { y: 1880 }],
    ['1879-12-31', null],
    ['1879', null],
    ['0000-01-01', null],
    // not one of the accepted forms
    ['1980-5-12', null],
    ['80-05-12', null],
    ['1980/05/12', null],
    ['12/05/1980', null],
    ['1980-05-12T00:00:00', null],
    ['1980512', null],
    ['abcd', null],
    ['', null],
    [null, null],
    [undefined, null],
  ])('parseDate(%j) = %j', (raw, expected) => {
    expect(parseDate(raw)).toStrictEqual(expected);
  });
});

describe('sameDate', () => {
  it.each<[ParsedDate | null, ParsedDate | null, boolean]>([
    [{ y: 1980, m: 5, d: 12 }, { y: 1980, m: 5, d: 12 }, true],
    [{ y: 1980, m: 5, d: 12 }, { y: 1980, m: 5, d: 13 }, false],
    [{ y: 1980, m: 5, d: 12 }, { y: 1980, m: 6, d: 12 }, false],
    [{ y: 1980, m: 5, d: 12 }, { y: 1981, m: 5, d: 12 }, false],
    [{ y: 1980 }, { y: 1980 }, true],
    [{ y: 1980, m: 5 }, { y: 1980, m: 5 }, true],
    [{ y: 1980 }, { y: 1980, m: 5 }, false], // compatible, not the same
    [{ y: 1980, m: 5 }, { y: 1980, m: 5, d: 12 }, false],
    [null, { y: 1980 }, false],
    [null, null, false], // unknown never agrees
  ])('sameDate(%j, %j) = %j, both ways', (a, b, expected) => {
    expect(sameDate(a, b)).toBe(expected);
    expect(sameDate(b, a)).toBe(expected);
  });
});

describe('isDayMonthSwapped', () => {
  it.each<[string, string, boolean]>([
    ['1980-03-05', '1980-05-03', true],
    ['1980-01-12', '1980-12-01', true],
    ['1980-05-05', '1980-05-05', false], // equal, nothing swapped
    ['1980-03-05', '1980-03-05', false],
    ['1980-03-05', '1981-05-03', false], // year differs too
    ['1980-03-05', '1980-05-04', false],
    ['1980-03', '1980-03-05', false], // partial
    ['1980', '1980', false],
  ])('isDayMonthSwapped(%s, %s) = %j, both ways', (a, b, expected) => {
    expect(isDayMonthSwapped(parseDate(a), parseDate(b))).toBe(expected);
    expect(isDayMonthSwapped(parseDate(b), parseDate(a))).toBe(expected);
  });

  it('is false when a date is missing', () => {
    expect(isDayMonthSwapped(null, parseDate('1980-03-05'))).toBe(false);
  });
});

describe('toYyyymmdd', () => {
  it.each<[ParsedDate | null, string | null]>([
    [{ y: 1980, m: 5, d: 2 }, '19800502'],
    [{ y: 2001, m: 12, d: 31 }, '20011231'],
    [{ y: 1980, m: 5 }, null],
    [{ y: 1980 }, null],
    [null, null],
  ])('toYyyymmdd(%j) = %j', (date, expected) => {
    expect(toYyyymmdd(date)).toBe(expected);
  });
});

describe('digitEditDistance', () => {
  it.each<[string, string, DigitDifference]>([
    ['19800312', '19800312', { differing: 0, adjacentTransposition: false }],
    ['19800312', '19800313', { differing: 1, adjacentTransposition: false }],
    ['19800312', '19810312', { differing: 1, adjacentTransposition: false }],
    ['19800312', '19800321', { differing: 2, adjacentTransposition: true }], // day digits swapped
    ['19890512', '19980512', { differing: 2, adjacentTransposition: true }], // year digits swapped
    ['19800312', '19800422', { differing: 2, adjacentTransposition: false }], // adjacent, not a swap
    ['19800312', '19810313', { differing: 2, adjacentTransposition: false }], // two apart
    ['19800312', '19800231', { differing: 3, adjacentTransposition: false }],
    ['19800312', '20011221', { differing: 8, adjacentTransposition: false }],
    ['123456789', '123456798', { differing: 2, adjacentTransposition: true }], // any equal-length digits
    ['', '', { differing: 0, adjacentTransposition: false }],
  ])('digitEditDistance(%s, %s) = %j, both ways', (a, b, expected) => {
    expect(digitEditDistance(a, b)).toStrictEqual(expected);
    expect(digitEditDistance(b, a)).toStrictEqual(expected);
  });

  it.each<[string, string]>([
    ['19800312', '1980031'],
    ['1980-03-12', '1980-03-13'],
    ['1980031X', '19800312'],
  ])('throws on %j and %j', (a, b) => {
    expect(() => digitEditDistance(a, b)).toThrow(RangeError);
  });
});

describe('daysBetween', () => {
  it.each<[string, string, number | null]>([
    ['1980-05-12', '1980-05-12', 0],
    ['1980-05-12', '1980-05-13', 1],
    ['1999-12-31', '2000-01-01', 1],
    ['2000-02-28', '2000-03-01', 2], // 2000 is a leap year
    ['1900-02-28', '1900-03-01', 1], // 1900 is not
    ['1980-01-01', '1981-01-01', 366],
    ['1981-01-01', '1982-01-01', 365],
    ['1980-03-05', '1980-05-03', 59],
    ['1980-05', '1980-05-12', null], // partial
    ['1980', '1980', null],
  ])('daysBetween(%s, %s) = %j, both ways', (a, b, expected) => {
    expect(daysBetween(parseDate(a), parseDate(b))).toBe(expected);
    expect(daysBetween(parseDate(b), parseDate(a))).toBe(expected);
  });

  it('is null when a date is missing', () => {
    expect(daysBetween(null, parseDate('1980-05-12'))).toBeNull();
  });
});
