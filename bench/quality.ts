/**
 * Matching quality on labelled data sets (bench/datasets.ts): block, compare, score with the shipped default
 * model, then train (u from random pairs, m and λ by EM on blocked pairs) and score again with the trained
 * parameters. One JSON line per data set and model on stdout.
 *
 *   npm run bench:quality -- [--data ../shared/data/linkage] [--dataset NAME|all] [--limit N] [--explain 10]
 *
 * --demographics-only drops the other identifiers (FEBRL's soc_sec_id), for the figures of names, date of
 * birth, sex, address and phone alone.
 * NAME: febrl4, febrl3, dsgen-c10000, dsgen-f10000, splink-fake1000, splink-historical50k, pseudopeople
 * (bench/datasets.ts says where each comes from and how it is mapped). --limit N keeps the first N records of
 * each data set (for a quick run; the full sets take about two minutes together on one core, half of it the
 * service figures of pseudopeople's 1.9 million candidate pairs; `seconds` shows each set's share).
 *
 * Figures (pairwise, on comparable pairs: across files for a linkage, all pairs for a deduplication):
 * - precision / recall / f1 of the automatic links (match probability ≥ the model's upper threshold), recall
 *   counted against every true pair, including those blocking never proposed;
 * - clusterPrecision / clusterRecall / clusterF1: the same on the golden records the automatic links build
 *   (connected components: every comparable pair inside one counts as linked);
 * - reviewShare: share of records sent to review (in at least one pair between the thresholds and in no
 *   automatic link); reviewPairs / reviewPairShare: candidate pairs between the thresholds, and their share
 *   of candidate pairs;
 * - falseMergesOfHouseholdMembers (data sets with household ids: pseudopeople): automatic links between two
 *   different people who share a household in any record (relatives, twins: the must-not-merge cases);
 * - pairCompleteness / reductionRatio of blocking, candidatePairs, medianCandidatesPerRecord (per incoming
 *   record: file B for a linkage, every record for a deduplication);
 * - service: precision / recall / f1 / falseLinks (/ falseMergesOfHouseholdMembers) of the automatic links as
 *   the service makes them (algorithms/pair-score.ts: household-corrected score, smoothed term frequencies,
 *   vetoed pairs to review; vetoedLinks counts those, vetoesBy splits them by veto into true and false
 *   pairs), pairwise;
 * - recordsPerSec: normalise + block + compare + score, per record, one core; seconds: the whole data set
 *   (load, both models, training) so far.
 * --explain N prints the N highest-scoring false links and the N lowest-scoring missed true pairs (that
 * blocking did propose) to stderr, with their comparison levels.
 *
 * Training: algorithms/training.ts (trainModel: u from 100,000 random comparable pairs, m by EM in two
 * sessions blocked on date of birth and on names with the constrained comparisons masked, λ from session 1),
 * seeded, on the data set itself. Term frequencies (given, family) are counted on the data set itself, for
 * both models.
 */

import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { blockingKeys, type BlockingRule } from '../algorithms/blocking.js';
import { compile, probabilityOf, totalWeight, type CompiledModel } from '../algorithms/fellegi-sunter.js';
import { parseModel, type Model } from '../algorithms/model.js';
import { mulberry32 } from '../algorithms/random.js';
import { buildNicknameIndex, parseNicknameCsv } from '../algorithms/normalize/nicknames.js';
import { C, COMPARISON_NAMES, compareLabels, compareVector, termFrequencyKeys } from '../algorithms/person-comparisons.js';
import { normalizePerson, PERSON_BLOCKING_RULES, type Person } from '../algorithms/person.js';
import { scorePair, type TermCounts } from '../algorithms/pair-score.js';
import { trainModel } from '../algorithms/training.js';
import { loadKnownGivenNames } from '../src/linkage/matcher.js';
import { comparablePairCount, DATASETS, isComparable, loadDataset, truePairCount, type Dataset, type DatasetName } from './datasets.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
// The labelled sets live beside the project (../shared/data/linkage), not in it: they are large and licensed apart.
const dataDir = opt('data', fileURLToPath(new URL('../../shared/data/linkage', import.meta.url)));
const which = opt('dataset', 'all');
const explainCount = Number(opt('explain', '0'));
const demographicsOnly = argv.includes('--demographics-only');
const limit = argv.includes('--limit') ? Number(opt('limit', '')) : undefined;
if (limit !== undefined && !(Number.isInteger(limit) && limit > 1)) {
  process.stderr.write('--limit takes a whole number of records (> 1)\n');
  process.exit(2);
}
const MAX_BLOCK = 1000;
const RANDOM_PAIRS = 100_000;
const K = COMPARISON_NAMES.length;

