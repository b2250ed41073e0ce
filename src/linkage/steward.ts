import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { systemOf, type AuthorityRegistry } from '../ingest/authorities.js';
import { APPLY_LOCK } from '../ingest/worker.js';
import { query, type Database, type Tx } from '../storage/db.js';
import { ChangeLog } from './changes.js';
import type { LinkKind } from './linker.js';
import { rememberNonMatches } from './non-matches.js';
import { SqlStore, type Survive } from './store.js';

/*
 * What a data steward does to who-is-who: resolve a review item, link, unlink, merge and unmerge. Each is one
 * transaction that holds the ingest worker's lock (so the matcher never decides on a membership a steward is
 * changing, and a steward never acts on a half-applied batch), recomputes the survivorship of every golden
 * record it touched, and writes its audit rows and outbox events with the change.
 */

export type StewardErrorCode = 'not_found' | 'conflict' | 'bad_request';

export class StewardError extends Error {
  constructor(
    readonly code: StewardErrorCode,
    message: string,
    /** Which refusal a conflict is, where a screen words it differently from a stale version. */
    readonly refusal?: 'shared-authority',
  ) {
    super(message);
  }
}

export interface StewardDeps {
  database: Database;
  registry: AuthorityRegistry;
  survive: Survive;
}

interface Ctx {
  tx: Tx;
  changes: ChangeLog;
  /** `api:<key id>`: who, in every audit row. */
  actor: string;
  registry: AuthorityRegistry;
  /** Golden records whose membership changed: survivorship and review items are brought up to date at the end. */
  touched: Set<string>;
  /** Golden records retired here, and into which. */
  retired: Map<string, string>;
}

interface RecordRow {
  id: number;
  authorityId: number;
  identifier: string;
  status: 'active' | 'merged';
  goldenId: string | null;
  linkKind: LinkKind | null;
  mergedIntoId: number | null;
}

interface GoldenRow {
  id: string;
  status: string;
  mergedIntoId: string | null;
}

const recordColumns = sql`id::int as id, authority_id as "authorityId", identifier, status, golden_id as "goldenId", link_kind as "linkKind", merged_into_id::int as "mergedIntoId"`;

async function inTransaction<T>(deps: StewardDeps, actor: string, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return deps.database.db.transaction(async (tx) => {
    // PGlite runs one transaction at a time anyway; on PostgreSQL this waits for the worker's current batch.
    if (deps.database.kind === 'postgres') await tx.execute(sql`select pg_advisory_xact_lock(${APPLY_LOCK})`);
    // The worker carries what it read from one batch to the next only while no one else changed records (worker.ts).
    await tx.execute(sql`select nextval('apply_epoch')`);
    const ctx: Ctx = { tx, changes: new ChangeLog(), actor, registry: deps.registry, touched: new Set(), retired: new Map() };
    const out = await fn(ctx);
    await settleReviews(ctx);
    const store = new SqlStore(deps.survive);
    for (const g of ctx.touched) await store.touchGolden(tx, g);
    await ctx.changes.flush(tx);
    return out;
  });
}

export async function recordById(tx: Tx, id: number): Promise<RecordRow | undefined> {
  const [r] = await query<RecordRow>(tx, sql`select ${recordColumns} from source_records where id = ${id} for update`);
  return r;
}

/** The source record named by system (OID, urn:oid:, or namespace) and value; 404 when either is unknown. */
async function recordByIdentifier(ctx: Ctx, ref: { system: string; value: string }): Promise<RecordRow> {
  const a = ctx.registry.findBySystem(ref.system);
  if (!a) throw new StewardError('not_found', 'sourceRecord.system is not a known assigning authority');
  const [r] = await query<RecordRow>(ctx.tx, sql`select ${recordColumns} from source_records where authority_id = ${a.id} and identifier = ${ref.value} for update`);
  if (!r) throw new StewardError('not_found', 'no source record with this identifier');
  return r;
}

function activeRecord(r: RecordRow): RecordRow {
  // Its identifier resolves like the survivor: acting on a retired record would split it from the survivor.
  if (r.status !== 'active') throw new StewardError('conflict', `source record ${r.id} was retired by a source merge (A40) into record ${r.mergedIntoId}: act on that record`);
  return r;
}

