/**
 * Labelled record-linkage data sets for the quality bench, read from ../shared/data/linkage (see its README
 * and each folder's README for source, licence and checksums), each record mapped to the matcher's
 * PersonInput (the shape of the stored demographics). Ground truth: records with the same `entity` are the
 * same person. What is not mapped is not used, so the figures are for the mapped fields alone.
 *
 * febrl4 (link 5,000 × 5,000), febrl3 (dedup 5,000) — febrl/README.md: CSV with a space after every comma,
 * no quoting; rec_id `rec-N-org` / `rec-N-dup-k`, same N = same person. Columns: given_name, surname,
 * street_number, address_1, address_2, suburb, postcode, state, date_of_birth (YYYYMMDD, some deliberately
 * invalid), soc_sec_id. Mapping: given_name → names[0].given, surname → names[0].family, date_of_birth →
 * birthDate (invalid dates are dropped by the normaliser), street_number + address_1 → addresses[0].street,
 * address_2 → .other, suburb → .city, state → .state, postcode → .zip. No phone, no sex. soc_sec_id is a
 * synthetic 7-digit Australian identifier, not a US SSN (normalizeSsn would refuse it, and rightly): it goes
 * to otherIds as system 'FEBRL-SOC-SEC-ID' (a person identifier of its own system, like a national id);
 * `bench:quality --demographics-only` leaves it out.
 *
 * dsgen-c10000 (dedup 10,000: dedup/dataset_C_10000.csv) and dsgen-f10000 (link: link/dataset_F_org_10000.csv
 * 6,000 × link/dataset_F_dup_10000.csv 4,000) — febrl-dsgen/README.md: FEBRL 0.4.2's harsher series; plain
 * CSV, same columns as FEBRL plus age, phone_number ('03 51056140'), blocking_number (a generator helper,
 * ignored). rec_id is an integer whose last digit is the duplicate slot: same rec_id[:-1] = same person.
 * Mapping as FEBRL, plus phone_number → phones (ten digits with the Australian area code). Age is ignored
 * (derived from the date of birth).
 *
 * splink-fake1000 (dedup 1,000) — splink/README.md: fake_1000.csv, columns unique_id, first_name, surname,
 * dob (ISO), city, email, cluster; ground truth `cluster`. Mapping: first_name, surname → names[0], dob →
 * birthDate, city → addresses[0].city. email has no field in PersonInput: ignored.
 *
 * splink-historical50k (dedup 50,578) — historical_figures_with_errors_50k.csv.gz (gzip, RFC 4180 quoting);
 * columns unique_id, cluster, full_name, first_and_surname, first_name, surname, dob, birth_place,
 * postcode_fake, gender, occupation; ground truth `cluster` (a Wikidata QID). Mapping: first_name, surname →
 * names[0], dob → birthDate shifted by +400 years, gender → sex, postcode_fake → addresses[0].zip (a UK
 * postcode, which the normaliser does not read: no postcode evidence). The shift: 75 % of the dates are
 * before 1880, which the normaliser rejects as placeholders for patient data; 400 years is a whole cycle of
 * the Gregorian calendar, so every date stays valid and every difference between two dates (days, digits,
 * day/month order) is kept (1630-08-01 → 2030-08-01; the 2 % before 1480 stay unknown). A date on 1 January
 * is read as the year alone (yearOnlyIfFirstOfJanuary: Wikidata's year-precision dates, 37 % of the set). birth_place and
 * occupation are not patient demographics: ignored. Rows are grouped by cluster, so `--limit N` (the first
 * N rows) keeps clusters nearly whole.
 *
 * pseudopeople (dedup of all five files together, 63,194 records) — pseudopeople/README.md: IHME's clean
 * (un-noised) sample of one simulated town in five sources; ground truth `simulant_id`, across and within
 * files; `household_id` on all but social_security. Mapping: first_name, last_name → names[0].given/.family,
 * middle_initial (census, ACS, CPS, WIC) or middle_name (SSA) → .middle, date_of_birth → birthDate, sex → sex,
 * street_number + street_name → addresses[0].street, unit_number → .other, city, state, zipcode ('00000' in
 * the sample, which the normaliser drops as a placeholder), ssn (SSA only; real-format US SSNs) → ssn.
 * The copy_* columns (a household member's values, for noise injection) are ignored.
 */

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { PersonInput } from '../algorithms/person.js';

export interface LabelledRecord {
  /** The record's id in its file. */
  id: string;
  /** Ground truth: records with the same entity are the same person. */
  entity: string;
  /** 0 for the first file of a linkage (or the only file of a deduplication), 1 for the second. */
  source: 0 | 1;
  input: PersonInput;
  /** The file a record came from, for a multi-file deduplication (pseudopeople). */
  file?: string;
  /** The record's household id, when the data set has one (pseudopeople). */
  household?: string;
}

export interface Dataset {
  name: string;
  /** dedup: every pair of records is a candidate; link: only pairs across the two sources. */
  mode: 'dedup' | 'link';
  records: LabelledRecord[];
}

