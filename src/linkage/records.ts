import { eq, sql } from 'drizzle-orm';
import type { AuthorityRegistry } from '../ingest/authorities.js';
import type { Demographics } from '../ingest/demographics.js';
import { query, type Tx } from '../storage/db.js';
import { goldenRecords, links, sourceRecords } from '../storage/schema/index.js';
import type { ChangeLog } from './changes.js';
import type { LinkKind, Linker, ReviewProposal } from './linker.js';
import type { LinkExtra, NewRecord, RecordStore, SourceRecordRow } from './store.js';

export type { SourceRecordRow } from './store.js';
export { recordKey } from './store.js';

export interface ApplyContext {
  tx: Tx;
  store: RecordStore;
  registry: AuthorityRegistry;
  linker: Linker;
  changes: ChangeLog;
  messageId: number;
  actor: string;
}

/*
 * The operations of applying ADT, each with its audit row and outbox event. Persistence goes through
 * ctx.store, so the same code runs record by record or as a unit of work.
 */

export function loadRecords(ctx: ApplyContext, keys: Array<{ authorityId: number; identifier: string }>) {
  return ctx.store.load(ctx.tx, keys);
}

/** The record a retired identifier now stands for. Merges are path-compressed, but a loop guard costs nothing. */
export async function survivorOf(ctx: ApplyContext, row: SourceRecordRow): Promise<SourceRecordRow> {
  let cur = row;
  for (let hops = 0; cur.status === 'merged' && cur.mergedIntoId !== null && hops < 32; hops++) {
    const next = await ctx.store.byId(ctx.tx, cur.mergedIntoId);
    if (!next) break;
    cur = next;
  }
  return cur;
}

export async function insertRecord(ctx: ApplyContext, r: Omit<NewRecord, 'messageId'>): Promise<SourceRecordRow> {
  const rec = await ctx.store.insert(ctx.tx, { ...r, messageId: ctx.messageId });
  ctx.changes.record(ctx.actor, 'source.created', 'source_record', rec.id, ctx.messageId, { status: rec.status });
  return rec;
}

/**
 * Applies newer demographics. A message older than the one that last wrote the record (a dead letter
 * retried late) must not roll the record back, so it is skipped and audited.
 */
export async function updateDemographics(ctx: ApplyContext, rec: SourceRecordRow, d: Demographics, sender: string): Promise<boolean> {
  if (rec.lastMessageId !== null && rec.lastMessageId > ctx.messageId) {
    ctx.changes.record(ctx.actor, 'source.update-skipped-stale', 'source_record', rec.id, ctx.messageId, { lastMessageId: rec.lastMessageId });
    return false;
  }
  await ctx.store.updateDemographics(ctx.tx, rec, d, sender, ctx.messageId);
  rec.lastMessageId = ctx.messageId;
  ctx.changes.record(ctx.actor, 'source.updated', 'source_record', rec.id, ctx.messageId);
  return true;
}

export async function createGolden(ctx: ApplyContext, d: Demographics, fromRecord: number): Promise<string> {
  const id = await ctx.store.createGolden(ctx.tx, d, fromRecord);
  ctx.changes.record(ctx.actor, 'golden.created', 'golden_record', id, ctx.messageId);
  ctx.changes.emit('golden.created', id, { goldenId: id, messageId: ctx.messageId });
  return id;
}

/** A member's demographics changed: the golden record's survivorship is recomputed (survivorship.ts). */
export function touchGolden(ctx: ApplyContext, goldenId: string) {
  return ctx.store.touchGolden(ctx.tx, goldenId);
}

export async function link(ctx: ApplyContext, rec: SourceRecordRow, goldenId: string, kind: LinkKind, extra: LinkExtra = {}) {
  if (rec.goldenId === goldenId) return;
  if (rec.goldenId) await unlink(ctx, rec, `relinked:${kind}`);
  await ctx.store.link(ctx.tx, rec, goldenId, kind, extra, ctx.messageId);
  rec.goldenId = goldenId;
  rec.linkKind = kind;
  await ctx.store.touchGolden(ctx.tx, goldenId);
  const scored = extra.score === undefined ? {} : { score: extra.score, modelVersion: extra.modelVersion };
  ctx.changes.record(ctx.actor, 'link.created', 'source_record', rec.id, ctx.messageId, { goldenId, kind, ...scored });
  ctx.changes.emit('link.created', goldenId, { goldenId, sourceRecordId: rec.id, system: systemFor(ctx, rec), value: rec.identifier, kind, ...scored, messageId: ctx.messageId });
}