async function goldenById(tx: Tx, id: string): Promise<GoldenRow | undefined> {
  const [g] = await query<GoldenRow>(tx, sql`select id, status, merged_into_id as "mergedIntoId" from golden_records where id = ${id} for update`);
  return g;
}

async function activeGolden(tx: Tx, id: string, name: string): Promise<GoldenRow> {
  const g = await goldenById(tx, id);
  if (!g) throw new StewardError('not_found', `${name}: no such golden record`);
  if (g.status !== 'active') throw new StewardError('conflict', `${name}: golden record ${id} was merged into ${g.mergedIntoId}`);
  return g;
}

/** Where a golden record's members are now: it, or the golden record that absorbed it. */
async function currentGolden(tx: Tx, id: string): Promise<GoldenRow | undefined> {
  let g = await goldenById(tx, id);
  for (let hops = 0; g && g.status === 'merged' && g.mergedIntoId && hops < 16; hops++) g = await goldenById(tx, g.mergedIntoId);
  return g;
}

/** Retired identifiers that resolve through this record: they go wherever it goes. */
async function retiredInto(tx: Tx, id: number): Promise<RecordRow[]> {
  return query<RecordRow>(tx, sql`select ${recordColumns} from source_records where merged_into_id = ${id} and status = 'merged' order by id for update`);
}

async function activeMembers(tx: Tx, goldenId: string): Promise<RecordRow[]> {
  return query<RecordRow>(tx, sql`select ${recordColumns} from source_records where golden_id = ${goldenId} and status = 'active' order by id`);
}

const systemFor = (ctx: Ctx, r: RecordRow) => {
  const a = ctx.registry.get(r.authorityId);
  return a ? systemOf(a) || null : null;
};

/**
 * Moves records into a golden record: their open links are closed with `reason` and new ones opened, so the
 * links table keeps the history an unmerge restores from. `emit`: link events per record (a merge or unmerge
 * says it in one event instead).
 */
async function move(ctx: Ctx, recs: RecordRow[], into: string, kind: LinkKind | ((r: RecordRow) => LinkKind), reason: string, emit: boolean, note: string | null) {
  if (!recs.length) return;
  const ids = recs.map((r) => r.id);
  const kinds = recs.map((r) => (typeof kind === 'function' ? kind(r) : kind));
  await ctx.tx.execute(sql`update links set removed_at = now(), removed_reason = ${reason} where removed_at is null and source_record_id = any(${sql.param(ids)}::bigint[])`);
  await ctx.tx.execute(sql`insert into links (source_record_id, golden_id, kind)
    select id, ${into}::uuid, k from unnest(${sql.param(ids)}::bigint[], ${sql.param(kinds)}::text[]) as v(id, k)`);
  // updated_at is left alone: it says when the record's data changed (a review item's `stale`), not its membership.
  await ctx.tx.execute(sql`update source_records s set golden_id = ${into}::uuid, link_kind = v.k
    from unnest(${sql.param(ids)}::bigint[], ${sql.param(kinds)}::text[]) as v(id, k) where s.id = v.id`);
  recs.forEach((r, i) => {
    const from = r.goldenId;
    const system = systemFor(ctx, r);
    if (from && from !== into) {
      ctx.touched.add(from);
      ctx.changes.record(ctx.actor, 'link.removed', 'source_record', r.id, null, { goldenId: from, reason, note });
      if (emit) ctx.changes.emit('link.removed', from, { goldenId: from, sourceRecordId: r.id, system, value: r.identifier, reason, messageId: null });
    }
    ctx.changes.record(ctx.actor, 'link.created', 'source_record', r.id, null, { goldenId: into, kind: kinds[i], previousGoldenId: from, note });
    if (emit && from !== into) ctx.changes.emit('link.created', into, { goldenId: into, sourceRecordId: r.id, system, value: r.identifier, kind: kinds[i]!, messageId: null });
    r.goldenId = into;
    r.linkKind = kinds[i]!;
  });
  ctx.touched.add(into);
}

