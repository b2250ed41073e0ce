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

export function adt(s: AdtSpec): string {
  const event = s.event ?? 'A04';
  const structure = event === 'A40' ? 'ADT_A39' : 'ADT_A01';
  const msh = ['MSH', '^~\\&', s.app ?? 'EPIC', s.facility ?? 'HOSPA', 'MPI', 'MPI', '20240102030405', '', s.messageType ?? `ADT^${event}^${structure}`, s.controlId, 'P', s.version ?? '2.5'];
  if (s.msh15) msh.push('', '', s.msh15);
  const segs = [
    msh.join('|'),
    `EVN|${event}|20240102030405`,
    `PID|1||${s.pid3 ?? `1001^^^HOSPA&${OID_A}&ISO^MR`}||${s.name ?? 'DOE^JANE^Q^^^^L'}||${s.dob ?? '19800101'}|${s.sex ?? 'F'}|||${s.address ?? '1 MAIN ST^^SPRINGFIELD^IL^62701'}||${s.phone ?? '^PRN^PH^^^217^5550101'}||||||${s.pid19 ?? ''}`,
  ];
  if (s.mrg1 !== undefined) segs.push(`MRG|${s.mrg1}`);
  else segs.push('PV1|1|O');
  segs.push(...(s.extraSegments ?? []));
  return segs.join('\r') + '\r';
}
