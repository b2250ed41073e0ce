import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { keyId } from '../../src/api/auth.js';
import { resolveResultSchema, reviewItemPageSchema, reviewItemSchema } from '../../src/api/review-items.js';
import { parseEvent } from '../../src/linkage/events.js';
import { query } from '../../src/storage/db.js';
import { backends } from '../helpers/db.js';
import { acceptedSender, ADMIN_KEY, READER_KEY, startTestService, type TestService } from '../helpers/service.js';
import { adt, OID_A, OID_B } from '../helpers/adt.js';

/*
 * The stewards' queue over HTTP, end to end: same-source duplicates fed over MLLP open review items; the list
 * is filtered, sorted and paged against what the table holds; the detail's waterfall adds up; resolving links
 * (or remembers a non-match) with optimistic concurrency, and everything a steward does is in the outbox and
 * the audit log.
 */

const STEWARD_KEY = 'test-steward-key-0123456789';
const STEWARD2_KEY = 'test-steward2-key-0123456789';
const cx = (id: string, oid: string, ns: string) => `${id}^^^${ns}&${oid}&ISO^MR`;
const A = (id: string) => cx(id, OID_A, 'HOSPA');
const B = (id: string) => cx(id, OID_B, 'CLINIC');
const pix = (oid: string, id: string) => `sourceIdentifier=${encodeURIComponent(`urn:oid:${oid}|${id}`)}`;

interface Person {
  name: string;
  dob: string;
  sex: string;
  address: string;
  phone: string;
}

/** Distinct people; each is registered twice by one source, the second time with the change given. */
const PEOPLE: Array<{ p: Person; twice: Partial<Person>; source: 'A' | 'B' }> = [
  { source: 'A', p: { name: 'ABERCROMBIE^LUCINDA^^^^^L', dob: '19660930', sex: 'F', address: '19 FOXGLOVE CT^^URBANA^IL^61801', phone: '^PRN^PH^^^217^5554488' }, twice: {} },
  { source: 'A', p: { name: 'TREMBLAY^OSWIN^^^^^L', dob: '19721103', sex: 'M', address: '4 HEMLOCK RD^^CHAMPAIGN^IL^61820', phone: '^PRN^PH^^^217^5550131' }, twice: { phone: '' } },
  { source: 'A', p: { name: 'VASQUEZ^PERPETUA^^^^^L', dob: '19580214', sex: 'F', address: '77 SYCAMORE AVE^^DANVILLE^IL^61832', phone: '^PRN^PH^^^217^5559321' }, twice: { address: '1200 RIVER RD^^DANVILLE^IL^61832' } },
  { source: 'A', p: { name: 'KOWALSKI^BARNABY^^^^^L', dob: '19900517', sex: 'M', address: '3 LILAC LN^^SAVOY^IL^61874', phone: '^PRN^PH^^^217^5557702' }, twice: { address: '', phone: '' } },
  { source: 'A', p: { name: 'OYELOWO^CLEMENTINE^^^^^L', dob: '19830808', sex: 'F', address: '65 JUNIPER ST^^RANTOUL^IL^61866', phone: '^PRN^PH^^^217^5552284' }, twice: {} },
  { source: 'B', p: { name: 'DUBOIS^FERDINAND^^^^^L', dob: '19491122', sex: 'M', address: '8 LINDEN PL^^MAHOMET^IL^61853', phone: '^PRN^PH^^^217^5556650' }, twice: {} },
  { source: 'B', p: { name: 'NAKAGAWA^TSUBAKI^^^^^L', dob: '19951230', sex: 'F', address: '210 POPLAR DR^^TOLONO^IL^61880', phone: '^PRN^PH^^^217^5553377' }, twice: { phone: '' } },
];
const first = (i: number) => `RQ${i}A`;
const second = (i: number) => `RQ${i}B`;

