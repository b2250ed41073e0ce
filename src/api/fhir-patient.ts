import { z } from 'zod';
import type { Authority } from '../ingest/authorities.js';
import { systemOf } from '../ingest/authorities.js';
import type { Demographics, PersonName } from '../ingest/demographics.js';
import type { GoldenRow, MemberIdentity } from '../linkage/golden-records.js';
import { component } from './openapi.js';

/**
 * Golden records as FHIR R4 Patient resources, and a FHIR Patient (the $match input) as the demographics
 * the matcher reads. HL7 v2 codes are mapped as the HL7 v2-to-FHIR concept maps do; a code without a
 * mapping is left out rather than guessed.
 */

// ------------------------------------------------------------------------------------------- schemas

const codeableConcept = z.object({ coding: z.array(z.object({ system: z.string(), code: z.string() })) });

export const fhirIdentifierSchema = component(
  'FhirIdentifier',
  z.object({
    use: z.enum(['usual', 'official', 'temp', 'secondary', 'old']).optional(),
    type: codeableConcept.optional(),
    system: z.string().meta({ description: 'urn:oid:<OID> of the assigning authority (its namespace when it has no OID)' }),
    value: z.string(),
  }),
);

const humanName = z.object({
  use: z.enum(['usual', 'official', 'temp', 'nickname', 'anonymous', 'old', 'maiden']).optional(),
  family: z.string().optional(),
  given: z.array(z.string()).optional(),
  prefix: z.array(z.string()).optional(),
  suffix: z.array(z.string()).optional(),
});

const address = z.object({
  use: z.enum(['home', 'work', 'temp', 'old', 'billing']).optional(),
  line: z.array(z.string()).optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string().optional(),
});

const contactPoint = z.object({
  system: z.enum(['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other']),
  value: z.string(),
  use: z.enum(['home', 'work', 'temp', 'old', 'mobile']).optional(),
});

const patientLink = z.object({
  other: z.object({ reference: z.string().optional(), identifier: fhirIdentifierSchema.optional() }),
  type: z.enum(['replaced-by', 'replaces', 'refer', 'seealso']),
});

export const fhirPatientSchema = component(
  'Patient',
  z.object({
    resourceType: z.literal('Patient'),
    id: z.string(),
    meta: z.object({ versionId: z.string(), lastUpdated: z.string() }),
    active: z.boolean(),
    identifier: z.array(fhirIdentifierSchema),
    name: z.array(humanName),
    gender: z.enum(['male', 'female', 'other', 'unknown']).optional(),
    birthDate: z.string().optional(),
    deceasedBoolean: z.boolean().optional(),
    deceasedDateTime: z.string().optional(),
    address: z.array(address),
    telecom: z.array(contactPoint),
    link: z.array(patientLink),
  }),
  'A golden record as FHIR R4 Patient: the survived demographics, an identifier per source record (retired ones with use=old), a seealso link per active source identifier; a merged golden record is inactive with a replaced-by link.',
);
export type FhirPatient = z.infer<typeof fhirPatientSchema>;

const extensionValues = {
  valueCode: z.string().optional(),
  valueDecimal: z.number().optional(),
  valueInteger: z.number().int().optional(),
  valueString: z.string().optional(),
  valueIdentifier: fhirIdentifierSchema.optional(),
};
const leafExtension = z.object({ url: z.string(), ...extensionValues });
const midExtension = z.object({ url: z.string(), ...extensionValues, extension: z.array(leafExtension).optional() });
export const extensionSchema = component('Extension', z.object({ url: z.string(), ...extensionValues, extension: z.array(midExtension).optional() }));
export type Extension = z.infer<typeof extensionSchema>;

export const searchsetSchema = component(
  'PatientSearchset',
  z.object({
    resourceType: z.literal('Bundle'),
    type: z.literal('searchset'),
    total: z.number().int(),
    link: z.array(z.object({ relation: z.string(), url: z.string() })).optional(),
    entry: z.array(
      z.object({
        fullUrl: z.string(),
        resource: fhirPatientSchema,
        search: z.object({ mode: z.literal('match'), score: z.number().min(0).max(1).optional(), extension: z.array(extensionSchema).optional() }),
      }),
    ),
  }),
);
export type Searchset = z.infer<typeof searchsetSchema>;

// ------------------------------------------------------------------------------------------- golden record → Patient

