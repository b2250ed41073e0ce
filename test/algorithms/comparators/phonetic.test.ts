import { doubleMetaphone } from 'double-metaphone';
import { describe, expect, it } from 'vitest';
import { doubleMetaphone4, phoneticMatch } from '../../../algorithms/comparators/index.js';

describe('doubleMetaphone4', () => {
  it.each([
    ['SMITH', 'SM0', 'XMT'],
    ['SCHMIDT', 'XMT', 'SMT'],
    ['SMYTH', 'SM0', 'XMT'],
    ['JOSE', 'HS', 'HS'], // natural's DoubleMetaphone says JS
    ['ALEXANDER', 'ALKS', 'ALKS'], // the package alone returns ALKSNTR
    ['KATHERINE', 'K0RN', 'KTRN'],
    ['CATHERINE', 'K0RN', 'KTRN'],
    ['JOHN', 'JN', 'AN'],
    ['', '', ''],
  ])('%j → [%s, %s]', (name, primary, secondary) => {
    const codes = doubleMetaphone4(name);
    expect(codes).toEqual([primary, secondary]);
    expect(codes[0].length).toBeLessThanOrEqual(4);
    expect(codes[1].length).toBeLessThanOrEqual(4);
  });
});

describe('phoneticMatch', () => {
  it.each([
    ['SMITH', 'SCHMIDT', true], // SMITH's secondary XMT = SCHMIDT's primary
    ['SMITH', 'SMYTH', true],
    ['KATHERINE', 'CATHERINE', true],
    ['ALEXANDER', 'ALEXANDRA', true],
    ['ALEXANDER', 'ALEKSANDR', true],
    ['SMITH', 'JONES', false],
    ['JOSE', 'JOSEPH', false], // HS vs JSF/HSF
    ['', '', false], // empty codes never match
    ['', 'SMITH', false],
  ])('%j ~ %j → %s', (a, b, expected) => {
    expect(phoneticMatch(a, b)).toBe(expected);
    expect(phoneticMatch(b, a)).toBe(expected);
  });

  it('compares the truncated codes: CHRISTOPHER ~ CHRISTOPHE (KRSTFR / KRSTF, both KRST)', () => {
    expect(doubleMetaphone('CHRISTOPHER')[0]).not.toBe(doubleMetaphone('CHRISTOPHE')[0]);
    expect(phoneticMatch('CHRISTOPHER', 'CHRISTOPHE')).toBe(true);
  });
});
