import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Inbox, type InboxRow } from '../../src/ingest/inbox.js';
import { createLogger } from '../../src/lib/log.js';
import { query } from '../../src/storage/db.js';
import { backends, createTestDatabase, type FreshDatabase } from '../helpers/db.js';

/**
 * The inbox's group commit on a real database: rows queued while a write is in flight share the next
 * statement (one transaction: one xmin), and a resend or a conflicting reuse of a control id queued beside
 * the original is told apart from it.
 */

let n = 0;
function row(over: Partial<InboxRow> = {}): InboxRow {
  n++;
  return {
    dedupKey: `APP|FAC\u001f${n}`,
    sender: 'APP|FAC',
    receiver: 'MPI|MPI',
    controlId: String(n),
    messageType: 'ADT^A04',
    event: 'A04',
    version: '2.5.1',
    charset: null,
    contentHash: `h${n}`,
    raw: `MSH|^~\\&|APP|FAC|MPI|MPI|20260101||ADT^A04|${n}|P|2.5.1`,
    status: 'pending',
    ackCode: 'AA',
    ack: `MSA|AA|${n}`,
    errorCode: null,
    error: null,
    remoteAddress: '127.0.0.1',
    ...over,
  };
}

describe.each(backends)('inbox group commit on $name', (backend) => {
  let fresh: FreshDatabase;
  const logger = createLogger('error');
  beforeAll(async () => {
    fresh = await createTestDatabase(backend);
  });
  afterAll(async () => fresh?.drop());

  const transactionsOf = async (ids: number[]) => {
    const rows = await query<{ x: string }>(fresh.database.db, sql`select distinct xmin::text as x from messages where id = any(${sql.param(ids)}::bigint[])`);
    return rows.length;
  };

  it('with one write in flight, stores the rows that queued behind it in one statement', async () => {
    const inbox = new Inbox(fresh.database.db, { batchMax: 256, logger, concurrency: 1 });
    const results = await Promise.all(Array.from({ length: 12 }, () => inbox.store(row())));
    const ids = results.map((r) => (r.outcome === 'stored' ? r.id : -1));
    expect(new Set(ids).size).toBe(12);
    expect(ids.every((id) => id > 0)).toBe(true);
    // The first row went out alone; the eleven that arrived meanwhile went out together.
    expect(await transactionsOf(ids)).toBe(2);
    const audit = await query<{ n: number }>(fresh.database.db, sql`select count(*)::int as n from audit_log where action = 'message.received' and message_id = any(${sql.param(ids)}::bigint[])`);
    expect(audit[0]!.n).toBe(12);
    await inbox.close();
  });

  it('caps a statement at batchMax rows', async () => {
    const inbox = new Inbox(fresh.database.db, { batchMax: 4, logger, concurrency: 1 });
    const results = await Promise.all(Array.from({ length: 9 }, () => inbox.store(row())));
    const ids = results.map((r) => (r.outcome === 'stored' ? r.id : -1));
    // 1 alone, then 4 and 4.
    expect(await transactionsOf(ids)).toBe(3);
    await inbox.close();
  });

  it('with several writes in flight, stores each row as it comes', async () => {
    const inbox = new Inbox(fresh.database.db, { batchMax: 256, logger, concurrency: 4 });
    const results = await Promise.all(Array.from({ length: 3 }, () => inbox.store(row())));
    expect(await transactionsOf(results.map((r) => (r.outcome === 'stored' ? r.id : -1)))).toBe(3);
    await inbox.close();
  });

  it('tells a resend and a reused control id queued in the same statement from the original', async () => {
    const inbox = new Inbox(fresh.database.db, { batchMax: 256, logger, concurrency: 1 });
    const first = row();
    const blocker = inbox.store(row());
    const [original, resend, reuse, unkeyed] = await Promise.all([
      inbox.store(first),
      inbox.store({ ...first }),
      inbox.store({ ...first, contentHash: 'other', raw: `${first.raw}|changed` }),
      inbox.store(row({ dedupKey: null, status: 'rejected', errorCode: 100, error: 'not an HL7 message' })),
    ]);
    await blocker;
    expect(original.outcome).toBe('stored');
    const id = original.outcome === 'stored' ? original.id : -1;
    expect(resend).toEqual({ outcome: 'duplicate', id, ack: first.ack, status: 'pending' });
    expect(reuse).toEqual({ outcome: 'conflict', id });
    expect(unkeyed.outcome).toBe('stored');
    const stored = await query<{ n: number }>(fresh.database.db, sql`select count(*)::int as n from messages where dedup_key = ${first.dedupKey}`);
    expect(stored[0]!.n).toBe(1);
    await inbox.close();
  });

  it('answers a resend of a row committed earlier with the stored ACK', async () => {
    const inbox = new Inbox(fresh.database.db, { batchMax: 256, logger, concurrency: 1 });
    const r = row();
    const a = await inbox.store(r);
    const b = await inbox.store({ ...r });
    expect(a.outcome).toBe('stored');
    expect(b).toEqual({ outcome: 'duplicate', id: a.outcome === 'stored' ? a.id : -1, ack: r.ack, status: 'pending' });
    await inbox.close();
  });
});
