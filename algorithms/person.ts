/**
 * A person as the matcher sees it: the demographics of one source record, normalised once, with everything
 * the comparisons and the blocking rules read precomputed (folded names, phonetic codes, nickname keys,
 * parsed date of birth, digits of SSN and phone, postcode, standardised street), so that comparing two
 * persons does no parsing.
 *
 * `PersonInput` mirrors the demographics document the service stores per source record
 * (src/ingest/demographics.ts): any `Demographics` value can be passed as a `PersonInput` (a test pins this).
 * Only the fields used for matching are declared; the rest are ignored.
 */

import type { BlockingRule } from './blocking.js';
import { doubleMetaphone4 } from './comparators/phonetic.js';
import { spokenKey } from './comparators/names.js';
import { isUnitLine, normalizeStreet, normalizeZip } from './normalize/address.js';
import { parseDate, toYyyymmdd, type ParsedDate } from './normalize/dates.js';
import { normalizeFamily, normalizeGiven, normalizeSuffix, type NameSuffix } from './normalize/names.js';
import type { NicknameIndex } from './normalize/nicknames.js';
import { normalizePhone } from './normalize/phone.js';
import { normalizeSex, type Sex } from './normalize/sex.js';
import { normalizeSsn } from './normalize/ssn.js';
import { fold } from './normalize/text.js';

// ---------------------------------------------------------------------------------------------------------
// Input: the shape of src/ingest/demographics.ts, restricted to what matching reads.

export interface PersonNameInput {
  family?: string | undefined;
  given?: string | undefined;
  /** Further given names, as HL7 XPN.3 sends them. */
  middle?: string | undefined;
  suffix?: string | undefined;
  /** HL7 table 0200: L legal, M maiden, A alias, D display, B birth, N nickname… */
  type?: string | undefined;
}

export interface PersonAddressInput {
  street?: string | undefined;
  other?: string | undefined;
  city?: string | undefined;
  state?: string | undefined;
  zip?: string | undefined;
}

export interface PersonPhoneInput {
  number: string;
}

/**
 * An identifier other than the SSN that names one person within its system (a national identity number, a
 * driver's licence with its issuing state, a passport with its country). Never a number shared by a family
 * or a policy (an insurance member or family card number): two people holding the same value must be an error.
 */
export interface PersonIdentifierInput {
  /** The issuing system or kind ('AU-SSID', 'US-DL-MA'); values are compared within one system only. */
  system: string;
  value: string;
}