/** A record together with the retired identifiers that resolve through it. */
async function withRetired(ctx: Ctx, r: RecordRow): Promise<RecordRow[]> {
  return [r, ...(await retiredInto(ctx.tx, r.id))];
}

/**
 * A golden record left with no active member is retired into where its members went (golden.merged), so
 * whoever holds its id is sent on, as the matcher does for its last member relinked.
 */
async function retireIfEmpty(ctx: Ctx, goldenId: string | null, into: string, reason: string, moved: number[], note: string | null): Promise<string | null> {
  if (!goldenId || goldenId === into) return null;
  if ((await activeMembers(ctx.tx, goldenId)).length) return null;
  await ctx.tx.execute(sql`update golden_records set status = 'merged', merged_into_id = ${into}::uuid, version = version + 1, updated_at = now() where id = ${goldenId} and status = 'active'`);
  ctx.touched.delete(goldenId);
  ctx.retired.set(goldenId, into);
  ctx.changes.record(ctx.actor, 'golden.merged', 'golden_record', goldenId, null, { into, reason, sourceRecordIds: moved, note });
  return ctx.changes.emit('golden.merged', into, { from: goldenId, into, reason, sourceRecordIds: moved, messageId: null });
}

/** Golden records sharing an assigning authority's active records: the same source's duplicate, the source's own call. */
async function sharedAuthorities(tx: Tx, a: string, b: string, exceptRecord?: number): Promise<number[]> {
  const rows = await query<{ authorityId: number }>(
    tx,
    sql`select distinct x.authority_id as "authorityId" from source_records x join source_records y on y.authority_id = x.authority_id
        where x.golden_id = ${a} and y.golden_id = ${b} and x.status = 'active' and y.status = 'active'
          and x.id <> ${exceptRecord ?? -1} and y.id <> ${exceptRecord ?? -1} and x.id <> y.id`,
  );
  return rows.map((r) => r.authorityId);
}

/**
 * Open review items after membership changed: an item whose record is now in its candidate golden record asks
 * nothing; one whose candidate was retired follows it to its survivor (or closes when that question is
 * already open).
 */
async function settleReviews(ctx: Ctx) {
  const touched = [...ctx.touched];
  for (const [from, into] of ctx.retired) {
    await ctx.tx.execute(sql`update review_items o set candidate_golden_id = ${into}::uuid, version = o.version + 1
      where o.status = 'open' and o.candidate_golden_id = ${from}
        and not exists (select 1 from review_items d where d.status = 'open' and d.source_record_id = o.source_record_id and d.candidate_golden_id = ${into}::uuid)`);
    await ctx.tx.execute(sql`update review_items set status = 'superseded', version = version + 1, note = 'golden records merged' where status = 'open' and candidate_golden_id = ${from}`);
    touched.push(into);
  }
  if (!touched.length) return;
  await ctx.tx.execute(sql`update review_items r set status = 'superseded', version = r.version + 1, note = 'settled by a steward'
    from source_records s where s.id = r.source_record_id and r.status = 'open' and s.golden_id = r.candidate_golden_id
      and r.candidate_golden_id = any(${sql.param(touched)}::uuid[])`);
}

/** A golden record for one record; its survivorship is computed with the others touched, once its member is in. */
async function newGolden(ctx: Ctx, from: RecordRow): Promise<string> {
  const id = randomUUID();
  await ctx.tx.execute(sql`insert into golden_records (id, demographics, provenance) select ${id}::uuid, demographics, jsonb_build_object('all', id) from source_records where id = ${from.id}`);
  ctx.changes.record(ctx.actor, 'golden.created', 'golden_record', id, null, { fromRecord: from.id });
  ctx.changes.emit('golden.created', id, { goldenId: id, messageId: null });
  return id;
}

// ------------------------------------------------------------------------------------------------ review items

export interface ResolveInput {
  decision: 'match' | 'non-match' | 'merge';
  note?: string | null;
  version: number;
}

