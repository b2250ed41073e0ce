import type { ProfileFields } from '../config.js';
import { HL7_NULL, isPlausibleBirthDate, parseHl7Date, readCX, readXAD, readXPN, readXTN, type Hl7Message, type Segment } from '../hl7/index.js';
import type { AuthorityRef, AuthorityRegistry } from './authorities.js';
import type { Demographics, PersonName } from './demographics.js';
import { contentError } from './errors.js';

/** One PID-3 / MRG-1 identifier with its authority resolved. */
export interface IdentifierRef {
  authority: AuthorityRef;
  value: string;
  type?: string;
}

export type AdtCommand =
  | { kind: 'register'; event: string; identifiers: IdentifierRef[]; demographics: Demographics }
  | { kind: 'merge'; event: string; groups: MergeGroup[] };

export interface MergeGroup {
  /** PID-3: the surviving identifiers (the first is the record that survives). */
  survivor: IdentifierRef[];
  /** MRG-1: identifiers retired into the survivor of the same authority. */
  retired: IdentifierRef[];
  demographics: Demographics;
}

export const authorityKey = (a: AuthorityRef) => (a.oid ? `oid:${a.oid}` : `ns:${a.namespace}`);
export const identifierKey = (i: IdentifierRef) => `${authorityKey(i.authority)}|${i.value}`;

const SEXES = new Set(['F', 'M', 'O', 'U', 'A', 'N']);
const present = (s: string | undefined): s is string => s !== undefined && s !== '' && s !== HL7_NULL;
const opt = (s: string | undefined) => (present(s) ? s : undefined);

/**
 * Turns a parsed ADT message into what the store must do. Pure apart from reading the authority
 * registry; every content problem is a typed error with the field path (answered AE).
 */
export function mapAdt(msg: Hl7Message, event: string, profile: ProfileFields, registry: AuthorityRegistry, now = new Date()): AdtCommand {
  if (event === 'A40') return { kind: 'merge', event, groups: mapMergeGroups(msg, profile, registry, now) };
  const pid = msg.segment('PID');
  if (!pid) throw contentError(100, 'PID segment missing', 'PID');
  const { identifiers, ssn } = readIdentifiers(pid, 'PID-3', profile, registry);
  if (identifiers.length === 0) throw contentError(101, 'PID-3 missing: no patient identifier', 'PID-3');
  return { kind: 'register', event, identifiers: ownFirst(identifiers, profile, registry), demographics: readDemographics(msg, pid, profile, ssn, now) };
}

function mapMergeGroups(msg: Hl7Message, profile: ProfileFields, registry: AuthorityRegistry, now: Date): MergeGroup[] {
  const groups: MergeGroup[] = [];
  let pid: Segment | undefined;
  let pidIndex = 0;
  for (const seg of msg.segments) {
    if (seg.name === 'PID') {
      pid = seg;
      pidIndex++;
    } else if (seg.name === 'MRG') {
      if (!pid) throw contentError(100, 'MRG segment without a preceding PID', 'MRG');
      const { identifiers: survivor, ssn } = readIdentifiers(pid, 'PID-3', profile, registry);
      if (survivor.length === 0) throw contentError(101, 'PID-3 missing: no surviving identifier', 'PID-3');
      const { identifiers: retired } = readIdentifiers(seg, 'MRG-1', profile, registry);
      if (retired.length === 0) throw contentError(101, 'MRG-1 missing: no identifier to merge', 'MRG-1');
      for (const r of retired) {
        // The survivor is in the same domain (checked below), so this covers both sides of the merge.
        if (!assigns(profile, registry, r.authority)) throw contentError(204, 'MRG-1 is in a domain this sender does not assign', 'MRG-1');
      }
      for (const r of retired) {
        const s = survivor.find((x) => authorityKey(x.authority) === authorityKey(r.authority));
        if (!s) throw contentError(204, 'MRG-1 assigning authority differs from PID-3: A40 merges only within one authority', 'MRG-1');
        if (s.value === r.value) throw contentError(205, 'MRG-1 is the same identifier as PID-3', 'MRG-1');
      }
      groups.push({ survivor, retired, demographics: readDemographics(msg, pid, profile, ssn, now) });
      pid = undefined;
    }
  }
  if (groups.length === 0) throw contentError(100, pidIndex ? 'MRG segment missing' : 'PID segment missing', pidIndex ? 'MRG' : 'PID');
  return groups;
}

/** Whether the sender's profile makes it the identity source of this domain. */
function assigns(profile: ProfileFields, registry: AuthorityRegistry, a: AuthorityRef): boolean {
  if (!profile.assigns) return true;
  const known = registry.lookup(a);
  return profile.assigns.some((d) => d === a.oid || d === a.namespace || (known && (d === known.oid || d === known.namespace)));
}

/**
 * The record a message is about is the first identifier in a domain the sender assigns; identifiers of
 * other domains in PID-3 are cross-references. A message with none of its own is refused.
 */
function ownFirst(ids: IdentifierRef[], profile: ProfileFields, registry: AuthorityRegistry): IdentifierRef[] {
  if (!profile.assigns) return ids;
  const own = ids.filter((i) => assigns(profile, registry, i.authority));
  if (!own.length) throw contentError(204, 'PID-3 has no identifier in a domain this sender assigns', 'PID-3');
  return [...own, ...ids.filter((i) => !own.includes(i))];
}

