import { describe, expect, it } from 'vitest';
import { fold, tokens } from '../../../algorithms/normalize/text.js';

describe('fold', () => {
  it.each<[string, string]>([
    ['smith', 'SMITH'],
    ['Müller', 'MULLER'],
    ['Núñez', 'NUNEZ'],
    ['Østergård', 'OSTERGARD'],
    ['Łukasz', 'LUKASZ'],
    ['Straße', 'STRASSE'],
    ['STRAẞE', 'STRASSE'],
    ['Æbelø', 'AEBELO'],
    ['Œuvray', 'OEUVRAY'],
    ['Þórsdóttir', 'THORSDOTTIR'],
    ['Đorđević', 'DORDEVIC'],
    ['Dvořák', 'DVORAK'],
    ['François', 'FRANCOIS'],
    ["O'Brien", 'OBRIEN'],
    ['O’Brien', 'OBRIEN'],
    ['O‘Brien', 'OBRIEN'],
    ['D´Angelo', 'DANGELO'],
    ['Hawaiʻi', 'HAWAII'],
    ['García-López', 'GARCIA LOPEZ'],
    ['Smith, Jr.', 'SMITH JR'],
    ['St. John', 'ST JOHN'],
    ['  van   der  Berg  ', 'VAN DER BERG'],
    ['a/b\\c_d(e)', 'A B C D E'],
    ['12 Main St.', '12 MAIN ST'],
    ['ﬁnn', 'FINN'],
    ['Ｊｏｈｎ', 'JOHN'],
    ['Иван', 'ИВАН'],
    ['---', ''],
    ['', ''],
  ])('fold(%j) = %j', (input, expected) => {
    expect(fold(input)).toBe(expected);
  });

  it.each(['Müller', "O'Brien-Núñez", '  St. John, Jr. ', 'Þórsdóttir', 'Ｊｏｈｎ'])('is idempotent on %j', (s) => {
    expect(fold(fold(s))).toBe(fold(s));
  });
});

describe('tokens', () => {
  it.each<[string, string[]]>([
    ["  Jean-Luc  O'Neil ", ['JEAN', 'LUC', 'ONEIL']],
    ['Mary Anne', ['MARY', 'ANNE']],
    ['ØSTERGÅRD', ['OSTERGARD']],
    ['Smith,Jr.', ['SMITH', 'JR']],
    ['', []],
    [' - ', []],
  ])('tokens(%j) = %j', (input, expected) => {
    expect(tokens(input)).toEqual(expected);
  });
});
