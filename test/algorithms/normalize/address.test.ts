import { describe, expect, it } from 'vitest';
import { normalizeStreet, normalizeZip, type NormalizedStreet } from '../../../algorithms/normalize/address.js';

describe('normalizeStreet: USPS street suffixes', () => {
  it.each<[string, string]>([
    ['Street', 'ST'],
    ['Str', 'ST'],
    ['St.', 'ST'],
    ['Avenue', 'AVE'],
    ['Av', 'AVE'],
    ['Road', 'RD'],
    ['Drive', 'DR'],
    ['Lane', 'LN'],
    ['Court', 'CT'],
    ['Boulevard', 'BLVD'],
    ['Place', 'PL'],
    ['Terrace', 'TER'],
    ['Circle', 'CIR'],
    ['Highway', 'HWY'],
    ['Parkway', 'PKWY'],
    ['Square', 'SQ'],
    ['Trail', 'TRL'],
    ['Way', 'WAY'],
    ['Alley', 'ALY'],
    ['Center', 'CTR'],
    ['Centre', 'CTR'],
    ['Crescent', 'CRES'],
    ['Crossing', 'XING'],
    ['Expressway', 'EXPY'],
    ['Freeway', 'FWY'],
    ['Heights', 'HTS'],
    ['Junction', 'JCT'],
    ['Meadow', 'MDW'],
    ['Meadows', 'MDWS'],
    ['Mount', 'MT'],
    ['Plaza', 'PLZ'],
    ['Point', 'PT'],
    ['Ridge', 'RDG'],
    ['Route', 'RTE'],
    ['Turnpike', 'TPKE'],
    ['Valley', 'VLY'],
    ['Village', 'VLG'],
    ['Loop', 'LOOP'],
  ])('10 Oak %s → OAK %s', (suffix, abbreviation) => {
    expect(normalizeStreet(`10 Oak ${suffix}`)).toStrictEqual({
      line: `10 OAK ${abbreviation}`,
      number: '10',
      name: `OAK ${abbreviation}`,
    });
  });
});

describe('normalizeStreet: directionals', () => {
  it.each<[string, string]>([
    ['North', 'N'],
    ['South', 'S'],
    ['East', 'E'],
    ['West', 'W'],
    ['Northeast', 'NE'],
    ['Northwest', 'NW'],
    ['Southeast', 'SE'],
    ['Southwest', 'SW'],
  ])('%s → %s before and after the street name', (word, abbreviation) => {
    expect(normalizeStreet(`10 ${word} Oak Street`).name).toBe(`${abbreviation} OAK ST`);
    expect(normalizeStreet(`10 Oak Street ${word}`).name).toBe(`OAK ST ${abbreviation}`);
  });
});

