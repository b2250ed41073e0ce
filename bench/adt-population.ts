/**
 * Synthetic US patient population and a multi-sender HL7 v2.5 ADT feed with ground truth, for measuring
 * matching quality (bench/adt-quality.ts). Pure and deterministic: the same options give the same persons,
 * records and messages, byte for byte. No I/O: the caller reads fixtures/names/nicknames.csv and passes the
 * pairs in.
 *
 * The population is built household by household (shared address and home phone), with the hard cases a
 * matcher must get right, each at a tunable rate:
 *   - twins: same family name, DOB, address and phone, different given names (often similar: JAYDEN/JAYLEN,
 *     or the same initial), different SSN;
 *   - juniors/seniors: same given, middle and family name and address, DOB 25-35 years apart, the JR/SR
 *     suffix sent by some senders only;
 *   - very common names (JAMES SMITH, MARIA GARCIA…): many distinct people with the same name;
 *   - households: people sharing address and phone;
 *   - married-name changes (the family name a sender has depends on when it registered the person; some
 *     send the maiden name as a second PID-5 repetition of type M), moves (new address, phone and ZIP that
 *     reach each sender only through its later A08s, if any).
 * Each sender then types its own copy of a person with its own error profile: typos (keyboard-adjacent
 * substitution, transposition, deletion) in names and street, nicknames, day/month swapped and one-digit
 * DOB errors, missing SSN / phone / address, sometimes a second MRN for the same person (a source-internal
 * duplicate, optionally merged by an A40 later).
 *
 * Ground truth: the person behind every source record (assigning authority OID + MRN).
 */
import { prng } from './feed.js';

// ---------------------------------------------------------------------------------------------- types

export type Sex = 'F' | 'M';

export interface SenderErrorProfile {
  /** Per record and field (family, given, street): probability of one typo. */
  typo: number;
  /** Per record whose given name has a nickname: probability it is registered under the nickname. */
  nickname: number;
  /** Per record: probability the DOB has day and month swapped (only when the day is 1-12 and differs). */
  dobSwap: number;
  /** Per record: probability one digit of the DOB is wrong. */
  dobDigit: number;
  /** Per record of a person who has an SSN: probability it is not sent. */
  missingSsn: number;
  missingPhone: number;
  missingAddress: number;
  /** Per record: probability of a middle name (full or initial) when the person has one. */
  middle: number;
  /** Per record of a junior/senior: probability the JR/SR suffix is sent. */
  suffix: number;
  /** Per person at this sender: probability of a second registration under a second MRN. */
  duplicate: number;
  /** Per duplicate: probability the sender later merges it with an A40. */
  a40: number;
  /** Mean number of updates (A08/A31) per record (0, 1 or 2 drawn around it). */
  updates: number;
  /** After a name change: probability an update carries the new family name. */
  learnsNameChange: number;
}

export interface PopulationSender {
  /** Label (also the key of `PopulationMessage.sender`). */
  name: string;
  kind: 'hospital' | 'lab' | 'clinic';
  /** Free text for the config (`authorities[].name`). */
  description: string;
  /** MSH-3.1 */
  application: string;
  /** MSH-4.1 */
  facility: string;
  /** CX.4.1 of the MRNs (declared in the service config). */
  namespace: string;
  /** CX.4.2 of the MRNs. */
  oid: string;
  /** MSH-10 prefix. */
  controlIdPrefix: string;
  /** MRN shape: prefix and number of digits. */
  mrn: { prefix: string; digits: number };
  /** Probability that a person has a record at this sender. */
  coverage: number;
  /** Authority trust rank for the config. */
  trustRank: number;
  flavour: {
    /** PID-3 CX.4: `NS&OID&ISO`, namespace only (the config maps it), `&OID&ISO`, or empty (the sender's default authority). */
    cx4: 'full' | 'namespace' | 'oid' | 'empty';
    /** CX.5 of the MRN. */
    mrnType: 'MR' | 'PI' | 'PT';
    /** Where the SSN goes: PID-19 (with or without dashes), a PID-3 repetition with CX.5 = SS, or nowhere. */
    ssn: 'pid19-dashed' | 'pid19' | 'pid3' | 'none';
    /** XTN: 2.5 components (CX.5-7), the formatted XTN.1, or no phone at all. */
    phone: 'components' | 'formatted' | 'none';
    /** Names as typed: upper case, or mixed case (Smith, O'Brien). */
    nameCase: 'upper' | 'mixed';
    /** Registration events (one drawn per record). */
    registration: ReadonlyArray<'A01' | 'A04' | 'A28'>;
    /** Update event. */
    update: 'A08' | 'A31';
    /** Maiden name as a second PID-5 repetition (type M) after a name change. */
    maidenRepetition: boolean;
    /** A visit/account number as an extra PID-3 repetition with CX.5 = AN (not a person identifier). */
    accountInPid3: boolean;
    /** MSH-15/16 valued (enhanced acknowledgment mode: the ACK is CA). */
    enhancedAck: boolean;
    /** MSH-18 */
    charset?: string;
  };
  errors: SenderErrorProfile;
}

export interface HardCaseRates {
  /** Twin pairs per person (2 × this share of persons are twins). US: about 3 % of people are twins. */
  twins: number;
  /** Junior/senior pairs per person. */
  juniorSenior: number;
  /** Share of households named from a handful of very common names (JAMES SMITH, MARIA GARCIA…). */
  commonName: number;
  /** Share of married adult women whose name changes during the feed (records before/after differ). */
  marriedNameChange: number;
  /** Share of households that move during the feed. */
  move: number;
  /** Share of persons whose street line or name carries an HL7 delimiter character (`&`, `\`, `^`, `~`, `|`). */
  delimiter: number;
}

export const DEFAULT_RATES: Readonly<HardCaseRates> = Object.freeze({
  twins: 0.015,
  juniorSenior: 0.01,
  commonName: 0.06,
  marriedNameChange: 0.12,
  move: 0.12,
  delimiter: 0.01,
});

export interface PopulationOptions {
  seed: number;
  persons: number;
  senders?: PopulationSender[];
  /** [formal, nickname] pairs, upper or lower case (fixtures/names/nicknames.csv `name1,has_nickname,name2`). */
  nicknames?: ReadonlyArray<readonly [string, string]>;
  rates?: Partial<HardCaseRates>;
  /** MSH-7 of the first possible message (default 2024-01-01T00:00:00Z). */
  start?: Date;
  /** Length of the feed in days (default 365). */
  days?: number;
}

export interface PersonAddress {
  /** ms after `start` from which this address (and home phone) holds. */
  from: number;
  street: string;
  other?: string;
  city: string;
  state: string;
  zip: string;
  /** Home phone, 10 digits. */
  phone: string;
}

export type PersonTag = 'twin' | 'junior' | 'senior' | 'common-name' | 'name-change' | 'moved' | 'delimiter';

export interface Person {
  id: number;
  household: number;
  /** Legal family name at the end of the feed. */
  family: string;
  /** Family name before the name change (when the person has one during the feed). */
  maidenFamily?: string;
  /** ms after `start` from which the new family name is used. */
  nameChangeAt?: number;
  given: string;
  middle?: string;
  suffix?: 'JR' | 'SR';
  sex: Sex;
  /** YYYY-MM-DD */
  birthDate: string;
  /** 9 digits. */
  ssn?: string;
  /** Mobile, 10 digits. */
  mobile?: string;
  /** In time order; the first from 0. */
  addresses: PersonAddress[];
  tags: PersonTag[];
  /** The other twin / the other of a junior-senior pair. */
  twinOf?: number;
  juniorSeniorOf?: number;
}

export type Variation =
  | 'typo-family'
  | 'typo-given'
  | 'typo-street'
  | 'nickname'
  | 'dob-swap'
  | 'dob-digit'
  | 'missing-ssn'
  | 'missing-phone'
  | 'missing-address'
  | 'maiden-family'
  | 'suffix'
  | 'delimiter';

export interface SourceRecordTruth {
  sender: string;
  oid: string;
  mrn: string;
  person: number;
  /** The person's second MRN at this sender (a source-internal duplicate). */
  duplicate: boolean;
  /** An A40 from the sender retires this MRN into the person's first one. */
  mergedByA40: boolean;
  /** How this record's copy of the person differs from the truth (at least once in its messages). */
  variations: Variation[];
}