describe.each(backends)('review queue API on $name', (backend) => {
  let t: TestService;
  const db = () => t.fresh.database.db;
  const send = acceptedSender(() => t, 'RV');
  const register = (i: number, which: 'first' | 'second', extra: Partial<Person> = {}, event = 'A04') => {
    const { p, twice, source } = PEOPLE[i]!;
    const id = which === 'first' ? first(i) : second(i);
    return send({ event, app: source === 'A' ? 'EPIC' : 'CLINICAPP', pid3: source === 'A' ? A(id) : B(id), ...p, ...(which === 'second' ? twice : {}), ...extra });
  };
  const get = async (path: string, key = READER_KEY) => {
    await t.service.worker.idle();
    const res = await t.http(path, { key });
    return { status: res.status, body: (await res.json()) as any };
  };
  const post = async (path: string, body: unknown, key = STEWARD_KEY) => {
    const res = await t.http(path, { key, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const itemOf = async (identifier: string, status = 'open') => {
    const [row] = await query<{ id: number; version: number }>(
      db(),
      sql`select r.id::int as id, r.version from review_items r join source_records s on s.id = r.source_record_id where s.identifier = ${identifier} and r.status = ${status} order by r.id desc limit 1`,
    );
    return row;
  };
  const events = async (after = 0) => (await get(`/api/events?after=${after}&limit=1000`)).body.events as Array<{ seq: number; type: string; subject: string; payload: any }>;
  const lastSeq = async () => {
    const e = await events();
    return e.length ? e[e.length - 1]!.seq : 0;
  };

  beforeAll(async () => {
    t = await startTestService(
      backend,
      {
        authorities: [
          { namespace: 'HOSPA', oid: OID_A, name: 'Hospital A', trustRank: 10 },
          { namespace: 'CLINIC', oid: OID_B, name: 'Clinic', trustRank: 5 },
        ],
      },
      { MPI_API_KEYS: `${ADMIN_KEY}:admin,${READER_KEY}:reader,${STEWARD_KEY}:steward,${STEWARD2_KEY}:steward` },
    );
    for (let i = 0; i < PEOPLE.length; i++) await register(i, 'first');
    for (let i = 0; i < PEOPLE.length; i++) await register(i, 'second');
    await t.service.worker.idle();
  });
  afterAll(async () => t?.stop());

  it('opens one review item per same-source duplicate, and lists the open queue with its total', async () => {
    const rows = await query<{ id: number; identifier: string; reasons: string[] }>(
      db(),
      sql`select r.id::int as id, s.identifier, r.reasons from review_items r join source_records s on s.id = r.source_record_id where r.status = 'open' order by r.created_at, r.id`,
    );
    expect(rows.map((r) => r.identifier).sort()).toEqual(PEOPLE.map((_, i) => second(i)).sort());
    for (const r of rows) expect(r.reasons).toContain('same-authority');

    const { status, body } = await get('/api/review-items?limit=200');
    expect(status).toBe(200);
    // The answer is what the OpenAPI document says, no more and no less.
    expect(reviewItemPageSchema.parse(body)).toEqual(body);
    expect(body.total).toBe(PEOPLE.length);
    expect(body.nextCursor).toBeNull();
    // Default order: oldest first.
    expect(body.items.map((i: any) => i.id)).toEqual(rows.map((r) => r.id));
    const entry = body.items.find((i: any) => i.sourceRecord.value === second(0));
    expect(entry).toMatchObject({
      status: 'open',
      version: 1,
      sourceRecord: { system: `urn:oid:${OID_A}`, authority: 'Hospital A', value: second(0), name: 'LUCINDA ABERCROMBIE', birthDate: '1966-09-30' },
      candidate: { system: `urn:oid:${OID_A}`, value: first(0), name: 'LUCINDA ABERCROMBIE' },
    });
    expect(entry.reasons).toContain('same-authority');
    expect(entry.score).toBeGreaterThan(0.99);
    const goldenOfFirst = (await t.pix(pix(OID_A, first(0)))).body.parameter.find((p: any) => p.name === 'targetId').valueReference.reference;
    expect(`Patient/${entry.candidate.goldenId}`).toBe(goldenOfFirst);
    // bench/adt-quality.ts reads the open count from here.
    expect((await get('/api/review-items?status=open')).body.total).toBe(PEOPLE.length);
  });

  it('filters by authority (namespace, OID or urn:oid), score band and status, and refuses what it cannot read', async () => {
    const clinic = PEOPLE.filter((p) => p.source === 'B').length;
    for (const authority of ['CLINIC', OID_B, `urn:oid:${OID_B}`]) {
      const { body } = await get(`/api/review-items?authority=${encodeURIComponent(authority)}`);
      expect(body.total).toBe(clinic);
      expect(body.items.map((i: any) => i.sourceRecord.system)).toEqual(Array(clinic).fill(`urn:oid:${OID_B}`));
    }
    expect((await get('/api/review-items?authority=HOSPA')).body.total).toBe(PEOPLE.length - clinic);

    const scores = await query<{ p: number }>(db(), sql`select probability as p from review_items where status = 'open' order by probability`);
    const cut = scores[Math.floor(scores.length / 2)]!.p;
    const [above] = await query<{ n: number }>(db(), sql`select count(*)::int as n from review_items where status = 'open' and probability >= ${cut}::real`);
    const high = await get(`/api/review-items?minScore=${cut}`);
    expect(high.body.total).toBe(above!.n);
    for (const i of high.body.items) expect(i.score).toBeGreaterThanOrEqual(cut);
    const low = await get(`/api/review-items?maxScore=${cut}&minScore=0`);
    const [below] = await query<{ n: number }>(db(), sql`select count(*)::int as n from review_items where status = 'open' and probability <= ${cut}::real`);
    expect(low.body.total).toBe(below!.n);
    expect((await get('/api/review-items?status=superseded')).body).toEqual({ items: [], nextCursor: null, total: 0 });

    for (const bad of ['status=closed', 'minScore=2', 'minScore=0.9&maxScore=0.1', 'sort=name', 'limit=0', 'limit=201', 'authority=NOPE', 'colour=red', 'cursor=abc']) {
      const r = await get(`/api/review-items?${bad}`);
      expect([bad, r.status, r.body.error?.code]).toEqual([bad, 400, 'bad_request']);
    }
    expect((await t.http('/api/review-items', { key: '' })).status).toBe(401);
  });

  it('sorts by score either way (ties by id) and pages with a keyset cursor that stays on its query', async () => {
    const asc = await query<{ id: number }>(db(), sql`select id::int as id from review_items where status = 'open' order by probability, id`);
    const all = await get('/api/review-items?sort=score&limit=200');
    expect(all.body.items.map((i: any) => i.id)).toEqual(asc.map((r) => r.id));
    const desc = await get('/api/review-items?sort=-score&limit=200');
    expect(desc.body.items.map((i: any) => i.id)).toEqual(
      asc
        .map((r) => r.id)
        .slice()
        .reverse(),
    );
    const newest = await get('/api/review-items?sort=-age&limit=200');
    const oldest = await get('/api/review-items?sort=age&limit=200');
    expect(newest.body.items.map((i: any) => i.id)).toEqual(oldest.body.items.map((i: any) => i.id).reverse());

    for (const sort of ['score', '-score', 'age', '-age']) {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r = await get(`/api/review-items?sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(r.status).toBe(200);
        expect(r.body.total).toBe(PEOPLE.length);
        expect(r.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...r.body.items.map((i: any) => i.id));
        cursor = r.body.nextCursor;
        pages++;
      } while (cursor);
      const whole = await get(`/api/review-items?sort=${sort}&limit=200`);
      expect([sort, seen]).toEqual([sort, whole.body.items.map((i: any) => i.id)]);
      expect(pages).toBe(Math.ceil(PEOPLE.length / 2));
    }
    const page = await get('/api/review-items?sort=-score&limit=2');
    const other = await get(`/api/review-items?sort=score&limit=2&cursor=${page.body.nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.body.error.message).toMatch(/cursor belongs to a query/);
    const filtered = await get(`/api/review-items?sort=-score&limit=2&authority=HOSPA&cursor=${page.body.nextCursor}`);
    expect(filtered.status).toBe(400);
  });

  it("shows one item with both records side by side, the golden record's survived view and a waterfall that adds up", async () => {
    const item = (await itemOf(second(2)))!;
    const { status, body } = await get(`/api/review-items/${item.id}`);
    expect(status).toBe(200);
    expect(reviewItemSchema.parse(body)).toEqual(body);
    const [stored] = await query<{ weight: number; probability: number; sourceId: number; candidateId: number }>(
      db(),
      sql`select weight, probability, source_record_id::int as "sourceId", candidate_record_id::int as "candidateId" from review_items where id = ${item.id}`,
    );
    expect(body).toMatchObject({ id: item.id, status: 'open', version: 1, decision: null, stale: false, model: { version: 1, thresholds: { upper: 0.995, lower: 0.9 } } });
    expect(body.score).toBe(stored!.probability);
    expect(body.sourceRecord).toMatchObject({ id: stored!.sourceId, value: second(2), system: `urn:oid:${OID_A}`, status: 'active', linkKind: 'new' });
    expect(body.candidate.bestMember).toMatchObject({ id: stored!.candidateId, value: first(2), status: 'active' });
    expect(body.candidate.golden.members.map((m: any) => m.value)).toEqual([first(2)]);
    expect(body.candidate.golden.demographics.names[0]).toMatchObject({ family: 'VASQUEZ', given: 'PERPETUA' });
    expect(body.candidate.golden.provenance.names).toBe(stored!.candidateId);

    const ex = body.explanation;
    const sum = ex.contributions.reduce((s: number, c: any) => s + c.weight + c.tfAdjustment, ex.prior);
    expect(sum).toBeCloseTo(ex.weight, 9);
    expect(ex.sum).toBeCloseTo(ex.weight, 9);
    expect(ex.contributions.at(-1).cumulative).toBeCloseTo(ex.weight, 9);
    expect(ex.weight).toBeCloseTo(stored!.weight, 3);
    expect(ex.probability).toBeCloseTo(stored!.probability, 6);
    for (const c of ex.contributions) expect(c.total).toBeCloseTo(c.weight + c.tfAdjustment, 12);
    const names = ex.contributions.map((c: any) => c.comparison);
    expect(names).toEqual(expect.arrayContaining(['given_name', 'family_name', 'dob']));
    const dob = ex.contributions.find((c: any) => c.comparison === 'dob');
    expect(dob.level).toBe('exact');
    expect(dob.weight).toBeGreaterThan(0);
    expect(dob.bayesFactor).toBeCloseTo(2 ** dob.total, 6);

    const field = (f: string) => body.fields.find((x: any) => x.field === f);
    expect(field('family')).toEqual({ field: 'family', source: 'VASQUEZ', candidate: 'VASQUEZ', golden: 'VASQUEZ', same: true });
    expect(field('street')).toEqual({ field: 'street', source: '1200 RIVER RD', candidate: '77 SYCAMORE AVE', golden: '77 SYCAMORE AVE', same: false });

    const [audit] = await query<{ actor: string; detail: any }>(db(), sql`select actor, detail from audit_log where action = 'review.read' and entity_id = ${String(item.id)} order by id desc limit 1`);
    expect(audit).toEqual({ actor: `api:${keyId(READER_KEY)}`, detail: { sourceRecordId: stored!.sourceId, candidateRecordId: stored!.candidateId, candidateGoldenId: body.candidate.goldenId } });
    const [listed] = await query<{ detail: any }>(db(), sql`select detail from audit_log where action = 'review.list' order by id desc limit 1`);
    expect(Array.isArray(listed!.detail.items)).toBe(true);

    expect((await get('/api/review-items/999999')).status).toBe(404);
    expect((await get('/api/review-items/abc')).status).toBe(400);
  });

  it('resolves a match: the duplicate joins the golden record, PIXm shows both, events and audit rows are written', async () => {
    const item = (await itemOf(second(0)))!;
    const from = await lastSeq();
    const before = (await t.pix(pix(OID_A, second(0)))).body.parameter.find((p: any) => p.name === 'targetId').valueReference.reference.replace('Patient/', '');
    const target = (await t.pix(pix(OID_A, first(0)))).body.parameter.find((p: any) => p.name === 'targetId').valueReference.reference.replace('Patient/', '');
    expect(before).not.toBe(target);

    expect((await post(`/api/review-items/${item.id}/resolve`, { decision: 'match', version: item.version }, READER_KEY)).status).toBe(403);
    expect((await post(`/api/review-items/${item.id}/resolve`, { decision: 'maybe', version: item.version })).status).toBe(400);
    expect((await post(`/api/review-items/${item.id}/resolve`, { decision: 'match', version: item.version + 5 })).body.error.code).toBe('conflict');

    const r = await post(`/api/review-items/${item.id}/resolve`, { decision: 'match', version: item.version, note: 'same DOB and address; registration clerk typo' });
    expect(r.status).toBe(200);
    expect(resolveResultSchema.parse(r.body)).toEqual(r.body);
    expect(r.body).toEqual({ id: item.id, status: 'resolved', decision: 'match', version: item.version + 1, goldenId: target, nonMatchPairs: 0, superseded: 0 });

    const pixed = await t.pix(pix(OID_A, first(0)));
    expect(pixed.body.parameter.filter((p: any) => p.name === 'targetIdentifier').map((p: any) => p.valueIdentifier.value)).toEqual([second(0)]);
    const [old] = await query<{ status: string; into: string }>(db(), sql`select status, merged_into_id as into from golden_records where id = ${before}`);
    expect(old).toEqual({ status: 'merged', into: target });

    const evs = (await events(from)).map((e) => ({ ...e, parsed: parseEvent(e.payload) }));
    expect(evs.map((e) => e.type)).toEqual(['link.removed', 'link.created', 'golden.merged']);
    expect(evs[0]!.parsed.data).toMatchObject({ goldenId: before, value: second(0), reason: `steward-match:review:${item.id}`, messageId: null });
    expect(evs[1]!.parsed.data).toMatchObject({ goldenId: target, value: second(0), kind: 'steward', system: `urn:oid:${OID_A}` });
    expect(evs[2]!.parsed.data).toMatchObject({ from: before, into: target, reason: 'steward-match' });

    const detail = (await get(`/api/review-items/${item.id}`)).body;
    expect(detail).toMatchObject({ status: 'resolved', decision: 'match', decidedBy: `api:${keyId(STEWARD_KEY)}`, note: 'same DOB and address; registration clerk typo', version: item.version + 1 });
    const audit = await query<{ action: string; actor: string; entityId: string; detail: any }>(
      db(),
      sql`select action, actor, entity_id as "entityId", detail from audit_log where actor = ${`api:${keyId(STEWARD_KEY)}`} and action <> 'review.read' and action <> 'review.list' order by id`,
    );
    expect(audit.map((a) => a.action)).toEqual(['link.removed', 'link.created', 'golden.merged', 'review.resolved']);
    expect(audit.at(-1)).toMatchObject({ entityId: String(item.id), detail: { decision: 'match', goldenId: target, note: 'same DOB and address; registration clerk typo' } });
    const [golden] = await query<{ provenance: Record<string, number> }>(db(), sql`select provenance from golden_records where id = ${target}`);
    expect(Object.keys(golden!.provenance)).toContain('names');

    // Resolved is final: a second answer is a conflict, whatever version it names.
    const again = await post(`/api/review-items/${item.id}/resolve`, { decision: 'non-match', version: item.version + 1 });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/is resolved/);
  });

  it('is in the OpenAPI document with its roles', async () => {
    const doc = (await get('/openapi.json')).body;
    const ops: Array<[string, string, string]> = [
      ['/api/review-items', 'get', 'reader'],
      ['/api/review-items/{id}', 'get', 'reader'],
      ['/api/review-items/{id}/resolve', 'post', 'steward'],
      ['/api/links', 'post', 'steward'],
      ['/api/links/unlink', 'post', 'steward'],
      ['/api/golden-records/merge', 'post', 'steward'],
      ['/api/golden-records/unmerge', 'post', 'steward'],
    ];
    for (const [path, method, role] of ops) {
      const op = doc.paths[path]?.[method];
      expect([path, op?.['x-undocumented'] ?? false, op?.['x-required-role']]).toEqual([path, false, role]);
    }
    expect(doc.paths['/api/review-items/{id}/resolve'].post.responses['409'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorEnvelope');
    expect(doc.paths['/api/review-items'].get.parameters.map((p: any) => p.name)).toEqual(['status', 'authority', 'minScore', 'maxScore', 'sort', 'limit', 'cursor']);
    expect(doc.components.schemas.MatchWeightWaterfall.properties.contributions).toBeDefined();
  });

  it('lets one of two stewards resolving the same item at once win; the other gets 409', async () => {
    const item = (await itemOf(second(4)))!;
    const from = await lastSeq();
    const results = await Promise.all([
      post(`/api/review-items/${item.id}/resolve`, { decision: 'match', version: item.version, note: 'steward one' }, STEWARD_KEY),
      post(`/api/review-items/${item.id}/resolve`, { decision: 'non-match', version: item.version, note: 'steward two' }, STEWARD2_KEY),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!;
    const [row] = await query<{ decision: string; decidedBy: string; version: number }>(db(), sql`select decision, decided_by as "decidedBy", version from review_items where id = ${item.id}`);
    expect(row!.decision).toBe(winner.body.decision);
    expect(row!.decidedBy).toBe(`api:${keyId(winner.body.decision === 'match' ? STEWARD_KEY : STEWARD2_KEY)}`);
    expect(row!.version).toBe(item.version + 1);
    const resolved = await query<{ n: number }>(db(), sql`select count(*)::int as n from audit_log where action = 'review.resolved' and entity_id = ${String(item.id)}`);
    expect(resolved[0]!.n).toBe(1);
    const linked = (await events(from)).filter((e) => e.type === 'link.created');
    expect(linked).toHaveLength(winner.body.decision === 'match' ? 1 : 0);
  });

  it('remembers a non-match: the same data sent again does not reopen the pair, changed data does', async () => {
    const item = (await itemOf(second(5)))!;
    const r = await post(`/api/review-items/${item.id}/resolve`, { decision: 'non-match', version: item.version, note: 'different people: checked with the clinic' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ decision: 'non-match', nonMatchPairs: 1 });
    const [pair] = await query<{ a: number; b: number; fa: string; fb: string; by: string; note: string; item: number }>(
      db(),
      sql`select record_a::int as a, record_b::int as b, fingerprint_a as fa, fingerprint_b as fb, decided_by as by, note, review_item_id::int as item from non_matches where review_item_id = ${item.id}`,
    );
    const ids = await query<{ id: number; identifier: string }>(db(), sql`select id::int as id, identifier from source_records where identifier in (${first(5)}, ${second(5)}) order by id`);
    expect([pair!.a, pair!.b]).toEqual(ids.map((x) => x.id));
    expect(pair).toMatchObject({ by: `api:${keyId(STEWARD_KEY)}`, note: 'different people: checked with the clinic', item: item.id });
    expect(pair!.fa).toMatch(/^[0-9a-f]{32}$/);
    const goldens = async () => new Set([(await t.pix(pix(OID_B, first(5)))).body.parameter.at(-1).valueReference.reference, (await t.pix(pix(OID_B, second(5)))).body.parameter.at(-1).valueReference.reference]);
    expect((await goldens()).size).toBe(2);

    // Both sources repeat their registrations unchanged (A08 and A04): nothing is proposed again.
    await register(5, 'second', {}, 'A08');
    await register(5, 'first', {}, 'A08');
    await t.service.worker.idle();
    expect(await itemOf(second(5))).toBeUndefined();
    expect(await itemOf(first(5))).toBeUndefined();
    expect((await goldens()).size).toBe(2);

    // New data on one side is new evidence: the pair is back in the queue.
    await register(5, 'second', { phone: '^PRN^PH^^^217^5550000' }, 'A08');
    await t.service.worker.idle();
    const reopened = await query<{ candidateRecordId: number; reasons: string[] }>(
      db(),
      sql`select r.candidate_record_id::int as "candidateRecordId", r.reasons from review_items r join source_records s on s.id = r.source_record_id where s.identifier = ${second(5)} and r.status = 'open'`,
    );
    expect(reopened.map((x) => x.candidateRecordId)).toEqual([ids[0]!.id]);
    expect(reopened[0]!.reasons).toContain('same-authority');
  });
});
