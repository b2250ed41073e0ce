import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNicknames } from '../../src/linkage/matcher.js';
import { rekeyRecords } from '../../src/linkage/rekey.js';
import { query } from '../../src/storage/db.js';
import { backends } from '../helpers/db.js';
import { adt, OID_A, OID_B } from '../helpers/adt.js';
import { acceptedSender, startTestService, type TestService } from '../helpers/service.js';

/*
 * mpi rekey: the keys the running code derives, written again over keys an older version wrote, through the
 * service's own ingest path and its own candidate search.
 */
describe.each(backends)('rekey on $name', (backend) => {
  let t: TestService;
  const send = acceptedSender(() => t, 'RK');
  const db = () => t.fresh.database.db;
  const nicknames = loadNicknames();
  const keysOf = async () => {
    const rows = await query<{ id: number; keys: string[]; golden: string | null; active: boolean[] }>(
      db(),
      sql`select b.source_record_id::int as id, array_agg(b.key order by b.key) as keys, min(b.golden_id::text) as golden, array_agg(distinct b.active) as active
          from blocking_keys b group by b.source_record_id order by 1`,
    );
    return rows;
  };
  const idOf = async (oid: string, mrn: string) => {
    const [r] = await query<{ id: number }>(db(), sql`select s.id::int as id from source_records s join authorities a on a.id = s.authority_id where a.oid = ${oid} and s.identifier = ${mrn}`);
    return r!.id;
  };

  beforeAll(async () => {
    t = await startTestService(backend, {
      authorities: [
        { namespace: 'HOSPA', oid: OID_A, name: 'Hospital A', trustRank: 10 },
        { namespace: 'CLINIC', oid: OID_B, name: 'Clinic', trustRank: 5 },
      ],
    });
  });
  afterAll(async () => t?.stop());

  it('finds nothing to change after the service wrote the keys itself', async () => {
    await send({ pid3: `RK1^^^HOSPA&${OID_A}&ISO^MR`, name: 'ABERNATHY^CORDELIA^^^^^L', dob: '19610214', sex: 'F' });
    await send({ pid3: `RK2^^^HOSPA&${OID_A}&ISO^MR`, name: 'ZEMBRZUSKI^TEODOR^^^^^L', dob: '19490930', sex: 'M' });
    await send({ pid3: `RK3^^^HOSPA&${OID_A}&ISO^MR`, name: 'QUARTERMAINE^ISOLDE^^^^^L', dob: '19880511', sex: 'F' });
    await send({ event: 'A40', pid3: `RK3^^^HOSPA&${OID_A}&ISO^MR`, mrg1: `RK2^^^HOSPA&${OID_A}&ISO^MR`, name: 'QUARTERMAINE^ISOLDE^^^^^L', dob: '19880511', sex: 'F' });
    // The clinic's identifier in the hospital's PID-3: a cross-reference, linked by assertion and not indexed.
    await send({ pid3: `RK4^^^HOSPA&${OID_A}&ISO^MR~RKX^^^CLINIC&${OID_B}&ISO^MR`, name: 'VANDERHOEK^PHILIPPA^^^^^L', dob: '19720707', sex: 'F' });
    await t.service.worker.idle();
    const before = await keysOf();
    expect(before.length).toBe(4);
    expect(before.map((r) => r.id)).not.toContain(await idOf(OID_B, 'RKX'));
    const result = await rekeyRecords(t.fresh.database, { nicknames, chunk: 2 });
    expect(result).toEqual({ records: 4, rekeyed: 0, keysRemoved: 0, keysAdded: 0 });
    expect(await keysOf()).toEqual(before);
  });

  it('writes again the keys an older version left, with golden record and status, in chunks, and the matcher finds the record by them', async () => {
    const before = await keysOf();
    const [rk1, rk2, rk3] = [await idOf(OID_A, 'RK1'), await idOf(OID_A, 'RK2'), await idOf(OID_A, 'RK3')];
    // An older version's keys: RK1 none at all, RK2 (merged into RK3: its keys inactive) one stale key and one
    // missing, RK3 a stale key beside its own.
    await t.fresh.database.db.execute(sql`delete from blocking_keys where source_record_id = ${rk1}`);
    const rk2Keys = before.find((r) => r.id === rk2)!.keys;
    await t.fresh.database.db.execute(sql`delete from blocking_keys where source_record_id = ${rk2} and key = ${rk2Keys[0]!}`);
    await t.fresh.database.db.execute(sql`insert into blocking_keys (key, source_record_id, golden_id, active) values ('old:ZMBRZSK', ${rk2}, null, false), ('old:QRTRMN', ${rk3}, null, true)`);
    const progress: number[] = [];
    const result = await rekeyRecords(t.fresh.database, { nicknames, chunk: 2, onChunk: (d) => progress.push(d.records) });
    expect(result).toEqual({ records: 4, rekeyed: 3, keysRemoved: 2, keysAdded: before.find((r) => r.id === rk1)!.keys.length + 1 });
    // RK1 and RK2, RK3 and RK4, then the clinic's cross-reference alone, which is not read.
    expect(progress).toEqual([2, 4, 4]);
    expect(await keysOf()).toEqual(before);
    expect(before.find((r) => r.id === rk2)!.active).toEqual([false]);

    // The clinic's record of CORDELIA is placed through the keys RK1 now has again.
    await send({ app: 'CLINICAPP', pid3: `RK9^^^CLINIC&${OID_B}&ISO^MR`, name: 'ABERNATHY^CORDELIA^^^^^L', dob: '19610214', sex: 'F' });
    await t.service.worker.idle();
    const [g] = await query<{ same: boolean }>(
      db(),
      sql`select (select golden_id from source_records where id = ${rk1}) = (select golden_id from source_records where id = ${await idOf(OID_B, 'RK9')}) as same`,
    );
    expect(g!.same).toBe(true);
    const [audit] = await query<{ n: number }>(db(), sql`select count(*)::int as n from audit_log where action = 'blocking-keys.rebuilt'`);
    expect(audit!.n).toBe(2);
  });
});
