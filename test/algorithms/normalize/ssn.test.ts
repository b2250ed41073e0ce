import { describe, expect, it } from 'vitest';
import { normalizeSsn, ssnLast4 } from '../../../algorithms/normalize/ssn.js';

describe('normalizeSsn', () => {
  it.each<[string, string]>([
    ['536-22-1234', '536221234'],
    ['536221234', '536221234'],
    ['536 22 1234', '536221234'],
    ['536.22.1234', '536221234'],
    [' 536-22-1234 ', '536221234'],
    ['001-01-0001', '001010001'], // lowest valid area, group and serial
    ['665-12-3456', '665123456'], // either side of 666
    ['667-12-3456', '667123456'],
    ['899-99-9999', '899999999'], // last area below 900
    ['078-05-1121', '078051121'], // one off the Woolworth number
  ])('normalizeSsn(%j) = %j', (raw, expected) => {
    expect(normalizeSsn(raw)).toBe(expected);
  });

  it.each<[string | null | undefined, string]>([
    ['000-12-3456', 'area 000'],
    ['666-12-3456', 'area 666'],
    ['900-12-3456', 'area 900'],
    ['950-12-3456', 'area 950'],
    ['999-12-3456', 'area 999'],
    ['536-00-1234', 'group 00'],
    ['536-22-0000', 'serial 0000'],
    ['53622123', 'eight digits'],
    ['5362212345', 'ten digits'],
    ['536-22-123A', 'a letter'],
    ['SSN536221234', 'a prefix'],
    ['XXX-XX-1234', 'masked'],
    ['', 'empty'],
    [null, 'null'],
    [undefined, 'undefined'],
  ])('normalizeSsn(%j) is null (%s)', (raw) => {
    expect(normalizeSsn(raw)).toBeNull();
  });

  it.each([
    '123456789',
    '123-45-6789',
    '111111111',
    '222222222',
    '333333333',
    '444444444',
    '555555555',
    '777777777',
    '888888888',
    '999999999',
    '123121234',
    '078-05-1120',
    '219-09-9999',
    '457-55-5462',
  ])('rejects the dummy %s', (raw) => {
    expect(normalizeSsn(raw)).toBeNull();
  });
});

describe('ssnLast4', () => {
  it.each<[string | null, string | null]>([
    ['536-22-1234', '1234'],
    ['536221234', '1234'],
    ['078-05-1120', null], // dummy
    ['666-12-3456', null], // invalid
    ['1234', null], // not an SSN
    [null, null],
  ])('ssnLast4(%j) = %j', (raw, expected) => {
    expect(ssnLast4(raw)).toBe(expected);
  });
});
