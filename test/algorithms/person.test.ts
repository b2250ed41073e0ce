import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { blockingKeys } from '../../algorithms/blocking.js';
import { buildNicknameIndex, parseNicknameCsv } from '../../algorithms/normalize/nicknames.js';
import { normalizePerson, normalizePostcode, PERSON_BLOCKING_RULES, type PersonInput } from '../../algorithms/person.js';
import type { Demographics } from '../../src/ingest/demographics.js';

const nicknames = buildNicknameIndex(parseNicknameCsv(readFileSync(new URL('../../fixtures/names/nicknames.csv', import.meta.url), 'utf8')));

const demographics: Demographics = {
  v: 1,
  names: [
    { family: 'Smith', given: 'Bill', type: 'N' },
    { family: 'Garcia-López', given: 'William', middle: 'Henry', suffix: 'Jr.', type: 'L' },
  ],
  birthDate: '1980-05-12',
  birthDatePrecision: 'day',
  sex: 'male',
  addresses: [
    { street: '12 North Main Street Apt. 4B', city: 'Cambridge', state: 'MA', zip: '02139-1234' },
    { street: '12 N Main St', city: 'CAMBRIDGE', zip: '02139' },
  ],
  phones: [{ number: '+1 (617) 253-2368' }, { number: '617.253.2368' }, { number: '000-000-0000' }],
  ssn: '536-22-1234',
};

describe('normalizePerson', () => {
  it('accepts the stored demographics document as it is', () => {
    expectTypeOf<Demographics>().toExtend<PersonInput>();
  });

  it('normalises every field of a full Demographics record', () => {
    const p = normalizePerson(demographics, nicknames);
    // Legal name first, whatever the order sent.
    expect(p.names.map((n) => n.type)).toEqual(['L', 'N']);
    expect(p.given).toBe('WILLIAM');
    expect(p.family).toBe('GARCIALOPEZ');
    expect(p.familyParts).toEqual(['GARCIA', 'LOPEZ']);
    const legal = p.names[0]!;
    expect(legal.middle).toEqual(['HENRY']);
    expect(legal.suffix).toBe('JR');
    expect(legal.givenInitial).toBe('W');
    expect(legal.givenNicknames).toContain('WILLIAM');
    expect(legal.givenCodes.length).toBeGreaterThan(0);
    expect(p.names[1]!.givenNicknames).toContain('WILLIAM'); // BILL
    expect(p.dob).toEqual({ y: 1980, m: 5, d: 12 });
    expect(p.dobKey).toBe('19800512');
    expect(p.sex).toBe('M');
    expect(p.ssn).toBe('536221234');
    expect(p.phones).toEqual(['6172532368']); // duplicates and placeholders dropped
    expect(p.phone).toBe('6172532368');
    expect(p.postcodes).toEqual(['02139']);
    expect(p.streets).toEqual(['12 N MAIN ST']); // unit dropped, both spellings one street
    expect(p.streetNumbers).toEqual(['12']);
    expect(p.streetNames).toEqual(['N MAIN ST']);
    expect(p.streetOthers).toEqual(['']);
    const other = (line: string) => normalizePerson({ names: [], addresses: [{ street: '77 Neales Street', other: line }], phones: [] }).streetOthers;
    expect(other('Tara Hills')).toEqual(['TARAHLS']);
    expect(other('Apt 4B')).toEqual(['']); // a unit names no place
    expect(other('# 12')).toEqual(['']);
    expect(p.cities).toEqual(['CAMBRIDGE']);
    expect(p.state).toBe('MA');
  });

  it('keeps the precision of the date of birth and drops impossible dates', () => {
    const base = { names: [{ given: 'Ann', family: 'Lee' }], addresses: [], phones: [] };
    expect(normalizePerson({ ...base, birthDate: '1980-05' }).dob).toEqual({ y: 1980, m: 5 });
    expect(normalizePerson({ ...base, birthDate: '1980-01-01', birthDatePrecision: 'year' }).dob).toEqual({ y: 1980 });
    expect(normalizePerson({ ...base, birthDate: '19800230' }).dob).toBeNull();
    expect(normalizePerson({ ...base, birthDate: '19371233' }).dobKey).toBeNull();
    expect(normalizePerson({ ...base, birthDate: null }).dob).toBeNull();
  });

  it('turns unknowns into nulls, never into values that could agree', () => {
    const p = normalizePerson({
      names: [{ given: '', family: '' }, { given: 'J.' }],
      sex: 'U',
      ssn: '123-45-6789',
      addresses: [{ street: '84', zip: '00000' }, { zip: 'ABC' }],
      phones: [{ number: '555-0123' }],
    });
    expect(p.names).toHaveLength(1); // the empty name is dropped
    expect(p.given).toBe('J');
    expect(p.family).toBe('');
    expect(p.names[0]!.givenCodes).toEqual([]); // an initial has no phonetic code
    expect(p.sex).toBeNull();
    expect(p.ssn).toBeNull(); // a known dummy
    expect(p.streets).toEqual([]); // a house number alone is no street
    expect(p.postcodes).toEqual([]);
    expect(p.phones).toEqual([]);
  });

  it('reads a given name keyed in two words both ways, and keeps particles in the full family name', () => {
    const p = normalizePerson({ names: [{ given: 'Mary Ann', family: 'van der Berg' }], addresses: [], phones: [] });
    expect(p.names[0]!.given).toBe('MARY');
    expect(p.names[0]!.givenJoined).toBe('MARYANN');
    expect(p.family).toBe('VANDERBERG');
    expect(p.familyParts).toEqual(['BERG']);
  });

  it('accepts US ZIP5, ZIP+4 and 4-digit postcodes', () => {
    expect(normalizePostcode('02139-1234')).toBe('02139');
    expect(normalizePostcode('0800')).toBe('0800');
    expect(normalizePostcode(' 2600 ')).toBe('2600');
    expect(normalizePostcode('0000')).toBeNull();
    expect(normalizePostcode('123')).toBeNull();
    expect(normalizePostcode(undefined)).toBeNull();
  });

  it('gives swapped names the same name+dob and given+family blocking keys', () => {
    const input = (given: string, family: string): PersonInput => ({
      names: [{ given, family }],
      birthDate: '1950-03-04',
      addresses: [{ street: '5 Deamer Crescent', zip: '2570' }],
      phones: [],
    });
    const a = new Set(blockingKeys(PERSON_BLOCKING_RULES, normalizePerson(input('Sam', 'Webb'))));
    const b = blockingKeys(PERSON_BLOCKING_RULES, normalizePerson(input('Webb', 'Sam')));
    const shared = b.filter((k) => a.has(k)).map((k) => k.split(':')[0]);
    expect(shared).toEqual(expect.arrayContaining(['nd', 'gf', 'dz', 'as']));
    expect(shared).not.toContain('fy');
  });
});

describe('algorithms/person*.ts stay pure', () => {
  it.each(['person.ts', 'person-comparisons.ts'])('%s imports only relative modules and does no I/O', (file) => {
    const source = readFileSync(new URL(`../../algorithms/${file}`, import.meta.url), 'utf8');
    const specs = [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '');
    for (const spec of specs) expect(spec.startsWith('./') && spec.endsWith('.js'), spec).toBe(true);
    expect(source).not.toMatch(/\bprocess\.|\bconsole\.|\brequire\(|node:|Date\.now|new Date\(|Math\.random/);
  });
});
