/**
 * A guarantor's SSN on a dependant's record. Registration clerks often key the SSN of the person responsible
 * for the bill into a child's PID-19 (HL7 has a guarantor segment for it, GT1-12, which many systems never
 * fill). The child's records then disagree on SSN (one carries the child's own, one the parent's: a veto, so
 * the child stays split), and two siblings who both carry the parent's agree on it (which would lift the
 * household veto that keeps them apart).
 *
 * Among the persons a record is scored with (the record and the members of its candidate golden records), an
 * SSN held by two persons born a generation apart, and not on the same day and month (one person's birth year
 * keyed wrong, 1958 / 1988, keeps both), is the elder's: on the records of the holders born a generation
 * after the eldest it is read as not sent.
 */

import type { Person } from './person.js';

/** Years between a parent's birth and a child's: as for the household-generation veto (pair-score.ts). */
export const GUARANTOR_GENERATION_YEARS = 15;

/**
 * The persons as scoring should read them: the same objects, except holders of a guarantor's SSN born a
 * generation after its eldest holder, copied without their SSN.
 */
export function withoutGuarantorSsns<P extends Person>(persons: readonly P[]): P[] {
  const eldest = new Map<string, P>();
  let holders = 0;
  for (const p of persons) {
    if (p.ssn === null || p.dob === null) continue;
    holders++;
    const e = eldest.get(p.ssn);
    if (e === undefined || p.dob.y < e.dob!.y) eldest.set(p.ssn, p);
  }
  // Every SSN held once: nothing to read differently (the common case).
  if (eldest.size === holders) return [...persons];
  return persons.map((p) => {
    if (p.ssn === null || p.dob === null) return p;
    const e = eldest.get(p.ssn)!;
    const elder = e.dob!;
    const sameDay = elder.m !== undefined && elder.d !== undefined && elder.m === p.dob.m && elder.d === p.dob.d;
    return p.dob.y - elder.y >= GUARANTOR_GENERATION_YEARS && !sameDay ? { ...p, ssn: null } : p;
  });
}