export interface ResolveResult {
  id: number;
  status: 'resolved';
  decision: ResolveInput['decision'];
  version: number;
  /** The golden record the source record is in afterwards. */
  goldenId: string;
  /** Record pairs remembered as not the same person (non-match). */
  nonMatchPairs: number;
  /** Other open items of the record closed by a match. */
  superseded: number;
}

interface ItemRow {
  id: number;
  sourceRecordId: number;
  candidateGoldenId: string;
  candidateRecordId: number;
  status: string;
  version: number;
}

/**
 * A steward's answer to a review item. The stored `version` must be the one the steward saw, and the item
 * still open: of two stewards answering one item, the second gets a conflict.
 *   match      the record joins the candidate golden record (kind steward); the golden record it leaves, if
 *              empty, is retired into it; the record's other open items close.
 *   non-match  remembered for the record and each member of the candidate golden record, so the matcher does
 *              not propose the pair again until either record's data changes. When the item asked whether the
 *              record still belongs where it is (`updated-record`), it leaves into a golden record of its own.
 *   merge      the record's golden record and the candidate are one person: every record of the candidate moves
 *              into the record's golden record, and the candidate is retired into it (golden.merged, undone by
 *              unmerge). For an item asked beside a link (`linked-elsewhere`), where the record is in a golden
 *              record with others. Refused when both hold an active record of one authority (a source's
 *              duplicate: its A40, or the merge endpoint with force).
 */
export function resolveReview(deps: StewardDeps, actor: string, itemId: number, input: ResolveInput): Promise<ResolveResult> {
  return inTransaction(deps, actor, async (ctx) => {
    const [item] = await query<ItemRow>(
      ctx.tx,
      sql`select id::int as id, source_record_id::int as "sourceRecordId", candidate_golden_id as "candidateGoldenId", candidate_record_id::int as "candidateRecordId", status, version
          from review_items where id = ${itemId} for update`,
    );
    if (!item) throw new StewardError('not_found', 'no such review item');
    if (item.status !== 'open') throw new StewardError('conflict', `review item ${itemId} is ${item.status}`);
    if (item.version !== input.version) throw new StewardError('conflict', `review item ${itemId} is at version ${item.version}, not ${input.version}: read it again`);
    const rec = await recordById(ctx.tx, item.sourceRecordId);
    if (!rec) throw new StewardError('conflict', 'the review item\'s source record no longer exists');
    activeRecord(rec);
    const target = await currentGolden(ctx.tx, item.candidateGoldenId);
    if (!target || target.status !== 'active') throw new StewardError('conflict', 'the candidate golden record no longer exists');
    const note = input.note ?? null;
    let nonMatchPairs = 0;
    let superseded = 0;

    if (input.decision === 'merge') {
      if (!rec.goldenId || rec.goldenId === target.id) throw new StewardError('bad_request', 'the record is in the candidate golden record already: there is nothing to merge');
      await mergeInto(ctx, target.id, rec.goldenId, note ?? `review item ${itemId}`, false);
    } else if (input.decision === 'match') {
      if (rec.goldenId === target.id) {
        // It is in the golden record already (the item asked whether it still belongs): the steward's word pins it.
        await move(ctx, [rec], target.id, 'steward', 'steward-confirmed', false, note);
      } else {
        const from = rec.goldenId;
        const moving = await withRetired(ctx, rec);
        await move(ctx, moving, target.id, 'steward', `steward-match:review:${itemId}`, true, note);
        await retireIfEmpty(ctx, from, target.id, 'steward-match', moving.map((r) => r.id), note);
      }
      const closed = await query<{ id: number }>(
        ctx.tx,
        sql`update review_items set status = 'superseded', version = version + 1, note = ${`settled by review item ${itemId}`}
            where source_record_id = ${rec.id} and status = 'open' and id <> ${itemId} returning id::int as id`,
      );
      superseded = closed.length;
    } else {
      const others = (await activeMembers(ctx.tx, target.id)).map((m) => m.id).filter((id) => id !== rec.id);
      if (rec.goldenId === target.id) {
        const g = await newGolden(ctx, rec);
        await move(ctx, await withRetired(ctx, rec), g, 'steward', `steward-non-match:review:${itemId}`, true, note);
      }
      nonMatchPairs = await rememberNonMatches(ctx.tx, { recordId: rec.id, others: [...others, item.candidateRecordId], reviewItemId: itemId, decidedBy: actor, note });
    }
    const [done] = await query<{ version: number }>(
      ctx.tx,
      sql`update review_items set status = 'resolved', decision = ${input.decision}, decided_by = ${actor}, decided_at = now(), note = ${note}, version = version + 1
          where id = ${itemId} returning version`,
    );
    ctx.changes.record(ctx.actor, 'review.resolved', 'review_item', itemId, null, {
      decision: input.decision,
      sourceRecordId: rec.id,
      candidateGoldenId: target.id,
      goldenId: rec.goldenId,
      nonMatchPairs,
      superseded,
      note,
    });
    return { id: itemId, status: 'resolved', decision: input.decision, version: done!.version, goldenId: rec.goldenId!, nonMatchPairs, superseded };
  });
}

