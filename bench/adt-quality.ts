/**
 * Matching quality of the running service on a synthetic multi-sender ADT feed with ground truth
 * (bench/adt-population.ts; with `--generator alt` the independently designed bench/adt-population-alt.ts, and with
 * `--generator third` bench/adt-population-third.ts, a third independent design in the GeCo / FEBRL corruptor style,
 * each with names, places, senders, hard cases and error model of its own, to catch tuning to one generator): starts the
 * service in-process, sends every sender's messages over its own MLLP connection (per-sender order kept), waits
 * until the worker has applied them, then asks PIXm for every source identifier and compares the crosswalk
 * (golden record per OID + MRN) with the truth.
 *
 *   npm run bench:adt-quality -- [--persons 2000] [--seed 1] [--backend pglite|postgres|both] [--generator default|alt|third] [--json-only]
 *                                [--pix-concurrency 8] [--linker default|identity] [--lockstep] [--explain-misses N] [--keep-database]
 *
 * Prints one JSON line per backend on stdout (progress on stderr unless --json-only):
 *   precision / recall / f1   pairwise over source records: a pair is predicted when both records resolve to
 *                             the same golden record, true when both are the same person
 *   falseMergePairs           predicted pairs that are not true
 *   twinPairsMerged, juniorSeniorPairsMerged, householdPairsMerged
 *                             pairs of distinct persons (twins; junior and senior; any two members of one
 *                             household) with at least one record of each in the same golden record
 *   reviewItems, reviewShare  open review items (GET /api/review-items when it reports a count, else the
 *                             review_items table when it exists, else null) and their share of the records
 *   ackedPerSec               messages / (first send → last ACK); applySeconds: first send → all applied
 *   pixQueriesPerSec          PIXm queries answered per second (pixConcurrency in flight)
 *   falseMergePersonPairs     distinct persons sharing a golden record: twins, junior/senior, other household
 *                             members, same given and family name, other
 *   withoutSourceDuplicates   precision / recall / f1 on the records of persons without an unresolved
 *                             source-internal duplicate (one the sender never merged by A40): by rule such a
 *                             record joins its person only through an A40 or a steward
 *   recallBy                  [recall, pairs] of the true pairs by record variation (typo-family, nickname,
 *                             dob-swap, maiden-family…), person tag (person:moved, person:twin…), clean/varied
 *                             and sameSender/crossSender: where the matcher misses
 *   reviewItemsSamePerson     open review items whose record is the person of the candidate golden record
 *   reviewRecords, reviewRecordShare
 *                             distinct source records with an open review item (the records sent to review; one
 *                             record may be asked about two golden records) and their share of the records
 *   reviewRecordsSameAuthority of those, the records asked under the same-authority rule (source duplicates)
 * --explain-misses N tallies (stderr) the cross-sender true pairs left apart and the distinct persons put together
 * by how the pair scores outside the service (vetoes, above / between / below the thresholds; no term
 * frequencies), with N examples of misses and every false merge: the levels and weights of each; and the open
 * review items by reasons, by probability band and by truth (same person or not).
 * The service runs with whatever linker src/main.ts wires by default; `--linker identity` passes the identity
 * linker instead (the baseline: records of one person share a golden record only through A40 merges, so
 * recall is low and precision 1).
 * Exits non-zero when a message was refused or not applied, or a PIXm query failed (the line is still printed).
 * For PostgreSQL a fresh database is created on the server of DATABASE_URL and dropped at the end.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import { parseNicknameCsv } from '../algorithms/normalize/nicknames.js';
import { loadConfig, parseFileConfig } from '../src/config.js';
import { createLogger } from '../src/lib/log.js';
import { identityLinker } from '../src/linkage/linker.js';
import { startService, type Service } from '../src/main.js';
import { MllpClient } from '../src/mllp/client.js';
import { query } from '../src/storage/db.js';
import { generateAltPopulation } from './adt-population-alt.js';
import { generateThirdPopulation } from './adt-population-third.js';
import { generatePopulation, populationSummary, recordKey, serviceConfigFor, truthMap, type Population, type PopulationMessage } from './adt-population.js';
import { parseBenchOptions } from './args.js';
import { benchServiceEnv, createBenchDatabase } from './databases.js';
import { compile } from '../algorithms/fellegi-sunter.js';
import { scorePair } from '../algorithms/pair-score.js';
import { normalizePerson, type Person } from '../algorithms/person.js';
import type { Demographics } from '../src/ingest/demographics.js';
import { loadKnownGivenNames, loadNicknames } from '../src/linkage/matcher.js';
import { loadDefaultModel } from '../src/linkage/models.js';

type Backend = 'pglite' | 'postgres';

interface Options {
  persons: number;
  seed: number;
  backends: Backend[];
  jsonOnly: boolean;
  pixConcurrency: number;
  linker: 'default' | 'identity';
  /** One message in flight in all: the feed's global order reaches the service unchanged (reproducible). */
  lockstep: boolean;
  /** Print (stderr) why up to this many true pairs were missed and false pairs merged: score, vetoes, levels. */
  explainMisses: number;
  /** PostgreSQL: leave the bench database on the server for inspection (its name is logged). */
  keepDatabase: boolean;
  /** Which population generator: bench/adt-population.ts (`default`), bench/adt-population-alt.ts (`alt`) or bench/adt-population-third.ts (`third`). */
  generator: 'default' | 'alt' | 'third';
}