describe('normalizeStreet', () => {
  it.each<[string | null | undefined, NormalizedStreet]>([
    ['123 Main Street', { line: '123 MAIN ST', number: '123', name: 'MAIN ST' }],
    ['123 MAIN ST', { line: '123 MAIN ST', number: '123', name: 'MAIN ST' }],
    ['123 main st.', { line: '123 MAIN ST', number: '123', name: 'MAIN ST' }],
    ['12B Main St', { line: '12B MAIN ST', number: '12B', name: 'MAIN ST' }],
    ['12 North Main Street, Apt. 4B', { line: '12 N MAIN ST', number: '12', name: 'N MAIN ST', unit: '4B' }],
    ['12 N MAIN ST #4B', { line: '12 N MAIN ST', number: '12', name: 'N MAIN ST', unit: '4B' }],
    ['12 Main St Apartment 4B', { line: '12 MAIN ST', number: '12', name: 'MAIN ST', unit: '4B' }],
    ['12 Main St # 4B', { line: '12 MAIN ST', number: '12', name: 'MAIN ST', unit: '4B' }],
    ['12 Main St Apt. #4B', { line: '12 MAIN ST', number: '12', name: 'MAIN ST', unit: '4B' }],
    ['12 Main St Apt 4-B', { line: '12 MAIN ST', number: '12', name: 'MAIN ST', unit: '4B' }],
    ['12 Main St Unit 4B', { line: '12 MAIN ST', number: '12', name: 'MAIN ST', unit: '4B' }],
    ['500 Oak Blvd Suite 200', { line: '500 OAK BLVD', number: '500', name: 'OAK BLVD', unit: '200' }],
    ['500 Oak Blvd Ste 200', { line: '500 OAK BLVD', number: '500', name: 'OAK BLVD', unit: '200' }],
    ['500 Oak Blvd, Bldg 3', { line: '500 OAK BLVD', number: '500', name: 'OAK BLVD', unit: '3' }],
    ['500 Oak Blvd Floor 3', { line: '500 OAK BLVD', number: '500', name: 'OAK BLVD', unit: '3' }],
    ['500 Oak Blvd Rm 3', { line: '500 OAK BLVD', number: '500', name: 'OAK BLVD', unit: '3' }],
    ['12 Main Street North Apt 4', { line: '12 MAIN ST N', number: '12', name: 'MAIN ST N', unit: '4' }],
    // words abbreviated only in the role they play
    ['100 Court Street', { line: '100 COURT ST', number: '100', name: 'COURT ST' }],
    ['12 North Avenue', { line: '12 NORTH AVE', number: '12', name: 'NORTH AVE' }],
    ['12 Park', { line: '12 PARK', number: '12', name: 'PARK' }],
    ['12 Court', { line: '12 COURT', number: '12', name: 'COURT' }], // a suffix word alone is the name
    ['12 Terrace N', { line: '12 TERRACE N', number: '12', name: 'TERRACE N' }],
    ['12 West', { line: '12 WEST', number: '12', name: 'WEST' }],
    ['12 Avenue of the Americas', { line: '12 AVENUE OF THE AMERICAS', number: '12', name: 'AVENUE OF THE AMERICAS' }],
    ['12 Ste Marie Rd', { line: '12 STE MARIE RD', number: '12', name: 'STE MARIE RD' }], // STE is the name here
    // no house number, PO boxes
    ['Main Street', { line: 'MAIN ST', name: 'MAIN ST' }],
    ['Broadway Apt 4', { line: 'BROADWAY', name: 'BROADWAY', unit: '4' }],
    ['P.O. Box 77', { line: 'PO BOX 77', name: 'PO BOX 77' }],
    ['Post Office Box 77', { line: 'PO BOX 77', name: 'PO BOX 77' }],
    ['PO BOX 77', { line: 'PO BOX 77', name: 'PO BOX 77' }],
    ['POB 77', { line: 'PO BOX 77', name: 'PO BOX 77' }],
    // diacritics and apostrophes
    ['12 Calle Núñez', { line: '12 CALLE NUNEZ', number: '12', name: 'CALLE NUNEZ' }],
    ["7 O'Connell Street", { line: '7 OCONNELL ST', number: '7', name: 'OCONNELL ST' }],
    ['', { line: '' }],
    [null, { line: '' }],
    [undefined, { line: '' }],
  ])('normalizeStreet(%j)', (raw, expected) => {
    expect(normalizeStreet(raw)).toStrictEqual(expected);
  });
});

describe('normalizeZip', () => {
  it.each<[string | null | undefined, string | null]>([
    ['02139', '02139'],
    ['02139-4307', '02139'],
    ['021394307', '02139'],
    [' 02139 ', '02139'],
    ['90210', '90210'],
    ['00000', null],
    ['00000-1234', null],
    ['2139', null],
    ['021394', null],
    ['02139-43', null],
    ['02139 4307', null],
    ['0213A', null],
    ['SW1A 1AA', null],
    ['', null],
    [null, null],
    [undefined, null],
  ])('normalizeZip(%j) = %j', (raw, expected) => {
    expect(normalizeZip(raw)).toBe(expected);
  });
});
