import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  decodeMessageDetailed,
  encodeMessage,
  encodingForCharset,
  Hl7Error,
  parseMessage,
  readCharsetFromBytes,
} from '../../src/hl7/index.js';

function msh(charset: string, sep = '|'): string {
  const f = ['MSH', '^~\\&', 'APP', 'FAC', 'RAPP', 'RFAC', '20240101', '', 'ADT^A01', 'C1', 'P', '2.5', '', '', '', '', '', charset];
  return f.join(sep);
}

function catchHl7(fn: () => unknown): Hl7Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Hl7Error) return e;
    throw e;
  }
  throw new Error('expected an Hl7Error');
}

describe('decodeMessage', () => {
  it('decodes 8859/1 (Latin-1) bytes', () => {
    const text = `${msh('8859/1')}\rPID|1||1||Müller^Jürgen`;
    const bytes = Buffer.from(text, 'latin1');
    expect(bytes.includes(0xfc)).toBe(true);
    const decoded = decodeMessageDetailed(bytes);
    expect(decoded).toMatchObject({ charset: '8859/1', encoding: 'latin1' });
    expect(parseMessage(decoded.text).get('PID-5.1')).toBe('Müller');
  });

  it('decodes UTF-8 declared as UNICODE UTF-8, UTF-8, ASCII or nothing', () => {
    for (const cs of ['UNICODE UTF-8', 'UTF-8', 'ASCII', '']) {
      const bytes = Buffer.from(`${msh(cs)}\rPID|1||1||Müller^Zoë`, 'utf8');
      const decoded = decodeMessageDetailed(bytes);
      expect(decoded.encoding).toBe('utf8');
      expect(parseMessage(decoded.text).get('PID-5.2')).toBe('Zoë');
    }
  });

  it('falls back to Latin-1 when undeclared bytes are not valid UTF-8', () => {
    const bytes = Buffer.from(`${msh('')}\rPID|1||1||Müller`, 'latin1');
    const decoded = decodeMessageDetailed(bytes);
    expect(decoded.encoding).toBe('latin1');
    expect(decoded.text).toContain('Müller');
    expect(decoded.text).not.toContain('\uFFFD');
  });

  it('uses iconv-lite for 8859/2 and 8859/15', () => {
    const t2 = `${msh('8859/2')}\rPID|1||1||Łódź`;
    expect(decodeMessage(iconv.encode(t2, 'iso-8859-2'))).toBe(t2);
    const t15 = `${msh('8859/15')}\rNTE|1||5€`;
    const b15 = iconv.encode(t15, 'iso-8859-15');
    expect(b15.includes(0xa4)).toBe(true);
    expect(decodeMessage(b15)).toBe(t15);
  });

  it('rejects an unknown MSH-18 with Hl7Error 103 at MSH-18, without echoing the value', () => {
    const err = catchHl7(() => decodeMessage(Buffer.from(`${msh('UNICODE UTF-16')}\r`, 'utf8')));
    expect(err.code).toBe(103);
    expect(err.path).toBe('MSH-18');
    expect(err.location).toEqual({ segment: 'MSH', sequence: 1, field: 18 });
    expect(err.message).not.toContain('UTF-16');
  });

  it('strips a UTF-8 BOM and skips leading whitespace before MSH', () => {
    const body = `${msh('8859/1')}\rPID|1||1||Müller`;
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\r\n  ', 'latin1'), Buffer.from(body, 'latin1')]);
    expect(readCharsetFromBytes(bytes)).toBe('8859/1');
    const text = decodeMessage(bytes);
    expect(text.startsWith('\uFEFF')).toBe(false);
    expect(parseMessage(text).get('PID-5')).toBe('Müller');
  });

  it('reads MSH-18 with a custom field separator, its first repetition only, and stops at the segment end', () => {
    expect(readCharsetFromBytes(Buffer.from(msh('8859/1~ISO IR87', '#').replace('^~\\&', '$~*!')))).toBe('8859/1');
    expect(readCharsetFromBytes(Buffer.from(`MSH|^~\\&|A\nPID|${'|'.repeat(20)}8859/1`))).toBeUndefined();
    expect(readCharsetFromBytes(Buffer.from(`${msh(' 8859/1 ')}\n`))).toBe('8859/1');
  });

  it('does not throw without an MSH, so the parser can report the real problem', () => {
    expect(decodeMessage(Buffer.from('BHS|^~\\&|x\rEVN|A01', 'utf8'))).toBe('BHS|^~\\&|x\rEVN|A01');
  });
});

describe('encodeMessage', () => {
  it('answers in the declared charset', () => {
    expect(encodeMessage('Müller', '8859/1')).toEqual(Buffer.from('Müller', 'latin1'));
    expect(encodeMessage('Müller', 'UNICODE UTF-8')).toEqual(Buffer.from('Müller', 'utf8'));
    expect(encodeMessage('Müller', undefined)).toEqual(Buffer.from('Müller', 'utf8'));
    expect(iconv.decode(encodeMessage('Łódź', '8859/2'), 'iso-8859-2')).toBe('Łódź');
  });

  it('answers undeclared Latin-1 senders in Latin-1 when given the decode result', () => {
    const decoded = decodeMessageDetailed(Buffer.from(`${msh('')}\rPID|1||1||BLÄH`, 'latin1'));
    expect(encodeMessage('BLÄH', decoded)).toEqual(Buffer.from('BLÄH', 'latin1'));
  });

  it('rejects unsupported charsets', () => {
    expect(catchHl7(() => encodeMessage('x', 'EBCDIC')).code).toBe(103);
    expect(() => encodingForCharset('8859/1')).not.toThrow();
  });
});

describe('hex escapes follow MSH-18', () => {
  it('decodes \\Xhh\\ bytes in the declared single-byte charset', () => {
    expect(parseMessage(`${msh('8859/2')}\rNTE|1||\\XB1\\`).get('NTE-3')).toBe('ą');
    expect(parseMessage(`${msh('8859/1')}\rNTE|1||\\XB1\\`).get('NTE-3')).toBe('±');
  });

  it('uses UTF-8 when valid and Latin-1 otherwise when MSH-18 is absent or unknown', () => {
    expect(parseMessage(`${msh('')}\rNTE|1||\\XC3A9\\`).get('NTE-3')).toBe('é');
    expect(parseMessage(`${msh('')}\rNTE|1||\\XE9\\`).get('NTE-3')).toBe('é');
    expect(parseMessage(`${msh('EBCDIC')}\rNTE|1||\\XC3A9\\`).get('NTE-3')).toBe('é');
  });
});
