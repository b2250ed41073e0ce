/**
 * Typed readers for the HL7 v2 data types the MPI matches on (CX, HD, XPN, XAD, XTN, DTM).
 *
 * Values are trimmed and empty ones omitted: senders pad with spaces (a PID-5 of a single space, a leading
 * space in MSH-10) and identity matching must not see the padding. HL7_NULL (`""`) is kept as a value so
 * update semantics ("delete this") survive.
 */
import type { Component, HD, Repetition } from './message.js';

export type { HD } from './message.js';

function clean(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function comp(rep: Repetition, n: number, sub = 1): string | undefined {
  return clean(rep.component(n)?.subcomponent(sub));
}

/** Adds only defined values, so results compare cleanly and serialise without `undefined` keys. */
function compact<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as (keyof T)[]) {
    if (obj[key] === undefined) delete obj[key];
  }
  return obj;
}

/**
 * HD from a whole field repetition (MSH-3: components) or from one component (CX.4: subcomponents).
 * Undefined when all three parts are empty (e.g. CX.4 `&&`).
 */
export function readHD(source: Repetition | Component): HD | undefined {
  const parts: (string | undefined)[] =
    'components' in source
      ? [1, 2, 3].map((n) => clean(source.component(n)?.value))
      : [1, 2, 3].map((n) => clean(source.subcomponent(n)));
  const [namespace, universalId, universalIdType] = parts;
  if (namespace === undefined && universalId === undefined && universalIdType === undefined) return undefined;
  return compact({ namespace, universalId, universalIdType });
}

export interface CX {
  /** CX.1; '' when the repetition carries no identifier, HL7_NULL when explicitly nulled. */
  id: string;
  checkDigit?: string;
  checkDigitScheme?: string;
  /** CX.4 (HD as subcomponents `namespace&OID&ISO`). */
  assigningAuthority?: HD;
  /** CX.5, table 0203 (MR, PI, SS...). */
  identifierType?: string;
  /** CX.6 (HD as subcomponents). */
  assigningFacility?: HD;
}

export function readCX(rep: Repetition): CX {
  const c4 = rep.component(4);
  const c6 = rep.component(6);
  return compact<CX>({
    id: comp(rep, 1) ?? '',
    checkDigit: comp(rep, 2),
    checkDigitScheme: comp(rep, 3),
    assigningAuthority: c4 === undefined ? undefined : readHD(c4),
    identifierType: comp(rep, 5),
    assigningFacility: c6 === undefined ? undefined : readHD(c6),
  });
}

export interface XPN {
  /** XPN.1.1 (FN.1 surname). */
  family?: string;
  given?: string;
  /** XPN.3, second and further given names or initials. */
  middle?: string;
  suffix?: string;
  prefix?: string;
  degree?: string;
  /** XPN.7, table 0200 (L legal, M maiden, A alias, B birth, S pseudonym...). */
  nameType?: string;
}

export function readXPN(rep: Repetition): XPN {
  return compact<XPN>({
    family: comp(rep, 1),
    given: comp(rep, 2),
    middle: comp(rep, 3),
    suffix: comp(rep, 4),
    prefix: comp(rep, 5),
    degree: comp(rep, 6),
    nameType: comp(rep, 7),
  });
}

export interface XAD {
  /** XAD.1.1 (SAD.1 street or mailing address). */
  street?: string;
  other?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
  /** XAD.7, table 0190 (H home, M mailing...). */
  addressType?: string;
}

export function readXAD(rep: Repetition): XAD {
  return compact<XAD>({
    street: comp(rep, 1),
    other: comp(rep, 2),
    city: comp(rep, 3),
    state: comp(rep, 4),
    zip: comp(rep, 5),
    country: comp(rep, 6),
    addressType: comp(rep, 7),
  });
}

export interface XTN {
  /** XTN.1, or assembled from XTN.5-8 as `+country (area) local x ext` for 2.5-style numbers. */
  number?: string;
  /** XTN.2, table 0201 (PRN, WPN, NET...). */
  use?: string;
  /** XTN.3, table 0202 (PH, CP, Internet...). */
  equipment?: string;
  email?: string;
  countryCode?: string;
  areaCode?: string;
  localNumber?: string;
  extension?: string;
}

export function readXTN(rep: Repetition): XTN {
  const countryCode = comp(rep, 5);
  const areaCode = comp(rep, 6);
  const localNumber = comp(rep, 7);
  const extension = comp(rep, 8);
  let number = comp(rep, 1);
  if (number === undefined && localNumber !== undefined) {
    number = [
      countryCode === undefined ? undefined : `+${countryCode}`,
      areaCode === undefined ? undefined : `(${areaCode})`,
      localNumber,
      extension === undefined ? undefined : `x${extension}`,
    ]
      .filter((p) => p !== undefined)
      .join(' ');
  }
  return compact<XTN>({
    number,
    use: comp(rep, 2),
    equipment: comp(rep, 3),
    email: comp(rep, 4),
    countryCode,
    areaCode,
    localNumber,
    extension,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Dates

export interface Hl7Date {
  /** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: never more precise than what was sent. */
  iso: string;
  precision: 'year' | 'month' | 'day';
}

const DTM_RE = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?)?)?)?)?([+-]\d{4})?$/;

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses DTM/DT `YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]` into a calendar date of the precision sent.
 * The date is the sender's local date; the time and offset are validated but not used to shift it, since a
 * birth date does not move with time zones. Undefined for anything not calendar-valid (month 13, Feb 30).
 */
export function parseHl7Date(value: string): Hl7Date | undefined {
  const m = DTM_RE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, hh, mi, ss, , tz] = m;
  const year = Number(y);
  if (hh !== undefined && Number(hh) > 23) return undefined;
  if (mi !== undefined && Number(mi) > 59) return undefined;
  if (ss !== undefined && Number(ss) > 59) return undefined;
  if (tz !== undefined && (Number(tz.slice(1, 3)) > 14 || Number(tz.slice(3, 5)) > 59)) return undefined;
  if (mo === undefined) return { iso: y as string, precision: 'year' };
  const month = Number(mo);
  if (month < 1 || month > 12) return undefined;
  if (d === undefined) return { iso: `${y}-${mo}`, precision: 'month' };
  const day = Number(d);
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  return { iso: `${y}-${mo}-${d}`, precision: 'day' };
}

const ISO_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/**
 * Domain plausibility for a birth date from `parseHl7Date`: not before 1880 and not in the future.
 * "Future" is judged against the latest calendar date anywhere on Earth (UTC+14), because the sender's
 * local date may already be tomorrow in UTC terms. A partial date is plausible if its first day is.
 */
export function isPlausibleBirthDate(iso: string, now: Date): boolean {
  const m = ISO_RE.exec(iso);
  if (!m) return false;
  const year = Number(m[1]);
  if (year < 1880) return false;
  const start = `${m[1]}-${m[2] ?? '01'}-${m[3] ?? '01'}`;
  const latestToday = new Date(now.getTime() + 14 * 3600_000).toISOString().slice(0, 10);
  return start <= latestToday;
}
