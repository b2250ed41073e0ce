import { bigint, boolean, index, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';

/**
 * The blocking index: one row per (key, source record). A key is `<rule>:<value>` (algorithms/person.ts);
 * candidates for a record are the records sharing any of its keys. Keys under the `tf` prefixes are not
 * blocking keys but term-frequency counters (how many records carry a given or family name), so that
 * frequencies are exact on every process without a table of counts to keep in step.
 *
 * `golden_id` and `active` copy the record's golden record and whether it is active (status 'active'), so
 * that the candidates of a key are read from one index alone: joining each hit to source_records for those two
 * columns was two thirds of the candidate query, the database's largest cost when applying messages. They
 * are written with the key (from the record as it then stands) and kept in step by a trigger on
 * source_records (migration 0004), whoever changes the record.
 *
 * The primary key carries the two copies as INCLUDE columns (migration 0006, written by hand: drizzle-kit does
 * not model INCLUDE), so that it alone answers the candidate query, as an index-only scan. A separate partial
 * index over (key, record, golden record) did that before, and every key written paid for three indexes instead
 * of two: inserting the keys was the largest single statement of applying a batch.
 */
export const blockingKeys = pgTable(
  'blocking_keys',
  {
    key: text('key').notNull(),
    sourceRecordId: bigint('source_record_id', { mode: 'number' }).notNull(),
    goldenId: uuid('golden_id'),
    active: boolean('active').notNull().default(true),
  },
  (t) => [
    primaryKey({ columns: [t.key, t.sourceRecordId] }),
    index('blocking_keys_record_idx').on(t.sourceRecordId),
  ],
);
