/**
 * Administrative sex codes (HL7 table 0001 and common variants) to F, M or O. Everything that means "not
 * known" (U, UNKNOWN, A ambiguous, N not applicable, empty, unrecognised) becomes null, never a code: two
 * records that both say UNKNOWN have not agreed on anything, and a value would let them score as if they had.
 */

import { fold } from './text.js';

export type Sex = 'F' | 'M' | 'O';

const CODES: ReadonlyMap<string, Sex> = new Map<string, Sex>([
  ['F', 'F'],
  ['FEMALE', 'F'],
  ['W', 'F'], // weiblich (German senders)
  ['2', 'F'], // ISO/IEC 5218
  ['M', 'M'],
  ['MALE', 'M'],
  ['1', 'M'], // ISO/IEC 5218
  ['O', 'O'], // HL7 0001 "Other"
  ['OTHER', 'O'],
]);

/** 'f', 'Female', 'W', '2' → 'F'; 'm', 'MALE', '1' → 'M'; 'O', 'Other' → 'O'; anything else → null. */
export function normalizeSex(raw: string | null | undefined): Sex | null {
  return CODES.get(fold(raw ?? '')) ?? null;
}
