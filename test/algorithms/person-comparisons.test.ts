import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildNicknameIndex, parseNicknameCsv } from '../../algorithms/normalize/nicknames.js';
import {
  C,
  COMPARISON_NAMES,
  compareLabels,
  compareVector,
  LEVEL_LABELS,
  levelIndex,
  termFrequencyKeys,
  type ComparisonName,
} from '../../algorithms/person-comparisons.js';
import { normalizePerson, type Person } from '../../algorithms/person.js';

const nicknames = buildNicknameIndex(parseNicknameCsv(readFileSync(new URL('../../fixtures/names/nicknames.csv', import.meta.url), 'utf8')));

interface Spec {
  given?: string;
  family?: string;
  dob?: string;
  sex?: string;
  ssn?: string;
  phone?: string;
  zip?: string;
  city?: string;
  street?: string;
  other?: string;
  /** An other identifier as 'SYSTEM:value'. */
  id?: string;
  middle?: string;
}

/** A person from a compact spec; unspecified fields are missing. */
function person(s: Spec, withNicknames = true): Person {
  return normalizePerson(
    {
      names: s.given === undefined && s.family === undefined ? [] : [{ given: s.given, family: s.family, middle: s.middle }],
      birthDate: s.dob ?? null,
      sex: s.sex ?? null,
      ssn: s.ssn ?? null,
      addresses:
        s.zip === undefined && s.street === undefined && s.city === undefined ? [] : [{ zip: s.zip, street: s.street, other: s.other, city: s.city }],
      phones: s.phone === undefined ? [] : [{ number: s.phone }],
      otherIds: s.id === undefined ? [] : [{ system: s.id.split(':')[0]!, value: s.id.split(':')[1]! }],
    },
    withNicknames ? nicknames : undefined,
  );
}

const level = (name: ComparisonName, a: Spec, b: Spec, withNicknames = true): string =>
  compareLabels(person(a, withNicknames), person(b, withNicknames))[name];

type Case = [ComparisonName, string, Spec, Spec];

