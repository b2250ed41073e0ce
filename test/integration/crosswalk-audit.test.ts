import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crosswalk, type CrosswalkAudit } from '../../src/linkage/crosswalk.js';
import { query, type Tx } from '../../src/storage/db.js';
import { backends, createTestDatabase, hospitalAndLab, inRolledBackTx, type FreshDatabase } from '../helpers/db.js';

/**
 * The crosswalk read writes its audit row in its own statement (PIXm's hot path: one round trip). Every
 * read leaves exactly one row naming what was disclosed, found or not; a read through a merged golden
 * record also names the survivor, whose identifiers are the ones returned.
 */
describe.each(backends)('audited crosswalk reads on $name', (backend) => {
  let fresh: FreshDatabase;
  let hosp: number;
  let lab: number;
  beforeAll(async () => {
    fresh = await createTestDatabase(backend);
    ({ hosp, lab } = await hospitalAndLab(fresh.database));
  });
  afterAll(async () => {
    await fresh?.drop();
  });

  const audit: CrosswalkAudit = { actor: 'api:key-test', action: 'pixm.query', missing: { entityType: 'identifier', entityId: 'HOSP' }, detail: { target: false } };

  async function golden(tx: Tx, status = 'active', into: string | null = null) {
    const id = randomUUID();
    await tx.execute(sql`insert into golden_records (id, status, merged_into_id) values (${id}, ${status}, ${into})`);
    return id;
  }
  async function record(tx: Tx, authority: number, identifier: string, goldenId: string) {
    await tx.execute(sql`insert into source_records (authority_id, identifier, identifier_type, golden_id, demographics) values (${authority}, ${identifier}, 'MR', ${goldenId}, '{"v":1}'::jsonb)`);
  }
  const auditRows = (tx: Tx) =>
    query<{ actor: string; action: string; entityType: string; entityId: string; detail: Record<string, unknown> }>(
      tx,
      sql`select actor, action, entity_type as "entityType", entity_id as "entityId", detail from audit_log where actor = 'api:key-test' order by id`,
    );

  it('a found identifier: its golden record and identifiers, and one audit row naming that golden record', async () => {
    await inRolledBackTx(fresh.database, async (tx) => {
      const g = await golden(tx);
      await record(tx, hosp, 'H1', g);
      await record(tx, lab, 'L1', g);
      const r = await crosswalk(tx, hosp, 'H1', audit);
      expect(r).toEqual({
        goldenId: g,
        identifiers: [
          { authorityId: hosp, identifier: 'H1', identifierType: 'MR', status: 'active' },
          { authorityId: lab, identifier: 'L1', identifierType: 'MR', status: 'active' },
        ],
      });
      expect(await auditRows(tx)).toEqual([{ actor: 'api:key-test', action: 'pixm.query', entityType: 'golden_record', entityId: g, detail: { target: false, found: true } }]);
    });
  });

  it('an unknown identifier: nothing, and one audit row naming what was asked, never the value', async () => {
    await inRolledBackTx(fresh.database, async (tx) => {
      expect(await crosswalk(tx, hosp, 'NOPE-123', audit)).toBeUndefined();
      const rows = await auditRows(tx);
      expect(rows).toEqual([{ actor: 'api:key-test', action: 'pixm.query', entityType: 'identifier', entityId: 'HOSP', detail: { target: false, found: false } }]);
      expect(JSON.stringify(rows)).not.toContain('NOPE');
    });
  });

  it('through a merged golden record: the survivor’s identifiers, and the survivor named in the audit', async () => {
    await inRolledBackTx(fresh.database, async (tx) => {
      const survivor = await golden(tx);
      const retired = await golden(tx, 'merged', survivor);
      await record(tx, hosp, 'H2', retired);
      await record(tx, lab, 'L2', survivor);
      const r = await crosswalk(tx, hosp, 'H2', audit);
      expect(r).toEqual({ goldenId: survivor, identifiers: [{ authorityId: lab, identifier: 'L2', identifierType: 'MR', status: 'active' }] });
      expect((await auditRows(tx)).map((a) => [a.entityType, a.entityId, a.detail])).toEqual([
        ['golden_record', retired, { target: false, found: true }],
        ['golden_record', survivor, { target: false, found: true, mergedFrom: retired }],
      ]);
    });
  });

  it('without audit it writes nothing (the first look of a read that waits for the worker)', async () => {
    await inRolledBackTx(fresh.database, async (tx) => {
      const g = await golden(tx);
      await record(tx, hosp, 'H3', g);
      expect((await crosswalk(tx, hosp, 'H3'))?.goldenId).toBe(g);
      expect(await auditRows(tx)).toEqual([]);
    });
  });
});
