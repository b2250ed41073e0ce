import { randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { foldName, primaryName, type Demographics } from '../ingest/demographics.js';
import { query, type Tx } from '../storage/db.js';
import { goldenRecords, links, sourceRecords } from '../storage/schema/index.js';
import type { LinkKind } from './linker.js';

export interface SourceRecordRow {
  id: number;
  authorityId: number;
  identifier: string;
  status: 'active' | 'merged';
  mergedIntoId: number | null;
  goldenId: string | null;
  lastMessageId: number | null;
}

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
  refreshGolden(tx: Tx, goldenId: string, d: Demographics, fromRecord: number): Promise<void>;
  link(tx: Tx, rec: SourceRecordRow, goldenId: string, kind: LinkKind, extra: LinkExtra, messageId: number): Promise<void>;
  unlink(tx: Tx, rec: SourceRecordRow, reason: string): Promise<void>;
  /** Writes whatever is held back; the store stays usable (its cache is still the truth). */
  flush(tx: Tx): Promise<void>;
}

export const recordKey = (authorityId: number, identifier: string) => `${authorityId}|${identifier}`;

const columns = sql`id::int as "id", authority_id as "authorityId", identifier, status, merged_into_id::int as "mergedIntoId", golden_id as "goldenId", last_message_id::int as "lastMessageId"`;

async function selectByKeys(tx: Tx, keys: Array<{ authorityId: number; identifier: string }>): Promise<SourceRecordRow[]> {
  if (!keys.length) return [];
  return query<SourceRecordRow>(
    tx,
    sql`select ${columns} from source_records
        where (authority_id, identifier) in (select * from unnest(${sql.param(keys.map((k) => k.authorityId))}::int[], ${sql.param(keys.map((k) => k.identifier))}::text[]))
        for update`,
  );
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
    return { id: row!.id, authorityId: r.authorityId, identifier: r.identifier, status: r.status ?? 'active', mergedIntoId: r.mergedIntoId ?? null, goldenId: null, lastMessageId: r.messageId };
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

  async refreshGolden(tx: Tx, goldenId: string, d: Demographics, fromRecord: number) {
    await tx
      .update(goldenRecords)
      .set({ demographics: d, provenance: { all: fromRecord }, version: sql`${goldenRecords.version} + 1`, updatedAt: sql`now()` })
      .where(eq(goldenRecords.id, goldenId));
  }

  async link(tx: Tx, rec: SourceRecordRow, goldenId: string, kind: LinkKind, extra: LinkExtra, messageId: number) {
    await tx.insert(links).values({ sourceRecordId: rec.id, goldenId, kind, score: extra.score ?? null, modelVersion: extra.modelVersion ?? null, messageId });
    await tx.update(sourceRecords).set({ goldenId }).where(eq(sourceRecords.id, rec.id));
  }

  async unlink(tx: Tx, rec: SourceRecordRow, reason: string) {
    await tx.update(links).set({ removedAt: sql`now()`, removedReason: reason }).where(and(eq(links.sourceRecordId, rec.id), isNull(links.removedAt)));
    await tx.update(sourceRecords).set({ goldenId: null }).where(eq(sourceRecords.id, rec.id));
  }

  async flush() {}
}

interface PendingRecord extends NewRecord {
  id: number;
  goldenId: string | null;
}
interface PendingUpdate {
  demographics?: Demographics;
  sender?: string;
  lastMessageId?: number;
  bumps: number;
  /** undefined = unchanged; null = unlinked. */
  goldenId?: string | null;
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
// postgres.js types a parameter array by its first element and has no boolean[] form: pass flags as text.
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
  constructor(private readonly ids: IdPool = new IdPool()) {}

  private byKey = new Map<string, SourceRecordRow>();
  private rows = new Map<number, SourceRecordRow>();
  /** Keys looked up and not on file: no second query for them. */
  private absent = new Set<string>();
  private newRecords = new Map<number, PendingRecord>();
  private updates = new Map<number, PendingUpdate>();
  private newGoldens = new Map<string, { d: Demographics; from: number }>();
  private goldenUpdates = new Map<string, { d: Demographics; from: number; bumps: number }>();
  private newLinks: PendingLink[] = [];
  private closed: Array<{ sourceRecordId: number; reason: string }> = [];

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
      for (const r of await selectByKeys(tx, missing)) this.remember(r);
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
    this.newRecords.set(id, { ...r, id, goldenId: null });
    const row: SourceRecordRow = { id, authorityId: r.authorityId, identifier: r.identifier, status: r.status ?? 'active', mergedIntoId: r.mergedIntoId ?? null, goldenId: null, lastMessageId: r.messageId };
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

  async refreshGolden(_tx: Tx, goldenId: string, d: Demographics, fromRecord: number) {
    const created = this.newGoldens.get(goldenId);
    if (created) Object.assign(created, { d, from: fromRecord });
    else this.goldenUpdates.set(goldenId, { d, from: fromRecord, bumps: (this.goldenUpdates.get(goldenId)?.bumps ?? 0) + 1 });
  }

  async link(_tx: Tx, rec: SourceRecordRow, goldenId: string, kind: LinkKind, extra: LinkExtra, messageId: number) {
    this.newLinks.push({ sourceRecordId: rec.id, goldenId, kind, score: extra.score ?? null, modelVersion: extra.modelVersion ?? null, messageId });
    this.setGolden(rec.id, goldenId);
  }

  async unlink(_tx: Tx, rec: SourceRecordRow, reason: string) {
    const open = this.newLinks.find((l) => l.sourceRecordId === rec.id && l.removedReason === undefined);
    if (open) open.removedReason = reason;
    else this.closed.push({ sourceRecordId: rec.id, reason });
    this.setGolden(rec.id, null);
  }

