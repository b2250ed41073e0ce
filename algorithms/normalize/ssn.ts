/**
 * US Social Security numbers. An SSN agreeing between two records is strong evidence, so a number that is
 * not a real SSN must never agree: structurally invalid numbers and the well-known dummies typed into
 * registration screens become null (unknown), which weighs nothing.
 */

/**
 * Numbers used as placeholders or printed in public: all nine digits the same, 123-45-6789, 123-12-1234,
 * 078-05-1120 (the Woolworth wallet card, used by thousands of people after 1938), 219-09-9999 (a Social
 * Security Administration advertisement) and 457-55-5462 (LifeLock's advertised number).
 */
const DUMMIES: ReadonlySet<string> = new Set([
  '123456789',
  '123121234',
  '078051120',
  '219099999',
  '457555462',
  ...['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((digit) => digit.repeat(9)),
]);

/**
 * The nine digits of a valid SSN, or null. Spaces, hyphens and dots are ignored; any other character (a
 * letter: it is an MRN, not an SSN), a length other than nine, area 000, 666 or 900-999 (never issued),
 * group 00, serial 0000, and the known dummies give null.
 */
export function normalizeSsn(raw: string | null | undefined): string | null {
  const digits = (raw ?? '').replace(/[\s.-]/gu, '');
  if (!/^\d{9}$/u.test(digits)) return null;
  const area = digits.slice(0, 3);
  const group = digits.slice(3, 5);
  const serial = digits.slice(5);
  if (area === '000' || area === '666' || area >= '900') return null;
  if (group === '00' || serial === '0000') return null;
  if (DUMMIES.has(digits)) return null;
  return digits;
}

/** The last four digits of a valid SSN (the part most often collected alone), or null. */
export function ssnLast4(raw: string | null | undefined): string | null {
  return normalizeSsn(raw)?.slice(5) ?? null;
}