// ------------------------------------------------------------------------------------------------ manual actions

export interface RecordRef {
  system: string;
  value: string;
}

export interface LinkResult {
  sourceRecordId: number;
  goldenId: string;
  previousGoldenId: string | null;
  /** The golden record left empty and retired into goldenId, if any. */
  retiredGoldenId: string | null;
  /** Retired identifiers (A40) that moved with the record. */
  movedRecordIds: number[];
}

/**
 * Puts a source record (with the identifiers retired into it) in a golden record. Refused when that golden
 * record holds another active record of the same authority (a source's duplicate: its A40 is the better fix)
 * unless `force`.
 */
export function linkRecord(deps: StewardDeps, actor: string, input: { sourceRecord: RecordRef; goldenId: string; note: string; force?: boolean }): Promise<LinkResult> {
  return inTransaction(deps, actor, async (ctx) => {
    const rec = activeRecord(await recordByIdentifier(ctx, input.sourceRecord));
    const target = await activeGolden(ctx.tx, input.goldenId, 'goldenId');
    if (rec.goldenId === target.id) throw new StewardError('conflict', `source record ${rec.id} is already linked to golden record ${target.id}`);
    const same = await query<{ id: number }>(
      ctx.tx,
      sql`select id::int as id from source_records where golden_id = ${target.id} and status = 'active' and authority_id = ${rec.authorityId} and id <> ${rec.id} limit 1`,
    );
    if (same.length && !input.force) {
      throw new StewardError('conflict', `golden record ${target.id} already holds an active record of this authority (record ${same[0]!.id}): send force=true with a note to link anyway`);
    }
    const from = rec.goldenId;
    const moving = await withRetired(ctx, rec);
    await move(ctx, moving, target.id, 'steward', 'steward-link', true, input.note);
    const retired = await retireIfEmpty(ctx, from, target.id, 'steward-link', moving.map((r) => r.id), input.note);
    ctx.changes.record(ctx.actor, 'steward.link', 'source_record', rec.id, null, { goldenId: target.id, previousGoldenId: from, force: !!input.force, sameAuthority: same.length > 0, note: input.note });
    return { sourceRecordId: rec.id, goldenId: target.id, previousGoldenId: from, retiredGoldenId: retired ? from : null, movedRecordIds: moving.map((r) => r.id) };
  });
}

export interface UnlinkResult {
  sourceRecordId: number;
  goldenId: string;
  previousGoldenId: string;
  movedRecordIds: number[];
  nonMatchPairs: number;
}

/**
 * Takes a source record out of its golden record into a new one of its own (kind steward, so a later A08 does
 * not score it back), and remembers it as not the person of the members it leaves.
 */
