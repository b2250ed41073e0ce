import { describe, expect, it } from 'vitest';
import { decide, DOMINANCE_MARGIN, type CandidateScore } from '../../algorithms/decide.js';

const t = { upper: 0.99, lower: 0.5 };
const c = (goldenId: string, probability: number, extra: Partial<CandidateScore> = {}): CandidateScore => ({ goldenId, probability, sameAuthority: false, householdVeto: false, ...extra });

describe('decide', () => {
  it('starts a new golden record with no candidate or only weak ones', () => {
    expect(decide([], t)).toEqual({ action: 'new' });
    expect(decide([c('g1', 0.49), c('g2', 0.1)], t)).toEqual({ action: 'new' });
  });

  it('links to the single strong candidate, whatever order they come in', () => {
    expect(decide([c('g2', 0.6), c('g1', 0.995)], t)).toEqual({ action: 'link', goldenId: 'g1', probability: 0.995 });
    expect(decide([c('g1', 0.99)], t)).toMatchObject({ action: 'link' });
  });

  it.each([
    ['between the thresholds', [c('g1', 0.7)], ['between-thresholds']],
    ['at the lower threshold', [c('g1', 0.5)], ['between-thresholds']],
    ['two strong golden records', [c('g1', 0.999), c('g2', 0.995)], ['several-golden-records']],
    ['a same-authority duplicate', [c('g1', 0.999, { sameAuthority: true })], ['same-authority']],
    ['a household veto', [c('g1', 0.999, { householdVeto: true })], ['household']],
    ['several reasons at once', [c('g1', 0.8, { householdVeto: true, sameAuthority: true })], ['between-thresholds', 'same-authority', 'household']],
  ])('sends %s to review', (_, candidates, reasons) => {
    const d = decide(candidates, t);
    expect(d.action).toBe('review');
    if (d.action === 'review') {
      expect(d.goldenId).toBe('g1');
      expect(d.reasons).toEqual(reasons);
    }
  });

  it('links past a weaker strong candidate that is vetoed (the senior beside his junior), but not past a stronger one', () => {
    expect(decide([c('g1', 0.99999), c('g2', 0.9999, { householdVeto: true })], t)).toMatchObject({ action: 'link', goldenId: 'g1' });
    expect(decide([c('g1', 0.9999), c('g2', 0.99999, { householdVeto: true })], t)).toMatchObject({ action: 'review', goldenId: 'g2', reasons: ['several-golden-records', 'household'] });
  });

  it('links past a strong golden record already queued for review with the best one, not past an unrelated one', () => {
    expect(decide([c('g1', 0.99999), c('g2', 0.9999, { inReviewWith: ['g1'] })], t)).toMatchObject({ action: 'link', goldenId: 'g1' });
    expect(decide([c('g1', 0.99999, { inReviewWith: ['g2'] }), c('g2', 0.9999)], t)).toMatchObject({ action: 'link', goldenId: 'g1' });
    expect(decide([c('g1', 0.99999, { inReviewWith: ['g9'] }), c('g2', 0.9999)], t)).toMatchObject({ action: 'review', reasons: ['several-golden-records'] });
  });

  it('joins the established golden record rather than the stand-in a same-source duplicate started, when it scores about as well', () => {
    // g2 holds a duplicate of g1's source, queued to join g1 and kept out only by the same-authority rule.
    const stand = (extra: Partial<CandidateScore> = {}) => c('g2', 1, { weight: 46.5, inReviewWith: ['g1'], waitsToJoin: ['g1'], ...extra });
    expect(decide([stand(), c('g1', 1, { weight: 45, inReviewWith: ['g2'] })], t)).toEqual({ action: 'link', goldenId: 'g1', probability: 1 });
    // Not when the record matches the stand-in clearly better (by more than STAND_IN_MARGIN bits: the "duplicate"
    // may be a twin, HUONG beside HANG), nor when each waits to join the other (two records of one source, each
    // asked about the other's golden record: neither is established).
    expect(decide([stand({ weight: 51 }), c('g1', 1, { weight: 45, inReviewWith: ['g2'] })], t)).toMatchObject({ action: 'link', goldenId: 'g2' });
    expect(decide([stand(), c('g1', 1, { weight: 45, inReviewWith: ['g2'], waitsToJoin: ['g2'] })], t)).toMatchObject({ action: 'link', goldenId: 'g2' });
    // Not when the established one is not a link the record could take on its own.
    expect(decide([stand(), c('g1', 0.9, { weight: 3, inReviewWith: ['g2'] })], t)).toMatchObject({ action: 'link', goldenId: 'g2' });
    expect(decide([stand(), c('g1', 1, { weight: 45, inReviewWith: ['g2'], householdVeto: true })], t)).toMatchObject({ action: 'link', goldenId: 'g2' });
    expect(decide([stand(), c('g1', 1, { weight: 45, inReviewWith: ['g2'], sameAuthority: true })], t)).toMatchObject({ action: 'link', goldenId: 'g2' });
    // A golden record queued with g1 for another reason (a doubt, not the rule) is a person of its own: the higher score wins.
    expect(decide([stand({ waitsToJoin: [] }), c('g1', 1, { weight: 45, inReviewWith: ['g2'] })], t)).toMatchObject({ action: 'link', goldenId: 'g2' });
    // Review reasons are the established record's own, and the stand-in is listed beside it.
    expect(decide([stand(), c('g1', 1, { weight: 45, inReviewWith: ['g2'] }), c('g3', 1, { weight: 40 })], t)).toMatchObject({
      action: 'review',
      goldenId: 'g1',
      reasons: ['several-golden-records'],
      alternatives: ['g2', 'g3'],
    });
  });

  it('links to a strong golden record that outscores another strong one by DOMINANCE_MARGIN bits, and asks about the other', () => {
    expect(DOMINANCE_MARGIN).toBe(10);
    const best = c('g1', 1, { weight: 18.8 });
    expect(decide([c('g2', 0.9958, { weight: 8.8 }), best], t)).toEqual({ action: 'link', goldenId: 'g1', probability: 1, alsoAsk: ['g2'] });
    // A hair less than the margin: a real choice, for a steward.
    expect(decide([best, c('g2', 0.9958, { weight: 8.81 })], t)).toMatchObject({ action: 'review', goldenId: 'g1', reasons: ['several-golden-records'], alternatives: ['g2'] });
    // Only strong ones are asked about: one between the thresholds, one vetoed (another person of the household)
    // and one already queued with the best one ask nothing new.
    expect(decide([best, c('g2', 0.995, { weight: 7 }), c('g3', 0.95, { weight: 4 }), c('g4', 0.999, { weight: 8, householdVeto: true }), c('g5', 0.999, { weight: 8, inReviewWith: ['g1'] })], t)).toEqual({
      action: 'link',
      goldenId: 'g1',
      probability: 1,
      alsoAsk: ['g2'],
    });
    // Without weights (probabilities saturate) nothing dominates.
    expect(decide([c('g1', 0.9999999), c('g2', 0.995)], t)).toMatchObject({ action: 'review', reasons: ['several-golden-records'] });
    // The best one's own doubts still send the record to review, with the outscored one listed beside it.
    expect(decide([c('g1', 1, { weight: 30, sameAuthority: true }), c('g2', 0.995, { weight: 8 })], t)).toMatchObject({ action: 'review', reasons: ['same-authority'], alternatives: ['g2'] });
  });

  it('ranks by match weight where probabilities are equal in floating point (both 1)', () => {
    const a = c('a', 1, { weight: 40, inReviewWith: ['b'] });
    const b = c('b', 1, { weight: 60 });
    expect(decide([a, b], t)).toMatchObject({ action: 'link', goldenId: 'b' });
    expect(decide([b, a], t)).toMatchObject({ action: 'link', goldenId: 'b' });
  });

  it('lists the other plausible golden records with a review item', () => {
    const d = decide([c('g1', 0.999), c('g2', 0.995), c('g3', 0.6), c('g4', 0.2)], t);
    expect(d).toMatchObject({ action: 'review', goldenId: 'g1', alternatives: ['g2', 'g3'] });
  });
});
