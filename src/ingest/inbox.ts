import { sql } from 'drizzle-orm';
import { query, type Database, type Db } from '../storage/db.js';
import type { Logger } from '../lib/log.js';
import { errorKind } from '../lib/log.js';

export type InboxStatus = 'pending' | 'rejected';

export interface InboxRow {
  dedupKey: string | null;
  sender: string | null;
  receiver: string | null;
  controlId: string | null;
  messageType: string | null;
  event: string | null;
  version: string | null;
  charset: string | null;
  contentHash: string;
  raw: string;
  truncated?: boolean;
  status: InboxStatus;
  ackCode: string | null;
  ack: string | null;
  errorCode: number | null;
  error: string | null;
  remoteAddress: string | null;
}

export type StoreResult =
  | { outcome: 'stored'; id: number }
  /** Same sender, control id and content as a stored message: answer with its ACK, change nothing. */
  | { outcome: 'duplicate'; id: number; ack: string | null; status: string }
  /** Same sender and control id, different content. */
  | { outcome: 'conflict'; id: number };

interface Waiting {
  row: InboxRow;
  resolve: (r: StoreResult) => void;
  reject: (e: unknown) => void;
}

/**
 * The durable inbox with group commit: rows queued while a write is in flight go out together in the
 * next single-statement insert (messages + their audit rows), so four connections waiting on their
 * ACKs cost one commit, not four. A row is resolved only after its statement has committed.
 */
export class Inbox {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly opts: { batchMax: number; logger: Logger; concurrency: number },
  ) {}

  store(row: InboxRow): Promise<StoreResult> {
    if (this.stopped) return Promise.reject(new Error('inbox is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.pump();
    });
  }

  async close() {
    this.stopped = true;
    while (this.inFlight) await new Promise((r) => setTimeout(r, 5));
  }

  /**
   * Starts a write when a slot is free. With one slot (the default) every row that arrives while a write
   * commits goes out in the next one. More slots let a row go out at once instead of waiting for a commit,
   * but each write is a statement, a commit and a socket write of its own: on the 2-core bench machine four
   * slots cost 6 % more CPU per message and gave no better ACK latency (README, ingest.concurrentWrites).
   * Rows of one connection are never in two writes (MLLP waits for each ACK), so per-connection order holds.
   */
  private pump() {
    while (this.queue.length && this.inFlight < this.opts.concurrency) {
      const batch = this.queue.splice(0, this.opts.batchMax);
      this.inFlight++;
      void this.write(batch.map((w) => w.row))
        .then(
          (results) => batch.forEach((w, i) => w.resolve(results[i]!)),
          (err) => {
            this.opts.logger.error('inbox write failed', { ...errorKind(err), rows: batch.length });
            for (const w of batch) w.reject(err);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }

  private async write(rows: InboxRow[]): Promise<StoreResult[]> {
    const results: StoreResult[] = new Array(rows.length);
    // Rows without a key cannot be told apart in RETURNING, so they go one statement each (they are rare:
    // garbage and conflicting resends).
    const keyed: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      if (rows[i]!.dedupKey === null) {
        const [r] = await this.insert([rows[i]!]);
        results[i] = { outcome: 'stored', id: r!.id };
      } else keyed.push(i);
    }
    if (!keyed.length) return results;
    const inserted = await this.insert(keyed.map((i) => rows[i]!));
    const idByKey = new Map(inserted.map((r) => [r.dedup_key, r.id]));
    const missing: number[] = [];
    const claimed = new Set<string>();
    for (const i of keyed) {
      const key = rows[i]!.dedupKey!;
      const id = idByKey.get(key);
      // Two rows with one key in a batch: the first was inserted, the second is its resend.
      if (id !== undefined && !claimed.has(key)) {
        claimed.add(key);
        results[i] = { outcome: 'stored', id };
      } else missing.push(i);
    }
    if (missing.length) {
      const keys = missing.map((i) => rows[i]!.dedupKey!);
      const existing = await query<{ id: number; dedup_key: string; content_hash: string; ack: string | null; status: string }>(
        this.db,
        sql`select id::int as id, dedup_key, content_hash, ack, status from messages where dedup_key in ${sql`(${sql.join(keys.map((k) => sql`${k}`), sql`, `)})`}`,
      );
      const byKey = new Map(existing.map((e) => [e.dedup_key, e]));
      for (const i of missing) {
        const e = byKey.get(rows[i]!.dedupKey!);
        if (!e) throw new Error('inbox: a conflicting row vanished');
        results[i] = e.content_hash === rows[i]!.contentHash ? { outcome: 'duplicate', id: e.id, ack: e.ack, status: e.status } : { outcome: 'conflict', id: e.id };
      }
    }
    return results;
  }

  private insert(rows: InboxRow[]) {
    const values = sql.join(
      rows.map(
        (r) =>
          sql`(${r.dedupKey}, ${r.sender}, ${r.receiver}, ${r.controlId}, ${r.messageType}, ${r.event}, ${r.version}, ${r.charset}, ${r.contentHash}, ${r.raw}, ${r.truncated ?? false}, ${r.status}, ${r.ackCode}, ${r.ack}, ${r.errorCode}::int, ${r.error}, ${r.remoteAddress})`,
      ),
      sql`, `,
    );
    return query<{ id: number; dedup_key: string | null }>(
      this.db,
      sql`with ins as (
            insert into messages (dedup_key, sender, receiver, control_id, message_type, event, version, charset, content_hash, raw, truncated, status, ack_code, ack, error_code, error, remote_address)
            values ${values}
            on conflict (dedup_key) do nothing
            returning id, dedup_key, sender, receiver, control_id, message_type, ack_code, error_code, remote_address
          ), audit as (
            insert into audit_log (actor, action, entity_type, entity_id, message_id, detail)
            select 'mllp:' || coalesce(sender, 'unknown'), 'message.received', 'message', id::text, id,
                   jsonb_build_object('receiver', receiver, 'type', message_type, 'controlId', control_id, 'ack', ack_code, 'errorCode', error_code, 'remote', remote_address)
            from ins
          )
          select id::int as id, dedup_key from ins`,
    );
  }
}

export async function lastStoredId(database: Database): Promise<number> {
  const [row] = await query<{ id: number | null }>(database.db, sql`select max(id)::int as id from messages`);
  return row?.id ?? 0;
}
