import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Demographics } from '../ingest/demographics.js';
import { query, type Queryable, type Tx } from '../storage/db.js';
import type { MemberRow, RecordStore } from './store.js';

/*
 * Steward "not the same person" decisions (table non_matches), and the one question the matcher asks of them:
 * which of these candidate records may not be proposed for this record again.
 */

/** JSON with object keys sorted and undefined dropped: the same demographics give the same text however they were built or stored. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonical(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

/**
 * What a record said when the steward decided. A resend of the same data (an A08 repeating a registration)
 * keeps it; any change of what the record says changes it. jsonb reorders keys, so the text is canonical.
 */
export function demographicsFingerprint(d: Demographics): string {
  return createHash('sha256').update(canonical(d)).digest('hex').slice(0, 32);
}

export interface NonMatchRow {
  recordA: number;
  recordB: number;
  fingerprintA: string;
  fingerprintB: string;
}

/** Every remembered non-match involving one of these records (either side). */
export async function selectNonMatches(q: Queryable, recordIds: readonly number[]): Promise<NonMatchRow[]> {
  if (!recordIds.length) return [];
  const ids = sql.param([...recordIds]);
  // Two index scans (the key's leading column, and record_b's index) rather than one `or` that uses neither.
  return query<NonMatchRow>(
    q,
    sql`select record_a::int as "recordA", record_b::int as "recordB", fingerprint_a as "fingerprintA", fingerprint_b as "fingerprintB" from non_matches where record_a = any(${ids}::bigint[])
        union
        select record_a::int, record_b::int, fingerprint_a, fingerprint_b from non_matches where record_b = any(${ids}::bigint[])`,
  );
}

const NONE: ReadonlySet<number> = new Set();

/**
 * The members the record may not be scored against: a steward said they are not the same person, and neither
 * record's demographics changed since. Costs one cached lookup per record unless a decision exists.
 */
export async function barredMembers(ctx: { tx: Tx; store: RecordStore }, record: { id: number }, members: readonly MemberRow[]): Promise<ReadonlySet<number>> {
  const rows = await ctx.store.nonMatches(ctx.tx, [record.id]);
  if (!rows.length) return NONE;
  const own = members.find((m) => m.id === record.id) ?? (await ctx.store.members(ctx.tx, [], [record.id]))[0];
  if (!own) return NONE;
  const mine = demographicsFingerprint(own.demographics);
  const byId = new Map(members.map((m) => [m.id, m]));
  const out = new Set<number>();
  for (const r of rows) {
    const [myPrint, other, otherPrint] = r.recordA === record.id ? [r.fingerprintA, r.recordB, r.fingerprintB] : [r.fingerprintB, r.recordA, r.fingerprintA];
    if (myPrint !== mine) continue;
    const m = byId.get(other);
    if (m && demographicsFingerprint(m.demographics) === otherPrint) out.add(other);
  }
  return out;
}

export interface NonMatchDecision {
  /** The record the decision is about, and the records it is not the same person as. */
  recordId: number;
  others: readonly number[];
  reviewItemId: number | null;
  decidedBy: string;
  note: string | null;
}

/**
 * Remembers the decision for each pair, with both records' fingerprints as they are now; a later decision on
 * the same pair replaces the earlier one. Returns how many pairs were written.
 */
export async function rememberNonMatches(tx: Tx, d: NonMatchDecision): Promise<number> {
  const others = [...new Set(d.others)].filter((id) => id !== d.recordId);
  if (!others.length) return 0;
  const rows = await query<{ id: number; demographics: Demographics }>(tx, sql`select id::int as id, demographics from source_records where id = any(${sql.param([d.recordId, ...others])}::bigint[])`);
  const print = new Map(rows.map((r) => [r.id, demographicsFingerprint(r.demographics)]));
  const mine = print.get(d.recordId);
  if (mine === undefined) return 0;
  const pairs = others
    .filter((o) => print.has(o))
    .map((o) => (d.recordId < o ? { a: d.recordId, b: o, fa: mine, fb: print.get(o)! } : { a: o, b: d.recordId, fa: print.get(o)!, fb: mine }));
  if (!pairs.length) return 0;
  await tx.execute(sql`insert into non_matches (record_a, record_b, fingerprint_a, fingerprint_b, review_item_id, decided_by, note)
    select a, b, fa, fb, ${d.reviewItemId}::bigint, ${d.decidedBy}, ${d.note}::text from unnest(${sql.param(pairs.map((p) => p.a))}::bigint[], ${sql.param(pairs.map((p) => p.b))}::bigint[],
      ${sql.param(pairs.map((p) => p.fa))}::text[], ${sql.param(pairs.map((p) => p.fb))}::text[]) as t(a, b, fa, fb)
    on conflict (record_a, record_b) do update set fingerprint_a = excluded.fingerprint_a, fingerprint_b = excluded.fingerprint_b,
      review_item_id = excluded.review_item_id, decided_by = excluded.decided_by, note = excluded.note, created_at = now()`);
  return pairs.length;
}
