/**
 * The score of a record against a golden record (a cluster of records of one person), from its scores against
 * each member (algorithms/pair-score.ts), as the decision (algorithms/decide.ts) takes it:
 *
 * - the best member speaks for the golden record: its weight and probability, and all its vetoes;
 * - every other member is heard through its firm vetoes (pair-score.ts firmVetoes): one member that says "a
 *   different person" (a different SSN, suffix or generation; two real given names) is not outvoted by another
 *   that merely resembles the record (BELLA, a nickname of both twins ISABEL and ISABELLA);
 * - an SSN that two of the persons hold a generation apart is the elder's, a guarantor's on the younger's
 *   records, and is read there as not sent (guarantor-ssn.ts).
 *
 * One function for the online matcher and for $match, so that what a client is told and what the matcher does
 * cannot drift apart.
 */

import type { CandidateScore } from './decide.js';
import type { KnownNames } from './normalize/given-names.js';
import { firmVetoes, scorePair, type PairScore, type TermCounts, type Veto } from './pair-score.js';
import type { CompiledModel } from './fellegi-sunter.js';
import type { Person } from './person.js';
import { withoutGuarantorSsns } from './guarantor-ssn.js';

export interface ScoredMember<M> {
  goldenId: string;
  person: Person;
  /** The caller's handle on the member (a stored row), returned as `bestMember`. */
  member: M;
  /** The member comes from the record's own assigning authority. */
  sameAuthority?: boolean;
}

export interface GoldenScore<M> {
  goldenId: string;
  best: PairScore;
  bestMember: M;
  /** Some member is of the record's own authority (a source-internal duplicate). */
  sameAuthority: boolean;
  /** The best member's vetoes and the firm vetoes of every member. */
  vetoes: Set<Veto>;
  /** Firm vetoes of any member, the best one's included. */
  firm: Set<Veto>;
}

export function scoreGoldens<M>(cm: CompiledModel, record: Person, members: Iterable<ScoredMember<M>>, tf?: TermCounts, known?: KnownNames): Array<GoldenScore<M>> {
  const list = [...members];
  // A guarantor's SSN on a dependant's record is read as not sent (guarantor-ssn.ts), on either side.
  const [person, ...others] = withoutGuarantorSsns([record, ...list.map((m) => m.person)]);
  const byGolden = new Map<string, GoldenScore<M>>();
  for (const [i, m] of list.entries()) {
    const other = others[i]!;
    const s = scorePair(cm, person!, other, tf, known);
    const firm = s.vetoes.length ? firmVetoes(s, person!, other, known) : [];
    const cur = byGolden.get(m.goldenId);
    if (!cur) {
      byGolden.set(m.goldenId, { goldenId: m.goldenId, best: s, bestMember: m.member, sameAuthority: m.sameAuthority === true, vetoes: new Set(firm), firm: new Set(firm) });
      continue;
    }
    cur.sameAuthority ||= m.sameAuthority === true;
    for (const v of firm) cur.vetoes.add(v), cur.firm.add(v);
    if (s.weight > cur.best.weight) (cur.best = s), (cur.bestMember = m.member);
  }
  for (const g of byGolden.values()) for (const v of g.best.vetoes) g.vetoes.add(v);
  return [...byGolden.values()];
}

/** What decide() needs of a golden record's score. */
export function candidateScore(g: GoldenScore<unknown>): CandidateScore {
  return { goldenId: g.goldenId, probability: g.best.probability, weight: g.best.weight, sameAuthority: g.sameAuthority, householdVeto: g.vetoes.size > 0 };
}
