import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { blockingKeys } from '../../algorithms/blocking.js';
import { decide, type CandidateScore, type Decision, type Thresholds } from '../../algorithms/decide.js';
import { candidateScore, scoreGoldens, type GoldenScore as GoldenScoreOf, type ScoredMember } from '../../algorithms/golden-score.js';
import { knownNames, parseGivenNameCsv, parseNameCounts, withBirths, type KnownNames } from '../../algorithms/normalize/given-names.js';
import { buildNicknameIndex, parseNicknameCsv, type NicknameIndex } from '../../algorithms/normalize/nicknames.js';
import { scorePair, type PairScore } from '../../algorithms/pair-score.js';
import { withoutGuarantorSsns } from '../../algorithms/guarantor-ssn.js';
import { termFrequencyKeys } from '../../algorithms/person-comparisons.js';
import { normalizePerson, PERSON_BLOCKING_RULES, type Person } from '../../algorithms/person.js';
import type { Demographics } from '../ingest/demographics.js';
import { query } from '../storage/db.js';
import type { FileConfig } from '../config.js';
import { identityLinker, type Linker, type Placement, type ReviewProposal } from './linker.js';
import type { ActiveModel, ModelStore } from './models.js';
import { barredMembers } from './non-matches.js';
import { createGolden, link, openBeside, openReview, unlink, type ApplyContext, type SourceRecordRow } from './records.js';
import type { Tx } from '../storage/db.js';
import type { MemberRow, RecordStore } from './store.js';

/** The genealogy-derived English table and the project's own short forms of names from other languages (fixtures/names/README.md). */
export const NICKNAMES_URLS = [new URL('../../fixtures/names/nicknames.csv', import.meta.url), new URL('../../fixtures/names/nicknames-international.csv', import.meta.url)];

function nicknameRows(): Array<[string, string, string]> {
  return NICKNAMES_URLS.flatMap((u) => parseNicknameCsv(readFileSync(u, 'utf8')));
}

export function loadNicknames(): NicknameIndex {
  return buildNicknameIndex(nicknameRows());
}

/** US first names of every birth cohort (pseudopeople; the SSA's 1880-2016 births) and Australian ones (FEBRL): fixtures/names/README.md. */
/** US births by first name, 1880-2016 (the SSA): also which of two known spellings is the other's slip (algorithms/normalize/given-names.ts dwarfed). */
const SSA_BIRTHS_URL = new URL('../../fixtures/names/given-names-us-ssa.csv', import.meta.url);
export const GIVEN_NAMES_URLS = [new URL('../../fixtures/names/given-names.csv', import.meta.url), SSA_BIRTHS_URL, new URL('../../fixtures/names/given-names-au.csv', import.meta.url)];

/**
 * The shipped given names, the formal names of the genealogy nickname table and both sides of the project's
 * international one (algorithms/normalize/given-names.ts). The genealogy table's short forms are known only
 * when a list of given names has them (BILL, BETH): its rarer ones (LIAS for ELIAS, AB, LIB, MAT) are where a
 * slip of a common name lands (LISA / LIAS), not names anyone is registered under. The international table
 * lists only forms people go by (CHUY, PACO, SASHA).
 */
export function loadKnownGivenNames(): KnownNames {
  const [english, international] = NICKNAMES_URLS.map((u) => parseNicknameCsv(readFileSync(u, 'utf8')));
  const names = knownNames(
    ...GIVEN_NAMES_URLS.map((u) => parseGivenNameCsv(readFileSync(u, 'utf8'))),
    english!.map((r) => r[0]),
    international!.flatMap((r) => [r[0], r[2]]),
  );
  return withBirths(names, parseNameCounts(readFileSync(SSA_BIRTHS_URL, 'utf8')));
}

