/**
 * Every sample message under fixtures/hl7 (see its README and MANIFEST.json), decoded from raw bytes.
 */
import { describe, expect, it } from 'vitest';
import {
  buildAck,
  decodeMessage,
  decodeMessageDetailed,
  header,
  HL7_NULL,
  Hl7Error,
  isBatch,
  isEnhancedMode,
  parseHeaderOnly,
  parseMessage,
  readCX,
  readXAD,
  readXPN,
  readXTN,
  requireSegment,
  safeParseMessage,
  splitBatch,
  type Hl7Message,
  type Repetition,
} from '../../src/hl7/index.js';
import { fixtureBytes, fixturesOfKind, manifest } from './fixture-files.js';

function load(file: string): Hl7Message {
  return parseMessage(decodeMessage(fixtureBytes(file)));
}

function firstRep(msg: Hl7Message, segment: string, field: number): Repetition {
  const rep = msg.segment(segment)?.field(field)?.repetition(1);
  if (rep === undefined) throw new Error(`${segment}-${field} has no repetition`);
  return rep;
}

function failure(text: string): Hl7Error {
  const r = safeParseMessage(text);
  if (r.success) throw new Error('expected a parse failure');
  return r.error;
}

function batchFailure(text: string): Hl7Error {
  try {
    splitBatch(text);
  } catch (e) {
    if (e instanceof Hl7Error) return e;
    throw e;
  }
  throw new Error('expected splitBatch to fail');
}

/** Non-blank lines of the decoded text, i.e. what should become segments. */
function lines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .filter((l) => l.trim() !== '');
}

describe('manifest', () => {
  it('lists 127 message files with the documented kinds', () => {
    const counts: Record<string, number> = {};
    for (const f of manifest.files) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
    expect(manifest.files).toHaveLength(127);
    expect(counts).toEqual({ message: 112, 'response-shape': 4, envelope: 2, malformed: 7, 'unsupported-type': 2 });
  });
});

describe('well-formed fixtures parse from raw bytes', () => {
  for (const f of fixturesOfKind('message', 'response-shape', 'unsupported-type')) {
    it(f.file, () => {
      const decoded = decodeMessageDetailed(fixtureBytes(f.file));
      expect(decoded.text.startsWith('\uFEFF')).toBe(false);
      const msg = parseMessage(decoded.text);
      const expected = lines(decoded.text);
      expect(msg.segments.map((s) => s.raw)).toEqual(expected);
      expect(msg.segments[0]?.name).toBe('MSH');
      // Every field re-joins to the raw segment text, so nothing is lost in the model.
      for (const s of msg.segments) {
        const fields = s.fields.map((fl) => fl.raw);
        const rebuilt = s.name === 'MSH' ? ['MSH', ...fields.slice(1)].join('|') : [s.name, ...fields].join(msg.delimiters.field);
        expect(rebuilt).toBe(s.raw);
      }
      const h = header(msg);
      expect(h.version).toBe((f.hl7Version ?? '').split('^')[0]?.trim());
      const m = /^([A-Z0-9]{3})\^([A-Z0-9]{3})(?:\^([A-Z0-9_]+))?/.exec(f.messageType);
      expect(m).not.toBeNull();
      expect(h.messageType).toEqual({ code: m?.[1], trigger: m?.[2], ...(m?.[3] ? { structure: m[3] } : {}) });
      expect(parseHeaderOnly(decoded.text)).toEqual(h);
      // An ACK can be built for every message and parses back with MSA-2 = MSH-10.
      const ack = parseMessage(buildAck({ header: h, code: 'AA', controlId: 'T1', now: new Date(0) }));
      expect(ack.segment('MSA')?.field(2)?.raw ?? '').toBe(h.raw.controlId);
    });
  }
});

