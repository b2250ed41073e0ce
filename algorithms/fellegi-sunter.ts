import type { Model } from './model.js';

/**
 * Fellegi-Sunter scoring.
 *
 *   match weight of a level      w = log2(m / u)
 *   prior weight                 w0 = log2(λ / (1 − λ))
 *   total match weight           W = w0 + Σ_c w_c(γ_c)          (null levels weigh 0)
 *   match probability            P = 2^W / (1 + 2^W)
 *
 * Term-frequency adjustment (as Splink does it): on a level with tfWeight > 0, agreement on a value whose
 * frequency among records is tf is evidence against a random match in proportion to its rarity, so
 *   w_tf = tfWeight · log2(u / max(tf, minTermFrequency))
 * is added: with tfWeight = 1 the level weighs log2(m / tf), i.e. u is replaced by the value's frequency.
 */

/** γ: for each comparison, the index of the level that holds. */
export type ComparisonVector = ArrayLike<number>;

export const matchWeight = (m: number, u: number) => Math.log2(m / u);
export const priorWeight = (lambda: number) => Math.log2(lambda / (1 - lambda));
/** 2^W / (1 + 2^W), written so that large |W| neither overflows nor loses the small side. */
export const probabilityOf = (weight: number) => 1 / (1 + 2 ** -weight);
export const weightOf = (probability: number) => Math.log2(probability / (1 - probability));

/** A model reduced to what scoring needs: the prior and a weight per (comparison, level). */
export interface CompiledModel {
  readonly model: Model;
  readonly prior: number;
  /** weights[c][l]; 0 for null levels. */
  readonly weights: readonly Float64Array[];
  /** tfWeight[c][l]; 0 where there is no term-frequency adjustment. */
  readonly tfWeights: readonly Float64Array[];
  /** u[c][l]; NaN for null levels. */
  readonly u: readonly Float64Array[];
  /** m[c][l]; NaN for null levels. */
  readonly m: readonly Float64Array[];
}

export function compile(model: Model): CompiledModel {
  const weights = model.comparisons.map((c) => Float64Array.from(c.levels, (l) => (l.isNull ? 0 : matchWeight(l.m, l.u))));
  const tfWeights = model.comparisons.map((c) => Float64Array.from(c.levels, (l) => (l.isNull ? 0 : l.tfWeight)));
  const u = model.comparisons.map((c) => Float64Array.from(c.levels, (l) => (l.isNull ? Number.NaN : l.u)));
  const m = model.comparisons.map((c) => Float64Array.from(c.levels, (l) => (l.isNull ? Number.NaN : l.m)));
  return { model, prior: priorWeight(model.lambda), weights, tfWeights, u, m };
}

/**
 * Total match weight of one comparison vector: the hot path (millions per second), so no allocation.
 * `tf[c]`, when given, is the frequency of the agreeing value for comparison c.
 */
export function totalWeight(cm: CompiledModel, gamma: ComparisonVector, tf?: ArrayLike<number | undefined>): number {
  let w = cm.prior;
  const n = cm.weights.length;
  for (let c = 0; c < n; c++) {
    const level = gamma[c]!;
    w += cm.weights[c]![level]!;
    if (tf !== undefined) {
      const f = tf[c];
      const k = cm.tfWeights[c]![level]!;
      if (f !== undefined && k > 0) w += tfAdjustment(cm, c, level, f, k);
    }
  }
  return w;
}

/** One comparison's share of the total: its level's weight plus the term-frequency adjustment. */
export function levelWeight(cm: CompiledModel, c: number, level: number, frequency: number | undefined): number {
  const k = cm.tfWeights[c]![level]!;
  return cm.weights[c]![level]! + (frequency !== undefined && k > 0 ? tfAdjustment(cm, c, level, frequency, k) : 0);
}

function tfAdjustment(cm: CompiledModel, c: number, level: number, frequency: number, strength: number): number {
  return strength * Math.log2(cm.u[c]![level]! / Math.max(frequency, cm.model.minTermFrequency));
}

export interface Contribution {
  comparison: string;
  level: string;
  levelIndex: number;
  /** log2(m/u) of the level; 0 for a null level. */
  weight: number;
  /** Term-frequency adjustment added on top (0 when none). */
  tfAdjustment: number;
  m?: number;
  u?: number;
}

export interface Explanation {
  /** Prior weight log2(λ/(1−λ)). */
  prior: number;
  contributions: Contribution[];
  weight: number;
  probability: number;
}

/** The score with its parts: prior plus one contribution per comparison adds up to `weight` (the waterfall). */
export function explain(cm: CompiledModel, gamma: ComparisonVector, tf?: ArrayLike<number | undefined>): Explanation {
  const contributions: Contribution[] = cm.model.comparisons.map((c, i) => {
    const levelIndex = gamma[i]!;
    const level = c.levels[levelIndex];
    if (!level) throw new RangeError(`comparison ${c.name} has no level ${levelIndex}`);
    const f = tf?.[i];
    const k = cm.tfWeights[i]![levelIndex]!;
    const adj = f !== undefined && k > 0 ? tfAdjustment(cm, i, levelIndex, f, k) : 0;
    return level.isNull
      ? { comparison: c.name, level: level.label, levelIndex, weight: 0, tfAdjustment: 0 }
      : { comparison: c.name, level: level.label, levelIndex, weight: cm.weights[i]![levelIndex]!, tfAdjustment: adj, m: level.m, u: level.u };
  });
  const weight = contributions.reduce((s, c) => s + c.weight + c.tfAdjustment, cm.prior);
  return { prior: cm.prior, contributions, weight, probability: probabilityOf(weight) };
}
