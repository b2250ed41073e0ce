/**
 * Training a person model on unlabelled records, as Splink does it.
 *
 * u: from the comparison vectors of random comparable pairs, which are (almost) all non-matches:
 *      u_c(l) = (n_c(l) + 1) / (Σ_l n_c(l) + k_c)            (em.ts estimateU: add-one smoothing)
 * m: by EM with u fixed (em.ts), in two sessions. Each session's pairs are blocked on a rule, and the
 *    comparisons that rule constrains are masked (set to null) in that session, because inside its blocks
 *    they agree by construction and would look like evidence of a match:
 *      session 1, blocked on the date of birth:       estimates m for every comparison but dob;
 *      session 2, blocked on given and family names:  estimates m for every comparison but the names.
 *    m_c is the mean of the sessions that estimated it (that did not mask c and saw c non-null).
 * λ: from session 1. Its expected matches E1 = Σ n(γ)·p(γ) are the matches whose dates are known and
 *    equal; the share of all matches that are so, r = P(dob exact | match), is read from session 2's
 *    posterior matches (which were not selected on the date). Then
 *      λ = E1 / r / (comparable pairs).
 *
 * A comparison that random pairs never fill (FEBRL has no sex, SSN or phone) cannot be trained: it keeps
 * the base model's m and u. Every probability is clamped inside (0, 1), so the result always parses.
 * Deterministic for a given `random`.
 */

import type { BlockingRule } from './blocking.js';
import { aggregatePatterns, estimateU, expectationMaximisation, type EmResult, type Parameters, type Pattern } from './em.js';
import { parseModel, type Model } from './model.js';
import { C, COMPARISON_NAMES, compareVector, LEVEL_LABELS } from './person-comparisons.js';
import type { Person } from './person.js';

export interface TrainingOptions {
  /** Starting parameters and the comparisons/levels/thresholds to keep (thresholds are copied unchanged). */
  base: Model;
  /** Seeded random source in [0,1): same seed, same model. */
  random: () => number;
  /** Random pairs for u (default 100_000; fewer if the population is small). */
  randomPairs?: number;
  /** Skip blocks larger than this in the EM sessions (default 1000). */
  maxBlockSize?: number;
  /** EM iterations per session (default 200). */
  maxIterations?: number;
  /** EM stops when no parameter moves by more than this (default 1e-6). */
  tolerance?: number;
  /** Only pairs for which this returns true are comparable (e.g. across two files of a linkage); default all pairs. */
  comparable?: (i: number, j: number) => boolean;
  /**
   * The number of comparable pairs, when the caller knows it (a linkage: |A|·|B|); otherwise it is n(n−1)/2
   * without `comparable`, and counted pair by pair with it.
   */
  comparablePairs?: number;
}

export interface TrainingSession {
  rule: string;
  pairs: number;
  patterns: number;
  iterations: number;
  converged: boolean;
  lambda: number;
  logLikelihood: number[];
}

export interface TrainingResult {
  /** base with new m, u, λ; version = base.version + 1; name = `${base.name}-trained` unless caller renames. */
  model: Model;
  sessions: TrainingSession[];
  randomPairs: number;
  /** Comparable pairs in the population (n(n-1)/2 for a dedup). */
  comparablePairs: number;
}

/** Probabilities are kept inside (FLOOR, 1 − FLOOR). */
const FLOOR = 1e-6;
const clamp = (p: number) => Math.min(1 - FLOOR, Math.max(FLOOR, p));

/** Posterior match probability of a pattern (null levels skipped). */
function posterior(gamma: readonly number[], params: Parameters, nullLevel: readonly number[]): number {
  let pm = params.lambda;
  let pu = 1 - params.lambda;
  for (let c = 0; c < gamma.length; c++) {
    const l = gamma[c]!;
    if (l === nullLevel[c]) continue;
    pm *= params.m[c]![l]!;
    pu *= params.u[c]![l]!;
  }
  return pm / (pm + pu);
}

