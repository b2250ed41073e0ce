import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demographics } from '../../src/ingest/demographics.js';
import { barredMembers, demographicsFingerprint, rememberNonMatches } from '../../src/linkage/non-matches.js';
import { BatchStore, SqlStore, type RecordStore, type Survive } from '../../src/linkage/store.js';
import { survivorship } from '../../src/linkage/survivorship.js';
import { query, type Tx } from '../../src/storage/db.js';
import { backends, createTestDatabase, inRolledBackTx, type FreshDatabase } from '../helpers/db.js';

/** Steward non-match decisions as both record stores read them and as the matcher's filter applies them. */

const demo = (family: string, given: string): Demographics => ({ v: 1, names: [{ family, given }], addresses: [], phones: [] });
const survive: Survive = survivorship({ default: 'recent', fields: {} }, () => 0);
describe.each(backends)('non-match decisions on $name', (backend) => {
  let fresh: FreshDatabase;
  let authorityId: number;
  let message = 1;

  beforeAll(async () => {
    fresh = await createTestDatabase(backend);
    const [row] = await query<{ id: number }>(fresh.database.db, sql`insert into authorities (namespace, name, trust_rank, origin) values ('HOSP', 'Hospital', 5, 'config') returning id`);
    authorityId = row!.id;
  });
  afterAll(async () => fresh?.drop());

  const inTx = (fn: (tx: Tx) => Promise<void>) => inRolledBackTx(fresh.database, fn);
  const insert = (s: RecordStore, tx: Tx, id: string, d: Demographics) => s.insert(tx, { authorityId, identifier: id, sender: 'T', demographics: d, messageId: message++ });

  it('reads the same decisions through SqlStore and BatchStore, and none for a record created in the batch', async () => {
    await inTx(async (tx) => {
      const s = new SqlStore(survive);
      const a = await insert(s, tx, 'A', demo('DOE', 'JANE'));
      const b = await insert(s, tx, 'B', demo('DOE', 'JAN'));
      const c = await insert(s, tx, 'C', demo('ROE', 'RICH'));
      expect(await rememberNonMatches(tx, { recordId: b.id, others: [a.id, c.id, b.id], reviewItemId: null, decidedBy: 'api:test', note: 'n' })).toBe(2);
      const rows = await s.nonMatches(tx, [a.id]);
      expect(rows).toEqual([{ recordA: a.id, recordB: b.id, fingerprintA: demographicsFingerprint(demo('DOE', 'JANE')), fingerprintB: demographicsFingerprint(demo('DOE', 'JAN')) }]);
      expect((await s.nonMatches(tx, [b.id])).map((r) => [r.recordA, r.recordB]).sort()).toEqual([
        [a.id, b.id],
        [b.id, c.id],
      ]);

      const batch = new BatchStore(survive);
      await batch.load(tx, [{ authorityId, identifier: 'A' }, { authorityId, identifier: 'B' }]);
      expect(await batch.nonMatches(tx, [a.id])).toEqual(rows);
      const fresh = await insert(batch, tx, 'NEW', demo('DOE', 'JANE'));
      expect(await batch.nonMatches(tx, [fresh.id])).toEqual([]);
    });
  });

  it('bars a member only while both fingerprints hold', async () => {
    await inTx(async (tx) => {
      const s = new SqlStore(survive);
      const a = await insert(s, tx, 'A', demo('DOE', 'JANE'));
      const b = await insert(s, tx, 'B', demo('DOE', 'JAN'));
      await rememberNonMatches(tx, { recordId: a.id, others: [b.id], reviewItemId: null, decidedBy: 'api:test', note: null });
      const members = await s.members(tx, [], [a.id, b.id]);
      expect([...(await barredMembers({ tx, store: s }, a, members))]).toEqual([b.id]);
      expect([...(await barredMembers({ tx, store: s }, b, members))]).toEqual([a.id]);
      // B's data changes: the decision no longer holds, either way round.
      await s.updateDemographics(tx, b, demo('DOE', 'JANET'), 'T', message++);
      const changed = await s.members(tx, [], [a.id, b.id]);
      expect([...(await barredMembers({ tx, store: s }, a, changed))]).toEqual([]);
      expect([...(await barredMembers({ tx, store: s }, b, changed))]).toEqual([]);
      // A later decision on the new data replaces the earlier one.
      await rememberNonMatches(tx, { recordId: b.id, others: [a.id], reviewItemId: null, decidedBy: 'api:test', note: 'again' });
      expect([...(await barredMembers({ tx, store: s }, a, changed))]).toEqual([b.id]);
      const [n] = await query<{ n: number }>(tx, sql`select count(*)::int as n from non_matches`);
      expect(n!.n).toBe(1);
    });
  });
});
