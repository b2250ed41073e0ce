import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * The stewards' queue: a source record that may be the same person as a golden record, with the score, the
 * comparison vector and its explanation as the engine saw them. The record itself sits in its own golden
 * record meanwhile (never in a doubtful one). status: open | resolved | superseded (data changed and the
 * pair was scored again). decision: match | non-match; a non-match is remembered so the pair is not proposed
 * again until either side's data changes.
 */
export const reviewItems = pgTable(
  'review_items',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sourceRecordId: bigint('source_record_id', { mode: 'number' }).notNull(),
    /** The golden record the source record may belong to. */
    candidateGoldenId: uuid('candidate_golden_id').notNull(),
    /** The member of that golden record that scored best against the source record. */
    candidateRecordId: bigint('candidate_record_id', { mode: 'number' }).notNull(),
    probability: real('probability').notNull(),
    weight: real('weight').notNull(),
    modelVersion: integer('model_version').notNull(),
    /** between-thresholds | several-golden-records | linked-elsewhere | same-authority | household | updated-record, and vetoes */
    reasons: jsonb('reasons').notNull(),
    /** Comparison levels and weights (algorithms/fellegi-sunter.ts Explanation). */
    explanation: jsonb('explanation').notNull(),
    status: text('status').notNull().default('open'),
    decision: text('decision'),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    note: text('note'),
    messageId: bigint('message_id', { mode: 'number' }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('review_items_open_uq').on(t.sourceRecordId, t.candidateGoldenId).where(sql`${t.status} = 'open'`),
    // The queue's two orders, each with id last so that a keyset cursor is a strict position.
    index('review_items_status_age_idx').on(t.status, t.createdAt, t.id),
    index('review_items_status_score_idx').on(t.status, t.probability, t.id),
    index('review_items_golden_idx').on(t.candidateGoldenId),
  ],
);