export interface PopulationMessage {
  sender: string;
  controlId: string;
  event: 'A01' | 'A04' | 'A08' | 'A28' | 'A31' | 'A40';
  /** Segments joined with \r, trailing \r, no MLLP framing. */
  text: string;
  oid: string;
  /** PID-3 MRN. */
  mrn: string;
  /** A40: MRG-1's MRN (retired into `mrn`). */
  retired?: string;
  person: number;
  /** ms after `start`. */
  at: number;
}

export interface Population {
  seed: number;
  rates: HardCaseRates;
  senders: PopulationSender[];
  persons: Person[];
  households: number[][];
  records: SourceRecordTruth[];
  messages: PopulationMessage[];
  twinPairs: Array<[number, number]>;
  juniorSeniorPairs: Array<[number, number]>;
}

/** Ground truth key of a source record. */
export const recordKey = (oid: string, mrn: string) => `${oid}|${mrn}`;

/** Person id per source record key (OID|MRN). */
export function truthMap(p: Population): Map<string, number> {
  return new Map(p.records.map((r) => [recordKey(r.oid, r.mrn), r.person]));
}

// ---------------------------------------------------------------------------------------------- senders

export const POPULATION_OID_ROOT = '2.16.840.1.113883.3.9999';
const SSA_OID = '2.16.840.1.113883.4.1';

/**
 * Five senders with distinct flavours and error profiles:
 *  - GENERAL (Epic-like academic hospital): `NS&OID&ISO`, SSN in PID-19 with dashes, maiden name as a
 *    second PID-5 repetition, careful registration, A40s for its duplicates;
 *  - STMARY (Cerner-like hospital): namespace-only CX.4 (mapped by the config), SSN as a PID-3 repetition
 *    (CX.5 = SS), formatted phone numbers, enhanced acknowledgment mode, UTF-8 declared;
 *  - LAB (reference lab): name, DOB and sex; rarely an address, never a phone or SSN; empty CX.4 (the
 *    sender's default authority); no A40s;
 *  - CLINIC (athena-like family practice): `&OID&ISO`, mixed-case names, the most typos and nicknames,
 *    A28/A31 person-registry events, SSN in PID-19 without dashes;
 *  - COMMUNITY (Meditech-like community hospital): `NS&OID&ISO` with an account number (CX.5 = AN) in PID-3,
 *    SSN as a PID-3 repetition, A01 admissions.
 */
export function defaultPopulationSenders(): PopulationSender[] {
  const base: SenderErrorProfile = {
    typo: 0.02, nickname: 0.04, dobSwap: 0.005, dobDigit: 0.01, missingSsn: 0.25, missingPhone: 0.08, missingAddress: 0.02,
    middle: 0.7, suffix: 0.6, duplicate: 0.02, a40: 0.6, updates: 1, learnsNameChange: 0.8,
  };
  return [
    {
      name: 'GENERAL', kind: 'hospital', description: 'General Hospital (Epic-like)', application: 'EPIC', facility: 'GENHOSP',
      namespace: 'GENHOSP_MRN', oid: `${POPULATION_OID_ROOT}.201`, controlIdPrefix: 'EPC', mrn: { prefix: 'E', digits: 7 },
      coverage: 0.55, trustRank: 30,
      flavour: { cx4: 'full', mrnType: 'MR', ssn: 'pid19-dashed', phone: 'components', nameCase: 'upper', registration: ['A04', 'A04', 'A01'], update: 'A08', maidenRepetition: true, accountInPid3: false, enhancedAck: false },
      errors: { ...base, typo: 0.015, missingSsn: 0.15, duplicate: 0.025, a40: 0.7 },
    },
    {
      name: 'STMARY', kind: 'hospital', description: "St Mary's Medical Center (Cerner-like)", application: 'CERNER', facility: 'STMARYS',
      namespace: 'STMARY_MRN', oid: `${POPULATION_OID_ROOT}.202`, controlIdPrefix: 'CRN', mrn: { prefix: '', digits: 8 },
      coverage: 0.45, trustRank: 25,
      flavour: { cx4: 'namespace', mrnType: 'MR', ssn: 'pid3', phone: 'formatted', nameCase: 'upper', registration: ['A01', 'A04'], update: 'A08', maidenRepetition: false, accountInPid3: false, enhancedAck: true, charset: 'UNICODE UTF-8' },
      errors: { ...base, typo: 0.025, missingSsn: 0.3, duplicate: 0.03, a40: 0.5 },
    },
    {
      name: 'LAB', kind: 'lab', description: 'Regional reference laboratory', application: 'LABSYS', facility: 'REFLAB',
      namespace: 'REFLAB_PID', oid: `${POPULATION_OID_ROOT}.203`, controlIdPrefix: 'LAB', mrn: { prefix: 'L', digits: 9 },
      coverage: 0.45, trustRank: 5,
      flavour: { cx4: 'empty', mrnType: 'PI', ssn: 'none', phone: 'none', nameCase: 'upper', registration: ['A04'], update: 'A08', maidenRepetition: false, accountInPid3: false, enhancedAck: false },
      errors: { ...base, typo: 0.035, nickname: 0.06, dobSwap: 0.01, dobDigit: 0.015, missingSsn: 1, missingPhone: 1, missingAddress: 0.8, middle: 0.2, suffix: 0.2, duplicate: 0.04, a40: 0, updates: 0.3 },
    },
    {
      name: 'CLINIC', kind: 'clinic', description: 'Riverside Family Practice (athena-like)', application: 'ATHENA', facility: 'RIVERSIDEFP',
      namespace: 'RIVERSIDE_MRN', oid: `${POPULATION_OID_ROOT}.204`, controlIdPrefix: 'ATH', mrn: { prefix: '', digits: 6 },
      coverage: 0.35, trustRank: 10,
      flavour: { cx4: 'oid', mrnType: 'MR', ssn: 'pid19', phone: 'components', nameCase: 'mixed', registration: ['A28'], update: 'A31', maidenRepetition: false, accountInPid3: false, enhancedAck: false },
      errors: { ...base, typo: 0.06, nickname: 0.12, dobSwap: 0.015, dobDigit: 0.02, missingSsn: 0.5, missingPhone: 0.1, missingAddress: 0.05, middle: 0.4, suffix: 0.4, duplicate: 0.03, a40: 0.3, updates: 1.2, learnsNameChange: 0.6 },
    },
    {
      name: 'COMMUNITY', kind: 'hospital', description: 'Valley Community Hospital (Meditech-like)', application: 'MEDITECH', facility: 'VALLEYCH',
      namespace: 'VALLEY_MRN', oid: `${POPULATION_OID_ROOT}.205`, controlIdPrefix: 'MTC', mrn: { prefix: 'M', digits: 9 },
      coverage: 0.3, trustRank: 20,
      flavour: { cx4: 'full', mrnType: 'MR', ssn: 'pid3', phone: 'components', nameCase: 'upper', registration: ['A01', 'A04', 'A04'], update: 'A08', maidenRepetition: false, accountInPid3: true, enhancedAck: false },
      errors: { ...base, typo: 0.03, missingSsn: 0.35, missingPhone: 0.12, duplicate: 0.02, a40: 0.6, updates: 0.8 },
    },
  ];
}

/** Events a sender sends (for `senders[].acceptedEvents`). */
export function senderEvents(s: PopulationSender): string[] {
  const ev = new Set<string>([...s.flavour.registration, s.flavour.update]);
  if (s.errors.duplicate > 0 && s.errors.a40 > 0) ev.add('A40');
  return [...ev].sort();
}

/**
 * The service's file config (MPI_CONFIG, src/config.ts) declaring every sender and its authority: CX.4
 * namespaces are mapped, an empty CX.4 takes the sender's default authority, each sender assigns only its
 * own domain, unknown senders are refused. Plain JSON; pass it through parseFileConfig.
 */
