/**
 * The clustering decision for one incoming record, given its best score against each candidate golden
 * record. Precision comes first: a false merge puts two people in one record, so every doubt that the
 * score alone cannot settle goes to a steward instead of being linked automatically.
 *
 *   best ≥ upper, alone, no veto      → link to it (a stand-in the same-authority rule left: see below)
 *   best ≥ upper, every other strong  → link to it, and put each of the others to a steward (alsoAsk)
 *     one DOMINANCE_MARGIN bits below
 *   best ≥ upper but ambiguous/vetoed → review
 *   lower ≤ best < upper              → review
 *   best < lower (or no candidate)    → new golden record
 */

export interface CandidateScore {
  goldenId: string;
  /** Match probability of the best-scoring member pair. */
  probability: number;
  /**
   * Its match weight, which ranks the candidates (probability saturates: 1 − 2⁻⁶⁰ is 1 in floating point,
   * where 60 bits and 40 bits are still told apart); probability when absent. Mixing the two in one call is a
   * caller's error.
   */
  weight?: number;
  /** The golden record already holds an active record of the incoming record's own authority. */
  sameAuthority: boolean;
  /** A household pair (shared family, address, phone) whose given name or SSN clearly disagrees. */
  householdVeto: boolean;
  /** Golden records this one already has an open review item with: a question already put to a steward. */
  inReviewWith?: readonly string[];
  /**
   * Golden records that a record of this one is queued to join, kept out only by the same-authority rule: it
   * matched above the upper threshold with no veto, but its source already had an active record there.
   */
  waitsToJoin?: readonly string[];
}

export interface Thresholds {
  upper: number;
  lower: number;
}

export type ReviewReason = 'between-thresholds' | 'several-golden-records' | 'same-authority' | 'household';

export type Decision =
  /** `alsoAsk`: other golden records that match strongly but far less well; each is put to a steward beside the link. */
  | { action: 'link'; goldenId: string; probability: number; alsoAsk?: string[] }
  | { action: 'review'; goldenId: string; probability: number; reasons: ReviewReason[]; alternatives: string[] }
  | { action: 'new' };

/** How much better, in bits of match weight, a stand-in may score than the golden record it waits to join and still give way. */
export const STAND_IN_MARGIN = 2;

/**
 * How much better, in bits of match weight, the best golden record must score than another that is above the
 * upper threshold too for the record to link to the best one: 10 bits, a likelihood ratio of about a thousand to
 * one. Below it the two are a real choice and the record waits for a steward.
 */
export const DOMINANCE_MARGIN = 10;

export function decide(candidates: readonly CandidateScore[], t: Thresholds): Decision {
  const rank = (c: CandidateScore) => c.weight ?? c.probability;
  const ranked = [...candidates].sort((a, b) => rank(b) - rank(a) || a.goldenId.localeCompare(b.goldenId));
  const first = ranked[0];
  if (!first || first.probability < t.lower) return { action: 'new' };
  // A golden record that exists only because the same-authority rule kept its record out of another one is
  // that other one's person by score: the source's duplicate started it and waits for its A40 or a steward. A
  // record of another source that matches both about equally (within STAND_IN_MARGIN bits) joins the
  // established one, as the duplicate itself would have, rather than growing the stand-in: that would leave the
  // person in two golden records once the question is settled, every later record of theirs picking one of the
  // two by a hair of weight. A record that matches the stand-in clearly better is left with it: the "duplicate"
  // may be a twin the score could not tell (HUONG / HANG HOANG, one source sending both), and then it is the
  // stand-in that is the right person. Two golden records each waiting to join the other are no such case.
  const established = ranked.find(
    (c) =>
      first.waitsToJoin?.includes(c.goldenId) === true &&
      c.waitsToJoin?.includes(first.goldenId) !== true &&
      rank(first) - rank(c) <= STAND_IN_MARGIN &&
      c.probability >= t.upper &&
      !c.householdVeto &&
      !c.sameAuthority,
  );
  const best = established ?? first;
  // A vetoed candidate below the best one is a different person the record resembles (the senior when the
  // junior matched exactly, the other twin): it does not make the best candidate ambiguous.
  // Nor does a golden record that is already in the stewards' queue as a possible duplicate of the best one
  // (typically the record a same-source duplicate or an earlier doubt left on its own): linking to the best
  // one leaves that question exactly where it was, while sending every later record of the person to review
  // as well would only repeat it.
  const queued = (c: CandidateScore) => c.inReviewWith?.includes(best.goldenId) === true || best.inReviewWith?.includes(c.goldenId) === true;
  // A strong golden record the best one outscores by DOMINANCE_MARGIN bits or more is not a real choice (MARIA
  // RODRIGUEZ born on the record's birth date, at its address, against another MARIA RODRIGUEZ of the same
  // building born months apart). Sending the record to review would start it a golden record of its own and
  // split its person; it links to the best one instead, and the other is still put to a steward (alsoAsk), since
  // it may be the same person's second golden record. The rule needs weights: probabilities saturate at 1.
  const outscored = (c: CandidateScore) => c.weight !== undefined && best.weight !== undefined && best.weight - c.weight >= DOMINANCE_MARGIN;
  const contenders = ranked.filter((c) => c !== best && c.probability >= t.upper && !c.householdVeto && !queued(c));
  const strong = best.probability >= t.upper ? [best, ...contenders.filter((c) => !outscored(c))] : [];
  const reasons: ReviewReason[] = [];
  if (best.probability < t.upper) reasons.push('between-thresholds');
  // Two golden records both match strongly: linking to one would hide that they may be one person,
  // and merging them is never done silently.
  if (strong.length > 1) reasons.push('several-golden-records');
  // Two active records of one source for one person is the source's duplicate: its own A40 or a steward settles it.
  if (best.sameAuthority) reasons.push('same-authority');
  if (best.householdVeto) reasons.push('household');
  if (!reasons.length) {
    const alsoAsk = contenders.filter(outscored).map((c) => c.goldenId);
    return { action: 'link', goldenId: best.goldenId, probability: best.probability, ...(alsoAsk.length ? { alsoAsk } : {}) };
  }
  return {
    action: 'review',
    goldenId: best.goldenId,
    probability: best.probability,
    reasons,
    alternatives: ranked.filter((c) => c !== best && c.probability >= t.lower).map((c) => c.goldenId),
  };
}