/** The linker the config asks for: the Matcher with the shipped name tables, or the identity linker when matching is off. */
export function configuredLinker(matching: FileConfig['matching'], models: ModelStore): Linker {
  if (!matching.enabled) return identityLinker;
  return new Matcher({ models, nicknames: loadNicknames(), knownGiven: loadKnownGivenNames(), maxBlockSize: matching.maxBlockSize, maxCandidateGoldens: matching.maxCandidateGoldens });
}

export interface MatcherOptions {
  models: ModelStore;
  nicknames: NicknameIndex;
  /** Tells a keystroke slip in a given name from a second real name (twins); none: no slip is recognised. */
  knownGiven?: KnownNames;
  maxBlockSize: number;
  maxCandidateGoldens: number;
}

/** Term-frequency counters live in blocking_keys under these prefixes (never used as blocking keys). */
export const TF_PREFIX = { given_name: 'tfg:', family_name: 'tff:' } as const;

/**
 * Every key a record is stored under: its blocking keys, then its name counters. What a record is found by is
 * these; rekey.ts writes them again for stored records when the code that derives them changes.
 */
export function recordKeys(p: Person, blocking: readonly string[] = blockingKeys(PERSON_BLOCKING_RULES, p)): string[] {
  return [...blocking, ...tfKeys(p)];
}

function tfKeys(p: Person): string[] {
  const k = termFrequencyKeys(p);
  const out: string[] = [];
  if (k.given_name !== '') out.push(TF_PREFIX.given_name + k.given_name);
  if (k.family_name !== '') out.push(TF_PREFIX.family_name + k.family_name);
  return out;
}

/** A candidate golden record's score (algorithms/golden-score.ts), the member being a stored row. */
type GoldenScore = GoldenScoreOf<MemberRow>;

/**
 * decide() with what the review queue knows: when several golden records match strongly, which of them a
 * steward is already asked about together (RecordStore.reviewLinks). Shared with $match (search.ts).
 */
export async function decideAmong(store: Pick<RecordStore, 'reviewLinks'>, tx: Tx, candidates: CandidateScore[], thresholds: Thresholds): Promise<Decision> {
  if (candidates.filter((c) => c.probability >= thresholds.upper).length > 1) {
    const { together, waitsToJoin } = await store.reviewLinks(tx, candidates.map((c) => c.goldenId));
    for (const c of candidates) {
      c.inReviewWith = [...(together.get(c.goldenId) ?? [])];
      c.waitsToJoin = [...(waitsToJoin.get(c.goldenId) ?? [])];
    }
  }
  return decide(candidates, thresholds);
}

/**
 * Online record linkage (DESIGN §2, §4), behind the Linker seam: runs inside the transaction that applies the
 * message, so the decision and the change it causes commit together. Reads candidates through the store, so
 * records placed earlier in the same unit of work are seen (batch-safe).
 *
 *   normalise → blocking keys (written) → candidates sharing a key → every active member of each candidate
 *   golden record scored → best member per golden record → decide (algorithms/decide.ts).
 */
export class Matcher implements Linker {
  readonly batchSafe = true;
  /** Persons by record id and the message that last wrote them: normalising is most of a comparison's cost. */
  private persons = new Map<number, { at: number | null; person: Person }>();
  private population: number | undefined;
  /** For the bench and /health: candidate golden records per record placed (last 100,000), skipped blocks. */
  readonly stats = { placed: 0, candidateGoldens: [] as number[], candidateRecords: [] as number[], skippedBlocks: 0 };

  constructor(private readonly opts: MatcherOptions) {}

  private personOf(m: MemberRow): Person {
    const hit = this.persons.get(m.id);
    if (hit && hit.at === m.lastMessageId) return hit.person;
    const person = normalizePerson(m.demographics, this.opts.nicknames);
    if (this.persons.size >= 100_000) this.persons.delete(this.persons.keys().next().value!);
    this.persons.set(m.id, { at: m.lastMessageId, person });
    return person;
  }

  /** Persons of the demographics of the batch being applied (prepare), by identity. */
  private prepared = new WeakMap<Demographics, Person>();