export function serviceConfigFor(senders: PopulationSender[]): Record<string, unknown> {
  return {
    authorities: senders.map((s) => ({ namespace: s.namespace, oid: s.oid, name: s.description, trustRank: s.trustRank })),
    senders: senders.map((s) => ({
      application: s.application,
      facility: s.facility,
      defaultAuthority: s.oid,
      namespaces: { [s.namespace]: s.oid },
      assigns: [s.oid],
      ssn: { pid3Types: ['SS'], pid19: s.flavour.ssn === 'pid19' || s.flavour.ssn === 'pid19-dashed' },
      acceptedEvents: senderEvents(s),
    })),
    unknownSenders: 'reject',
  };
}

// ---------------------------------------------------------------------------------------------- PRNG helpers

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    const x = xs[Math.floor(this.next() * xs.length)];
    if (x === undefined) throw new Error('pick from an empty list');
    return x;
  }
  /** Index drawn with weights 1/(rank + k): a Zipf-like head (SMITH, JOHNSON…) and a long tail. */
  zipf<T>(xs: readonly T[], k = 8): T {
    let total = 0;
    for (let i = 0; i < xs.length; i++) total += 1 / (i + k);
    let x = this.next() * total;
    for (let i = 0; i < xs.length; i++) {
      x -= 1 / (i + k);
      if (x < 0) return xs[i]!;
    }
    return xs[xs.length - 1]!;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }
  /** A fresh seed for a sub-stream (typos are drawn from their own stream so they replay identically). */
  seed(): number {
    return Math.floor(this.next() * 0x100000000) >>> 0;
  }
}

// ---------------------------------------------------------------------------------------------- data

/** Very common US names, for the common-name households. */
const COMMON_FAMILY = ['SMITH', 'JOHNSON', 'WILLIAMS', 'BROWN', 'JONES', 'GARCIA', 'RODRIGUEZ', 'MARTINEZ'];
const COMMON_GIVEN_M = ['JAMES', 'JOHN', 'ROBERT', 'MICHAEL', 'DAVID', 'JOSE'];
const COMMON_GIVEN_F = ['MARY', 'MARIA', 'JENNIFER', 'LINDA', 'PATRICIA'];

/** Ordered roughly by US frequency (drawn Zipf-like). */
const FAMILY = [
  'SMITH', 'JOHNSON', 'WILLIAMS', 'BROWN', 'JONES', 'GARCIA', 'MILLER', 'DAVIS', 'RODRIGUEZ', 'MARTINEZ',
  'HERNANDEZ', 'LOPEZ', 'GONZALEZ', 'WILSON', 'ANDERSON', 'THOMAS', 'TAYLOR', 'MOORE', 'JACKSON', 'MARTIN',
  'LEE', 'PEREZ', 'THOMPSON', 'WHITE', 'HARRIS', 'SANCHEZ', 'CLARK', 'RAMIREZ', 'LEWIS', 'ROBINSON',
  'WALKER', 'YOUNG', 'ALLEN', 'KING', 'WRIGHT', 'SCOTT', 'TORRES', 'NGUYEN', 'HILL', 'FLORES',
  'GREEN', 'ADAMS', 'NELSON', 'BAKER', 'HALL', 'RIVERA', 'CAMPBELL', 'MITCHELL', 'CARTER', 'ROBERTS',
  'GOMEZ', 'PHILLIPS', 'EVANS', 'TURNER', 'DIAZ', 'PARKER', 'CRUZ', 'EDWARDS', 'COLLINS', 'REYES',
  'STEWART', 'MORRIS', 'MORALES', 'MURPHY', 'COOK', 'ROGERS', 'GUTIERREZ', 'ORTIZ', 'MORGAN', 'COOPER',
  'PETERSON', 'BAILEY', 'REED', 'KELLY', 'HOWARD', 'RAMOS', 'KIM', 'COX', 'WARD', 'RICHARDSON',
  'WATSON', 'BROOKS', 'CHAVEZ', 'WOOD', 'JAMES', 'BENNETT', 'GRAY', 'MENDOZA', 'RUIZ', 'HUGHES',
  'PRICE', 'ALVAREZ', 'CASTILLO', 'SANDERS', 'PATEL', 'MYERS', 'LONG', 'ROSS', 'FOSTER', 'JIMENEZ',
  'POWELL', 'JENKINS', 'PERRY', 'RUSSELL', 'SULLIVAN', 'BELL', 'COLEMAN', 'BUTLER', 'HENDERSON', 'BARNES',
  'GONZALES', 'FISHER', 'VASQUEZ', 'SIMMONS', 'ROMERO', 'JORDAN', 'PATTERSON', 'ALEXANDER', 'HAMILTON', 'GRAHAM',
  'REYNOLDS', 'GRIFFIN', 'WALLACE', 'MORENO', 'WEST', 'COLE', 'HAYES', 'BRYANT', 'HERRERA', 'GIBSON',
  'ELLIS', 'TRAN', 'MEDINA', 'AGUILAR', 'STEVENS', 'MURRAY', 'FORD', 'CASTRO', 'MARSHALL', 'OWENS',
  "O'BRIEN", "O'CONNOR", 'MCDONALD', 'MACKENZIE', 'KOWALSKI', 'NOWAK', 'MULLER', 'SCHMIDT', 'SCHNEIDER', 'WEBER',
  'COHEN', 'LEVY', 'SHAH', 'DESAI', 'SINGH', 'CHEN', 'WANG', 'LIU', 'ZHANG', 'HUANG',
  'VAN DER BERG', 'DE LA CRUZ', 'DA SILVA', 'SMITH-JONES', 'GARCIA-LOPEZ', 'OKAFOR', 'ADEYEMI', 'NAKAMURA', 'TANAKA', 'IVANOV',
  'ROSSI', 'RUSSO', 'ESPOSITO', 'BIANCHI', 'DUBOIS', 'LEFEBVRE', 'BECKER', 'HOFFMANN', 'KRAUSE', 'LINDQVIST',
  'ABERNATHY', 'BLACKWOOD', 'CALLOWAY', 'DRISCOLL', 'FAIRCHILD', 'GALLAGHER', 'HOLLOWAY', 'KINCAID', 'LANCASTER', 'MONTGOMERY',
  'PENDLETON', 'QUINTERO', 'RADCLIFFE', 'SOMMERVILLE', 'THORNBURG', 'UNDERWOOD', 'VALENTINE', 'WHITAKER', 'YARBROUGH', 'ZIMMERMAN',
];
const GIVEN_F = [
  'MARY', 'PATRICIA', 'JENNIFER', 'LINDA', 'ELIZABETH', 'BARBARA', 'SUSAN', 'JESSICA', 'SARAH', 'KAREN',
  'LISA', 'NANCY', 'BETTY', 'MARGARET', 'SANDRA', 'ASHLEY', 'KIMBERLY', 'EMILY', 'DONNA', 'MICHELLE',
  'CAROL', 'AMANDA', 'DOROTHY', 'MELISSA', 'DEBORAH', 'STEPHANIE', 'REBECCA', 'SHARON', 'LAURA', 'CYNTHIA',
  'KATHLEEN', 'AMY', 'ANGELA', 'SHIRLEY', 'ANNA', 'BRENDA', 'PAMELA', 'NICOLE', 'SAMANTHA', 'KATHERINE',
  'CHRISTINE', 'DEBRA', 'RACHEL', 'CATHERINE', 'CAROLYN', 'JANET', 'RUTH', 'MARIA', 'HEATHER', 'DIANE',
  'VIRGINIA', 'JULIE', 'JOYCE', 'VICTORIA', 'KELLY', 'CHRISTINA', 'JOAN', 'EVELYN', 'LAUREN', 'JUDITH',
  'ROSA', 'GUADALUPE', 'CARMEN', 'MEI', 'PRIYA', 'FATIMA', 'YOLANDA', 'ALEXANDRA', 'JACQUELINE', 'THERESA',
];
const GIVEN_M = [
  'JAMES', 'ROBERT', 'JOHN', 'MICHAEL', 'DAVID', 'WILLIAM', 'RICHARD', 'JOSEPH', 'THOMAS', 'CHARLES',
  'CHRISTOPHER', 'DANIEL', 'MATTHEW', 'ANTHONY', 'MARK', 'DONALD', 'STEVEN', 'PAUL', 'ANDREW', 'JOSHUA',
  'KENNETH', 'KEVIN', 'BRIAN', 'GEORGE', 'TIMOTHY', 'RONALD', 'EDWARD', 'JASON', 'JEFFREY', 'RYAN',
  'JACOB', 'GARY', 'NICHOLAS', 'ERIC', 'JONATHAN', 'STEPHEN', 'LARRY', 'JUSTIN', 'SCOTT', 'BRANDON',
  'BENJAMIN', 'SAMUEL', 'GREGORY', 'FRANK', 'ALEXANDER', 'RAYMOND', 'PATRICK', 'JACK', 'DENNIS', 'JERRY',
  'TYLER', 'AARON', 'JOSE', 'HENRY', 'ADAM', 'DOUGLAS', 'NATHAN', 'PETER', 'ZACHARY', 'KYLE',
  'LUIS', 'CARLOS', 'JUAN', 'WEI', 'RAJ', 'MOHAMMED', 'VICTOR', 'FRANCISCO', 'ALBERT', 'LAWRENCE',
];
/** Given names of children born after 2000. */
const KIDS_F = ['OLIVIA', 'EMMA', 'AVA', 'SOPHIA', 'ISABELLA', 'MIA', 'CHARLOTTE', 'AMELIA', 'HARPER', 'EVELYN', 'ABIGAIL', 'EMILY', 'ELLA', 'MADISON', 'SCARLETT', 'VICTORIA', 'ARIA', 'GRACE', 'CHLOE', 'CAMILA', 'PENELOPE', 'RILEY', 'LAYLA', 'LILLIAN', 'NORA', 'ZOEY', 'HANNAH', 'ADDISON', 'AUBREY', 'KAYLA'];
const KIDS_M = ['LIAM', 'NOAH', 'WILLIAM', 'JAMES', 'OLIVER', 'BENJAMIN', 'ELIJAH', 'LUCAS', 'MASON', 'LOGAN', 'ALEXANDER', 'ETHAN', 'JACOB', 'MICHAEL', 'DANIEL', 'HENRY', 'JACKSON', 'SEBASTIAN', 'AIDEN', 'MATTHEW', 'SAMUEL', 'DAVID', 'JOSEPH', 'CARTER', 'OWEN', 'WYATT', 'JOHN', 'JACK', 'LUKE', 'JAYDEN'];

