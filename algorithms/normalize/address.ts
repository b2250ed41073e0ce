/**
 * Street addresses and ZIP codes, standardised the way USPS Publication 28 does it, so that
 * "12 North Main Street, Apt. 4B" and "12 N MAIN ST #4B" agree:
 * - the street suffix (STREET → ST, AVENUE → AVE, with the common misspellings of appendix C1) and the
 *   directionals (NORTH → N, SOUTHWEST → SW) are abbreviated, but only where they act as suffix or
 *   directional: in 100 COURT STREET, COURT is the name and stays; in 12 NORTH AVENUE, NORTH is the name;
 * - the secondary unit (APARTMENT, APT, #, UNIT, SUITE, STE, …) is split off into `unit`, designator dropped,
 *   because senders disagree on the designator far more than on the unit number.
 */

import { fold } from './text.js';

/** Street suffixes, each spelling → USPS standard abbreviation (Publication 28, appendix C1, common entries). */
const STREET_SUFFIXES: ReadonlyMap<string, string> = new Map(
  (
    [
      ['ALY', 'ALLEY', 'ALLEE', 'ALLY'],
      ['ANX', 'ANNEX', 'ANNX', 'ANEX'],
      ['ARC', 'ARCADE'],
      ['AVE', 'AVENUE', 'AV', 'AVEN', 'AVENU', 'AVN', 'AVNUE'],
      ['BCH', 'BEACH'],
      ['BLF', 'BLUFF'],
      ['BLVD', 'BOULEVARD', 'BOUL', 'BOULV', 'BLV'],
      ['BR', 'BRANCH', 'BRNCH'],
      ['BRG', 'BRIDGE', 'BRDGE'],
      ['BRK', 'BROOK'],
      ['BYP', 'BYPASS', 'BYPA', 'BYPAS', 'BYPS'],
      ['CSWY', 'CAUSEWAY', 'CAUSWA'],
      ['CTR', 'CENTER', 'CENTRE', 'CENT', 'CENTR', 'CNTER', 'CNTR', 'CEN'],
      ['CIR', 'CIRCLE', 'CIRC', 'CIRCL', 'CRCL', 'CRCLE'],
      ['CT', 'COURT', 'CRT'],
      ['CV', 'COVE'],
      ['CRK', 'CREEK'],
      ['CRES', 'CRESCENT', 'CRSENT', 'CRSNT'],
      ['XING', 'CROSSING', 'CRSSNG'],
      ['DR', 'DRIVE', 'DRIV', 'DRV'],
      ['EST', 'ESTATE'],
      ['ESTS', 'ESTATES'],
      ['EXPY', 'EXPRESSWAY', 'EXP', 'EXPR', 'EXPRESS', 'EXPW'],
      ['EXT', 'EXTENSION', 'EXTN', 'EXTNSN'],
      ['FLS', 'FALLS'],
      ['FRY', 'FERRY', 'FRRY'],
      ['FLD', 'FIELD'],
      ['FLDS', 'FIELDS'],
      ['FRST', 'FOREST', 'FORESTS'],
      ['FT', 'FORT', 'FRT'],
      ['FWY', 'FREEWAY', 'FREEWY', 'FRWAY', 'FRWY'],
      ['GDN', 'GARDEN', 'GARDN', 'GRDEN', 'GRDN'],
      ['GDNS', 'GARDENS', 'GRDNS'],
      ['GLN', 'GLEN'],
      ['GRN', 'GREEN'],
      ['GRV', 'GROVE', 'GROV'],
      ['HBR', 'HARBOR', 'HARB', 'HARBR', 'HRBOR'],
      ['HTS', 'HEIGHTS', 'HT'],
      ['HWY', 'HIGHWAY', 'HIGHWY', 'HIWAY', 'HIWY', 'HWAY'],
      ['HL', 'HILL'],
      ['HLS', 'HILLS'],
      ['HOLW', 'HOLLOW', 'HLLW', 'HOLLOWS', 'HOLWS'],
      ['IS', 'ISLAND', 'ISLND'],
      ['JCT', 'JUNCTION', 'JCTION', 'JCTN', 'JUNCTN', 'JUNCTON'],
      ['KNL', 'KNOLL', 'KNOL'],
      ['LK', 'LAKE'],
      ['LKS', 'LAKES'],
      ['LNDG', 'LANDING', 'LNDNG'],
      ['LN', 'LANE'],
      ['LOOP', 'LOOPS'],
      ['MNR', 'MANOR'],
      ['MDW', 'MEADOW'],
      ['MDWS', 'MEADOWS', 'MEDOWS'],
      ['ML', 'MILL'],
      ['MT', 'MOUNT', 'MNT'],
      ['MTN', 'MOUNTAIN', 'MNTAIN', 'MNTN', 'MOUNTIN', 'MTIN'],
      ['ORCH', 'ORCHARD', 'ORCHRD'],
      ['PARK', 'PRK', 'PARKS'],
      ['PKWY', 'PARKWAY', 'PARKWY', 'PKWAY', 'PKY', 'PARKWAYS', 'PKWYS'],
      ['PL', 'PLACE'],
      ['PLZ', 'PLAZA', 'PLZA'],
      ['PT', 'POINT'],
      ['PR', 'PRAIRIE', 'PRR'],
      ['RNCH', 'RANCH', 'RANCHES', 'RNCHS'],
      ['RDG', 'RIDGE', 'RDGE'],
      ['RIV', 'RIVER', 'RVR', 'RIVR'],
      ['RD', 'ROAD'],
      ['RDS', 'ROADS'],
      ['RTE', 'ROUTE'],
      ['SHR', 'SHORE'],
      ['SPG', 'SPRING', 'SPNG', 'SPRNG'],
      ['SPGS', 'SPRINGS', 'SPNGS', 'SPRNGS'],
      ['SQ', 'SQUARE', 'SQR', 'SQRE', 'SQU'],
      ['STA', 'STATION', 'STATN', 'STN'],
      ['ST', 'STREET', 'STRT', 'STR'],
      ['SMT', 'SUMMIT', 'SUMIT', 'SUMITT'],
      ['TER', 'TERRACE', 'TERR'],
      ['TRCE', 'TRACE', 'TRACES'],
      ['TRL', 'TRAIL', 'TRAILS', 'TRLS'],
      ['TPKE', 'TURNPIKE', 'TRNPK', 'TURNPK'],
      ['VLY', 'VALLEY', 'VALLY', 'VLLY'],
      ['VW', 'VIEW'],
      ['VLG', 'VILLAGE', 'VILL', 'VILLAG', 'VILLG', 'VILLIAGE'],
      ['VIS', 'VISTA', 'VIST', 'VST', 'VSTA'],
      ['WALK', 'WALKS'],
      ['WAY', 'WY'],
    ] as const
  ).flatMap(([standard, ...spellings]) => [standard, ...spellings].map((s): [string, string] => [s, standard])),
);

