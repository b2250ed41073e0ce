import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, pgTable, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Source record → golden record, with history: a link is never updated in place except to close it
 * (removedAt), so "who was in this golden record on date X" stays answerable.
 * kind: new (record started its own golden record), asserted (the source sent both identifiers in one PID-3),
 * a40 (moved by a source merge), auto (matcher), steward.
 */
export const links = pgTable(
  'links',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sourceRecordId: bigint('source_record_id', { mode: 'number' }).notNull(),
    goldenId: uuid('golden_id').notNull(),
    kind: text('kind').notNull(),
    score: real('score'),
    modelVersion: integer('model_version'),
    messageId: bigint('message_id', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
    removedReason: text('removed_reason'),
  },
  (t) => [
    uniqueIndex('links_current_uq').on(t.sourceRecordId).where(sql`${t.removedAt} is null`),
    index('links_golden_idx').on(t.goldenId),
  ],
);
