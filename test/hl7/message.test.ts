import { describe, expect, it } from 'vitest';
import {
  HL7_NULL,
  Hl7Error,
  header,
  parseHeaderOnly,
  parseHl7Path,
  parseMessage,
  requireSegment,
  safeParseMessage,
} from '../../src/hl7/index.js';

const MSH = 'MSH|^~\\&|SEND_APP|SEND_FAC^1.2.3^ISO|RECV_APP|RECV_FAC|20240102030405+0100||ADT^A01^ADT_A01|CTRL-1|P^T|2.5^DEU|||AL|NE||8859/1';
const PID =
  'PID|1||123^^^HOSP&1.2.3&ISO^MR~456^7^M11^OTHER^PI||O\\T\\BRIEN^JOHN^Q~SMITH^J^^^^^M|""|19840125|F|||1 Main St^^Town^ST^12345^USA^H||';
const ZPI = 'ZPI|custom\\F\\value|x^y';
const TEXT = [MSH, 'EVN|A01|20240102', PID, 'PV1|1|I', ZPI].join('\r');

function parseError(text: string): Hl7Error {
  const r = safeParseMessage(text);
  if (r.success) throw new Error('expected a parse failure');
  return r.error;
}

describe('parseMessage: structure', () => {
  const msg = parseMessage(TEXT);

  it('lists segments with name, position, occurrence and raw text', () => {
    expect(msg.segments.map((s) => s.name)).toEqual(['MSH', 'EVN', 'PID', 'PV1', 'ZPI']);
    const z = msg.segment('ZPI');
    expect(z?.raw).toBe(ZPI);
    expect(z?.index).toBe(4);
    expect(z?.occurrence).toBe(1);
    expect(msg.segmentsNamed('PID')).toHaveLength(1);
    expect(msg.segment('PID', 2)).toBeUndefined();
    expect(msg.toString()).toBe(TEXT);
  });

  it('numbers MSH fields from the field separator (MSH-1) and keeps MSH-2 unsplit', () => {
    const mshSeg = msg.segment('MSH');
    expect(mshSeg?.field(1)?.value).toBe('|');
    expect(mshSeg?.field(2)?.value).toBe('^~\\&');
    expect(mshSeg?.field(2)?.repetitions).toHaveLength(1);
    expect(msg.get('MSH-1')).toBe('|');
    expect(msg.get('MSH-2')).toBe('^~\\&');
    expect(msg.get('MSH-3')).toBe('SEND_APP');
    expect(msg.get('MSH-9.2')).toBe('A01');
    expect(msg.get('MSH-12')).toBe('2.5');
    expect(msg.get('MSH-12.2')).toBe('DEU');
    expect(mshSeg?.fieldCount).toBe(18);
  });

  it('splits repetitions, components and subcomponents, 1-based', () => {
    const pid3 = msg.segment('PID')?.field(3);
    expect(pid3?.repetitions).toHaveLength(2);
    expect(pid3?.repetition(1)?.component(4)?.subcomponents).toEqual(['HOSP', '1.2.3', 'ISO']);
    expect(pid3?.repetition(1)?.component(4)?.raw).toBe('HOSP&1.2.3&ISO');
    expect(pid3?.repetition(2)?.raw).toBe('456^7^M11^OTHER^PI');
    expect(pid3?.raw).toBe('123^^^HOSP&1.2.3&ISO^MR~456^7^M11^OTHER^PI');
    expect(pid3?.value).toBe('123');
    expect(msg.get('PID-3')).toBe('123');
    expect(msg.get('PID-3.4')).toBe('HOSP');
    expect(msg.get('PID-3.4.2')).toBe('1.2.3');
    expect(msg.get('PID-3[2].4')).toBe('OTHER');
    expect(msg.get('PID-3[2].2')).toBe('7');
    expect(msg.get('PID-3[1].4.3')).toBe('ISO');
    expect(msg.segment('PID')?.get('3[2].5')).toBe('PI');
  });

  it('unescapes leaves after splitting', () => {
    const family = msg.segment('PID')?.field(5)?.repetition(1)?.component(1);
    expect(family?.subcomponents).toEqual(['O&BRIEN']);
    expect(family?.raw).toBe('O\\T\\BRIEN');
    expect(msg.get('PID-5')).toBe('O&BRIEN');
    expect(msg.get('PID-5[2].7')).toBe('M');
    expect(msg.get('ZPI-1')).toBe('custom|value');
  });

  it('returns undefined for absent and empty values, and keeps the explicit null', () => {
    expect(msg.get('PID-4')).toBeUndefined(); // empty field
    expect(msg.get('PID-3.3')).toBeUndefined(); // empty component
    expect(msg.get('PID-99')).toBeUndefined(); // beyond the segment
    expect(msg.get('PID-3[3]')).toBeUndefined(); // missing repetition
    expect(msg.get('PID-5.1.2')).toBeUndefined(); // missing subcomponent
    expect(msg.get('NK1-1')).toBeUndefined(); // missing segment
    expect(msg.get('PID-6')).toBe(HL7_NULL);
    const pid = msg.segment('PID');
    expect(pid?.field(6)?.isNull).toBe(true);
    expect(pid?.field(4)?.isNull).toBe(false);
    expect(pid?.field(4)?.isEmpty).toBe(true);
    expect(pid?.field(4)?.repetitions).toEqual([]);
    // Trailing empty fields are kept positionally.
    expect(pid?.fieldCount).toBe(13);
    expect(pid?.field(13)?.isEmpty).toBe(true);
    expect(pid?.field(14)).toBeUndefined();
  });

  it('addresses the n-th segment of a name with SEG(n)', () => {
    const m = parseMessage(`${MSH}\rPID|||A\rMRG|X\rPID|||B\rMRG|Y`);
    expect(m.get('PID(2)-3')).toBe('B');
    expect(m.get('MRG(2)-1')).toBe('Y');
    expect(m.segment('MRG', 2)?.occurrence).toBe(2);
    expect(requireSegment(m, 'PID', 2).raw).toBe('PID|||B');
  });

  it('throws a plain Error (not Hl7Error) for malformed paths', () => {
    for (const bad of ['PID', 'PID.5', 'pid-5', 'PID-0', 'PID-5[0]', 'PID-5.0', 'PID-5.1.1.1', 'PID-', 'PID(0)-1', 'PI-5']) {
      expect(() => msg.get(bad), bad).toThrow(Error);
      try {
        msg.get(bad);
      } catch (e) {
        expect(e).not.toBeInstanceOf(Hl7Error);
      }
    }
    expect(parseHl7Path('PID-3[2].4.2')).toEqual({ segment: 'PID', occurrence: 1, field: 3, repetition: 2, component: 4, subcomponent: 2 });
  });
});

