import { describe, expect, it } from 'vitest';
import { buildNicknameIndex, parseNicknameCsv } from '../../../algorithms/normalize/nicknames.js';

// A small table shaped like the real one, including its reverse rows (bill → robert, bill → william), which a
// literal reading would turn into "ROBERT and WILLIAM share the canonical name BILL".
const ROWS: Array<[string, string, string]> = [
  ['robert', 'has_nickname', 'bob'],
  ['robert', 'has_nickname', 'rob'],
  ['robert', 'has_nickname', 'bill'],
  ['robert', 'has_nickname', 'billy'],
  ['william', 'has_nickname', 'bill'],
  ['william', 'has_nickname', 'billy'],
  ['william', 'has_nickname', 'will'],
  ['william', 'has_nickname', 'willie'],
  ['bill', 'has_nickname', 'robert'],
  ['bill', 'has_nickname', 'william'],
  ['bob', 'has_nickname', 'robert'],
  ['allan', 'has_nickname', 'allen'],
  ['allan', 'has_nickname', 'al'],
  ['allen', 'has_nickname', 'allan'],
  ['allen', 'has_nickname', 'al'],
  ['józef', 'has_nickname', 'józek'],
];
const index = buildNicknameIndex(ROWS);

describe('canonicalForms', () => {
  it.each<[string, string[]]>([
    ['robert', ['ROBERT']], // the reverse rows bill → robert and bob → robert do not make BILL or BOB canonical
    ['ROB', ['ROBERT']],
    ['bob', ['BOB', 'ROBERT']], // BOB has a nickname of its own in the table, so it is canonical too
    ['bill', ['BILL', 'ROBERT', 'WILLIAM']],
    ['Willie', ['WILLIAM']],
    ['william', ['WILLIAM']],
    ['allan', ['ALLAN', 'ALLEN']], // listed both ways with as many nicknames each: variants of one another
    ['allen', ['ALLAN', 'ALLEN']],
    ['al', ['ALLAN', 'ALLEN']],
    ['Józek', ['JOZEF']],
    ['Xavier', ['XAVIER']], // unknown to the table: its own canonical form
    ['', []],
  ])('canonicalForms(%j) = %j', (name, expected) => {
    expect(index.canonicalForms(name)).toEqual(expected);
  });
});

describe('areNicknames', () => {
  it.each<[string, string]>([
    ['ROBERT', 'BOB'], // nickname of the canonical
    ['BOB', 'ROB'], // both nicknames of ROBERT
    ['BILL', 'WILLIAM'],
    ['BILL', 'ROBERT'],
    ['BOB', 'BILL'], // both nicknames of ROBERT
    ['WILL', 'WILLIE'],
    ['ALLAN', 'ALLEN'],
    ['Bob', 'robert'], // case
    [' bob ', 'ROBERT.'], // spacing and punctuation
    ['Józef', 'JOZEK'], // diacritics
    ['Xavier', 'XAVIER'], // equal, though unknown to the table
  ])('%s ~ %s, both ways', (a, b) => {
    expect(index.areNicknames(a, b)).toBe(true);
    expect(index.areNicknames(b, a)).toBe(true);
  });

  it.each<[string, string]>([
    ['ROBERT', 'WILLIAM'], // both have the nickname BILL: that does not make them one name
    ['BOB', 'WILLIAM'],
    ['BOB', 'WILL'],
    ['ROB', 'WILLIE'],
    ['ROBERT', 'ROBERTA'],
    ['XAVIER', 'ZAVIER'],
    ['', ''],
    ['', 'BOB'],
  ])('%s !~ %s, both ways', (a, b) => {
    expect(index.areNicknames(a, b)).toBe(false);
    expect(index.areNicknames(b, a)).toBe(false);
  });

  it('is not transitive through distinct canonical names', () => {
    expect(index.areNicknames('BOB', 'BILL')).toBe(true); // via ROBERT
    expect(index.areNicknames('BILL', 'WILLIE')).toBe(true); // via WILLIAM
    expect(index.areNicknames('BOB', 'WILLIE')).toBe(false);
  });

  it('is symmetric on every pair of names in the table', () => {
    const names = [...new Set(ROWS.flatMap(([a, , b]) => [a, b])), 'xavier', ''];
    const asymmetric: string[] = [];
    for (const a of names) {
      for (const b of names) if (index.areNicknames(a, b) !== index.areNicknames(b, a)) asymmetric.push(`${a}/${b}`);
    }
    expect(asymmetric).toEqual([]);
  });

  it('accepts any iterable of rows', () => {
    function* rows(): Generator<readonly [string, string, string]> {
      yield ['margaret', 'has_nickname', 'peggy'];
      yield ['margaret', 'has_nickname', 'maggie'];
    }
    const idx = buildNicknameIndex(rows());
    expect(idx.areNicknames('PEGGY', 'MAGGIE')).toBe(true);
    expect(idx.canonicalForms('peggy')).toEqual(['MARGARET']);
  });

  it('rejects a relationship other than has_nickname', () => {
    expect(() => buildNicknameIndex([['robert', 'is_nickname_of', 'bob']])).toThrow(/relationship/);
  });
});

describe('parseNicknameCsv', () => {
  it.each<[string, string, Array<[string, string, string]>]>([
    ['CRLF with header', 'name1,relationship,name2\r\naaron,has_nickname,erin\r\naaron,has_nickname,ron\r\n', [
      ['aaron', 'has_nickname', 'erin'],
      ['aaron', 'has_nickname', 'ron'],
    ]],
    ['LF without header or final newline', 'aaron,has_nickname,erin\nabbigail,has_nickname,abby', [
      ['aaron', 'has_nickname', 'erin'],
      ['abbigail', 'has_nickname', 'abby'],
    ]],
    ['byte-order mark, blank lines and spaces', '\uFEFFname1,relationship,name2\n\n aaron , has_nickname , erin \n\n', [
      ['aaron', 'has_nickname', 'erin'],
    ]],
    ['empty', '', []],
  ])('%s', (_label, text, expected) => {
    expect(parseNicknameCsv(text)).toEqual(expected);
  });

  it.each<[string, string, string]>([
    ['too few fields', 'name1,relationship,name2\naaron,has_nickname,erin\naaron,ron\n', 'line 3:'],
    ['too many fields', 'aaron,has_nickname,erin,ron', 'line 1:'],
  ])('throws on %s, naming the line', (_label, text, where) => {
    expect(() => parseNicknameCsv(text)).toThrow(where);
  });
});