let quiet = false;
const log = (msg: string) => {
  if (!quiet) process.stderr.write(`[bench:adt-quality] ${msg}\n`);
};

function parseArgs(argv: string[]): Options {
  const o = parseBenchOptions(argv, ['persons', 'seed', 'backend', 'pix-concurrency', 'linker', 'explain-misses', 'generator'], ['json-only', 'lockstep', 'keep-database']);
  const backend = o.get('backend') ?? 'pglite';
  if (!['pglite', 'postgres', 'both'].includes(backend)) throw new Error('--backend must be pglite, postgres or both');
  const backends: Backend[] = backend === 'both' ? ['pglite', 'postgres'] : [backend as Backend];
  if (backends.includes('postgres') && !process.env.DATABASE_URL) throw new Error('--backend postgres needs DATABASE_URL (the server on which a fresh database is created)');
  const linker = o.get('linker') ?? 'default';
  if (linker !== 'default' && linker !== 'identity') throw new Error('--linker must be default or identity');
  const generator = o.get('generator') ?? 'default';
  if (generator !== 'default' && generator !== 'alt' && generator !== 'third') throw new Error('--generator must be default, alt or third');
  return {
    persons: o.int('persons', 2000, 1),
    seed: o.int('seed', 1, 0),
    backends,
    jsonOnly: o.flag('json-only'),
    pixConcurrency: o.int('pix-concurrency', 8, 1),
    linker,
    lockstep: o.flag('lockstep'),
    explainMisses: o.int('explain-misses', 0, 0),
    keepDatabase: o.flag('keep-database'),
    generator,
  };
}

// ---------------------------------------------------------------------------------------------- sending

function ackCode(reply: string, controlId: string): { ok: boolean; text: string } {
  const segs = reply.split(/\r\n|\r|\n/);
  const msa = segs.find((s) => s.startsWith('MSA|'))?.split('|') ?? [];
  const ok = (msa[1] === 'AA' || msa[1] === 'CA') && msa[2] === controlId;
  return { ok, text: ok ? '' : [segs.find((s) => s.startsWith('MSA')), segs.find((s) => s.startsWith('ERR'))].filter(Boolean).join(' ') };
}

interface SendResult {
  firstSend: bigint;
  lastAck: bigint;
  refused: number;
  refusals: string[];
}

/**
 * One connection per sender, its messages in feed order, one in flight per connection; with `lockstep`, one
 * in flight in all, so the service sees the feed's global order (arrival order decides which record a later
 * one is compared with, so only lockstep runs are reproducible to the pair).
 */
async function sendBySender(port: number, messages: PopulationMessage[], lockstep: boolean): Promise<SendResult> {
  const lanes = new Map<string, PopulationMessage[]>();
  for (const m of messages) {
    const lane = lanes.get(m.sender) ?? [];
    lane.push(m);
    lanes.set(m.sender, lane);
  }
  const clients = await Promise.all([...lanes.keys()].map(() => MllpClient.connect({ host: '127.0.0.1', port, timeoutMs: 120_000 })));
  let refused = 0;
  const refusals: string[] = [];
  let lastAck = 0n;
  let done = 0;
  const every = Math.max(1000, Math.floor(messages.length / 5));
  const clientOf = new Map([...lanes.keys()].map((sender, i) => [sender, clients[i]!]));
  const sendOne = async (client: MllpClient, m: PopulationMessage) => {
    const reply = (await client.send(m.text)).toString('utf8');
    const t = process.hrtime.bigint();
    if (t > lastAck) lastAck = t;
    const a = ackCode(reply, m.controlId);
    if (!a.ok) {
      refused++;
      if (refusals.length < 5) refusals.push(`${m.sender} ${m.event} ${m.controlId}: ${a.text || reply.slice(0, 200)}`);
    }
    if (++done % every === 0) log(`  ${done}/${messages.length} ACKed`);
  };
  const firstSend = process.hrtime.bigint();
  try {
    if (lockstep) for (const m of messages) await sendOne(clientOf.get(m.sender)!, m);
    else await Promise.all([...lanes].map(async ([sender, lane]) => {
      for (const m of lane) await sendOne(clientOf.get(sender)!, m);
    }));
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }
  return { firstSend, lastAck, refused, refusals };
}