export interface PersonInput {
  names: readonly PersonNameInput[];
  /** 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (also the HL7 compact forms). */
  birthDate?: string | null | undefined;
  /** When given, the date is cut to this precision (a sender's 'YYYY-01-01' meaning "some day in YYYY"). */
  birthDatePrecision?: 'year' | 'month' | 'day' | undefined;
  sex?: string | null | undefined;
  addresses: readonly PersonAddressInput[];
  phones: readonly PersonPhoneInput[];
  ssn?: string | null | undefined;
  /** Other person identifiers (see PersonIdentifierInput); the service does not send any yet. */
  otherIds?: readonly PersonIdentifierInput[] | undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Output.

/** One name of a person (legal, maiden, alias…), normalised, with its comparison keys. */
export interface NameVariant {
  /** First given name, hyphenated parts joined: 'Anne-Marie' → 'ANNEMARIE'. '' when unknown. */
  given: string;
  /**
   * All given names (given and middle) joined without spaces: 'Mary Ann' → 'MARYANN', so that a name keyed
   * as two words ('Isabe lla', 'Mary Ann') still agrees with the same letters keyed as one. Equals `given`
   * when there is a single given name.
   */
  givenJoined: string;
  /** Further given names: 'Mary Ann' → ['ANN']; the middle field is appended. */
  middle: string[];
  /** First letter of `given`, '' when unknown. */
  givenInitial: string;
  /** Canonical nickname forms of `given` (BILL → BILL, ROBERT, WILLIAM…); [] without a nickname table. */
  givenNicknames: string[];
  /** Double Metaphone codes (4 characters; primary and secondary, distinct, non-empty) of `given`. */
  givenCodes: string[];
  /** Spelling skeleton of `given` (comparators/names.ts spokenKey): CATHERINE and KATHERINE share one. */
  givenSpoken: string;
  /** Family name folded, all parts joined, particles kept: 'van der Berg' → 'VANDERBERG'. '' when unknown. */
  family: string;
  /** Parts of the family name, particles dropped: 'Garcia-Lopez' → ['GARCIA', 'LOPEZ']. */
  familyParts: string[];
  /** The parts joined ('GARCIALOPEZ'), and sorted then joined with spaces ('GARCIA LOPEZ' for Lopez-Garcia). */
  familyPartsJoined: string;
  familyPartsSorted: string;
  /** Double Metaphone codes of `family` (joined form). */
  familyCodes: string[];
  /** Generational suffix from the suffix field or the end of either name. */
  suffix?: NameSuffix;
  /** The HL7 name type, when sent. */
  type?: string;
}

export interface Person {
  /** Every name the record carries, legal name first; entries with neither given nor family are dropped. */
  names: NameVariant[];
  /** The primary (first) name's given, family and family parts, '' / [] when there is no name. */
  given: string;
  family: string;
  familyParts: string[];
  dob: ParsedDate | null;
  /** 'YYYYMMDD' of a full date of birth, null otherwise. */
  dobKey: string | null;
  sex: Sex | null;
  ssn: string | null;
  /**
   * Other identifiers, distinct, as aligned lists: the folded system and the value's letters and digits
   * ('AU-SSID' / '1804974'); placeholders (fewer than 4 characters, one character repeated) dropped.
   */
  otherIdSystems: string[];
  otherIdValues: string[];
  /** Every valid phone (last ten digits), distinct, in the order sent. */
  phones: string[];
  phone: string | null;
  /**
   * Postal codes, distinct: the US ZIP5 (from ZIP or ZIP+4) or a 4-digit postcode (Australia and the other
   * 4-digit systems), as sent; anything else is dropped.
   */
  postcodes: string[];
  postcode: string | null;
  /** Standardised street lines with house number, unit dropped ('12 N MAIN ST'), distinct. */
  streets: string[];
  street: string | null;
  /** Street names without house number, aligned with `streets` ('N MAIN ST'; '' when only a number). */
  streetNames: string[];
  /** Street names aligned with `streets`, without spaces ('NMAINST'), for comparisons that ignore spacing. */
  streetNameKeys: string[];
  /** House numbers aligned with `streets` ('' when none). */
  streetNumbers: string[];
  /**
   * The other address line aligned with `streets`, standardised like a street and without spaces
   * ('TARAHLS' for 'Tara Hills', 'VILLA115'); '' when none or when it is only a unit ('Apt 4B'). Compared
   * with the other line and, for lines keyed in each other's field, with the street name.
   */
  streetOthers: string[];
  /** Cities folded, distinct. */
  cities: string[];
  city: string | null;
  state: string | null;
}

// ---------------------------------------------------------------------------------------------------------

/** Name types listed first when choosing the primary name: legal, then anything but nickname/alias. */
const TYPE_RANK: Readonly<Record<string, number>> = { L: 0, D: 1, B: 2, M: 3, A: 4, N: 5 };

function codesOf(s: string): string[] {
  if (s === '') return [];
  const [p, q] = doubleMetaphone4(s);
  const out: string[] = [];
  if (p !== '') out.push(p);
  if (q !== '' && q !== p) out.push(q);
  return out;
}

function normalizeName(n: PersonNameInput, nicknames: NicknameIndex | undefined): NameVariant | null {
  const g = normalizeGiven(n.given);
  const f = normalizeFamily(n.family);
  const extraMiddle = n.middle === undefined ? [] : fold(n.middle).split(' ').filter((w) => w !== '');
  const middle = [...g.middle, ...extraMiddle];
  if (g.first === '' && f.full === '') return null;
  const variant: NameVariant = {
    given: g.first,
    givenJoined: g.first + g.middle.join(''),
    middle,
    givenInitial: g.initial,
    givenNicknames: nicknames !== undefined && g.first.length > 1 ? nicknames.canonicalForms(g.first) : [],
    givenCodes: g.first.length > 1 ? codesOf(g.first) : [],
    givenSpoken: spokenKey(g.first),
    family: f.full,
    familyParts: f.parts,
    familyPartsJoined: f.parts.join(''),
    familyPartsSorted: [...f.parts].sort().join(' '),
    familyCodes: codesOf(f.full),
  };
  const suffix = normalizeSuffix(n.suffix) ?? f.suffix ?? g.suffix;
  if (suffix !== undefined) variant.suffix = suffix;
  if (n.type !== undefined && n.type !== '') variant.type = n.type;
  return variant;
}

function distinct<T>(xs: Iterable<T | null | undefined>): T[] {
  const out: T[] = [];
  for (const x of xs) if (x !== null && x !== undefined && (x as unknown) !== '' && !out.includes(x)) out.push(x);
  return out;
}

/** A US ZIP5 (from ZIP or ZIP+4) or a 4-digit postcode; null for anything else. */
export function normalizePostcode(raw: string | null | undefined): string | null {
  const zip = normalizeZip(raw);
  if (zip !== null) return zip;
  const s = (raw ?? '').trim();
  return /^\d{4}$/u.test(s) && s !== '0000' ? s : null;
}

/** Letters and digits of an identifier, upper case; null for a placeholder (under 4 characters, or one repeated). */
export function normalizeOtherId(raw: string | null | undefined): string | null {
  const v = fold(raw ?? '').replace(/[^A-Z0-9]/gu, '');
  return v.length < 4 || /^(.)\1*$/u.test(v) ? null : v;
}

function cutDate(d: ParsedDate | null, precision: PersonInput['birthDatePrecision']): ParsedDate | null {
  if (d === null || precision === undefined || precision === 'day') return d;
  if (precision === 'year') return { y: d.y };
  return d.m === undefined ? { y: d.y } : { y: d.y, m: d.m };
}

/**
 * Normalise a person's demographics. Pass the nickname index (built once from fixtures/names/nicknames.csv)
 * to enable the given-name 'nickname' level; without it that level is never reached.
 */
export function normalizePerson(input: PersonInput, nicknames?: NicknameIndex): Person {
  const ranked = input.names
    .map((n, i) => ({ n, i, r: TYPE_RANK[n.type ?? ''] ?? 1 }))
    .sort((a, b) => a.r - b.r || a.i - b.i);
  const names: NameVariant[] = [];
  for (const { n } of ranked) {
    const v = normalizeName(n, nicknames);
    if (v !== null && !names.some((w) => w.given === v.given && w.family === v.family && w.givenJoined === v.givenJoined)) {
      names.push(v);
    }
  }
  const primary = names[0];

  const dob = cutDate(parseDate(input.birthDate), input.birthDatePrecision);
  const phones = distinct(input.phones.map((p) => normalizePhone(p.number)));
  const postcodes = distinct(input.addresses.map((a) => normalizePostcode(a.zip)));
  const streets: string[] = [];
  const streetNames: string[] = [];
  const streetNameKeys: string[] = [];
  const streetNumbers: string[] = [];
  const streetOthers: string[] = [];
  for (const a of input.addresses) {
    const s = normalizeStreet(a.street);
    // A house number without a street name identifies nothing: treated as no street.
    if (s.name === undefined || streets.includes(s.line)) continue;
    streets.push(s.line);
    streetNames.push(s.name ?? '');
    streetNameKeys.push((s.name ?? '').replace(/ /g, ''));
    streetNumbers.push(s.number ?? '');
    streetOthers.push(isUnitLine(a.other) ? '' : normalizeStreet(a.other).line.replace(/ /g, ''));
  }
  const otherIdSystems: string[] = [];
  const otherIdValues: string[] = [];
  for (const id of input.otherIds ?? []) {
    const value = normalizeOtherId(id.value);
    const system = fold(id.system ?? '');
    if (value === null || otherIdValues.some((v, i) => v === value && otherIdSystems[i] === system)) continue;
    otherIdSystems.push(system);
    otherIdValues.push(value);
  }
  const cities = distinct(input.addresses.map((a) => fold(a.city ?? '')));
  const state = input.addresses.map((a) => fold(a.state ?? '')).find((s) => s !== '') ?? null;

  return {
    names,
    given: primary?.given ?? '',
    family: primary?.family ?? '',
    familyParts: primary?.familyParts ?? [],
    dob,
    dobKey: toYyyymmdd(dob),
    sex: normalizeSex(input.sex),
    ssn: normalizeSsn(input.ssn),
    otherIdSystems,
    otherIdValues,
    phones,
    phone: phones[0] ?? null,
    postcodes,
    postcode: postcodes[0] ?? null,
    streets,
    street: streets[0] ?? null,
    streetNames,
    streetNameKeys,
    streetNumbers,
    streetOthers,
    cities,
    city: cities[0] ?? null,
    state,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Blocking rules over persons. The candidate set is their union (algorithms/blocking.ts); each rule is
// meant to survive the errors that break the others.

const firstCode = (codes: readonly string[]): string | undefined => codes[0];

/**
 * The default blocking rules:
 * - family-phonetic+year: primary Double Metaphone code of the family name and the birth year (given-name
 *   errors, day/month errors);
 * - given-initial+dob: first letter of the given name and the full date of birth (family-name changes
 *   and typos);
 * - name-phonetic+dob: the full date of birth with the code of *either* name, in one key space, so that a
 *   record whose given and family names were swapped still meets its match;
 * - postcode+family-prefix: postcode and first three letters of the family name (date of birth missing
 *   or wrong);
 * - given+family-phonetic: codes of given and family name, in either order (date of birth and postcode both
 *   changed);
 * - dob+postcode: both names wrong or missing;
 * - house number + first four letters of the street name: the address alone (a move of postcode, or a
 *   record whose names and date are all damaged);
 * - phone, ssn, other identifier (system and value): the identifiers alone.
 */
export const PERSON_BLOCKING_RULES: readonly BlockingRule<Person>[] = [
  {
    name: 'fy',
    keys: (p) => (p.dob === null ? [] : distinct(p.names.map((n) => firstCode(n.familyCodes))).map((c) => `${c}|${p.dob!.y}`)),
  },
  {
    name: 'gd',
    keys: (p) => (p.dobKey === null ? [] : distinct(p.names.map((n) => n.givenInitial)).map((i) => `${i}|${p.dobKey}`)),
  },
  {
    name: 'nd',
    keys: (p) =>
      p.dobKey === null
        ? []
        : distinct(p.names.flatMap((n) => [firstCode(n.givenCodes), firstCode(n.familyCodes)])).map((c) => `${c}|${p.dobKey}`),
  },
  {
    name: 'zf',
    keys: (p) => p.postcodes.flatMap((z) => distinct(p.names.map((n) => (n.family.length >= 2 ? n.family.slice(0, 3) : null))).map((f) => `${z}|${f}`)),
  },
  {
    name: 'gf',
    keys: (p) =>
      distinct(
        p.names.map((n) => {
          const g = firstCode(n.givenCodes);
          const f = firstCode(n.familyCodes);
          // Order-free, so that swapped given and family names give the same key.
          return g === undefined || f === undefined ? null : g < f ? `${g}|${f}` : `${f}|${g}`;
        }),
      ),
  },
  {
    name: 'dz',
    keys: (p) => (p.dobKey === null ? [] : p.postcodes.map((z) => `${p.dobKey}|${z}`)),
  },
  {
    name: 'as',
    keys: (p) =>
      distinct(
        p.streets.map((_, i) => {
          const num = p.streetNumbers[i] ?? '';
          const name = (p.streetNames[i] ?? '').replace(/ /g, '');
          return num === '' || name.length < 3 ? null : `${num}|${name.slice(0, 4)}`;
        }),
      ),
  },
  { name: 'ph', keys: (p) => p.phones },
  { name: 'ss', keys: (p) => (p.ssn === null ? [] : [p.ssn]) },
  { name: 'oi', keys: (p) => p.otherIdValues.map((v, i) => `${p.otherIdSystems[i]}|${v}`) },
];
