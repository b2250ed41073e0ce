import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, date } from 'drizzle-orm/pg-core';
import { authorities } from './authorities.js';

/**
 * One row per (assigning authority, identifier): what one source system says about one patient.
 * A record retired by an A40 keeps its row (status merged, mergedIntoId = survivor) so the retired
 * identifier still resolves.
 */
export const sourceRecords = pgTable(
  'source_records',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    authorityId: integer('authority_id').notNull().references(() => authorities.id),
    identifier: text('identifier').notNull(),
    identifierType: text('identifier_type'),
    status: text('status').notNull().default('active'),
    mergedIntoId: bigint('merged_into_id', { mode: 'number' }),
    goldenId: uuid('golden_id'),
    /** How the current link was made (links.kind): only 'auto' links are re-scored when the record changes. */
    linkKind: text('link_kind'),
    sender: text('sender'),
    /** Demographics as mapped from PID (all names, addresses, phones, SSN, Z-segments kept). */
    demographics: jsonb('demographics').notNull(),
    /** Normalised columns for lookup and, later, blocking. */
    family: text('family'),
    given: text('given'),
    birthDate: date('birth_date', { mode: 'string' }),
    sex: text('sex'),
    lastMessageId: bigint('last_message_id', { mode: 'number' }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('source_records_key_uq').on(t.authorityId, t.identifier),
    index('source_records_golden_idx').on(t.goldenId),
    index('source_records_merged_into_idx').on(t.mergedIntoId).where(sql`${t.mergedIntoId} is not null`),
    // PDQm birthdate searches: names and phones are found through blocking_keys, a birth date alone needs this.
    index('source_records_birth_date_idx').on(t.birthDate),
  ],
);