  private normalize(d: Demographics): Person {
    let p = this.prepared.get(d);
    if (!p) this.prepared.set(d, (p = normalizePerson(d, this.opts.nicknames)));
    return p;
  }

  async prepare(tx: Tx, store: RecordStore, batch: readonly Demographics[]) {
    const keys = new Set<string>();
    const counts = new Set<string>();
    for (const d of batch) {
      const p = this.normalize(d);
      for (const k of blockingKeys(PERSON_BLOCKING_RULES, p)) keys.add(k);
      for (const k of tfKeys(p)) counts.add(k);
    }
    const now = Date.now();
    const uncounted = [...counts].filter((k) => !(now - (this.counts.get(k)?.at ?? 0) < 60_000));
    await store.prefetch(tx, [...keys], uncounted, this.opts.maxBlockSize);
  }

  /** Normalises the record, writes its keys and returns them for candidate search. */
  private async index(ctx: ApplyContext, record: SourceRecordRow, d: Demographics) {
    const person = this.normalize(d);
    this.persons.set(record.id, { at: ctx.messageId, person });
    const keys = blockingKeys(PERSON_BLOCKING_RULES, person);
    await ctx.store.setBlockingKeys(ctx.tx, record.id, recordKeys(person, keys));
    return { person, keys };
  }

  private async populationSize(ctx: ApplyContext): Promise<number> {
    if (this.population === undefined) {
      const [row] = await query<{ n: number }>(ctx.tx, sql`select count(*)::int as n from source_records where status = 'active'`);
      this.population = row?.n ?? 0;
    }
    return this.population;
  }

  /** Scores the record against the members of every candidate golden record except `exclude`. */
  private async rank(ctx: ApplyContext, record: SourceRecordRow, person: Person, keys: readonly string[], active: ActiveModel, exclude?: string): Promise<GoldenScore[]> {
    const cand = await ctx.store.candidates(ctx.tx, keys, this.opts.maxBlockSize);
    this.stats.skippedBlocks += cand.skippedKeys.length;
    const shared = new Map<string, number>();
    for (const r of cand.records) {
      if (r.id === record.id || r.goldenId === null || r.goldenId === exclude) continue;
      shared.set(r.goldenId, (shared.get(r.goldenId) ?? 0) + 1);
    }
    if (exclude === undefined) {
      this.stats.placed++;
      if (this.stats.candidateGoldens.length >= 100_000) (this.stats.candidateGoldens.length = 0), (this.stats.candidateRecords.length = 0);
      this.stats.candidateGoldens.push(shared.size);
      this.stats.candidateRecords.push(cand.records.length);
    }
    if (!shared.size) return [];
    const goldens = [...shared].sort((a, b) => b[1] - a[1]).slice(0, this.opts.maxCandidateGoldens).map(([g]) => g);
    const members = await ctx.store.members(ctx.tx, goldens);
    // A pair a steward called not the same person is not proposed again until either record's data changes.
    const barred = await barredMembers(ctx, record, members);
    const tf = await this.termFrequencies(ctx, person);
    const scored: Array<ScoredMember<MemberRow>> = [];
    for (const m of members) {
      if (m.id === record.id || m.goldenId === null || m.goldenId === exclude || barred.has(m.id)) continue;
      scored.push({ goldenId: m.goldenId, person: this.personOf(m), member: m, sameAuthority: m.authorityId === record.authorityId });
    }
    return scoreGoldens(active.compiled, person, scored, tf, this.opts.knownGiven);
  }

  /**
   * Name counts, kept for a minute: a term frequency is a statistic of the whole index, which one batch moves
   * by a hair, and counting SMITH's index entries for every record placed would be most of the database's work.
   */
  private counts = new Map<string, { n: number; at: number }>();

