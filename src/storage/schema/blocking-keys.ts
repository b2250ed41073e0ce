import { bigint, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/**
 * The blocking index: one row per (key, source record). A key is `<rule>:<value>` (algorithms/person.ts);
 * candidates for a record are the records sharing any of its keys. Keys under the `tf` prefixes are not
 * blocking keys but term-frequency counters (how many records carry a given or family name), so that
 * frequencies are exact on every process without a table of counts to keep in step.
 */
export const blockingKeys = pgTable(
  'blocking_keys',
  {
    key: text('key').notNull(),
    sourceRecordId: bigint('source_record_id', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.sourceRecordId] }), index('blocking_keys_record_idx').on(t.sourceRecordId)],
);
