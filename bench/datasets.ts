/**
 * Labelled record-linkage data sets for the quality bench, read from ../shared/data/linkage (see its README),
 * each record mapped to the matcher's PersonInput (the shape of the stored demographics).
 *
 * FEBRL (febrl/README.md): CSV with a space after every comma, no quoting; rec_id `rec-N-org` /
 * `rec-N-dup-k`, records with the same N are one person. Columns: given_name, surname, street_number,
 * address_1, address_2, suburb, postcode, state, date_of_birth (YYYYMMDD, some deliberately invalid),
 * soc_sec_id. Mapping:
 *   given_name → names[0].given, surname → names[0].family, date_of_birth → birthDate (invalid dates are
 *   dropped by the normaliser), street_number + address_1 → addresses[0].street, address_2 → .other,
 *   suburb → .city, state → .state, postcode → .zip.
 * FEBRL has no phone and no sex column. soc_sec_id is a synthetic 7-digit Australian identifier, not a US
 * SSN (normalizeSsn would refuse it, and rightly): it is ignored, so the figures are for the demographic
 * fields alone.
 */

import { readFileSync } from 'node:fs';
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
}

export interface Dataset {
  name: string;
  /** dedup: every pair of records is a candidate; link: only pairs across the two sources. */
  mode: 'dedup' | 'link';
  records: LabelledRecord[];
}

export const DATASETS = ['febrl4', 'febrl3'] as const;
export type DatasetName = (typeof DATASETS)[number];

/** Rows of a FEBRL CSV as objects keyed by the trimmed header. */
export function parseFebrlCsv(text: string): Array<Record<string, string>> {
  const lines = text.split(/\r?\n/u).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  return lines.map((line) => {
    const fields = line.split(',').map((f) => f.trim());
    const row: Record<string, string> = {};
    header.forEach((h, i) => {
      row[h] = fields[i] ?? '';
    });
    return row;
  });
}

export function febrlToPerson(row: Record<string, string>): PersonInput {
  const street = [row.street_number ?? '', row.address_1 ?? ''].filter((s) => s !== '').join(' ');
  const dob = row.date_of_birth ?? '';
  return {
    names: [{ given: row.given_name ?? '', family: row.surname ?? '', type: 'L' }],
    birthDate: dob === '' ? null : dob,
    sex: null,
    addresses: [{ street, other: row.address_2 ?? '', city: row.suburb ?? '', state: row.state ?? '', zip: row.postcode ?? '' }],
    phones: [],
    ssn: null,
  };
}

function febrlRecords(file: string, source: 0 | 1): LabelledRecord[] {
  return parseFebrlCsv(readFileSync(file, 'utf8')).map((row) => {
    const id = row.rec_id ?? '';
    const entity = /^rec-(\d+)-/u.exec(id)?.[1];
    if (entity === undefined) throw new Error(`${file}: unexpected rec_id "${id}"`);
    return { id, entity, source, input: febrlToPerson(row) };
  });
}

export function loadDataset(name: DatasetName, dataDir: string): Dataset {
  const dir = join(dataDir, 'febrl');
  switch (name) {
    case 'febrl4':
      return {
        name,
        mode: 'link',
        records: [...febrlRecords(join(dir, 'dataset4a.csv'), 0), ...febrlRecords(join(dir, 'dataset4b.csv'), 1)],
      };
    case 'febrl3':
      return { name, mode: 'dedup', records: febrlRecords(join(dir, 'dataset3.csv'), 0) };
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