  private async cachedCounts(ctx: ApplyContext, keys: readonly string[]): Promise<Map<string, number>> {
    const now = Date.now();
    const out = new Map<string, number>();
    const missing: string[] = [];
    for (const k of keys) {
      const c = this.counts.get(k);
      if (c && now - c.at < 60_000) {
        if (c.n > 0) out.set(k, c.n);
      } else missing.push(k);
    }
    if (missing.length) {
      const fresh = await ctx.store.keyCounts(ctx.tx, missing);
      if (this.counts.size > 200_000) this.counts.clear();
      for (const k of missing) {
        const n = fresh.get(k) ?? 0;
        this.counts.set(k, { n, at: now });
        if (n > 0) out.set(k, n);
      }
    }
    return out;
  }

  private async termFrequencies(ctx: ApplyContext, person: Person) {
    const keys = tfKeys(person);
    const counts = await this.cachedCounts(ctx, keys);
    const population = await this.populationSize(ctx);
    const k = termFrequencyKeys(person);
    return (c: 'given_name' | 'family_name', value: string) => {
      if (value !== k[c]) return undefined;
      const count = counts.get(TF_PREFIX[c] + value);
      return count === undefined ? undefined : { count, population: Math.max(population, count) };
    };
  }

  private decideOn(ctx: ApplyContext, scores: GoldenScore[], active: ActiveModel): Promise<Decision> {
    return decideAmong(ctx.store, ctx.tx, scores.map(candidateScore), active.model.thresholds);
  }

  private proposals(decision: Extract<Decision, { action: 'review' }>, scores: GoldenScore[], extraReason?: string): Array<Omit<ReviewProposal, 'modelVersion'>> {
    const byId = new Map(scores.map((s) => [s.goldenId, s]));
    return [decision.goldenId, ...decision.alternatives].slice(0, 3).map((g) => {
      const s = byId.get(g)!;
      const twoNames = s.firm.has('household-given-name') || s.firm.has('possible-twin');
      const reasons = [...(extraReason ? [extraReason] : []), ...decision.reasons, ...s.vetoes, ...(twoNames ? ['distinct-given-names'] : [])];
      return { candidateGoldenId: g, candidateRecordId: s.bestMember.id, probability: s.best.probability, weight: s.best.weight, reasons, explanation: s.best.explanation };
    });
  }

  /**
   * The golden records a link outscored by DOMINANCE_MARGIN bits or more (decide.ts alsoAsk), each as a question
   * beside the link: the record is in the one it matches best, and this one may be the same person's too.
   */
  private askedBeside(decision: Extract<Decision, { action: 'link' }>, scores: GoldenScore[], version: number): ReviewProposal[] {
    const byId = new Map(scores.map((s) => [s.goldenId, s]));
    return (decision.alsoAsk ?? []).map((g) => {
      const s = byId.get(g)!;
      return { candidateGoldenId: g, candidateRecordId: s.bestMember.id, probability: s.best.probability, weight: s.best.weight, reasons: ['linked-elsewhere'], explanation: s.best.explanation, modelVersion: version };
    });
  }

  async place(ctx: ApplyContext, record: SourceRecordRow, d: Demographics): Promise<Placement> {
    const active = await this.opts.models.active(ctx.tx);
    const { person, keys } = await this.index(ctx, record, d);
    if (this.population !== undefined) this.population++;
    const scores = await this.rank(ctx, record, person, keys, active);
    const decision = await this.decideOn(ctx, scores, active);
    if (decision.action === 'link') {
      const upper = active.model.thresholds.upper;
      // A golden record the link outscored (alsoAsk) is not placed again through this record: the record joins
      // its best match over it by a thousand to one, and a lone record there would follow on the weaker score.
      const asked = new Set(decision.alsoAsk);
      const alsoMatched = scores
        .filter((s) => s.goldenId !== decision.goldenId && !asked.has(s.goldenId) && s.best.probability >= upper && s.vetoes.size === 0 && !s.sameAuthority)
        .map((s) => s.goldenId);
      const reviews = this.askedBeside(decision, scores, active.version);
      return {
        goldenId: decision.goldenId,
        kind: 'auto',
        score: decision.probability,
        modelVersion: active.version,
        ...(alsoMatched.length ? { alsoMatched } : {}),
        ...(reviews.length ? { reviews } : {}),
      };
    }
    if (decision.action === 'review') return { goldenId: null, reviews: this.proposals(decision, scores).map((r) => ({ ...r, modelVersion: active.version })) };
    return { goldenId: null };
  }

