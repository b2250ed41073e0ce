// The vendored table itself (fixtures/names/nicknames.csv, carltonnorthern/nicknames, Apache-2.0): it parses
// whole, and the index built from it answers the well-known pairs the right way.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildNicknameIndex, HAS_NICKNAME, parseNicknameCsv } from '../../../algorithms/normalize/nicknames.js';
import { loadKnownGivenNames, loadNicknames } from '../../../src/linkage/matcher.js';

const text = readFileSync(new URL('../../../fixtures/names/nicknames.csv', import.meta.url), 'utf8');
const rows = parseNicknameCsv(text);
const index = buildNicknameIndex(rows);

describe('fixtures/names/nicknames.csv', () => {
  it('has 2,691 has_nickname rows', () => {
    expect(rows).toHaveLength(2691);
    expect(rows.filter(([, relationship]) => relationship !== HAS_NICKNAME)).toEqual([]);
  });

  it.each<[string, string]>([
    ['ROBERT', 'BOB'],
    ['BOB', 'ROB'],
    ['BILL', 'WILLIAM'],
    ['WILLIAM', 'BILLY'],
    ['ELIZABETH', 'BETTY'],
    ['BETH', 'LIBBY'],
    ['MARGARET', 'PEGGY'],
    ['KATHERINE', 'KATE'],
    ['RICHARD', 'DICK'],
    ['JAMES', 'JIM'],
    ['JOHN', 'JACK'],
    ['ANTHONY', 'TONY'],
    ['CHARLES', 'CHUCK'],
    ['EDWARD', 'TED'],
    ['ALEXANDER', 'SANDY'],
  ])('%s ~ %s', (a, b) => {
    expect(index.areNicknames(a, b)).toBe(true);
    expect(index.areNicknames(b, a)).toBe(true);
  });

  it.each<[string, string]>([
    ['ROBERT', 'WILLIAM'], // both nicknamed BILL
    ['HAROLD', 'HENRY'], // both nicknamed HARRY
    ['JOHN', 'JAMES'],
    ['RICHARD', 'ROBERT'],
    ['MARY', 'MARGARET'],
  ])('%s !~ %s', (a, b) => {
    expect(index.areNicknames(a, b)).toBe(false);
    expect(index.areNicknames(b, a)).toBe(false);
  });

  it('maps a nickname of two names to both, and each of those names to itself only', () => {
    expect(index.canonicalForms('bill')).toEqual(expect.arrayContaining(['ROBERT', 'WILLIAM']));
    expect(index.canonicalForms('Robert')).toEqual(['ROBERT']);
  });
});

describe('fixtures/names/nicknames-international.csv, loaded with the English table by the service', () => {
  const service = loadNicknames();
  const known = loadKnownGivenNames();

  it('parses whole, every row has_nickname, and adds no pair the English table already has', () => {
    const intl = parseNicknameCsv(readFileSync(new URL('../../../fixtures/names/nicknames-international.csv', import.meta.url), 'utf8'));
    expect(intl.length).toBeGreaterThan(100);
    expect(intl.filter(([, relationship]) => relationship !== HAS_NICKNAME)).toEqual([]);
    const english = new Set(rows.map(([a, , b]) => `${a},${b}`));
    expect(intl.filter(([a, , b]) => english.has(`${a},${b}`))).toEqual([]);
  });

  it.each<[string, string]>([
    ['ALEKSANDR', 'SASHA'],
    ['JESUS', 'CHUY'],
    ['GUADALUPE', 'LUPE'],
    ['FRANCISCO', 'PACO'],
    ['RAMON', 'MONCHO'],
    ['ALFONSO', 'PONCHO'],
    ['KATARZYNA', 'KASIA'],
    ['GIUSEPPE', 'PEPPE'],
    ['MOHAMMED', 'MOHAMED'], // two romanisations of one name
    ['MOHAMMED', 'MO'],
    ['YOUSSEF', 'YUSUF'],
    ['ROBERT', 'BOB'], // the English table still answers
  ])('%s ~ %s', (a, b) => {
    expect(service.areNicknames(a, b)).toBe(true);
    expect(known.has(a) && known.has(b)).toBe(true);
  });

  it('a short form of several names makes them equivalent to it, not to each other', () => {
    expect(service.areNicknames('ROBERTO', 'BETO')).toBe(true);
    expect(service.areNicknames('ALBERTO', 'BETO')).toBe(true);
    expect(service.areNicknames('ROBERTO', 'ALBERTO')).toBe(false);
    expect(service.areNicknames('ALEKSANDR', 'ALEKSANDRA')).toBe(false);
    expect(index.areNicknames('ALEKSANDR', 'SASHA')).toBe(false); // not in the English table alone
  });
});
