import { describe, expect, it } from 'vitest';
import { compile, explain, matchWeight, priorWeight, probabilityOf, totalWeight, weightOf } from '../../algorithms/fellegi-sunter.js';
import { parseModel } from '../../algorithms/model.js';

const model = parseModel({
  version: 1,
  name: 'test',
  lambda: 0.001,
  thresholds: { upper: 0.99, lower: 0.5 },
  comparisons: [
    {
      name: 'family',
      levels: [
        { label: 'null', isNull: true },
        { label: 'exact', isNull: false, m: 0.9, u: 0.01, tfWeight: 1 },
        { label: 'else', isNull: false, m: 0.1, u: 0.99 },
      ],
    },
    {
      name: 'dob',
      levels: [
        { label: 'null', isNull: true },
        { label: 'exact', isNull: false, m: 0.95, u: 0.001 },
        { label: 'else', isNull: false, m: 0.05, u: 0.999 },
      ],
    },
  ],
});
const cm = compile(model);

describe('Fellegi-Sunter weights', () => {
  it.each([
    [0.9, 0.1, 3.169925],
    [0.5, 0.5, 0],
    [0.05, 0.999, -4.320485],
    [0.95, 0.001, 9.891784],
  ])('log2(m/u) for m=%d u=%d is %d', (m, u, w) => {
    expect(matchWeight(m, u)).toBeCloseTo(w, 5);
  });

  it('has the prior log2(λ/(1−λ))', () => {
    expect(priorWeight(0.001)).toBeCloseTo(-9.964341, 5);
    expect(priorWeight(0.5)).toBe(0);
  });

  it('turns weights into probabilities and back, without overflow', () => {
    expect(probabilityOf(0)).toBe(0.5);
    expect(probabilityOf(1)).toBeCloseTo(2 / 3, 12);
    expect(probabilityOf(-1)).toBeCloseTo(1 / 3, 12);
    expect(probabilityOf(5000)).toBe(1);
    expect(probabilityOf(-5000)).toBe(0);
    expect(weightOf(probabilityOf(7.25))).toBeCloseTo(7.25, 9);
  });

  it('adds the prior and the level weights; null levels weigh nothing', () => {
    // family exact + dob exact
    expect(totalWeight(cm, [1, 1])).toBeCloseTo(-9.964341 + Math.log2(90) + 9.891784, 5);
    // family null + dob else
    expect(totalWeight(cm, [0, 2])).toBeCloseTo(-9.964341 - 4.320485, 5);
    expect(totalWeight(cm, [0, 0])).toBeCloseTo(priorWeight(0.001), 12);
  });

  it('adjusts agreement on a rare value upwards and on a common value downwards', () => {
    const base = totalWeight(cm, [1, 0]);
    // tfWeight 1: u (0.01) is replaced by the value's frequency.
    expect(totalWeight(cm, [1, 0], [0.0001, undefined]) - base).toBeCloseTo(Math.log2(0.01 / 0.0001), 9);
    expect(totalWeight(cm, [1, 0], [0.05, undefined]) - base).toBeCloseTo(Math.log2(0.01 / 0.05), 9);
    // a value never seen counts as minTermFrequency, not as infinitely rare
    expect(totalWeight(cm, [1, 0], [0, undefined]) - base).toBeCloseTo(Math.log2(0.01 / 1e-6), 9);
    // no adjustment where the level has none (dob) or the level is not the adjusted one (family else)
    expect(totalWeight(cm, [2, 1], [0.0001, 0.0001])).toBeCloseTo(totalWeight(cm, [2, 1]), 12);
  });

  it('explains a score as parts that add up to it', () => {
    const e = explain(cm, [1, 2], [0.001, undefined]);
    expect(e.contributions.map((c) => [c.comparison, c.level])).toEqual([
      ['family', 'exact'],
      ['dob', 'else'],
    ]);
    const sum = e.prior + e.contributions.reduce((s, c) => s + c.weight + c.tfAdjustment, 0);
    expect(sum).toBeCloseTo(e.weight, 12);
    expect(e.weight).toBeCloseTo(totalWeight(cm, [1, 2], [0.001, undefined]), 12);
    expect(e.probability).toBeCloseTo(probabilityOf(e.weight), 12);
    expect(e.contributions[0]).toMatchObject({ m: 0.9, u: 0.01 });
    expect(() => explain(cm, [7, 0])).toThrow(RangeError);
  });
});

describe('model documents', () => {
  const valid = { version: 1, name: 'x', lambda: 0.01, thresholds: { upper: 0.9, lower: 0.2 }, comparisons: [{ name: 'a', levels: [{ label: 'y', isNull: false, m: 0.9, u: 0.1 }, { label: 'n', isNull: false, m: 0.1, u: 0.9 }] }] };
  it.each([
    ['lambda out of range', { ...valid, lambda: 1 }, 'lambda'],
    ['m of 0', { ...valid, comparisons: [{ name: 'a', levels: [{ label: 'y', isNull: false, m: 0, u: 0.1 }, { label: 'n', isNull: false, m: 0.1, u: 0.9 }] }] }, 'comparisons.0.levels.0.m'],
    ['thresholds crossed', { ...valid, thresholds: { upper: 0.2, lower: 0.9 } }, 'thresholds'],
    ['duplicate comparison', { ...valid, comparisons: [valid.comparisons[0], valid.comparisons[0]] }, 'comparisons.1.name'],
    ['null level not first', { ...valid, comparisons: [{ name: 'a', levels: [...valid.comparisons[0]!.levels, { label: 'null', isNull: true }] }] }, 'comparisons.0'],
  ])('refuses %s and names the path', (_, doc, path) => {
    expect(() => parseModel(doc)).toThrow(path);
  });
  it('accepts a valid document and fills defaults', () => {
    const m = parseModel(valid);
    expect(m.minTermFrequency).toBe(1e-6);
    expect(m.comparisons[0]!.levels[0]).toMatchObject({ tfWeight: 0 });
  });
});
