import { sql } from 'drizzle-orm';
import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Transactional outbox: written in the same transaction as the change it describes. */
export const outboxEvents = pgTable(
  'outbox_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: uuid('id').notNull(),
    type: text('type').notNull(),
    subject: text('subject'),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [
    index('outbox_unpublished_idx').on(t.seq).where(sql`${t.publishedAt} is null`),
    // Unmerge finds a merge by its event id or by the golden record it retired; only merges are indexed.
    index('outbox_merge_id_idx').on(t.id).where(sql`${t.type} = 'golden.merged'`),
    index('outbox_merge_from_idx').on(sql`(${t.payload}->'data'->>'from')`).where(sql`${t.type} = 'golden.merged'`),
  ],
);
