/**
 * Deterministic synthetic HL7 v2.5 ADT feed (no dependencies): the same options always give the same
 * messages, byte for byte. Used by the ingest benchmark and reusable by tests.
 *
 * Each sender has its own MSH-3/MSH-4, its own assigning authority (an OID under 2.16.840.1.113883.3.9999,
 * written `NS&OID&ISO` in CX.4) and its own MSH-10 prefix. Per patient: one registration (A04, A01 or A28),
 * `updatesPerPatient` A08s with small changes (address, phone) and, with probability `mergeRate`, a
 * duplicate registration under a second MRN of the same sender followed by an A40 merging it into the
 * first. Patients are interleaved, but each patient's (and so each sender's) messages keep their order.
 */

export interface SenderSpec {
  /** Label used in the output (`messages[].sender`). */
  name: string;
  /** MSH-3.1 */
  application: string;
  /** MSH-4.1 */
  facility: string;
  /** CX.4.1 of this sender's MRNs. */
  namespace: string;
  /** CX.4.2 of this sender's MRNs (CX.4.3 = ISO). */
  oid: string;
  /** MSH-10 prefix; control ids are unique per sender. */
  controlIdPrefix: string;
  /** Relative share of the patients (default 1). */
  weight?: number;
}

export interface FeedOptions {
  seed: number;
  patients: number;
  senders?: SenderSpec[];
  /** A08s per patient (default 2). */
  updatesPerPatient?: number;
  /** Probability that a patient also gets a duplicate registration and an A40 merging it (default 0). */
  mergeRate?: number;
  /** Patients whose messages are interleaved at any moment (default 64). */
  window?: number;
  /** MSH-7 of the first message (default 2024-03-01T08:00:00Z). */
  start?: Date;
}

export interface FeedIdentifier {
  oid: string;
  value: string;
}

export interface FeedMessage {
  /** SenderSpec.name */
  sender: string;
  /** MSH-10 */
  controlId: string;
  /** Segments joined with \r (no trailing \r, no MLLP framing). */
  text: string;
  /** A01 | A04 | A08 | A28 | A40 */
  event: string;
  /** Person identifiers of PID-3 (the SSN repetition is not one). */
  identifiers: FeedIdentifier[];
  /** A40 only: MRG-1, the identifier retired into identifiers[0]. */
  merged?: FeedIdentifier;
  /** Index into `patients`. */
  patient: number;
}

export interface FeedPatient {
  index: number;
  sender: string;
  /** Surviving MRN (the one in the first registration). */
  mrn: string;
  /** Second MRN of the same sender, merged by an A40 (when the patient has one). */
  duplicateMrn?: string;
  oid: string;
  family: string;
  given: string;
  middle?: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: 'F' | 'M' | 'U';
  ssn?: string;
  /** Demographics after the patient's last message. */
  address: { street: string; other?: string; city: string; state: string; zip: string };
  phone: string;
  messages: number;
}

export interface Feed {
  messages: FeedMessage[];
  patients: FeedPatient[];
}

// ---------------------------------------------------------------------------------------------- PRNG