describe('notable well-formed fixtures', () => {
  it('ISO-8859-1 bytes without MSH-18 are read as Latin-1', () => {
    const decoded = decodeMessageDetailed(fixtureBytes('ipf/mllp-iti8__iti8-a40-iso-8859-1.hl7'));
    expect(decoded.encoding).toBe('latin1');
    expect(decoded.charset).toBeUndefined();
    const msg = parseMessage(decoded.text);
    expect(msg.get('MSH-5')).toBe('BLÄH');
    expect(msg.get('MSH-6')).toBe('BLÖÖÖH-1');
    // Same message as the ASCII variant apart from MSH-5/6.
    const ascii = load('ipf/mllp-iti8__iti8-a40.hl7');
    expect(msg.segments.slice(1).map((s) => s.raw)).toEqual(ascii.segments.slice(1).map((s) => s.raw));
    expect(msg.segmentsNamed('MRG')[0]?.field(1)?.repetitions).toHaveLength(2);
  });

  it('UTF-8 umlauts without MSH-18 are read as UTF-8', () => {
    const decoded = decodeMessageDetailed(fixtureBytes('ipf/camel-message__msg-01-utf8.hl7'));
    expect(decoded.encoding).toBe('utf8');
    const msg = parseMessage(decoded.text);
    expect(readXPN(firstRep(msg, 'PID', 5))).toMatchObject({ family: 'Nächname', given: 'Vörname' });
    expect(msg.get('PID-11')).toBe('Blöhplatz 1');
  });

  it('MSH-18 UNICODE UTF-8, MSH-12 with a second component, SAD street, Z-segment kept raw', () => {
    const decoded = decodeMessageDetailed(fixtureBytes('ipf/hl7-kotlin__msg-03.hl7'));
    expect(decoded.charset).toBe('UNICODE UTF-8');
    const msg = parseMessage(decoded.text);
    const h = header(msg);
    expect(h.version).toBe('2.5');
    expect(h.raw.version).toBe('2.5^DEU');
    expect(h.messageType.code).toBe('MDM');
    expect(readXAD(firstRep(msg, 'PID', 11)).street).toBe('Irgendwo 25');
    expect(msg.get('PID-11.1.3')).toBe('25');
    const zbe = msg.segment('ZBE');
    expect(zbe?.raw.startsWith('ZBE|')).toBe(true);
    expect(lines(decoded.text)).toContain(zbe?.raw);
  });

  it('BOM, trailing spaces and a padded MSH-15 (ADT01-23): not enhanced mode', () => {
    const bytes = fixtureBytes('fhir-converter/ADT01-23.hl7');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const msg = load('fhir-converter/ADT01-23.hl7');
    expect(msg.segment('MSH')?.field(15)?.raw).toBe(' ');
    expect(isEnhancedMode(header(msg))).toBe(false);
    expect(readCX(firstRep(msg, 'PID', 3))).toEqual({
      id: '10006579',
      assigningAuthority: { namespace: '1' },
      identifierType: 'MR',
      assigningFacility: { namespace: '1' },
    });
    expect(msg.get('PID-7')).toBe('19241010');
  });

  it('`\\T\\` inside a value stays one subcomponent (ADT-A01-02)', () => {
    const msg = load('fhir-converter/ADT-A01-02.hl7');
    const pv1 = msg.segment('PV1');
    const hits = (pv1?.fields ?? []).flatMap((f) =>
      f.repetitions.flatMap((r) => r.components.filter((c) => c.raw.includes('\\T\\'))),
    );
    expect(hits).toHaveLength(1);
    expect(hits[0]?.raw).toBe('NHS Provider-General (inc.A\\T\\E-this Hosp)');
    expect(hits[0]?.subcomponents).toEqual(['NHS Provider-General (inc.A&E-this Hosp)']);
    const pid3 = msg.segment('PID')?.field(3);
    expect(pid3?.repetitions.map((r) => readCX(r))).toEqual([
      {
        id: 'PATID1234',
        checkDigit: '5',
        checkDigitScheme: 'M11',
        assigningAuthority: { namespace: 'test1', universalId: '2.16.1', universalIdType: 'HCD' },
        identifierType: 'MR',
        assigningFacility: { namespace: 'GOOD HEALTH HOSPITAL' },
      },
      { id: '123456789', assigningAuthority: { namespace: 'USSSA' }, identifierType: 'SS' },
    ]);
    expect(readXPN(firstRep(msg, 'PID', 5)).family).toBe('EVERYMAN');
  });

  it('escaped MSA-3 and a repeating ERR-2 in a response shape (err-2)', () => {
    const msg = load('ipf/pixquery-v2__err-2_Response.hl7');
    expect(msg.get('MSA-3')).toBe('Unable to resolve requested domains in QPD-4: ^^^NONEXISTING, ^^^&1.2.3.4&ISO');
    expect(msg.segment('ERR')?.field(2)?.repetitions.map((r) => r.raw)).toEqual(['QPD^1^4^2', 'QPD^1^4^3']);
    expect(msg.get('ERR-3.2')).toBe('Unknown key identifier');
  });

  it('explicit nulls for an A08 update (msg-07)', () => {
    const msg = load('ipf/hl7-kotlin__msg-07.hl7');
    expect(msg.get('PID-6')).toBe(HL7_NULL);
    expect(msg.segment('PID')?.field(6)?.isNull).toBe(true);
    expect(msg.get('PID-11.1')).toBe(HL7_NULL);
    expect(readXAD(firstRep(msg, 'PID', 11))).toMatchObject({ street: HL7_NULL, city: 'Foo' });
    expect(msg.get('EVN-1')).toBe('A01');
    expect(msg.get('MSH-9.2')).toBe('A08');
  });

  it('null id with an OID-only authority (pixsource A01)', () => {
    const msg = load('ipf/pixsource-v2__A01.hl7');
    const ids = msg.segment('PID')?.field(3)?.repetitions.map((r) => readCX(r)) ?? [];
    expect(ids[0]).toEqual({ id: HL7_NULL, assigningAuthority: { universalId: '2.71', universalIdType: 'ISO' } });
    expect(ids.map((c) => c.assigningAuthority?.namespace)).toEqual([undefined, 'MPI', 'KHKN']);
    expect(readXTN(firstRep(msg, 'PID', 13))).toEqual({ use: 'PRN', equipment: 'Internet', email: 'bankrobber@aol.com' });
    expect(header(msg).processingId).toBe('P');
    expect(header(msg).processingMode).toBe('T');
  });

  it('leading space in MSH-10 and a `&&` authority (OHIE CR-01)', () => {
    const msg = load('ohie-cr/cr-01-step1.hl7');
    expect(header(msg).controlId).toBe(' TEST-CR-01-10');
    expect(readCX(firstRep(msg, 'PID', 3))).toEqual({ id: 'RJ-438' });
    expect(readXTN(firstRep(msg, 'PID', 13)).number).toBe('(712) 7670867');
    const ack = buildAck({ header: header(msg), code: 'AA', controlId: 'x', now: new Date(0) });
    expect(ack.split('\r')[1]).toBe('MSA|AA| TEST-CR-01-10');
  });

  it('mixed CR/LF with three PID/MRG pairs (LinuxForHealth A40)', () => {
    const msg = load('linuxforhealth/HL7ADTMessageTest__testAdtA39MinWithMultiplePatientGroups.hl7');
    expect(msg.segments.map((s) => s.name)).toEqual(['MSH', 'EVN', 'PID', 'MRG', 'PID', 'MRG', 'PID', 'MRG']);
    expect([1, 2, 3].map((n) => msg.get(`PID(${n})-3`))).toEqual(['1111', '2222', '3333']);
    expect([1, 2, 3].map((n) => msg.get(`MRG(${n})-1`))).toEqual(['123', '456', '789']);
  });

  it('empty MSH-7 and MSH-10 (LinuxForHealth A34): ACK with empty MSA-2', () => {
    const msg = load('linuxforhealth/HL7MergeFHIRConversionTest__validateHappyPathADT_A34WithMRG.hl7');
    const h = header(msg);
    expect(h.controlId).toBeUndefined();
    expect(h.dateTime).toBeUndefined();
    const ack = buildAck({ header: h, code: 'AR', controlId: 'x', now: new Date(0), text: 'MSH-10 is required' });
    expect(ack.split('\r')[1]).toBe('MSA|AR||MSH-10 is required');
  });

  it('PID-5 of a single space yields an empty name (ITI-10 adt-a31-2)', () => {
    const msg = load('ipf/pixupdatenotification-v2__adt-a31-2.hl7');
    expect(msg.get('PID-5')).toBe(' ');
    expect(readXPN(firstRep(msg, 'PID', 5))).toEqual({});
  });

  it('no final terminator and CRLF (camel iti-10)', () => {
    const msg = load('ipf/camel-hl7__iti-10.hl7');
    expect(msg.segment('PID')?.field(3)?.repetitions.map((r) => readCX(r).assigningAuthority?.namespace)).toEqual([
      'HIMSS2005',
      'XREF2005',
      'HZLN',
    ]);
  });

  it('repetition separators inside PV1-3 and a repeated PID-18 (simple-hl7)', () => {
    const msg = load('simple-hl7/adt.hl7');
    expect(msg.segment('PV1')?.field(3)?.repetitions.map((r) => r.raw)).toEqual(['168 ', '219', 'C', 'PMA^^^^^^^^^']);
    expect(msg.segment('PID')?.field(18)?.repetitions.map((r) => r.value)).toEqual(['400003403', '1129086']);
  });

  it('CX.4 holding type-like codes (Redox ADT04-28) is passed through for config to judge', () => {
    const msg = load('fhir-converter/ADT04-28.hl7');
    const auths = msg.segment('PID')?.field(3)?.repetitions.map((r) => readCX(r).assigningAuthority?.namespace);
    expect(auths).toEqual(['MR', 'EHRID', 'NIST']);
  });

  it('DOB with time and zone keeps the day (ADT04-23)', () => {
    const msg = load('fhir-converter/ADT04-23.hl7');
    expect(msg.get('PID-7')).toBe('19850101000000+0700');
  });
});