export function unlinkRecord(deps: StewardDeps, actor: string, input: { sourceRecord: RecordRef; note: string }): Promise<UnlinkResult> {
  return inTransaction(deps, actor, async (ctx) => {
    const rec = activeRecord(await recordByIdentifier(ctx, input.sourceRecord));
    if (!rec.goldenId) throw new StewardError('conflict', `source record ${rec.id} is not linked`);
    const from = rec.goldenId;
    const others = (await activeMembers(ctx.tx, from)).filter((m) => m.id !== rec.id);
    if (!others.length) throw new StewardError('conflict', `source record ${rec.id} is the only active record of golden record ${from}: nothing to unlink it from`);
    const g = await newGolden(ctx, rec);
    const moving = await withRetired(ctx, rec);
    await move(ctx, moving, g, 'steward', 'steward-unlink', true, input.note);
    const nonMatchPairs = await rememberNonMatches(ctx.tx, { recordId: rec.id, others: others.map((m) => m.id), reviewItemId: null, decidedBy: actor, note: input.note });
    ctx.changes.record(ctx.actor, 'steward.unlink', 'source_record', rec.id, null, { goldenId: g, previousGoldenId: from, nonMatchPairs, note: input.note });
    return { sourceRecordId: rec.id, goldenId: g, previousGoldenId: from, movedRecordIds: moving.map((r) => r.id), nonMatchPairs };
  });
}

export interface MergeResult {
  /** The golden.merged event: what POST /api/golden-records/unmerge takes to undo this merge. */
  mergeEventId: string;
  from: string;
  into: string;
  sourceRecordIds: number[];
}

/** Every record of `from` (retired identifiers included) moves to `into`; `from` is retired into it. */
export function mergeGoldens(deps: StewardDeps, actor: string, input: { from: string; into: string; note: string; force?: boolean }): Promise<MergeResult> {
  return inTransaction(deps, actor, (ctx) => mergeInto(ctx, input.from, input.into, input.note, input.force === true));
}

/** mergeGoldens inside a steward's transaction (also a review item's `merge`). */
async function mergeInto(ctx: Ctx, from: string, into: string, note: string, force: boolean): Promise<MergeResult> {
  if (from === into) throw new StewardError('bad_request', 'from and into are the same golden record');
  // Locked in a fixed order, so two stewards merging a pair both ways cannot deadlock.
  const [first, second] = [from, into].sort();
  await activeGolden(ctx.tx, first!, first === from ? 'from' : 'into');
  await activeGolden(ctx.tx, second!, second === from ? 'from' : 'into');
  const shared = await sharedAuthorities(ctx.tx, from, into);
  if (shared.length && !force) {
    throw new StewardError('conflict', 'both golden records hold an active record of the same authority: send force=true with a note to merge anyway', 'shared-authority');
  }
  const members = await query<RecordRow>(ctx.tx, sql`select ${recordColumns} from source_records where golden_id = ${from} order by id for update`);
  await move(ctx, members, into, 'steward', 'steward-merge', false, note);
  await ctx.tx.execute(sql`update golden_records set status = 'merged', merged_into_id = ${into}::uuid, version = version + 1, updated_at = now() where id = ${from}`);
  ctx.touched.delete(from);
  ctx.retired.set(from, into);
  const ids = members.map((m) => m.id);
  ctx.changes.record(ctx.actor, 'golden.merged', 'golden_record', from, null, { into, reason: 'steward', sourceRecordIds: ids, force, note });
  const mergeEventId = ctx.changes.emit('golden.merged', into, { from, into, reason: 'steward', sourceRecordIds: ids, messageId: null });
  return { mergeEventId, from, into, sourceRecordIds: ids };
}