  /**
   * After an A08 changed the record. A record placed by the matcher (or that started its golden record) is
   * scored again against the other members: if it no longer links confidently, it leaves into a golden record
   * of its own and the pair goes to review, so no record stays in a cluster it no longer belongs to. A record
   * alone in its golden record may now match another one, as a new record would. Links the source asserted
   * (shared PID-3, A40) or a steward made are not second-guessed by a score. The record's open questions are
   * closed (their scores were of the old data); where it stays, they are asked again of the new (askAgain).
   */
  async updated(ctx: ApplyContext, record: SourceRecordRow, d: Demographics): Promise<void> {
    const active = await this.opts.models.active(ctx.tx);
    const { person, keys } = await this.index(ctx, record, d);
    const asking = await ctx.store.asksQuestions(ctx.tx, record.id);
    // Asked beside its link: whether another golden record is this one's person too stands while the record stays.
    await ctx.store.supersedeReviews(ctx.tx, record.id, true);
    const current = record.goldenId;
    if (!current || record.status !== 'active') return;
    const again = () => (asking ? this.askAgain(ctx, record, person, keys, active, current) : Promise.resolve());
    if (record.linkKind !== null && record.linkKind !== 'auto' && record.linkKind !== 'new') return again();

    const others = (await ctx.store.members(ctx.tx, [current])).filter((m) => m.id !== record.id);
    if (others.length) {
      const tf = await this.termFrequencies(ctx, person);
      let best: { s: PairScore; m: MemberRow } | undefined;
      const [me, ...them] = withoutGuarantorSsns([person, ...others.map((m) => this.personOf(m))]);
      for (const [i, m] of others.entries()) {
        const s = scorePair(active.compiled, me!, them[i]!, tf, this.opts.knownGiven);
        if (!best || s.weight > best.s.weight) best = { s, m };
      }
      const stays = best!.s.probability >= active.model.thresholds.upper && best!.s.vetoes.length === 0;
      if (stays) return again();
      const review: ReviewProposal = {
        candidateGoldenId: current,
        candidateRecordId: best!.m.id,
        probability: best!.s.probability,
        weight: best!.s.weight,
        reasons: ['updated-record', ...best!.s.vetoes],
        explanation: best!.s.explanation,
        modelVersion: active.version,
      };
      // A source (shared PID-3, A40) or a steward put others in this golden record with it: moving the record
      // alone would undo their word by score, so a steward decides.
      if (others.some((m) => m.linkKind === 'asserted' || m.linkKind === 'a40' || m.linkKind === 'steward')) {
        await openReview(ctx, record, review);
        return again();
      }
      await ctx.store.supersedeReviews(ctx.tx, record.id);
      await unlink(ctx, record, 'rescored');
      const scores = await this.rank(ctx, record, person, keys, active, current);
      const decision = await this.decideOn(ctx, scores, active);
      if (decision.action === 'link') {
        await link(ctx, record, decision.goldenId, 'auto', { score: decision.probability, modelVersion: active.version });
        await openBeside(ctx, record, this.askedBeside(decision, scores, active.version));
      } else {
        const g = await createGolden(ctx, d, record.id);
        await link(ctx, record, g, 'new');
        if (decision.action === 'review') for (const r of this.proposals(decision, scores)) await openReview(ctx, record, { ...r, modelVersion: active.version });
      }
      await openReview(ctx, record, review);
      return;
    }

    // Alone in its golden record: place it as a new record would be placed.
    const decision = await this.relinkLone(ctx, record, person, keys, active, current);
    if (decision.action === 'review') {
      for (const r of this.proposals(decision, decision.scores)) await openReview(ctx, record, { ...r, modelVersion: active.version });
    }
  }

