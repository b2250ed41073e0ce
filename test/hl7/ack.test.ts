import { describe, expect, it } from 'vitest';
import {
  buildAck,
  formatHl7DateTime,
  header,
  HL70357_DISPLAY,
  Hl7Error,
  isEnhancedMode,
  mapAckCodeForMode,
  parseHeaderOnly,
  parseMessage,
  shouldSendAcceptAck,
  usesLegacyErr,
  type Hl7Header,
} from '../../src/hl7/index.js';

const NOW = new Date('2024-03-05T06:07:08Z');

const V231 =
  'MSH|^~\\&|TEST_HARNESS_B|TEST|CR1|MOH_CAAT|20101020||ADT^A40^ADT_A40| TEST-CR-17-20|P|2.3.1\rEVN|A40|20101020\rPID|||RJ-203^^^TEST_A\rMRG|RJ-292^^^TEST_A';
const V25 =
  'MSH|^~\\&|ADTApp|GHHSFacility^2.16.840.1.122848.1.30^ISO|EHRApp^1.Edu^ISO|GHHRFacility^2.16.840.1.1122848.1.32^ISO|198908181126+0215|SECURITY|ADT^A01^ADT_A01|MSG00001|P^T|2.5^DEU|||||USA|UNICODE UTF-8\rPID|1||1^^^X';

function hdr(text: string): Hl7Header {
  return header(parseMessage(text));
}

function segments(ack: string): string[] {
  return ack.split('\r');
}