/** The base model must describe the comparison vector compareVector writes. */
function checkAligned(base: Model): void {
  const names = base.comparisons.map((c) => c.name);
  if (names.join() !== COMPARISON_NAMES.join()) throw new RangeError(`trainModel: base comparisons ${names.join(', ')} are not ${COMPARISON_NAMES.join(', ')}`);
  for (const c of base.comparisons) {
    const want = LEVEL_LABELS[c.name as keyof typeof LEVEL_LABELS] as readonly string[];
    const got = c.levels.map((l) => l.label);
    if (got.join() !== want.join()) throw new RangeError(`trainModel: ${c.name} levels ${got.join(', ')} are not ${want.join(', ')}`);
  }
}

function countComparable(n: number, comparable: ((i: number, j: number) => boolean) | undefined): number {
  if (comparable === undefined) return (n * (n - 1)) / 2;
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (comparable(i, j)) k++;
  return k;
}

/**
 * Vectors of random comparable pairs (i ≠ j, drawn with replacement). When the population has no more
 * comparable pairs than asked for, every comparable pair once instead.
 */
function randomVectors(persons: readonly Person[], opts: TrainingOptions, wanted: number, comparablePairs: number): number[][] {
  const n = persons.length;
  const ok = opts.comparable ?? (() => true);
  const out = new Uint8Array(COMPARISON_NAMES.length);
  const vectors: number[][] = [];
  if (comparablePairs <= wanted) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (ok(i, j)) vectors.push(Array.from(compareVector(persons[i]!, persons[j]!, out)));
    return vectors;
  }
  // Rejection sampling; bounded, so a `comparable` that almost never holds cannot loop for ever.
  const maxDraws = wanted * 100;
  for (let draws = 0; vectors.length < wanted && draws < maxDraws; draws++) {
    const i = Math.floor(opts.random() * n);
    const j = Math.floor(opts.random() * n);
    if (i === j || !ok(Math.min(i, j), Math.max(i, j))) continue;
    vectors.push(Array.from(compareVector(persons[i]!, persons[j]!, out)));
  }
  return vectors;
}

interface Session {
  rule: string;
  masked: readonly number[];
  pairs: number;
  patterns: Pattern[];
  /** Non-null outcomes seen per comparison (0: the session says nothing about it). */
  observed: number[];
  result: EmResult | null;
}

