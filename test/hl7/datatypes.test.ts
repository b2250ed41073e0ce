import { describe, expect, it } from 'vitest';
import {
  HL7_NULL,
  isPlausibleBirthDate,
  parseHl7Date,
  parseMessage,
  readCX,
  readHD,
  readXAD,
  readXPN,
  readXTN,
  type Repetition,
} from '../../src/hl7/index.js';

function rep(fieldText: string, n = 1): Repetition {
  const msg = parseMessage(`MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\rZZZ|${fieldText}`);
  const r = msg.segment('ZZZ')?.field(1)?.repetition(n);
  if (r === undefined) throw new Error('no repetition');
  return r;
}

describe('readCX', () => {
  it('reads a full CX with an ISO assigning authority', () => {
    expect(readCX(rep('123^^^HOSP&1.2.3&ISO^MR'))).toEqual({
      id: '123',
      assigningAuthority: { namespace: 'HOSP', universalId: '1.2.3', universalIdType: 'ISO' },
      identifierType: 'MR',
    });
  });

  it('reads a namespace-only authority and an OID-only authority', () => {
    expect(readCX(rep('12345^^^BCBS^MR'))).toEqual({ id: '12345', assigningAuthority: { namespace: 'BCBS' }, identifierType: 'MR' });
    expect(readCX(rep('9^^^&1.2.3.4&ISO'))).toEqual({ id: '9', assigningAuthority: { universalId: '1.2.3.4', universalIdType: 'ISO' } });
  });

  it('reads check digit, scheme and facility with an empty CX.4', () => {
    expect(readCX(rep('MRN12345^5^M11^^MR^Special Hospital'))).toEqual({
      id: 'MRN12345',
      checkDigit: '5',
      checkDigitScheme: 'M11',
      identifierType: 'MR',
      assigningFacility: { namespace: 'Special Hospital' },
    });
  });

  it('treats `&&` and a bare id as no authority', () => {
    expect(readCX(rep('RJ-438^^^&&'))).toEqual({ id: 'RJ-438' });
    expect(readCX(rep('72001173A'))).toEqual({ id: '72001173A' });
  });

  it('keeps the explicit null id and trims padding', () => {
    expect(readCX(rep('""^^^&2.71&ISO'))).toEqual({ id: HL7_NULL, assigningAuthority: { universalId: '2.71', universalIdType: 'ISO' } });
    expect(readCX(rep(' 42 ^^^ HOSP ')).id).toBe('42');
    expect(readCX(rep('^^^HOSP')).id).toBe('');
  });

  it('unescapes identifiers', () => {
    expect(readCX(rep('A\\T\\B^^^NS')).id).toBe('A&B');
  });

  it('reads the second repetition', () => {
    expect(readCX(rep('1^^^A~2^^^B^SS', 2))).toEqual({ id: '2', assigningAuthority: { namespace: 'B' }, identifierType: 'SS' });
  });
});

describe('readHD', () => {
  it('reads an HD field (components) and an HD component (subcomponents)', () => {
    expect(readHD(rep('GHH^2.16.840.1^ISO'))).toEqual({ namespace: 'GHH', universalId: '2.16.840.1', universalIdType: 'ISO' });
    const c = rep('1^^^NS&1.2&ISO').component(4);
    if (c === undefined) throw new Error('no component');
    expect(readHD(c)).toEqual({ namespace: 'NS', universalId: '1.2', universalIdType: 'ISO' });
    expect(readHD(rep('^^'))).toBeUndefined();
  });
});

describe('readXPN', () => {
  it('maps the XPN components', () => {
    expect(readXPN(rep('EVERYMAN&&&&Aniston^ADAM^A^III^Dr.^MD^L'))).toEqual({
      family: 'EVERYMAN',
      given: 'ADAM',
      middle: 'A',
      suffix: 'III',
      prefix: 'Dr.',
      degree: 'MD',
      nameType: 'L',
    });
    expect(readXPN(rep('O\\T\\BRIEN^JOHN'))).toEqual({ family: 'O&BRIEN', given: 'JOHN' });
  });

  it('handles a name type only and whitespace-only names', () => {
    expect(readXPN(rep('~^^^^^^S', 2))).toEqual({ nameType: 'S' });
    expect(readXPN(rep(' '))).toEqual({});
  });
});

describe('readXAD', () => {
  it('maps the XAD components and takes SAD.1 as the street', () => {
    expect(readXAD(rep('Irgendwo 25&Irgendwo&25^Apt 2^Foo^NW^11000^DE^H'))).toEqual({
      street: 'Irgendwo 25',
      other: 'Apt 2',
      city: 'Foo',
      state: 'NW',
      zip: '11000',
      country: 'DE',
      addressType: 'H',
    });
    expect(readXAD(rep('""^^Foo')).street).toBe(HL7_NULL);
  });
});