describe('parseMessage: line endings, BOM, whitespace', () => {
  const segs = ['MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5', 'EVN|A01', 'PID|1||X', 'PV1|1|I'];
  const cases: Record<string, string> = {
    CR: segs.join('\r'),
    LF: segs.join('\n'),
    CRLF: segs.join('\r\n'),
    mixed: `${segs[0]}\r${segs[1]}\n${segs[2]}\r\n${segs[3]}`,
    'trailing terminators and blank lines': `${segs.join('\r')}\r\r\n  \n\t\r`,
    'blank lines between segments': `${segs[0]}\r\r\n${segs[1]}\r   \r${segs[2]}\n\n${segs[3]}\r`,
    'BOM and leading whitespace': `\uFEFF \r\n${segs.join('\r')}`,
  };
  for (const [name, text] of Object.entries(cases)) {
    it(name, () => {
      const m = parseMessage(text);
      expect(m.segments.map((s) => s.name)).toEqual(['MSH', 'EVN', 'PID', 'PV1']);
      expect(m.segments.map((s) => s.raw)).toEqual(segs);
    });
  }

  it('keeps trailing spaces as data (the generic accessor does not trim)', () => {
    const m = parseMessage('MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.3||| \rPID|1||X||| ');
    expect(m.segment('MSH')?.field(15)?.raw).toBe(' ');
    expect(m.get('PID-6')).toBe(' ');
    expect(header(m).acceptAckType).toBeUndefined();
  });
});

