/**
 * Blocking: only records that share a blocking key are compared. Several rules are used and the candidate
 * set is their union, so a typo that breaks one key (say the family name) is caught by another (the date of
 * birth with the given name). A block larger than the cap is skipped as a whole: very common keys
 * (SMITH in one year) would otherwise dominate the cost while adding little evidence.
 */

export interface BlockingRule<R> {
  name: string;
  /** The keys of a record under this rule; none when the fields it needs are missing. */
  keys(record: R): readonly string[];
}

/** Every key of a record, prefixed by its rule so that keys of different rules never collide. */
export function blockingKeys<R>(rules: readonly BlockingRule<R>[], record: R): string[] {
  const out = new Set<string>();
  for (const rule of rules) for (const k of rule.keys(record)) if (k) out.add(`${rule.name}:${k}`);
  return [...out];
}

export interface CandidatePairs {
  /** Pairs (i, j), i < j, each once, as indexes into the records given. */
  pairs: Array<[number, number]>;
  /** Blocks larger than the cap that were skipped, with their sizes. */
  skipped: Array<{ key: string; size: number }>;
}

/** All candidate pairs of a set of records (batch linkage and evaluation). */
export function candidatePairs<R>(records: readonly R[], rules: readonly BlockingRule<R>[], maxBlockSize = 1000): CandidatePairs {
  const blocks = new Map<string, number[]>();
  records.forEach((r, i) => {
    for (const k of blockingKeys(rules, r)) {
      const b = blocks.get(k);
      if (b) b.push(i);
      else blocks.set(k, [i]);
    }
  });
  const seen = new Set<number>();
  const pairs: Array<[number, number]> = [];
  const skipped: CandidatePairs['skipped'] = [];
  const n = records.length;
  for (const [key, members] of blocks) {
    if (members.length > maxBlockSize) {
      skipped.push({ key, size: members.length });
      continue;
    }
    for (let a = 0; a < members.length; a++) {
      for (let b = a + 1; b < members.length; b++) {
        const i = members[a]!;
        const j = members[b]!;
        // i < j holds: members are pushed in index order.
        const id = i * n + j;
        if (seen.has(id)) continue;
        seen.add(id);
        pairs.push([i, j]);
      }
    }
  }
  return { pairs, skipped };
}

/** Share of the true matching pairs that blocking kept. */
export function pairCompleteness(candidates: ReadonlyArray<readonly [number, number]>, truePairs: ReadonlyArray<readonly [number, number]>): number {
  if (!truePairs.length) return 1;
  const kept = new Set(candidates.map(([i, j]) => `${Math.min(i, j)},${Math.max(i, j)}`));
  return truePairs.filter(([i, j]) => kept.has(`${Math.min(i, j)},${Math.max(i, j)}`)).length / truePairs.length;
}

/** 1 − candidates / all pairs: how much comparison work blocking saved. */
export function reductionRatio(recordCount: number, candidateCount: number): number {
  const all = (recordCount * (recordCount - 1)) / 2;
  return all === 0 ? 1 : 1 - candidateCount / all;
}