/** sfc32 seeded through splitmix32: fast, good enough, and identical on every platform. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    const x = xs[Math.floor(this.next() * xs.length)];
    if (x === undefined) throw new Error('pick from an empty list');
    return x;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }
}

// ---------------------------------------------------------------------------------------------- data

const FAMILY = [
  'SMITH', 'JOHNSON', 'WILLIAMS', 'BROWN', 'JONES', 'GARCIA', 'MILLER', 'DAVIS', 'RODRIGUEZ', 'MARTINEZ',
  'HERNANDEZ', 'LOPEZ', 'GONZALEZ', 'WILSON', 'ANDERSON', 'THOMAS', 'TAYLOR', 'MOORE', 'JACKSON', 'MARTIN',
  'LEE', 'PEREZ', 'THOMPSON', 'WHITE', 'HARRIS', 'SANCHEZ', 'CLARK', 'RAMIREZ', 'LEWIS', 'ROBINSON',
  'WALKER', 'YOUNG', 'ALLEN', 'KING', 'WRIGHT', 'SCOTT', 'TORRES', 'NGUYEN', 'HILL', 'FLORES',
  'GREEN', 'ADAMS', 'NELSON', 'BAKER', 'HALL', 'RIVERA', 'CAMPBELL', 'MITCHELL', 'CARTER', 'ROBERTS',
  "O'BRIEN", 'MCDONALD', 'KOWALSKI', 'MULLER', 'SCHMIDT', 'KIM', 'PATEL', 'SHAH', 'COHEN', 'DUBOIS',
  'VAN DER BERG', 'DE LA CRUZ', 'SMITH-JONES', 'OKAFOR', 'NAKAMURA', 'IVANOV', 'ROSSI', 'SILVA', 'BECKER', 'MURPHY',
];
const GIVEN_F = [
  'MARY', 'PATRICIA', 'JENNIFER', 'LINDA', 'ELIZABETH', 'BARBARA', 'SUSAN', 'JESSICA', 'SARAH', 'KAREN',
  'LISA', 'NANCY', 'BETTY', 'MARGARET', 'SANDRA', 'ASHLEY', 'EMILY', 'DONNA', 'MICHELLE', 'CAROL',
  'AMANDA', 'MELISSA', 'DEBORAH', 'STEPHANIE', 'REBECCA', 'SHARON', 'LAURA', 'CYNTHIA', 'AMY', 'ANNA',
  'OLIVIA', 'EMMA', 'SOPHIA', 'ISABELLA', 'MIA', 'CHLOE', 'GRACE', 'ZOE', 'NORA', 'LUCY',
];
const GIVEN_M = [
  'JAMES', 'ROBERT', 'JOHN', 'MICHAEL', 'DAVID', 'WILLIAM', 'RICHARD', 'JOSEPH', 'THOMAS', 'CHARLES',
  'CHRISTOPHER', 'DANIEL', 'MATTHEW', 'ANTHONY', 'MARK', 'DONALD', 'STEVEN', 'PAUL', 'ANDREW', 'JOSHUA',
  'KENNETH', 'KEVIN', 'BRIAN', 'GEORGE', 'TIMOTHY', 'RONALD', 'JASON', 'EDWARD', 'JEFFREY', 'RYAN',
  'LIAM', 'NOAH', 'ETHAN', 'LUCAS', 'MASON', 'LOGAN', 'OWEN', 'JACK', 'LEO', 'HENRY',
];
const STREET_NAMES = [
  'MAIN', 'OAK', 'PINE', 'MAPLE', 'CEDAR', 'ELM', 'WASHINGTON', 'LAKE', 'HILL', 'PARK',
  'CHURCH', 'HIGH', 'MILL', 'RIVER', 'SPRING', 'CENTER', 'WALNUT', 'FRANKLIN', 'JEFFERSON', 'LINCOLN',
  'MADISON', 'SUNSET', 'HIGHLAND', 'FOREST', 'MEADOW', 'RIDGE', 'COLUMBIA', 'BROADWAY', 'VALLEY', 'WILLOW',
];
const STREET_TYPES = ['ST', 'AVE', 'RD', 'DR', 'LN', 'BLVD', 'CT', 'WAY', 'PL'];
const CITIES: ReadonlyArray<readonly [city: string, state: string, zip3: string, area: string]> = [
  ['BOSTON', 'MA', '021', '617'], ['CAMBRIDGE', 'MA', '021', '617'], ['WORCESTER', 'MA', '016', '508'],
  ['SPRINGFIELD', 'MA', '011', '413'], ['PROVIDENCE', 'RI', '029', '401'], ['HARTFORD', 'CT', '061', '860'],
  ['NEW HAVEN', 'CT', '065', '203'], ['MANCHESTER', 'NH', '031', '603'], ['PORTLAND', 'ME', '041', '207'],
  ['BURLINGTON', 'VT', '054', '802'], ['ALBANY', 'NY', '122', '518'], ['NEWARK', 'NJ', '071', '973'],
  ['PHILADELPHIA', 'PA', '191', '215'], ['BALTIMORE', 'MD', '212', '410'], ['RICHMOND', 'VA', '232', '804'],
  ['CHICAGO', 'IL', '606', '312'], ['COLUMBUS', 'OH', '432', '614'], ['DENVER', 'CO', '802', '303'],
  ['AUSTIN', 'TX', '787', '512'], ['SEATTLE', 'WA', '981', '206'],
];
const APPLICATIONS = ['EPIC', 'CERNER', 'MEDITECH', 'ALLSCRIPTS', 'ATHENA', 'NEXTGEN', 'CPSI', 'OPENEMR', 'VISTA', 'ECW'];
const CLINICS = ['OPD', 'CARD', 'ORTHO', 'PEDS', 'ONC', 'DERM', 'NEURO', 'ENT'];

const SSA_OID = '2.16.840.1.113883.4.1';
export const BENCH_OID_ROOT = '2.16.840.1.113883.3.9999';

/**
 * `count` senders with distinct MSH-3/MSH-4, authority OIDs `2.16.840.1.113883.3.9999.<first+i>` and
 * control-id prefixes. `tag` distinguishes sender sets (e.g. warm-up traffic) that must not collide.
 */
