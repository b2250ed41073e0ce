import { describe, expect, it } from 'vitest';
import {
  isInitial,
  normalizeFamily,
  normalizeGiven,
  normalizeSuffix,
  type NameSuffix,
  type NormalizedFamily,
  type NormalizedGiven,
} from '../../../algorithms/normalize/names.js';

describe('normalizeFamily', () => {
  it.each<[string, NormalizedFamily]>([
    ['Smith', { full: 'SMITH', parts: ['SMITH'] }],
    // diacritics and apostrophes
    ['Müller', { full: 'MULLER', parts: ['MULLER'] }],
    ['Núñez', { full: 'NUNEZ', parts: ['NUNEZ'] }],
    ['Østergård', { full: 'OSTERGARD', parts: ['OSTERGARD'] }],
    ["O'Brien", { full: 'OBRIEN', parts: ['OBRIEN'] }],
    // hyphenated and multi-part names: hyphen, space and dash variants agree
    ['García-López', { full: 'GARCIALOPEZ', parts: ['GARCIA', 'LOPEZ'] }],
    ['Garcia Lopez', { full: 'GARCIALOPEZ', parts: ['GARCIA', 'LOPEZ'] }],
    ['Garcia – Lopez', { full: 'GARCIALOPEZ', parts: ['GARCIA', 'LOPEZ'] }],
    ['Smith-Jones-Brown', { full: 'SMITHJONESBROWN', parts: ['SMITH', 'JONES', 'BROWN'] }],
    // particles: kept in full, dropped from parts
    ['van der Berg', { full: 'VANDERBERG', parts: ['BERG'] }],
    ['Van Der Berg', { full: 'VANDERBERG', parts: ['BERG'] }],
    ['VANDERBERG', { full: 'VANDERBERG', parts: ['VANDERBERG'] }],
    ['van den Berg', { full: 'VANDENBERG', parts: ['BERG'] }],
    ['von Neumann', { full: 'VONNEUMANN', parts: ['NEUMANN'] }],
    ['de la Cruz', { full: 'DELACRUZ', parts: ['CRUZ'] }],
    ['Del Toro', { full: 'DELTORO', parts: ['TORO'] }],
    ['Della Rocca', { full: 'DELLAROCCA', parts: ['ROCCA'] }],
    ['da Silva', { full: 'DASILVA', parts: ['SILVA'] }],
    ['Di Maggio', { full: 'DIMAGGIO', parts: ['MAGGIO'] }],
    ['du Pont', { full: 'DUPONT', parts: ['PONT'] }],
    ['Le Blanc', { full: 'LEBLANC', parts: ['BLANC'] }],
    ['García de la Cruz', { full: 'GARCIADELACRUZ', parts: ['GARCIA', 'CRUZ'] }],
    // a particle alone is a whole family name (Vietnamese Lê, Italian Di)
    ['Lê', { full: 'LE', parts: ['LE'] }],
    // digits inside a name are misread letters; a word of digits, or a suffix spelt with them, is not
    ['TAYL0R', { full: 'TAYLOR', parts: ['TAYLOR'] }],
    ['Pr1ce', { full: 'PRICE', parts: ['PRICE'] }],
    ['LOPE2', { full: 'LOPEZ', parts: ['LOPEZ'] }],
    ['RAM0S-5ALAZAR', { full: 'RAMOSSALAZAR', parts: ['RAMOS', 'SALAZAR'] }],
    ['8ROWN', { full: 'BROWN', parts: ['BROWN'] }],
    ['Smith 3rd', { full: 'SMITH', parts: ['SMITH'], suffix: 'III' }],
    ['Smith 42', { full: 'SMITH42', parts: ['SMITH', '42'] }],
    ['Di', { full: 'DI', parts: ['DI'] }],
    ['De La', { full: 'DELA', parts: ['DE', 'LA'] }],
    // MAC / MC are not particles
    ['McDonald', { full: 'MCDONALD', parts: ['MCDONALD'] }],
    ['Mac Donald', { full: 'MACDONALD', parts: ['MAC', 'DONALD'] }],
    // ST / SAINT
    ['St. John', { full: 'SAINTJOHN', parts: ['JOHN'] }],
    ['St John', { full: 'SAINTJOHN', parts: ['JOHN'] }],
    ['Saint-John', { full: 'SAINTJOHN', parts: ['JOHN'] }],
    // ST run into the name by a letters-only system
    ['STJOHN', { full: 'SAINTJOHN', parts: ['JOHN'] }],
    ['StClair', { full: 'SAINTCLAIR', parts: ['CLAIR'] }],
    ['STPIERRE', { full: 'SAINTPIERRE', parts: ['PIERRE'] }],
    ['STRONG', { full: 'STRONG', parts: ['STRONG'] }],
    ['STEWART', { full: 'STEWART', parts: ['STEWART'] }],
    ['STYLES', { full: 'STYLES', parts: ['STYLES'] }],
    ['STH', { full: 'STH', parts: ['STH'] }],
    // suffixes at the end
    ['Smith Jr.', { full: 'SMITH', parts: ['SMITH'], suffix: 'JR' }],
    ['Smith, Jr', { full: 'SMITH', parts: ['SMITH'], suffix: 'JR' }],
    ['Smith Junior', { full: 'SMITH', parts: ['SMITH'], suffix: 'JR' }],
    ['Smith Sr.', { full: 'SMITH', parts: ['SMITH'], suffix: 'SR' }],
    ['Smith Senior', { full: 'SMITH', parts: ['SMITH'], suffix: 'SR' }],
    ['Smith II', { full: 'SMITH', parts: ['SMITH'], suffix: 'II' }],
    ['Smith 2nd', { full: 'SMITH', parts: ['SMITH'], suffix: 'II' }],
    ['Smith III', { full: 'SMITH', parts: ['SMITH'], suffix: 'III' }],
    ['Smith 3rd', { full: 'SMITH', parts: ['SMITH'], suffix: 'III' }],
    ['Smith IV', { full: 'SMITH', parts: ['SMITH'], suffix: 'IV' }],
    ['Smith V', { full: 'SMITH', parts: ['SMITH'], suffix: 'V' }],
    ['García-López Jr.', { full: 'GARCIALOPEZ', parts: ['GARCIA', 'LOPEZ'], suffix: 'JR' }],
    ['van der Berg III', { full: 'VANDERBERG', parts: ['BERG'], suffix: 'III' }],
    // a suffix word alone is a family name, and a suffix is only taken from the end
    ['Junior', { full: 'JUNIOR', parts: ['JUNIOR'] }],
    ['Jr Smith', { full: 'JRSMITH', parts: ['JR', 'SMITH'] }],
    ['', { full: '', parts: [] }],
    [' -- ', { full: '', parts: [] }],
  ])('normalizeFamily(%j)', (raw, expected) => {
    expect(normalizeFamily(raw)).toStrictEqual(expected);
  });

  it.each([null, undefined])('treats %s as empty', (raw) => {
    expect(normalizeFamily(raw)).toStrictEqual({ full: '', parts: [] });
  });
});