/** Twin name pairs that are close in spelling or sound. */
const TWIN_NAMES: ReadonlyArray<readonly [string, Sex, string, Sex]> = [
  ['JAYDEN', 'M', 'JAYLEN', 'M'], ['AIDEN', 'M', 'JADEN', 'M'], ['BRAYDEN', 'M', 'BRANDON', 'M'], ['ETHAN', 'M', 'EVAN', 'M'],
  ['MASON', 'M', 'MADISON', 'F'], ['ELLA', 'F', 'EMMA', 'F'], ['AVA', 'F', 'ANNA', 'F'], ['KAYLA', 'F', 'KYLA', 'F'],
  ['ISABELLA', 'F', 'ISABEL', 'F'], ['MADISON', 'F', 'MACKENZIE', 'F'], ['DANIEL', 'M', 'DANIELLE', 'F'], ['CHRISTIAN', 'M', 'CHRISTINA', 'F'],
  ['JOHN', 'M', 'JOAN', 'F'], ['LOGAN', 'M', 'LUKE', 'M'], ['MARY', 'F', 'MARIE', 'F'], ['RYAN', 'M', 'RILEY', 'F'],
  ['AUSTIN', 'M', 'ASHTON', 'M'], ['TAYLOR', 'F', 'TYLER', 'M'], ['JACOB', 'M', 'JOSHUA', 'M'], ['LILY', 'F', 'LILA', 'F'],
];

const STREET_NAMES = [
  'MAIN', 'OAK', 'PINE', 'MAPLE', 'CEDAR', 'ELM', 'WASHINGTON', 'LAKE', 'HILL', 'PARK',
  'CHURCH', 'HIGH', 'MILL', 'RIVER', 'SPRING', 'CENTER', 'WALNUT', 'FRANKLIN', 'JEFFERSON', 'LINCOLN',
  'MADISON', 'SUNSET', 'HIGHLAND', 'FOREST', 'MEADOW', 'RIDGE', 'COLUMBIA', 'BROADWAY', 'VALLEY', 'WILLOW',
  'CHESTNUT', 'SYCAMORE', 'HICKORY', 'MARKET', 'SCHOOL', 'NORTH', 'SOUTH', 'PROSPECT', 'PLEASANT', 'ADAMS',
];
const STREET_TYPES = ['ST', 'AVE', 'RD', 'DR', 'LN', 'BLVD', 'CT', 'WAY', 'PL', 'TER'];
/** A small metro area, so that addresses and ZIPs collide like real ones. */
const CITIES: ReadonlyArray<readonly [city: string, state: string, zip3: string, area: string]> = [
  ['BOSTON', 'MA', '021', '617'], ['CAMBRIDGE', 'MA', '021', '617'], ['SOMERVILLE', 'MA', '021', '617'], ['QUINCY', 'MA', '021', '617'],
  ['NEWTON', 'MA', '024', '617'], ['BROCKTON', 'MA', '023', '508'], ['WORCESTER', 'MA', '016', '508'], ['LOWELL', 'MA', '018', '978'],
  ['LYNN', 'MA', '019', '781'], ['FRAMINGHAM', 'MA', '017', '508'], ['PROVIDENCE', 'RI', '029', '401'], ['NASHUA', 'NH', '030', '603'],
];
/** Street line extras carrying HL7 delimiters (escaped in messages). */
const DELIMITER_OTHER = ['APT 2 & 3', 'BLDG A&B', 'C\\O HOUSING AUTHORITY', 'UNIT 4 ^ REAR', 'LOT 7~8', 'SUITE 5|6'];
/** Family names typed with a delimiter (a compound name joined with & instead of a hyphen). */
const DELIMITER_FAMILY = ['SMITH&JONES', 'GARCIA&LOPEZ', 'LEE&PARK'];

// ---------------------------------------------------------------------------------------------- helpers

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const DAY = 86_400_000;