describe('parseMessage: delimiters', () => {
  it('reads custom delimiters from MSH-1/MSH-2', () => {
    const m = parseMessage('MSH#$%*!#APP#FAC#R#RF#20240101##ADT$A01#9#P#2.5\rPID#1##A$B$C!D!E%F##X*T*Y*F*Z|^~&');
    expect(m.delimiters).toEqual({ field: '#', component: '$', repetition: '%', escape: '*', subcomponent: '!' });
    expect(m.get('MSH-2')).toBe('$%*!');
    expect(m.get('MSH-9.2')).toBe('A01');
    expect(m.get('PID-3.3.2')).toBe('D');
    expect(m.get('PID-3[2]')).toBe('F');
    expect(m.get('PID-5')).toBe('X!Y#Z|^~&');
    expect(header(m).delimiters.escape).toBe('*');
  });

  it('accepts a 5th (truncation) encoding character', () => {
    const m = parseMessage('MSH|^~\\&#|A|B|C|D|20240101||ADT^A01|1|P|2.7\rPID|1||X\\P\\Y');
    expect(m.delimiters.truncation).toBe('#');
    expect(m.get('PID-3')).toBe('X#Y');
  });

  it('rejects unusable MSH-1/MSH-2 with code 102 and a precise path', () => {
    expect(parseError('MSHA^~\\&|x')).toMatchObject({ code: 102, path: 'MSH-1' });
    expect(parseError('MSH')).toMatchObject({ code: 102, path: 'MSH-1' });
    expect(parseError('MSH|^~\\|A')).toMatchObject({ code: 102, path: 'MSH-2' });
    expect(parseError('MSH|^~\\&#$|A')).toMatchObject({ code: 102, path: 'MSH-2' });
    expect(parseError('MSH|^~\\\\&|A')).toMatchObject({ code: 102, path: 'MSH-2' }); // duplicate
    expect(parseError('MSH|^~|&|A')).toMatchObject({ code: 102, path: 'MSH-2' });
    expect(parseError('MSH|^~A&|A')).toMatchObject({ code: 102, path: 'MSH-2' });
  });
});

describe('parseMessage: segment errors', () => {
  it('requires MSH first (code 100, path MSH)', () => {
    expect(parseError('PID|1||X')).toMatchObject({ code: 100, path: 'MSH', location: { segment: 'MSH', sequence: 1 } });
    expect(parseError('')).toMatchObject({ code: 100, path: 'MSH' });
    expect(parseError('TESTMSH|^~\\&|A')).toMatchObject({ code: 100, path: 'MSH' });
  });

  it('rejects invalid segment names by position without echoing the text', () => {
    const base = 'MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\rPID|1||X||SMITH^JOHN';
    for (const bad of ['pid|1', 'PIDX|1', 'JOHN|x', 'P D|1', ' PV1|1', 'AB']) {
      const err = parseError(`${base}\r${bad}\rPV1|1`);
      expect(err.code, bad).toBe(100);
      expect(err.path, bad).toBe('#3');
      expect(err.location).toBeUndefined();
      expect(err.message).toContain('#3');
      expect(err.message).not.toContain(bad.trim().slice(0, 3));
    }
  });

  it('accepts a segment with no fields, and Z-segments', () => {
    const m = parseMessage('MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\rPV1\rZ01|a');
    expect(m.segment('PV1')?.fieldCount).toBe(0);
    expect(m.get('Z01-1')).toBe('a');
  });

  it('rejects a second MSH and batch envelope segments inside a message', () => {
    const m1 = 'MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\rPID|1';
    expect(parseError(`${m1}\r${m1}`)).toMatchObject({ code: 100, path: 'MSH(2)', location: { segment: 'MSH', sequence: 2 } });
    expect(parseError(`${m1}\rBHS|^~\\&|x`)).toMatchObject({ code: 100, path: 'BHS' });
    expect(parseError(`${m1}\rBTS|1`)).toMatchObject({ code: 100, path: 'BTS' });
  });

  it('safeParseMessage reports success and Hl7Errors without throwing', () => {
    const ok = safeParseMessage(TEXT);
    expect(ok.success).toBe(true);
    const bad = safeParseMessage('garbage');
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error).toBeInstanceOf(Hl7Error);
  });

  it('requireSegment reports a missing segment as 100 with the segment as path', () => {
    const m = parseMessage('MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\rEVN|A01');
    expect(() => requireSegment(m, 'PID')).toThrow(Hl7Error);
    try {
      requireSegment(m, 'PID');
    } catch (e) {
      expect(e).toMatchObject({ code: 100, path: 'PID', location: { segment: 'PID', sequence: 1 } });
    }
  });
});

