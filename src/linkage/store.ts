import { randomUUID } from 'node:crypto';
import { and, eq, isNull, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { foldName, primaryName, type Demographics } from '../ingest/demographics.js';
import { query, type Tx } from '../storage/db.js';
import { goldenRecords, links, sourceRecords } from '../storage/schema/index.js';
import { HELD_APART_REASONS, type LinkKind } from './linker.js';
import { selectNonMatches, type NonMatchRow } from './non-matches.js';

/** The reasons array of an item asked beside a link (jsonb containment). */
const LINKED_ELSEWHERE = JSON.stringify(['linked-elsewhere']);

export interface SourceRecordRow {
  id: number;
  authorityId: number;
  identifier: string;
  status: 'active' | 'merged';
  mergedIntoId: number | null;
  goldenId: string | null;
  lastMessageId: number | null;
  /** How the current link was made; null while unlinked. */
  linkKind: LinkKind | null;
}

/** A source record as matching and survivorship read it: the row with its demographics. */
export interface MemberRow {
  id: number;
  authorityId: number;
  goldenId: string | null;
  status: 'active' | 'merged';
  demographics: Demographics;
  lastMessageId: number | null;
  linkKind: LinkKind | null;
}

/** A proposal for the stewards' queue (review_items). */
export interface NewReviewItem {
  sourceRecordId: number;
  candidateGoldenId: string;
  candidateRecordId: number;
  probability: number;
  weight: number;
  modelVersion: number;
  reasons: string[];
  explanation: unknown;
  messageId: number;
}

/** Survivorship: the golden record's demographics and per-field provenance from its active members. */
export type Survive = (members: readonly MemberRow[]) => { demographics: Demographics; provenance: Record<string, number> };

export interface NewRecord {
  authorityId: number;
  identifier: string;
  identifierType?: string;
  sender: string;
  demographics: Demographics;
  status?: 'active' | 'merged';
  mergedIntoId?: number | null;
  messageId: number;
}

export interface LinkExtra {
  score?: number;
  modelVersion?: number;
}

/**
 * Where source records, golden records and links are read and written. Two implementations of one
 * contract: `SqlStore` writes each change at once; `BatchStore` keeps the changes of a run of messages
 * in memory and writes them in a few set-based statements (a unit of work), which is what lets the
 * worker apply thousands of registrations a second. The algorithms in apply.ts do not know which.
 */
export interface RecordStore {
  load(tx: Tx, keys: Array<{ authorityId: number; identifier: string }>): Promise<Map<string, SourceRecordRow>>;
  byId(tx: Tx, id: number): Promise<SourceRecordRow | undefined>;
  insert(tx: Tx, r: NewRecord): Promise<SourceRecordRow>;
  updateDemographics(tx: Tx, rec: SourceRecordRow, d: Demographics, sender: string, messageId: number): Promise<void>;
  createGolden(tx: Tx, d: Demographics, fromRecord: number): Promise<string>;
  /** The golden record's members changed: recompute its survivorship (now, or when the store flushes). */
  touchGolden(tx: Tx, goldenId: string): Promise<void>;
  /** A golden record left without members by a relink: it points at where its last member went. */
  retireGolden(tx: Tx, goldenId: string, into: string): Promise<void>;
  link(tx: Tx, rec: SourceRecordRow, goldenId: string, kind: LinkKind, extra: LinkExtra, messageId: number): Promise<void>;
  unlink(tx: Tx, rec: SourceRecordRow, reason: string): Promise<void>;
  /** Replaces the record's blocking keys (and term-frequency keys). */
  setBlockingKeys(tx: Tx, recordId: number, keys: readonly string[]): Promise<void>;
  /**
   * Ids of the active records that share a key with `keys`, skipping any key held by more than `cap`
   * records (a block that large adds cost, not evidence).
   */
  candidates(tx: Tx, keys: readonly string[], cap: number): Promise<Candidates>;
  /** The active members of these golden records, and the records with these ids, as matching reads them. */
  members(tx: Tx, goldenIds: readonly string[], ids?: readonly number[]): Promise<MemberRow[]>;
  /** How many records hold each key (term frequencies). */
  keyCounts(tx: Tx, keys: readonly string[]): Promise<Map<string, number>>;
  /**
   * Reads, in three statements, what candidates / members / keyCounts will ask about a batch's records, so
   * that matching a batch costs a few round trips instead of a few per message. Optional to honour.
   */
  prefetch(tx: Tx, blockKeys: readonly string[], countKeys: readonly string[], cap: number): Promise<void>;
  openReview(tx: Tx, item: NewReviewItem): Promise<void>;
  /**
   * For each of these golden records, the golden records it has an open review item with (either way): pairs
   * a steward is already asked about whether they are one person. Items with a HELD_APART_REASONS reason
   * (twins, junior and senior) are left out: those pairs are queued because they are probably two people, so
   * a record matching both is ambiguous, not a repeat of the question.
   */
  reviewLinks(tx: Tx, goldenIds: readonly string[]): Promise<ReviewLinks>;
  /**
   * Closes the record's open review items: its data changed, so they are scored again. `keepLinkedElsewhere`
   * leaves open those asked beside its link (`linked-elsewhere`): whether another golden record is its golden
   * record's person too does not change while the record stays where it is.
   */
  supersedeReviews(tx: Tx, recordId: number, keepLinkedElsewhere?: boolean): Promise<void>;
  /**
   * Whether the record has open review items other than those asked beside its link: questions an update
   * that leaves the record where it is must ask again (supersedeReviews closes them), not drop.
   */
  asksQuestions(tx: Tx, recordId: number): Promise<boolean>;
  /** Steward non-match decisions involving these records (non-matches.ts decides which still hold). */
  nonMatches(tx: Tx, recordIds: readonly number[]): Promise<NonMatchRow[]>;
  /** Writes whatever is held back; the store stays usable (its cache is still the truth). */
  flush(tx: Tx): Promise<void>;
}

/** What the review queue says of some golden records (RecordStore.reviewLinks). */
export interface ReviewLinks {
  /** Golden record → those it has an open review item with, either way (HELD_APART_REASONS aside). */
  together: Map<string, Set<string>>;
  /**
   * Golden record → those one of its records is queued to join for no reason but the same-authority rule
   * (algorithms/decide.ts waitsToJoin): the record it holds is the other's person by score.
   */
  waitsToJoin: Map<string, Set<string>>;
}

/** An open item's reasons are the same-authority rule alone: it scored above the upper threshold, with no veto. */
export const ONLY_SAME_AUTHORITY = ['same-authority'] as const;
const onlySameAuthority = (reasons: readonly string[]) => reasons.length === 1 && reasons[0] === ONLY_SAME_AUTHORITY[0];

export interface Candidates {
  /** Active records sharing a key, each once, with the golden record each is in. */
  records: Array<{ id: number; goldenId: string | null }>;
  skippedKeys: string[];
}

export const recordKey = (authorityId: number, identifier: string) => `${authorityId}|${identifier}`;

const columns = sql`id::int as "id", authority_id as "authorityId", identifier, status, merged_into_id::int as "mergedIntoId", golden_id as "goldenId", last_message_id::int as "lastMessageId", link_kind as "linkKind"`;
const memberColumns = sql`id::int as "id", authority_id as "authorityId", golden_id as "goldenId", status, demographics::text as "json", last_message_id::int as "lastMessageId", link_kind as "linkKind"`;
const memberKeyColumns = sql`id::int as "id", authority_id as "authorityId", golden_id as "goldenId", status, last_message_id::int as "lastMessageId", link_kind as "linkKind"`;

/**
 * Members' demographics as stored (JSON text), by record and the message that last wrote them, kept by the
 * worker from one unit of work to the next. A record's demographics change only with the message that writes
 * them (records.ts updateDemographics), so (id, last message) names one version, and a rolled-back write
 * leaves an entry no stored row will ask for. Most candidate members are read again and again as
 * registrations of the same names arrive: with this cache they are read as ids only, and the JSON (over half
 * the bytes and of the server's work for such a read) only for records not seen at that version.
 */
export class DemographicsCache {
  private readonly byId = new Map<number, { at: number | null; json: string }>();
  /** Member rows read with their JSON from the cache (hits) and from the database (misses). */
  readonly stats = { hits: 0, misses: 0 };
  constructor(private readonly max = 100_000) {}

  get(id: number, at: number | null): string | undefined {
    const hit = this.byId.get(id);
    return hit && hit.at === at ? hit.json : undefined;
  }

  set(id: number, at: number | null, json: string) {
    // Oldest first out: a Map iterates in insertion order, and a record written again moves to the back.
    this.byId.delete(id);
    if (this.byId.size >= this.max) this.byId.delete(this.byId.keys().next().value!);
    this.byId.set(id, { at, json });
  }

  get size() {
    return this.byId.size;
  }
}

/**
 * A member as read from the database, its demographics parsed when first asked for. Most members read for
 * scoring are persons the matcher has already normalised (it keys them by record and last message), so their
 * JSON is never needed; parsing every one was the largest single cost of applying a batch in this process.
 */
class StoredMember implements MemberRow {
  readonly id: number;
  readonly authorityId: number;
  readonly goldenId: string | null;
  readonly status: 'active' | 'merged';
  readonly lastMessageId: number | null;
  readonly linkKind: LinkKind | null;
  #json: string;
  #demographics: Demographics | undefined;
  constructor(r: Omit<MemberRow, 'demographics'> & { json: string }) {
    this.id = r.id;
    this.authorityId = r.authorityId;
    this.goldenId = r.goldenId;
    this.status = r.status;
    this.lastMessageId = r.lastMessageId;
    this.linkKind = r.linkKind;
    this.#json = r.json;
  }
  get demographics(): Demographics {
    return (this.#demographics ??= JSON.parse(this.#json) as Demographics);
  }
}

type MemberKeys = Omit<MemberRow, 'demographics'>;

/** Active members of these golden records and the records with these ids; with a cache, JSON only for records it lacks. */
async function selectMembers(tx: Tx, goldenIds: readonly string[], ids: readonly number[], cache?: DemographicsCache): Promise<MemberRow[]> {
  const where = [];
  if (goldenIds.length) where.push(sql`golden_id = any(${sql.param([...goldenIds])}::uuid[])`);
  if (ids.length) where.push(sql`id = any(${sql.param([...ids])}::bigint[])`);
  if (!where.length) return [];
  const filter = sql`status = 'active' and (${sql.join(where, sql` or `)})`;
  if (!cache) {
    const rows = await query<MemberKeys & { json: string }>(tx, sql`select ${memberColumns} from source_records where ${filter}`);
    return rows.map((r) => new StoredMember(r));
  }
  const rows = await query<MemberKeys>(tx, sql`select ${memberKeyColumns} from source_records where ${filter}`);
  const misses = rows.filter((r) => cache.get(r.id, r.lastMessageId) === undefined).map((r) => r.id);
  cache.stats.hits += rows.length - misses.length;
  cache.stats.misses += misses.length;
  if (misses.length) {
    // The worker's lock keeps these rows as the first read found them; the version read with the JSON is the one cached.
    const found = await query<{ id: number; at: number | null; json: string }>(tx, sql`select id::int as id, last_message_id::int as at, demographics::text as json from source_records where id = any(${sql.param(misses)}::bigint[])`);
    for (const f of found) cache.set(f.id, f.at, f.json);
  }
  return rows.flatMap((r) => {
    const json = cache.get(r.id, r.lastMessageId);
    return json === undefined ? [] : [new StoredMember({ ...r, json })];
  });
}

/** Raw hits per key, at most cap + 1 per key (enough to know the block is too large). */
async function selectKeyHits(tx: Tx, keys: readonly string[], cap: number) {
  if (!keys.length) return [];
  return query<{ key: string; id: number; goldenId: string | null }>(
    tx,
    // Retired (merged) records are filtered inside the limit, so they can never crowd active ones out of a block.
    // The primary key answers it alone (an index-only scan): it includes the copies of the records' golden record and status.
    sql`select k.key, h.source_record_id::int as id, h.golden_id as "goldenId"
        from unnest(${sql.param([...keys])}::text[]) as k(key)
        cross join lateral (select b.source_record_id, b.golden_id from blocking_keys b where b.key = k.key and b.active limit ${cap + 1}) h`,
  );
}

/** Records holding each key; keys nobody holds are absent. `except`: records whose stored keys are stale. */
async function selectKeyCounts(tx: Tx, keys: readonly string[], except: readonly number[] = []): Promise<Map<string, number>> {
  if (!keys.length) return new Map();
  const filter = except.length ? sql`and source_record_id <> all(${sql.param([...except])}::bigint[])` : sql``;
  const rows = await query<{ key: string; n: number }>(tx, sql`select key, count(*)::int as n from blocking_keys where key = any(${sql.param([...keys])}::text[]) ${filter} group by key`);
  return new Map(rows.map((r) => [r.key, r.n]));
}

/** Groups key hits into candidates, dropping every key whose block exceeds the cap. */
function toCandidates(hits: Iterable<{ key: string; id: number; goldenId: string | null }>, cap: number, overflowed: ReadonlySet<string> = new Set()): Candidates {
  const byKey = new Map<string, Array<{ id: number; goldenId: string | null }>>();
  for (const h of hits) {
    const list = byKey.get(h.key);
    if (list) list.push(h);
    else byKey.set(h.key, [h]);
  }
  const seen = new Map<number, string | null>();
  const skippedKeys: string[] = [];
  for (const [key, list] of byKey) {
    if (list.length > cap || overflowed.has(key)) {
      skippedKeys.push(key);
      continue;
    }
    for (const h of list) seen.set(h.id, h.goldenId);
  }
  return { records: [...seen].map(([id, goldenId]) => ({ id, goldenId })), skippedKeys };
}

const REVIEW_INSERT = (items: readonly NewReviewItem[]) => sql`insert into review_items (source_record_id, candidate_golden_id, candidate_record_id, probability, weight, model_version, reasons, explanation, message_id)
  select * from unnest(${sql.param(items.map((r) => r.sourceRecordId))}::bigint[], ${sql.param(items.map((r) => r.candidateGoldenId))}::uuid[], ${sql.param(items.map((r) => r.candidateRecordId))}::bigint[],
    ${sql.param(items.map((r) => r.probability))}::real[], ${sql.param(items.map((r) => r.weight))}::real[], ${sql.param(items.map((r) => r.modelVersion))}::int[],
    ${sql.param(items.map((r) => JSON.stringify(r.reasons)))}::jsonb[], ${sql.param(items.map((r) => JSON.stringify(r.explanation)))}::jsonb[], ${sql.param(items.map((r) => r.messageId))}::bigint[])
  on conflict (source_record_id, candidate_golden_id) where status = 'open' do nothing`;

/** Recomputes the survivorship of these golden records from their members as the database now has them. */
async function resurvive(tx: Tx, goldenIds: readonly string[], survive: Survive, cache?: DemographicsCache) {
  if (!goldenIds.length) return;
  const byGolden = new Map<string, MemberRow[]>();
  for (const m of await selectMembers(tx, goldenIds, [], cache)) {
    const list = byGolden.get(m.goldenId!);
    if (list) list.push(m);
    else byGolden.set(m.goldenId!, [m]);
  }
  const rows = [...byGolden].map(([id, members]) => ({ id, ...survive(members) }));
  if (!rows.length) return;
  await tx.execute(sql`update golden_records g set demographics = v.d, provenance = v.p, version = g.version + 1, updated_at = now()
    from unnest(${sql.param(rows.map((r) => r.id))}::uuid[], ${sql.param(rows.map((r) => JSON.stringify(r.demographics)))}::jsonb[], ${sql.param(rows.map((r) => JSON.stringify(r.provenance)))}::jsonb[]) as v(id, d, p)
    where g.id = v.id`);
}

/** a: the golden record of the item's record, b: the golden record it asks about; waits: onlySameAuthority. */
interface ReviewLink {
  a: string;
  b: string;
  waits: boolean;
}

async function selectReviewLinks(tx: Tx, goldenIds: readonly string[]): Promise<ReviewLink[]> {
  if (!goldenIds.length) return [];
  const ids = sql.param([...goldenIds]);
  const open = sql`r.status = 'open' and not (r.reasons ?| ${sql.param([...HELD_APART_REASONS])}::text[])`;
  // Two index-driven halves, not one join with `s.golden_id = any(…) or r.candidate_golden_id = any(…)`: an OR
  // across the two tables leaves the planner nothing to do but hash every source record (50-80 ms at 100,000
  // records, on every batch). The members' ids are taken first so that the open-items index is probed by record.
  const waits = sql`r.reasons = ${JSON.stringify(ONLY_SAME_AUTHORITY)}::jsonb`;
  return query<ReviewLink>(
    tx,
    sql`select s.golden_id as a, r.candidate_golden_id as b, ${waits} as waits from review_items r join source_records s on s.id = r.source_record_id
          where ${open} and r.source_record_id = any(array(select id from source_records where golden_id = any(${ids}::uuid[])))
        union
        select s.golden_id, r.candidate_golden_id, ${waits} from review_items r join source_records s on s.id = r.source_record_id
          where ${open} and r.candidate_golden_id = any(${ids}::uuid[]) and s.golden_id is not null`,
  );
}

/**
 * Open review items that ask about a golden record retired by a relink ask about the one its last member went
 * to, as after a merge (records.ts mergeGolden): a steward must never be shown a golden record that is gone.
 * An item whose own record is already in that golden record has its answer, and one that already asks about
 * that golden record is a repeat: both are closed.
 */
function redirectReviews(from: readonly string[], into: readonly string[]) {
  return sql`with v as (select * from unnest(${sql.param([...from])}::uuid[], ${sql.param([...into])}::uuid[]) as v(g, target)),
    settled as (
      update review_items r set status = 'superseded', version = r.version + 1, note = 'golden record retired: its last member was relinked'
      from v, source_records s where r.status = 'open' and r.candidate_golden_id = v.g and s.id = r.source_record_id
        and (s.golden_id = v.target or exists (select 1 from review_items o where o.status = 'open' and o.source_record_id = r.source_record_id and o.candidate_golden_id = v.target))
      returning r.id)
    update review_items r set candidate_golden_id = v.target, version = r.version + 1
    from v where r.status = 'open' and r.candidate_golden_id = v.g and r.id not in (select id from settled)`;
}

/**
 * Identifiers an A40 retired into these records follow them to their golden records: a retired identifier
 * resolves like its survivor (crosswalk.ts reads the retired row's golden id), so it must move when the
 * survivor does, or PIXm would answer it with the golden record the survivor left.
 */
function followSurvivors(ids: readonly number[]) {
  return sql`update source_records r set golden_id = s.golden_id from source_records s
    where s.id = any(${sql.param([...ids])}::bigint[]) and r.merged_into_id = s.id and r.status = 'merged' and r.golden_id is distinct from s.golden_id`;
}

const heldApart = (reasons: readonly string[]) => reasons.some((r) => (HELD_APART_REASONS as readonly string[]).includes(r));

function addTo(map: Map<string, Set<string>>, x: string, y: string) {
  const set = map.get(x);
  if (set) set.add(y);
  else map.set(x, new Set([y]));
}

function addLink(links: ReviewLinks, { a, b, waits }: ReviewLink) {
  if (a === b) return;
  addTo(links.together, a, b);
  addTo(links.together, b, a);
  if (waits) addTo(links.waitsToJoin, a, b);
}

const noLinks = (): ReviewLinks => ({ together: new Map(), waitsToJoin: new Map() });

/**
 * Keys with the golden record and status of their record as it now stands (written before its keys); the
 * trigger of migration 0004 keeps them in step after.
 */
const insertKeys = (keys: SQLWrapper, ids: SQLWrapper) =>
  sql`insert into blocking_keys (key, source_record_id, golden_id, active)
      select v.key, v.id, s.golden_id, coalesce(s.status = 'active', true) from unnest(${keys}::text[], ${ids}::bigint[]) as v(key, id) left join source_records s on s.id = v.id
      on conflict do nothing`;

/** Keys whose record's golden record and status the caller knows as they now stand: no join to read them back. */
const insertKeysOf = (keys: SQLWrapper, ids: SQLWrapper, goldens: SQLWrapper, active: SQLWrapper) =>
  sql`insert into blocking_keys (key, source_record_id, golden_id, active)
      select * from unnest(${keys}::text[], ${ids}::bigint[], ${goldens}::uuid[], ${active}::text[]::boolean[])
      on conflict do nothing`;

function keyStatements(tx: Tx, sets: ReadonlyArray<readonly [number, readonly string[]]>): Array<PromiseLike<unknown>> {
  if (!sets.length) return [];
  const ops: Array<PromiseLike<unknown>> = [tx.execute(sql`delete from blocking_keys where source_record_id = any(${sql.param(sets.map(([id]) => id))}::bigint[])`)];
  const ids: number[] = [];
  const keys: string[] = [];
  for (const [id, ks] of sets) for (const k of ks) (ids.push(id), keys.push(k));
  if (keys.length) {
    ops.push(tx.execute(insertKeys(sql.param(keys), sql.param(ids))));
  }
  return ops;
}

/** Replaces the keys of each record (its golden record and status read from source_records as they stand). */
export async function writeKeys(tx: Tx, sets: ReadonlyArray<readonly [number, readonly string[]]>) {
  await settle(keyStatements(tx, sets));
}

/**
 * Awaits statements started together (drizzle starts a query when it is awaited, so they go out in array
 * order). Every one is awaited, so none rejects unobserved; the first failure is thrown.
 */
export async function settle(ops: ReadonlyArray<PromiseLike<unknown>>): Promise<void> {
  const results = await Promise.allSettled(ops);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** `source_records s` rows with these (authority, identifier) keys, as a where clause. */
const byKeys = (keys: Array<{ authorityId: number; identifier: string }>) =>
  sql`(s.authority_id, s.identifier) in (select * from unnest(${sql.param(keys.map((k) => k.authorityId))}::int[], ${sql.param(keys.map((k) => k.identifier))}::text[]))`;

export async function selectByKeys(tx: Tx, keys: Array<{ authorityId: number; identifier: string }>): Promise<SourceRecordRow[]> {
  if (!keys.length) return [];
  return query<SourceRecordRow>(tx, sql`select ${columns} from source_records s where ${byKeys(keys)} for update`);
}

/** Of these records, those with an open review item not asked beside their link (RecordStore.asksQuestions). */
async function selectAsking(tx: Tx, where: SQL): Promise<Set<number>> {
  const rows = await query<{ id: number }>(
    tx,
    sql`select distinct r.source_record_id::int as id from review_items r join source_records s on s.id = r.source_record_id
        where r.status = 'open' and not (r.reasons @> ${LINKED_ELSEWHERE}::jsonb) and ${where}`,
  );
  return new Set(rows.map((r) => r.id));
}

async function selectById(tx: Tx, id: number): Promise<SourceRecordRow | undefined> {
  const rows = await query<SourceRecordRow>(tx, sql`select ${columns} from source_records where id = ${id} for update`);
  return rows[0];
}

/** The lookup columns derived from demographics. */
export function indexColumns(d: Demographics) {
  const n = primaryName(d);
  return {
    family: foldName(n?.family) ?? null,
    given: foldName(n?.given) ?? null,
    birthDate: d.birthDate && d.birthDatePrecision === 'day' ? d.birthDate : null,
    sex: d.sex ?? null,
  };
}

export class SqlStore implements RecordStore {
  constructor(private readonly survive: Survive) {}

  async load(tx: Tx, keys: Array<{ authorityId: number; identifier: string }>) {
    const rows = await selectByKeys(tx, keys);
    return new Map(rows.map((r) => [recordKey(r.authorityId, r.identifier), r]));
  }

  byId(tx: Tx, id: number) {
    return selectById(tx, id);
  }

  async insert(tx: Tx, r: NewRecord): Promise<SourceRecordRow> {
    const [row] = await tx
      .insert(sourceRecords)
      .values({
        authorityId: r.authorityId,
        identifier: r.identifier,
        identifierType: r.identifierType ?? null,
        status: r.status ?? 'active',
        mergedIntoId: r.mergedIntoId ?? null,
        sender: r.sender,
        demographics: r.demographics,
        ...indexColumns(r.demographics),
        lastMessageId: r.messageId,
      })
      .returning({ id: sourceRecords.id });
    return { id: row!.id, authorityId: r.authorityId, identifier: r.identifier, status: r.status ?? 'active', mergedIntoId: r.mergedIntoId ?? null, goldenId: null, lastMessageId: r.messageId, linkKind: null };
  }

  async updateDemographics(tx: Tx, rec: SourceRecordRow, d: Demographics, sender: string, messageId: number) {
    await tx
      .update(sourceRecords)
      .set({ demographics: d, ...indexColumns(d), sender, lastMessageId: messageId, version: sql`${sourceRecords.version} + 1`, updatedAt: sql`now()` })
      .where(eq(sourceRecords.id, rec.id));
  }

  async createGolden(tx: Tx, d: Demographics, fromRecord: number) {
    const id = randomUUID();
    await tx.insert(goldenRecords).values({ id, demographics: d, provenance: { all: fromRecord } });
    return id;
  }

  touchGolden(tx: Tx, goldenId: string) {
    return resurvive(tx, [goldenId], this.survive);
  }

  async retireGolden(tx: Tx, goldenId: string, into: string) {
    await tx.update(goldenRecords).set({ status: 'merged', mergedIntoId: into, version: sql`${goldenRecords.version} + 1`, updatedAt: sql`now()` }).where(eq(goldenRecords.id, goldenId));
    await tx.execute(redirectReviews([goldenId], [into]));
  }

  async link(tx: Tx, rec: SourceRecordRow, goldenId: string, kind: LinkKind, extra: LinkExtra, messageId: number) {
    await tx.insert(links).values({ sourceRecordId: rec.id, goldenId, kind, score: extra.score ?? null, modelVersion: extra.modelVersion ?? null, messageId });
    await tx.update(sourceRecords).set({ goldenId, linkKind: kind }).where(eq(sourceRecords.id, rec.id));
    await tx.execute(followSurvivors([rec.id]));
  }

  async unlink(tx: Tx, rec: SourceRecordRow, reason: string) {
    await tx.update(links).set({ removedAt: sql`now()`, removedReason: reason }).where(and(eq(links.sourceRecordId, rec.id), isNull(links.removedAt)));
    await tx.update(sourceRecords).set({ goldenId: null, linkKind: null }).where(eq(sourceRecords.id, rec.id));
  }

  setBlockingKeys(tx: Tx, recordId: number, keys: readonly string[]) {
    return writeKeys(tx, [[recordId, keys]]);
  }

  async candidates(tx: Tx, keys: readonly string[], cap: number) {
    return toCandidates(await selectKeyHits(tx, keys, cap), cap);
  }

  members(tx: Tx, goldenIds: readonly string[], ids: readonly number[] = []) {
    return selectMembers(tx, goldenIds, ids);
  }

  keyCounts(tx: Tx, keys: readonly string[]) {
    return selectKeyCounts(tx, keys);
  }

  async prefetch() {}

  async openReview(tx: Tx, item: NewReviewItem) {
    await tx.execute(REVIEW_INSERT([item]));
  }

  async reviewLinks(tx: Tx, goldenIds: readonly string[]) {
    const out = noLinks();
    for (const l of await selectReviewLinks(tx, goldenIds)) addLink(out, l);
    return out;
  }

  async asksQuestions(tx: Tx, recordId: number) {
    return (await selectAsking(tx, sql`s.id = ${recordId}`)).has(recordId);
  }

  async supersedeReviews(tx: Tx, recordId: number, keepLinkedElsewhere = false) {
    const but = keepLinkedElsewhere ? sql`and not (reasons @> ${LINKED_ELSEWHERE}::jsonb)` : sql``;
    await tx.execute(sql`update review_items set status = 'superseded', version = version + 1 where source_record_id = ${recordId} and status = 'open' ${but}`);
  }

  nonMatches(tx: Tx, recordIds: readonly number[]) {
    return selectNonMatches(tx, recordIds);
  }

  async flush() {}
}

interface PendingRecord extends NewRecord {
  id: number;
  goldenId: string | null;
  linkKind: LinkKind | null;
}
interface PendingUpdate {
  demographics?: Demographics;
  sender?: string;
  lastMessageId?: number;
  bumps: number;
  /** undefined = unchanged; null = unlinked. */
  goldenId?: string | null;
  linkKind?: LinkKind | null;
}
interface PendingLink {
  sourceRecordId: number;
  goldenId: string;
  kind: LinkKind;
  score: number | null;
  modelVersion: number | null;
  messageId: number;
  removedReason?: string;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
// Columns bound as one array parameter each and unnested server-side. A flag would go as an integer: a prepared
// statement serialises a boolean[] by the server's type, an unnamed one by its first element.
const param = <T>(rows: T[], f: (r: T) => unknown) => sql.param(rows.map(f));

/**
 * Ids for new source records, drawn from their sequence 64 at a time. A BatchStore needs a record's id
 * before the record is written (links refer to it); ids drawn and not used leave gaps, which is harmless.
 */
export class IdPool {
  private ids: number[] = [];

  async next(tx: Tx): Promise<number> {
    if (!this.ids.length) {
      const rows = await query<{ id: number }>(tx, sql`select nextval(pg_get_serial_sequence('source_records', 'id'))::int as id from generate_series(1, 64)`);
      this.ids = rows.map((r) => r.id).reverse();
    }
    return this.ids.pop()!;
  }
}

export class BatchStore implements RecordStore {
  constructor(
    private readonly survive: Survive,
    private readonly ids: IdPool = new IdPool(),
    /** Shared by the worker's units of work, so members seen in one batch are read as ids in the next. */
    private readonly demographics: DemographicsCache = new DemographicsCache(),
  ) {}

  private byKey = new Map<string, SourceRecordRow>();
  private rows = new Map<number, SourceRecordRow>();
  /** Keys looked up and not on file: no second query for them. */
  private absent = new Set<string>();
  private newRecords = new Map<number, PendingRecord>();
  private updates = new Map<number, PendingUpdate>();
  private newGoldens = new Map<string, { d: Demographics; from: number }>();
  private dirtyGoldens = new Set<string>();
  private retired = new Map<string, string>();
  private newLinks: PendingLink[] = [];
  private closed: Array<{ sourceRecordId: number; reason: string }> = [];
  /** Blocking keys set in this unit of work, and the reverse index over them. */
  private keySets = new Map<number, readonly string[]>();
  private keyIndex = new Map<string, Set<number>>();
  private reviews: NewReviewItem[] = [];
  private superseded = new Set<number>();
  /** Records whose open items close except those asked beside their link (supersedeReviews keepLinkedElsewhere). */
  private supersededKeeping = new Set<number>();
  /** Records with open questions (asksQuestions) as of the last flush: read with the records, kept in step by flush. */
  private asking = new Map<number, boolean>();
  /**
   * The database as of the last flush (or the unit's start), for the keys and golden records asked about:
   * read by prefetch, kept in step with this unit's own writes by each flush (settleCaches), and carried into
   * the worker's next batch while no one else has written (worker.ts, apply_epoch). Only this transaction
   * writes meanwhile (the worker's lock), and the pending changes above are laid over whatever is read from
   * here, as over what is read from the database.
   */
  private hitCache = new Map<string, Array<{ key: string; id: number; goldenId: string | null }>>();
  /** The block size cap the cached blocks were read with (at most cap + 1 hits each). */
  private hitCap = Number.POSITIVE_INFINITY;
  private memberCache = new Map<string, MemberRow[]>();
  private countCache = new Map<string, number>();
  private reviewCache = new Map<string, ReviewLink[]>();
  /** The keys stored for records this unit of work re-keyed (read once, when counts are asked for). */
  private storedKeys = new Map<number, string[]>();
  /** Non-match decisions by record, read once per batch for every record it loaded (stewards hold the worker's lock to write them). */
  private nonMatchCache = new Map<number, NonMatchRow[]>();
  /** For each record in cached hits, the keys whose hits name it: the hits a move to another golden record makes stale. */
  private hitKeysOf = new Map<number, Set<string>>();
  /** For each record in cached members, the golden record whose members hold it. */
  private memberOf = new Map<number, string>();

  /**
   * Rows held in the cached blocks and golden records, and in the indexes over them (which keep entries for blocks
   * since dropped): the worker starts a fresh unit of work once it holds too many.
   */
  get cachedRows(): number {
    let n = this.hitKeysOf.size + this.memberOf.size;
    for (const list of this.hitCache.values()) n += list.length;
    for (const list of this.memberCache.values()) n += list.length;
    return n;
  }

  private remember(r: SourceRecordRow) {
    this.byKey.set(recordKey(r.authorityId, r.identifier), r);
    this.rows.set(r.id, r);
  }

  async load(tx: Tx, keys: Array<{ authorityId: number; identifier: string }>) {
    const missing = keys.filter((k) => {
      const key = recordKey(k.authorityId, k.identifier);
      return !this.byKey.has(key) && !this.absent.has(key);
    });
    if (missing.length) {
      const [rows, asking] = await Promise.all([selectByKeys(tx, missing), selectAsking(tx, byKeys(missing))]);
      for (const r of rows) {
        this.remember(r);
        this.asking.set(r.id, asking.has(r.id));
      }
      for (const k of missing) {
        const key = recordKey(k.authorityId, k.identifier);
        if (!this.byKey.has(key)) this.absent.add(key);
      }
    }
    const out = new Map<string, SourceRecordRow>();
    for (const k of keys) {
      const key = recordKey(k.authorityId, k.identifier);
      const r = this.byKey.get(key);
      if (r) out.set(key, r);
    }
    return out;
  }

  async byId(tx: Tx, id: number) {
    const cached = this.rows.get(id);
    if (cached) return cached;
    const r = await selectById(tx, id);
    if (r) this.remember(r);
    return r;
  }


  async insert(tx: Tx, r: NewRecord): Promise<SourceRecordRow> {
    const id = await this.ids.next(tx);
    this.newRecords.set(id, { ...r, id, goldenId: null, linkKind: null });
    this.asking.set(id, false);
    const row: SourceRecordRow = { id, authorityId: r.authorityId, identifier: r.identifier, status: r.status ?? 'active', mergedIntoId: r.mergedIntoId ?? null, goldenId: null, lastMessageId: r.messageId, linkKind: null };
    this.absent.delete(recordKey(r.authorityId, r.identifier));
    this.remember(row);
    return row;
  }

  private update(id: number): PendingUpdate {
    let u = this.updates.get(id);
    if (!u) this.updates.set(id, (u = { bumps: 0 }));
    return u;
  }

  async updateDemographics(_tx: Tx, rec: SourceRecordRow, d: Demographics, sender: string, messageId: number) {
    const pending = this.newRecords.get(rec.id);
    if (pending) Object.assign(pending, { demographics: d, sender, messageId });
    else Object.assign(this.update(rec.id), { demographics: d, sender, lastMessageId: messageId, bumps: this.update(rec.id).bumps + 1 });
  }

  async createGolden(_tx: Tx, d: Demographics, fromRecord: number) {
    const id = randomUUID();
    this.newGoldens.set(id, { d, from: fromRecord });
    return id;
  }

  async touchGolden(_tx: Tx, goldenId: string) {
    this.dirtyGoldens.add(goldenId);
  }

  async retireGolden(_tx: Tx, goldenId: string, into: string) {
    this.retired.set(goldenId, into);
    this.dirtyGoldens.delete(goldenId);
  }

  async link(_tx: Tx, rec: SourceRecordRow, goldenId: string, kind: LinkKind, extra: LinkExtra, messageId: number) {
    this.newLinks.push({ sourceRecordId: rec.id, goldenId, kind, score: extra.score ?? null, modelVersion: extra.modelVersion ?? null, messageId });
    this.setGolden(rec.id, goldenId, kind);
  }

  async unlink(_tx: Tx, rec: SourceRecordRow, reason: string) {
    const open = this.newLinks.find((l) => l.sourceRecordId === rec.id && l.removedReason === undefined);
    if (open) open.removedReason = reason;
    else this.closed.push({ sourceRecordId: rec.id, reason });
    this.setGolden(rec.id, null, null);
  }

  private setGolden(id: number, goldenId: string | null, kind: LinkKind | null) {
    const pending = this.newRecords.get(id);
    if (pending) Object.assign(pending, { goldenId, linkKind: kind });
    else Object.assign(this.update(id), { goldenId, linkKind: kind });
  }

  /** The golden record a record is in as this unit of work has it; undefined when it has not changed it. */
  private overlayGolden(id: number): string | null | undefined {
    const pending = this.newRecords.get(id);
    if (pending) return pending.goldenId;
    return this.updates.get(id)?.goldenId;
  }

  async setBlockingKeys(_tx: Tx, recordId: number, keys: readonly string[]) {
    for (const k of this.keySets.get(recordId) ?? []) this.keyIndex.get(k)?.delete(recordId);
    this.keySets.set(recordId, keys);
    for (const k of keys) {
      const set = this.keyIndex.get(k);
      if (set) set.add(recordId);
      else this.keyIndex.set(k, new Set([recordId]));
    }
  }

  /**
   * The database's hits, minus records whose keys this unit of work replaced, plus the records whose keys it
   * set: so a record placed earlier in the batch is a candidate for the next one, as if each message had
   * been written on its own.
   */
  async prefetch(tx: Tx, blockKeys: readonly string[], countKeys: readonly string[], cap: number) {
    // The caches are filled only when the answers arrive, never with placeholders first: a read sent while a
    // prefetch is on its way (nothing stops a caller from overlapping them, and reads ahead of the messages
    // being applied are how the unit of work would hide its round trips) must find either nothing, and read for
    // itself, or the whole answer. Both are the database as it stood when the unit of work began.
    // Blocks cached under another cap are read again under this one.
    if (cap !== this.hitCap) this.hitCache.clear(), this.hitKeysOf.clear();
    this.hitCap = cap;
    const keys = [...new Set(blockKeys)].filter((k) => !this.hitCache.has(k));
    const counts = [...new Set(countKeys)].filter((k) => !this.countCache.has(k));
    // Records already loaded (the batch's updates): their stored keys, which re-keying them replaces, and the
    // members of their golden records, which re-scoring them reads.
    const loaded = [...this.rows.values()];
    const unkeyed = loaded.map((r) => r.id).filter((id) => !this.storedKeys.has(id));
    // Independent reads are sent together (pipelined on the one connection): a round trip for the hits, the
    // counts and the stored keys, and one for the members of the golden records named.
    const [hits, found, stored] = await Promise.all([
      selectKeyHits(tx, keys, cap),
      selectKeyCounts(tx, counts),
      unkeyed.length ? query<{ id: number; key: string }>(tx, sql`select source_record_id::int as id, key from blocking_keys where source_record_id = any(${sql.param(unkeyed)}::bigint[])`) : [],
    ]);
    for (const k of counts) if (!this.countCache.has(k)) this.countCache.set(k, found.get(k) ?? 0);
    const storedBy = new Map<number, string[]>(unkeyed.map((id) => [id, []]));
    for (const r of stored) storedBy.get(r.id)!.push(r.key);
    for (const [id, ks] of storedBy) if (!this.storedKeys.has(id)) this.storedKeys.set(id, ks);
    const hitsBy = new Map<string, Array<{ key: string; id: number; goldenId: string | null }>>(keys.map((k) => [k, []]));
    const goldens = new Set<string>(loaded.flatMap((r) => (r.goldenId ? [r.goldenId] : [])));
    for (const h of hits) hitsBy.get(h.key)!.push(h);
    for (const [k, list] of hitsBy) if (!this.hitCache.has(k)) this.cacheHits(k, list);
    // The golden records of every block asked for, read now or kept from before (whose members a flush may have dropped).
    for (const k of blockKeys) for (const h of this.hitCache.get(k) ?? []) if (h.goldenId) goldens.add(h.goldenId);
    const uncached = [...goldens].filter((g) => !this.memberCache.has(g));
    // Review links are not read ahead: they are asked for only when a record matches two golden records
    // strongly (decideAmong), a few records in a hundred, and reading them for every candidate of the batch
    // cost more than every other read of the batch together.
    const membersBy = new Map<string, MemberRow[]>(uncached.map((g) => [g, []]));
    for (const m of await selectMembers(tx, uncached, [], this.demographics)) membersBy.get(m.goldenId!)?.push(m);
    for (const [g, list] of membersBy) if (!this.memberCache.has(g)) this.cacheMembers(g, list);
  }

  private cacheHits(key: string, list: Array<{ key: string; id: number; goldenId: string | null }>) {
    this.hitCache.set(key, list);
    for (const h of list) {
      const keys = this.hitKeysOf.get(h.id);
      if (keys) keys.add(key);
      else this.hitKeysOf.set(h.id, new Set([key]));
    }
  }

  private cacheMembers(goldenId: string, list: MemberRow[]) {
    this.memberCache.set(goldenId, list);
    for (const m of list) this.memberOf.set(m.id, goldenId);
  }

  /**
   * What a merge run on the database (an A40, through SqlStore) made stale, given the records it names (the
   * survivors and the retired, as found before and after it) and the golden records they were and are in:
   * the members of those golden records; and the blocks of every record now in them (a golden record
   * absorbed moves all its records), of the records named and of every record cached in those golden records.
   * Call it after the merge, on a store flushed before it (worker.ts): the rest of the batch then reads only
   * what is gone.
   */
  async forgetAround(tx: Tx, recordIds: readonly number[], goldenIds: readonly string[]): Promise<void> {
    const goldens = [...new Set(goldenIds)];
    const records = new Set(recordIds);
    for (const g of goldens) for (const m of this.memberCache.get(g) ?? []) records.add(m.id);
    if (goldens.length) {
      for (const r of await query<{ id: number }>(tx, sql`select id::int as id from source_records where golden_id = any(${sql.param(goldens)}::uuid[])`)) records.add(r.id);
    }
    const ids = [...records];
    const keys = new Set<string>();
    if (ids.length) {
      for (const r of await query<{ key: string }>(tx, sql`select key from blocking_keys where source_record_id = any(${sql.param(ids)}::bigint[])`)) keys.add(r.key);
    }
    for (const id of ids) {
      for (const k of this.hitKeysOf.get(id) ?? []) keys.add(k);
      const g = this.memberOf.get(id);
      if (g !== undefined) this.memberCache.delete(g);
    }
    for (const k of keys) this.hitCache.delete(k), this.countCache.delete(k);
    for (const g of goldens) this.memberCache.delete(g);
    this.forgetSmallReads();
    // A merge may store an identifier no message named before (a retired MRN kept so that it resolves).
    this.absent.clear();
  }

  /**
   * What a unit of work reads again rather than keeps in step with a write: review links and non-match decisions
   * (small, read now and then), the stored keys of re-keyed records, and the rows of records read or written
   * (their golden record and version as the unit left them are in the database now; a fresh read costs one query
   * per unit of work).
   */
  private forgetSmallReads() {
    this.reviewCache.clear();
    this.storedKeys.clear();
    this.nonMatchCache.clear();
    this.rows.clear();
    this.byKey.clear();
  }

  /**
   * After a flush, brings the caches to the database as it now stands, so that the rest of the batch, and the
   * next batch when the worker carries the unit of work on (worker.ts), read only what they lack. The blocks are
   * kept in step rather than dropped, since the keys a batch reads are the very keys its new records then take:
   * each record keyed is taken out of the cached blocks of its stored keys and put into those of its keys now
   * (with its golden record), the counts of both moved by one, and a record that moved to another golden record
   * has it changed in every cached block naming it. A block read at the cap is dropped instead (whether it
   * still overflows is the database's to say), and so is every block when a re-keyed record's stored keys or
   * status were never read. The members of every golden record a record entered, left or changed in are dropped.
   */
  private settleCaches() {
    const goldenOf = (id: number): string | null => {
      const g = this.overlayGolden(id);
      return g !== undefined ? g : (this.rows.get(id)?.goldenId ?? null);
    };
    const edit = (key: string, change: (list: Array<{ key: string; id: number; goldenId: string | null }>) => void) => {
      const list = this.hitCache.get(key);
      if (!list) return;
      if (list.length > this.hitCap) this.hitCache.delete(key);
      else change(list);
    };
    let allBlocks = false;
    for (const [id, keys] of this.keySets) {
      const pending = this.newRecords.get(id);
      const stored = pending ? [] : this.storedKeys.get(id);
      const status = pending ? (pending.status ?? 'active') : this.rows.get(id)?.status;
      if (!stored || status === undefined) {
        allBlocks = true;
        break;
      }
      for (const k of new Set([...stored, ...(this.hitKeysOf.get(id) ?? [])])) {
        edit(k, (list) => {
          const i = list.findIndex((h) => h.id === id);
          if (i >= 0) list.splice(i, 1);
        });
      }
      this.hitKeysOf.delete(id);
      for (const k of stored) {
        const n = this.countCache.get(k);
        if (n !== undefined) this.countCache.set(k, n - 1);
      }
      const active = status === 'active';
      for (const k of keys) {
        const n = this.countCache.get(k);
        if (n !== undefined) this.countCache.set(k, n + 1);
        if (!active) continue;
        edit(k, (list) => {
          list.push({ key: k, id, goldenId: goldenOf(id) });
          const of = this.hitKeysOf.get(id);
          if (of) of.add(k);
          else this.hitKeysOf.set(id, new Set([k]));
        });
      }
    }
    if (allBlocks) {
      this.hitCache.clear();
      this.hitKeysOf.clear();
      this.countCache.clear();
    } else {
      for (const [id, u] of this.updates) {
        if (u.goldenId === undefined || this.keySets.has(id)) continue;
        for (const k of this.hitKeysOf.get(id) ?? []) {
          edit(k, (list) => {
            const i = list.findIndex((h) => h.id === id);
            if (i >= 0) list[i] = { key: k, id, goldenId: u.goldenId! };
          });
        }
      }
    }
    const goldens = new Set<string>([...this.dirtyGoldens, ...this.newGoldens.keys()]);
    for (const [from, into] of this.retired) goldens.add(from).add(into);
    for (const r of this.newRecords.values()) if (r.goldenId !== null) goldens.add(r.goldenId);
    for (const [id, u] of this.updates) {
      const was = this.memberOf.get(id);
      if (was !== undefined) goldens.add(was);
      if (u.goldenId != null) goldens.add(u.goldenId);
    }
    for (const g of goldens) this.memberCache.delete(g);
    this.forgetSmallReads();
  }

  /**
   * The blocking-key writes of the flush. A record whose stored keys are known (read ahead, as every record an
   * A08 updates is) has only its changed keys deleted and inserted: an A08 rarely moves more than one or two of
   * its keys, and rewriting all of them was a tenth of the database's work. A new record has no stored keys to
   * delete; a record re-keyed without being read first has all of them replaced.
   */
  private keyChanges(tx: Tx): Array<PromiseLike<unknown>> {
    const replaced: Array<readonly [number, readonly string[]]> = [];
    const add: Array<[number, string]> = [];
    const drop: Array<[number, string]> = [];
    for (const [id, keys] of this.keySets) {
      const stored = this.newRecords.has(id) ? [] : this.storedKeys.get(id);
      if (!stored) {
        replaced.push([id, keys]);
        continue;
      }
      const now = new Set(keys);
      const before = new Set(stored);
      for (const k of now) if (!before.has(k)) add.push([id, k]);
      for (const k of before) if (!now.has(k)) drop.push([id, k]);
    }
    const ops = keyStatements(tx, replaced);
    if (drop.length) {
      ops.push(tx.execute(sql`delete from blocking_keys b using unnest(${param(drop, ([, k]) => k)}::text[], ${param(drop, ([id]) => id)}::bigint[]) as v(key, id)
        where b.key = v.key and b.source_record_id = v.id`));
    }
    if (add.length) {
      // Every record keyed here is one this unit of work wrote or read: its golden record and status are known.
      const states = add.map(([id]) => this.stateOf(id));
      ops.push(
        tx.execute(
          states.every((x) => x !== undefined)
            ? insertKeysOf(param(add, ([, k]) => k), param(add, ([id]) => id), sql.param(states.map((x) => x!.goldenId)), sql.param(states.map((x) => (x!.active ? 'true' : 'false'))))
            : insertKeys(param(add, ([, k]) => k), param(add, ([id]) => id)),
        ),
      );
    }
    return ops;
  }

  /** A record's golden record and whether it is active, as this unit of work leaves it; undefined when not read. */
  private stateOf(id: number): { goldenId: string | null; active: boolean } | undefined {
    const pending = this.newRecords.get(id);
    if (pending) return { goldenId: pending.goldenId, active: (pending.status ?? 'active') === 'active' };
    const row = this.rows.get(id);
    if (!row) return undefined;
    const g = this.updates.get(id)?.goldenId;
    return { goldenId: g !== undefined ? g : row.goldenId, active: row.status === 'active' };
  }

  /** Existing records whose stored keys this unit of work replaced. */
  private rekeyed(): number[] {
    return [...this.keySets.keys()].filter((id) => !this.newRecords.has(id));
  }

  private async hitsFor(tx: Tx, keys: readonly string[], cap: number) {
    // Which keys are cached is decided before the read: a prefetch answered meanwhile must not add its hits for
    // a key this read fetched as well (a block counted twice could pass the cap).
    const cached = keys.flatMap((k) => this.hitCache.get(k) ?? []);
    const missing = keys.filter((k) => !this.hitCache.has(k));
    const out = missing.length ? await selectKeyHits(tx, missing, cap) : [];
    out.push(...cached);
    return out;
  }

  async candidates(tx: Tx, keys: readonly string[], cap: number) {
    const hits: Array<{ key: string; id: number; goldenId: string | null }> = [];
    // A block already over the cap in the database stays skipped whoever this batch moves out of it.
    const perKey = new Map<string, number>();
    const overflowed = new Set<string>();
    for (const h of await this.hitsFor(tx, keys, cap)) {
      const n = (perKey.get(h.key) ?? 0) + 1;
      perKey.set(h.key, n);
      if (n > cap) overflowed.add(h.key);
      if (this.keySets.has(h.id)) continue;
      const g = this.overlayGolden(h.id);
      hits.push(g === undefined ? h : { ...h, goldenId: g });
    }
    for (const key of keys) {
      for (const id of this.keyIndex.get(key) ?? []) {
        const g = this.overlayGolden(id);
        // A stored record re-keyed without being read first is read now: its status and golden record count.
        const row = this.rows.get(id) ?? (this.newRecords.has(id) ? undefined : await this.byId(tx, id));
        if (row && row.status !== 'active') continue;
        hits.push({ key, id, goldenId: g !== undefined ? g : (row?.goldenId ?? null) });
      }
    }
    return toCandidates(hits, cap, overflowed);
  }


  async members(tx: Tx, goldenIds: readonly string[], ids: readonly number[] = []) {
    const goldens = new Set(goldenIds);
    const wanted = new Set(ids);
    // Records this unit of work moved into one of these golden records are not found by golden_id yet.
    const moved = [...this.updates].filter(([, u]) => u.goldenId != null && goldens.has(u.goldenId)).map(([id]) => id);
    const out = new Map<number, MemberRow>();
    const cached: MemberRow[] = [];
    const uncached: string[] = [];
    for (const g of goldenIds) {
      if (this.newGoldens.has(g)) continue; // created in this unit of work: no rows in the database yet
      const rows = this.memberCache.get(g);
      if (rows) cached.push(...rows);
      else uncached.push(g);
    }
    const fetched = uncached.length || ids.length || moved.length ? await selectMembers(tx, uncached, [...ids, ...moved], this.demographics) : [];
    // The pending changes are laid over a copy of each read they touch, never written into the cache; a row
    // they do not touch is handed out as it is (its demographics still unparsed).
    for (const row of [...cached, ...fetched]) {
      const u = this.updates.get(row.id);
      const m: MemberRow = !u
        ? row
        : {
            id: row.id,
            authorityId: row.authorityId,
            status: row.status,
            goldenId: u.goldenId !== undefined ? u.goldenId : row.goldenId,
            linkKind: u.linkKind !== undefined ? u.linkKind : row.linkKind,
            demographics: u.demographics ?? row.demographics,
            lastMessageId: u.lastMessageId !== undefined ? u.lastMessageId : row.lastMessageId,
          };
      if ((m.goldenId !== null && goldens.has(m.goldenId)) || wanted.has(m.id)) out.set(m.id, m);
    }
    for (const r of this.newRecords.values()) {
      if ((r.status ?? 'active') !== 'active') continue;
      if ((r.goldenId !== null && goldens.has(r.goldenId)) || wanted.has(r.id)) {
        out.set(r.id, { id: r.id, authorityId: r.authorityId, goldenId: r.goldenId, status: 'active', demographics: r.demographics, lastMessageId: r.messageId, linkKind: r.linkKind });
      }
    }
    return [...out.values()];
  }

  async keyCounts(tx: Tx, keys: readonly string[]) {
    // The stored counts without the records whose keys this unit of work replaced, plus every record under
    // its keys as the unit of work has them. The prefetched counts were taken before any re-keying.
    const rekeyed = this.rekeyed();
    const unread = rekeyed.filter((id) => !this.storedKeys.has(id));
    if (unread.length) {
      const rows = await query<{ id: number; key: string }>(tx, sql`select source_record_id::int as id, key from blocking_keys where source_record_id = any(${sql.param(unread)}::bigint[])`);
      const by = new Map<number, string[]>(unread.map((id) => [id, []]));
      for (const r of rows) by.get(r.id)!.push(r.key);
      for (const [id, ks] of by) if (!this.storedKeys.has(id)) this.storedKeys.set(id, ks);
    }
    const counts = await selectKeyCounts(tx, keys.filter((k) => !this.countCache.has(k)));
    for (const k of keys) {
      let n = this.countCache.get(k) ?? counts.get(k) ?? 0;
      for (const id of rekeyed) if (this.storedKeys.get(id)!.includes(k)) n--;
      n += this.keyIndex.get(k)?.size ?? 0;
      if (n > 0) counts.set(k, n);
      else counts.delete(k);
    }
    return counts;
  }

  async openReview(_tx: Tx, item: NewReviewItem) {
    this.reviews.push(item);
  }

  async reviewLinks(tx: Tx, goldenIds: readonly string[]) {
    const missing = goldenIds.filter((g) => !this.reviewCache.has(g) && !this.newGoldens.has(g));
    for (const g of missing) this.reviewCache.set(g, []);
    for (const l of await selectReviewLinks(tx, missing)) {
      this.reviewCache.get(l.a)?.push(l);
      this.reviewCache.get(l.b)?.push(l);
    }
    const out = noLinks();
    for (const g of goldenIds) for (const l of this.reviewCache.get(g) ?? []) addLink(out, l);
    for (const r of this.reviews) {
      if (heldApart(r.reasons)) continue;
      const own = this.overlayGolden(r.sourceRecordId) ?? this.rows.get(r.sourceRecordId)?.goldenId ?? null;
      if (own) addLink(out, { a: own, b: r.candidateGoldenId, waits: onlySameAuthority(r.reasons) });
    }
    return out;
  }

  async asksQuestions(tx: Tx, recordId: number) {
    if (this.reviews.some((r) => r.sourceRecordId === recordId && !r.reasons.includes('linked-elsewhere'))) return true;
    if (this.superseded.has(recordId) || this.supersededKeeping.has(recordId)) return false;
    let known = this.asking.get(recordId);
    if (known === undefined) this.asking.set(recordId, (known = (await selectAsking(tx, sql`s.id = ${recordId}`)).has(recordId)));
    return known;
  }

  async supersedeReviews(_tx: Tx, recordId: number, keepLinkedElsewhere = false) {
    const kept = (r: NewReviewItem) => keepLinkedElsewhere && r.reasons.includes('linked-elsewhere');
    this.reviews = this.reviews.filter((r) => r.sourceRecordId !== recordId || kept(r));
    if (this.newRecords.has(recordId)) return;
    if (keepLinkedElsewhere) this.supersededKeeping.add(recordId);
    else this.superseded.add(recordId);
  }

  async nonMatches(tx: Tx, recordIds: readonly number[]) {
    // A record this unit of work created has no decisions yet: no query for the common case, a registration.
    const stored = recordIds.filter((id) => !this.newRecords.has(id));
    const missing = stored.filter((id) => !this.nonMatchCache.has(id));
    if (missing.length) {
      const ids = [...new Set([...missing, ...[...this.rows.keys()].filter((id) => !this.nonMatchCache.has(id) && !this.newRecords.has(id))])];
      for (const id of ids) this.nonMatchCache.set(id, []);
      for (const r of await selectNonMatches(tx, ids)) {
        this.nonMatchCache.get(r.recordA)?.push(r);
        this.nonMatchCache.get(r.recordB)?.push(r);
      }
    }
    return stored.flatMap((id) => this.nonMatchCache.get(id) ?? []);
  }

  async flush(tx: Tx) {
    // Sent together, in order, on one connection (pipelined on PostgreSQL): one round trip, not a dozen.
    const ops: Array<PromiseLike<unknown>> = [];
    const goldens = [...this.newGoldens.entries()];
    if (goldens.length) {
      ops.push(tx.execute(sql`insert into golden_records (id, demographics, provenance)
        select id, d::jsonb, jsonb_build_object('all', f) from unnest(${param(goldens, ([id]) => id)}::uuid[], ${param(goldens, ([, g]) => json(g.d))}::text[], ${param(goldens, ([, g]) => g.from)}::bigint[]) as t(id, d, f)`));
    }
    const recs = [...this.newRecords.values()];
    const recJson = recs.map((r) => json(r.demographics));
    if (recs.length) {
      const idx = recs.map((r) => indexColumns(r.demographics));
      ops.push(tx.execute(sql`insert into source_records (id, authority_id, identifier, identifier_type, status, merged_into_id, golden_id, link_kind, sender, demographics, family, given, birth_date, sex, last_message_id)
        select id, a, i, t, s, m, g, lk, snd, d::jsonb, fam, giv, bd::date, sx, lm from unnest(
          ${param(recs, (r) => r.id)}::bigint[], ${param(recs, (r) => r.authorityId)}::int[], ${param(recs, (r) => r.identifier)}::text[],
          ${param(recs, (r) => r.identifierType ?? null)}::text[], ${param(recs, (r) => r.status ?? 'active')}::text[], ${param(recs, (r) => r.mergedIntoId ?? null)}::bigint[],
          ${param(recs, (r) => r.goldenId)}::uuid[], ${param(recs, (r) => r.linkKind)}::text[], ${param(recs, (r) => r.sender)}::text[], ${sql.param(recJson)}::text[],
          ${param(idx, (x) => x.family)}::text[], ${param(idx, (x) => x.given)}::text[], ${param(idx, (x) => x.birthDate)}::text[], ${param(idx, (x) => x.sex)}::text[],
          ${param(recs, (r) => r.messageId)}::bigint[]) as t(id, a, i, t, s, m, g, lk, snd, d, fam, giv, bd, sx, lm)`));
    }
    const ups = [...this.updates.entries()];
    const upJson = ups.map(([, u]) => json(u.demographics));
    if (ups.length) {
      const idx = ups.map(([, u]) => (u.demographics ? indexColumns(u.demographics) : undefined));
      ops.push(tx.execute(sql`update source_records s set
          demographics = coalesce(v.d::jsonb, s.demographics),
          family = case when v.d is null then s.family else v.fam end,
          given = case when v.d is null then s.given else v.giv end,
          birth_date = case when v.d is null then s.birth_date else v.bd::date end,
          sex = case when v.d is null then s.sex else v.sx end,
          sender = coalesce(v.snd, s.sender),
          last_message_id = coalesce(v.lm, s.last_message_id),
          golden_id = case when v.gset = 'y' then v.g else s.golden_id end,
          link_kind = case when v.gset = 'y' then v.lk else s.link_kind end,
          version = s.version + v.bumps,
          updated_at = now()
        from unnest(${param(ups, ([id]) => id)}::bigint[], ${sql.param(upJson)}::text[],
          ${param(idx, (x) => x?.family ?? null)}::text[], ${param(idx, (x) => x?.given ?? null)}::text[], ${param(idx, (x) => x?.birthDate ?? null)}::text[], ${param(idx, (x) => x?.sex ?? null)}::text[],
          ${param(ups, ([, u]) => u.sender ?? null)}::text[], ${param(ups, ([, u]) => u.lastMessageId ?? null)}::bigint[],
          ${param(ups, ([, u]) => (u.goldenId !== undefined ? 'y' : 'n'))}::text[], ${param(ups, ([, u]) => u.goldenId ?? null)}::uuid[], ${param(ups, ([, u]) => u.linkKind ?? null)}::text[], ${param(ups, ([, u]) => u.bumps)}::int[])
          as v(id, d, fam, giv, bd, sx, snd, lm, gset, g, lk, bumps)
        where s.id = v.id`));
      const moved = ups.filter(([, u]) => u.goldenId !== undefined).map(([id]) => id);
      if (moved.length) ops.push(tx.execute(followSurvivors(moved)));
    }
    // Close before insert: one open link per record is a unique index.
    if (this.closed.length) {
      ops.push(tx.execute(sql`update links l set removed_at = now(), removed_reason = v.reason
        from unnest(${param(this.closed, (c) => c.sourceRecordId)}::bigint[], ${param(this.closed, (c) => c.reason)}::text[]) as v(id, reason)
        where l.source_record_id = v.id and l.removed_at is null`));
    }
    if (this.newLinks.length) {
      const ls = this.newLinks;
      ops.push(tx.execute(sql`insert into links (source_record_id, golden_id, kind, score, model_version, message_id, removed_at, removed_reason)
        select s, g, k, sc, mv, m, case when r is null then null else now() end, r from unnest(
          ${param(ls, (l) => l.sourceRecordId)}::bigint[], ${param(ls, (l) => l.goldenId)}::uuid[], ${param(ls, (l) => l.kind)}::text[],
          ${param(ls, (l) => l.score)}::real[], ${param(ls, (l) => l.modelVersion)}::int[], ${param(ls, (l) => l.messageId)}::bigint[],
          ${param(ls, (l) => l.removedReason ?? null)}::text[]) as t(s, g, k, sc, mv, m, r)`));
    }
    ops.push(...this.keyChanges(tx));
    if (this.superseded.size) {
      ops.push(tx.execute(sql`update review_items set status = 'superseded', version = version + 1 where source_record_id = any(${sql.param([...this.superseded])}::bigint[]) and status = 'open'`));
    }
    const keeping = [...this.supersededKeeping].filter((id) => !this.superseded.has(id));
    if (keeping.length) {
      ops.push(
        tx.execute(sql`update review_items set status = 'superseded', version = version + 1
          where source_record_id = any(${sql.param(keeping)}::bigint[]) and status = 'open' and not (reasons @> ${LINKED_ELSEWHERE}::jsonb)`),
      );
    }
    if (this.reviews.length) ops.push(tx.execute(REVIEW_INSERT(this.reviews)));
    const retired = [...this.retired];
    if (retired.length) {
      ops.push(tx.execute(sql`update golden_records g set status = 'merged', merged_into_id = v.target, version = g.version + 1, updated_at = now()
        from unnest(${param(retired, ([id]) => id)}::uuid[], ${param(retired, ([, into]) => into)}::uuid[]) as v(id, target) where g.id = v.id`));
      ops.push(tx.execute(redirectReviews(retired.map(([id]) => id), retired.map(([, into]) => into))));
    }
    await settle(ops);
    for (const id of [...this.superseded, ...this.supersededKeeping]) this.asking.set(id, false);
    for (const r of this.reviews) if (!r.reasons.includes('linked-elsewhere')) this.asking.set(r.sourceRecordId, true);
    // What was just written is the version later reads will find (jsonb reorders keys; the values are the same).
    recs.forEach((r, i) => recJson[i] !== null && this.demographics.set(r.id, r.messageId, recJson[i]!));
    ups.forEach(([id, u], i) => upJson[i] !== null && u.lastMessageId !== undefined && this.demographics.set(id, u.lastMessageId, upJson[i]!));
    await resurvive(tx, [...this.dirtyGoldens], this.survive, this.demographics);
    this.settleCaches();
    this.newGoldens.clear();
    this.newRecords.clear();
    this.updates.clear();
    this.dirtyGoldens.clear();
    this.retired.clear();
    this.newLinks = [];
    this.closed = [];
    this.keySets.clear();
    this.keyIndex.clear();
    this.reviews = [];
    this.superseded.clear();
    this.supersededKeeping.clear();
  }
}