describe('normalizeGiven', () => {
  const given = (first: string, middle: string[] = [], firstParts: string[] = [first], suffix?: NameSuffix): NormalizedGiven => {
    const g: NormalizedGiven = { first, firstParts, middle, initial: first.charAt(0) };
    if (suffix !== undefined) g.suffix = suffix;
    return g;
  };
  it.each<[string, NormalizedGiven]>([
    ['Mary', given('MARY')],
    ['Mary Anne', given('MARY', ['ANNE'])],
    ['Anne-Marie', given('ANNEMARIE', [], ['ANNE', 'MARIE'])],
    ['Anne - Marie', given('ANNEMARIE', [], ['ANNE', 'MARIE'])],
    ['Jean-Luc Pierre', given('JEANLUC', ['PIERRE'], ['JEAN', 'LUC'])],
    ['Mary Anne-Louise', given('MARY', ['ANNELOUISE'])],
    ['Anne Marie Louise', given('ANNE', ['MARIE', 'LOUISE'])],
    ['Łukasz', given('LUKASZ')],
    ['Émile', given('EMILE')],
    ['J.', given('J')],
    ['J. Robert', given('J', ['ROBERT'])],
    // leading titles
    ['Dr. Jane', given('JANE')],
    ['Mr John', given('JOHN')],
    ['Mrs. Mary Anne', given('MARY', ['ANNE'])],
    ['Ms Ann', given('ANN')],
    ['Miss Kate', given('KATE')],
    ['Rev. John', given('JOHN')],
    ['Prof. Dr. Hans', given('HANS')],
    ['Jane Dr', given('JANE', ['DR'])],
    ['Dr', given('DR')],
    // trailing suffixes
    ['John Jr.', given('JOHN', [], ['JOHN'], 'JR')],
    ['John Paul III', given('JOHN', ['PAUL'], ['JOHN'], 'III')],
    ['John Senior', given('JOHN', [], ['JOHN'], 'SR')],
    ['John 2nd', given('JOHN', [], ['JOHN'], 'II')],
    ['HECT0R', given('HECTOR')],
    ['Ma1 Anh', given('MAI', ['ANH'])],
    ['D3', given('DE')],
    ['Dr. John Jr', given('JOHN', [], ['JOHN'], 'JR')],
    ['John V', given('JOHN', ['V'])],
    ['Junior', given('JUNIOR')],
    ['', { first: '', firstParts: [], middle: [], initial: '' }],
  ])('normalizeGiven(%j)', (raw, expected) => {
    expect(normalizeGiven(raw)).toStrictEqual(expected);
  });

  it('treats null as empty', () => {
    expect(normalizeGiven(null)).toStrictEqual({ first: '', firstParts: [], middle: [], initial: '' });
  });
});

describe('normalizeSuffix', () => {
  it.each<[string | null, NameSuffix | undefined]>([
    ['Jr.', 'JR'],
    ['jnr', 'JR'],
    ['Junior', 'JR'],
    ['Sr', 'SR'],
    ['senior', 'SR'],
    ['II', 'II'],
    ['2nd', 'II'],
    ['iii', 'III'],
    ['3rd', 'III'],
    ['IV', 'IV'],
    ['4th', 'IV'],
    ['V', 'V'],
    ['5th', 'V'],
    ['Smith', undefined],
    ['MD', undefined],
    ['', undefined],
    [null, undefined],
  ])('normalizeSuffix(%j) = %j', (raw, expected) => {
    expect(normalizeSuffix(raw)).toBe(expected);
  });
});

describe('isInitial', () => {
  it.each<[string | null, boolean]>([
    ['J', true],
    ['j.', true],
    [' J ', true],
    ['Ø', true],
    ['É', true],
    ['JO', false],
    ['J.R.', false],
    ['Æ', false],
    ['1', false],
    ['.', false],
    ['', false],
    [null, false],
  ])('isInitial(%j) = %j', (raw, expected) => {
    expect(isInitial(raw)).toBe(expected);
  });
});