// Each level reached by a hand-made pair ...
const hits: Case[] = [
  ['given_name', 'null', { given: '' , family: 'X' }, { given: 'JOHN' }],
  ['given_name', 'exact', { given: 'John' }, { given: 'JOHN' }],
  ['given_name', 'exact', { given: 'Mary Ann' }, { given: 'Maryann' }],
  ['given_name', 'nickname', { given: 'Bill' }, { given: 'William' }],
  ['given_name', 'jw-high', { given: 'Martha' }, { given: 'Marhta' }],
  // One keystroke near the start of a short name: Jaro-Winkler 0.87, still a typo.
  ['given_name', 'jw-high', { given: 'Ryan' }, { given: 'Ryqn' }],
  ['given_name', 'jw-high', { given: 'Carmen' }, { given: 'Carrnen' }], // RN read for M
  ['family_name', 'jw-high', { family: 'Clifford' }, { family: 'Difford' }], // CL read as D
  // Goes by the middle name; first and middle keyed in each other's place.
  ['given_name', 'nickname', { given: 'James', middle: 'Michael' }, { given: 'Michael' }],
  ['given_name', 'nickname', { given: 'John', middle: 'Michael' }, { given: 'Michael', middle: 'John' }],
  ['middle_name', 'exact', { given: 'John', middle: 'Michael' }, { given: 'Michael', middle: 'John' }],
  ['given_name', 'else', { given: 'James', middle: 'M' }, { given: 'Michael' }],
  ['given_name', 'nickname', { given: 'James', middle: 'Michael' }, { given: 'Michael', middle: 'J' }],
  // Twins named for each other's middle names keep two given names.
  ['given_name', 'else', { given: 'John', middle: 'Michael' }, { given: 'Michael', middle: 'James' }],
  ['given_name', 'phonetic', { given: 'Stephen' }, { given: 'Steven' }],
  ['given_name', 'jw-medium', { given: 'Leonard' }, { given: 'Leonora' }],
  ['given_name', 'initial', { given: 'J.' }, { given: 'John' }],
  ['given_name', 'else', { given: 'John' }, { given: 'Mary' }],
  ['family_name', 'null', { given: 'A' }, { family: 'Smith' }],
  ['family_name', 'exact', { family: 'van der Berg' }, { family: 'VANDERBERG' }],
  ['family_name', 'exact', { family: 'Garcia Lopez' }, { family: 'Lopez-Garcia' }],
  ['family_name', 'any-part', { family: 'Garcia Lopez' }, { family: 'Garcia' }],
  ['family_name', 'jw-high', { family: 'Johnson' }, { family: 'Jonson' }],
  ['family_name', 'jw-high', { family: 'Martin' }, { family: 'Mqrtin' }],
  ['family_name', 'reversed', { given: 'Sam', family: 'Webb' }, { given: 'Webb', family: 'Sam' }],
  ['family_name', 'reversed', { given: 'Joshua', family: 'Campbell' }, { given: 'Campblel', family: 'Joshua' }],
  ['family_name', 'reversed', { given: 'Gael', family: 'Garcia-Vasquez' }, { given: 'Garcia', family: 'Gael' }],
  ['family_name', 'reversed', { given: 'Shannon', family: 'Fitzgerald' }, { given: 'Fitzgerald', family: 'Shannon Catherine' }],
  ['family_name', 'reversed', { given: 'Nguyen', family: 'Hung Duc' }, { given: 'Hung', family: 'Nguyen' }],
  ['family_name', 'partial-swap', { given: 'Sam', family: 'Webb' }, { given: 'Webb', family: 'Jones' }],
  ['family_name', 'partial-swap', { given: 'Gillian', family: 'Lodge' }, { given: 'Lodge', family: 'Adele' }],
  ['family_name', 'partial-swap', { given: 'Hayden', family: 'Paine' }, { given: 'Paipne', family: 'Nicholas' }],
  ['family_name', 'phonetic', { family: 'Smith' }, { family: 'Schmidt' }],
  ['family_name', 'else', { family: 'Smith' }, { family: 'Jones' }],
  ['dob', 'null', { dob: '1980-05-12' }, { dob: '19801332' }],
  ['dob', 'exact', { dob: '1980-05-12' }, { dob: '19800512' }],
  ['dob', 'day-month-swapped', { dob: '1980-03-05' }, { dob: '1980-05-03' }],
  ['dob', 'one-digit', { dob: '1980-01-12' }, { dob: '1980-01-13' }],
  ['dob', 'transposed-digits', { dob: '1980-03-12' }, { dob: '1980-03-21' }],
  ['dob', 'year-off-by-one', { dob: '1979-05-12' }, { dob: '1980-05-12' }],
  ['dob', 'within-days', { dob: '1999-12-31' }, { dob: '2000-01-09' }],
  ['dob', 'partial-agree', { dob: '1980' }, { dob: '1980-05-12' }],
  ['dob', 'else', { dob: '1980-05-12' }, { dob: '1955-11-30' }],
  ['sex', 'null', { sex: 'U' }, { sex: 'F' }],
  ['sex', 'exact', { sex: 'female' }, { sex: 'F' }],
  ['sex', 'else', { sex: 'M' }, { sex: 'F' }],
  ['ssn', 'null', { ssn: '123-45-6789' }, { ssn: '123-45-6789' }],
  ['ssn', 'exact', { ssn: '536-22-1234' }, { ssn: '536221234' }],
  ['ssn', 'one-digit-or-transposition', { ssn: '536221234' }, { ssn: '536221235' }],
  ['ssn', 'one-digit-or-transposition', { ssn: '536221234' }, { ssn: '536212234' }],
  ['ssn', 'last-four', { ssn: '536221234' }, { ssn: '412871234' }],
  ['ssn', 'else', { ssn: '536221234' }, { ssn: '412874321' }],
  ['phone', 'null', { phone: '555-1234' }, { phone: '617-253-2368' }],
  ['phone', 'exact', { phone: '+1 617 253 2368' }, { phone: '(617) 253-2368' }],
  ['phone', 'one-digit', { phone: '617-253-2368' }, { phone: '617-253-2369' }],
  ['phone', 'one-digit', { phone: '617-253-2368' }, { phone: '617-253-2386' }],
  ['phone', 'else', { phone: '617-253-2368' }, { phone: '212-555-7890' }],
  ['postcode', 'null', { zip: 'ABC' }, { zip: '02139' }],
  ['postcode', 'exact', { zip: '02139-1234', city: 'Boston' }, { zip: '02139', city: 'Cambridge' }],
  ['postcode', 'city', { zip: '02139', city: 'Cambridge' }, { zip: '02138', city: 'CAMBRIDGE' }],
  ['postcode', 'city', { city: 'Cambridge' }, { zip: '02138', city: 'Cambrigde' }],
  ['postcode', 'else', { zip: '02139', city: 'Cambridge' }, { zip: '10001', city: 'New York' }],
  ['middle_name', 'null', { given: 'Mary', middle: 'Ann' }, { given: 'Mary' }],
  ['middle_name', 'exact', { given: 'Mary', middle: 'Ann' }, { given: 'Mary Ann' }],
  ['middle_name', 'exact', { given: 'Anne', middle: 'Katherine' }, { given: 'Anne', middle: 'Katharine' }],
  ['middle_name', 'initial', { given: 'John', middle: 'J.' }, { given: 'John', middle: 'James' }],
  ['middle_name', 'initial', { given: 'John', middle: 'J' }, { given: 'John', middle: 'J' }],
  ['middle_name', 'else', { given: 'Dawson', middle: 'M' }, { given: 'Elias', middle: 'Karter' }],
  ['middle_name', 'else', { given: 'Mary', middle: 'Ann' }, { given: 'Mary', middle: 'Beth' }],
  ['other_id', 'null', { id: 'AU-ID:1804974' }, {}],
  ['other_id', 'null', { id: 'AU-ID:1804974' }, { id: 'US-DL-MA:1804974' }],
  ['other_id', 'null', { id: 'AU-ID:0000000' }, { id: 'AU-ID:0000000' }],
  ['other_id', 'exact', { id: 'AU-ID:1804974' }, { id: 'au-id:1804-974' }],
  ['other_id', 'one-digit-or-transposition', { id: 'AU-ID:1804974' }, { id: 'AU-ID:1804975' }],
  ['other_id', 'one-digit-or-transposition', { id: 'AU-ID:1804974' }, { id: 'AU-ID:1840974' }],
  ['other_id', 'else', { id: 'AU-ID:1804974' }, { id: 'AU-ID:6089216' }],
  ['street', 'null', { street: '84' }, { street: '84 Maccallum Circuit' }],
  ['street', 'exact', { street: '12 North Main Street Apt 4' }, { street: '12 N MAIN ST' }],
  ['street', 'jw-high', { street: '8 Stanley Street' }, { street: '8 Stanley Setreet' }],
  ['street', 'jw-high', { street: '158 Beattie Crescent' }, { street: '185 Beattie Crgescent' }],
  ['street', 'jw-high', { street: 'Barwell Place' }, { street: '7 Barwell Place' }],
  ['street', 'two-parts', { street: '12 Main Street', other: 'Tara Hills' }, { street: '40 Main Street', other: 'Tara Hills' }],
  ['street', 'two-parts', { street: '77 Neales Street', other: 'Tara Hills' }, { street: '77 Tara Hills', other: 'Neales Street' }],
  ['street', 'two-parts', { street: '162 Callister Crescent', other: 'Villa 2' }, { street: '01 Callistercrescent', other: 'villa 2' }],
  ['street', 'two-parts', { street: '43 Garling Street', other: 'Clear Creek' }, { street: '43 Pitcairn Street', other: 'Clear Creek' }],
  ['street', 'one-part', { street: '12 Main Street' }, { street: '40 Main Street' }],
  ['street', 'one-part', { street: '12 Main Street', other: 'Villa 2' }, { street: '40 Elm Street', other: 'Villa 2' }],
  ['street', 'one-part', { street: '5 Neales Street' }, { street: '77 Tara Hills', other: 'Neales Street' }],
  ['street', 'else', { street: '12 Main Street' }, { street: '12 Elm Street' }],
  ['street', 'else', { street: '12 Main Street', other: 'Apt 4' }, { street: '40 Elm Street', other: 'Apt 4' }],
];