/** Directionals → their one- or two-letter USPS form. */
const DIRECTIONALS: ReadonlyMap<string, string> = new Map([
  ['NORTH', 'N'],
  ['SOUTH', 'S'],
  ['EAST', 'E'],
  ['WEST', 'W'],
  ['NORTHEAST', 'NE'],
  ['NORTHWEST', 'NW'],
  ['SOUTHEAST', 'SE'],
  ['SOUTHWEST', 'SW'],
  ['N', 'N'],
  ['S', 'S'],
  ['E', 'E'],
  ['W', 'W'],
  ['NE', 'NE'],
  ['NW', 'NW'],
  ['SE', 'SE'],
  ['SW', 'SW'],
]);

/**
 * Secondary unit designators that are followed by the unit's number (Publication 28, appendix C2, common
 * entries). '#' is handled separately because folding removes it.
 */
const UNIT_DESIGNATORS: ReadonlySet<string> = new Set([
  'APT',
  'APARTMENT',
  'UNIT',
  'STE',
  'SUITE',
  'BLDG',
  'BUILDING',
  'FL',
  'FLOOR',
  'RM',
  'ROOM',
]);

/**
 * An address line that is only a secondary unit ('Apt 4B', '# 12', 'Suite 200'): the US use of the second
 * address line. Such a line names no place of its own.
 */
export function isUnitLine(raw: string | null | undefined): boolean {
  const text = (raw ?? '').trim();
  if (text.startsWith('#')) return true;
  const first = words(text)[0];
  return first !== undefined && UNIT_DESIGNATORS.has(first);
}