function readIdentifiers(seg: Segment, path: string, profile: ProfileFields, registry: AuthorityRegistry) {
  const identifiers: IdentifierRef[] = [];
  let ssn: string | undefined;
  const field = seg.field(path === 'PID-3' ? 3 : 1);
  const reps = field?.repetitions ?? [];
  reps.forEach((rep, i) => {
    const cx = readCX(rep);
    const value = cx.id?.trim();
    if (!present(value)) return;
    const type = opt(cx.identifierType)?.toUpperCase();
    if (type && profile.ssn.pid3Types.includes(type)) {
      ssn ??= digits(value);
      return;
    }
    if (type && profile.ignoreIdentifierTypes.includes(type)) return;
    const repPath = reps.length > 1 ? `${path}[${i + 1}].4` : `${path}.4`;
    const authority = registry.resolve(cx.assigningAuthority, profile, repPath);
    if (identifiers.some((x) => authorityKey(x.authority) === authorityKey(authority) && x.value === value)) return;
    identifiers.push({ authority, value, type });
  });
  return { identifiers, ssn };
}

const digits = (s: string) => {
  const d = s.replace(/\D+/g, '');
  return d.length >= 9 ? d.slice(-9) : undefined;
};

function readDemographics(msg: Hl7Message, pid: Segment, profile: ProfileFields, ssnFromPid3: string | undefined, now: Date): Demographics {
  const names: PersonName[] = [];
  for (const rep of pid.field(5)?.repetitions ?? []) {
    const n = readXPN(rep);
    const name: PersonName = clean({ family: opt(n.family), given: opt(n.given), middle: opt(n.middle), suffix: opt(n.suffix), prefix: opt(n.prefix), type: opt(n.nameType)?.toUpperCase() });
    if (name.family || name.given) names.push(name);
  }
  // Legal name first: it is the one indexed and shown; the others still take part in matching.
  names.sort((a, b) => Number(b.type === 'L') - Number(a.type === 'L'));

  const d: Demographics = { v: 1, names, addresses: [], phones: [] };

  const dobRaw = pid.field(7)?.repetitions[0]?.components[0]?.subcomponents[0];
  if (dobRaw === HL7_NULL) d.birthDate = null;
  else if (present(dobRaw)) {
    const dob = parseHl7Date(dobRaw);
    if (!dob) throw contentError(102, 'PID-7 is not a valid date', 'PID-7');
    if (!isPlausibleBirthDate(dob.iso, now)) throw contentError(102, 'PID-7 birth date is in the future or before 1880', 'PID-7');
    d.birthDate = dob.iso;
    d.birthDatePrecision = dob.precision;
  }

  const sexRaw = pid.field(8)?.repetitions[0]?.components[0]?.subcomponents[0];
  if (sexRaw === HL7_NULL) d.sex = null;
  else if (present(sexRaw) && SEXES.has(sexRaw.toUpperCase())) d.sex = sexRaw.toUpperCase();

  const maiden = pid.field(6)?.repetitions[0];
  if (maiden) {
    const m = opt(readXPN(maiden).family);
    if (m) d.mothersMaidenName = m;
  }
  for (const rep of pid.field(11)?.repetitions ?? []) {
    const a = readXAD(rep);
    const addr = clean({ street: opt(a.street), other: opt(a.other), city: opt(a.city), state: opt(a.state), zip: opt(a.zip), country: opt(a.country), type: opt(a.addressType) });
    if (Object.keys(addr).some((k) => k !== 'type')) d.addresses.push(addr);
  }
  for (const f of [13, 14]) {
    for (const rep of pid.field(f)?.repetitions ?? []) {
      const t = readXTN(rep);
      const number = opt(t.number);
      const email = opt(t.email);
      if (number || email) d.phones.push(clean({ number: number ?? '', use: opt(t.use), equipment: opt(t.equipment), email }));
    }
  }
  let ssn = ssnFromPid3;
  if (!ssn && profile.ssn.pid19) {
    const raw = pid.field(19)?.repetitions[0]?.components[0]?.subcomponents[0];
    if (present(raw)) ssn = digits(raw);
  }
  if (ssn) d.ssn = ssn;
  const deathDate = pid.field(29)?.repetitions[0]?.components[0]?.subcomponents[0];
  if (present(deathDate)) {
    const dd = parseHl7Date(deathDate);
    if (!dd) throw contentError(102, 'PID-29 is not a valid date', 'PID-29');
    d.deathDate = dd.iso;
  }
  const deathIndicator = pid.field(30)?.repetitions[0]?.components[0]?.subcomponents[0]?.toUpperCase();
  if (deathIndicator === 'Y' || d.deathDate) d.deceased = true;
  else if (deathIndicator === 'N') d.deceased = false;

  if (profile.keepZSegments.length) {
    const z = msg.segments.filter((s) => profile.keepZSegments.includes(s.name)).map((s) => s.raw);
    if (z.length) d.zSegments = z;
  }
  return d;
}

function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