describe('readXTN', () => {
  it('uses XTN.1 when present', () => {
    expect(readXTN(rep('(905)111-1111^PRN^PH'))).toEqual({ number: '(905)111-1111', use: 'PRN', equipment: 'PH' });
  });

  it('assembles v2.5-style numbers from XTN.5-8', () => {
    expect(readXTN(rep('^PRN^PH^^^712^7670867'))).toEqual({
      number: '(712) 7670867',
      use: 'PRN',
      equipment: 'PH',
      areaCode: '712',
      localNumber: '7670867',
    });
    expect(readXTN(rep('^WPN^PH^^1^555^1234567^89')).number).toBe('+1 (555) 1234567 x89');
  });

  it('reads e-mail addresses', () => {
    expect(readXTN(rep('^NET^Internet^someone@example.org'))).toEqual({ use: 'NET', equipment: 'Internet', email: 'someone@example.org' });
  });
});

describe('parseHl7Date', () => {
  it('keeps the precision that was sent', () => {
    expect(parseHl7Date('1984')).toEqual({ iso: '1984', precision: 'year' });
    expect(parseHl7Date('198401')).toEqual({ iso: '1984-01', precision: 'month' });
    expect(parseHl7Date('19840125')).toEqual({ iso: '1984-01-25', precision: 'day' });
  });

  it('accepts DTM times, fractions and offsets without shifting the date', () => {
    expect(parseHl7Date('19850101000000+0700')).toEqual({ iso: '1985-01-01', precision: 'day' });
    expect(parseHl7Date('198508181126+0215')).toEqual({ iso: '1985-08-18', precision: 'day' });
    expect(parseHl7Date('19851231235959.1234-0500')).toEqual({ iso: '1985-12-31', precision: 'day' });
    expect(parseHl7Date('1985+0100')).toEqual({ iso: '1985', precision: 'year' });
    expect(parseHl7Date(' 19840125 ')).toEqual({ iso: '1984-01-25', precision: 'day' });
  });

  it('validates the calendar, including leap years', () => {
    expect(parseHl7Date('20000229')?.iso).toBe('2000-02-29');
    expect(parseHl7Date('20240229')?.iso).toBe('2024-02-29');
    expect(parseHl7Date('20230229')).toBeUndefined();
    expect(parseHl7Date('19000229')).toBeUndefined();
    expect(parseHl7Date('20240230')).toBeUndefined();
    expect(parseHl7Date('20240431')).toBeUndefined();
    expect(parseHl7Date('19841301')).toBeUndefined();
    expect(parseHl7Date('198400')).toBeUndefined();
    expect(parseHl7Date('19840100')).toBeUndefined();
    expect(parseHl7Date('19840132')).toBeUndefined();
  });

  it('rejects malformed values and bad times', () => {
    for (const bad of ['', HL7_NULL, 'abc', '84', '19840', '1984-01-25', '198401251', '1984012524', '198401252360', '19840125235960', '19840125+2500', '19840125.5', '19840125123456.12345']) {
      expect(parseHl7Date(bad), bad).toBeUndefined();
    }
  });
});

describe('isPlausibleBirthDate', () => {
  const now = new Date('2024-06-15T12:00:00Z');
  it('rejects dates before 1880 and in the future', () => {
    expect(isPlausibleBirthDate('1879-12-31', now)).toBe(false);
    expect(isPlausibleBirthDate('1880-01-01', now)).toBe(true);
    expect(isPlausibleBirthDate('1880', now)).toBe(true);
    expect(isPlausibleBirthDate('2024-06-15', now)).toBe(true);
    expect(isPlausibleBirthDate('2024', now)).toBe(true);
    expect(isPlausibleBirthDate('2024-06', now)).toBe(true);
    expect(isPlausibleBirthDate('2024-07', now)).toBe(false);
    expect(isPlausibleBirthDate('2025', now)).toBe(false);
    expect(isPlausibleBirthDate('2024-06-17', now)).toBe(false);
    expect(isPlausibleBirthDate('not-a-date', now)).toBe(false);
  });

  it("allows 'tomorrow' only where it may already be today somewhere (UTC+14)", () => {
    expect(isPlausibleBirthDate('2024-06-16', new Date('2024-06-15T09:59:00Z'))).toBe(false);
    expect(isPlausibleBirthDate('2024-06-16', new Date('2024-06-15T10:00:00Z'))).toBe(true);
  });
});