describe('malformed fixtures', () => {
  it('covers exactly the 7 malformed files', () => {
    expect(fixturesOfKind('malformed').map((f) => f.file).sort()).toEqual([
      'ipf/mllp-iti8__iti8-a01-incomplete.hl7',
      'linuxforhealth/sample_unix.hl7',
      'linuxforhealth/sample_win.hl7',
      'ohie-cr/cr-11-step4.hl7',
      'ohie-cr/cr-15-setup1.hl7',
      'python-hl7/samples.py__sample_bad_batch.hl7',
      'python-hl7/samples.py__sample_bad_batch1.hl7',
    ]);
  });

  it('iti8-a01-incomplete: parses (structure is fine), but the required PID is missing -> 100 at PID', () => {
    const msg = load('ipf/mllp-iti8__iti8-a01-incomplete.hl7');
    expect(msg.segments.map((s) => s.name)).toEqual(['MSH', 'EVN', 'PV1']);
    expect(() => requireSegment(msg, 'PID')).toThrow(Hl7Error);
    try {
      requireSegment(msg, 'PID');
    } catch (e) {
      expect(e).toMatchObject({ code: 100, path: 'PID', location: { segment: 'PID', sequence: 1 } });
    }
    // MSH-15 = ER: enhanced mode, so the rejection goes out as CE/CR.
    expect(isEnhancedMode(header(msg))).toBe(true);
  });

  for (const file of ['linuxforhealth/sample_win.hl7', 'linuxforhealth/sample_unix.hl7']) {
    it(`${file}: 5-char MSH-2 \`^~\\\\&\` repeats the escape char -> 102 at MSH-2, header still readable`, () => {
      const text = decodeMessage(fixtureBytes(file));
      expect(failure(text)).toMatchObject({ code: 102, path: 'MSH-2' });
      const h = parseHeaderOnly(text);
      expect(h?.delimiters).toEqual({ field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' });
      expect(h?.controlId).toBe('102');
      expect(h?.version).toBe('2.6');
      expect(h?.processingId).toBe('T');
      expect(h?.acceptAckType).toBe('AL');
      expect(h?.charset).toBe(file.endsWith('win.hl7') ? 'ASCII' : undefined);
      const ack = parseMessage(buildAck({ header: h, code: 'CR', controlId: 'x', now: new Date(0), errors: [failure(text).toAckError()] }));
      expect(ack.get('MSA-2')).toBe('102');
      expect(ack.get('ERR-2')).toBe('MSH');
      expect(ack.get('ERR-3')).toBe('102');
    });
  }

  it('cr-11-step4: `TESTMSH|` (junk before MSH) -> 100 at MSH; no header to echo', () => {
    const text = decodeMessage(fixtureBytes('ohie-cr/cr-11-step4.hl7'));
    expect(failure(text)).toMatchObject({ code: 100, path: 'MSH' });
    expect(parseHeaderOnly(text)).toBeUndefined();
    const ack = buildAck({ header: undefined, code: 'AR', controlId: 'x', now: new Date(0), text: 'No MSH segment' });
    expect(ack.split('\r')[1]).toBe('MSA|AR||No MSH segment');
  });

  it('cr-15-setup1: prose instead of MSH (source defect) -> 100 at MSH', () => {
    const text = decodeMessage(fixtureBytes('ohie-cr/cr-15-setup1.hl7'));
    expect(text.startsWith('Ensure that')).toBe(true);
    const err = failure(text);
    expect(err).toMatchObject({ code: 100, path: 'MSH' });
    expect(err.message).not.toContain('Jones');
    expect(parseHeaderOnly(text)).toBeUndefined();
  });

  it('sample_bad_batch: BHS with segments but no MSH -> 100 at MSH; splitBatch -> 100 at EVN', () => {
    const text = decodeMessage(fixtureBytes('python-hl7/samples.py__sample_bad_batch.hl7'));
    expect(failure(text)).toMatchObject({ code: 100, path: 'MSH' });
    expect(isBatch(text)).toBe(true);
    expect(batchFailure(text)).toMatchObject({ code: 100, path: 'EVN', location: { segment: 'EVN', sequence: 1 } });
  });

  it('sample_bad_batch1: nested BHS -> splitBatch 100 at BHS(2); the message alone -> 100 at BHS', () => {
    const text = decodeMessage(fixtureBytes('python-hl7/samples.py__sample_bad_batch1.hl7'));
    expect(batchFailure(text)).toMatchObject({ code: 100, path: 'BHS(2)', location: { segment: 'BHS', sequence: 2 } });
    const fromMsh = text.slice(text.indexOf('MSH|'));
    expect(failure(fromMsh)).toMatchObject({ code: 100, path: 'BHS' });
    expect(parseHeaderOnly(fromMsh)?.controlId).toBe('12334456778890');
  });
});

describe('envelopes (batch / file)', () => {
  it('covers the 2 envelope files', () => {
    expect(fixturesOfKind('envelope').map((f) => f.file).sort()).toEqual([
      'python-hl7/samples.py__sample_batch.hl7',
      'python-hl7/samples.py__sample_file1.hl7',
    ]);
  });

  it('sample_batch: one BHS/BTS batch holding one ADT^A04', () => {
    const text = decodeMessage(fixtureBytes('python-hl7/samples.py__sample_batch.hl7'));
    expect(failure(text)).toMatchObject({ code: 100, path: 'MSH' });
    const batch = splitBatch(text);
    expect(batch.fileHeader).toBeUndefined();
    expect(batch.batchHeaders).toHaveLength(1);
    expect(batch.messages).toHaveLength(1);
    const msg = parseMessage(batch.messages[0] as string);
    expect(msg.segments.map((s) => s.name)).toEqual(['MSH', 'EVN', 'PID', 'PD1', 'NK1', 'PV1']);
    const h = header(msg);
    expect(h.messageType).toEqual({ code: 'ADT', trigger: 'A04', structure: 'ADT_A01' });
    expect(h.charset).toBe('ASCII');
    expect(h.sendingApplication).toEqual({ raw: '' });
    // Masked name and an impossible DOB (month 13) are content problems for the service, not parse errors.
    expect(readXPN(firstRep(msg, 'PID', 5))).toEqual({ family: 'XXXXXXXXXX', nameType: 'S' });
    expect(msg.get('PID-7')).toBe('10131113');
  });

  it('sample_file1: FHS with 2 batches and 3 messages, two sharing MSH-10', () => {
    const text = decodeMessage(fixtureBytes('python-hl7/samples.py__sample_file1.hl7'));
    const batch = splitBatch(text);
    expect(batch.fileHeader?.startsWith('FHS|')).toBe(true);
    expect(batch.batchHeaders).toHaveLength(2);
    expect(batch.messages).toHaveLength(3);
    const ids = batch.messages.map((m) => header(parseMessage(m)).controlId);
    expect(ids).toEqual(['12334456778890', '12334456778891', '12334456778890']);
  });

  it('checks envelope counts and pairing', () => {
    const m = 'MSH|^~\\&|A|B|C|D|2024||ADT^A01|1|P|2.5\rPID|1';
    expect(batchFailure(`BHS|^~\\&\r${m}\rBTS|2`)).toMatchObject({ code: 100, path: 'BTS-1' });
    expect(batchFailure(`FHS|^~\\&\rBHS|^~\\&\r${m}\rBTS|1\rFTS|3`)).toMatchObject({ code: 100, path: 'FTS-1' });
    expect(batchFailure(`BHS|^~\\&\r${m}`)).toMatchObject({ code: 100, path: 'BTS' });
    expect(batchFailure(`FHS|^~\\&\rBHS|^~\\&\r${m}\rBTS|1`)).toMatchObject({ code: 100, path: 'FTS' });
    expect(batchFailure(`${m}\rBTS|1`)).toMatchObject({ code: 100, path: 'BTS' });
    expect(batchFailure(`FHS|^~\\&\r${m}\rFTS|0`)).toMatchObject({ code: 100, path: 'MSH' });
    expect(batchFailure(`BHS|^~\\&\r${m}\rBTS|1\rFHS|^~\\&`)).toMatchObject({ code: 100, path: 'FHS' });
    expect(splitBatch(`BHS|^~\\&\r${m}\r${m}\rBTS|2`).messages).toEqual([m, m]);
    expect(splitBatch(`BHS|^~\\&\rBTS|0`).messages).toEqual([]);
    expect(splitBatch(m).messages).toEqual([m]);
    expect(isBatch(m)).toBe(false);
  });
});