const NAME_USE: Record<string, z.infer<typeof humanName>['use']> = { L: 'official', D: 'usual', M: 'maiden', N: 'nickname', S: 'anonymous', T: 'temp' };
const GENDER: Record<string, FhirPatient['gender']> = { M: 'male', F: 'female', O: 'other', A: 'other', N: 'other', U: 'unknown' };
const ADDRESS_USE: Record<string, z.infer<typeof address>['use']> = { H: 'home', B: 'work', O: 'work', C: 'temp' };
const PHONE_USE: Record<string, z.infer<typeof contactPoint>['use']> = { PRN: 'home', ORN: 'home', VHN: 'home', WPN: 'work' };
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

const nonEmpty = <T>(xs: Array<T | undefined>): T[] => xs.filter((x): x is T => x !== undefined && x !== '');

function fhirName(n: PersonName): z.infer<typeof humanName> {
  const use = n.type ? NAME_USE[n.type] : undefined;
  const given = nonEmpty([n.given, ...(n.middle ? n.middle.split(' ') : [])]);
  return {
    ...(use ? { use } : {}),
    ...(n.family ? { family: n.family } : {}),
    ...(given.length ? { given } : {}),
    ...(n.prefix ? { prefix: [n.prefix] } : {}),
    ...(n.suffix ? { suffix: [n.suffix] } : {}),
  };
}

function fhirTelecom(p: Demographics['phones'][number]): z.infer<typeof contactPoint> | undefined {
  if (p.email) return { system: 'email', value: p.email };
  if (!p.number) return undefined;
  const system = p.equipment === 'FX' ? 'fax' : p.equipment === 'BP' ? 'pager' : 'phone';
  const use = p.equipment === 'CP' ? 'mobile' : p.use ? PHONE_USE[p.use] : undefined;
  return { system, value: p.number, ...(use ? { use } : {}) };
}

export function fhirIdentifier(a: Authority, value: string, type?: string | null, retired = false): z.infer<typeof fhirIdentifierSchema> {
  return { ...(retired ? { use: 'old' as const } : {}), ...(type ? { type: { coding: [{ system: V2_0203, code: type }] } } : {}), system: systemOf(a), value };
}

/**
 * `members`: the golden record's source records; `survivor`: for a merged golden record, the active one that
 * absorbed it. The SSN is a matching attribute, never an identifier to hand out (DESIGN §5): it is left out.
 */
export function toFhirPatient(g: GoldenRow, members: readonly MemberIdentity[], authority: (id: number) => Authority | undefined, survivor?: string): FhirPatient {
  const d: Demographics = g.demographics ?? { v: 1, names: [], addresses: [], phones: [] };
  const identifier: FhirPatient['identifier'] = [];
  const link: FhirPatient['link'] = [];
  for (const m of members) {
    const a = authority(m.authorityId);
    if (!a) continue;
    const id = fhirIdentifier(a, m.identifier, m.identifierType, m.status !== 'active');
    identifier.push(id);
    if (m.status === 'active') link.push({ other: { identifier: { system: id.system, value: id.value } }, type: 'seealso' });
  }
  if (g.status === 'merged' && survivor) link.unshift({ other: { reference: `Patient/${survivor}` }, type: 'replaced-by' });
  const gender = d.sex ? GENDER[d.sex] : undefined;
  return {
    resourceType: 'Patient',
    id: g.id,
    meta: { versionId: String(g.version), lastUpdated: g.updatedAt },
    active: g.status === 'active',
    identifier,
    name: d.names.map(fhirName),
    ...(gender ? { gender } : {}),
    ...(d.birthDate ? { birthDate: d.birthDate } : {}),
    ...(d.deathDate ? { deceasedDateTime: d.deathDate } : d.deceased !== undefined ? { deceasedBoolean: d.deceased } : {}),
    address: d.addresses.map((a) => {
      const use = a.type ? ADDRESS_USE[a.type] : undefined;
      const line = nonEmpty([a.street, a.other]);
      return {
        ...(use ? { use } : {}),
        ...(line.length ? { line } : {}),
        ...(a.city ? { city: a.city } : {}),
        ...(a.state ? { state: a.state } : {}),
        ...(a.zip ? { postalCode: a.zip } : {}),
        ...(a.country ? { country: a.country } : {}),
      };
    }),
    telecom: nonEmpty(d.phones.map(fhirTelecom)),
    link,
  };
}

// ------------------------------------------------------------------------------------------- Patient → demographics ($match)

/** Control characters have no place in a name or an address, and would end up in an audit or a log. */
const text = (max: number) => z.string().max(max).regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