describe('buildAck: MSH', () => {
  it('swaps sender and receiver, echoing HD fields as received', () => {
    const ack = parseMessage(buildAck({ header: hdr(V25), code: 'AA', controlId: 'ACK-1', now: NOW }));
    expect(ack.segment('MSH')?.field(3)?.raw).toBe('EHRApp^1.Edu^ISO');
    expect(ack.segment('MSH')?.field(4)?.raw).toBe('GHHRFacility^2.16.840.1.1122848.1.32^ISO');
    expect(ack.segment('MSH')?.field(5)?.raw).toBe('ADTApp');
    expect(ack.segment('MSH')?.field(6)?.raw).toBe('GHHSFacility^2.16.840.1.122848.1.30^ISO');
  });

  it('sets MSH-7 to now with an offset, MSH-9/10, echoes MSH-11/12/18', () => {
    const text = buildAck({ header: hdr(V25), code: 'AA', controlId: 'ACK-1', now: NOW });
    const ack = parseMessage(text);
    const ts = ack.get('MSH-7') ?? '';
    expect(ts).toMatch(/^\d{14}[+-]\d{4}$/);
    expect(ts).toBe(formatHl7DateTime(NOW));
    expect(ack.segment('MSH')?.field(9)?.raw).toBe('ACK^A01^ACK');
    expect(ack.get('MSH-10')).toBe('ACK-1');
    expect(ack.segment('MSH')?.field(11)?.raw).toBe('P^T');
    expect(ack.segment('MSH')?.field(12)?.raw).toBe('2.5^DEU');
    expect(ack.get('MSH-18')).toBe('UNICODE UTF-8');
    expect(ack.segment('MSH')?.fieldCount).toBe(18);
    expect(segments(text)[0]).toBe(
      `MSH|^~\\&|EHRApp^1.Edu^ISO|GHHRFacility^2.16.840.1.1122848.1.32^ISO|ADTApp|GHHSFacility^2.16.840.1.122848.1.30^ISO|${ts}||ACK^A01^ACK|ACK-1|P^T|2.5^DEU||||||UNICODE UTF-8`,
    );
  });

  it('formats MSH-7 so that it denotes the same instant', () => {
    const ts = formatHl7DateTime(NOW);
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})([+-])(\d{2})(\d{2})$/.exec(ts);
    expect(m).not.toBeNull();
    const [, y, mo, d, h, mi, s, sign, oh, om] = m as unknown as string[];
    const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${sign}${oh}:${om}`;
    expect(new Date(iso).getTime()).toBe(NOW.getTime());
  });

  it('mirrors the inbound MSH-9 shape', () => {
    const three = hdr('MSH|^~\\&|A|B|C|D|2024||ADT^A04^ADT_A01|1|P|2.5');
    const two = hdr('MSH|^~\\&|A|B|C|D|2024||ADT^A04|1|P|2.3');
    const one = hdr('MSH|^~\\&|A|B|C|D|2024||ADT|1|P|2.1');
    expect(parseMessage(buildAck({ header: three, code: 'AA', controlId: 'x', now: NOW })).segment('MSH')?.field(9)?.raw).toBe('ACK^A04^ACK');
    expect(parseMessage(buildAck({ header: two, code: 'AA', controlId: 'x', now: NOW })).segment('MSH')?.field(9)?.raw).toBe('ACK^A04');
    expect(parseMessage(buildAck({ header: one, code: 'AA', controlId: 'x', now: NOW })).segment('MSH')?.field(9)?.raw).toBe('ACK');
  });

  it('uses the inbound delimiters', () => {
    const h = hdr('MSH#$%*!#APP#FAC$1.2$ISO#R#RF#2024##ADT$A01$ADT_A01#C1#P#2.5');
    const text = buildAck({ header: h, code: 'AE', controlId: 'A|1', now: NOW, text: 'bad $ value' });
    expect(text.startsWith('MSH#$%*!#R#RF#APP#FAC$1.2$ISO#')).toBe(true);
    const ack = parseMessage(text);
    expect(ack.segment('MSH')?.field(9)?.raw).toBe('ACK$A01$ACK');
    expect(ack.get('MSH-10')).toBe('A|1');
    expect(segments(text)[1]).toBe('MSA#AE#C1#bad *S* value');
    expect(ack.get('MSA-3')).toBe('bad $ value');
  });

  it('builds a minimal ACK when no MSH was readable', () => {
    const text = buildAck({ header: undefined, code: 'AR', controlId: 'ACK-9', now: NOW, text: 'No MSH segment' });
    const [msh, msa] = segments(text);
    expect(msh).toBe(`MSH|^~\\&|||||${formatHl7DateTime(NOW)}||ACK|ACK-9|P|2.5`);
    expect(msa).toBe('MSA|AR||No MSH segment');
    expect(parseMessage(text).get('MSA-2')).toBeUndefined();
  });

  it('defaults MSH-11/12 when the inbound left them empty', () => {
    const h = hdr('MSH|^~\\&|A|B|C|D|2024||ADT^A34||||');
    const ack = parseMessage(buildAck({ header: h, code: 'AR', controlId: 'z', now: NOW }));
    expect(ack.get('MSH-11')).toBe('P');
    expect(ack.get('MSH-12')).toBe('2.5');
    expect(ack.get('MSA-2')).toBeUndefined();
  });
});

describe('buildAck: MSA and ERR', () => {
  it('echoes the inbound MSH-10 byte for byte in MSA-2', () => {
    const text = buildAck({ header: hdr(V231), code: 'AA', controlId: 'a1', now: NOW });
    expect(segments(text)[1]).toBe('MSA|AA| TEST-CR-17-20');
    expect(segments(text)).toHaveLength(2);
  });

  it('writes v2.5 ERR segments (ERR-2 location, ERR-3 code, ERR-4 severity, ERR-8 text)', () => {
    const text = buildAck({
      header: hdr(V25),
      code: 'AE',
      controlId: 'a2',
      now: NOW,
      errors: [
        { code: 102, text: 'PID-7 is not a valid date', path: 'PID-7' },
        { code: 204, text: 'Unknown assigning authority', location: { segment: 'PID', sequence: 1, field: 3, repetition: 2, component: 4 }, severity: 'W' },
        { code: 207, text: 'Database unavailable; retry | later' },
      ],
    });
    const segs = segments(text);
    expect(segs[1]).toBe('MSA|AE|MSG00001|PID-7 is not a valid date');
    expect(segs[2]).toBe('ERR||PID^1^7|102^Data type error^HL70357|E||||PID-7 is not a valid date');
    expect(segs[3]).toBe('ERR||PID^1^3^2^4|204^Unknown key identifier^HL70357|W||||Unknown assigning authority');
    expect(segs[4]).toBe('ERR|||207^Application internal error^HL70357|E||||Database unavailable; retry \\F\\ later');
    const ack = parseMessage(text);
    expect(ack.get('ERR(3)-8')).toBe('Database unavailable; retry | later');
    expect(ack.get('ERR(2)-3.2')).toBe('Unknown key identifier');
  });

  it('writes the pre-2.5 ERR-1 form for a 2.3.1 sender', () => {
    const err = new Hl7Error(204, 'Prior patient identifier not found', { path: 'MRG-1' });
    const text = buildAck({ header: hdr(V231), code: 'AE', controlId: 'a3', now: NOW, errors: [err.toAckError()] });
    const segs = segments(text);
    expect(segs[0]).toContain('|ACK^A40^ACK|a3|P|2.3.1');
    expect(segs[1]).toBe('MSA|AE| TEST-CR-17-20|Prior patient identifier not found');
    expect(segs[2]).toBe('ERR|MRG^1^1^204&Unknown key identifier&HL70357');
    const ack = parseMessage(text);
    expect(ack.get('ERR-1.4.1')).toBe('204');
    expect(ack.get('ERR-1.4.3')).toBe('HL70357');
  });

  it('puts several pre-2.5 errors into ERR-1 repetitions', () => {
    const text = buildAck({
      header: hdr('MSH|^~\\&|A|B|C|D|2024||ADT^A01|9|P|2.2'),
      code: 'AE',
      controlId: 'a4',
      now: NOW,
      errors: [
        { code: 101, text: 'PID-3 is required', path: 'PID-3' },
        { code: 207, text: 'internal' },
      ],
    });
    expect(segments(text)[2]).toBe('ERR|PID^1^3^101&Required field missing&HL70357~^^^207&Application internal error&HL70357');
    expect(segments(text)[1]).toBe('MSA|AE|9|PID-3 is required');
  });

  it('prefers an explicit MSA-3 text over the first error', () => {
    const text = buildAck({ header: hdr(V25), code: 'AR', controlId: 'a5', now: NOW, text: 'Unsupported event', errors: [{ code: 201, text: 'MSH-9.2 event is not supported', path: 'MSH-9.2' }] });
    expect(segments(text)[1]).toBe('MSA|AR|MSG00001|Unsupported event');
    expect(segments(text)[2]).toBe('ERR||MSH^1^9^^2|201^Unsupported event code^HL70357|E||||MSH-9.2 event is not supported');
  });

  it('answers a garbage message through parseHeaderOnly', () => {
    const inbound = 'MSH|^~\\\\&|SE050|050|PACS|050|20120912011230||ADT^A01|102|T|2.6\r\u0001\u0002 broken';
    const h = parseHeaderOnly(inbound);
    const text = buildAck({ header: h, code: 'AR', controlId: 'a6', now: NOW, errors: [{ code: 102, text: 'MSH-2 encoding characters are invalid', path: 'MSH-2' }] });
    const ack = parseMessage(text);
    expect(ack.get('MSA-2')).toBe('102');
    expect(ack.get('MSH-3')).toBe('PACS');
    expect(ack.get('MSH-5')).toBe('SE050');
    expect(ack.get('MSH-11')).toBe('T');
    expect(ack.get('ERR-2')).toBe('MSH');
    expect(ack.get('ERR-2.3')).toBe('2');
  });
});

describe('acknowledgment modes', () => {
  it('detects enhanced mode from MSH-15/16', () => {
    expect(isEnhancedMode(hdr('MSH|^~\\&|A|B|C|D|2024||ADT^A01|1|P|2.5|||AL|NE'))).toBe(true);
    expect(isEnhancedMode(hdr('MSH|^~\\&|A|B|C|D|2024||ADT^A01|1|P|2.5||||AL'))).toBe(true);
    expect(isEnhancedMode(hdr('MSH|^~\\&|A|B|C|D|2024||ADT^A01|1|P|2.5'))).toBe(false);
    expect(isEnhancedMode(hdr('MSH|^~\\&|A|B|C|D|2024||ADT^A01|1|P|2.3||| '))).toBe(false);
    expect(isEnhancedMode(undefined)).toBe(false);
  });

  it('maps application codes to commit codes in enhanced mode', () => {
    expect(mapAckCodeForMode('AA', true)).toBe('CA');
    expect(mapAckCodeForMode('AE', true)).toBe('CE');
    expect(mapAckCodeForMode('AR', true)).toBe('CR');
    expect(mapAckCodeForMode('CA', true)).toBe('CA');
    expect(mapAckCodeForMode('AA', false)).toBe('AA');
    expect(mapAckCodeForMode('CE', false)).toBe('AE');
  });

  it('builds an enhanced-mode commit ACK', () => {
    const h = hdr('MSH|^~\\&|A|B|C|D|2024||ADT^A40^ADT_A39|77|P|2.3.1|||ER');
    const code = mapAckCodeForMode('AA', isEnhancedMode(h));
    expect(segments(buildAck({ header: h, code, controlId: 'c', now: NOW }))[1]).toBe('MSA|CA|77');
  });

  it('honours MSH-15 accept-ack conditions', () => {
    const mk = (v: string): Hl7Header => hdr(`MSH|^~\\&|A|B|C|D|2024||ADT^A01|1|P|2.5|||${v}`);
    expect(shouldSendAcceptAck(mk('AL'), 'CA')).toBe(true);
    expect(shouldSendAcceptAck(mk('NE'), 'CR')).toBe(false);
    expect(shouldSendAcceptAck(mk('ER'), 'CA')).toBe(false);
    expect(shouldSendAcceptAck(mk('ER'), 'CE')).toBe(true);
    expect(shouldSendAcceptAck(mk('SU'), 'CA')).toBe(true);
    expect(shouldSendAcceptAck(mk('SU'), 'CR')).toBe(false);
    expect(shouldSendAcceptAck(mk(''), 'AE')).toBe(true);
  });

  it('chooses the ERR form by version', () => {
    for (const v of ['2.1', '2.2', '2.3', '2.3.1', '2.4']) expect(usesLegacyErr(v), v).toBe(true);
    for (const v of ['2.5', '2.5.1', '2.6', '2.7', '2.8', '3.0', undefined, 'garbage']) expect(usesLegacyErr(v), String(v)).toBe(false);
  });

  it('exports the 0357 display names', () => {
    expect(HL70357_DISPLAY[100]).toBe('Segment sequence error');
    expect(HL70357_DISPLAY[203]).toBe('Unsupported version id');
    expect(HL70357_DISPLAY[205]).toBe('Duplicate key identifier');
  });
});
