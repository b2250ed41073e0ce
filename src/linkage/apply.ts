import { eq, sql } from 'drizzle-orm';
import type { AdtCommand, IdentifierRef, MergeGroup } from '../ingest/adt.js';
import type { Demographics } from '../ingest/demographics.js';
import { sourceRecords } from '../storage/schema/index.js';
import {
  createGolden,
  insertRecord,
  link,
  loadRecords,
  mergeGolden,
  openBeside,
  recordKey,
  openReview,
  touchGolden,
  survivorOf,
  updateDemographics,
  type ApplyContext,
  type SourceRecordRow,
} from './records.js';

/** Applies one interpreted ADT message inside the worker's transaction. */
export async function applyCommand(ctx: ApplyContext, cmd: AdtCommand, sender: string): Promise<void> {
  if (cmd.kind === 'register') await applyRegister(ctx, cmd.identifiers, cmd.demographics, sender);
  else for (const g of cmd.groups) await applyMerge(ctx, g, sender);
}

async function resolveIds(ctx: ApplyContext, ids: IdentifierRef[]) {
  const out: Array<{ ref: IdentifierRef; authorityId: number }> = [];
  for (const ref of ids) out.push({ ref, authorityId: (await ctx.registry.ensure(ctx.tx, ref.authority)).id });
  return out;
}

/**
 * A01/A04/A08/A28/A31. The first PID-3 identifier is the record the message is about; the others are
 * the source's own assertion that they name the same person, so they join its golden record when new.
 * An identifier already linked elsewhere is left where it is and audited: moving it would merge
 * golden records silently.
 */
async function applyRegister(ctx: ApplyContext, ids: IdentifierRef[], d: Demographics, sender: string) {
  const resolved = await resolveIds(ctx, ids);
  const existing = await loadRecords(ctx, resolved.map((r) => ({ authorityId: r.authorityId, identifier: r.ref.value })));
  const primaryAuthority = resolved[0]!.authorityId;

  const rows: Array<SourceRecordRow | undefined> = [];
  for (const r of resolved) {
    let row = existing.get(recordKey(r.authorityId, r.ref.value));
    if (row && row.status === 'merged') {
      const survivor = await survivorOf(ctx, row);
      ctx.changes.record(ctx.actor, 'source.retired-identifier-used', 'source_record', row.id, ctx.messageId, { survivorId: survivor.id });
      row = survivor;
    }
    rows.push(row);
  }

  // The golden record this message's person belongs to: the primary's, else one a secondary already has.
  let goldenId = rows[0]?.goldenId ?? rows.find((r) => r?.goldenId)?.goldenId ?? null;
  let created = false;
  let primaryId: number | undefined;
  const touched = new Set<number>();
  for (let i = 0; i < resolved.length; i++) {
    const r = resolved[i]!;
    let row = rows[i];
    if (i === 0 && row) primaryId = row.id;
    if (!row) {
      row = await insertRecord(ctx, { authorityId: r.authorityId, identifier: r.ref.value, identifierType: r.ref.type, sender, demographics: d });
      if (!goldenId) {
        const placement = await ctx.linker.place(ctx, row, d);
        if (placement.goldenId) {
          goldenId = placement.goldenId;
          await link(ctx, row, goldenId, placement.kind, placement);
          if (placement.alsoMatched?.length) await ctx.linker.linked?.(ctx, placement.alsoMatched);
          await openBeside(ctx, row, placement.reviews ?? []);
        } else {
          goldenId = await createGolden(ctx, d, row.id);
          created = true;
          await link(ctx, row, goldenId, 'new');
          if (placement.goldenId === null) for (const r of placement.reviews ?? []) await openReview(ctx, row, r);
        }
      } else await link(ctx, row, goldenId, 'asserted');
      touched.add(row.id);
      if (i === 0) primaryId = row.id;
      continue;
    }
    if (touched.has(row.id)) continue;
    touched.add(row.id);
    // Only records of the primary identifier's authority take this sender's demographics; another
    // authority's identifier in PID-3 is a cross-reference, not that authority's own data.
    if (r.authorityId === primaryAuthority && (await updateDemographics(ctx, row, d, sender))) await ctx.linker.updated(ctx, row, d);
    if (!row.goldenId) {
      goldenId ??= await createGolden(ctx, d, row.id);
      await link(ctx, row, goldenId, 'asserted');
    } else if (goldenId && row.goldenId !== goldenId) {
      ctx.changes.record(ctx.actor, 'link.conflict', 'source_record', row.id, ctx.messageId, { assertedGoldenId: goldenId, currentGoldenId: row.goldenId });
    }
  }
  // A golden record created just now already holds these demographics; an updated member may move the
  // golden record's fields. The golden record the primary now belongs to may differ if the linker moved it.
  const primary = primaryId === undefined ? undefined : rows.find((r) => r?.id === primaryId);
  const currentGolden = primary?.goldenId ?? goldenId;
  if (currentGolden && !created) await touchGolden(ctx, currentGolden);
}