const matchPatient = z.looseObject({
  resourceType: z.literal('Patient'),
  name: z
    .array(z.looseObject({ use: z.string().max(20).optional(), family: text(200).optional(), given: z.array(text(200)).max(10).optional(), prefix: z.array(text(50)).max(5).optional(), suffix: z.array(text(50)).max(5).optional() }))
    .max(10)
    .optional(),
  birthDate: z
    .string()
    .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'must be YYYY, YYYY-MM or YYYY-MM-DD')
    .optional(),
  gender: z.enum(['male', 'female', 'other', 'unknown']).optional(),
  address: z
    .array(z.looseObject({ line: z.array(text(200)).max(5).optional(), city: text(100).optional(), state: text(50).optional(), postalCode: text(20).optional(), country: text(50).optional() }))
    .max(10)
    .optional(),
  telecom: z.array(z.looseObject({ system: z.string().max(20).optional(), value: text(200).optional() })).max(20).optional(),
  identifier: z.array(z.looseObject({ system: text(200).optional(), value: text(100).optional() })).max(20).optional(),
});

export const matchParametersSchema = component(
  'MatchParameters',
  z.object({
    resourceType: z.literal('Parameters'),
    parameter: z
      .array(
        z.union([
          z.object({ name: z.literal('resource'), resource: matchPatient }),
          z.object({ name: z.literal('count'), valueInteger: z.number().int().min(1).max(100) }),
          z.object({ name: z.literal('onlyCertainMatches'), valueBoolean: z.boolean() }),
          z.object({ name: z.literal('onlySingleMatch'), valueBoolean: z.boolean() }),
        ]),
      )
      .max(10),
  }),
  'FHIR Patient/$match input: a Patient (`resource`), `count` (1–100, default 10), `onlyCertainMatches`, `onlySingleMatch`.',
);
export type MatchParameters = z.infer<typeof matchParametersSchema>;
type MatchPatient = z.infer<typeof matchPatient>;

const USE_TO_V2: Record<string, string> = { official: 'L', usual: 'D', maiden: 'M', nickname: 'N', anonymous: 'S', temp: 'T' };
const GENDER_TO_V2: Record<string, string> = { male: 'M', female: 'F', other: 'O', unknown: 'U' };
/** SSN systems: the US SSA OID and FHIR's URI for it. */
const SSN_SYSTEMS = new Set(['urn:oid:2.16.840.1.113883.4.1', 'http://hl7.org/fhir/sid/us-ssn']);

export function demographicsOf(p: MatchPatient): Demographics {
  const names: PersonName[] = [];
  for (const n of p.name ?? []) {
    const [given, ...middle] = n.given ?? [];
    const name: PersonName = {};
    if (n.family) name.family = n.family;
    if (given) name.given = given;
    if (middle.length) name.middle = middle.join(' ');
    if (n.prefix?.[0]) name.prefix = n.prefix[0];
    if (n.suffix?.[0]) name.suffix = n.suffix[0];
    const type = n.use ? USE_TO_V2[n.use] : undefined;
    if (type) name.type = type;
    if (name.family || name.given) names.push(name);
  }
  // The legal name first, as the ADT mapping orders them: it is the primary name for blocking and frequencies.
  names.sort((a, b) => Number(b.type === 'L') - Number(a.type === 'L'));
  const d: Demographics = { v: 1, names, addresses: [], phones: [] };
  if (p.birthDate) {
    d.birthDate = p.birthDate;
    d.birthDatePrecision = p.birthDate.length === 4 ? 'year' : p.birthDate.length === 7 ? 'month' : 'day';
  }
  if (p.gender) d.sex = GENDER_TO_V2[p.gender]!;
  for (const a of p.address ?? []) {
    const [street, ...other] = a.line ?? [];
    const addr: Demographics['addresses'][number] = {};
    if (street) addr.street = street;
    if (other.length) addr.other = other.join(' ');
    if (a.city) addr.city = a.city;
    if (a.state) addr.state = a.state;
    if (a.postalCode) addr.zip = a.postalCode;
    if (a.country) addr.country = a.country;
    if (Object.keys(addr).length) d.addresses.push(addr);
  }
  for (const t of p.telecom ?? []) if (t.value && (t.system === undefined || t.system === 'phone' || t.system === 'sms')) d.phones.push({ number: t.value });
  const ssn = (p.identifier ?? []).find((i) => i.system && SSN_SYSTEMS.has(i.system))?.value?.replace(/\D+/g, '');
  if (ssn && ssn.length === 9) d.ssn = ssn;
  return d;
}