// ... and a near miss that falls one level lower.
const nearMisses: Case[] = [
  ['given_name', 'else', { given: 'Bill' }, { given: 'Wilhelmina' }],
  ['given_name', 'else', { given: 'J' }, { given: 'Mary' }],
  ['family_name', 'else', { given: 'Sam', family: 'Webb' }, { given: 'Wells', family: 'Jones' }],
  ['family_name', 'jw-high', { given: 'Sam', family: 'Webb' }, { given: 'Webb', family: 'Webbe' }],
  ['family_name', 'exact', { given: 'Smith', family: 'Smith' }, { given: 'Smith', family: 'Smith' }],
  ['family_name', 'jw-high', { family: 'Smith' }, { family: 'Smiths' }],
  ['dob', 'else', { dob: '1980-05-12' }, { dob: '1980-07-03' }],
  ['dob', 'else', { dob: '1980' }, { dob: '1981-05-12' }],
  ['dob', 'one-digit', { dob: '1980-05-12' }, { dob: '1981-05-12' }],
  ['ssn', 'else', { ssn: '536221234' }, { ssn: '536224321' }],
  ['phone', 'else', { phone: '617-253-2368' }, { phone: '617-253-8632' }],
  ['postcode', 'else', { zip: '02139' }, { zip: '02138' }],
  ['street', 'one-part', { street: '158 Beattie Crescent' }, { street: '1 Beattie Crescent' }],
  ['street', 'else', { street: '12 Main Street', other: 'Apt 4' }, { street: '12 Elm Street', other: 'Apt 4' }],
];

