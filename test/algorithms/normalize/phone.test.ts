import { describe, expect, it } from 'vitest';
import { normalizePhone, phoneLast7 } from '../../../algorithms/normalize/phone.js';

describe('normalizePhone', () => {
  it.each<[string, string]>([
    ['(617) 253-1000', '6172531000'],
    ['617-253-1000', '6172531000'],
    ['617.253.1000', '6172531000'],
    ['6172531000', '6172531000'],
    ['+1 617 253 1000', '6172531000'],
    ['1-617-253-1000', '6172531000'],
    ['16172531000', '6172531000'],
    ['617-253-1000 x123', '6172531000'],
    ['617-253-1000 ext. 45', '6172531000'],
    ['617-253-1000 #12', '6172531000'],
    ['617-555-1212', '6175551212'], // 555 outside 01XX is a real exchange
    ['617-555-0200', '6175550200'],
    ['617-555-0099', '6175550099'],
    ['02 9876 5432', '0298765432'], // ten digits, kept (FEBRL's Australian numbers)
    ['+44 20 7946 1234', '2079461234'], // last ten digits, whatever the country
  ])('normalizePhone(%j) = %j', (raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });

  it.each<[string | null | undefined, string]>([
    ['253-1000', 'seven digits'],
    ['617-253-100', 'nine digits'],
    ['617-555-0100', 'fictional range, first'],
    ['617-555-0123', 'fictional range'],
    ['(212) 555-0199', 'fictional range, last'],
    ['1-800-555-0142', 'fictional range with country code'],
    ['0000000000', 'zeros'],
    ['000-000-0000', 'zeros with separators'],
    ['(999) 999-9999', 'all nines'],
    ['1-111-111-1111', 'all ones after the country code'],
    ['1234567890', 'counting up'],
    ['n/a', 'no digits'],
    ['', 'empty'],
    [null, 'null'],
    [undefined, 'undefined'],
  ])('normalizePhone(%j) is null (%s)', (raw) => {
    expect(normalizePhone(raw)).toBeNull();
  });
});

describe('phoneLast7', () => {
  it.each<[string | null, string | null]>([
    ['(617) 253-1000', '2531000'],
    ['+1 617 253 1000', '2531000'],
    ['253-1000', '2531000'], // a local number without area code
    ['555-0123', null], // fictional
    ['1111111', null], // placeholder
    ['617-555-0123', null],
    ['25310', null],
    ['', null],
    [null, null],
  ])('phoneLast7(%j) = %j', (raw, expected) => {
    expect(phoneLast7(raw)).toBe(expected);
  });
});
