import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** The enterprise identity: the survivorship view of the source records linked to it. */
export const goldenRecords = pgTable('golden_records', {
  id: uuid('id').primaryKey(),
  status: text('status').notNull().default('active'),
  mergedIntoId: uuid('merged_into_id'),
  demographics: jsonb('demographics'),
  /** Which source record each surviving field came from. */
  provenance: jsonb('provenance'),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
