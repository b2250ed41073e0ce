/**
 * Expectation-maximisation for the Fellegi-Sunter parameters, as Splink trains them: u is estimated from
 * random pairs (almost all non-matches) and usually held fixed; m and λ are estimated by EM on the
 * comparison vectors of blocked pairs, where matches are common enough to be seen.
 *
 * E-step, for each distinct vector γ (pairs with equal vectors share everything, so they are counted once):
 *   p(γ) = λ·Πc m_c(γ_c) / ( λ·Πc m_c(γ_c) + (1−λ)·Πc u_c(γ_c) )        null levels contribute 1
 * M-step:
 *   m_c(l) = Σ n(γ)·p(γ)·[γ_c = l] / Σ n(γ)·p(γ)·[γ_c not null]
 *   u_c(l) likewise with 1 − p(γ) (when u is not fixed)
 *   λ      = Σ n(γ)·p(γ) / Σ n(γ)
 * until no parameter moves by more than `tolerance`.
 */

export interface Pattern {
  gamma: readonly number[];
  count: number;
}

export interface Parameters {
  lambda: number;
  /** m[c][l]; ignored (NaN) at null levels. */
  m: number[][];
  u: number[][];
}

export interface EmOptions {
  /** Index of the null level of each comparison, or -1 when it has none. */
  nullLevel: readonly number[];
  fixU?: boolean;
  maxIterations?: number;
  tolerance?: number;
  /** Keeps every probability inside (floor, 1 − floor): a level never seen must not get m = 0. */
  floor?: number;
}

export interface EmIteration {
  iteration: number;
  lambda: number;
  maxChange: number;
  logLikelihood: number;
}

export interface EmResult extends Parameters {
  iterations: number;
  converged: boolean;
  history: EmIteration[];
}

/** Counts equal comparison vectors: EM's cost then grows with the distinct patterns, not the pairs. */
export function aggregatePatterns(vectors: Iterable<readonly number[]>): Pattern[] {
  const byKey = new Map<string, Pattern>();
  for (const g of vectors) {
    const key = g.join(',');
    const p = byKey.get(key);
    if (p) p.count++;
    else byKey.set(key, { gamma: [...g], count: 1 });
  }
  return [...byKey.values()];
}

export function expectationMaximisation(patterns: readonly Pattern[], start: Parameters, opts: EmOptions): EmResult {
  const { nullLevel, fixU = true, maxIterations = 100, tolerance = 1e-6, floor = 1e-6 } = opts;
  let { lambda } = start;
  let m = start.m.map((r) => [...r]);
  let u = start.u.map((r) => [...r]);
  const history: EmIteration[] = [];
  const C = m.length;
  const total = patterns.reduce((s, p) => s + p.count, 0);
  if (total === 0) throw new RangeError('EM needs at least one comparison vector');

  for (let it = 1; it <= maxIterations; it++) {
    const mNum = m.map((r) => new Array<number>(r.length).fill(0));
    const uNum = u.map((r) => new Array<number>(r.length).fill(0));
    let matches = 0;
    let logLikelihood = 0;
    for (const { gamma, count } of patterns) {
      let pm = lambda;
      let pu = 1 - lambda;
      for (let c = 0; c < C; c++) {
        const l = gamma[c]!;
        if (l === nullLevel[c]) continue;
        pm *= m[c]![l]!;
        pu *= u[c]![l]!;
      }
      const p = pm / (pm + pu);
      logLikelihood += count * Math.log(pm + pu);
      matches += count * p;
      for (let c = 0; c < C; c++) {
        const l = gamma[c]!;
        if (l === nullLevel[c]) continue;
        mNum[c]![l]! += count * p;
        uNum[c]![l]! += count * (1 - p);
      }
    }
    const nextM = normalise(mNum, nullLevel, floor);
    const nextU = fixU ? u : normalise(uNum, nullLevel, floor);
    const nextLambda = clamp(matches / total, floor);
    const maxChange = Math.max(Math.abs(nextLambda - lambda), maxDiff(m, nextM, nullLevel), fixU ? 0 : maxDiff(u, nextU, nullLevel));
    m = nextM;
    u = nextU;
    lambda = nextLambda;
    history.push({ iteration: it, lambda, maxChange, logLikelihood });
    if (maxChange < tolerance) return { lambda, m, u, iterations: it, converged: true, history };
  }
  return { lambda, m, u, iterations: maxIterations, converged: false, history };
}

/**
 * u from the comparison vectors of random pairs: the share of each level among non-null outcomes, with
 * add-one smoothing so that a level random pairs never reach (exact SSN agreement, say) keeps a small u.
 */
export function estimateU(vectors: Iterable<readonly number[]>, levelsPerComparison: readonly number[], nullLevel: readonly number[]): number[][] {
  const counts = levelsPerComparison.map((n) => new Array<number>(n).fill(0));
  for (const g of vectors) {
    for (let c = 0; c < counts.length; c++) {
      const l = g[c]!;
      if (l !== nullLevel[c]) counts[c]![l]!++;
    }
  }
  return counts.map((row, c) => {
    const live = row.map((_, l) => l !== nullLevel[c]);
    const n = row.reduce((s, x, l) => s + (live[l] ? x : 0), 0);
    const k = live.filter(Boolean).length;
    return row.map((x, l) => (live[l] ? (x + 1) / (n + k) : Number.NaN));
  });
}

function normalise(num: number[][], nullLevel: readonly number[], floor: number): number[][] {
  return num.map((row, c) => {
    const sum = row.reduce((s, x, l) => s + (l === nullLevel[c] ? 0 : x), 0);
    return row.map((x, l) => (l === nullLevel[c] ? Number.NaN : clamp(sum > 0 ? x / sum : 1 / (row.length - (nullLevel[c]! >= 0 ? 1 : 0)), floor)));
  });
}

function maxDiff(a: number[][], b: number[][], nullLevel: readonly number[]): number {
  let d = 0;
  a.forEach((row, c) => row.forEach((x, l) => l !== nullLevel[c] && (d = Math.max(d, Math.abs(x - b[c]![l]!)))));
  return d;
}

const clamp = (p: number, floor: number) => Math.min(1 - floor, Math.max(floor, p));