export interface UnmergeResult {
  /** The golden record restored, and the one its records left. */
  goldenId: string;
  from: string;
  mergeEventId: string;
  sourceRecordIds: number[];
  nonMatchPairs: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Undoes a merge: a golden.merged event (a steward's merge, a source's A40 merging golden records, or the
 * matcher relinking a golden record's last member, which is how an automatic link retires a golden record),
 * named by its event id or by the golden record it retired. The records it moved go back to the retired
 * golden record with the link kind each had there (from the links history), which is active again; records
 * that joined the survivor since stay. Refused when any of them has moved on since: undo that first.
 */
export function unmerge(deps: StewardDeps, actor: string, input: { mergeEventId?: string; goldenId?: string; note: string }): Promise<UnmergeResult> {
  return inTransaction(deps, actor, async (ctx) => {
    type Merge = { eventId: string; from: string; into: string; sourceRecordIds: number[] };
    let rows: Array<{ id: string; data: { from: string; into: string; sourceRecordIds: number[] } }>;
    if (input.mergeEventId) {
      if (!UUID.test(input.mergeEventId)) throw new StewardError('bad_request', 'mergeEventId must be a UUID');
      rows = await query(ctx.tx, sql`select id, payload->'data' as data from outbox_events where type = 'golden.merged' and id = ${input.mergeEventId}::uuid`);
    } else {
      rows = await query(ctx.tx, sql`select id, payload->'data' as data from outbox_events where type = 'golden.merged' and (payload->'data'->>'from') = ${input.goldenId!} order by seq desc limit 1`);
    }
    const ev = rows[0];
    if (!ev) throw new StewardError('not_found', input.mergeEventId ? 'no golden.merged event with this id' : 'no merge retired this golden record');
    const m: Merge = { eventId: ev.id, from: ev.data.from, into: ev.data.into, sourceRecordIds: ev.data.sourceRecordIds ?? [] };
    const from = await goldenById(ctx.tx, m.from);
    if (!from) throw new StewardError('conflict', 'the merged golden record no longer exists');
    if (from.status === 'active') throw new StewardError('conflict', `golden record ${m.from} is active: this merge was undone already`);
    if (from.mergedIntoId !== m.into) throw new StewardError('conflict', `golden record ${m.from} was merged again since (into ${from.mergedIntoId}): undo that merge first`);
    const into = await goldenById(ctx.tx, m.into);
    if (!into || into.status !== 'active') throw new StewardError('conflict', `golden record ${m.into} was merged since (into ${into?.mergedIntoId ?? 'nothing'}): undo that merge first`);
    if (!m.sourceRecordIds.length) throw new StewardError('conflict', 'this merge moved no records: nothing to restore');
    const recs = await query<RecordRow>(ctx.tx, sql`select ${recordColumns} from source_records where id = any(${sql.param(m.sourceRecordIds)}::bigint[]) order by id for update`);
    const away = recs.filter((r) => r.goldenId !== m.into);
    if (away.length || recs.length !== m.sourceRecordIds.length) {
      throw new StewardError('conflict', `${away.length + m.sourceRecordIds.length - recs.length} of the records this merge moved are no longer in golden record ${m.into}: undo the later changes first`);
    }
    // Each record goes back as it was there: the kind of its last link to the restored golden record.
    const kinds = new Map(
      (
        await query<{ id: number; kind: LinkKind }>(
          ctx.tx,
          sql`select distinct on (source_record_id) source_record_id::int as id, kind from links
              where golden_id = ${m.from} and source_record_id = any(${sql.param(m.sourceRecordIds)}::bigint[]) and removed_at is not null
              order by source_record_id, id desc`,
        )
      ).map((k) => [k.id, k.kind]),
    );
    await ctx.tx.execute(sql`update golden_records set status = 'active', merged_into_id = null, version = version + 1, updated_at = now() where id = ${m.from}`);
    await move(ctx, recs, m.from, (r) => kinds.get(r.id) ?? 'steward', `unmerged:${m.eventId}`, false, input.note);
    // The steward has said these are two people: the matcher must not put them together again on the same data.
    const stay = (await activeMembers(ctx.tx, m.into)).map((r) => r.id);
    let nonMatchPairs = 0;
    for (const r of recs.filter((x) => x.status === 'active')) {
      nonMatchPairs += await rememberNonMatches(ctx.tx, { recordId: r.id, others: stay, reviewItemId: null, decidedBy: actor, note: input.note });
    }
    ctx.changes.record(ctx.actor, 'golden.unmerged', 'golden_record', m.from, null, { from: m.into, mergeEventId: m.eventId, sourceRecordIds: m.sourceRecordIds, nonMatchPairs, note: input.note });
    ctx.changes.emit('golden.unmerged', m.from, { goldenId: m.from, from: m.into, mergeEventId: m.eventId, sourceRecordIds: m.sourceRecordIds, messageId: null });
    return { goldenId: m.from, from: m.into, mergeEventId: m.eventId, sourceRecordIds: m.sourceRecordIds, nonMatchPairs };
  });
}
