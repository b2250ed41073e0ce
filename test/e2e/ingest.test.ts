import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { parseEvent } from '../../src/linkage/events.js';
import { pgClient, query } from '../../src/storage/db.js';
import { encodeFrame } from '../../src/mllp/index.js';
import { backends } from '../helpers/db.js';
import { ADMIN_KEY, readAck, startTestService, type TestService } from '../helpers/service.js';
import { adt, OID_A, OID_B } from '../helpers/adt.js';

const pix = (oid: string, id: string, extra = '') => `sourceIdentifier=${encodeURIComponent(`urn:oid:${oid}|${id}`)}${extra}`;
const targets = (body: any) =>
  (body.parameter as any[]).filter((p) => p.name === 'targetIdentifier').map((p) => `${p.valueIdentifier.system}|${p.valueIdentifier.value}`).sort();
const goldenOf = (body: any) => (body.parameter as any[]).find((p) => p.name === 'targetId')?.valueReference.reference as string;

describe.each(backends)('MLLP ingest to PIXm on $name', (backend) => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService(backend, {
      authorities: [
        { namespace: 'HOSPA', oid: OID_A, name: 'Hospital A' },
        { namespace: 'CLINIC', oid: OID_B, name: 'Clinic' },
      ],
      senders: [{ application: 'CLINICAPP', defaultAuthority: 'CLINIC' }],
    });
  });
  afterAll(async () => t?.stop());

  it('ACKs an A04 with AA after storing it and answers PIXm for every identifier it carried', async () => {
    const [ack] = await t.send([adt({ controlId: 'C1', pid3: `1001^^^HOSPA&${OID_A}&ISO^MR~555^^^CLINIC^PI~123456789^^^SSA&2.16.840.1.113883.4.1&ISO^SS` })]);
    const a = readAck(ack!);
    expect(a.code).toBe('AA');
    expect(a.controlId).toBe('C1');
    expect(a.msh.split('|').slice(2, 6)).toEqual(['MPI', 'MPI', 'EPIC', 'HOSPA']);
    const r = await t.pix(pix(OID_A, '1001'));
    expect(r.status).toBe(200);
    expect(targets(r.body)).toEqual([`urn:oid:${OID_B}|555`]);
    const back = await t.pix(pix(OID_B, '555'));
    expect(goldenOf(back.body)).toBe(goldenOf(r.body));
    expect(targets(back.body)).toEqual([`urn:oid:${OID_A}|1001`]);
    // The SSN is a demographic, never a crosswalk key.
    expect((await t.pix(pix('2.16.840.1.113883.4.1', '123456789'))).status).toBe(400);
  });

  it('keeps separate people in separate golden records and applies one sender in order', async () => {
    await t.send([
      adt({ controlId: 'C2', pid3: `2001^^^HOSPA&${OID_A}&ISO^MR`, name: 'ROE^RICHARD' }),
      adt({ event: 'A08', controlId: 'C3', pid3: `2001^^^HOSPA&${OID_A}&ISO^MR`, name: 'ROE^RICK' }),
    ]);
    await t.send([adt({ controlId: 'K1', app: 'CLINICAPP', facility: 'X', pid3: '77^^^^MR', name: 'SMITH^ANNA' })]);
    const a = await t.pix(pix(OID_A, '2001'));
    const b = await t.pix(pix(OID_B, '77'));
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(goldenOf(a.body)).not.toBe(goldenOf(b.body));
    const [rec] = await query<{ given: string }>(t.service.database.db, sql`select given from source_records where identifier = '2001'`);
    expect(rec!.given).toBe('RICK');
  });

  it('answers a resent message with the stored ACK and changes nothing', async () => {
    const m = adt({ controlId: 'DUP1', pid3: `3001^^^HOSPA&${OID_A}&ISO^MR` });
    const [first] = await t.send([m]);
    await t.service.worker.idle();
    const before = await query<{ n: number }>(t.service.database.db, sql`select (select count(*) from messages)::int + (select count(*) from links)::int + (select count(*) from outbox_events)::int as n`);
    const [second] = await t.send([m.replace(/\r/g, '\r\n')]);
    await t.service.worker.idle();
    expect(second).toBe(first);
    const after = await query<{ n: number }>(t.service.database.db, sql`select (select count(*) from messages)::int + (select count(*) from links)::int + (select count(*) from outbox_events)::int as n`);
    expect(after[0]!.n).toBe(before[0]!.n);
    const [conflict] = await t.send([adt({ controlId: 'DUP1', pid3: `3002^^^HOSPA&${OID_A}&ISO^MR` })]);
    expect(readAck(conflict!).code).toBe('AE');
    expect(readAck(conflict!).err).toContain('205');
    expect((await t.pix(pix(OID_A, '3002'))).status).toBe(404);
  });

  it('answers bad content with AE and an ERR that names the field, and keeps it as a dead letter', async () => {
    const [noPid3, badDob, unknownNs, noAuthority] = await t.send([
      adt({ controlId: 'BAD1', pid3: '' }),
      adt({ controlId: 'BAD2', pid3: `4001^^^HOSPA&${OID_A}&ISO^MR`, dob: '19800231' }),
      adt({ controlId: 'BAD3', pid3: '4002^^^NOWHERE^MR' }),
      adt({ controlId: 'BAD4', pid3: '4003^^^^MR' }),
    ]);
    expect(readAck(noPid3!)).toMatchObject({ code: 'AE', controlId: 'BAD1' });
    expect(readAck(noPid3!).err).toMatch(/^ERR\|\|PID\^1\^3\|101\^/);
    expect(readAck(noPid3!).text).toContain('PID-3 missing');
    expect(readAck(badDob!).err).toMatch(/PID\^1\^7\|102\^/);
    expect(readAck(unknownNs!)).toMatchObject({ code: 'AE' });
    expect(readAck(unknownNs!).err).toContain('204');
    expect(readAck(noAuthority!).code).toBe('AE');
    const res = await t.http('/api/dead-letters', { key: ADMIN_KEY });
    const { deadLetters } = (await res.json()) as { deadLetters: Array<{ controlId: string; errorCode: number }> };
    expect(deadLetters.map((d) => d.controlId)).toEqual(expect.arrayContaining(['BAD1', 'BAD2', 'BAD3', 'BAD4']));
    expect((await t.pix(pix(OID_A, '4001'))).status).toBe(404);
  });

  it('answers header problems with AR: unsupported event, non-ADT type, unsupported version', async () => {
    const [a03, oru, v3] = await t.send([
      adt({ controlId: 'H1', event: 'A03' }),
      adt({ controlId: 'H2', messageType: 'ORU^R01^ORU_R01' }),
      adt({ controlId: 'H3', version: '3.0' }),
    ]);
    expect(readAck(a03!)).toMatchObject({ code: 'AR', controlId: 'H1' });
    expect(readAck(a03!).err).toContain('|201^');
    expect(readAck(oru!).err).toContain('|200^');
    expect(readAck(v3!).code).toBe('AR');
  });

  it('uses the pre-2.5 ERR-1 form for a 2.3.1 sender and CA/CE in enhanced mode', async () => {
    const [old, enhanced, enhancedBad] = await t.send([
      adt({ controlId: 'V1', version: '2.3.1', pid3: '' }),
      adt({ controlId: 'E1', msh15: 'AL', pid3: `5001^^^HOSPA&${OID_A}&ISO^MR` }),
      adt({ controlId: 'E2', msh15: 'AL', pid3: '' }),
    ]);
    expect(readAck(old!).err).toMatch(/^ERR\|PID\^1\^3\^101&/);
    expect(readAck(enhanced!).code).toBe('CA');
    expect(readAck(enhancedBad!).code).toBe('CE');
  });

  it('honours A40 merges: a retired identifier resolves like its survivor, inverse and circular merges stay sane', async () => {
    const id = (v: string) => `${v}^^^HOSPA&${OID_A}&ISO^MR`;
    await t.send([
      adt({ controlId: 'M1', pid3: id('A') }),
      adt({ controlId: 'M2', pid3: id('B') }),
      adt({ controlId: 'M3', pid3: id('C') }),
    ]);
    const ga = goldenOf((await t.pix(pix(OID_A, 'A'))).body);
    const gb = goldenOf((await t.pix(pix(OID_A, 'B'))).body);
    expect(ga).not.toBe(gb);
    // B merged into A.
    const before = { ...t.service.worker.stats };
    const [m] = await t.send([adt({ event: 'A40', controlId: 'M4', pid3: id('A'), mrg1: id('B') })]);
    expect(readAck(m!).code).toBe('AA');
    const viaB = await t.pix(pix(OID_A, 'B'));
    // The worker's own account (bench:linkage reports it): one message, applied as one A40.
    expect(t.service.worker.stats.messages - before.messages).toBe(1);
    expect(t.service.worker.stats.merges - before.merges).toBe(1);
    expect(t.service.worker.stats.mergeMs).toBeGreaterThan(before.mergeMs);
    expect(viaB.status).toBe(200);
    expect(goldenOf(viaB.body)).toBe(ga);
    expect(targets(viaB.body)).toEqual([`urn:oid:${OID_A}|A`]);
    expect(targets((await t.pix(pix(OID_A, 'A'))).body)).toEqual([]);
    // A later A08 still carrying B changes nothing in the crosswalk.
    await t.send([adt({ event: 'A08', controlId: 'M5', pid3: id('B'), name: 'LATE^UPDATE' })]);
    expect(goldenOf((await t.pix(pix(OID_A, 'B'))).body)).toBe(ga);
    // Inverse: A into B. Then circular: B into C, C into A.
    await t.send([adt({ event: 'A40', controlId: 'M6', pid3: id('B'), mrg1: id('A') })]);
    await t.send([adt({ event: 'A40', controlId: 'M7', pid3: id('C'), mrg1: id('B') }), adt({ event: 'A40', controlId: 'M8', pid3: id('A'), mrg1: id('C') })]);
    const results = await Promise.all(['A', 'B', 'C'].map((v) => t.pix(pix(OID_A, v))));
    for (const r of results) expect(r.status).toBe(200);
    expect(new Set(results.map((r) => goldenOf(r.body))).size).toBe(1);
    const rows = await query<{ identifier: string; status: string; into: string | null }>(
      t.service.database.db,
      sql`select s.identifier, s.status, t.identifier as into from source_records s left join source_records t on t.id = s.merged_into_id where s.identifier in ('A','B','C') order by s.identifier`,
    );
    // The latest instruction wins: C into A leaves A the one active record, and nothing points in a loop.
    expect(rows).toEqual([
      { identifier: 'A', status: 'active', into: null },
      { identifier: 'B', status: 'merged', into: 'A' },
      { identifier: 'C', status: 'merged', into: 'A' },
    ]);
    const [across] = await t.send([adt({ event: 'A40', controlId: 'M9', pid3: id('A'), mrg1: `77^^^CLINIC^MR` })]);
    expect(readAck(across!).code).toBe('AE');
    const audit = await query<{ n: number }>(t.service.database.db, sql`select count(*)::int as n from audit_log where action in ('source.merged', 'source.reactivated', 'source.retired-identifier-used')`);
    expect(audit[0]!.n).toBeGreaterThanOrEqual(5);
  });

  it('writes outbox events and audit rows with the changes', async () => {
    const res = await t.http('/api/events?after=0&limit=1000');
    const { events } = (await res.json()) as { events: Array<{ type: string; payload: unknown }> };
    const types = new Set(events.map((e) => e.type));
    for (const type of ['golden.created', 'link.created', 'golden.merged', 'source.merged']) expect(types.has(type)).toBe(true);
    // Every payload satisfies the published, versioned schema of its type.
    for (const e of events) expect(parseEvent(e.payload).type).toBe(e.type);
    const audit = await query<{ action: string }>(t.service.database.db, sql`select distinct action from audit_log`);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['message.received', 'message.applied', 'pixm.query', 'source.created']));
  });

  it('answers PIXm errors as IHE ITI-83 says', async () => {
    await t.send([adt({ controlId: 'P1', pid3: `6001^^^HOSPA&${OID_A}&ISO^MR~6002^^^CLINIC^PI` })]);
    expect((await t.pix(pix('1.2.3.4.5', '6001'))).status).toBe(400);
    expect((await t.pix(pix(OID_A, 'nope'))).status).toBe(404);
    const forbidden = await t.pix(pix(OID_A, '6001', `&targetSystem=${encodeURIComponent('urn:oid:9.9.9')}`));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.resourceType).toBe('OperationOutcome');
    const filtered = await t.pix(pix(OID_A, '6001', `&targetSystem=${encodeURIComponent(`urn:oid:${OID_B}`)}`));
    expect(targets(filtered.body)).toEqual([`urn:oid:${OID_B}|6002`]);
    expect((await t.pix('sourceIdentifier=nobar')).status).toBe(400);
    expect((await t.pix(pix(OID_A, '6001'), '')).status).toBe(401);
    expect((await t.pix(pix(OID_A, '6001'), 'wrong-key-0123456789')).status).toBe(401);
  });

  it.runIf(backend.name === 'postgres')('answers PIXm for a message ACKed but not yet applied by waiting for it', async () => {
    // Hold the worker's apply lock from another session, so the message stays in the inbox.
    const other = pgClient(t.fresh.url!, { max: 1, onnotice: () => {} });
    const locked = other.reserve();
    const session = await locked;
    await session`select pg_advisory_lock(7316202)`;
    try {
      const [ack] = await t.send([adt({ controlId: 'RYW1', pid3: `9501^^^HOSPA&${OID_A}&ISO^MR` })]);
      expect(readAck(ack!).code).toBe('AA');
      const query = t.http(`/fhir/Patient/$ihe-pix?${pix(OID_A, '9501')}`);
      await new Promise((r) => setTimeout(r, 300));
      const [row] = await session`select count(*)::int as n from messages where control_id = 'RYW1' and status = 'pending'`;
      expect(row?.n).toBe(1);
      await session`select pg_advisory_unlock(7316202)`;
      expect((await query).status).toBe(200);
    } finally {
      session.release();
      await other.end();
    }
  });

  it('reports health without auth', async () => {
    const res = await t.http('/health', { key: '' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.database.status).toBe('up');
    expect(body.queues.deadLetter).toBeGreaterThan(0);
  });

  it('survives garbage, oversized and byte-by-byte frames', async () => {
    // No MSH: the connection is closed without an ACK, the frame is kept as a dead letter.
    const closed = await rawExchange(t.service.mllpPort, [encodeFrame('HELLO WORLD')]);
    expect(closed.closed).toBe(true);
    expect(closed.data.length).toBe(0);
    // Oversized: AR, and the same connection goes on serving.
    const big = adt({ controlId: 'BIG1', extraSegments: [`NTE|1||${'x'.repeat(1_100_000)}`] });
    const ok = adt({ controlId: 'AFTERBIG', pid3: `7001^^^HOSPA&${OID_A}&ISO^MR` });
    const acks = await t.send([big, ok]);
    expect(readAck(acks[0]!)).toMatchObject({ code: 'AR', controlId: 'BIG1' });
    expect(readAck(acks[1]!)).toMatchObject({ code: 'AA', controlId: 'AFTERBIG' });
    // One byte per write.
    const frame = encodeFrame(adt({ controlId: 'SPLIT1', pid3: `7002^^^HOSPA&${OID_A}&ISO^MR` }));
    const split = await rawExchange(t.service.mllpPort, [...frame].map((b) => Buffer.from([b])), true);
    expect(readAck(split.data.subarray(1, split.data.length - 2).toString('latin1'))).toMatchObject({ code: 'AA', controlId: 'SPLIT1' });
    expect((await t.pix(pix(OID_A, '7002'))).status).toBe(200);
  });

  it('re-applies dead letters after a config fix', async () => {
    const [ack] = await t.send([adt({ controlId: 'FIX1', pid3: '8001^^^LATERNS^MR' })]);
    expect(readAck(ack!).code).toBe('AE');
    // Before the fix a retry still fails.
    let res = await t.http('/api/dead-letters/retry', { key: ADMIN_KEY, method: 'POST', body: JSON.stringify({ all: true }), headers: { 'content-type': 'application/json' } });
    let body = (await res.json()) as { outcomes: Array<{ result: string }> };
    expect(body.outcomes.some((o) => o.result === 'requeued')).toBe(false);
    t.service.config.file.authorities.push({ namespace: 'LATERNS', oid: '2.16.840.1.113883.3.9999.77', trustRank: 0 });
    const { AuthorityRegistry } = await import('../../src/ingest/authorities.js');
    // What a restart with the fixed config does: upsert the configured authorities, then reload them.
    await AuthorityRegistry.load(t.service.database.db, t.service.config.file);
    await t.service.registry.refresh(t.service.database.db);
    const [row] = await query<{ id: number }>(t.service.database.db, sql`select id::int as id from messages where control_id = 'FIX1'`);
    res = await t.http('/api/dead-letters/retry', { key: ADMIN_KEY, method: 'POST', body: JSON.stringify({ ids: [row!.id] }), headers: { 'content-type': 'application/json' } });
    body = (await res.json()) as { outcomes: Array<{ result: string }> };
    expect(body.outcomes).toEqual([{ id: row!.id, result: 'requeued' }]);
    expect((await t.pix(pix('2.16.840.1.113883.3.9999.77', '8001'))).status).toBe(200);
    // Readers may not retry.
    res = await t.http('/api/dead-letters/retry', { method: 'POST', body: JSON.stringify({ all: true }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(403);
  });
});

/** Writes raw chunks to the MLLP port and collects what comes back until the peer closes or a reply frame ends. */
function rawExchange(port: number, chunks: Buffer[], untilReply = false): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ data: Buffer.concat(got), closed });
    }, 5000);
    sock.on('data', (d) => {
      got.push(d);
      const all = Buffer.concat(got);
      if (untilReply && all.length >= 2 && all[all.length - 2] === 0x1c && all[all.length - 1] === 0x0d) {
        clearTimeout(timer);
        sock.destroy();
        resolve({ data: all, closed: false });
      }
    });
    sock.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ data: Buffer.concat(got), closed: true });
    });
    sock.on('error', reject);
    sock.on('connect', async () => {
      for (const c of chunks) {
        sock.write(c);
        if (chunks.length > 1) await new Promise((r) => setImmediate(r));
      }
    });
  });
}