const root = new URL('../', import.meta.url);
const nicknames = buildNicknameIndex(parseNicknameCsv(readFileSync(new URL('fixtures/names/nicknames.csv', root), 'utf8')));
const defaultModel = parseModel(JSON.parse(readFileSync(new URL('fixtures/models/default-model.json', root), 'utf8')));

interface Candidates {
  left: Int32Array;
  right: Int32Array;
  /** Candidates per incoming record. */
  perRecord: number[];
}

/**
 * Candidate pairs as an online matcher would find them: every record's blocking keys are indexed, and each
 * incoming record (file B for a linkage, every record against the earlier ones for a deduplication) collects
 * the union of its blocks, skipping blocks larger than MAX_BLOCK.
 */
function block(ds: Dataset, persons: readonly Person[], rules: readonly BlockingRule<Person>[]): Candidates {
  const index = new Map<string, number[]>();
  const keysOf = persons.map((p) => blockingKeys(rules, p));
  keysOf.forEach((keys, i) => {
    if (ds.mode === 'link' && ds.records[i]!.source !== 0) return;
    for (const k of keys) {
      const b = index.get(k);
      if (b) b.push(i);
      else index.set(k, [i]);
    }
  });
  const mark = new Int32Array(persons.length).fill(-1);
  const left: number[] = [];
  const right: number[] = [];
  const perRecord: number[] = [];
  keysOf.forEach((keys, i) => {
    if (ds.mode === 'link' && ds.records[i]!.source !== 1) return;
    let n = 0;
    for (const k of keys) {
      const members = index.get(k);
      if (!members || members.length > MAX_BLOCK) continue;
      for (const j of members) {
        if (ds.mode === 'dedup' && j >= i) break; // members are in index order
        if (mark[j] === i) continue;
        mark[j] = i;
        left.push(j);
        right.push(i);
        n++;
      }
    }
    perRecord.push(n);
  });
  if (ds.mode === 'dedup') {
    // A record's candidates include the later records that found it.
    const counts = new Array<number>(persons.length).fill(0);
    for (let p = 0; p < left.length; p++) {
      counts[left[p]!]!++;
      counts[right[p]!]!++;
    }
    return { left: Int32Array.from(left), right: Int32Array.from(right), perRecord: counts };
  }
  return { left: Int32Array.from(left), right: Int32Array.from(right), perRecord };
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Frequencies of the given and family names among the records, and the per-pair TF vector builder. */
function termFrequencies(persons: readonly Person[]) {
  const count = (key: 'given_name' | 'family_name') => {
    const m = new Map<string, number>();
    for (const p of persons) {
      const v = termFrequencyKeys(p)[key];
      if (v !== '') m.set(v, (m.get(v) ?? 0) + 1);
    }
    return m;
  };
  const given = count('given_name');
  const family = count('family_name');
  const n = persons.length;
  const freq = (m: Map<string, number>, v: string) => (v === '' ? undefined : (m.get(v) ?? 1) / n);
  const tf: Array<number | undefined> = new Array<number | undefined>(K).fill(undefined);
  return (a: Person, b: Person): Array<number | undefined> => {
    const ka = termFrequencyKeys(a);
    const kb = termFrequencyKeys(b);
    const g1 = freq(given, ka.given_name);
    const g2 = freq(given, kb.given_name);
    const f1 = freq(family, ka.family_name);
    const f2 = freq(family, kb.family_name);
    tf[C.given_name] = g1 === undefined || g2 === undefined ? undefined : Math.max(g1, g2);
    tf[C.family_name] = f1 === undefined || f2 === undefined ? undefined : Math.max(f1, f2);
    return tf;
  };
}

/** The name counts the service's pair score reads (algorithms/pair-score.ts TermCounts). */
function termCounts(persons: readonly Person[]): TermCounts {
  const maps = { given_name: new Map<string, number>(), family_name: new Map<string, number>() };
  for (const p of persons) {
    const keys = termFrequencyKeys(p);
    for (const c of ['given_name', 'family_name'] as const) if (keys[c] !== '') maps[c].set(keys[c], (maps[c].get(keys[c]) ?? 0) + 1);
  }
  const population = persons.length;
  return (c, value) => {
    const count = maps[c].get(value);
    return count === undefined ? undefined : { count, population };
  };
}

/** The given-name vocabulary the service loads. */
const KNOWN_GIVEN = loadKnownGivenNames();

/**
 * The automatic links as the service makes them (algorithms/pair-score.ts scorePair): household-corrected
 * weight, term frequencies smoothed towards u, and a pair with a veto (household given name or generation,
 * SSN, suffix) sent to review instead of linked. Pairwise; decide()'s rules across golden records (several
 * strong candidates, same authority) are not applied.
 */
function serviceMetrics(ds: Dataset, cm: CompiledModel, persons: readonly Person[], cand: Candidates, counts: TermCounts, sameHousehold: ((i: number, j: number) => boolean) | undefined) {
  const upper = cm.model.thresholds.upper;
  let tp = 0;
  let fp = 0;
  let vetoed = 0;
  // Which vetoes hold back which links: true pairs held back cost recall, false ones are the vetoes' point.
  const vetoesBy: Record<string, { truePairs: number; falsePairs: number }> = {};
  let householdMerges = 0;
  for (let p = 0; p < cand.left.length; p++) {
    const i = cand.left[p]!;
    const j = cand.right[p]!;
    const s = scorePair(cm, persons[i]!, persons[j]!, counts, KNOWN_GIVEN);
    if (s.probability < upper) continue;
    if (s.vetoes.length > 0) {
      vetoed++;
      const same = ds.records[i]!.entity === ds.records[j]!.entity;
      for (const v of s.vetoes) {
        const t = (vetoesBy[v] ??= { truePairs: 0, falsePairs: 0 });
        if (same) t.truePairs++;
        else t.falsePairs++;
      }
      continue;
    }
    if (ds.records[i]!.entity === ds.records[j]!.entity) tp++;
    else {
      fp++;
      if (sameHousehold?.(i, j)) householdMerges++;
    }
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp / truePairCount(ds);
  return {
    precision: round(precision),
    recall: round(recall),
    f1: round(precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)),
    falseLinks: fp,
    ...(sameHousehold === undefined ? {} : { falseMergesOfHouseholdMembers: householdMerges }),
    vetoedLinks: vetoed,
    vetoesBy,
  };
}

interface Scored {
  probabilities: Float64Array;
  seconds: number;
}

function score(cm: CompiledModel, persons: readonly Person[], cand: Candidates, vectors: Uint8Array, tfOf: ReturnType<typeof termFrequencies>): Scored {
  const t0 = performance.now();
  const probabilities = new Float64Array(cand.left.length);
  for (let p = 0; p < cand.left.length; p++) {
    const tf = tfOf(persons[cand.left[p]!]!, persons[cand.right[p]!]!);
    probabilities[p] = probabilityOf(totalWeight(cm, vectors.subarray(p * K, p * K + K), tf));
  }
  return { probabilities, seconds: (performance.now() - t0) / 1000 };
}

/**
 * For a data set with household ids: whether two different people ever share a household (the households
 * of each person, over all their records).
 */
function householdOf(ds: Dataset): ((i: number, j: number) => boolean) | undefined {
  if (!ds.records.some((r) => r.household !== undefined)) return undefined;
  const households = new Map<string, Set<string>>();
  for (const r of ds.records) {
    if (r.household === undefined) continue;
    const set = households.get(r.entity) ?? new Set<string>();
    set.add(r.household);
    households.set(r.entity, set);
  }
  return (i, j) => {
    const a = households.get(ds.records[i]!.entity);
    const b = households.get(ds.records[j]!.entity);
    if (a === undefined || b === undefined) return false;
    for (const h of a) if (b.has(h)) return true;
    return false;
  };
}

function metrics(ds: Dataset, cm: CompiledModel, cand: Candidates, scored: Scored, sameHousehold: ((i: number, j: number) => boolean) | undefined) {
  const { upper, lower } = cm.model.thresholds;
  let tp = 0;
  let fp = 0;
  let review = 0;
  let householdMerges = 0;
  const linked = new Uint8Array(ds.records.length);
  const inReview = new Uint8Array(ds.records.length);
  for (let p = 0; p < cand.left.length; p++) {
    const i = cand.left[p]!;
    const j = cand.right[p]!;
    const pr = scored.probabilities[p]!;
    if (pr >= upper) {
      if (ds.records[i]!.entity === ds.records[j]!.entity) tp++;
      else {
        fp++;
        if (sameHousehold?.(i, j)) householdMerges++;
      }
      linked[i] = linked[j] = 1;
    } else if (pr >= lower) {
      review++;
      inReview[i] = inReview[j] = 1;
    }
  }
  const truePairs = truePairCount(ds);
  const clusters = clusterMetrics(ds, cand, scored, upper, truePairs);
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  let reviewRecords = 0;
  for (let i = 0; i < ds.records.length; i++) if (inReview[i] && !linked[i]) reviewRecords++;
  return {
    precision: round(precision),
    recall: round(recall),
    f1: round(f1),
    autoLinks: tp + fp,
    falseLinks: fp,
    ...(sameHousehold === undefined ? {} : { falseMergesOfHouseholdMembers: householdMerges }),
    reviewShare: round(reviewRecords / ds.records.length),
    reviewPairs: review,
    reviewPairShare: round(review / Math.max(1, cand.left.length)),
    ...clusters,
  };
}

/**
 * The same figures on the golden records the automatic links would build: the connected components of the
 * links (an MPI links a record to a golden record, so links are transitive), every comparable pair inside a
 * component counted as predicted.
 */
function clusterMetrics(ds: Dataset, cand: Candidates, scored: Scored, upper: number, truePairs: number) {
  const parent = Int32Array.from(ds.records, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (let p = 0; p < cand.left.length; p++) {
    if (scored.probabilities[p]! < upper) continue;
    const a = find(cand.left[p]!);
    const b = find(cand.right[p]!);
    if (a !== b) parent[a] = b;
  }
  // Per component: record counts per source, and per (entity, source).
  const bySource = new Map<number, [number, number]>();
  const byEntity = new Map<string, [number, number]>();
  ds.records.forEach((r, i) => {
    const root = find(i);
    const s = bySource.get(root) ?? [0, 0];
    s[r.source]++;
    bySource.set(root, s);
    const key = `${root}|${r.entity}`;
    const e = byEntity.get(key) ?? [0, 0];
    e[r.source]++;
    byEntity.set(key, e);
  });
  const pairs = ([a, b]: [number, number]) => (ds.mode === 'link' ? a * b : ((a + b) * (a + b - 1)) / 2);
  let predicted = 0;
  let correct = 0;
  for (const c of bySource.values()) predicted += pairs(c);
  for (const c of byEntity.values()) correct += pairs(c);
  const precision = predicted === 0 ? 1 : correct / predicted;
  const recall = correct / truePairs;
  return {
    clusterPrecision: round(precision),
    clusterRecall: round(recall),
    clusterF1: round(precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)),
  };
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

/** Trains on the data set itself (algorithms/training.ts), with the bench's fixed seed. */
function train(ds: Dataset, persons: readonly Person[]) {
  const t0 = performance.now();
  const result = trainModel(persons, {
    base: defaultModel,
    random: mulberry32(20240601),
    randomPairs: RANDOM_PAIRS,
    maxBlockSize: MAX_BLOCK,
    comparable: ds.mode === 'link' ? (i, j) => isComparable(ds, i, j) : undefined,
    comparablePairs: comparablePairCount(ds),
  });
  const model = { ...result.model, name: `${defaultModel.name}-trained-${ds.name}` };
  return {
    model,
    sessions: result.sessions.map(({ logLikelihood: _, ...s }) => ({ ...s, lambda: round(s.lambda, 5) })),
    seconds: (performance.now() - t0) / 1000,
  };
}

// ---------------------------------------------------------------------------------------------------------

function explainErrors(ds: Dataset, persons: readonly Person[], cm: CompiledModel, cand: Candidates, scored: Scored, label: string): void {
  const rows = Array.from(cand.left, (i, p) => ({ i, j: cand.right[p]!, pr: scored.probabilities[p]! }));
  const same = (r: { i: number; j: number }) => ds.records[r.i]!.entity === ds.records[r.j]!.entity;
  const show = (title: string, list: typeof rows) => {
    process.stderr.write(`# ${ds.name} ${label}: ${title}\n`);
    for (const r of list) {
      const a = ds.records[r.i]!;
      const b = ds.records[r.j]!;
      const w = Math.log2(r.pr / (1 - r.pr));
      process.stderr.write(
        `  w=${w.toFixed(2)} ${a.id} | ${b.id} ${JSON.stringify(compareLabels(persons[r.i]!, persons[r.j]!))}\n` +
          `    ${JSON.stringify(a.input.names[0])} ${a.input.birthDate} ${a.input.addresses[0]?.street} ${a.input.addresses[0]?.zip}\n` +
          `    ${JSON.stringify(b.input.names[0])} ${b.input.birthDate} ${b.input.addresses[0]?.street} ${b.input.addresses[0]?.zip}\n`,
      );
    }
  };
  const upper = cm.model.thresholds.upper;
  show('false links', rows.filter((r) => !same(r) && r.pr >= upper).sort((a, b) => b.pr - a.pr).slice(0, explainCount));
  show('missed (blocked) true pairs', rows.filter((r) => same(r) && r.pr < upper).sort((a, b) => a.pr - b.pr).slice(0, explainCount));
  // The commonest level patterns among the missed pairs, and the F1 each weight threshold would give
  // (an oracle figure, for diagnosis only).
  const patterns = new Map<string, number>();
  for (const r of rows) {
    if (!same(r) || r.pr >= upper) continue;
    const key = Object.entries(compareLabels(persons[r.i]!, persons[r.j]!)).filter(([, v]) => v !== 'null').map(([k, v]) => `${k}=${v}`).join(' ');
    patterns.set(key, (patterns.get(key) ?? 0) + 1);
  }
  process.stderr.write(`# ${ds.name} ${label}: missed patterns\n`);
  for (const [k, n] of [...patterns].sort((a, b) => b[1] - a[1]).slice(0, explainCount)) process.stderr.write(`  ${n} ${k}\n`);
  const truePairs = truePairCount(ds);
  const sweep: string[] = [];
  for (let t = -6; t <= 12; t += 2) {
    let tp = 0;
    let fp = 0;
    for (const r of rows) if (Math.log2(r.pr / (1 - r.pr)) >= t) (same(r) ? tp++ : fp++);
    const p = tp / Math.max(1, tp + fp);
    const rc = tp / truePairs;
    sweep.push(`w≥${t}: P ${p.toFixed(4)} R ${rc.toFixed(4)} F1 ${((2 * p * rc) / (p + rc)).toFixed(4)}`);
  }
  process.stderr.write(`# ${ds.name} ${label}: threshold sweep (upper is w≥${Math.log2(upper / (1 - upper)).toFixed(2)})\n  ${sweep.join('\n  ')}\n`);
}

function run(name: DatasetName): void {
  const tLoad = performance.now();
  const ds = loadDataset(name, dataDir, limit === undefined ? {} : { limit });
  const t0 = performance.now();
  const sameHousehold = householdOf(ds);
  const persons = ds.records.map((r) => normalizePerson(demographicsOnly ? { ...r.input, otherIds: [] } : r.input, nicknames));
  const cand = block(ds, persons, PERSON_BLOCKING_RULES);
  const vectors = new Uint8Array(cand.left.length * K);
  for (let p = 0; p < cand.left.length; p++) {
    compareVector(persons[cand.left[p]!]!, persons[cand.right[p]!]!, vectors.subarray(p * K, p * K + K));
  }
  const prepareSeconds = (performance.now() - t0) / 1000;
  const tfOf = termFrequencies(persons);
  const counts = termCounts(persons);

  // Blocking figures: true pairs kept.
  let kept = 0;
  for (let p = 0; p < cand.left.length; p++) if (ds.records[cand.left[p]!]!.entity === ds.records[cand.right[p]!]!.entity) kept++;
  const truePairs = truePairCount(ds);
  const blocking = {
    records: ds.records.length,
    truePairs,
    candidatePairs: cand.left.length,
    pairCompleteness: round(kept / truePairs),
    reductionRatio: round(1 - cand.left.length / comparablePairCount(ds), 6),
    medianCandidatesPerRecord: median(cand.perRecord),
  };

  const report = (label: string, model: Model, extra: Record<string, unknown>) => {
    const cm = compile(model);
    const scored = score(cm, persons, cand, vectors, tfOf);
    const recordsPerSec = Math.round(ds.records.length / (prepareSeconds + scored.seconds));
    const service = serviceMetrics(ds, cm, persons, cand, counts, sameHousehold);
    process.stdout.write(
      JSON.stringify({
        bench: 'quality',
        dataset: ds.name,
        model: label,
        ...metrics(ds, cm, cand, scored, sameHousehold),
        ...blocking,
        recordsPerSec,
        seconds: round((performance.now() - tLoad) / 1000, 1),
        lambda: Number(model.lambda.toPrecision(4)),
        service,
        ...extra,
      }) + '\n',
    );
    if (explainCount > 0) explainErrors(ds, persons, cm, cand, scored, label);
  };

  report('default', defaultModel, {});
  const trained = train(ds, persons);
  report('trained', trained.model, { trainSeconds: round(trained.seconds, 2), em: trained.sessions });
  if (argv.includes('--print-model')) process.stderr.write(JSON.stringify(trained.model) + '\n');
}

const selected: readonly DatasetName[] = which === 'all' ? DATASETS : DATASETS.filter((d) => d === which);
if (selected.length === 0) {
  process.stderr.write(`unknown --dataset ${which}; expected ${[...DATASETS, 'all'].join('|')}\n`);
  process.exit(2);
}
for (const name of selected) run(name);