/**
 * A40: MRG-1's record is retired into PID-3's record of the same authority. The latest instruction wins:
 * a survivor that an earlier A40 had retired is reactivated first, which is what keeps inverse (B into A
 * after A into B) and circular merges from forming a loop. Retired records keep their row and point at
 * the survivor directly (path compression), so a retired identifier resolves in one hop.
 */
async function applyMerge(ctx: ApplyContext, g: MergeGroup, sender: string) {
  const survivorRefs = await resolveIds(ctx, g.survivor);
  const retiredRefs = await resolveIds(ctx, g.retired);
  const existing = await loadRecords(ctx, [...survivorRefs, ...retiredRefs].map((r) => ({ authorityId: r.authorityId, identifier: r.ref.value })));

  for (const r of retiredRefs) {
    const sRef = survivorRefs.find((s) => s.authorityId === r.authorityId)!;
    let survivor = existing.get(recordKey(sRef.authorityId, sRef.ref.value));
    if (!survivor) {
      survivor = await insertRecord(ctx, { authorityId: sRef.authorityId, identifier: sRef.ref.value, identifierType: sRef.ref.type, sender, demographics: g.demographics });
      existing.set(recordKey(sRef.authorityId, sRef.ref.value), survivor);
    } else {
      await updateDemographics(ctx, survivor, g.demographics, sender);
    }
    if (survivor.status === 'merged') {
      await ctx.tx.update(sourceRecords).set({ status: 'active', mergedIntoId: null, version: sql`${sourceRecords.version} + 1`, updatedAt: sql`now()` }).where(eq(sourceRecords.id, survivor.id));
      ctx.changes.record(ctx.actor, 'source.reactivated', 'source_record', survivor.id, ctx.messageId, { previouslyMergedInto: survivor.mergedIntoId });
      survivor.status = 'active';
      survivor.mergedIntoId = null;
    }
    let retired = existing.get(recordKey(r.authorityId, r.ref.value));
    if (!retired) {
      // Unknown until now: keep it, retired, so that later messages carrying it find the survivor.
      retired = await insertRecord(ctx, { authorityId: r.authorityId, identifier: r.ref.value, identifierType: r.ref.type, sender, demographics: g.demographics, status: 'merged', mergedIntoId: survivor.id });
    } else if (retired.status === 'merged' && retired.mergedIntoId === survivor.id) {
      ctx.changes.record(ctx.actor, 'source.merge-repeated', 'source_record', retired.id, ctx.messageId, { into: survivor.id });
    } else {
      await ctx.tx.update(sourceRecords).set({ status: 'merged', mergedIntoId: survivor.id, version: sql`${sourceRecords.version} + 1`, updatedAt: sql`now()` }).where(eq(sourceRecords.id, retired.id));
      retired.status = 'merged';
      retired.mergedIntoId = survivor.id;
    }
    await ctx.tx.execute(sql`update source_records set merged_into_id = ${survivor.id} where merged_into_id = ${retired.id} and id <> ${survivor.id}`);

    // The golden side: the survivor's golden record absorbs the retired record's.
    if (!survivor.goldenId && retired.goldenId) {
      await link(ctx, survivor, retired.goldenId, 'a40');
    } else if (!survivor.goldenId) {
      const gid = await createGolden(ctx, g.demographics, survivor.id);
      await link(ctx, survivor, gid, 'new');
    }
    if (!retired.goldenId) await link(ctx, retired, survivor.goldenId!, 'a40');
    else if (retired.goldenId !== survivor.goldenId) {
      const from = retired.goldenId;
      await mergeGolden(ctx, from, survivor.goldenId!, 'a40');
      retired.goldenId = survivor.goldenId;
    }
    await touchGolden(ctx, survivor.goldenId!);
    // The source has settled what a steward was asked: the retired record's review items, and the survivor's
    // about the golden record it is now in, are closed.
    await ctx.tx.execute(sql`update review_items set status = 'superseded', version = version + 1, note = 'settled by the source (A40)'
      where status = 'open' and (source_record_id = ${retired.id} or (source_record_id = ${survivor.id} and candidate_golden_id = ${survivor.goldenId})
        or (source_record_id in (select id from source_records where golden_id = ${survivor.goldenId}) and candidate_golden_id = ${survivor.goldenId}))`);
    ctx.changes.record(ctx.actor, 'source.merged', 'source_record', retired.id, ctx.messageId, { into: survivor.id });
    ctx.changes.emit('source.merged', survivor.goldenId!, { goldenId: survivor.goldenId!, retiredId: retired.id, survivorId: survivor.id, messageId: ctx.messageId });
  }
}