// ---------------------------------------------------------------------------------------------- PIXm

const KEY = 'bench-adt-quality-key-0123456789:admin';
const BEARER = KEY.slice(0, KEY.indexOf(':'));

interface PixResult {
  /** Golden record id per record key (OID|MRN). */
  golden: Map<string, string>;
  failed: number;
  failures: string[];
  seconds: number;
}

async function pixAll(httpPort: number, keys: Array<{ oid: string; mrn: string }>, concurrency: number): Promise<PixResult> {
  const golden = new Map<string, string>();
  let failed = 0;
  const failures: string[] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < keys.length) {
      const { oid, mrn } = keys[next++]!;
      const url = `http://127.0.0.1:${httpPort}/fhir/Patient/$ihe-pix?sourceIdentifier=${encodeURIComponent(`urn:oid:${oid}|${mrn}`)}`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${BEARER}` } });
      const body = (await res.json()) as { parameter?: Array<{ name: string; valueReference?: { reference: string } }> };
      const ref = res.status === 200 ? body.parameter?.find((p) => p.name === 'targetId')?.valueReference?.reference : undefined;
      if (ref?.startsWith('Patient/')) golden.set(recordKey(oid, mrn), ref.slice('Patient/'.length));
      else {
        failed++;
        if (failures.length < 5) failures.push(`${oid}|${mrn}: HTTP ${res.status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { golden, failed, failures, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

// ---------------------------------------------------------------------------------------------- scoring

const pairs = (n: number) => (n * (n - 1)) / 2;

export interface QualityScores {
  goldenRecords: number;
  truePairs: number;
  predictedPairs: number;
  truePositivePairs: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  falseMergePairs: number;
  twinPairs: number;
  twinPairsMerged: number;
  juniorSeniorPairs: number;
  juniorSeniorPairsMerged: number;
  householdPairs: number;
  householdPairsMerged: number;
  sameSenderDuplicates: number;
  sameSenderDuplicatesLinked: number;
  /** Distinct persons wrongly sharing a golden record, by what they have in common. */
  falseMergePersonPairs: { twin: number; juniorSenior: number; household: number; sameName: number; other: number };
  /**
   * Recall of the true pairs that involve a record with this variation (or a person with this tag);
   * `clean`: neither record has a variation. [recall, pairs].
   */
  recallBy: Record<string, [recall: number, pairs: number]>;
  /**
   * The same pairwise scores on the records of persons with no unresolved source-internal duplicate (a second
   * MRN at one sender that no A40 merged). Such a duplicate may by rule only join its person through an A40
   * or a steward, so its pairs are out of the matcher's reach; this is the matcher's own quality.
   */
  withoutSourceDuplicates: { precision: number | null; recall: number | null; f1: number | null; truePairs: number; records: number };
}

/** Pairwise scores of a clustering (golden id per record key) against the population's truth. */
export function score(pop: Population, golden: Map<string, string>): QualityScores {
  const goldenOfRecord = pop.records.map((r) => golden.get(recordKey(r.oid, r.mrn)));
  const byGolden = new Map<string, Map<number, number>>();
  const byPerson = new Map<number, number>();
  pop.records.forEach((r, i) => {
    const g = goldenOfRecord[i];
    if (g === undefined) return;
    const cell = byGolden.get(g) ?? new Map<number, number>();
    cell.set(r.person, (cell.get(r.person) ?? 0) + 1);
    byGolden.set(g, cell);
    byPerson.set(r.person, (byPerson.get(r.person) ?? 0) + 1);
  });
  let predictedPairs = 0;
  let tp = 0;
  for (const cell of byGolden.values()) {
    let n = 0;
    for (const c of cell.values()) {
      tp += pairs(c);
      n += c;
    }
    predictedPairs += pairs(n);
  }
  let truePairs = 0;
  for (const n of byPerson.values()) truePairs += pairs(n);
  const precision = predictedPairs ? tp / predictedPairs : null;
  const recall = truePairs ? tp / truePairs : null;
  const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null;

  // Golden records each person's records landed in.
  const goldensOf = new Map<number, Set<string>>();
  pop.records.forEach((r, i) => {
    const g = goldenOfRecord[i];
    if (g === undefined) return;
    const s = goldensOf.get(r.person) ?? new Set<string>();
    s.add(g);
    goldensOf.set(r.person, s);
  });
  const merged = (a: number, b: number) => {
    const ga = goldensOf.get(a);
    const gb = goldensOf.get(b);
    if (!ga || !gb) return false;
    for (const g of ga) if (gb.has(g)) return true;
    return false;
  };
  let householdPairs = 0;
  let householdPairsMerged = 0;
  for (const h of pop.households) {
    for (let i = 0; i < h.length; i++) {
      for (let j = i + 1; j < h.length; j++) {
        householdPairs++;
        if (merged(h[i]!, h[j]!)) householdPairsMerged++;
      }
    }
  }
  const firstAt = new Map<string, string | undefined>();
  pop.records.forEach((r, i) => {
    if (!r.duplicate) firstAt.set(`${r.sender}|${r.person}`, goldenOfRecord[i]);
  });
  const dups = pop.records.map((r, i) => [r, goldenOfRecord[i]] as const).filter(([r]) => r.duplicate);

  const falseMergePersonPairs = { twin: 0, juniorSenior: 0, household: 0, sameName: 0, other: 0 };
  for (const cell of byGolden.values()) {
    const ps = [...cell.keys()];
    for (let i = 0; i < ps.length; i++) {
      for (let j = i + 1; j < ps.length; j++) {
        const a = pop.persons[ps[i]!]!;
        const b = pop.persons[ps[j]!]!;
        if (a.twinOf === b.id) falseMergePersonPairs.twin++;
        else if (a.juniorSeniorOf === b.id) falseMergePersonPairs.juniorSenior++;
        else if (a.household === b.household) falseMergePersonPairs.household++;
        else if (a.given === b.given && a.family === b.family) falseMergePersonPairs.sameName++;
        else falseMergePersonPairs.other++;
      }
    }
  }

  const byPersonRecords = new Map<number, number[]>();
  pop.records.forEach((r, i) => byPersonRecords.set(r.person, [...(byPersonRecords.get(r.person) ?? []), i]));
  const tally = new Map<string, [linked: number, pairs: number]>();
  const add = (k: string, linked: boolean) => {
    const t = tally.get(k) ?? [0, 0];
    t[0] += linked ? 1 : 0;
    t[1]++;
    tally.set(k, t);
  };
  for (const [person, idx] of byPersonRecords) {
    const tags = pop.persons[person]!.tags;
    for (let i = 0; i < idx.length; i++) {
      for (let j = i + 1; j < idx.length; j++) {
        const ri = pop.records[idx[i]!]!;
        const rj = pop.records[idx[j]!]!;
        const gi = goldenOfRecord[idx[i]!];
        const linked = gi !== undefined && gi === goldenOfRecord[idx[j]!];
        const keys = new Set<string>([...ri.variations, ...rj.variations]);
        add(keys.size ? 'varied' : 'clean', linked);
        for (const k of keys) add(k, linked);
        for (const t of tags) add(`person:${t}`, linked);
        add(ri.sender === rj.sender ? 'sameSender' : 'crossSender', linked);
      }
    }
  }
  const unresolved = new Set(pop.records.filter((r) => r.duplicate && !r.mergedByA40).map((r) => r.person));
  const kept = pop.records.map((r, i) => [r, goldenOfRecord[i]] as const).filter(([r]) => !unresolved.has(r.person));
  const cells = new Map<string, Map<number, number>>();
  const perPerson = new Map<number, number>();
  for (const [r, g] of kept) {
    perPerson.set(r.person, (perPerson.get(r.person) ?? 0) + 1);
    if (g === undefined) continue;
    const cell = cells.get(g) ?? new Map<number, number>();
    cell.set(r.person, (cell.get(r.person) ?? 0) + 1);
    cells.set(g, cell);
  }
  let subTp = 0;
  let subPredicted = 0;
  for (const cell of cells.values()) {
    let n = 0;
    for (const c of cell.values()) (subTp += pairs(c)), (n += c);
    subPredicted += pairs(n);
  }
  let subTrue = 0;
  for (const n of perPerson.values()) subTrue += pairs(n);
  const subP = subPredicted ? subTp / subPredicted : null;
  const subR = subTrue ? subTp / subTrue : null;
  const withoutSourceDuplicates = {
    precision: subP,
    recall: subR,
    f1: subP !== null && subR !== null && subP + subR > 0 ? (2 * subP * subR) / (subP + subR) : null,
    truePairs: subTrue,
    records: kept.length,
  };

  const recallBy: Record<string, [number, number]> = {};
  for (const [k, [linked, n]] of [...tally].sort((a, b) => a[0].localeCompare(b[0]))) recallBy[k] = [Math.round((linked / n) * 1000) / 1000, n];

  return {
    withoutSourceDuplicates,
    goldenRecords: byGolden.size,
    truePairs,
    predictedPairs,
    truePositivePairs: tp,
    precision,
    recall,
    f1,
    falseMergePairs: predictedPairs - tp,
    twinPairs: pop.twinPairs.length,
    twinPairsMerged: pop.twinPairs.filter(([a, b]) => merged(a, b)).length,
    juniorSeniorPairs: pop.juniorSeniorPairs.length,
    juniorSeniorPairsMerged: pop.juniorSeniorPairs.filter(([a, b]) => merged(a, b)).length,
    householdPairs,
    householdPairsMerged,
    sameSenderDuplicates: dups.length,
    sameSenderDuplicatesLinked: dups.filter(([r, g]) => g !== undefined && firstAt.get(`${r.sender}|${r.person}`) === g).length,
    falseMergePersonPairs,
    recallBy,
  };
}

// ---------------------------------------------------------------------------------------------- review items

interface ReviewFigures {
  count: number | null;
  source: 'api' | 'table' | 'none';
  /** Open items whose record and candidate golden record are the same person (from the table). */
  samePerson?: number;
  /** Open items by reason. */
  reasons?: Record<string, number>;
  /** Distinct source records with an open item: the records sent to review (a record may be asked about two golden records). */
  records?: number;
  /** Of those, the records with an item citing the same-authority rule (a source-internal duplicate: review by rule). */
  recordsSameAuthority?: number;
}

async function openReviewItems(service: Service, pop: Population, golden: Map<string, string>, explain = false): Promise<ReviewFigures> {
  let fromApi: number | undefined;
  try {
    const res = await fetch(`http://127.0.0.1:${service.httpPort}/api/review-items?status=open`, { headers: { authorization: `Bearer ${BEARER}` } });
    if (res.ok) {
      const body = (await res.json()) as Record<string, unknown>;
      for (const k of ['total', 'count', 'open']) if (fromApi === undefined && typeof body[k] === 'number') fromApi = body[k] as number;
    }
  } catch {
    // no such route: the table
  }
  const [exists] = await query<{ ok: boolean }>(service.database.db, sql`select to_regclass('review_items') is not null as ok`);
  if (!exists?.ok) return fromApi === undefined ? { count: null, source: 'none' } : { count: fromApi, source: 'api' };
  const [row] = await query<{ n: number }>(service.database.db, sql`select count(*)::int as n from review_items where status = 'open'`);
  const out: ReviewFigures = fromApi === undefined ? { count: row?.n ?? 0, source: 'table' } : { count: fromApi, source: 'api' };
  try {
    // Whether the queue holds true matches (thresholds too cautious) or noise: the record's person against
    // the persons of the candidate golden record's records.
    const items = await query<{ oid: string; mrn: string; golden: string; reasons: unknown; probability: number }>(
      service.database.db,
      sql`select a.oid, s.identifier as mrn, r.candidate_golden_id::text as golden, r.reasons, r.probability
          from review_items r join source_records s on s.id = r.source_record_id join authorities a on a.id = s.authority_id
          where r.status = 'open'`,
    );
    const truth = truthMap(pop);
    const personsOf = new Map<string, Set<number>>();
    for (const [key, g] of golden) {
      const p = truth.get(key);
      if (p === undefined) continue;
      personsOf.set(g, (personsOf.get(g) ?? new Set<number>()).add(p));
    }
    let same = 0;
    const reasons: Record<string, number> = {};
    const records = new Set<string>();
    const sameAuthority = new Set<string>();
    const bySignature = new Map<string, number>();
    for (const it of items) {
      const p = truth.get(recordKey(it.oid, it.mrn));
      const isSame = p !== undefined && personsOf.get(it.golden)?.has(p) === true;
      if (isSame) same++;
      const rs = Array.isArray(it.reasons) ? it.reasons.map(String) : [];
      for (const r of rs) reasons[r] = (reasons[r] ?? 0) + 1;
      records.add(recordKey(it.oid, it.mrn));
      if (rs.includes('same-authority')) sameAuthority.add(recordKey(it.oid, it.mrn));
      const sig = `${isSame ? 'same-person' : 'different'} ${[...rs].sort().join(',')}`;
      bySignature.set(sig, (bySignature.get(sig) ?? 0) + 1);
      const band = `${isSame ? 'same-person' : 'different'} p ${it.probability < 0.9 ? '< 0.9' : it.probability < 0.99 ? '0.9-0.99' : it.probability < 0.995 ? '0.99-0.995' : '>= 0.995'}`;
      bySignature.set(band, (bySignature.get(band) ?? 0) + 1);
    }
    if (explain) for (const [sig, n] of [...bySignature].sort((x, y) => y[1] - x[1])) log(`  review ${n}\t${sig}`);
    out.samePerson = same;
    out.reasons = reasons;
    out.records = records.size;
    out.recordsSameAuthority = sameAuthority.size;
  } catch (e) {
    log(`review items: could not analyse (${e instanceof Error ? e.message.slice(0, 200) : String(e)})`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- run

const round = (x: number | null, d = 4) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);

/**
 * Diagnosis for tuning: scores, outside the service, the cross-sender true pairs that ended in different golden
 * records and the pairs of distinct persons that share one, with the model and vocabularies the service uses,
 * and tallies them by outcome (the vetoes, or below / between the thresholds). Prints to stderr only.
 */
async function explainMisses(service: Service, pop: Population, golden: Map<string, string>, limit: number) {
  const rows = await query<{ oid: string; identifier: string; demographics: Demographics; kind: string | null; reviews: string | null; history: string | null; closed: string | null }>(
    service.database.db,
    sql`select a.oid, r.identifier, r.demographics, r.link_kind as kind,
          (select string_agg(distinct x, ',') from review_items i, jsonb_array_elements_text(i.reasons) x where i.source_record_id = r.id and i.status = 'open') as reviews,
          (select string_agg(l.kind || coalesce(':' || l.removed_reason, ''), '>' order by l.id) from links l where l.source_record_id = r.id) as history,
          (select string_agg(distinct i.status || ':' || x, ',') from review_items i, jsonb_array_elements_text(i.reasons) x where i.source_record_id = r.id and i.status <> 'open') as closed
        from source_records r join authorities a on a.id = r.authority_id`,
  );
  const state = new Map(rows.map((r) => [recordKey(r.oid, r.identifier), `${r.history ?? '-'}${r.reviews ? `/review:${r.reviews}` : ''}${r.closed ? `/closed:${r.closed}` : ''}`]));
  const nick = loadNicknames();
  const known = loadKnownGivenNames();
  const model = compile(loadDefaultModel());
  const { upper, lower } = loadDefaultModel().thresholds;
  const persons = new Map(rows.map((r) => [recordKey(r.oid, r.identifier), normalizePerson(r.demographics, nick)]));
  const tally = new Map<string, number>();
  const examples: string[] = [];
  const look = (kind: string, a: (typeof pop.records)[number], b: (typeof pop.records)[number]) => {
    const pa = persons.get(recordKey(a.oid, a.mrn));
    const pb = persons.get(recordKey(b.oid, b.mrn));
    if (!pa || !pb) return;
    const s = scorePair(model, pa, pb, undefined, known);
    const outcome = s.vetoes.length ? s.vetoes.join('+') : s.probability >= upper ? 'above-upper' : s.probability >= lower ? 'between' : 'below-lower';
    const key = `${kind} ${outcome}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    // Every false merge is shown: there are few, and each one matters more than any miss.
    if (kind === 'merged' || examples.length < limit) {
      const levels = s.explanation.contributions.filter((c) => c.levelIndex >= 0).map((c) => `${c.comparison}=${c.level}(${(c.weight + c.tfAdjustment).toFixed(1)})`).join(' ');
      const show = (p: Person) => `${p.given} ${p.family} ${p.dobKey ?? '-'} ${p.sex ?? '-'}`;
      const st = (r: typeof a) => state.get(recordKey(r.oid, r.mrn));
      examples.push(`${key} p=${s.probability.toFixed(4)} [${a.sender}:${a.variations.join(',')} ${st(a)}${a.duplicate ? ' dup' : ''} | ${b.sender}:${b.variations.join(',')} ${st(b)}${b.duplicate ? ' dup' : ''}] ${show(pa)} / ${show(pb)} :: ${levels}`);
    }
  };
  const byPerson = new Map<number, typeof pop.records>();
  for (const r of pop.records) byPerson.set(r.person, [...(byPerson.get(r.person) ?? []), r]);
  const g = (r: (typeof pop.records)[number]) => golden.get(recordKey(r.oid, r.mrn));
  for (const rs of byPerson.values()) {
    for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) if (rs[i]!.sender !== rs[j]!.sender && g(rs[i]!) !== g(rs[j]!)) look('missed', rs[i]!, rs[j]!);
  }
  const byGolden = new Map<string, typeof pop.records>();
  for (const r of pop.records) {
    const id = g(r);
    if (id) byGolden.set(id, [...(byGolden.get(id) ?? []), r]);
  }
  for (const rs of byGolden.values()) {
    for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) if (rs[i]!.person !== rs[j]!.person) look('merged', rs[i]!, rs[j]!);
  }
  for (const [k, n] of [...tally].sort((x, y) => y[1] - x[1])) log(`  ${n}\t${k}`);
  for (const e of [...examples.filter((e) => e.startsWith('merged')), ...examples.filter((e) => !e.startsWith('merged'))]) log(`  ${e}`);
}

async function runBackend(backend: Backend, o: Options, pop: Population): Promise<{ ok: boolean; line: Record<string, unknown> }> {
  const dataDir = mkdtempSync(join(tmpdir(), `mpi-adt-quality-${backend}-`));
  let pg: Awaited<ReturnType<typeof createBenchDatabase>> | undefined;
  let service: Service | undefined;
  try {
    if (backend === 'postgres') {
      pg = await createBenchDatabase(process.env.DATABASE_URL!);
      log(`${backend}: created database ${pg.name}`);
    }
    const config = loadConfig(benchServiceEnv({ dataDir, apiKeys: KEY, ...(pg ? { databaseUrl: pg.url } : {}) }));
    config.file = parseFileConfig(serviceConfigFor(pop.senders), 'adt-population config');
    service = await startService(config, { logger: createLogger(o.jsonOnly ? 'error' : 'warn'), ...(o.linker === 'identity' ? { linker: identityLinker } : {}) });
    log(`${backend}: service up (MLLP ${service.mllpPort}, HTTP ${service.httpPort})`);

    log(`${backend}: sending ${pop.messages.length} messages on ${pop.senders.length} connections (one per sender${o.lockstep ? ', lockstep' : ''})`);
    const sent = await sendBySender(service.mllpPort, pop.messages, o.lockstep);
    await service.worker.idle();
    const applied = process.hrtime.bigint();
    const [status] = await query<{ total: number; done: number }>(
      service.database.db,
      sql`select count(*)::int as total, (count(*) filter (where status = 'done'))::int as done from messages`,
    );
    log(`${backend}: applied ${status?.done ?? 0}/${status?.total ?? 0} stored messages; ${sent.refused} refused`);
    for (const r of sent.refusals) log(`  refused: ${r}`);
    if ((status?.total ?? 0) > (status?.done ?? 0)) {
      const rows = await query<{ sender: string; event: string; controlId: string; status: string; error: string | null }>(
        service.database.db,
        sql`select sender, event, control_id as "controlId", status, error from messages where status <> 'done' order by id limit 5`,
      );
      for (const r of rows) log(`  not applied: ${r.sender} ${r.event} ${r.controlId} ${r.status}: ${(r.error ?? '').slice(0, 300)}`);
    }

    const keys = pop.records.map((r) => ({ oid: r.oid, mrn: r.mrn }));
    log(`${backend}: ${keys.length} PIXm queries, ${o.pixConcurrency} in flight`);
    const pix = await pixAll(service.httpPort, keys, o.pixConcurrency);
    for (const f of pix.failures) log(`  PIXm failed: ${f}`);
    const s = score(pop, pix.golden);
    const review = await openReviewItems(service, pop, pix.golden, o.explainMisses > 0);
    if (o.explainMisses > 0) await explainMisses(service, pop, pix.golden, o.explainMisses);

    const ackSeconds = Number(sent.lastAck - sent.firstSend) / 1e9;
    const line = {
      bench: 'adt-quality',
      backend,
      linker: o.linker,
      lockstep: o.lockstep,
      seed: o.seed,
      persons: pop.persons.length,
      records: pop.records.length,
      messages: pop.messages.length,
      senders: pop.senders.length,
      goldenRecords: s.goldenRecords,
      precision: round(s.precision),
      recall: round(s.recall),
      f1: round(s.f1),
      truePairs: s.truePairs,
      predictedPairs: s.predictedPairs,
      falseMergePairs: s.falseMergePairs,
      twinPairs: s.twinPairs,
      twinPairsMerged: s.twinPairsMerged,
      juniorSeniorPairs: s.juniorSeniorPairs,
      juniorSeniorPairsMerged: s.juniorSeniorPairsMerged,
      householdPairs: s.householdPairs,
      householdPairsMerged: s.householdPairsMerged,
      sameSenderDuplicates: s.sameSenderDuplicates,
      sameSenderDuplicatesLinked: s.sameSenderDuplicatesLinked,
      reviewItems: review.count,
      reviewShare: review.count === null ? null : round(review.count / pop.records.length),
      reviewItemsSource: review.source,
      reviewItemsSamePerson: review.samePerson ?? null,
      reviewRecords: review.records ?? null,
      reviewRecordShare: review.records === undefined ? null : round(review.records / pop.records.length),
      reviewRecordsSameAuthority: review.recordsSameAuthority ?? null,
      reviewReasons: review.reasons ?? null,
      falseMergePersonPairs: s.falseMergePersonPairs,
      withoutSourceDuplicates: {
        precision: s.withoutSourceDuplicates.precision === null ? null : round(s.withoutSourceDuplicates.precision),
        recall: s.withoutSourceDuplicates.recall === null ? null : round(s.withoutSourceDuplicates.recall),
        f1: s.withoutSourceDuplicates.f1 === null ? null : round(s.withoutSourceDuplicates.f1),
        truePairs: s.withoutSourceDuplicates.truePairs,
        records: s.withoutSourceDuplicates.records,
      },
      recallBy: s.recallBy,
      refused: sent.refused,
      notApplied: (status?.total ?? 0) - (status?.done ?? 0),
      pixFailed: pix.failed,
      ackedPerSec: Math.round(pop.messages.length / ackSeconds),
      applySeconds: round(Number(applied - sent.firstSend) / 1e9, 2),
      pixQueriesPerSec: Math.round(keys.length / pix.seconds),
      node: process.version,
    };
    const ok = sent.refused === 0 && line.notApplied === 0 && pix.failed === 0;
    return { ok, line };
  } finally {
    await service?.stop().catch((e: unknown) => log(`${backend}: stop failed: ${String(e)}`));
    if (pg && o.keepDatabase) log(`${backend}: kept database ${pg.name}`);
    else if (pg) await pg.drop().then(() => log(`${backend}: dropped database ${pg!.name}`), (e: unknown) => log(`${backend}: drop failed: ${String(e)}`));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  quiet = o.jsonOnly;
  const text = readFileSync(new URL('../fixtures/names/nicknames.csv', import.meta.url), 'utf8');
  const nicknames = parseNicknameCsv(text).map(([formal, , nick]) => [formal, nick] as const);
  const pop = o.generator === 'alt'
    ? generateAltPopulation({ seed: o.seed, persons: o.persons, nicknames })
    : o.generator === 'third'
      ? generateThirdPopulation({ seed: o.seed, persons: o.persons, nicknames })
      : generatePopulation({ seed: o.seed, persons: o.persons, nicknames });
  const summary = populationSummary(pop);
  log(`population: ${summary.persons} persons in ${summary.households} households, ${summary.records} records, ${summary.messages} messages; ` +
    `${summary.twinPairs} twin pairs, ${summary.juniorSeniorPairs} junior/senior pairs, ${summary.duplicates} same-sender duplicates (${summary.a40} merged by A40)`);
  let ok = true;
  for (const backend of o.backends) {
    const r = await runBackend(backend, o, pop);
    process.stdout.write(JSON.stringify(r.line) + '\n');
    ok &&= r.ok;
  }
  process.exitCode = ok ? 0 : 1;
}

// Run when executed (not when a test imports `score`).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`[bench:adt-quality] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
