import { bigint, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * A steward's "not the same person", remembered per pair of source records (recordA < recordB) with a
 * fingerprint of each record's demographics as the steward saw them. The matcher never proposes the pair
 * again while both fingerprints still hold; new data on either side is new evidence and lifts the bar.
 */
export const nonMatches = pgTable(
  'non_matches',
  {
    recordA: bigint('record_a', { mode: 'number' }).notNull(),
    recordB: bigint('record_b', { mode: 'number' }).notNull(),
    fingerprintA: text('fingerprint_a').notNull(),
    fingerprintB: text('fingerprint_b').notNull(),
    /** The review item the decision was made on; null for a manual unlink or unmerge. */
    reviewItemId: bigint('review_item_id', { mode: 'number' }),
    decidedBy: text('decided_by').notNull(),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.recordA, t.recordB] }), index('non_matches_record_b_idx').on(t.recordB)],
);