export const DATASETS = ['febrl4', 'febrl3', 'dsgen-c10000', 'dsgen-f10000', 'splink-fake1000', 'splink-historical50k', 'pseudopeople'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface LoadOptions {
  /** Keep only the first N records of the data set (all files together, in load order). */
  limit?: number;
}

/**
 * RFC 4180 CSV: fields separated by commas, optionally double-quoted, "" inside quotes for a quote, quoted
 * fields may hold commas and line breaks; LF or CRLF line ends. Blank lines are skipped.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    field = '';
  };
  while (i < n) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') endRow();
    else if (ch !== '\r') field += ch;
    i++;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** CSV rows as objects keyed by the header, header names and values trimmed (FEBRL puts a space after each comma). */
export function csvObjects(text: string): Array<Record<string, string>> {
  const [header = [], ...rows] = parseCsv(text);
  const keys = header.map((h) => h.trim());
  return rows.map((fields) => {
    const row: Record<string, string> = {};
    keys.forEach((k, i) => {
      row[k] = (fields[i] ?? '').trim();
    });
    return row;
  });
}

/** Rows of a FEBRL CSV (original or dsgen) as objects keyed by the trimmed header. */
export const parseFebrlCsv = csvObjects;

const orNull = (s: string | undefined): string | null => (s === undefined || s === '' ? null : s);

/** The system under which FEBRL's soc_sec_id is mapped to otherIds. */
export const FEBRL_ID_SYSTEM = 'FEBRL-SOC-SEC-ID';

export function febrlToPerson(row: Record<string, string>): PersonInput {
  const street = [row.street_number ?? '', row.address_1 ?? ''].filter((s) => s !== '').join(' ');
  const phone = row.phone_number ?? '';
  return {
    names: [{ given: row.given_name ?? '', family: row.surname ?? '', type: 'L' }],
    birthDate: orNull(row.date_of_birth),
    sex: null,
    addresses: [{ street, other: row.address_2 ?? '', city: row.suburb ?? '', state: row.state ?? '', zip: row.postcode ?? '' }],
    phones: phone === '' ? [] : [{ number: phone }],
    ssn: null,
    otherIds: row.soc_sec_id ? [{ system: FEBRL_ID_SYSTEM, value: row.soc_sec_id }] : [],
  };
}

/** FEBRL 0.4.2 dsgen: rec_id's last digit is the duplicate slot, the rest the entity. */
export function dsgenEntity(recId: string): string {
  if (!/^\d{2,}$/u.test(recId)) throw new Error(`unexpected dsgen rec_id "${recId}"`);
  return recId.slice(0, -1);
}

/** FEBRL 1-4: rec-N-org / rec-N-dup-k. */
export function febrlEntity(recId: string): string {
  const entity = /^rec-(\d+)-/u.exec(recId)?.[1];
  if (entity === undefined) throw new Error(`unexpected FEBRL rec_id "${recId}"`);
  return entity;
}

export function splinkFakeToPerson(row: Record<string, string>): PersonInput {
  return {
    names: [{ given: row.first_name ?? '', family: row.surname ?? '' }],
    birthDate: orNull(row.dob),
    sex: null,
    addresses: row.city ? [{ city: row.city }] : [],
    phones: [],
    ssn: null,
  };
}

/** An ISO or compact date moved by whole years ('1630-08-01' + 400 → '2030-08-01'); anything else as is. */
export function shiftYears(date: string | null, years: number): string | null {
  const m = date === null ? null : /^(\d{4})(.*)$/u.exec(date);
  return m === null ? date : `${Number(m[1]) + years}${m[2]}`;
}

/**
 * 'YYYY-01-01' → 'YYYY'. Wikidata writes a birth date known only to the year as 1 January of that year: 37 %
 * of historical_50k's dates fall on 1 January (1/365 would be 0.3 %), so the date is read with the precision
 * it has. The few real 1 January birthdays lose their day and month; no other date is touched.
 */
export function yearOnlyIfFirstOfJanuary(date: string | null): string | null {
  return date !== null && /^\d{4}-01-01$/u.test(date) ? date.slice(0, 4) : date;
}

export function historicalToPerson(row: Record<string, string>): PersonInput {
  return {
    names: [{ given: row.first_name ?? '', family: row.surname ?? '' }],
    birthDate: yearOnlyIfFirstOfJanuary(shiftYears(orNull(row.dob), 400)),
    sex: orNull(row.gender),
    addresses: row.postcode_fake ? [{ zip: row.postcode_fake }] : [],
    phones: [],
    ssn: null,
  };
}

export function pseudopeopleToPerson(row: Record<string, string>): PersonInput {
  const street = [row.street_number ?? '', row.street_name ?? ''].filter((s) => s !== '').join(' ');
  const middle = row.middle_name || row.middle_initial || '';
  const hasAddress = street !== '' || Boolean(row.city) || Boolean(row.zipcode);
  return {
    names: [{ given: row.first_name ?? '', family: row.last_name ?? '', ...(middle === '' ? {} : { middle }) }],
    birthDate: orNull(row.date_of_birth),
    sex: orNull(row.sex),
    addresses: hasAddress ? [{ street, other: row.unit_number ?? '', city: row.city ?? '', state: row.state ?? '', zip: row.zipcode ?? '' }] : [],
    phones: [],
    ssn: orNull(row.ssn),
  };
}

const readText = (file: string): string => (file.endsWith('.gz') ? gunzipSync(readFileSync(file)) : readFileSync(file)).toString('utf8');

function febrlRecords(file: string, source: 0 | 1, entityOf: (recId: string) => string): LabelledRecord[] {
  return parseFebrlCsv(readText(file)).map((row) => {
    const id = row.rec_id ?? '';
    return { id, entity: entityOf(id), source, input: febrlToPerson(row) };
  });
}

function clusterRecords(file: string, toPerson: (row: Record<string, string>) => PersonInput): LabelledRecord[] {
  return csvObjects(readText(file)).map((row) => ({ id: row.unique_id ?? '', entity: row.cluster ?? '', source: 0, input: toPerson(row) }));
}

export const PSEUDOPEOPLE_FILES = [
  'decennial_census',
  'social_security',
  'women_infants_and_children',
  'current_population_survey',
  'american_community_survey',
] as const;

function pseudopeopleRecords(dir: string): LabelledRecord[] {
  return PSEUDOPEOPLE_FILES.flatMap((f) =>
    csvObjects(readText(join(dir, `${f}.csv.gz`))).map((row, i): LabelledRecord => {
      const r: LabelledRecord = { id: `${f}:${i + 1}`, entity: row.simulant_id ?? '', source: 0, input: pseudopeopleToPerson(row), file: f };
      if (row.household_id) r.household = row.household_id;
      return r;
    }),
  );
}

export function loadDataset(name: DatasetName, dataDir: string, opts: LoadOptions = {}): Dataset {
  const ds = load(name, dataDir);
  if (opts.limit !== undefined && opts.limit < ds.records.length) ds.records = ds.records.slice(0, opts.limit);
  return ds;
}

function load(name: DatasetName, dataDir: string): Dataset {
  const febrl = join(dataDir, 'febrl');
  const dsgen = join(dataDir, 'febrl-dsgen');
  const splink = join(dataDir, 'splink');
  switch (name) {
    case 'febrl4':
      return {
        name,
        mode: 'link',
        records: [...febrlRecords(join(febrl, 'dataset4a.csv'), 0, febrlEntity), ...febrlRecords(join(febrl, 'dataset4b.csv'), 1, febrlEntity)],
      };
    case 'febrl3':
      return { name, mode: 'dedup', records: febrlRecords(join(febrl, 'dataset3.csv'), 0, febrlEntity) };
    case 'dsgen-c10000':
      return { name, mode: 'dedup', records: febrlRecords(join(dsgen, 'dedup', 'dataset_C_10000.csv'), 0, dsgenEntity) };
    case 'dsgen-f10000':
      return {
        name,
        mode: 'link',
        records: [
          ...febrlRecords(join(dsgen, 'link', 'dataset_F_org_10000.csv'), 0, dsgenEntity),
          ...febrlRecords(join(dsgen, 'link', 'dataset_F_dup_10000.csv'), 1, dsgenEntity),
        ],
      };
    case 'splink-fake1000':
      return { name, mode: 'dedup', records: clusterRecords(join(splink, 'fake_1000.csv'), splinkFakeToPerson) };
    case 'splink-historical50k':
      return { name, mode: 'dedup', records: clusterRecords(join(splink, 'historical_figures_with_errors_50k.csv.gz'), historicalToPerson) };
    case 'pseudopeople':
      return { name, mode: 'dedup', records: pseudopeopleRecords(join(dataDir, 'pseudopeople')) };
  }
}

/** Whether records i and j form a pair to consider at all (linkage: across sources only). */
export function isComparable(ds: Dataset, i: number, j: number): boolean {
  return ds.mode === 'dedup' || ds.records[i]!.source !== ds.records[j]!.source;
}

/** Number of true matching pairs (among comparable pairs). */
export function truePairCount(ds: Dataset): number {
  const bySource = new Map<string, [number, number]>();
  for (const r of ds.records) {
    const c = bySource.get(r.entity) ?? [0, 0];
    c[r.source]++;
    bySource.set(r.entity, c);
  }
  let n = 0;
  for (const [a, b] of bySource.values()) n += ds.mode === 'link' ? a * b : ((a + b) * (a + b - 1)) / 2;
  return n;
}

/** Number of comparable pairs. */
export function comparablePairCount(ds: Dataset): number {
  const n = ds.records.length;
  if (ds.mode === 'dedup') return (n * (n - 1)) / 2;
  const a = ds.records.filter((r) => r.source === 0).length;
  return a * (n - a);
}