export function trainModel(persons: readonly Person[], opts: TrainingOptions): TrainingResult {
  const { base } = opts;
  checkAligned(base);
  const K = COMPARISON_NAMES.length;
  const nullLevel = base.comparisons.map((c) => c.levels.findIndex((l) => l.isNull));
  const levelsPerComparison = base.comparisons.map((c) => c.levels.length);
  const comparablePairs = opts.comparablePairs ?? countComparable(persons.length, opts.comparable);
  const maxIterations = opts.maxIterations ?? 200;
  const tolerance = opts.tolerance ?? 1e-6;

  // u from random pairs.
  const random = randomVectors(persons, opts, opts.randomPairs ?? 100_000, comparablePairs);
  const uRandom = estimateU(random, levelsPerComparison, nullLevel);
  const observed = nullLevel.map((nl, c) => random.some((v) => v[c] !== nl));
  const baseM = base.comparisons.map((c) => c.levels.map((l) => (l.isNull ? Number.NaN : l.m)));
  const baseU = base.comparisons.map((c) => c.levels.map((l) => (l.isNull ? Number.NaN : l.u)));
  const u = uRandom.map((row, c) => (observed[c] ? row : baseU[c]!));
  const start: Parameters = { lambda: 0.01, m: baseM, u };

  const out = new Uint8Array(K);
  const maxBlockSize = opts.maxBlockSize ?? 1000;
  /**
   * One EM session: the comparison vectors of the pairs inside each block of `rule` (blocks larger than the
   * cap skipped), the masked comparisons set to null, counted by distinct vector as they are made, so that
   * memory grows with the distinct patterns, not with the pairs.
   */
  const session = (rule: BlockingRule<Person>, masked: readonly number[]): Session => {
    const blocks = new Map<string, number[]>();
    let severalKeys = false;
    persons.forEach((p, i) => {
      const keys = rule.keys(p);
      if (keys.length > 1) severalKeys = true;
      for (const k of keys) {
        const b = blocks.get(k);
        if (b) b.push(i);
        else blocks.set(k, [i]);
      }
    });
    // With one key per record a pair meets in one block only; otherwise pairs are deduplicated.
    const met = severalKeys ? new Set<number>() : null;
    const seen = new Array<number>(K).fill(0);
    let pairs = 0;
    const v = new Array<number>(K).fill(0);
    function* vectors(): Generator<readonly number[]> {
      for (const members of blocks.values()) {
        if (members.length > maxBlockSize) continue;
        for (let a = 0; a < members.length; a++) {
          for (let b = a + 1; b < members.length; b++) {
            const i = members[a]!;
            const j = members[b]!; // i < j: members are in index order
            if (met !== null) {
              const id = i * persons.length + j;
              if (met.has(id)) continue;
              met.add(id);
            }
            if (opts.comparable !== undefined && !opts.comparable(i, j)) continue;
            compareVector(persons[i]!, persons[j]!, out);
            for (let c = 0; c < K; c++) {
              v[c] = masked.includes(c) ? nullLevel[c]! : out[c]!;
              if (v[c] !== nullLevel[c]) seen[c]!++;
            }
            pairs++;
            yield v;
          }
        }
      }
    }
    const patterns = aggregatePatterns(vectors());
    const result = pairs === 0 ? null : expectationMaximisation(patterns, start, { nullLevel, fixU: true, maxIterations, tolerance });
    return { rule: rule.name, masked, pairs, patterns, observed: seen, result };
  };

  const s1 = session({ name: 'dob', keys: (p) => (p.dobKey === null ? [] : [p.dobKey]) }, [C.dob]);
  const s2 = session(
    { name: 'given+family', keys: (p) => (p.given === '' || p.family === '' ? [] : [`${p.given}|${p.family}`]) },
    [C.given_name, C.family_name],
  );
  const sessions = [s1, s2];

  // m per comparison: the mean over the sessions that estimated it; the base m where none did.
  const m = baseM.map((row, c) => {
    const from = sessions.filter((s) => s.result !== null && !s.masked.includes(c) && s.observed[c]! > 0);
    if (!observed[c] || from.length === 0) return row;
    return row.map((x, l) => (l === nullLevel[c] ? x : from.reduce((s, f) => s + f.result!.m[c]![l]!, 0) / from.length));
  });

  // λ = E1 / r / comparable pairs (see the header).
  const dobExact = LEVEL_LABELS.dob.indexOf('exact');
  let lambda = base.lambda;
  if (s1.result !== null && comparablePairs > 0) {
    const expected1 = s1.patterns.reduce((s, p) => s + p.count * posterior(p.gamma, s1.result!, nullLevel), 0);
    let recall1 = baseM[C.dob]![dobExact]!;
    if (s2.result !== null) {
      let matches2 = 0;
      let dobEqual2 = 0;
      for (const p of s2.patterns) {
        const w = p.count * posterior(p.gamma, s2.result, nullLevel);
        matches2 += w;
        if (p.gamma[C.dob] === dobExact) dobEqual2 += w;
      }
      if (matches2 > 1e-9) recall1 = dobEqual2 / matches2;
    }
    lambda = Math.min(0.5, expected1 / Math.max(recall1, 1e-3) / comparablePairs);
  }

  const model = parseModel({
    ...base,
    version: base.version + 1,
    name: `${base.name}-trained`,
    lambda: clamp(lambda),
    comparisons: base.comparisons.map((comp, c) => ({
      name: comp.name,
      levels: comp.levels.map((l, i) => (l.isNull ? l : { ...l, m: clamp(m[c]![i]!), u: clamp(u[c]![i]!) })),
    })),
  });

  return {
    model,
    sessions: sessions.map((s) => ({
      rule: s.rule,
      pairs: s.pairs,
      patterns: s.patterns.length,
      iterations: s.result?.iterations ?? 0,
      converged: s.result?.converged ?? false,
      lambda: s.result?.lambda ?? 0,
      logLikelihood: s.result?.history.map((h) => h.logLikelihood) ?? [],
    })),
    randomPairs: random.length,
    comparablePairs,
  };
}
