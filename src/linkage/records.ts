import { randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { AuthorityRegistry } from '../ingest/authorities.js';
import { foldName, primaryName, type Demographics } from '../ingest/demographics.js';
import { query, type Tx } from '../storage/db.js';
import { goldenRecords, links, sourceRecords } from '../storage/schema/index.js';
import type { ChangeLog } from './changes.js';
import type { LinkKind, Linker } from './linker.js';

export interface ApplyContext {
  tx: Tx;
  registry: AuthorityRegistry;
  linker: Linker;
  changes: ChangeLog;
  messageId: number;
  actor: string;
}

export interface SourceRecordRow {
  id: number;
  authorityId: number;
  identifier: string;
  status: 'active' | 'merged';
  mergedIntoId: number | null;
  goldenId: string | null;
  lastMessageId: number | null;
}

const columns = sql`id::int as "id", authority_id as "authorityId", identifier, status, merged_into_id::int as "mergedIntoId", golden_id as "goldenId", last_message_id::int as "lastMessageId"`;

export const recordKey = (authorityId: number, identifier: string) => `${authorityId}|${identifier}`;

export async function loadRecords(tx: Tx, keys: Array<{ authorityId: number; identifier: string }>): Promise<Map<string, SourceRecordRow>> {
  if (!keys.length) return new Map();
  const pairs = sql.join(keys.map((k) => sql`(${k.authorityId}::int, ${k.identifier}::text)`), sql`, `);
  const rows = await query<SourceRecordRow>(tx, sql`select ${columns} from source_records where (authority_id, identifier) in (${pairs}) for update`);
  return new Map(rows.map((r) => [recordKey(r.authorityId, r.identifier), r]));
}

export async function loadRecordById(tx: Tx, id: number): Promise<SourceRecordRow | undefined> {
  const rows = await query<SourceRecordRow>(tx, sql`select ${columns} from source_records where id = ${id} for update`);
  return rows[0];
}

/** The record a retired identifier now stands for. Merges are path-compressed, but a loop guard costs nothing. */
export async function survivorOf(tx: Tx, row: SourceRecordRow): Promise<SourceRecordRow> {
  let cur = row;
  for (let hops = 0; cur.status === 'merged' && cur.mergedIntoId !== null && hops < 32; hops++) {
    const next = await loadRecordById(tx, cur.mergedIntoId);
    if (!next) break;
    cur = next;
  }
  return cur;
}

function indexColumns(d: Demographics) {
  const n = primaryName(d);
  return {
    family: foldName(n?.family) ?? null,
    given: foldName(n?.given) ?? null,
    birthDate: d.birthDate && d.birthDatePrecision === 'day' ? d.birthDate : null,
    sex: d.sex ?? null,
  };
}

export async function insertRecord(
  ctx: ApplyContext,
  r: { authorityId: number; identifier: string; identifierType?: string; sender: string; demographics: Demographics; status?: 'active' | 'merged'; mergedIntoId?: number | null },
): Promise<SourceRecordRow> {
  const [row] = await ctx.tx
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
      lastMessageId: ctx.messageId,
    })
    .returning({ id: sourceRecords.id });
  const rec: SourceRecordRow = { id: row!.id, authorityId: r.authorityId, identifier: r.identifier, status: r.status ?? 'active', mergedIntoId: r.mergedIntoId ?? null, goldenId: null, lastMessageId: ctx.messageId };
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
  await ctx.tx
    .update(sourceRecords)
    .set({ demographics: d, ...indexColumns(d), sender, lastMessageId: ctx.messageId, version: sql`${sourceRecords.version} + 1`, updatedAt: sql`now()` })
    .where(eq(sourceRecords.id, rec.id));
  rec.lastMessageId = ctx.messageId;
  ctx.changes.record(ctx.actor, 'source.updated', 'source_record', rec.id, ctx.messageId);
  return true;
}

export async function createGolden(ctx: ApplyContext, d: Demographics, fromRecord: number): Promise<string> {
  const id = randomUUID();
  await ctx.tx.insert(goldenRecords).values({ id, demographics: d, provenance: { all: fromRecord } });
  ctx.changes.record(ctx.actor, 'golden.created', 'golden_record', id, ctx.messageId);
  ctx.changes.emit('golden.created', id, { goldenId: id, messageId: ctx.messageId });
  return id;
}

