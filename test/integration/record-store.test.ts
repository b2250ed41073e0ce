import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demographics } from '../../src/ingest/demographics.js';
import { BatchStore, DemographicsCache, IdPool, SqlStore, type MemberRow, type RecordStore, type SourceRecordRow, type Survive } from '../../src/linkage/store.js';
import { survivorship } from '../../src/linkage/survivorship.js';
import { query, type Tx } from '../../src/storage/db.js';
import { backends, createTestDatabase, hospitalAndLab, inRolledBackTx, type FreshDatabase } from '../helpers/db.js';

function demo(family: string, given: string, extra: Partial<Demographics> = {}): Demographics {
  return { v: 1, names: [{ family, given }], addresses: [], phones: [], ...extra };
}

/** Survivorship: every field from the most recent member. */
const survive: Survive = survivorship({ default: 'recent', fields: {} }, () => 0);

/** Normalised answers, so that two stores can be compared whatever order their rows come in. */
const norm = {
  candidates: (c: { records: Array<{ id: number; goldenId: string | null }>; skippedKeys: string[] }) => ({
    records: [...c.records].sort((a, b) => a.id - b.id),
    skippedKeys: [...c.skippedKeys].sort(),
  }),
  members: (ms: MemberRow[]) =>
    [...ms]
      .sort((a, b) => a.id - b.id)
      .map((m) => ({ id: m.id, authorityId: m.authorityId, goldenId: m.goldenId, status: m.status, demographics: m.demographics, lastMessageId: m.lastMessageId, linkKind: m.linkKind })),
  counts: (m: Map<string, number>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b))),
};