export function makeSenders(count: number, opts: { first?: number; tag?: string } = {}): SenderSpec[] {
  const first = opts.first ?? 1;
  const tag = opts.tag ?? '';
  const out: SenderSpec[] = [];
  for (let i = 0; i < count; i++) {
    const n = first + i;
    const app = `${tag}${APPLICATIONS[i % APPLICATIONS.length]!}`;
    const facility = `${tag}FAC${String(n).padStart(2, '0')}`;
    out.push({
      name: `${app}|${facility}`,
      application: app,
      facility,
      namespace: `${facility}_MRN`,
      oid: `${BENCH_OID_ROOT}.${n}`,
      controlIdPrefix: `${tag}${app.slice(0, 3)}${n}-`,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- formatting

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const hl7Ts = (d: Date) =>
  `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}+0000`;

interface Address {
  street: string;
  other?: string;
  city: string;
  state: string;
  zip: string;
}

interface PatientState extends FeedPatient {
  senderSpec: SenderSpec;
  areaCode: string;
  local: string;
  /** A04/A01/A28 */
  registration: 'A01' | 'A04' | 'A28';
  /** Remaining events, in order. */
  plan: Array<'reg' | 'upd' | 'dup' | 'merge'>;
  step: number;
}

function newAddress(r: Rng, near?: Address): Address {
  const [city, state, zip3] = near && r.chance(0.7) ? ([near.city, near.state, near.zip.slice(0, 3)] as const) : r.pick(CITIES);
  const a: Address = {
    street: `${r.int(1, 9999)} ${r.pick(STREET_NAMES)} ${r.pick(STREET_TYPES)}`,
    city,
    state,
    zip: `${zip3}${r.digits(2)}`,
  };
  if (r.chance(0.2)) a.other = `APT ${r.int(1, 40)}${r.pick(['', 'A', 'B', 'C'])}`;
  return a;
}

function ssnOf(r: Rng): string {
  // Area 001-665 / 667-899, group and serial never zero: a shape that passes common SSN validators.
  let area = r.int(1, 898);
  if (area >= 666) area++;
  return `${pad(area, 3)}${pad(r.int(1, 99))}${pad(r.int(1, 9999), 4)}`;
}

function birthDate(r: Rng): string {
  const y = r.int(1930, 2022);
  const m = r.int(1, 12);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${y}-${pad(m)}-${pad(r.int(1, days))}`;
}

const cx = (value: string, s: SenderSpec) => `${value}^^^${s.namespace}&${s.oid}&ISO^MR`;

function pidSegment(p: PatientState, mrn: string, variant: { dropMiddle?: boolean } = {}): string {
  const s = p.senderSpec;
  const ids = [cx(mrn, s)];
  if (p.ssn) ids.push(`${p.ssn}^^^SSA&${SSA_OID}&ISO^SS`);
  const middle = variant.dropMiddle ? '' : (p.middle ?? '');
  const a = p.address;
  const f: string[] = [];
  f[0] = 'PID';
  f[1] = '1';
  f[3] = ids.join('~');
  f[5] = `${p.family}^${p.given}^${middle}^^^^L`;
  f[7] = p.birthDate.replace(/-/g, '');
  f[8] = p.sex;
  f[11] = `${a.street}^${a.other ?? ''}^${a.city}^${a.state}^${a.zip}^USA^H`;
  f[13] = `^PRN^PH^^1^${p.areaCode}^${p.local}`;
  return Array.from(f, (x) => x ?? '').join('|');
}

// ---------------------------------------------------------------------------------------------- generator

const MESSAGE_STRUCTURE: Record<string, string> = { A01: 'ADT_A01', A04: 'ADT_A01', A08: 'ADT_A01', A28: 'ADT_A05', A40: 'ADT_A39' };

export function generateFeed(opts: FeedOptions): Feed {
  const senders = opts.senders ?? makeSenders(8);
  if (!senders.length) throw new Error('generateFeed: at least one sender');
  const updates = opts.updatesPerPatient ?? 2;
  const mergeRate = opts.mergeRate ?? 0;
  const windowSize = Math.max(1, opts.window ?? 64);
  const r = new Rng(opts.seed);
  let clock = (opts.start ?? new Date(Date.UTC(2024, 2, 1, 8, 0, 0))).getTime();

  const weights = senders.map((s) => s.weight ?? 1);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const pickSender = (): SenderSpec => {
    let x = r.next() * totalWeight;
    for (let i = 0; i < senders.length; i++) {
      x -= weights[i]!;
      if (x < 0) return senders[i]!;
    }
    return senders[senders.length - 1]!;
  };
  const mrnCounters = new Map<string, number>();
  const nextMrn = (s: SenderSpec) => {
    const n = (mrnCounters.get(s.name) ?? r.int(100_000, 900_000)) + r.int(1, 17);
    mrnCounters.set(s.name, n);
    return pad(n, 8);
  };
  const controlCounters = new Map<string, number>();
  const nextControlId = (s: SenderSpec) => {
    const n = (controlCounters.get(s.name) ?? 0) + 1;
    controlCounters.set(s.name, n);
    return `${s.controlIdPrefix}${pad(n, 8)}`;
  };

  const patients: PatientState[] = [];
  const makePatient = (index: number): PatientState => {
    const s = pickSender();
    const sexRoll = r.next();
    const sex: 'F' | 'M' | 'U' = sexRoll < 0.49 ? 'F' : sexRoll < 0.99 ? 'M' : 'U';
    const given = sex === 'F' ? r.pick(GIVEN_F) : sex === 'M' ? r.pick(GIVEN_M) : r.pick(r.chance(0.5) ? GIVEN_F : GIVEN_M);
    const [, , , area] = r.pick(CITIES);
    const address = newAddress(r);
    const regRoll = r.next();
    const registration = regRoll < 0.6 ? 'A04' : regRoll < 0.9 ? 'A01' : 'A28';
    const plan: PatientState['plan'] = ['reg'];
    for (let i = 0; i < updates; i++) plan.push('upd');
    let duplicateMrn: string | undefined;
    if (mergeRate > 0 && r.chance(mergeRate)) {
      // The duplicate registration comes some time after the first, the A40 some time after that.
      const dupAt = r.int(1, plan.length);
      plan.splice(dupAt, 0, 'dup');
      plan.splice(r.int(dupAt + 1, plan.length), 0, 'merge');
    }
    const p: PatientState = {
      index,
      sender: s.name,
      senderSpec: s,
      mrn: nextMrn(s),
      oid: s.oid,
      family: r.pick(FAMILY),
      given,
      birthDate: birthDate(r),
      sex,
      address,
      areaCode: area,
      local: `${r.int(2, 9)}${r.digits(6)}`,
      phone: '',
      registration,
      plan,
      step: 0,
      messages: plan.length,
    };
    if (r.chance(0.6)) p.middle = r.pick(r.chance(0.5) ? GIVEN_F : GIVEN_M).slice(0, r.chance(0.5) ? 1 : 20);
    if (r.chance(0.4)) p.ssn = ssnOf(r);
    if (plan.includes('dup')) duplicateMrn = nextMrn(s);
    if (duplicateMrn) p.duplicateMrn = duplicateMrn;
    p.phone = `(${p.areaCode})${p.local}`;
    return p;
  };

  const emit = (p: PatientState, kind: PatientState['plan'][number]): FeedMessage => {
    const s = p.senderSpec;
    clock += r.int(1, 20) * 1000;
    const ts = hl7Ts(new Date(clock));
    const controlId = nextControlId(s);
    let event: string;
    let pid: string;
    let mrn = p.mrn;
    let merged: FeedIdentifier | undefined;
    switch (kind) {
      case 'reg':
        event = p.registration;
        pid = pidSegment(p, mrn);
        break;
      case 'upd': {
        event = 'A08';
        const roll = r.next();
        if (roll < 0.5 || roll >= 0.9) p.address = newAddress(r, p.address);
        if (roll >= 0.5) p.local = `${r.int(2, 9)}${r.digits(6)}`;
        p.phone = `(${p.areaCode})${p.local}`;
        pid = pidSegment(p, mrn);
        break;
      }
      case 'dup':
        // A second registration of the same person at the same sender, typed slightly differently.
        event = 'A04';
        mrn = p.duplicateMrn!;
        pid = pidSegment(p, mrn, { dropMiddle: true });
        break;
      case 'merge':
        event = 'A40';
        pid = pidSegment(p, mrn);
        merged = { oid: s.oid, value: p.duplicateMrn! };
        break;
    }
    const segments = [
      `MSH|^~\\&|${s.application}|${s.facility}|MPI|MPI|${ts}||ADT^${event}^${MESSAGE_STRUCTURE[event]!}|${controlId}|P|2.5`,
      `EVN|${event}|${ts}`,
      pid,
    ];
    if (merged) segments.push(`MRG|${cx(merged.value, s)}`);
    else {
      const patientClass = event === 'A28' || (event === 'A08' && p.registration === 'A28') ? 'N' : 'O';
      segments.push(patientClass === 'N' ? 'PV1|1|N' : `PV1|1|O|${r.pick(CLINICS)}^${r.int(1, 30)}^1^${s.facility}`);
    }
    const msg: FeedMessage = { sender: s.name, controlId, text: segments.join('\r'), event, identifiers: [{ oid: s.oid, value: mrn }], patient: p.index };
    if (merged) msg.merged = merged;
    return msg;
  };

  // Interleave: a window of patients in progress; each step advances one of them by one message.
  const messages: FeedMessage[] = [];
  const active: PatientState[] = [];
  let started = 0;
  const admit = () => {
    while (active.length < windowSize && started < opts.patients) {
      const p = makePatient(started++);
      patients.push(p);
      active.push(p);
    }
  };
  admit();
  while (active.length) {
    const i = Math.floor(r.next() * active.length);
    const p = active[i]!;
    messages.push(emit(p, p.plan[p.step++]!));
    if (p.step >= p.plan.length) {
      active[i] = active[active.length - 1]!;
      active.pop();
      admit();
    }
  }

  return {
    messages,
    patients: patients.map(({ senderSpec: _s, areaCode: _a, local: _l, registration: _r, plan: _p, step: _st, ...rest }) => rest),
  };
}

/** Patients needed for about `messages` messages with these options (the feed may then be cut to size). */
export function patientsFor(messages: number, updatesPerPatient = 2, _mergeRate = 0): number {
  // Merges only add messages, so counting without them never falls short (callers take a prefix).
  return Math.ceil(messages / (1 + updatesPerPatient)) + 1;
}