  private setGolden(id: number, goldenId: string | null) {
    const pending = this.newRecords.get(id);
    if (pending) pending.goldenId = goldenId;
    else this.update(id).goldenId = goldenId;
  }

  async flush(tx: Tx) {
    const goldens = [...this.newGoldens.entries()];
    if (goldens.length) {
      await tx.execute(sql`insert into golden_records (id, demographics, provenance)
        select id, d::jsonb, jsonb_build_object('all', f) from unnest(${param(goldens, ([id]) => id)}::uuid[], ${param(goldens, ([, g]) => json(g.d))}::text[], ${param(goldens, ([, g]) => g.from)}::bigint[]) as t(id, d, f)`);
    }
    const recs = [...this.newRecords.values()];
    if (recs.length) {
      const idx = recs.map((r) => indexColumns(r.demographics));
      await tx.execute(sql`insert into source_records (id, authority_id, identifier, identifier_type, status, merged_into_id, golden_id, sender, demographics, family, given, birth_date, sex, last_message_id)
        select id, a, i, t, s, m, g, snd, d::jsonb, fam, giv, bd::date, sx, lm from unnest(
          ${param(recs, (r) => r.id)}::bigint[], ${param(recs, (r) => r.authorityId)}::int[], ${param(recs, (r) => r.identifier)}::text[],
          ${param(recs, (r) => r.identifierType ?? null)}::text[], ${param(recs, (r) => r.status ?? 'active')}::text[], ${param(recs, (r) => r.mergedIntoId ?? null)}::bigint[],
          ${param(recs, (r) => r.goldenId)}::uuid[], ${param(recs, (r) => r.sender)}::text[], ${param(recs, (r) => json(r.demographics))}::text[],
          ${param(idx, (x) => x.family)}::text[], ${param(idx, (x) => x.given)}::text[], ${param(idx, (x) => x.birthDate)}::text[], ${param(idx, (x) => x.sex)}::text[],
          ${param(recs, (r) => r.messageId)}::bigint[]) as t(id, a, i, t, s, m, g, snd, d, fam, giv, bd, sx, lm)`);
    }
    const ups = [...this.updates.entries()];
    if (ups.length) {
      const idx = ups.map(([, u]) => (u.demographics ? indexColumns(u.demographics) : undefined));
      await tx.execute(sql`update source_records s set
          demographics = coalesce(v.d::jsonb, s.demographics),
          family = case when v.d is null then s.family else v.fam end,
          given = case when v.d is null then s.given else v.giv end,
          birth_date = case when v.d is null then s.birth_date else v.bd::date end,
          sex = case when v.d is null then s.sex else v.sx end,
          sender = coalesce(v.snd, s.sender),
          last_message_id = coalesce(v.lm, s.last_message_id),
          golden_id = case when v.gset = 'y' then v.g else s.golden_id end,
          version = s.version + v.bumps,
          updated_at = now()
        from unnest(${param(ups, ([id]) => id)}::bigint[], ${param(ups, ([, u]) => json(u.demographics))}::text[],
          ${param(idx, (x) => x?.family ?? null)}::text[], ${param(idx, (x) => x?.given ?? null)}::text[], ${param(idx, (x) => x?.birthDate ?? null)}::text[], ${param(idx, (x) => x?.sex ?? null)}::text[],
          ${param(ups, ([, u]) => u.sender ?? null)}::text[], ${param(ups, ([, u]) => u.lastMessageId ?? null)}::bigint[],
          ${param(ups, ([, u]) => (u.goldenId !== undefined ? 'y' : 'n'))}::text[], ${param(ups, ([, u]) => u.goldenId ?? null)}::uuid[], ${param(ups, ([, u]) => u.bumps)}::int[])
          as v(id, d, fam, giv, bd, sx, snd, lm, gset, g, bumps)
        where s.id = v.id`);
    }
    const gups = [...this.goldenUpdates.entries()];
    if (gups.length) {
      await tx.execute(sql`update golden_records g set demographics = v.d::jsonb, provenance = jsonb_build_object('all', v.f), version = g.version + v.bumps, updated_at = now()
        from unnest(${param(gups, ([id]) => id)}::uuid[], ${param(gups, ([, u]) => json(u.d))}::text[], ${param(gups, ([, u]) => u.from)}::bigint[], ${param(gups, ([, u]) => u.bumps)}::int[]) as v(id, d, f, bumps)
        where g.id = v.id`);
    }
    // Close before insert: one open link per record is a unique index.
    if (this.closed.length) {
      await tx.execute(sql`update links l set removed_at = now(), removed_reason = v.reason
        from unnest(${param(this.closed, (c) => c.sourceRecordId)}::bigint[], ${param(this.closed, (c) => c.reason)}::text[]) as v(id, reason)
        where l.source_record_id = v.id and l.removed_at is null`);
    }
    if (this.newLinks.length) {
      const ls = this.newLinks;
      await tx.execute(sql`insert into links (source_record_id, golden_id, kind, score, model_version, message_id, removed_at, removed_reason)
        select s, g, k, sc, mv, m, case when r is null then null else now() end, r from unnest(
          ${param(ls, (l) => l.sourceRecordId)}::bigint[], ${param(ls, (l) => l.goldenId)}::uuid[], ${param(ls, (l) => l.kind)}::text[],
          ${param(ls, (l) => l.score)}::real[], ${param(ls, (l) => l.modelVersion)}::int[], ${param(ls, (l) => l.messageId)}::bigint[],
          ${param(ls, (l) => l.removedReason ?? null)}::text[]) as t(s, g, k, sc, mv, m, r)`);
    }
    this.newGoldens.clear();
    this.newRecords.clear();
    this.updates.clear();
    this.goldenUpdates.clear();
    this.newLinks = [];
    this.closed = [];
  }
}
