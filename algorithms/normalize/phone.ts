/**
 * Telephone numbers, read as North American Numbering Plan numbers: the last ten digits (area code,
 * exchange, line), so that +1 (617) 555-2368, 1-617-555-2368 and 617.555.2368 agree. Placeholders become null
 * (unknown) rather than a value two unrelated records could share.
 * Area codes are not checked against the NANP rules (first digit 2-9): synthetic test populations (FEBRL)
 * carry Australian numbers, which keep their ten digits here.
 */

/** An extension marker; what follows it is not part of the number: 617-555-2368 x123, ext. 4, #12. */
const EXTENSION = /(?:ext|x|#)/iu;

/** Digits of the number, ignoring any extension. */
function digitsOf(raw: string): string {
  const [number = ''] = raw.split(EXTENSION);
  return number.replace(/\D/gu, '');
}

/** A placeholder: every digit the same (000-000-0000, 999-999-9999), or counting up (1234567890). */
function isPlaceholder(digits: string): boolean {
  return /^(\d)\1*$/u.test(digits) || digits === '1234567890';
}

/** 555-0100 to 555-0199 are reserved for fiction (films, examples) in every area code. */
function isFictional(exchangeAndLine: string): boolean {
  return exchangeAndLine.startsWith('55501');
}

/**
 * The last ten digits of a phone number (a leading country code 1 falls away with the rest), or null when
 * there are fewer than ten digits, for a placeholder, and for the fictional 555-01XX range.
 */
export function normalizePhone(raw: string | null | undefined): string | null {
  const digits = digitsOf(raw ?? '');
  if (digits.length < 10) return null;
  const ten = digits.slice(-10);
  if (isPlaceholder(ten) || isFictional(ten.slice(3))) return null;
  return ten;
}

/**
 * The last seven digits (exchange and line), for the level that forgives a changed or missing area code.
 * Also accepted: a bare seven-digit local number, common in older records that omit the area code.
 */
export function phoneLast7(raw: string | null | undefined): string | null {
  const ten = normalizePhone(raw);
  if (ten !== null) return ten.slice(3);
  const digits = digitsOf(raw ?? '');
  if (digits.length !== 7 || isPlaceholder(digits) || isFictional(digits)) return null;
  return digits;
}
