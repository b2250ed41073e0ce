/** Builds ADT messages for tests; every field can be overridden, segments are joined with CR. */
export interface AdtSpec {
  event?: string;
  controlId: string;
  app?: string;
  facility?: string;
  version?: string;
  /** PID-3 as written (repetitions with ~). */
  pid3?: string;
  name?: string;
  dob?: string;
  sex?: string;
  address?: string;
  phone?: string;
  pid19?: string;
  mrg1?: string;
  msh15?: string;
  extraSegments?: string[];
  messageType?: string;
}

export const OID_A = '2.16.840.1.113883.3.9999.1';
export const OID_B = '2.16.840.1.113883.3.9999.2';

const GIVEN = ['JANE', 'OLIVER', 'AMELIA', 'HENRY', 'ISLA', 'THEO', 'MAYA', 'FELIX', 'NORA', 'ARLO', 'IRIS', 'JASPER', 'LUNA', 'MILO', 'HAZEL', 'OTIS'];
const FAMILY = ['DOE', 'ABERNATHY', 'BLACKWOOD', 'CASTELLANO', 'DRUMMOND', 'ELLSWORTH', 'FAIRWEATHER', 'GALLOWAY', 'HOLLOWAY', 'IVERSON', 'KINCAID', 'LOCKHART', 'MERRIWETHER', 'NORTHCOTT', 'OYELARAN', 'PEMBERTON'];
const STREET = ['MAIN', 'OAK', 'ELM', 'CEDAR', 'MAPLE', 'BIRCH', 'ASPEN', 'WILLOW'];

/** FNV-1a: a stable hash of the identifier, so each identifier has its own default person. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The default demographics of a test message: a person of its own for each PID-3 identifier (derived from
 * the first CX.1), so that matching never links two test identifiers unless a test gives them the same
 * person on purpose. Each field a test sets overrides its default.
 */
export function defaultPerson(pid3: string) {
  const h = fnv(pid3.split('^')[0] ?? '');
  const h2 = fnv(`${h}`);
  const year = 1930 + (h2 % 80);
  const month = 1 + ((h2 >>> 8) % 12);
  const day = 1 + ((h2 >>> 16) % 28);
  return {
    name: `${FAMILY[(h >>> 4) % FAMILY.length]}${(h >>> 12) % 97}^${GIVEN[h % GIVEN.length]}^Q^^^^L`,
    dob: `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`,
    address: `${1 + (h2 % 899)} ${STREET[(h >>> 20) % STREET.length]} ST^^SPRINGFIELD^IL^62${String(700 + ((h >>> 9) % 99)).padStart(3, '0')}`,
    phone: `^PRN^PH^^^217^555${String(h % 10000).padStart(4, '0')}`,
  };
}

export function adt(s: AdtSpec): string {
  const event = s.event ?? 'A04';
  const structure = event === 'A40' ? 'ADT_A39' : 'ADT_A01';
  const msh = ['MSH', '^~\\&', s.app ?? 'EPIC', s.facility ?? 'HOSPA', 'MPI', 'MPI', '20240102030405', '', s.messageType ?? `ADT^${event}^${structure}`, s.controlId, 'P', s.version ?? '2.5'];
  if (s.msh15) msh.push('', '', s.msh15);
  const pid3 = s.pid3 ?? `1001^^^HOSPA&${OID_A}&ISO^MR`;
  const p = defaultPerson(pid3);
  const segs = [
    msh.join('|'),
    `EVN|${event}|20240102030405`,
    `PID|1||${pid3}||${s.name ?? p.name}||${s.dob ?? p.dob}|${s.sex ?? 'F'}|||${s.address ?? p.address}||${s.phone ?? p.phone}||||||${s.pid19 ?? ''}`,
  ];
  if (s.mrg1 !== undefined) segs.push(`MRG|${s.mrg1}`);
  else segs.push('PV1|1|O');
  segs.push(...(s.extraSegments ?? []));
  return segs.join('\r') + '\r';
}