export async function unlink(ctx: ApplyContext, rec: SourceRecordRow, reason: string) {
  if (!rec.goldenId) return;
  await ctx.store.unlink(ctx.tx, rec, reason);
  ctx.changes.record(ctx.actor, 'link.removed', 'source_record', rec.id, ctx.messageId, { goldenId: rec.goldenId, reason });
  ctx.changes.emit('link.removed', rec.goldenId, { goldenId: rec.goldenId, sourceRecordId: rec.id, system: systemFor(ctx, rec), value: rec.identifier, reason, messageId: ctx.messageId });
  await ctx.store.touchGolden(ctx.tx, rec.goldenId);
  rec.goldenId = null;
  rec.linkKind = null;
}

/** Puts the pair in the stewards' queue; the record stays in its own golden record meanwhile. */
export async function openReview(ctx: ApplyContext, rec: SourceRecordRow, p: ReviewProposal) {
  await ctx.store.openReview(ctx.tx, { ...p, sourceRecordId: rec.id, messageId: ctx.messageId });
  const data = { sourceRecordId: rec.id, goldenId: rec.goldenId, candidateGoldenId: p.candidateGoldenId, candidateRecordId: p.candidateRecordId, probability: p.probability, reasons: p.reasons, modelVersion: p.modelVersion };
  ctx.changes.record(ctx.actor, 'review.opened', 'source_record', rec.id, ctx.messageId, data);
  ctx.changes.emit('review.opened', p.candidateGoldenId, { ...data, messageId: ctx.messageId });
}

/**
 * The questions a link was opened with (Placement `reviews`), each about a golden record the record matched
 * strongly but far less well. One that no longer holds an active record apart from the record's own (the
 * linker moved its lone member over, and retired it) asks nothing any more.
 */
export async function openBeside(ctx: ApplyContext, rec: SourceRecordRow, asks: readonly ReviewProposal[]) {
  if (!asks.length) return;
  const members = await ctx.store.members(ctx.tx, asks.map((a) => a.candidateGoldenId));
  for (const a of asks) {
    if (a.candidateGoldenId === rec.goldenId) continue;
    if (members.some((m) => m.goldenId === a.candidateGoldenId && m.id !== rec.id)) await openReview(ctx, rec, a);
  }
}

/**
 * Moves every member of one golden record into another and retires the first. Only an explicit
 * instruction (a source's A40, later a steward) gets here: golden records are never merged by score.
 * Reads members from the database, so the store must have been flushed.
 */
export async function mergeGolden(ctx: ApplyContext, from: string, into: string, reason: string) {
  if (from === into) return;
  const members = await query<{ id: number }>(ctx.tx, sql`select id::int as id from source_records where golden_id = ${from} for update`);
  if (members.length) {
    const ids = sql.param(members.map((m) => m.id));
    await ctx.tx.execute(sql`update links set removed_at = now(), removed_reason = ${reason} where removed_at is null and source_record_id = any(${ids}::bigint[])`);
    await ctx.tx.insert(links).values(members.map((m) => ({ sourceRecordId: m.id, goldenId: into, kind: 'a40', messageId: ctx.messageId })));
    await ctx.tx.update(sourceRecords).set({ goldenId: into, linkKind: 'a40' }).where(eq(sourceRecords.goldenId, from));
  }
  await ctx.store.touchGolden(ctx.tx, into);
  // Review items about the absorbed golden record: moot where the record is now in it, else they follow it.
  await ctx.tx.execute(sql`update review_items r set status = 'superseded', version = r.version + 1, note = 'golden records merged'
    from source_records s where s.id = r.source_record_id and r.status = 'open' and r.candidate_golden_id in (${from}, ${into}) and s.golden_id = ${into}`);
  await ctx.tx.execute(sql`update review_items r set candidate_golden_id = ${into}, version = r.version + 1
    where r.status = 'open' and r.candidate_golden_id = ${from}
      and not exists (select 1 from review_items o where o.status = 'open' and o.source_record_id = r.source_record_id and o.candidate_golden_id = ${into})`);
  await ctx.tx.execute(sql`update review_items set status = 'superseded', version = version + 1, note = 'golden records merged' where status = 'open' and candidate_golden_id = ${from}`);
  await ctx.tx.update(goldenRecords).set({ status: 'merged', mergedIntoId: into, updatedAt: sql`now()`, version: sql`${goldenRecords.version} + 1` }).where(eq(goldenRecords.id, from));
  ctx.changes.record(ctx.actor, 'golden.merged', 'golden_record', from, ctx.messageId, { into, reason, members: members.length });
  ctx.changes.emit('golden.merged', into, { from, into, reason, sourceRecordIds: members.map((m) => m.id), messageId: ctx.messageId });
}

function systemFor(ctx: ApplyContext, rec: SourceRecordRow) {
  const a = ctx.registry.get(rec.authorityId);
  return a ? (a.oid ? `urn:oid:${a.oid}` : a.namespace) : null;
}
