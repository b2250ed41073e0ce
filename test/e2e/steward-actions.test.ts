import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { keyId } from '../../src/api/auth.js';
import { linkResultSchema, mergeResultSchema, unlinkResultSchema, unmergeResultSchema } from '../../src/api/steward.js';
import { parseEvent } from '../../src/linkage/events.js';
import { query } from '../../src/storage/db.js';
import { backends } from '../helpers/db.js';
import { acceptedSender, ADMIN_KEY, READER_KEY, startTestService, type TestService } from '../helpers/service.js';
import { OID_A, OID_B } from '../helpers/adt.js';

/*
 * A steward's manual actions end to end: records fed over MLLP, changed through the API, checked through PIXm,
 * the tables, the outbox and the audit log. Merge then unmerge must give back exactly the membership before.
 */

const STEWARD_KEY = 'test-steward-key-0123456789';
const OID_C = '2.16.840.1.113883.3.9999.3';
const cx = (id: string, oid: string, ns: string) => `${id}^^^${ns}&${oid}&ISO^MR`;
const A = (id: string) => cx(id, OID_A, 'HOSPA');
const B = (id: string) => cx(id, OID_B, 'CLINIC');
const C = (id: string) => cx(id, OID_C, 'LAB');
const pix = (oid: string, id: string) => `sourceIdentifier=${encodeURIComponent(`urn:oid:${oid}|${id}`)}`;
const STEWARD = `api:${keyId(STEWARD_KEY)}`;

