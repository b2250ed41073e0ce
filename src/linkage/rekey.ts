import { sql } from 'drizzle-orm';
import type { NicknameIndex } from '../../algorithms/normalize/nicknames.js';
import { normalizePerson } from '../../algorithms/person.js';
import type { Demographics } from '../ingest/demographics.js';
import { APPLY_LOCK } from '../ingest/worker.js';
import { query, type Database } from '../storage/db.js';
import { auditLog } from '../storage/schema/index.js';
import { recordKeys } from './matcher.js';
import { writeKeys } from './store.js';

export interface RekeyOptions {
  nicknames: NicknameIndex;
  /** Records per transaction (default 2,000): the worker waits for one chunk at a time, not for the whole run. */
  chunk?: number;
  /** Called after each chunk has committed. */
  onChunk?: (done: { records: number; rekeyed: number }) => void;
  actor?: string;
}

export interface RekeyResult {
  /**
   * Source records read (every status: a merged record keeps its keys, marked inactive), records linked by
   * assertion that were never indexed aside.
   */
  records: number;
  /** Records whose stored keys differed from those the running code derives, and were written again. */
  rekeyed: number;
  /** Keys removed and added over those records. */
  keysRemoved: number;
  keysAdded: number;
}

/**
 * Writes every source record's blocking keys and name counters again from its stored demographics, with the
 * normalisers and blocking rules of the code running now (matcher.ts recordKeys). A record is found as a
 * candidate only through its keys, and they are written when the record is: after an upgrade that changes how
 * names are normalised or blocked (a nickname table, a digit read as a letter), records stored before would be
 * found only through the old keys, and the new records of their persons would miss them. Records whose keys
 * already agree are left untouched.
 *
 * Runs beside a live service: each chunk takes the worker's lock (PostgreSQL) and advances apply_epoch, as a
 * steward's action does, so the worker waits for the chunk and reads the keys afresh after it. Reads
 * demographics to derive keys and writes no patient data anywhere but the keys; one audit entry says what ran.
 */
export async function rekeyRecords(database: Database, opts: RekeyOptions): Promise<RekeyResult> {
  const chunk = opts.chunk ?? 2_000;
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError('chunk must be a positive integer');
  const total: RekeyResult = { records: 0, rekeyed: 0, keysRemoved: 0, keysAdded: 0 };
  let after = 0;
  for (;;) {
    const done = await database.db.transaction(async (tx) => {
      if (database.kind === 'postgres') await tx.execute(sql`select pg_advisory_xact_lock(${APPLY_LOCK})`);
      await tx.execute(sql`select nextval('apply_epoch')`);
      const rows = await query<{ id: number; demographics: Demographics; indexed: boolean }>(
        tx,
        sql`select s.id::int as id, s.demographics,
              s.link_kind is distinct from 'asserted' or exists (select 1 from blocking_keys b where b.source_record_id = s.id) as indexed
            from source_records s where s.id > ${after} order by s.id limit ${chunk}`,
      );
      if (!rows.length) return undefined;
      const last = rows[rows.length - 1]!.id;
      // Another authority's identifier in a sender's PID-3 is a cross-reference (apply.ts): its record is linked
      // by assertion and never indexed, unless its own authority has since sent it (then it has keys).
      const indexed = rows.filter((r) => r.indexed);
      const ids = indexed.map((r) => r.id);
      const stored = new Map<number, Set<string>>(ids.map((id) => [id, new Set()]));
      for (const k of await query<{ id: number; key: string }>(tx, sql`select source_record_id::int as id, key from blocking_keys where source_record_id = any(${sql.param(ids)}::bigint[])`)) {
        stored.get(k.id)?.add(k.key);
      }
      const changed: Array<readonly [number, readonly string[]]> = [];
      let removed = 0;
      let added = 0;
      for (const r of indexed) {
        const want = new Set(recordKeys(normalizePerson(r.demographics, opts.nicknames)));
        const have = stored.get(r.id)!;
        const gone = [...have].filter((k) => !want.has(k)).length;
        const fresh = [...want].filter((k) => !have.has(k)).length;
        if (gone === 0 && fresh === 0) continue;
        changed.push([r.id, [...want]]);
        removed += gone;
        added += fresh;
      }
      await writeKeys(tx, changed);
      return { records: indexed.length, rekeyed: changed.length, removed, added, last };
    });
    if (!done) break;
    after = done.last;
    total.records += done.records;
    total.rekeyed += done.rekeyed;
    total.keysRemoved += done.removed;
    total.keysAdded += done.added;
    opts.onChunk?.({ records: total.records, rekeyed: total.rekeyed });
  }
  await database.db.insert(auditLog).values({ actor: opts.actor ?? 'cli', action: 'blocking-keys.rebuilt', entityType: 'source_records', entityId: '*', detail: { ...total } });
  return total;
}