/** Survivorship for now: the most recent member's demographics win, with that member as provenance. */
export async function refreshGolden(ctx: ApplyContext, goldenId: string, d: Demographics, fromRecord: number) {
  await ctx.tx
    .update(goldenRecords)
    .set({ demographics: d, provenance: { all: fromRecord }, version: sql`${goldenRecords.version} + 1`, updatedAt: sql`now()` })
    .where(eq(goldenRecords.id, goldenId));
}

export async function link(ctx: ApplyContext, rec: SourceRecordRow, goldenId: string, kind: LinkKind, extra: { score?: number; modelVersion?: number } = {}) {
  if (rec.goldenId === goldenId) return;
  if (rec.goldenId) await unlink(ctx, rec, `relinked:${kind}`);
  await ctx.tx.insert(links).values({ sourceRecordId: rec.id, goldenId, kind, score: extra.score ?? null, modelVersion: extra.modelVersion ?? null, messageId: ctx.messageId });
  await ctx.tx.update(sourceRecords).set({ goldenId }).where(eq(sourceRecords.id, rec.id));
  rec.goldenId = goldenId;
  ctx.changes.record(ctx.actor, 'link.created', 'source_record', rec.id, ctx.messageId, { goldenId, kind });
  ctx.changes.emit('link.created', goldenId, { goldenId, sourceRecordId: rec.id, system: systemFor(ctx, rec), value: rec.identifier, kind, messageId: ctx.messageId });
}

export async function unlink(ctx: ApplyContext, rec: SourceRecordRow, reason: string) {
  if (!rec.goldenId) return;
  await ctx.tx.update(links).set({ removedAt: sql`now()`, removedReason: reason }).where(and(eq(links.sourceRecordId, rec.id), isNull(links.removedAt)));
  ctx.changes.record(ctx.actor, 'link.removed', 'source_record', rec.id, ctx.messageId, { goldenId: rec.goldenId, reason });
  ctx.changes.emit('link.removed', rec.goldenId, { goldenId: rec.goldenId, sourceRecordId: rec.id, system: systemFor(ctx, rec), value: rec.identifier, reason, messageId: ctx.messageId });
  rec.goldenId = null;
}

/**
 * Moves every member of one golden record into another and retires the first. Only an explicit
 * instruction (a source's A40, later a steward) gets here: golden records are never merged by score.
 */
export async function mergeGolden(ctx: ApplyContext, from: string, into: string, reason: string) {
  if (from === into) return;
  const members = await query<{ id: number; identifier: string; authorityId: number }>(
    ctx.tx,
    sql`select id::int as id, identifier, authority_id as "authorityId" from source_records where golden_id = ${from} for update`,
  );
  if (members.length) {
    const ids = sql.join(members.map((m) => sql`${m.id}::bigint`), sql`, `);
    await ctx.tx.execute(sql`update links set removed_at = now(), removed_reason = ${reason} where removed_at is null and source_record_id in (${ids})`);
    await ctx.tx.insert(links).values(members.map((m) => ({ sourceRecordId: m.id, goldenId: into, kind: 'a40', messageId: ctx.messageId })));
    await ctx.tx.update(sourceRecords).set({ goldenId: into }).where(eq(sourceRecords.goldenId, from));
  }
  await ctx.tx.update(goldenRecords).set({ status: 'merged', mergedIntoId: into, updatedAt: sql`now()`, version: sql`${goldenRecords.version} + 1` }).where(eq(goldenRecords.id, from));
  ctx.changes.record(ctx.actor, 'golden.merged', 'golden_record', from, ctx.messageId, { into, reason, members: members.length });
  ctx.changes.emit('golden.merged', into, { from, into, reason, sourceRecordIds: members.map((m) => m.id), messageId: ctx.messageId });
}

function systemFor(ctx: ApplyContext, rec: SourceRecordRow) {
  const a = ctx.registry.get(rec.authorityId);
  return a ? (a.oid ? `urn:oid:${a.oid}` : a.namespace) : null;
}