describe('person comparisons', () => {
  it('has one label list per comparison, null first', () => {
    expect(Object.keys(LEVEL_LABELS)).toEqual([...COMPARISON_NAMES]);
    COMPARISON_NAMES.forEach((name, i) => {
      expect(C[name]).toBe(i);
      expect(LEVEL_LABELS[name][0]).toBe('null');
      expect(LEVEL_LABELS[name].at(-1)).toBe('else');
    });
    expect(levelIndex('dob', 'day-month-swapped')).toBe(2);
    expect(() => levelIndex('sex', 'nope' as 'exact')).toThrow(RangeError);
  });

  it.each(hits)('%s reaches %s: %j / %j', (name, expected, a, b) => {
    expect(level(name, a, b)).toBe(expected);
    expect(level(name, b, a)).toBe(expected); // symmetric
  });

  it.each(nearMisses)('%s near miss gives %s: %j / %j', (name, expected, a, b) => {
    expect(level(name, a, b)).toBe(expected);
    expect(level(name, b, a)).toBe(expected);
  });

  it('has no nickname level without a nickname table', () => {
    expect(level('given_name', { given: 'Bill' }, { given: 'William' }, false)).toBe('else');
  });

  it('counts reversed names once: given_name goes to null', () => {
    const labels = compareLabels(person({ given: 'Sam', family: 'Webb' }), person({ given: 'Webb', family: 'Sam' }));
    expect(labels.given_name).toBe('null');
    expect(labels.family_name).toBe('reversed');
  });

  it('counts partly swapped names once: given_name goes to null', () => {
    const labels = compareLabels(person({ given: 'Sam', family: 'Webb' }), person({ given: 'Webb', family: 'Jones' }));
    expect(labels.given_name).toBe('null');
    expect(labels.family_name).toBe('partial-swap');
    // A direct agreement wins over a swap.
    expect(compareLabels(person({ given: 'Sam', family: 'Webb' }), person({ given: 'Sam', family: 'Sam' }))).toMatchObject({ given_name: 'exact', family_name: 'else' });
  });

  it('takes the best level over several names, addresses and phones', () => {
    const a = normalizePerson({
      names: [{ given: 'Mary', family: 'Jones', type: 'L' }, { given: 'Mary', family: 'Smith', type: 'M' }],
      addresses: [{ street: '1 Elm St', zip: '10001' }, { street: '12 Main St', zip: '02139' }],
      phones: [{ number: '212-555-7890' }, { number: '617-253-2368' }],
    });
    const b = normalizePerson({
      names: [{ given: 'Mary', family: 'Smith' }],
      addresses: [{ street: '12 Main Street', zip: '02139' }],
      phones: [{ number: '617-253-2368' }],
    });
    expect(compareLabels(a, b)).toMatchObject({ given_name: 'exact', family_name: 'exact', postcode: 'exact', street: 'exact', phone: 'exact' });
  });

  it('fills the vector given, without allocating another', () => {
    const a = person({ given: 'John', family: 'Smith', dob: '1980-05-12', sex: 'M', ssn: '536221234', phone: '6172532368', zip: '02139', street: '12 Main St' });
    const b = person({ given: 'Jon', family: 'Smith', dob: '1980-05-12', sex: 'M', zip: '02139', street: '12 Main Street' });
    const out = new Uint8Array(COMPARISON_NAMES.length).fill(99);
    const v = compareVector(a, b, out);
    expect(v).toBe(out);
    expect([...v]).toEqual([
      levelIndex('given_name', 'nickname'),
      levelIndex('family_name', 'exact'),
      levelIndex('dob', 'exact'),
      levelIndex('sex', 'exact'),
      0,
      0,
      levelIndex('postcode', 'exact'),
      levelIndex('street', 'exact'),
      0,
      0,
    ]);
    // Writing into a slice of a larger buffer (one row of a batch) leaves the rest alone.
    const K = COMPARISON_NAMES.length;
    const batch = new Uint8Array(3 * K).fill(7);
    compareVector(a, b, batch.subarray(K, 2 * K));
    expect([...batch.subarray(0, K)]).toEqual(new Array(K).fill(7));
    expect([...batch.subarray(K, 2 * K)]).toEqual([...v]);
    expect([...batch.subarray(2 * K)]).toEqual(new Array(K).fill(7));
    expect(compareVector(a, b)).toEqual(v);
  });

  it('gives the primary names as term-frequency keys', () => {
    expect(termFrequencyKeys(person({ given: 'Mary Ann', family: 'van der Berg' }))).toEqual({ given_name: 'MARY', family_name: 'VANDERBERG' });
    expect(termFrequencyKeys(person({}))).toEqual({ given_name: '', family_name: '' });
  });
});