describe.each(backends)('record stores on $name', (backend) => {
  let fresh: FreshDatabase;
  let authorityId: number;
  let otherAuthorityId: number;
  let message = 1000;
  const nextMessage = () => ++message;

  beforeAll(async () => {
    fresh = await createTestDatabase(backend);
    ({ hosp: authorityId, lab: otherAuthorityId } = await hospitalAndLab(fresh.database));
  });
  afterAll(async () => {
    await fresh?.drop();
  });

  const inTx = (fn: (tx: Tx) => Promise<void>) => inRolledBackTx(fresh.database, fn);

  async function record(store: RecordStore, tx: Tx, identifier: string, d: Demographics, opts: { status?: 'active' | 'merged'; authority?: number } = {}) {
    return store.insert(tx, {
      authorityId: opts.authority ?? authorityId,
      identifier,
      sender: 'TEST',
      demographics: d,
      status: opts.status ?? 'active',
      messageId: nextMessage(),
    });
  }

  /** An existing population written through a SqlStore. */
  async function population(tx: Tx) {
    const s = new SqlStore(survive);
    const e1 = await record(s, tx, 'E1', demo('SMITH', 'JOHN', { birthDate: '1980-03-04', birthDatePrecision: 'day' }));
    const e2 = await record(s, tx, 'E2', demo('SMITH', 'JON'), { authority: otherAuthorityId });
    const e3 = await record(s, tx, 'E3', demo('JONES', 'MARY'));
    const e4 = await record(s, tx, 'E4', demo('BROWN', 'ALAN'));
    const e5 = await record(s, tx, 'E5', demo('SMITH', 'JOHN'), { status: 'merged' });
    const g1 = await s.createGolden(tx, demo('SMITH', 'JOHN'), e1.id);
    await s.link(tx, e1, g1, 'new', {}, nextMessage());
    await s.link(tx, e2, g1, 'auto', { score: 0.999, modelVersion: 1 }, nextMessage());
    const g2 = await s.createGolden(tx, demo('JONES', 'MARY'), e3.id);
    await s.link(tx, e3, g2, 'new', {}, nextMessage());
    const g3 = await s.createGolden(tx, demo('BROWN', 'ALAN'), e4.id);
    await s.link(tx, e4, g3, 'new', {}, nextMessage());
    await s.setBlockingKeys(tx, e1.id, ['k:a', 'k:b', 'tff:SMITH']);
    await s.setBlockingKeys(tx, e2.id, ['k:a', 'tff:SMITH']);
    await s.setBlockingKeys(tx, e3.id, ['k:b', 'k:c', 'tff:JONES']);
    await s.setBlockingKeys(tx, e4.id, ['k:c', 'k:d', 'tff:BROWN']);
    // The merged record keeps keys of its own only: a merged holder of a shared key tripped the bug covered
    // below ('merged records holding a key do not hide…'), which would make SqlStore's answers wrong here.
    await s.setBlockingKeys(tx, e5.id, ['k:g', 'tff:SMITH']);
    for (const g of [g1, g2, g3]) await s.touchGolden(tx, g);
    return { sqlStore: s, e1, e2, e3, e4, e5, g1, g2, g3 };
  }

  /** Two new records in a unit of work: N1 starting a golden record of its own (gN), N2 joining g1; keyed. */
  async function newcomers(batch: BatchStore, tx: Tx, g1: string) {
    const n1 = await record(batch, tx, 'N1', demo('NEWMAN', 'ADA'));
    const gN = await batch.createGolden(tx, demo('NEWMAN', 'ADA'), n1.id);
    await batch.link(tx, n1, gN, 'new', {}, nextMessage());
    await batch.setBlockingKeys(tx, n1.id, ['k:a', 'k:e', 'tff:NEWMAN']);
    const n2 = await record(batch, tx, 'N2', demo('SMITH', 'JOHNNY'));
    await batch.link(tx, n2, g1, 'auto', { score: 0.998, modelVersion: 1 }, nextMessage());
    await batch.setBlockingKeys(tx, n2.id, ['k:b', 'k:e', 'tff:SMITH']);
    return { n1, gN, n2 };
  }

  const KEY_QUERIES = [['k:a'], ['k:b'], ['k:c'], ['k:d'], ['k:e'], ['k:f'], ['k:g'], ['k:zzz'], ['k:a', 'k:b', 'k:c', 'k:d', 'k:e', 'k:f', 'k:g', 'k:zzz']];
  const CAPS = [1, 2, 3, 100];
  const COUNT_KEYS = ['k:a', 'k:b', 'k:c', 'k:d', 'k:e', 'k:f', 'k:g', 'tff:SMITH', 'tff:JONES', 'tff:BROWN', 'tff:SMYTHE', 'tff:NEWMAN'];

  async function answers(store: RecordStore, tx: Tx, goldenQueries: string[][], idQueries: number[][]) {
    const candidates: unknown[] = [];
    for (const keys of KEY_QUERIES) for (const cap of CAPS) candidates.push({ keys, cap, ...norm.candidates(await store.candidates(tx, keys, cap)) });
    const members: unknown[] = [];
    for (const g of goldenQueries) for (const ids of idQueries) members.push({ g, ids, rows: norm.members(await store.members(tx, g, ids)) });
    return { candidates, members };
  }

  it('a BatchStore answers candidates and members before its flush as a SqlStore does after it', async () => {
    await inTx(async (tx) => {
      const { sqlStore, e1, e2, e3, e4, e5, g1, g2, g3 } = await population(tx);
      const batch = new BatchStore(survive);
      await batch.prefetch(tx, ['k:a', 'k:b', 'k:c'], ['tff:SMITH', 'tff:JONES'], 100);

      // New records: one starting a golden record of its own, one joining g1, one merged on arrival.
      const { n1, gN, n2 } = await newcomers(batch, tx, g1);
      const n3 = await record(batch, tx, 'N3', demo('SMITH', 'JOHN'), { status: 'merged' });
      await batch.setBlockingKeys(tx, n3.id, ['k:g']);

      // An existing record moves from g2 into the new golden record, as the matcher does it (loaded first).
      const loaded = await batch.load(tx, [{ authorityId, identifier: 'E3' }]);
      const r3 = [...loaded.values()][0]!;
      expect(r3.id).toBe(e3.id);
      await batch.unlink(tx, r3, 'moved');
      await batch.link(tx, r3, gN, 'auto', { score: 0.997, modelVersion: 1 }, nextMessage());

      // An existing record's demographics and keys change (A08): it leaves k:a, joins k:c and k:f.
      const r2 = (await batch.byId(tx, e2.id))!;
      await batch.updateDemographics(tx, r2, demo('SMYTHE', 'JON'), 'TEST', nextMessage());
      await batch.setBlockingKeys(tx, e2.id, ['k:c', 'k:f']);

      for (const g of [g1, g2, gN]) await batch.touchGolden(tx, g);

      const goldenQueries = [[g1], [g2], [g3], [gN], [g1, g2, g3, gN], []];
      const idQueries = [[], [e4.id], [e5.id, n3.id], [e1.id, e3.id, n1.id]];
      const before = await answers(batch, tx, goldenQueries, idQueries);

      await batch.flush(tx);
      const truth = await answers(sqlStore, tx, goldenQueries, idQueries);
      expect(before.candidates).toEqual(truth.candidates);
      expect(before.members).toEqual(truth.members);

      // The store stays usable after its flush, and still agrees.
      expect(await answers(batch, tx, goldenQueries, idQueries)).toEqual(truth);

      // Sanity of the truth itself, so that two equally wrong answers do not pass.
      const all = norm.candidates(await sqlStore.candidates(tx, ['k:a', 'k:b', 'k:c', 'k:d', 'k:e', 'k:f'], 100));
      expect(all.records.map((r) => r.id)).toEqual([e1.id, e2.id, e3.id, e4.id, n1.id, n2.id].sort((a, b) => a - b));
      expect(all.records.find((r) => r.id === e3.id)!.goldenId).toBe(gN);
      expect(norm.members(await sqlStore.members(tx, [g1])).map((m) => m.id)).toEqual([e1.id, e2.id, n2.id].sort((a, b) => a - b));
      expect(await sqlStore.members(tx, [g2])).toEqual([]);
      const ka = norm.candidates(await sqlStore.candidates(tx, ['k:a'], 100));
      expect(ka.records.map((r) => r.id)).toEqual([e1.id, n1.id].sort((a, b) => a - b));
      expect(norm.candidates(await sqlStore.candidates(tx, ['k:a'], 1)).skippedKeys).toEqual(['k:a']);
    });
  });

  it("a BatchStore carried past its flush (the worker's next batch) answers as the database does, its cached blocks and counts kept in step", async () => {
    await inTx(async (tx) => {
      const { sqlStore, e1, e2, e3, e4, e5, g1, g2, g3 } = await population(tx);
      const ALL_KEYS = ['k:a', 'k:b', 'k:c', 'k:d', 'k:e', 'k:f', 'k:g', 'k:zzz'];
      const batch = new BatchStore(survive);
      const same = async (goldenQueries: string[][], idQueries: number[][]) => {
        expect(await answers(batch, tx, goldenQueries, idQueries)).toEqual(await answers(sqlStore, tx, goldenQueries, idQueries));
        expect(norm.counts(await batch.keyCounts(tx, COUNT_KEYS))).toEqual(norm.counts(await sqlStore.keyCounts(tx, COUNT_KEYS)));
      };
      // As the worker reads ahead: the records its messages name first, then their blocks, counts and members.
      await batch.load(tx, [{ authorityId: otherAuthorityId, identifier: 'E2' }, { authorityId, identifier: 'E3' }]);
      await batch.prefetch(tx, ALL_KEYS, COUNT_KEYS, 100);

      // Unit 1: a new record with a golden record of its own, one joining g1, an existing record moving to the
      // new golden record without new keys, and an A08 re-keying an existing record whose stored keys were read.
      const { n1, gN, n2 } = await newcomers(batch, tx, g1);
      const r3 = (await batch.byId(tx, e3.id))!;
      await batch.unlink(tx, r3, 'moved');
      await batch.link(tx, r3, gN, 'auto', { score: 0.997, modelVersion: 1 }, nextMessage());
      const r2 = (await batch.byId(tx, e2.id))!;
      await batch.updateDemographics(tx, r2, demo('SMYTHE', 'JON'), 'TEST', nextMessage());
      await batch.setBlockingKeys(tx, e2.id, ['k:c', 'k:f', 'tff:SMYTHE']);
      for (const g of [g1, g2, gN]) await batch.touchGolden(tx, g);
      await batch.flush(tx);
      const goldens = [[g1], [g2], [g3], [gN], [g1, g2, g3, gN]];
      const ids = [[], [e4.id], [e5.id], [e1.id, e3.id, n1.id]];
      await same(goldens, ids);

      // Unit 2, on the same store: it reads ahead again (only what it lacks), re-keys another record, moves one
      // and adds one to blocks already cached.
      await batch.load(tx, [{ authorityId, identifier: 'E1' }, { authorityId, identifier: 'E4' }]);
      await batch.prefetch(tx, ALL_KEYS, COUNT_KEYS, 100);
      const r1 = (await batch.byId(tx, e1.id))!;
      await batch.setBlockingKeys(tx, e1.id, ['k:b', 'k:d', 'tff:SMITH']);
      await batch.updateDemographics(tx, r1, demo('SMITH', 'JOHN', { birthDate: '1980-04-03', birthDatePrecision: 'day' }), 'TEST', nextMessage());
      const r4 = (await batch.byId(tx, e4.id))!;
      await batch.unlink(tx, r4, 'moved');
      await batch.link(tx, r4, g1, 'auto', { score: 0.996, modelVersion: 1 }, nextMessage());
      const n4 = await record(batch, tx, 'N4', demo('NEWMAN', 'ADAM'));
      await batch.link(tx, n4, gN, 'auto', { score: 0.999, modelVersion: 1 }, nextMessage());
      await batch.setBlockingKeys(tx, n4.id, ['k:a', 'k:c', 'tff:NEWMAN']);
      for (const g of [g1, g3, gN]) await batch.touchGolden(tx, g);
      await batch.flush(tx);
      await same(goldens, [...ids, [n4.id]]);

      // The truth is not trivially empty: the blocks hold what the two units left.
      const all = norm.candidates(await sqlStore.candidates(tx, ALL_KEYS, 100));
      expect(all.records.map((r) => `${r.id}:${r.goldenId}`).sort()).toEqual(
        [`${e1.id}:${g1}`, `${e2.id}:${g1}`, `${e3.id}:${gN}`, `${e4.id}:${g1}`, `${n1.id}:${gN}`, `${n2.id}:${g1}`, `${n4.id}:${gN}`].sort(),
      );
      expect(norm.counts(await sqlStore.keyCounts(tx, ['k:a', 'tff:NEWMAN']))).toEqual({ 'k:a': 2, 'tff:NEWMAN': 2 });
    });
  });

  it("a BatchStore knows which records have open questions as the database does, before and after its flush and into the next batch", async () => {
    await inTx(async (tx) => {
      const { sqlStore, e1, e2, e3, e4, g1, g2, g3 } = await population(tx);
      const item = (sourceRecordId: number, candidateGoldenId: string, reasons: string[]) => ({
        sourceRecordId, candidateGoldenId, candidateRecordId: e1.id, probability: 0.9, weight: 5, modelVersion: 1, reasons, explanation: {}, messageId: nextMessage(),
      });
      // On file: E3 is asked a question; E4 only one beside its link, which is no question of its own data.
      await sqlStore.openReview(tx, item(e3.id, g1, ['between-thresholds']));
      await sqlStore.openReview(tx, item(e4.id, g1, ['linked-elsewhere']));
      const truth = async () => Promise.all([e1, e2, e3, e4].map((r) => sqlStore.asksQuestions(tx, r.id)));
      expect(await truth()).toEqual([false, false, true, false]);

      const batch = new BatchStore(survive);
      await batch.load(tx, [e1, e2, e3, e4].map((r) => ({ authorityId: r.authorityId, identifier: r.identifier })));
      const asked = () => Promise.all([e1, e2, e3, e4].map((r) => batch.asksQuestions(tx, r.id)));
      expect(await asked()).toEqual(await truth());
      // In the unit of work: E1 is asked one, E3's is closed (its data changed), E2 asked one beside its link only.
      await batch.openReview(tx, item(e1.id, g2, ['household', 'household-given-name']));
      await batch.supersedeReviews(tx, e3.id, true);
      await batch.openReview(tx, item(e2.id, g3, ['linked-elsewhere']));
      expect(await asked()).toEqual([true, false, false, false]);
      // A new record has none until it is asked one.
      const n = await record(batch, tx, 'NQ', demo('NEWMAN', 'ADA'));
      expect(await batch.asksQuestions(tx, n.id)).toBe(false);
      await batch.openReview(tx, item(n.id, g3, ['same-authority']));
      expect(await batch.asksQuestions(tx, n.id)).toBe(true);
      await batch.flush(tx);
      const after = [...(await truth()), await sqlStore.asksQuestions(tx, n.id)];
      expect(after).toEqual([true, false, false, false, true]);
      expect([...(await asked()), await batch.asksQuestions(tx, n.id)]).toEqual(after);
      // The next batch, carried: E1's question closed, E3 asked again.
      await batch.supersedeReviews(tx, e1.id);
      await batch.openReview(tx, item(e3.id, g2, ['possible-twin']));
      await batch.flush(tx);
      expect(await truth()).toEqual([false, false, true, false]);
      expect(await asked()).toEqual(await truth());
    });
  });

  it('a cached block read at the cap is read again once a flush changes it, so a block grown past the cap is skipped', async () => {
    await inTx(async (tx) => {
      const { sqlStore, g1 } = await population(tx);
      const batch = new BatchStore(survive);
      // k:b holds E1 and E3: at a cap of 2 the cached block is complete, and one more record takes it past.
      await batch.prefetch(tx, ['k:b'], [], 2);
      const n = await record(batch, tx, 'N9', demo('SMITH', 'JO'));
      await batch.link(tx, n, g1, 'auto', { score: 0.999, modelVersion: 1 }, nextMessage());
      await batch.setBlockingKeys(tx, n.id, ['k:b']);
      await batch.flush(tx);
      await batch.prefetch(tx, ['k:b'], [], 2);
      const truth = norm.candidates(await sqlStore.candidates(tx, ['k:b'], 2));
      expect(truth.skippedKeys).toEqual(['k:b']);
      expect(norm.candidates(await batch.candidates(tx, ['k:b'], 2))).toEqual(truth);
      // A block read past the cap holds cap + 1 of its records (the lowest ids): one of them leaving it must not
      // make it look complete. k:b now holds E1, E3, N9, N10 and N11; at a cap of 3, N10 is among those read.
      const n2 = await record(batch, tx, 'N10', demo('SMITH', 'JOE'));
      const n3 = await record(batch, tx, 'N11', demo('SMITH', 'JOEY'));
      for (const r of [n2, n3]) {
        await batch.link(tx, r, g1, 'auto', { score: 0.999, modelVersion: 1 }, nextMessage());
        await batch.setBlockingKeys(tx, r.id, ['k:b']);
      }
      await batch.flush(tx);
      const next = new BatchStore(survive);
      await next.load(tx, [{ authorityId, identifier: 'N10' }]);
      await next.prefetch(tx, ['k:b'], [], 3);
      await next.setBlockingKeys(tx, n2.id, ['k:x']);
      await next.flush(tx);
      const still = norm.candidates(await sqlStore.candidates(tx, ['k:b'], 3));
      expect(still.skippedKeys).toEqual(['k:b']); // E1, E3, N9 and N11 are still four
      expect(norm.candidates(await next.candidates(tx, ['k:b'], 3))).toEqual(still);
      expect(norm.candidates(await next.candidates(tx, ['k:b'], 100))).toEqual(norm.candidates(await sqlStore.candidates(tx, ['k:b'], 100)));
    });
  });

  it('a read asked while a prefetch is on its way answers as the database does, not from a half-filled cache', async () => {
    await inTx(async (tx) => {
      const { sqlStore, g1, g2, g3 } = await population(tx);
      const batch = new BatchStore(survive);
      const keys = ['k:a', 'k:b', 'k:c', 'k:d'];
      const truth = { candidates: norm.candidates(await sqlStore.candidates(tx, keys, 100)), members: norm.members(await sqlStore.members(tx, [g1, g2, g3])), counts: norm.counts(await sqlStore.keyCounts(tx, ['tff:SMITH', 'k:a'])) };
      expect(truth.candidates.records.length).toBe(4);
      const prefetch = batch.prefetch(tx, keys, ['tff:SMITH', 'k:a'], 100);
      // Sent before the prefetch has answered: no half-filled cache may answer for it.
      const during = await Promise.all([batch.candidates(tx, keys, 100), batch.members(tx, [g1, g2, g3]), batch.keyCounts(tx, ['tff:SMITH', 'k:a'])]);
      await prefetch;
      expect({ candidates: norm.candidates(during[0]), members: norm.members(during[1]), counts: norm.counts(during[2]) }).toEqual(truth);
      // And once it has answered, from its cache.
      expect(norm.candidates(await batch.candidates(tx, keys, 100))).toEqual(truth.candidates);
      expect(norm.members(await batch.members(tx, [g1, g2, g3]))).toEqual(truth.members);
    });
  });

  it('candidates and members without any prefetch agree too', async () => {
    await inTx(async (tx) => {
      const { sqlStore, e1, e3, g1, g2 } = await population(tx);
      const batch = new BatchStore(survive);
      const n1 = await record(batch, tx, 'N1', demo('SMITH', 'JOHN'));
      await batch.link(tx, n1, g2, 'auto', {}, nextMessage());
      await batch.setBlockingKeys(tx, n1.id, ['k:a', 'k:d']);
      const r1 = (await batch.byId(tx, e1.id))!;
      await batch.unlink(tx, r1, 'moved');
      await batch.link(tx, r1, g2, 'auto', {}, nextMessage());
      const goldenQueries = [[g1], [g2], [g1, g2]];
      const idQueries = [[], [e3.id]];
      const before = await answers(batch, tx, goldenQueries, idQueries);
      await batch.flush(tx);
      expect(before).toEqual(await answers(sqlStore, tx, goldenQueries, idQueries));
    });
  });

  it('keyCounts: new records count before the flush as after it', async () => {
    await inTx(async (tx) => {
      const { sqlStore } = await population(tx);
      const batch = new BatchStore(survive);
      await batch.prefetch(tx, ['k:a'], ['tff:SMITH', 'tff:JONES'], 100);
      const n1 = await record(batch, tx, 'N1', demo('NEWMAN', 'ADA'));
      await batch.setBlockingKeys(tx, n1.id, ['k:a', 'k:e', 'tff:NEWMAN', 'tff:SMITH']);
      const n2 = await record(batch, tx, 'N2', demo('SMITH', 'JOHNNY'));
      await batch.setBlockingKeys(tx, n2.id, ['k:b', 'k:e', 'tff:SMITH']);
      // A record re-keyed twice in the batch counts under its last keys only.
      await batch.setBlockingKeys(tx, n2.id, ['k:b', 'k:e', 'tff:SMITH', 'tff:JONES']);
      const keys = ['k:a', 'k:b', 'k:c', 'k:d', 'k:e', 'tff:SMITH', 'tff:JONES', 'tff:NEWMAN'];
      const before = norm.counts(await batch.keyCounts(tx, keys));
      await batch.flush(tx);
      const truth = norm.counts(await sqlStore.keyCounts(tx, keys));
      expect(before).toEqual(truth);
      // SMITH: e1, e2, e5 (merged keeps its keys) + n1, n2.
      expect(truth['tff:SMITH']).toBe(5);
      expect(truth['k:e']).toBe(2);
      expect(norm.counts(await batch.keyCounts(tx, keys))).toEqual(truth);
    });
  });

  // Regression (was: BatchStore.keyCounts adds the records inserted in the batch but not the existing records whose
  // keys the batch replaced: an A08 that changes a family name leaves the old name's count one too high and the
  // new name's one too low until the flush (and a prefetched key never held before answers 0 where SqlStore
  // answers nothing).
  it("keyCounts: an existing record's changed keys count before the flush as after it", async () => {
    await inTx(async (tx) => {
      const { sqlStore, e2 } = await population(tx);
      const batch = new BatchStore(survive);
      await batch.prefetch(tx, [], COUNT_KEYS, 100);
      const r2 = (await batch.byId(tx, e2.id))!;
      await batch.updateDemographics(tx, r2, demo('SMYTHE', 'JON'), 'TEST', nextMessage());
      await batch.setBlockingKeys(tx, e2.id, ['k:c', 'k:f', 'tff:SMYTHE']);
      const held = ['k:a', 'k:c', 'k:f', 'tff:SMITH', 'tff:SMYTHE'];
      const before = norm.counts(await batch.keyCounts(tx, held));
      await batch.flush(tx);
      const truth = norm.counts(await sqlStore.keyCounts(tx, held));
      expect(truth['tff:SMITH']).toBe(2);
      expect(truth['tff:SMYTHE']).toBe(1);
      expect(before).toEqual(truth);
    });
  });

  // Regression (was: a prefetched count key that no record holds answers 0 from a BatchStore and nothing from a
  // SqlStore; the matcher reads 0 as a value seen 0 times (a term-frequency adjustment), nothing as unknown.
  it('keyCounts: a key nobody holds answers the same from both stores', async () => {
    await inTx(async (tx) => {
      const { sqlStore } = await population(tx);
      const batch = new BatchStore(survive);
      await batch.prefetch(tx, [], ['tff:NOBODY', 'tff:SMITH'], 100);
      const before = norm.counts(await batch.keyCounts(tx, ['tff:NOBODY', 'tff:SMITH']));
      await batch.flush(tx);
      expect(before).toEqual(norm.counts(await sqlStore.keyCounts(tx, ['tff:NOBODY', 'tff:SMITH'])));
    });
  });

  it('blocks larger than the cap are skipped and reported, before and after the flush', async () => {
    await inTx(async (tx) => {
      const s = new SqlStore(survive);
      const big: SourceRecordRow[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await record(s, tx, `B${i}`, demo('BIG', `P${i}`));
        await s.setBlockingKeys(tx, r.id, ['k:big', `k:own${i}`]);
        big.push(r);
      }
      const small = await record(s, tx, 'S0', demo('SMALL', 'Q'));
      await s.setBlockingKeys(tx, small.id, ['k:small']);

      const sq = norm.candidates(await s.candidates(tx, ['k:big', 'k:small', 'k:own0'], 3));
      expect(sq.skippedKeys).toEqual(['k:big']);
      expect(sq.records.map((r) => r.id)).toEqual([big[0]!.id, small.id].sort((a, b) => a - b));
      expect(norm.candidates(await s.candidates(tx, ['k:big'], 4)).records).toHaveLength(4);

      // In a batch: one more record makes k:big exceed a cap of 4; one record leaving k:small's neighbour.
      const batch = new BatchStore(survive);
      await batch.prefetch(tx, ['k:big'], [], 4);
      const n = await record(batch, tx, 'B4', demo('BIG', 'P4'));
      await batch.setBlockingKeys(tx, n.id, ['k:big', 'k:small']);
      const before = norm.candidates(await batch.candidates(tx, ['k:big', 'k:small'], 4));
      expect(before.skippedKeys).toEqual(['k:big']);
      expect(before.records.map((r) => r.id)).toEqual([small.id, n.id].sort((a, b) => a - b));
      // An existing member leaving the block brings it back under the cap.
      await batch.setBlockingKeys(tx, big[1]!.id, ['k:own1']);
      const after = norm.candidates(await batch.candidates(tx, ['k:big'], 4));
      await batch.flush(tx);
      expect(after).toEqual(norm.candidates(await s.candidates(tx, ['k:big'], 4)));
      expect(after.skippedKeys).toEqual([]);
      expect(after.records).toHaveLength(4);
      const batch2 = new BatchStore(survive);
      const n2 = await record(batch2, tx, 'B5', demo('BIG', 'P5'));
      await batch2.setBlockingKeys(tx, n2.id, ['k:big']);
      const again = norm.candidates(await batch2.candidates(tx, ['k:big', 'k:small'], 4));
      expect(again.skippedKeys).toEqual(['k:big']);
      await batch2.flush(tx);
      expect(norm.candidates(await s.candidates(tx, ['k:big', 'k:small'], 4))).toEqual(again);
    });
  });

  // Regression (was: BatchStore.candidates() takes the database's sample of cap + 1 holders of a key and removes from it
  // the records the batch re-keyed; when one of them leaves a block of cap + 2, the sample falls to cap and the
  // block, still too large once written, is answered as a partial block (cap of its cap + 1 records) instead of
  // being skipped. (Relies on the sample being the lowest ids, as the (key, source_record_id) primary key
  // index returns them on both backends; the record leaving is the lowest.)
  it('a record leaving a block that stays too large leaves it skipped', async () => {
    await inTx(async (tx) => {
      const s = new SqlStore(survive);
      const ids: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await record(s, tx, `C${i}`, demo('CROWD', `P${i}`));
        await s.setBlockingKeys(tx, r.id, ['k:crowd']);
        ids.push(r.id);
      }
      const batch = new BatchStore(survive);
      const r0 = (await batch.byId(tx, ids[0]!))!;
      await batch.setBlockingKeys(tx, r0.id, ['k:elsewhere']);
      const before = norm.candidates(await batch.candidates(tx, ['k:crowd'], 2));
      await batch.flush(tx);
      const truth = norm.candidates(await s.candidates(tx, ['k:crowd'], 2));
      expect(truth).toEqual({ records: [], skippedKeys: ['k:crowd'] });
      expect(before).toEqual(truth);
    });
  });

  // Regression (was: candidates() reads at most cap + 1 blocking-key rows per key *before* keeping the active records,
  // so merged records (which keep their keys) fill the sample: with cap 2 and a key held by two merged records
  // and two active ones, the answer is one of the active records, neither both nor a skipped key. (Both stores:
  // selectKeyHits in src/linkage/store.ts.)
  it("a key's copy of its record's golden record and status follows every change to the record (migration 0004's trigger)", async () => {
    await inTx(async (tx) => {
      const { sqlStore: s, e1, e2, e3, g1, g2 } = await population(tx);
      const hits = async (key: string) => norm.candidates(await s.candidates(tx, [key], 100)).records;
      // Nothing but the copy is read: it must agree with source_records for every key, whatever happened.
      const drift = async () =>
        (await query<{ n: number }>(tx, sql`select count(*)::int as n from blocking_keys b join source_records s on s.id = b.source_record_id
          where b.golden_id is distinct from s.golden_id or b.active <> (s.status = 'active')`))[0]!.n;
      expect(await hits('k:a')).toEqual([{ id: e1.id, goldenId: g1 }, { id: e2.id, goldenId: g1 }]);
      // Linked elsewhere (a steward's unlink and link, or the matcher's relink).
      await s.unlink(tx, e2, 'test');
      expect(await hits('k:a')).toEqual([{ id: e1.id, goldenId: g1 }, { id: e2.id, goldenId: null }]);
      await s.link(tx, e2, g2, 'steward', {}, nextMessage());
      expect(await hits('k:a')).toEqual([{ id: e1.id, goldenId: g1 }, { id: e2.id, goldenId: g2 }]);
      // Retired by an A40, and reactivated by a later one: its keys leave the blocks and come back.
      await tx.execute(sql`update source_records set status = 'merged', merged_into_id = ${e2.id} where id = ${e1.id}`);
      expect(await hits('k:a')).toEqual([{ id: e2.id, goldenId: g2 }]);
      expect(await hits('k:b')).toEqual([{ id: e3.id, goldenId: g2 }]);
      await tx.execute(sql`update source_records set status = 'active', merged_into_id = null where id = ${e1.id}`);
      expect(await hits('k:b')).toEqual([{ id: e1.id, goldenId: g1 }, { id: e3.id, goldenId: g2 }]);
      // A golden record merged into another moves all its records at once.
      await tx.execute(sql`update source_records set golden_id = ${g2} where golden_id = ${g1}`);
      expect(await hits('k:a')).toEqual([{ id: e1.id, goldenId: g2 }, { id: e2.id, goldenId: g2 }]);
      // Keys written for a record after it changed take its state as it then stands.
      await s.setBlockingKeys(tx, e1.id, ['k:a', 'k:new']);
      expect(await hits('k:new')).toEqual([{ id: e1.id, goldenId: g2 }]);
      expect(await drift()).toBe(0);
    });
  });

  it('merged records holding a key do not hide the active records that hold it', async () => {
    await inTx(async (tx) => {
      const s = new SqlStore(survive);
      const ids: number[] = [];
      for (const [i, status] of (['merged', 'merged', 'active', 'active'] as const).entries()) {
        const r = await record(s, tx, `M${i}`, demo('DUP', `P${i}`), { status });
        await s.setBlockingKeys(tx, r.id, ['k:dup']);
        ids.push(r.id);
      }
      const active = ids.slice(2);
      for (const store of [s, new BatchStore(survive)]) {
        const c = norm.candidates(await store.candidates(tx, ['k:dup'], 2));
        // Either the block counts every holder (skipped) or only the active ones (both returned); never a part.
        expect(c.skippedKeys.length === 1 ? c.records : c.records.map((r) => r.id)).toEqual(c.skippedKeys.length === 1 ? [] : active);
      }
    });
  });

  it('merged records are never candidates, in a batch or on file', async () => {
    await inTx(async (tx) => {
      const s = new SqlStore(survive);
      const merged = await record(s, tx, 'M1', demo('MERGED', 'X'), { status: 'merged' });
      await s.setBlockingKeys(tx, merged.id, ['k:m']);
      const active = await record(s, tx, 'A1', demo('MERGED', 'X'));
      await s.setBlockingKeys(tx, active.id, ['k:m']);
      expect(norm.candidates(await s.candidates(tx, ['k:m'], 10)).records.map((r) => r.id)).toEqual([active.id]);

      const batch = new BatchStore(survive);
      await batch.prefetch(tx, ['k:m'], [], 10);
      const newMerged = await record(batch, tx, 'M2', demo('MERGED', 'X'), { status: 'merged', authority: otherAuthorityId });
      await batch.setBlockingKeys(tx, newMerged.id, ['k:m', 'k:n']);
      const newActive = await record(batch, tx, 'A2', demo('MERGED', 'X'));
      await batch.setBlockingKeys(tx, newActive.id, ['k:n']);
      const before = norm.candidates(await batch.candidates(tx, ['k:m', 'k:n'], 10));
      expect(before.records.map((r) => r.id)).toEqual([active.id, newActive.id].sort((a, b) => a - b));
      // Nor members, asked by id.
      expect(await batch.members(tx, [], [newMerged.id, merged.id])).toEqual([]);
      await batch.flush(tx);
      expect(norm.candidates(await s.candidates(tx, ['k:m', 'k:n'], 10))).toEqual(before);
      expect(await s.members(tx, [], [newMerged.id, merged.id])).toEqual([]);
    });
  });

  // Regression (was: a record whose keys a BatchStore sets without having read the record itself (load / byId) is a
  // candidate with golden record null, and is a candidate even when merged: candidates() takes both from the
  // rows cache, which only load / byId / insert fill. The matcher always loads first; the contract does not say so.
  it('flush leaves exactly the keys last set, whether the stored ones were read first, never read, or there were none', async () => {
    await inTx(async (tx) => {
      const { e1, e3, e4 } = await population(tx);
      const batch = new BatchStore(survive);
      // e1 and e3 loaded before the read-ahead (their stored keys are read); e4 never loaded.
      await batch.load(tx, [
        { authorityId, identifier: 'E1' },
        { authorityId, identifier: 'E3' },
      ]);
      await batch.prefetch(tx, ['k:a'], [], 100);
      await batch.setBlockingKeys(tx, e1.id, ['k:a', 'k:new', 'tff:SMITH', 'k:new']);
      await batch.setBlockingKeys(tx, e3.id, ['k:b']);
      await batch.setBlockingKeys(tx, e3.id, ['k:b', 'k:c', 'k:e']);
      await batch.setBlockingKeys(tx, e4.id, ['k:d', 'k:e']);
      const n = await record(batch, tx, 'N9', demo('NEW', 'PERSON'));
      await batch.setBlockingKeys(tx, n.id, ['k:a', 'k:z']);
      await batch.flush(tx);
      const rows = await query<{ id: number; key: string }>(
        tx,
        sql`select source_record_id::int as id, key from blocking_keys where source_record_id in (${e1.id}, ${e3.id}, ${e4.id}, ${n.id}) order by 1, 2`,
      );
      expect(rows).toEqual([
        ...['k:a', 'k:new', 'tff:SMITH'].map((key) => ({ id: e1.id, key })),
        ...['k:b', 'k:c', 'k:e'].map((key) => ({ id: e3.id, key })),
        ...['k:d', 'k:e'].map((key) => ({ id: e4.id, key })),
        ...['k:a', 'k:z'].map((key) => ({ id: n.id, key })),
      ].sort((a, b) => a.id - b.id || (a.key < b.key ? -1 : 1)));
    });
  });

  it("an existing record re-keyed without being loaded first keeps its golden record among the candidates", async () => {
    await inTx(async (tx) => {
      const { sqlStore, e4, e5, g3 } = await population(tx);
      const batch = new BatchStore(survive);
      await batch.setBlockingKeys(tx, e4.id, ['k:x']);
      await batch.setBlockingKeys(tx, e5.id, ['k:x']);
      const before = norm.candidates(await batch.candidates(tx, ['k:x'], 10));
      await batch.flush(tx);
      const truth = norm.candidates(await sqlStore.candidates(tx, ['k:x'], 10));
      expect(truth.records).toEqual([{ id: e4.id, goldenId: g3 }]);
      expect(before).toEqual(truth);
    });
  });

  it('touchGolden and flush write the survivorship of the members to golden_records', async () => {
    await inTx(async (tx) => {
      const { e1, e2, g1 } = await population(tx);
      const batch = new BatchStore(survive);
      const n = await record(batch, tx, 'N9', demo('SMITH', 'JOHNATHAN', { birthDate: '1980-03-04', birthDatePrecision: 'day', phones: [{ number: '6174826613' }] }));
      await batch.link(tx, n, g1, 'auto', {}, nextMessage());
      // A record created in the batch with a golden record of its own.
      const m = await record(batch, tx, 'N10', demo('SOLO', 'SAM', { sex: 'F' }));
      const gM = await batch.createGolden(tx, demo('SOLO', 'SAM'), m.id);
      await batch.link(tx, m, gM, 'new', {}, nextMessage());
      await batch.touchGolden(tx, g1);
      await batch.touchGolden(tx, gM);
      // Nothing written before the flush.
      const g1Before = await query<{ demographics: Demographics; provenance: Record<string, number> }>(tx, sql`select demographics, provenance from golden_records where id = ${g1}`);
      // As the SqlStore's touchGolden left it: e2 is the most recent member.
      expect(g1Before[0]!.demographics.names).toEqual([{ family: 'SMITH', given: 'JON' }]);
      expect(g1Before[0]!.provenance).toEqual({ names: e2.id, birthDate: e1.id });
      expect(await query(tx, sql`select 1 from golden_records where id = ${gM}`)).toEqual([]);

      await batch.flush(tx);
      const expected = survive(await new SqlStore(survive).members(tx, [g1]));
      // Recent rule: the new member's names, birth date and phones; e1/e2 hold nothing else.
      expect(expected.provenance.names).toBe(n.id);
      const rows = await query<{ id: string; demographics: Demographics; provenance: Record<string, number>; version: number }>(
        tx,
        sql`select id::text as id, demographics, provenance, version from golden_records where id in (${g1}, ${gM}) order by id`,
      );
      const r1 = rows.find((r) => r.id === g1)!;
      expect(r1.demographics).toEqual(expected.demographics);
      expect(r1.provenance).toEqual(expected.provenance);
      expect(r1.demographics.names).toEqual([{ family: 'SMITH', given: 'JOHNATHAN' }]);
      expect(r1.provenance).toMatchObject({ names: n.id, birthDate: n.id, phones: n.id });
      expect([e1.id, e2.id, n.id]).toEqual(expect.arrayContaining(Object.values(r1.provenance)));
      const rM = rows.find((r) => r.id === gM)!;
      expect(rM.demographics).toEqual({ v: 1, names: [{ family: 'SOLO', given: 'SAM' }], addresses: [], phones: [], sex: 'F' });
      expect(rM.provenance).toEqual({ names: m.id, sex: m.id });
    });
  });

  it('SqlStore.touchGolden writes the same survivorship at once', async () => {
    await inTx(async (tx) => {
      const { sqlStore, g1, e2 } = await population(tx);
      const r2 = (await sqlStore.byId(tx, e2.id))!;
      await sqlStore.updateDemographics(tx, r2, demo('SMITH', 'JONATHAN', { sex: 'M' }), 'TEST', nextMessage());
      await sqlStore.touchGolden(tx, g1);
      const [row] = await query<{ demographics: Demographics; provenance: Record<string, number> }>(tx, sql`select demographics, provenance from golden_records where id = ${g1}`);
      expect(row!.demographics.names).toEqual([{ family: 'SMITH', given: 'JONATHAN' }]);
      expect(row!.provenance).toMatchObject({ names: e2.id, sex: e2.id });
    });
  });

  async function reviewRows(tx: Tx, recordId: number) {
    return query<{ status: string; candidateGoldenId: string }>(
      tx,
      sql`select status, candidate_golden_id::text as "candidateGoldenId" from review_items where source_record_id = ${recordId} order by id`,
    );
  }

  const review = (sourceRecordId: number, candidateGoldenId: string, candidateRecordId: number, messageId: number) => ({
    sourceRecordId,
    candidateGoldenId,
    candidateRecordId,
    probability: 0.9,
    weight: 3.2,
    modelVersion: 1,
    reasons: ['between-thresholds'],
    explanation: { prior: -13, contributions: [] },
    messageId,
  });

  it.each(['sql', 'batch'] as const)('openReview twice for the same open pair stores one row (%s)', async (kind) => {
    await inTx(async (tx) => {
      const { e3, e1, g1, g3, e4 } = await population(tx);
      const store: RecordStore = kind === 'sql' ? new SqlStore(survive) : new BatchStore(survive);
      await store.openReview(tx, review(e3.id, g1, e1.id, nextMessage()));
      await store.openReview(tx, { ...review(e3.id, g1, e1.id, nextMessage()), probability: 0.8 });
      await store.openReview(tx, review(e3.id, g3, e4.id, nextMessage()));
      await store.flush(tx);
      // And again in a later unit of work.
      const again: RecordStore = kind === 'sql' ? store : new BatchStore(survive);
      await again.openReview(tx, review(e3.id, g1, e1.id, nextMessage()));
      await again.flush(tx);
      const rows = await reviewRows(tx, e3.id);
      expect(rows.map((r) => r.status)).toEqual(['open', 'open']);
      expect(rows.map((r) => r.candidateGoldenId).sort()).toEqual([g1, g3].sort());
    });
  });

  it.each(['sql', 'batch'] as const)('supersedeReviews closes the open items of the record, and only those (%s)', async (kind) => {
    await inTx(async (tx) => {
      const { e1, e3, e4, g1, g2, g3 } = await population(tx);
      const sqlStore = new SqlStore(survive);
      await sqlStore.openReview(tx, review(e3.id, g1, e1.id, nextMessage()));
      await sqlStore.openReview(tx, review(e3.id, g3, e4.id, nextMessage()));
      await sqlStore.openReview(tx, review(e4.id, g2, e3.id, nextMessage()));
      const store: RecordStore = kind === 'sql' ? sqlStore : new BatchStore(survive);
      await store.supersedeReviews(tx, e3.id);
      // A pair proposed again after the supersede, in the same unit of work, is open again.
      await store.openReview(tx, review(e3.id, g1, e1.id, nextMessage()));
      await store.flush(tx);
      const rows = await reviewRows(tx, e3.id);
      expect(rows.map((r) => `${r.status}:${r.candidateGoldenId}`)).toEqual([`superseded:${g1}`, `superseded:${g3}`, `open:${g1}`]);
      expect((await reviewRows(tx, e4.id)).map((r) => r.status)).toEqual(['open']);
    });
  });

  it.each(['sql', 'batch'] as const)('supersedeReviews keeping what was asked beside the link leaves linked-elsewhere items open, stored or pending (%s)', async (kind) => {
    await inTx(async (tx) => {
      const { e1, e3, e4, g1, g2, g3 } = await population(tx);
      const sqlStore = new SqlStore(survive);
      await sqlStore.openReview(tx, review(e3.id, g1, e1.id, nextMessage()));
      await sqlStore.openReview(tx, { ...review(e3.id, g3, e4.id, nextMessage()), reasons: ['linked-elsewhere'] });
      const store: RecordStore = kind === 'sql' ? sqlStore : new BatchStore(survive);
      // One opened in the unit of work too, for the record e4.
      await store.openReview(tx, { ...review(e4.id, g2, e3.id, nextMessage()), reasons: ['linked-elsewhere'] });
      await store.supersedeReviews(tx, e3.id, true);
      await store.supersedeReviews(tx, e4.id, true);
      await store.flush(tx);
      expect((await reviewRows(tx, e3.id)).map((r) => `${r.status}:${r.candidateGoldenId}`)).toEqual([`superseded:${g1}`, `open:${g3}`]);
      expect((await reviewRows(tx, e4.id)).map((r) => `${r.status}:${r.candidateGoldenId}`)).toEqual([`open:${g2}`]);
      // When the record leaves its golden record they close too; keeping and closing in one unit of work closes.
      const next: RecordStore = kind === 'sql' ? sqlStore : new BatchStore(survive);
      await next.supersedeReviews(tx, e3.id, true);
      await next.supersedeReviews(tx, e3.id);
      await next.flush(tx);
      expect((await reviewRows(tx, e3.id)).map((r) => r.status)).toEqual(['superseded', 'superseded']);
    });
  });

  it.each(['sql', 'batch'] as const)('reviewLinks: golden records asked about together, from either side, held-apart and closed items aside (%s)', async (kind) => {
    await inTx(async (tx) => {
      const { e1, e3, e4, g1, g2, g3 } = await population(tx);
      const sqlStore = new SqlStore(survive);
      // e3 (in g2) may be g1's person: asked from g2's member side and from g1's candidate side.
      await sqlStore.openReview(tx, review(e3.id, g1, e1.id, nextMessage()));
      // Held apart (a different SSN): not a question of one person, so no link.
      await sqlStore.openReview(tx, { ...review(e4.id, g2, e3.id, nextMessage()), reasons: ['ssn-disagrees'] });
      // Closed: no link either.
      await sqlStore.openReview(tx, review(e1.id, g3, e4.id, nextMessage()));
      await sqlStore.supersedeReviews(tx, e1.id);
      const store: RecordStore = kind === 'sql' ? sqlStore : new BatchStore(survive);
      const asMap = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]));
      const together = async (s: RecordStore, ids: string[]) => asMap((await s.reviewLinks(tx, ids)).together);
      expect(await together(store, [g1])).toEqual({ [g1]: [g2], [g2]: [g1] });
      const fresh: RecordStore = kind === 'sql' ? sqlStore : new BatchStore(survive);
      expect(await together(fresh, [g2])).toEqual({ [g1]: [g2], [g2]: [g1] });
      expect(await together(store, [g3])).toEqual({});
      // A doubt is not a wait: only an item whose one reason is the same-authority rule says g2 is g1's person.
      expect(asMap((await store.reviewLinks(tx, [g1, g2])).waitsToJoin)).toEqual({});
    });
  });

  it.each(['sql', 'batch'] as const)('reviewLinks: a record kept out only by the same-authority rule waits to join, stored or opened in the unit of work (%s)', async (kind) => {
    await inTx(async (tx) => {
      const { sqlStore, e3, e4, e1, g1, g2, g3 } = await population(tx);
      const store: RecordStore = kind === 'sql' ? sqlStore : new BatchStore(survive);
      const asMap = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]));
      // Stored before the unit of work began: e3 (g2) waits to join g1.
      await sqlStore.openReview(tx, { ...review(e3.id, g1, e1.id, nextMessage()), probability: 1, reasons: ['same-authority'] });
      // Opened in it: e4 (g3) also waits to join g1; with a second reason it would be a doubt, not a wait. (A unit of
      // work opens items only for records it has read.)
      await store.load(tx, [{ authorityId: e4.authorityId, identifier: 'E4' }]);
      await store.openReview(tx, { ...review(e4.id, g1, e1.id, nextMessage()), probability: 1, reasons: ['same-authority'] });
      const links = await store.reviewLinks(tx, [g1, g2, g3]);
      expect(asMap(links.waitsToJoin)).toEqual({ [g2]: [g1], [g3]: [g1] });
      expect(asMap(links.together)).toEqual({ [g1]: [g2, g3].sort(), [g2]: [g1], [g3]: [g1] });
      await store.supersedeReviews(tx, e4.id);
      await store.openReview(tx, { ...review(e4.id, g1, e1.id, nextMessage()), probability: 1, reasons: ['same-authority', 'household'] });
      expect(asMap((await store.reviewLinks(tx, [g1, g2, g3])).waitsToJoin)).toEqual({ [g2]: [g1] });
    });
  });

  it('a demographics cache shared by units of work hands out what was last written, and reads JSON only for versions it lacks', async () => {
    await inTx(async (tx) => {
      const { sqlStore, e1, e2, g1 } = await population(tx);
      const cache = new DemographicsCache();
      const ids = new IdPool();
      const same = async (store: RecordStore) => expect(norm.members(await store.members(tx, [g1]))).toEqual(norm.members(await sqlStore.members(tx, [g1])));

      const first = new BatchStore(survive, ids, cache);
      await same(first);
      expect(cache.stats).toEqual({ hits: 0, misses: 2 });
      // An A08 of a cached member and a new member, both written by the flush: the next unit of work reads no JSON.
      await first.updateDemographics(tx, e1, demo('SMITH', 'JOHNATHAN', { sex: 'M' }), 'TEST', nextMessage());
      const n1 = await record(first, tx, 'N1', demo('SMITH', 'JOHNNIE'));
      await first.link(tx, n1, g1, 'auto', { score: 0.99, modelVersion: 1 }, nextMessage());
      await first.flush(tx);

      await same(new BatchStore(survive, ids, cache));
      expect(cache.stats).toEqual({ hits: 3, misses: 2 });
      // Written outside the units of work (as an A40 does, through a SqlStore): that version is read again.
      await sqlStore.updateDemographics(tx, e2, demo('SMITH', 'JONAH'), 'TEST', nextMessage());
      await same(new BatchStore(survive, ids, cache));
      expect(cache.stats).toEqual({ hits: 5, misses: 3 });
      const third = (await new BatchStore(survive, ids, cache).members(tx, [g1])).find((m) => m.id === e2.id);
      expect(third?.demographics.names[0]?.given).toBe('JONAH');
    });
  });

  it('a BatchStore drops its own pending reviews of a record it supersedes', async () => {
    await inTx(async (tx) => {
      const { e1, e3, e4, g1 } = await population(tx);
      const batch = new BatchStore(survive);
      await batch.openReview(tx, review(e3.id, g1, e1.id, nextMessage()));
      await batch.openReview(tx, review(e4.id, g1, e1.id, nextMessage()));
      await batch.supersedeReviews(tx, e3.id);
      await batch.flush(tx);
      expect(await reviewRows(tx, e3.id)).toEqual([]);
      expect((await reviewRows(tx, e4.id)).map((r) => r.status)).toEqual(['open']);
    });
  });

  it('links: the flush writes the history a SqlStore writes (one open link per record)', async () => {
    await inTx(async (tx) => {
      const { e3, g1, g2 } = await population(tx);
      const batch = new BatchStore(survive);
      const r3 = (await batch.byId(tx, e3.id))!;
      await batch.unlink(tx, r3, 'moved');
      await batch.link(tx, r3, g1, 'steward', {}, nextMessage());
      const n = await record(batch, tx, 'N1', demo('X', 'Y'));
      await batch.link(tx, n, g2, 'auto', { score: 0.99, modelVersion: 1 }, nextMessage());
      await batch.unlink(tx, n, 'rescored');
      await batch.link(tx, n, g1, 'auto', { score: 0.995, modelVersion: 1 }, nextMessage());
      await batch.flush(tx);
      const links = await query<{ sourceRecordId: number; goldenId: string; kind: string; open: boolean; removedReason: string | null }>(
        tx,
        sql`select source_record_id::int as "sourceRecordId", golden_id::text as "goldenId", kind, removed_at is null as open, removed_reason as "removedReason"
            from links where source_record_id in (${e3.id}, ${n.id}) order by id`,
      );
      expect(links).toEqual([
        { sourceRecordId: e3.id, goldenId: g2, kind: 'new', open: false, removedReason: 'moved' },
        { sourceRecordId: e3.id, goldenId: g1, kind: 'steward', open: true, removedReason: null },
        { sourceRecordId: n.id, goldenId: g2, kind: 'auto', open: false, removedReason: 'rescored' },
        { sourceRecordId: n.id, goldenId: g1, kind: 'auto', open: true, removedReason: null },
      ]);
      const recs = await query<{ id: number; goldenId: string; linkKind: string }>(
        tx,
        sql`select id::int as id, golden_id::text as "goldenId", link_kind as "linkKind" from source_records where id in (${e3.id}, ${n.id}) order by id`,
      );
      expect(recs).toEqual([
        { id: e3.id, goldenId: g1, linkKind: 'steward' },
        { id: n.id, goldenId: g1, linkKind: 'auto' },
      ]);
    });
  });
});