const hl7Ts = (d: Date) =>
  `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;

/** HL7 v2 escaping of one leaf: `\` first, then `| ^ & ~`. */
export function hl7Escape(s: string): string {
  return s.replace(/[\\|^&~]/g, (c) => (c === '\\' ? '\\E\\' : c === '|' ? '\\F\\' : c === '^' ? '\\S\\' : c === '&' ? '\\T\\' : '\\R\\'));
}

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function dateBetween(r: Rng, fromYear: number, toYear: number): string {
  const y = r.int(fromYear, toYear);
  const m = r.int(1, 12);
  return `${y}-${pad(m)}-${pad(r.int(1, daysIn(y, m)))}`;
}

function validIso(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
}

/** Mixed case as a clinic's registration screen stores it: Smith, O'Brien, Smith-Jones, De La Cruz. */
function mixedCase(s: string): string {
  return s.toLowerCase().replace(/(^|[\s'\-&])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase());
}

const KEY_ROWS = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM'];
const ADJACENT: Record<string, string> = (() => {
  const out: Record<string, string> = {};
  KEY_ROWS.forEach((row, ri) => {
    for (let i = 0; i < row.length; i++) {
      let n = (row[i - 1] ?? '') + (row[i + 1] ?? '');
      // Keys above and below (rows are staggered by about half a key).
      for (const other of [KEY_ROWS[ri - 1], KEY_ROWS[ri + 1]]) if (other) n += other.slice(Math.max(0, i - 1), i + 1);
      out[row[i]!] = n;
    }
  });
  return out;
})();

export type TypoKind = 'substitution' | 'transposition' | 'deletion';

/**
 * One typing error in `s`: a keyboard-adjacent substitution, a transposition of two neighbouring letters, or
 * a deletion. The first letter is kept most of the time (as in real registration data). Returns `s`
 * unchanged when it is too short to damage credibly.
 */
export function typo(s: string, seed: number): string {
  const r = new Rng(seed);
  const letters: number[] = [];
  for (let i = 0; i < s.length; i++) if (/[A-Z]/.test(s[i]!)) letters.push(i);
  if (letters.length < 3) return s;
  const kind: TypoKind = r.pick(['substitution', 'substitution', 'transposition', 'deletion']);
  const from = r.chance(0.9) ? 1 : 0;
  for (let attempt = 0; attempt < 8; attempt++) {
    const li = r.int(from, letters.length - 1);
    const i = letters[li]!;
    const c = s[i]!;
    if (kind === 'substitution') {
      const sub = r.pick([...(ADJACENT[c] ?? 'E')]);
      if (sub !== c) return s.slice(0, i) + sub + s.slice(i + 1);
    } else if (kind === 'transposition') {
      const j = letters[li + 1];
      if (j === i + 1 && s[j] !== c) return s.slice(0, i) + s[j]! + c + s.slice(j + 1);
    } else if (letters.length > 3) {
      return s.slice(0, i) + s.slice(i + 1);
    }
  }
  return s;
}

/** Day and month swapped (YYYY-DD-MM read as YYYY-MM-DD); undefined when that is not a different valid date. */
function swapDayMonth(iso: string): string | undefined {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  if (d > 12 || d === m) return undefined;
  return `${y}-${pad(d)}-${pad(m)}`;
}

/** One wrong digit (year's last two, month or day), still a valid date before `latest`. */
function dobDigitError(iso: string, r: Rng, latest: string): string | undefined {
  const digits = iso.replace(/-/g, '');
  for (let attempt = 0; attempt < 12; attempt++) {
    const pos = r.pick([2, 3, 3, 5, 6, 7, 7]);
    const old = Number(digits[pos]);
    const nd = r.chance(0.5) ? (old + 1) % 10 : (old + 9) % 10;
    const s = digits.slice(0, pos) + String(nd) + digits.slice(pos + 1);
    const y = Number(s.slice(0, 4));
    const m = Number(s.slice(4, 6));
    const d = Number(s.slice(6, 8));
    const out = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
    if (validIso(y, m, d) && y >= 1900 && out < latest && out !== iso) return out;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------- population

interface Household {
  id: number;
  members: number[];
}

class PopulationBuilder {
  readonly persons: Person[] = [];
  readonly households: Household[] = [];
  readonly twinPairs: Array<[number, number]> = [];
  readonly juniorSeniorPairs: Array<[number, number]> = [];
  private readonly ssns = new Set<string>();
  private readonly phones = new Set<string>();

  constructor(
    private readonly r: Rng,
    private readonly rates: HardCaseRates,
    private readonly spanMs: number,
    private readonly latestDob: string,
  ) {}

  private ssn(): string {
    for (;;) {
      let area = this.r.int(1, 898);
      if (area >= 666) area++;
      const s = `${pad(area, 3)}${pad(this.r.int(1, 99))}${pad(this.r.int(1, 9999), 4)}`;
      if (!this.ssns.has(s)) {
        this.ssns.add(s);
        return s;
      }
    }
  }

  private phone(area: string): string {
    for (;;) {
      const p = `${area}${this.r.int(2, 9)}${this.r.digits(6)}`;
      if (!this.phones.has(p)) {
        this.phones.add(p);
        return p;
      }
    }
  }

  private address(from: number, near?: PersonAddress): PersonAddress {
    const r = this.r;
    const c = near && r.chance(0.6) ? CITIES.find((x) => x[0] === near.city)! : r.pick(CITIES);
    const [city, state, zip3, area] = c;
    const a: PersonAddress = {
      from,
      street: `${r.int(1, 999) * (r.chance(0.3) ? 10 : 1)} ${r.pick(STREET_NAMES)} ${r.pick(STREET_TYPES)}`,
      city,
      state,
      zip: `${zip3}${pad(r.int(1, 99))}`,
      phone: this.phone(area),
    };
    if (r.chance(0.25)) a.other = `APT ${r.int(1, 40)}${r.pick(['', 'A', 'B', 'C'])}`;
    return a;
  }

  private newPerson(h: Household, p: Omit<Person, 'id' | 'household' | 'addresses' | 'tags'> & { tags?: PersonTag[] }): Person {
    const person: Person = { id: this.persons.length, household: h.id, addresses: [], tags: [], ...p };
    if (!person.ssn && this.r.chance(person.birthDate >= '2018' ? 0.8 : 0.93)) person.ssn = this.ssn();
    if (person.birthDate < '2008' && this.r.chance(0.75)) {
      const area = this.r.pick(CITIES)[3];
      person.mobile = this.phone(area);
    }
    if (person.middle === undefined && this.r.chance(0.65)) person.middle = this.r.pick(person.sex === 'F' ? GIVEN_F : GIVEN_M);
    this.persons.push(person);
    h.members.push(person.id);
    return person;
  }

  private household(): Household {
    const h: Household = { id: this.households.length, members: [] };
    this.households.push(h);
    return h;
  }

  private given(sex: Sex, birthDate: string, common: boolean): string {
    if (common) return this.r.pick(sex === 'F' ? COMMON_GIVEN_F : COMMON_GIVEN_M);
    if (birthDate >= '2000') return this.r.zipf(sex === 'F' ? KIDS_F : KIDS_M, 6);
    return this.r.zipf(sex === 'F' ? GIVEN_F : GIVEN_M, 6);
  }

  private family(common: boolean): string {
    return common ? this.r.pick(COMMON_FAMILY) : this.r.zipf(FAMILY, 10);
  }

  /** Adults of a household: one, or a couple (the wife usually takes the husband's family name). */
  private adults(h: Household, family: string, common: boolean, count: 1 | 2, born: [number, number]): Person[] {
    const r = this.r;
    const out: Person[] = [];
    const firstSex: Sex = count === 2 ? 'M' : r.chance(0.55) ? 'F' : 'M';
    const dob1 = dateBetween(r, born[0], born[1]);
    out.push(this.newPerson(h, { family, given: this.given(firstSex, dob1, common), sex: firstSex, birthDate: dob1 }));
    if (count === 2) {
      const y = Math.max(1925, Math.min(Number(dob1.slice(0, 4)) + r.int(-6, 4), Number(this.latestDob.slice(0, 4)) - 18));
      const dob2 = dateBetween(r, y, y);
      const keepsOwn = r.chance(0.2);
      const wife = this.newPerson(h, { family: keepsOwn ? this.family(false) : family, given: this.given('F', dob2, common), sex: 'F', birthDate: dob2 });
      if (!keepsOwn && r.chance(this.rates.marriedNameChange)) {
        // Married during the feed: senders that registered her before know her maiden name.
        let maiden = this.family(false);
        if (maiden === family) maiden = this.family(false);
        if (maiden !== family) {
          wife.maidenFamily = maiden;
          wife.nameChangeAt = Math.floor(this.spanMs * (0.15 + 0.6 * r.next()));
          wife.tags.push('name-change');
        }
      }
      out.push(wife);
    }
    return out;
  }

  private child(h: Household, family: string, parentsBorn: number, extra: Partial<Person> = {}): Person {
    const r = this.r;
    const latestYear = Number(this.latestDob.slice(0, 4));
    const y0 = Math.min(parentsBorn + 20, latestYear);
    const dob = extra.birthDate ?? dateBetween(r, y0, Math.min(parentsBorn + 42, latestYear));
    const sex: Sex = extra.sex ?? (r.chance(0.5) ? 'F' : 'M');
    return this.newPerson(h, { family, given: extra.given ?? this.given(sex, dob, false), sex, birthDate: dob, ...extra });
  }

  /** Everybody in the household lives at the household's address(es); a move moves them all. */
  private settle(h: Household) {
    const r = this.r;
    const first = this.address(0);
    const addresses = [first];
    if (r.chance(this.rates.move)) {
      const at = Math.floor(this.spanMs * (0.1 + 0.7 * r.next()));
      addresses.push(this.address(at, first));
    }
    for (const id of h.members) {
      const p = this.persons[id]!;
      p.addresses = addresses.map((a) => ({ ...a }));
      if (addresses.length > 1) p.tags.push('moved');
    }
  }

  twinHousehold() {
    const r = this.r;
    const h = this.household();
    const family = this.family(r.chance(this.rates.commonName));
    const latestYear = Number(this.latestDob.slice(0, 4));
    const twinsBorn = dateBetween(r, 1950, latestYear);
    const ty = Number(twinsBorn.slice(0, 4));
    const parentsBorn = ty - r.int(22, 38);
    if (parentsBorn >= 1928 && ty >= 1990) this.adults(h, family, false, r.chance(0.7) ? 2 : 1, [parentsBorn, parentsBorn]);
    const roll = r.next();
    let a: [string, Sex];
    let b: [string, Sex];
    if (roll < 0.45) {
      const t = r.pick(TWIN_NAMES);
      [a, b] = r.chance(0.5) ? [[t[0], t[1]], [t[2], t[3]]] : [[t[2], t[3]], [t[0], t[1]]];
    } else {
      const sa: Sex = r.chance(0.5) ? 'F' : 'M';
      const sb: Sex = r.chance(0.6) ? sa : sa === 'F' ? 'M' : 'F';
      const ga = this.given(sa, twinsBorn, false);
      let gb = ga;
      const pool = (sb === 'F' ? [...KIDS_F, ...GIVEN_F] : [...KIDS_M, ...GIVEN_M]).filter((g) => g !== ga);
      const sameInitial = pool.filter((g) => g[0] === ga[0]);
      gb = roll < 0.75 && sameInitial.length ? r.pick(sameInitial) : r.pick(pool);
      a = [ga, sa];
      b = [gb, sb];
    }
    const middle = r.chance(0.3) ? r.pick(a[1] === 'F' ? GIVEN_F : GIVEN_M) : undefined;
    const t1 = this.child(h, family, parentsBorn, { birthDate: twinsBorn, given: a[0], sex: a[1], ...(middle ? { middle } : {}) });
    const t2 = this.child(h, family, parentsBorn, { birthDate: twinsBorn, given: b[0], sex: b[1], ...(middle ? { middle } : {}) });
    t1.tags.push('twin');
    t2.tags.push('twin');
    t1.twinOf = t2.id;
    t2.twinOf = t1.id;
    this.twinPairs.push([t1.id, t2.id]);
    if (r.chance(0.3) && ty >= 1990) this.child(h, family, parentsBorn);
    this.settle(h);
  }

  juniorSeniorHousehold() {
    const r = this.r;
    const h = this.household();
    const common = r.chance(this.rates.commonName * 2);
    const family = this.family(common);
    const seniorBorn = dateBetween(r, 1935, 1978);
    const sy = Number(seniorBorn.slice(0, 4));
    const gap = r.int(25, 35);
    const juniorBorn = dateBetween(r, sy + gap, sy + gap);
    const given = this.given('M', seniorBorn, common);
    const middle = r.chance(0.7) ? r.pick(GIVEN_M) : undefined;
    const sr = this.newPerson(h, { family, given, sex: 'M', birthDate: seniorBorn, suffix: 'SR', ...(middle ? { middle } : {}) });
    if (!middle) sr.middle = undefined;
    if (r.chance(0.5)) {
      const dob = dateBetween(r, sy - 3, sy + 3);
      this.newPerson(h, { family, given: this.given('F', dob, false), sex: 'F', birthDate: dob });
    }
    const jr = this.newPerson(h, { family, given, sex: 'M', birthDate: juniorBorn, suffix: 'JR', ...(middle ? { middle } : {}) });
    if (!middle) jr.middle = undefined;
    sr.tags.push('senior');
    jr.tags.push('junior');
    if (common) {
      sr.tags.push('common-name');
      jr.tags.push('common-name');
    }
    sr.juniorSeniorOf = jr.id;
    jr.juniorSeniorOf = sr.id;
    this.juniorSeniorPairs.push([sr.id, jr.id]);
    this.settle(h);
  }

  regularHousehold() {
    const r = this.r;
    const h = this.household();
    const common = r.chance(this.rates.commonName);
    const family = this.family(common);
    const sizeRoll = r.next();
    const size = sizeRoll < 0.34 ? 1 : sizeRoll < 0.66 ? 2 : sizeRoll < 0.82 ? 3 : sizeRoll < 0.94 ? 4 : 5;
    const latestYear = Number(this.latestDob.slice(0, 4));
    if (size === 1) {
      this.adults(h, family, common, 1, [1930, latestYear - 18]);
    } else {
      const couple = size === 2 ? r.chance(0.75) : r.chance(0.7);
      const parents = this.adults(h, family, common, couple ? 2 : 1, size === 2 && couple ? [1930, latestYear - 20] : [1955, latestYear - 22]);
      const parentsBorn = Number(parents[0]!.birthDate.slice(0, 4));
      for (let i = parents.length; i < size; i++) this.child(h, family, parentsBorn);
    }
    if (common) for (const id of h.members) this.persons[id]!.tags.push('common-name');
    this.settle(h);
  }

  /**
   * Some households' street line (all members) or one member's family name carries an HL7 delimiter
   * character; `share` is per person, so households are drawn with share × mean household size.
   */
  delimiters(share: number) {
    const perHousehold = Math.min(1, (share * this.persons.length) / Math.max(1, this.households.length));
    for (const h of this.households) {
      if (!h.members.length || !this.r.chance(perHousehold)) continue;
      // A twin or a junior/senior keeps the family name shared with the other of the pair.
      const plain = h.members.filter((id) => this.persons[id]!.twinOf === undefined && this.persons[id]!.juniorSeniorOf === undefined);
      if (this.r.chance(0.7) || !plain.length) {
        const other = this.r.pick(DELIMITER_OTHER);
        for (const id of h.members) {
          const p = this.persons[id]!;
          for (const a of p.addresses) a.other = other;
          p.tags.push('delimiter');
        }
      } else {
        const p = this.persons[this.r.pick(plain)]!;
        p.family = this.r.pick(DELIMITER_FAMILY);
        delete p.maidenFamily;
        delete p.nameChangeAt;
        p.tags = p.tags.filter((t) => t !== 'name-change');
        p.tags.push('delimiter');
      }
    }
  }

  /**
   * Exactly `n` persons: drops members of the last regular households (never a twin or a junior/senior),
   * then renumbers persons and households in order.
   */
  trim(n: number) {
    const special = (p: Person) => p.twinOf !== undefined || p.juniorSeniorOf !== undefined;
    const drop = new Set<number>();
    for (let i = this.persons.length - 1; i >= 0 && this.persons.length - drop.size > n; i--) {
      if (!special(this.persons[i]!)) drop.add(i);
    }
    if (!drop.size) return;
    const kept = this.persons.filter((p) => !drop.has(p.id));
    const newId = new Map(kept.map((p, i) => [p.id, i]));
    const households = this.households.map((h) => ({ ...h, members: h.members.filter((id) => !drop.has(id)) })).filter((h) => h.members.length);
    const newHousehold = new Map(households.map((h, i) => [h.id, i]));
    for (const p of kept) {
      p.id = newId.get(p.id)!;
      p.household = newHousehold.get(p.household)!;
      if (p.twinOf !== undefined) p.twinOf = newId.get(p.twinOf)!;
      if (p.juniorSeniorOf !== undefined) p.juniorSeniorOf = newId.get(p.juniorSeniorOf)!;
    }
    this.persons.splice(0, this.persons.length, ...kept);
    this.households.splice(0, this.households.length, ...households.map((h, i) => ({ id: i, members: h.members.map((id) => newId.get(id)!) })));
    for (const pairs of [this.twinPairs, this.juniorSeniorPairs]) {
      for (const pair of pairs) {
        pair[0] = newId.get(pair[0])!;
        pair[1] = newId.get(pair[1])!;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------- records and messages

/** One sender's copy of a person: the corruptions chosen at registration, replayed on every message. */
interface RecordCopy {
  truth: SourceRecordTruth;
  sender: PopulationSender;
  person: Person;
  familyTypo?: number;
  givenTypo?: number;
  streetTypo?: number;
  given: string;
  birthDate: string;
  sendSsn: boolean;
  sendPhone: boolean;
  sendAddress: boolean;
  middle?: string;
  sendSuffix: boolean;
  /** Uses the person's mobile rather than the home phone. */
  mobile: boolean;
  /** The family name this record has: the maiden one until the sender learns of the change. */
  knowsNewName: boolean;
  account: string;
}

interface PlannedMessage {
  at: number;
  seq: number;
  copy: RecordCopy;
  kind: 'reg' | 'upd' | 'merge';
  event: PopulationMessage['event'];
  /** A40: the copy retired. */
  retired?: RecordCopy;
  /** Update: whether this update brings the new family name. */
  learnsName?: boolean;
}

function senderCase(s: PopulationSender, v: string): string {
  return s.flavour.nameCase === 'mixed' ? mixedCase(v) : v;
}

function addressAt(p: Person, at: number): PersonAddress {
  let a = p.addresses[0]!;
  for (const x of p.addresses) if (x.from <= at) a = x;
  return a;
}

function buildMessage(m: PlannedMessage, controlId: string, start: number): string {
  const { copy } = m;
  const s = copy.sender;
  const p = copy.person;
  const f = s.flavour;
  const ts = hl7Ts(new Date(start + m.at));
  const structure = m.event === 'A40' ? 'ADT_A39' : m.event === 'A28' || m.event === 'A31' ? 'ADT_A05' : 'ADT_A01';
  const msh = ['MSH', '^~\\&', s.application, s.facility, 'MPI', 'MPI', ts, '', `ADT^${m.event}^${structure}`, controlId, 'P', '2.5'];
  if (f.enhancedAck || f.charset) {
    msh.push('', '', f.enhancedAck ? 'AL' : '', f.enhancedAck ? 'NE' : '', '', f.charset ?? '');
    while (msh[msh.length - 1] === '') msh.pop();
  }
  const segs = [msh.join('|'), `EVN|${m.event}|${ts}`];

  const cx = (mrn: string) => {
    const e = hl7Escape(mrn);
    switch (f.cx4) {
      case 'full':
        return `${e}^^^${s.namespace}&${s.oid}&ISO^${f.mrnType}`;
      case 'namespace':
        return `${e}^^^${s.namespace}^${f.mrnType}`;
      case 'oid':
        return `${e}^^^&${s.oid}&ISO^${f.mrnType}`;
      case 'empty':
        return `${e}^^^^${f.mrnType}`;
    }
  };
  const pid: string[] = ['PID', '1'];
  const ids = [cx(copy.truth.mrn)];
  if (f.accountInPid3) ids.push(`${copy.account}^^^${s.namespace}&${s.oid}&ISO^AN`);
  if (copy.sendSsn && p.ssn && f.ssn === 'pid3') ids.push(`${p.ssn}^^^SSA&${SSA_OID}&ISO^SS`);
  pid[3] = ids.join('~');

  // Name: the family name this record knows, with its typo replayed.
  const useNew = !p.maidenFamily || copy.knowsNewName;
  let family = useNew ? p.family : p.maidenFamily!;
  if (copy.familyTypo !== undefined) family = typo(family, copy.familyTypo);
  let given = copy.given;
  if (copy.givenTypo !== undefined) given = typo(given, copy.givenTypo);
  const name = [family, given, copy.middle ?? '', copy.sendSuffix && p.suffix ? p.suffix : '', '', '', 'L'].map((x) => hl7Escape(senderCase(s, x)));
  const names = [name.join('^')];
  if (useNew && p.maidenFamily && f.maidenRepetition) names.push([p.maidenFamily, given, '', '', '', '', 'M'].map((x) => hl7Escape(senderCase(s, x))).join('^'));
  pid[5] = names.join('~');
  pid[7] = copy.birthDate.replace(/-/g, '');
  pid[8] = p.sex;

  const a = addressAt(p, m.at);
  if (copy.sendAddress) {
    let street = a.street;
    if (copy.streetTypo !== undefined) street = typo(street, copy.streetTypo);
    // Mixed-case screens store street and city as typed; state, ZIP, country and type stay codes.
    const typed = [street, a.other ?? '', a.city].map((x) => senderCase(s, x));
    pid[11] = [...typed, a.state, a.zip, s.kind === 'lab' ? '' : 'USA', 'H'].map(hl7Escape).join('^');
  }
  if (copy.sendPhone && f.phone !== 'none') {
    const n = copy.mobile && p.mobile ? p.mobile : a.phone;
    const equip = copy.mobile && p.mobile ? 'CP' : 'PH';
    pid[13] = f.phone === 'components' ? `^PRN^${equip}^^1^${n.slice(0, 3)}^${n.slice(3)}` : `(${n.slice(0, 3)})${n.slice(3, 6)}-${n.slice(6)}^PRN^${equip}`;
  }
  if (copy.sendSsn && p.ssn && (f.ssn === 'pid19' || f.ssn === 'pid19-dashed')) {
    pid[19] = f.ssn === 'pid19' ? p.ssn : `${p.ssn.slice(0, 3)}-${p.ssn.slice(3, 5)}-${p.ssn.slice(5)}`;
  }
  segs.push(Array.from(pid, (x) => x ?? '').join('|'));

  if (m.kind === 'merge') {
    segs.push(`MRG|${cx(m.retired!.truth.mrn)}`);
  } else if (m.event === 'A01') {
    segs.push(`PV1|1|I|${s.facility}^${100 + (p.id % 300)}^A||||^ATTENDING^DOC|||MED`);
  } else if (m.event === 'A04') {
    segs.push(`PV1|1|O|${s.facility}^OPD`);
  } else if (m.event === 'A08') {
    segs.push('PV1|1|O');
  } else {
    segs.push('PV1|1|N');
  }
  return segs.join('\r') + '\r';
}

// ---------------------------------------------------------------------------------------------- generator

export function generatePopulation(opts: PopulationOptions): Population {
  const senders = opts.senders ?? defaultPopulationSenders();
  if (!senders.length) throw new Error('generatePopulation: at least one sender');
  if (new Set(senders.map((s) => s.oid)).size !== senders.length) throw new Error('generatePopulation: sender OIDs must differ');
  const rates: HardCaseRates = { ...DEFAULT_RATES, ...opts.rates };
  const start = (opts.start ?? new Date(Date.UTC(2024, 0, 1))).getTime();
  const spanMs = (opts.days ?? 365) * DAY;
  const latestDob = new Date(start - 30 * DAY).toISOString().slice(0, 10);
  const r = new Rng(opts.seed);

  // Nicknames: formal (upper case) → nicknames usable as a typed given name.
  const nick = new Map<string, string[]>();
  for (const [formal, n] of opts.nicknames ?? []) {
    const f = formal.toUpperCase();
    const v = n.toUpperCase();
    if (!/^[A-Z]{2,}$/.test(v) || f === v) continue;
    const list = nick.get(f) ?? [];
    if (!list.includes(v)) list.push(v);
    nick.set(f, list);
  }

  // ---- persons
  const b = new PopulationBuilder(r, rates, spanMs, latestDob);
  const specials: Array<'twin' | 'jrsr'> = [
    ...Array<'twin'>(Math.round(opts.persons * rates.twins)).fill('twin'),
    ...Array<'jrsr'>(Math.round(opts.persons * rates.juniorSenior)).fill('jrsr'),
  ];
  // Special households are spread through the population: each step is one with the probability that
  // spreads the remaining ones over the remaining households (about 2.3 persons each).
  while (b.persons.length < opts.persons || specials.length) {
    const householdsLeft = Math.max(1, (opts.persons - b.persons.length) / 2.3);
    if (specials.length && (b.persons.length >= opts.persons || r.chance(specials.length / householdsLeft))) {
      const i = r.int(0, specials.length - 1);
      const kind = specials[i]!;
      specials.splice(i, 1);
      if (kind === 'twin') b.twinHousehold();
      else b.juniorSeniorHousehold();
    } else b.regularHousehold();
  }
  b.trim(opts.persons);
  b.delimiters(rates.delimiter);
  const persons = b.persons;

  // ---- records: which senders know whom, and how each typed them
  const mrnCounters = new Map<string, number>();
  const nextMrn = (s: PopulationSender) => {
    const n = (mrnCounters.get(s.name) ?? r.int(10 ** (s.mrn.digits - 2), 10 ** (s.mrn.digits - 1))) + r.int(1, 23);
    mrnCounters.set(s.name, n);
    return `${s.mrn.prefix}${pad(n, s.mrn.digits)}`;
  };
  const records: SourceRecordTruth[] = [];
  const planned: PlannedMessage[] = [];
  let seq = 0;
  const plan = (m: Omit<PlannedMessage, 'seq'>) => planned.push({ ...m, seq: seq++ });

  const makeCopy = (s: PopulationSender, p: Person, duplicate: boolean, at: number): RecordCopy => {
    const e = s.errors;
    const variations = new Set<Variation>();
    const truth: SourceRecordTruth = { sender: s.name, oid: s.oid, mrn: nextMrn(s), person: p.id, duplicate, mergedByA40: false, variations: [] };
    // A duplicate registration is typically a hurried one: more errors, less data.
    const boost = duplicate ? 2 : 1;
    let given = p.given;
    const nicks = nick.get(p.given);
    if (nicks?.length && r.chance(e.nickname * boost)) {
      given = r.pick(nicks);
      variations.add('nickname');
    }
    let birthDate = p.birthDate;
    if (r.chance(e.dobSwap * boost)) {
      const sw = swapDayMonth(birthDate);
      if (sw) {
        birthDate = sw;
        variations.add('dob-swap');
      }
    }
    if (birthDate === p.birthDate && r.chance(e.dobDigit * boost)) {
      const d = dobDigitError(birthDate, r, latestDob);
      if (d) {
        birthDate = d;
        variations.add('dob-digit');
      }
    }
    const copy: RecordCopy = {
      truth,
      sender: s,
      person: p,
      given,
      birthDate,
      sendSsn: s.flavour.ssn !== 'none' && !r.chance(Math.min(1, e.missingSsn * (duplicate ? 1.5 : 1))),
      sendPhone: s.flavour.phone !== 'none' && !r.chance(Math.min(1, e.missingPhone * boost)),
      sendAddress: !r.chance(Math.min(1, e.missingAddress * boost)),
      sendSuffix: r.chance(e.suffix),
      mobile: !!p.mobile && r.chance(p.birthDate < '2006' ? 0.65 : 0),
      knowsNewName: p.nameChangeAt === undefined || at >= p.nameChangeAt,
      account: `${r.int(1, 9)}${r.digits(8)}`,
    };
    if (r.chance(e.typo * boost)) copy.familyTypo = r.seed();
    if (r.chance(e.typo * boost)) copy.givenTypo = r.seed();
    if (r.chance(e.typo * boost)) copy.streetTypo = r.seed();
    if (p.middle && r.chance(e.middle)) copy.middle = r.chance(0.4) ? p.middle.slice(0, 1) : p.middle;
    // Variations that show in the messages (a typo that changed nothing, or data not sent, does not count).
    const famNow = copy.knowsNewName || !p.maidenFamily ? p.family : p.maidenFamily;
    if (copy.familyTypo !== undefined && typo(famNow, copy.familyTypo) !== famNow) variations.add('typo-family');
    if (copy.givenTypo !== undefined && typo(given, copy.givenTypo) !== given) variations.add('typo-given');
    if (copy.sendAddress && copy.streetTypo !== undefined && p.addresses.some((a) => typo(a.street, copy.streetTypo!) !== a.street)) variations.add('typo-street');
    if (p.ssn && s.flavour.ssn !== 'none' && !copy.sendSsn) variations.add('missing-ssn');
    if (s.flavour.phone !== 'none' && !copy.sendPhone) variations.add('missing-phone');
    if (!copy.sendAddress) variations.add('missing-address');
    if (!copy.knowsNewName) variations.add('maiden-family');
    if (copy.sendSuffix && p.suffix) variations.add('suffix');
    if (/[\\|^&~]/.test(p.family) || (copy.sendAddress && /[\\|^&~]/.test(p.addresses[0]!.other ?? ''))) variations.add('delimiter');
    truth.variations = [...variations].sort();
    records.push(truth);
    return copy;
  };

  for (const p of persons) {
    let chosen = senders.filter((s) => r.chance(s.coverage));
    if (!chosen.length) {
      // Everybody is known somewhere: pick one sender, weighted by coverage.
      const total = senders.reduce((a, s) => a + s.coverage, 0);
      let x = r.next() * total;
      chosen = [senders.find((s) => (x -= s.coverage) < 0) ?? senders[senders.length - 1]!];
    }
    for (const s of chosen) {
      const e = s.errors;
      const regAt = Math.floor(spanMs * 0.85 * r.next());
      const copy = makeCopy(s, p, false, regAt);
      plan({ at: regAt, copy, kind: 'reg', event: r.pick(s.flavour.registration) });
      const nUpd = Math.max(0, Math.min(3, Math.round(e.updates + (r.next() - 0.5) * 2 * Math.min(1, e.updates))));
      let last = regAt;
      const updTimes: number[] = [];
      for (let i = 0; i < nUpd; i++) updTimes.push(regAt + Math.floor((spanMs - regAt) * r.next()));
      updTimes.sort((x, y) => x - y);
      for (const at of updTimes) {
        const t = Math.max(at, last + 1000);
        last = t;
        const learns = !copy.knowsNewName && p.nameChangeAt !== undefined && t >= p.nameChangeAt && r.chance(e.learnsNameChange);
        plan({ at: t, copy, kind: 'upd', event: s.flavour.update, learnsName: learns });
      }
      if (r.chance(e.duplicate)) {
        const dupAt = regAt + Math.floor((spanMs - regAt) * 0.8 * r.next()) + 1000;
        const dup = makeCopy(s, p, true, dupAt);
        plan({ at: dupAt, copy: dup, kind: 'reg', event: r.pick(s.flavour.registration) });
        if (r.chance(e.a40)) {
          const mergeAt = dupAt + Math.floor((spanMs - dupAt) * r.next()) + 1000;
          dup.truth.mergedByA40 = true;
          plan({ at: mergeAt, copy, kind: 'merge', event: 'A40', retired: dup });
        }
      }
    }
  }

  // ---- time order; control ids per sender in that order
  planned.sort((x, y) => x.at - y.at || x.seq - y.seq);
  const controlCounters = new Map<string, number>();
  const messages: PopulationMessage[] = planned.map((m) => {
    const s = m.copy.sender;
    const n = (controlCounters.get(s.name) ?? 0) + 1;
    controlCounters.set(s.name, n);
    if (m.learnsName) m.copy.knowsNewName = true;
    const controlId = `${s.controlIdPrefix}${pad(n, 9)}`;
    const out: PopulationMessage = { sender: s.name, controlId, event: m.event, text: buildMessage(m, controlId, start), oid: s.oid, mrn: m.copy.truth.mrn, person: m.copy.person.id, at: m.at };
    if (m.retired) out.retired = m.retired.truth.mrn;
    return out;
  });

  return {
    seed: opts.seed,
    rates,
    senders,
    persons,
    households: b.households.map((h) => h.members),
    records,
    messages,
    twinPairs: b.twinPairs,
    juniorSeniorPairs: b.juniorSeniorPairs,
  };
}

/** Counts that describe a population (for logs and tests). */
export function populationSummary(p: Population) {
  const variations: Record<string, number> = {};
  for (const rec of p.records) for (const v of rec.variations) variations[v] = (variations[v] ?? 0) + 1;
  const tags: Record<string, number> = {};
  for (const person of p.persons) for (const t of person.tags) tags[t] = (tags[t] ?? 0) + 1;
  const sendersPerPerson = new Map<number, Set<string>>();
  for (const rec of p.records) {
    const set = sendersPerPerson.get(rec.person) ?? new Set<string>();
    set.add(rec.sender);
    sendersPerPerson.set(rec.person, set);
  }
  const bySenderCount: Record<string, number> = {};
  for (const set of sendersPerPerson.values()) bySenderCount[set.size] = (bySenderCount[set.size] ?? 0) + 1;
  const events: Record<string, number> = {};
  for (const m of p.messages) events[m.event] = (events[m.event] ?? 0) + 1;
  return {
    persons: p.persons.length,
    households: p.households.length,
    records: p.records.length,
    messages: p.messages.length,
    twinPairs: p.twinPairs.length,
    juniorSeniorPairs: p.juniorSeniorPairs.length,
    duplicates: p.records.filter((r) => r.duplicate).length,
    a40: p.records.filter((r) => r.mergedByA40).length,
    personsBySenderCount: bySenderCount,
    tags,
    variations,
    events,
  };
}