describe('header()', () => {
  it('returns the typed MSH', () => {
    const h = header(parseMessage(TEXT));
    expect(h.sendingApplication).toEqual({ namespace: 'SEND_APP', raw: 'SEND_APP' });
    expect(h.sendingFacility).toEqual({ namespace: 'SEND_FAC', universalId: '1.2.3', universalIdType: 'ISO', raw: 'SEND_FAC^1.2.3^ISO' });
    expect(h.receivingApplication.namespace).toBe('RECV_APP');
    expect(h.receivingFacility.raw).toBe('RECV_FAC');
    expect(h.dateTime).toBe('20240102030405+0100');
    expect(h.messageType).toEqual({ code: 'ADT', trigger: 'A01', structure: 'ADT_A01' });
    expect(h.controlId).toBe('CTRL-1');
    expect(h.processingId).toBe('P');
    expect(h.processingMode).toBe('T');
    expect(h.version).toBe('2.5');
    expect(h.acceptAckType).toBe('AL');
    expect(h.applicationAckType).toBe('NE');
    expect(h.charset).toBe('8859/1');
    expect(h.raw).toEqual({ messageType: 'ADT^A01^ADT_A01', controlId: 'CTRL-1', processingId: 'P^T', version: '2.5^DEU', charset: '8859/1' });
  });

  it('leaves absent values undefined and keeps MSH-10 untrimmed', () => {
    const h = header(parseMessage('MSH|^~\\&||||||| ADT |  C 1 |'));
    expect(h.sendingApplication).toEqual({ raw: '' });
    expect(h.messageType).toEqual({ code: 'ADT' });
    expect(h.controlId).toBe('  C 1 ');
    expect(h.version).toBeUndefined();
    expect(h.processingId).toBeUndefined();
    expect(h.dateTime).toBeUndefined();
  });
});

describe('parseHeaderOnly()', () => {
  it('reads the MSH of a message whose body is garbage', () => {
    const text = `${MSH}\rPID|1\r\u0000\u0001garbage line\rmore`;
    expect(safeParseMessage(text).success).toBe(false);
    const h = parseHeaderOnly(text);
    expect(h?.controlId).toBe('CTRL-1');
    expect(h?.messageType.trigger).toBe('A01');
    expect(h?.sendingFacility.raw).toBe('SEND_FAC^1.2.3^ISO');
  });

  it('tolerates a broken MSH-2 by keeping the first usable characters', () => {
    const h = parseHeaderOnly('MSH|^~\\\\&|APP|FAC|R|RF|20240101||ADT^A01|C9|P|2.6');
    expect(h?.delimiters).toEqual({ field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' });
    expect(h?.controlId).toBe('C9');
    expect(h?.version).toBe('2.6');
    const short = parseHeaderOnly('MSH|^|APP|FAC|R|RF|20240101||ADT^A01|C9|P|2.6');
    expect(short?.messageType).toEqual({ code: 'ADT', trigger: 'A01' });
    expect(short?.delimiters.repetition).toBe('~');
  });

  it('returns undefined when there is no readable MSH', () => {
    expect(parseHeaderOnly('hello')).toBeUndefined();
    expect(parseHeaderOnly('')).toBeUndefined();
    expect(parseHeaderOnly('MSH')).toBeUndefined();
    expect(parseHeaderOnly('MSHX^~\\&')).toBeUndefined();
    expect(parseHeaderOnly('TESTMSH|^~\\&|A')).toBeUndefined();
  });

  it('agrees with header() on well-formed messages', () => {
    expect(parseHeaderOnly(TEXT)).toEqual(header(parseMessage(TEXT)));
  });
});

describe('Hl7Error', () => {
  it('derives an ERL location from the path', () => {
    expect(new Hl7Error(102, 'PID-7 is not a valid date', { path: 'PID-7' }).location).toEqual({ segment: 'PID', sequence: 1, field: 7 });
    expect(new Hl7Error(101, 'x', { path: 'PID(2)-3[2].4.1' }).location).toEqual({
      segment: 'PID',
      sequence: 2,
      field: 3,
      repetition: 2,
      component: 4,
      subcomponent: 1,
    });
    expect(new Hl7Error(100, 'x', { path: '#4' }).location).toBeUndefined();
    const e = new Hl7Error(204, 'Unknown assigning authority in PID-3', { path: 'PID-3[1].4' });
    expect(e.name).toBe('Hl7Error');
    expect(e).toBeInstanceOf(Error);
    expect(e.toAckError()).toEqual({ code: 204, text: 'Unknown assigning authority in PID-3', path: 'PID-3[1].4', location: { segment: 'PID', sequence: 1, field: 3, repetition: 1, component: 4 } });
  });
});
