import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DELIMITERS,
  encodingCharacters,
  escapeValue,
  parseMessage,
  unescapeValue,
  type Delimiters,
} from '../../src/hl7/index.js';
import { mulberry32 as rng } from '../helpers/prng.js';

const D = DEFAULT_DELIMITERS;
const CUSTOM: Delimiters = { field: '#', component: '$', repetition: '%', escape: '*', subcomponent: '!' };

function randomString(next: () => number, alphabet: string[], maxLen: number): string {
  const len = Math.floor(next() * (maxLen + 1));
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[Math.floor(next() * alphabet.length)] as string;
  return s;
}

describe('unescapeValue', () => {
  it('maps the delimiter escapes', () => {
    expect(unescapeValue('a\\F\\b\\S\\c\\R\\d\\T\\e\\E\\f', D)).toBe('a|b^c~d&e\\f');
  });

  it('decodes hex escapes as bytes (UTF-8 when valid, else Latin-1)', () => {
    expect(unescapeValue('line1\\X0D0A\\line2', D)).toBe('line1\r\nline2');
    expect(unescapeValue('\\X41\\', D)).toBe('A');
    expect(unescapeValue('caf\\XC3A9\\', D)).toBe('café');
    expect(unescapeValue('caf\\XE9\\', D)).toBe('café');
    expect(unescapeValue('\\Xc3a9\\', D)).toBe('é');
    expect(unescapeValue('\\xC3A9\\', D)).toBe('\\xC3A9\\'); // escape letters are case-sensitive
  });

  it('handles formatting and highlighting', () => {
    expect(unescapeValue('a\\.br\\b', D)).toBe('a\nb');
    expect(unescapeValue('\\H\\bold\\N\\', D)).toBe('bold');
  });

  it('keeps unknown, local and malformed sequences verbatim', () => {
    expect(unescapeValue('x\\Zfoo\\y', D)).toBe('x\\Zfoo\\y');
    expect(unescapeValue('\\.sp2\\', D)).toBe('\\.sp2\\');
    expect(unescapeValue('\\C2842\\', D)).toBe('\\C2842\\');
    expect(unescapeValue('\\X4\\', D)).toBe('\\X4\\'); // odd number of hex digits
    expect(unescapeValue('\\XZZ\\', D)).toBe('\\XZZ\\');
    expect(unescapeValue('abc\\F', D)).toBe('abc\\F'); // unterminated
    expect(unescapeValue('\\P\\', D)).toBe('\\P\\'); // no truncation char declared
  });

  it('honours custom delimiters', () => {
    expect(unescapeValue('a*F*b*S*c*E*d*T*e*R*', CUSTOM)).toBe('a#b$c*d!e%');
    expect(unescapeValue('a\\F\\b', CUSTOM)).toBe('a\\F\\b');
  });

  it('maps \\P\\ to the truncation character when one is declared', () => {
    expect(unescapeValue('a\\P\\b', { ...D, truncation: '#' })).toBe('a#b');
  });
});

describe('escapeValue', () => {
  it('escapes the escape character and every delimiter', () => {
    expect(escapeValue('a|b^c~d\\e&f', D)).toBe('a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f');
    expect(escapeValue('\\F\\', D)).toBe('\\E\\F\\E\\');
  });

  it('turns every newline form into \\.br\\', () => {
    expect(escapeValue('a\nb\r\nc\rd', D)).toBe('a\\.br\\b\\.br\\c\\.br\\d');
  });

  it('uses custom delimiters and the truncation character', () => {
    expect(escapeValue('#$%*!', CUSTOM)).toBe('*F**S**R**E**T*');
    expect(escapeValue('a#b', { ...D, truncation: '#' })).toBe('a\\P\\b');
  });

  it('builds MSH-2 from delimiters', () => {
    expect(encodingCharacters(D)).toBe('^~\\&');
    expect(encodingCharacters(CUSTOM)).toBe('$%*!');
  });
});

describe('escape round trip (seeded property test)', () => {
  const pieces = ['|', '^', '~', '\\', '&', '#', '$', '%', '*', '!', 'F', 'S', 'T', 'R', 'E', 'X', 'H', 'N', '.br', '0D', 'a', 'Z', ' ', 'ü', '\n', '""'];

  for (const [name, d] of [
    ['default', D],
    ['custom', CUSTOM],
    ['with truncation', { ...D, truncation: '#' }],
  ] as const) {
    it(`unescape(escape(s)) === s for 1000 strings (${name} delimiters)`, () => {
      const next = rng(0xc0ffee);
      for (let i = 0; i < 1000; i++) {
        const s = randomString(next, pieces, 24);
        const escaped = escapeValue(s, d);
        expect(unescapeValue(escaped, d)).toBe(s);
        for (const delim of [d.field, d.component, d.repetition, d.subcomponent, '\r', '\n']) {
          expect(escaped.includes(delim)).toBe(false);
        }
      }
    });
  }

  it('escaped values survive a full message parse as one leaf', () => {
    const next = rng(42);
    for (let i = 0; i < 300; i++) {
      const family = randomString(next, pieces, 16);
      const given = randomString(next, pieces, 8);
      const text = `MSH|^~\\&|A|B|C|D|20240101||ADT^A01|${i}|P|2.5\rPID|1||X||${escapeValue(family, D)}^${escapeValue(given, D)}`;
      const msg = parseMessage(text);
      const name = msg.segment('PID')?.field(5)?.repetition(1);
      expect(name?.components).toHaveLength(2);
      expect(name?.component(1)?.subcomponents).toEqual([family]);
      expect(name?.component(2)?.subcomponents).toEqual([given]);
    }
  });
});
