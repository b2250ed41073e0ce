import { sql } from 'drizzle-orm';
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
    index('blocking_keys_hits_idx').on(t.key, t.sourceRecordId, t.goldenId).where(sql`${t.active}`),
  ],
);