describe.each(backends)('steward actions on $name', (backend) => {
  let t: TestService;
  const db = () => t.fresh.database.db;
  const send = acceptedSender(() => t, 'SA');
  const golden = async (oid: string, id: string) => {
    const r = await t.pix(pix(oid, id));
    expect(r.status).toBe(200);
    return (r.body.parameter as any[]).find((p) => p.name === 'targetId').valueReference.reference.replace('Patient/', '') as string;
  };
  const others = async (oid: string, id: string) =>
    ((await t.pix(pix(oid, id))).body.parameter as any[])
      .filter((p) => p.name === 'targetIdentifier')
      .map((p) => p.valueIdentifier.value)
      .sort();
  const post = async (path: string, body: unknown, key = STEWARD_KEY) => {
    await t.service.worker.idle();
    const res = await t.http(path, { key, method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const lastSeq = async () => {
    const [row] = await query<{ n: number }>(db(), sql`select coalesce(max(seq), 0)::int as n from outbox_events`);
    return row!.n;
  };
  const eventsAfter = async (after: number) => {
    const rows = await query<{ id: string; type: string; subject: string; payload: unknown }>(db(), sql`select id, type, subject, payload from outbox_events where seq > ${after} order by seq`);
    return rows.map((r) => {
      const e = parseEvent(r.payload);
      // The row's columns and its payload say the same.
      expect([e.type, e.subject]).toEqual([r.type, r.subject]);
      return { id: r.id, ...e };
    });
  };
  const lastAuditId = async () => {
    const [row] = await query<{ n: number }>(db(), sql`select coalesce(max(id), 0)::int as n from audit_log`);
    return row!.n;
  };
  const auditAfter = (after: number) =>
    query<{ actor: string; action: string; entityType: string; entityId: string; detail: any }>(
      db(),
      sql`select actor, action, entity_type as "entityType", entity_id as "entityId", detail from audit_log where id > ${after} order by id`,
    );
  const recordId = async (identifier: string) => (await query<{ id: number }>(db(), sql`select id::int as id from source_records where identifier = ${identifier}`))[0]!.id;
  /** Who is where: every source record's golden record, link kind and status, and every golden record's state and survived view. */
  const snapshot = async () => ({
    records: await query(db(), sql`select id::int as id, golden_id as "goldenId", link_kind as "linkKind", status, merged_into_id::int as "mergedIntoId" from source_records order by id`),
    goldens: await query(db(), sql`select id, status, merged_into_id as "mergedIntoId", demographics, provenance from golden_records order by id`),
  });

  beforeAll(async () => {
    t = await startTestService(
      backend,
      {
        authorities: [
          { namespace: 'HOSPA', oid: OID_A, name: 'Hospital A', trustRank: 10 },
          { namespace: 'CLINIC', oid: OID_B, name: 'Clinic', trustRank: 5 },
          { namespace: 'LAB', oid: OID_C, name: 'Lab', trustRank: 1 },
        ],
      },
      { MPI_API_KEYS: `${ADMIN_KEY}:admin,${READER_KEY}:reader,${STEWARD_KEY}:steward` },
    );
  });
  afterAll(async () => t?.stop());

  it('links a record to a golden record; the golden record it leaves empty is retired into it', async () => {
    await send({ pid3: A('L1') });
    await send({ app: 'CLINICAPP', pid3: B('L2') });
    const gA = await golden(OID_A, 'L1');
    const gB = await golden(OID_B, 'L2');
    expect(gA).not.toBe(gB);
    const [seq0, audit0, l2] = [await lastSeq(), await lastAuditId(), await recordId('L2')];

    const r = await post('/api/links', { sourceRecord: { system: 'CLINIC', value: 'L2' }, goldenId: gA, note: 'same patient: confirmed by phone' });
    expect(r.status).toBe(200);
    expect(linkResultSchema.parse(r.body)).toEqual(r.body);
    expect(r.body).toEqual({ sourceRecordId: l2, goldenId: gA, previousGoldenId: gB, retiredGoldenId: gB, movedRecordIds: [l2] });
    expect(await others(OID_A, 'L1')).toEqual(['L2']);
    expect(await golden(OID_B, 'L2')).toBe(gA);
    const [old] = await query<{ status: string; into: string }>(db(), sql`select status, merged_into_id as into from golden_records where id = ${gB}`);
    expect(old).toEqual({ status: 'merged', into: gA });
    const [link] = await query<{ kind: string; linkKind: string }>(db(), sql`select l.kind, s.link_kind as "linkKind" from links l join source_records s on s.id = l.source_record_id where s.id = ${l2} and l.removed_at is null`);
    expect(link).toEqual({ kind: 'steward', linkKind: 'steward' });
    // Survivorship by trust: the hospital's record gives the names, the clinic's fills nothing it has.
    const [g] = await query<{ provenance: Record<string, number> }>(db(), sql`select provenance from golden_records where id = ${gA}`);
    expect(g!.provenance.names).toBe(await recordId('L1'));

    const evs = await eventsAfter(seq0);
    expect(evs.map((e) => [e.type, e.subject])).toEqual([
      ['link.removed', gB],
      ['link.created', gA],
      ['golden.merged', gA],
    ]);
    expect(evs[1]!.data).toEqual({ goldenId: gA, sourceRecordId: l2, system: `urn:oid:${OID_B}`, value: 'L2', kind: 'steward', messageId: null });
    expect(evs[2]!.data).toEqual({ from: gB, into: gA, reason: 'steward-link', sourceRecordIds: [l2], messageId: null });
    const audit = (await auditAfter(audit0)).filter((a) => a.actor === STEWARD);
    expect(audit.map((a) => [a.actor, a.action])).toEqual([
      [STEWARD, 'link.removed'],
      [STEWARD, 'link.created'],
      [STEWARD, 'golden.merged'],
      [STEWARD, 'steward.link'],
    ]);
    expect(audit.at(-1)).toMatchObject({ entityType: 'source_record', entityId: String(l2), detail: { goldenId: gA, previousGoldenId: gB, force: false, note: 'same patient: confirmed by phone' } });

    const again = await post('/api/links', { sourceRecord: { system: 'CLINIC', value: 'L2' }, goldenId: gA, note: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it('refuses to put two active records of one authority together unless forced, with a note', async () => {
    await send({ pid3: A('S1') });
    await send({ pid3: A('S2') });
    const g1 = await golden(OID_A, 'S1');
    const seq0 = await lastSeq();
    const refused = await post('/api/links', { sourceRecord: { system: `urn:oid:${OID_A}`, value: 'S2' }, goldenId: g1, note: 'duplicate' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/same authority|this authority/);
    expect(await eventsAfter(seq0)).toEqual([]);
    expect((await post('/api/links', { sourceRecord: { system: OID_A, value: 'S2' }, goldenId: g1, force: true })).status).toBe(400);
    const forced = await post('/api/links', { sourceRecord: { system: OID_A, value: 'S2' }, goldenId: g1, force: true, note: 'source will send an A40' });
    expect(forced.status).toBe(200);
    expect(await others(OID_A, 'S1')).toEqual(['S2']);
    const [row] = await query<{ detail: any }>(db(), sql`select detail from audit_log where action = 'steward.link' order by id desc limit 1`);
    expect(row!.detail).toMatchObject({ force: true, sameAuthority: true, note: 'source will send an A40' });
  });

  it('unlinks a record into a golden record of its own and remembers that it is not that person', async () => {
    await send({ pid3: `${A('U1')}~${B('U2').replace('^MR', '^PI')}` });
    const g = await golden(OID_A, 'U1');
    expect(await golden(OID_B, 'U2')).toBe(g);
    const [seq0, u1, u2] = [await lastSeq(), await recordId('U1'), await recordId('U2')];

    const r = await post('/api/links/unlink', { sourceRecord: { system: `urn:oid:${OID_B}`, value: 'U2' }, note: 'clinic number belongs to the mother' });
    expect(r.status).toBe(200);
    expect(unlinkResultSchema.parse(r.body)).toEqual(r.body);
    expect(r.body).toMatchObject({ sourceRecordId: u2, previousGoldenId: g, movedRecordIds: [u2], nonMatchPairs: 1 });
    const fresh = r.body.goldenId as string;
    expect(fresh).not.toBe(g);
    expect(await golden(OID_B, 'U2')).toBe(fresh);
    expect(await others(OID_A, 'U1')).toEqual([]);
    const evs = await eventsAfter(seq0);
    expect(evs.map((e) => e.type)).toEqual(['golden.created', 'link.removed', 'link.created']);
    expect(evs[0]!.data).toEqual({ goldenId: fresh, messageId: null });
    expect(evs[2]!.data).toMatchObject({ goldenId: fresh, sourceRecordId: u2, kind: 'steward' });
    const [pair] = await query<{ a: number; b: number; note: string }>(db(), sql`select record_a::int as a, record_b::int as b, note from non_matches where record_b = ${u2}`);
    expect(pair).toEqual({ a: u1, b: u2, note: 'clinic number belongs to the mother' });
    const [gr] = await query<{ demographics: any; provenance: any }>(db(), sql`select demographics, provenance from golden_records where id = ${fresh}`);
    expect(gr!.provenance.names).toBe(u2);

    const alone = await post('/api/links/unlink', { sourceRecord: { system: 'CLINIC', value: 'U2' }, note: 'again' });
    expect(alone.status).toBe(409);
  });

  it("the worker's next message sees a steward's change: what the worker carries from batch to batch is dropped", async () => {
    // One person from three sources. The worker goes from one batch to the next with the blocks and golden
    // records it read (worker.ts); a steward's action between two batches must not leave it with the old ones.
    const p = { name: 'CARRINGTON^ELOISE^^^^^L', dob: '19711103', address: '12 ORCHARD LN^^SPRINGFIELD^IL^62704', phone: '^PRN^PH^^^217^5550142' };
    await send({ ...p, pid3: A('W1') });
    await send({ ...p, app: 'CLINICAPP', pid3: B('W2') });
    const g = await golden(OID_A, 'W1');
    expect(await golden(OID_B, 'W2')).toBe(g);
    const r = await post('/api/links/unlink', { sourceRecord: { system: 'CLINIC', value: 'W2' }, note: 'two people after all' });
    expect(r.status).toBe(200);
    const f = r.body.goldenId as string;
    await send({ ...p, app: 'LABAPP', pid3: C('W3') });
    await t.service.worker.idle();
    // W3 matches W1 (in g) and W2 (now in f) alike: two golden records, so a steward is asked, never a link to g
    // alone as if W2 were still there.
    const w3 = await recordId('W3');
    const asked = await query<{ g: string }>(db(), sql`select candidate_golden_id::text as g from review_items where source_record_id = ${w3} and status = 'open'`);
    expect(asked.map((a) => a.g).sort()).toEqual([f, g].sort());
    expect([f, g]).not.toContain(await golden(OID_C, 'W3'));
  });

  it('merges two golden records and unmerges them back to exactly the membership before', async () => {
    await send({ pid3: `${A('M1')}~${B('M2').replace('^MR', '^PI')}` });
    await send({ app: 'LABAPP', pid3: C('M3') });
    await send({ app: 'LABAPP', pid3: C('M4') });
    // The lab merges its own duplicate: M4 is retired into M3 and keeps resolving to M3's golden record.
    await send({ app: 'LABAPP', event: 'A40', pid3: C('M3'), mrg1: C('M4') });
    const g1 = await golden(OID_A, 'M1');
    const g2 = await golden(OID_C, 'M3');
    expect(await golden(OID_C, 'M4')).toBe(g2);
    const [m3, m4] = [await recordId('M3'), await recordId('M4')];
    const before = await snapshot();
    const [seq0, audit0] = [await lastSeq(), await lastAuditId()];

    const merged = await post('/api/golden-records/merge', { from: g2, into: g1, note: 'lab patient is the hospital patient' });
    expect(merged.status).toBe(200);
    expect(mergeResultSchema.parse(merged.body)).toEqual(merged.body);
    expect(merged.body).toMatchObject({ from: g2, into: g1, sourceRecordIds: [m3, m4] });
    expect(await others(OID_A, 'M1')).toEqual(['M2', 'M3']);
    expect(await golden(OID_C, 'M4')).toBe(g1);
    const mergeEvents = await eventsAfter(seq0);
    expect(mergeEvents.map((e) => [e.type, e.id])).toEqual([['golden.merged', merged.body.mergeEventId]]);
    expect(mergeEvents[0]!.data).toEqual({ from: g2, into: g1, reason: 'steward', sourceRecordIds: [m3, m4], messageId: null });
    expect((await snapshot()).records.filter((r: any) => r.goldenId === g1).map((r: any) => r.linkKind)).toEqual(['new', 'asserted', 'steward', 'steward']);

    const seq1 = await lastSeq();
    const undone = await post('/api/golden-records/unmerge', { mergeEventId: merged.body.mergeEventId, note: 'wrong patient: different DOB on the lab order' });
    expect(undone.status).toBe(200);
    expect(unmergeResultSchema.parse(undone.body)).toEqual(undone.body);
    expect(undone.body).toEqual({ goldenId: g2, from: g1, mergeEventId: merged.body.mergeEventId, sourceRecordIds: [m3, m4], nonMatchPairs: 2 });
    expect(await snapshot()).toEqual(before);
    expect(await others(OID_A, 'M1')).toEqual(['M2']);
    expect(await golden(OID_C, 'M4')).toBe(g2);
    const unmergeEvents = await eventsAfter(seq1);
    expect(unmergeEvents.map((e) => [e.type, e.subject])).toEqual([['golden.unmerged', g2]]);
    expect(unmergeEvents[0]!.data).toEqual({ goldenId: g2, from: g1, mergeEventId: merged.body.mergeEventId, sourceRecordIds: [m3, m4], messageId: null });
    const audit = (await auditAfter(audit0)).filter((a) => a.action.startsWith('golden.'));
    expect(audit.map((a) => [a.actor, a.action, a.entityId, a.detail.note])).toEqual([
      [STEWARD, 'golden.merged', g2, 'lab patient is the hospital patient'],
      [STEWARD, 'golden.unmerged', g2, 'wrong patient: different DOB on the lab order'],
    ]);

    const twice = await post('/api/golden-records/unmerge', { mergeEventId: merged.body.mergeEventId, note: 'again' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toMatch(/undone already/);

    // The same by the retired golden record's id.
    const again = await post('/api/golden-records/merge', { from: g2, into: g1, note: 'second thoughts' });
    expect(again.status).toBe(200);
    const byGolden = await post('/api/golden-records/unmerge', { goldenId: g2, note: 'third thoughts' });
    expect(byGolden.status).toBe(200);
    expect(byGolden.body.mergeEventId).toBe(again.body.mergeEventId);
    expect(await snapshot()).toEqual(before);
  });

  it('undoes an automatic link that retired a golden record, and the matcher does not redo it on the same data', async () => {
    const p = { name: 'QUILLFEATHER^OSWALD^^^^^L', dob: '19520830', sex: 'M', address: '61 TAMARACK ST^^PEKIN^IL^61554', phone: '^PRN^PH^^^309^5558093' };
    await send({ ...p, pid3: A('R1') });
    await send({ ...p, app: 'CLINICAPP', pid3: B('R2'), name: 'FEATHERSTONE^OSCAR^^^^^L', dob: '19250308', address: '4 ELSEWHERE RD^^AURORA^IL^60505', phone: '^PRN^PH^^^630^5550000' });
    const own = await golden(OID_B, 'R2');
    const target = await golden(OID_A, 'R1');
    await send({ ...p, event: 'A08', app: 'CLINICAPP', pid3: B('R2') });
    expect(await golden(OID_B, 'R2')).toBe(target);
    const r2 = await recordId('R2');

    const undone = await post('/api/golden-records/unmerge', { goldenId: own, note: 'the A08 was keyed to the wrong patient' });
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({ goldenId: own, from: target, sourceRecordIds: [r2] });
    expect(await golden(OID_B, 'R2')).toBe(own);
    const [rec] = await query<{ linkKind: string }>(db(), sql`select link_kind as "linkKind" from source_records where id = ${r2}`);
    expect(rec!.linkKind).toBe('new');
    // The same A08 again: the steward's decision holds.
    await send({ ...p, event: 'A08', app: 'CLINICAPP', pid3: B('R2') });
    expect(await golden(OID_B, 'R2')).toBe(own);
    expect(await others(OID_A, 'R1')).toEqual([]);
  });

  it('lets one of two opposite merges of the same pair through', async () => {
    await send({ pid3: A('X1') });
    await send({ app: 'CLINICAPP', pid3: B('X2') });
    const [gx, gy] = [await golden(OID_A, 'X1'), await golden(OID_B, 'X2')];
    const results = await Promise.all([
      post('/api/golden-records/merge', { from: gx, into: gy, note: 'one way' }),
      post('/api/golden-records/merge', { from: gy, into: gx, note: 'other way' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const won = results.find((r) => r.status === 200)!.body;
    const statuses = await query<{ id: string; status: string }>(db(), sql`select id, status from golden_records where id in (${gx}, ${gy}) order by status`);
    expect(statuses).toEqual([
      { id: won.into, status: 'active' },
      { id: won.from, status: 'merged' },
    ]);
    expect(await others(OID_A, 'X1')).toEqual(['X2']);
  });

  it('refuses wrong roles, malformed bodies and unknown records', async () => {
    await send({ pid3: A('E1') });
    const g = await golden(OID_A, 'E1');
    const calls: Array<[string, unknown]> = [
      ['/api/links', { sourceRecord: { system: 'HOSPA', value: 'E1' }, goldenId: g, note: 'x' }],
      ['/api/links/unlink', { sourceRecord: { system: 'HOSPA', value: 'E1' }, note: 'x' }],
      ['/api/golden-records/merge', { from: g, into: g, note: 'x' }],
      ['/api/golden-records/unmerge', { goldenId: g, note: 'x' }],
    ];
    for (const [path, body] of calls) {
      expect([path, (await post(path, body, READER_KEY)).status]).toEqual([path, 403]);
      expect([path, (await post(path, body, '')).status]).toEqual([path, 401]);
    }
    const bad: Array<[string, unknown, number]> = [
      ['/api/links', 'not json', 400],
      ['/api/links', { sourceRecord: { system: 'HOSPA', value: 'E1' }, goldenId: 'not-a-uuid', note: 'x' }, 400],
      ['/api/links', { sourceRecord: { system: 'HOSPA', value: 'E1' }, goldenId: g, note: '   ' }, 400],
      ['/api/links', { sourceRecord: { system: 'HOSPA', value: 'E1' }, goldenId: g, note: 'x', extra: 1 }, 400],
      ['/api/links', { sourceRecord: { system: 'HOSPA', value: 'E1\r\nX' }, goldenId: g, note: 'x' }, 400],
      ['/api/links', { sourceRecord: { system: 'NOPE', value: 'E1' }, goldenId: g, note: 'x' }, 404],
      ['/api/links', { sourceRecord: { system: 'HOSPA', value: 'NOBODY' }, goldenId: g, note: 'x' }, 404],
      ['/api/links', { sourceRecord: { system: 'HOSPA', value: 'E1' }, goldenId: '00000000-0000-4000-8000-000000000000', note: 'x' }, 404],
      ['/api/golden-records/merge', { from: g, into: g, note: 'x' }, 400],
      ['/api/golden-records/merge', { from: g, into: '00000000-0000-4000-8000-000000000000', note: 'x' }, 404],
      ['/api/golden-records/unmerge', { mergeEventId: '00000000-0000-4000-8000-000000000000', goldenId: g, note: 'x' }, 400],
      ['/api/golden-records/unmerge', { note: 'x' }, 400],
      ['/api/golden-records/unmerge', { goldenId: g, note: 'x' }, 404],
      ['/api/golden-records/unmerge', { mergeEventId: '00000000-0000-4000-8000-000000000000', note: 'x' }, 404],
    ];
    const seq0 = await lastSeq();
    for (const [path, body, status] of bad) {
      const r = await post(path, body);
      expect([path, body, r.status]).toEqual([path, body, status]);
      expect(r.body.error.message).not.toMatch(/NOBODY|E1/);
    }
    expect(await eventsAfter(seq0)).toEqual([]);
  });
});
