import { describe, expect, it } from 'vitest';
import { fold, foldUnicode, tokens } from '../../../algorithms/normalize/text.js';
import { mulberry32 } from '../../helpers/prng.js';

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

  it('takes its ASCII shortcuts to the same answer as the general path, on 20,000 random strings', () => {
    const rand = mulberry32(20261201);
    // Every ASCII character, weighted towards what names and streets are made of, and a few non-ASCII letters
    // so that the general path is taken too.
    const alphabet = [...Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)), ...'AAAEEIOUSMNRT      ', ...'abcxyz', "'", '`', '-', 'é', 'ß', 'Ø', '’'];
    let shortcut = 0;
    for (let n = 0; n < 20_000; n++) {
      const len = 1 + Math.floor(rand() * 14);
      let s = '';
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
      if (n % 3 === 0) s = foldUnicode(s); // already folded: the first shortcut
      if (/^[\x00-\x7f]*$/.test(s)) shortcut++;
      expect(fold(s), JSON.stringify(s)).toBe(foldUnicode(s));
    }
    expect(shortcut).toBeGreaterThan(10_000);
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
