import { describe, expect, it } from 'vitest';
import { aggregatePatterns, estimateU, expectationMaximisation, type Parameters } from '../../algorithms/em.js';
import { mulberry32 as prng } from '../helpers/prng.js';

const pick = (r: () => number, probs: readonly number[]) => {
  let x = r();
  for (let i = 0; i < probs.length; i++) {
    x -= probs[i]!;
    if (x < 0) return i;
  }
  return probs.length - 1;
};

// Four comparisons; level 0 is null (missing), levels 1.. are exact, partial, else.
const nullLevel = [0, 0, 0, 0];
const truth: Parameters = {
  lambda: 0.08,
  m: [
    [NaN, 0.85, 0.1, 0.05],
    [NaN, 0.9, 0.07, 0.03],
    [NaN, 0.7, 0.2, 0.1],
    [NaN, 0.95, 0.05],
  ],
  u: [
    [NaN, 0.02, 0.08, 0.9],
    [NaN, 0.005, 0.045, 0.95],
    [NaN, 0.1, 0.3, 0.6],
    [NaN, 0.5, 0.5],
  ],
};
const missing = [0.05, 0.1, 0.02, 0.2];

function simulate(n: number, seed: number) {
  const r = prng(seed);
  const vectors: number[][] = [];
  for (let i = 0; i < n; i++) {
    const isMatch = r() < truth.lambda;
    vectors.push(truth.m.map((_, c) => (r() < missing[c]! ? 0 : 1 + pick(r, (isMatch ? truth.m : truth.u)[c]!.slice(1)))));
  }
  return vectors;
}

describe('expectation-maximisation', () => {
  const vectors = simulate(200_000, 7);
  const patterns = aggregatePatterns(vectors);

  it('counts each distinct vector once', () => {
    expect(patterns.reduce((s, p) => s + p.count, 0)).toBe(200_000);
    expect(patterns.length).toBeLessThanOrEqual(4 * 4 * 4 * 3);
    expect(new Set(patterns.map((p) => p.gamma.join())).size).toBe(patterns.length);
  });

  it('recovers m and λ from a poor start with u fixed at its random-pair estimate', () => {
    const start: Parameters = { lambda: 0.3, m: truth.m.map((row) => row.map((x, l) => (l === 0 ? NaN : 1 / (row.length - 1)))), u: truth.u };
    // a flat m would be a fixed point; the usual start is "agreement more likely among matches"
    start.m = start.m.map((row) => row.map((x, l) => (l === 0 ? NaN : l === 1 ? 0.6 : 0.4 / (row.length - 2))));
    const r = expectationMaximisation(patterns, start, { nullLevel, fixU: true, tolerance: 1e-7, maxIterations: 500 });
    expect(r.converged).toBe(true);
    expect(r.lambda).toBeCloseTo(truth.lambda, 2);
    r.m.forEach((row, c) => row.forEach((x, l) => l > 0 && expect(Math.abs(x - truth.m[c]![l]!), `m[${c}][${l}]`).toBeLessThan(0.02)));
    // the likelihood never decreases (a property of EM)
    for (let i = 1; i < r.history.length; i++) expect(r.history[i]!.logLikelihood).toBeGreaterThanOrEqual(r.history[i - 1]!.logLikelihood - 1e-6);
  });

  it('estimates u from random pairs, ignoring nulls, with add-one smoothing', () => {
    // random pairs are (almost) all non-matches: simulate them with λ = 0
    const r = prng(3);
    const randomPairs = Array.from({ length: 100_000 }, () => truth.u.map((row, c) => (r() < missing[c]! ? 0 : 1 + pick(r, row.slice(1)))));
    const u = estimateU(randomPairs, [4, 4, 4, 3], nullLevel);
    u.forEach((row, c) => {
      expect(row[0]).toBeNaN();
      row.forEach((x, l) => l > 0 && expect(Math.abs(x - truth.u[c]![l]!), `u[${c}][${l}]`).toBeLessThan(0.005));
      expect(row.slice(1).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    });
    // a level never observed still gets a small positive u
    const none = estimateU([[1], [1], [1]], [3], [0]);
    expect(none[0]![2]).toBeCloseTo(1 / 5, 12);
  });

  it('reports non-convergence honestly', () => {
    const start: Parameters = { lambda: 0.3, m: truth.m.map((row) => row.map((x, l) => (l === 0 ? NaN : l === 1 ? 0.6 : 0.4 / (row.length - 2)))), u: truth.u };
    const r = expectationMaximisation(patterns, start, { nullLevel, maxIterations: 2, tolerance: 1e-12 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(2);
    expect(r.history).toHaveLength(2);
  });
});
