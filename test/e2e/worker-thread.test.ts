import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Worker as Thread } from 'node:worker_threads';
import { Worker } from '../../src/ingest/worker.js';
import { WorkerThread } from '../../src/ingest/worker-thread.js';
import { query } from '../../src/storage/db.js';
import { backends } from '../helpers/db.js';
import { readAck, startTestService, type TestService } from '../helpers/service.js';
import { adt, OID_A } from '../helpers/adt.js';

const pix = (oid: string, id: string) => `sourceIdentifier=${encodeURIComponent(`urn:oid:${oid}|${id}`)}`;
const goldenOf = (body: any) => (body.parameter as any[]).find((p) => p.name === 'targetId')?.valueReference.reference as string;
const postgres = backends.filter((b) => b.name === 'postgres');

// On PostgreSQL the worker applies on a thread of its own (ingest.workerThread); every e2e suite runs that
// way there. These are the parts only a thread has: what it learns crosses back, and it can die.
describe.skipIf(!postgres.length).each(postgres)('the worker thread on $name', (backend) => {
  let t: TestService;
  beforeAll(async () => {
    // No authorities declared: OIDs are registered on first sight, by the worker, inside its transaction.
    t = await startTestService(backend, {});
  });
  afterAll(async () => t?.stop());

  it('applies on its own thread, and the authorities it registers become known to the API', async () => {
    expect(t.service.worker).toBeInstanceOf(WorkerThread);
    const oid = '2.16.840.1.113883.3.9999.610';
    const [ack] = await t.send([adt({ controlId: 'T1', pid3: `T-1^^^&${oid}&ISO^MR`, name: 'QUIGLEY^ROSALIND', dob: '19710304' })]);
    expect(readAck(ack!).code).toBe('AA');
    const r = await t.pix(pix(oid, 'T-1'));
    expect(r.status).toBe(200);
    expect(t.service.registry.findBySystem(`urn:oid:${oid}`)?.origin).toBe('auto');
    // The stats and backlog this thread reads were reported before idle() answered.
    expect(t.service.worker.pending).toBe(0);
    expect(t.service.worker.stats.messages).toBeGreaterThanOrEqual(1);
    const stats = await (t.service.worker as WorkerThread).linkerStats();
    expect(stats?.placed).toBeGreaterThanOrEqual(1);
  });

  it('is replaced when it dies, and the replacement applies what was stored meanwhile', async () => {
    const worker = t.service.worker as WorkerThread;
    const thread = (worker as unknown as { thread: Thread }).thread;
    await thread.terminate();
    // Stored and ACKed while no thread runs: the ACK never waits for the worker.
    const acks = await t.send([
      adt({ controlId: 'T2', pid3: `T-2^^^&${OID_A}&ISO^MR`, name: 'FENWICK^ODALYS', dob: '19660512' }),
      adt({ controlId: 'T3', pid3: `T-3^^^&${OID_A}&ISO^MR~T-2B^^^&2.16.840.1.113883.3.9999.611&ISO^MR`, name: 'FENWICK^ODALYS', dob: '19660512' }),
    ]);
    expect(acks.map((a) => readAck(a).code)).toEqual(['AA', 'AA']);
    const r = await t.pix(pix(OID_A, 'T-3'));
    expect(r.status).toBe(200);
    expect((worker as unknown as { thread: Thread }).thread).not.toBe(thread);
    const [row] = await query<{ n: number }>(t.fresh.database.db, sql`select count(*)::int as n from messages where status = 'pending'`);
    expect(row?.n).toBe(0);
    expect(goldenOf((await t.pix(pix('2.16.840.1.113883.3.9999.611', 'T-2B'))).body)).toBe(goldenOf(r.body));
  });
});

describe.each(backends.filter((b) => b.name === 'pglite'))('the worker on $name', (backend) => {
  it('stays on the service thread: an embedded database cannot be shared with a thread', async () => {
    const t = await startTestService(backend, {});
    try {
      expect(t.service.worker).toBeInstanceOf(Worker);
    } finally {
      await t.stop();
    }
  });
});