export interface NormalizedStreet {
  /** House number and street, standardised, without the unit: '12 N MAIN ST'. '' when empty. */
  line: string;
  /** The house number: the first word when it starts with a digit ('12', '12B'). */
  number?: string;
  /** The street without number and unit: 'N MAIN ST'. */
  name?: string;
  /** The secondary unit, designator dropped: '4B' for 'Apt. 4B', '# 4B' or 'Suite 4B'. */
  unit?: string;
}

/** Normalise one street line (see the module comment). */
export function normalizeStreet(raw: string | null | undefined): NormalizedStreet {
  const text = raw ?? '';
  // Everything after a '#' is the unit; fold would otherwise turn the '#' into a space and lose it.
  const hashAt = text.indexOf('#');
  const streetWords = words(hashAt < 0 ? text : text.slice(0, hashAt));
  const unitWords = hashAt < 0 ? [] : words(text.slice(hashAt + 1));

  // A designator ends the street, but only after at least one word of the street name: in 12 STE MARIE RD
  // the STE is part of the name, not a suite.
  const firstNameWord = streetWords[0] !== undefined && /^\d/u.test(streetWords[0]) ? 1 : 0;
  const designatorAt = streetWords.findIndex((w, i) => i > firstNameWord && UNIT_DESIGNATORS.has(w));
  if (designatorAt > 0) {
    unitWords.unshift(...streetWords.slice(designatorAt + 1));
    streetWords.length = designatorAt;
  }

  const number = streetWords[0] !== undefined && /^\d/u.test(streetWords[0]) ? streetWords.shift() : undefined;
  const name = standardizeStreetName(poBox(streetWords)).join(' ');
  const unit = unitWords.filter((w) => !UNIT_DESIGNATORS.has(w)).join('');

  const result: NormalizedStreet = { line: [number, name].filter((p) => p !== undefined && p !== '').join(' ') };
  if (number !== undefined) result.number = number;
  if (name !== '') result.name = name;
  if (unit !== '') result.unit = unit;
  return result;
}

function words(s: string): string[] {
  const f = fold(s);
  return f === '' ? [] : f.split(' ');
}

/** P.O. BOX, P O BOX and POST OFFICE BOX → PO BOX (Publication 28 §28). */
function poBox(ws: string[]): string[] {
  const s = ws.join(' ').replace(/^(?:P O|POST OFFICE|POB) BOX\b/u, 'PO BOX').replace(/^POB\b/u, 'PO BOX');
  return s === '' ? [] : s.split(' ');
}

/**
 * Abbreviate the directionals and the suffix of a street name (house number and unit already removed).
 * A word is abbreviated only in the position where it plays that role, and never when it is the only word
 * that could be the name.
 */
function standardizeStreetName(input: readonly string[]): string[] {
  const ws = [...input];
  if (ws[0] === 'PO' && ws[1] === 'BOX') return ws;

  // Post-directional: the last word, when something precedes it (12 MAIN ST NORTH; not 12 NORTH).
  let end = ws.length;
  const lastWord = ws[end - 1];
  const post = lastWord === undefined ? undefined : DIRECTIONALS.get(lastWord);
  if (post !== undefined && end > 1) {
    ws[end - 1] = post;
    end -= 1;
  }
  // Suffix: the last word before any post-directional, when a name precedes it (100 COURT STREET → COURT ST).
  const suffixWord = ws[end - 1];
  const suffix = suffixWord === undefined ? undefined : STREET_SUFFIXES.get(suffixWord);
  let nameEnd = end;
  if (suffix !== undefined && end > 1) {
    ws[end - 1] = suffix;
    nameEnd = end - 1;
  }
  // Pre-directional: the first word, when a name word follows it (12 NORTH MAIN ST; not 12 NORTH AVE).
  const firstWord = ws[0];
  const pre = firstWord === undefined ? undefined : DIRECTIONALS.get(firstWord);
  if (pre !== undefined && nameEnd > 1) ws[0] = pre;
  return ws;
}

/**
 * The five-digit ZIP code from 'NNNNN', 'NNNNN-NNNN' or 'NNNNNNNNN' (ZIP+4), or null for anything else and
 * for the placeholder 00000.
 */
export function normalizeZip(raw: string | null | undefined): string | null {
  const match = /^(\d{5})(?:-?\d{4})?$/u.exec((raw ?? '').trim());
  const zip5 = match?.[1];
  if (zip5 === undefined || zip5 === '00000') return null;
  return zip5;
}