  /**
   * The questions about other golden records that a record staying in `current` was asked, asked again of its
   * new data: what placing it now would ask, its own golden record aside. One that it now matches strongly
   * besides its own is the question of two golden records matching one record ('several-golden-records').
   * An update that leaves the record where it is must not close a question unanswered: a record held apart
   * from a twin-like namesake (MARTHA / MARTA) is joined by other senders' records of its person, then
   * updated, and the pair would never be looked at again.
   */
  private async askAgain(ctx: ApplyContext, record: SourceRecordRow, person: Person, keys: readonly string[], active: ActiveModel, current: string) {
    const scores = await this.rank(ctx, record, person, keys, active, current);
    const decision = await this.decideOn(ctx, scores, active);
    if (decision.action === 'new') return;
    const review: Extract<Decision, { action: 'review' }> =
      decision.action === 'review' ? decision : { action: 'review', goldenId: decision.goldenId, probability: decision.probability, reasons: ['several-golden-records'], alternatives: [] };
    for (const r of this.proposals(review, scores)) await openReview(ctx, record, { ...r, modelVersion: active.version });
  }

  /**
   * A record alone in its golden record `current`, placed again as a new record would be: when it now links
   * to another golden record it moves there and `current` is retired (golden.merged, 'last-member-relinked').
   */
  private async relinkLone(ctx: ApplyContext, record: SourceRecordRow, person: Person, keys: readonly string[], active: ActiveModel, current: string) {
    const scores = await this.rank(ctx, record, person, keys, active, current);
    const decision = await this.decideOn(ctx, scores, active);
    if (decision.action === 'link') {
      // It leaves: what it was asked about where it was is moot.
      await ctx.store.supersedeReviews(ctx.tx, record.id);
      await link(ctx, record, decision.goldenId, 'auto', { score: decision.probability, modelVersion: active.version });
      await ctx.store.retireGolden(ctx.tx, current, decision.goldenId);
      ctx.changes.record(ctx.actor, 'golden.retired', 'golden_record', current, ctx.messageId, { into: decision.goldenId, reason: 'last-member-relinked' });
      ctx.changes.emit('golden.merged', decision.goldenId, { from: current, into: decision.goldenId, reason: 'last-member-relinked', sourceRecordIds: [record.id], messageId: ctx.messageId });
      await openBeside(ctx, record, this.askedBeside(decision, scores, active.version));
    }
    return { ...decision, scores };
  }

  /**
   * Arrival order must not decide a person's clustering. A record R that links to golden record G and also
   * matches, strongly and without a veto, a record X that sits alone in a golden record of its own (X came
   * first and was held apart: by a veto against the one member of G it then resembled best, ROERT against
   * ROB, or because nothing matched yet) is the evidence X lacked. X is placed again, with R now in G, by
   * the same rules as any new record (vetoes, same authority, ambiguity); only a record the matcher itself
   * started ('new') moves, never one a source or a steward placed.
   */
  async linked(ctx: ApplyContext, alsoMatched: readonly string[]): Promise<void> {
    const active = await this.opts.models.active(ctx.tx);
    const members = await ctx.store.members(ctx.tx, alsoMatched);
    const byGolden = new Map<string, MemberRow[]>();
    for (const m of members) if (m.goldenId !== null) byGolden.set(m.goldenId, [...(byGolden.get(m.goldenId) ?? []), m]);
    for (const [h, ms] of byGolden) {
      if (ms.length !== 1 || ms[0]!.linkKind !== 'new' || ms[0]!.status !== 'active') continue;
      const row = await ctx.store.byId(ctx.tx, ms[0]!.id);
      if (!row || row.goldenId !== h) continue;
      const person = this.personOf(ms[0]!);
      await this.relinkLone(ctx, row, person, blockingKeys(PERSON_BLOCKING_RULES, person), active, h);
    }
  }
}
