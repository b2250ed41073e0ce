import { sql } from 'drizzle-orm';
import { boolean, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Every version of the match model ever used (algorithms/model.ts document), one active. Links and review
 * items name the version that scored them, so an old decision stays explainable after a retraining, and
 * rollback is activating an older version.
 */
export const matchModels = pgTable(
  'match_models',
  {
    version: integer('version').primaryKey(),
    name: text('name').notNull(),
    document: jsonb('document').notNull(),
    active: boolean('active').notNull().default(false),
    /** Where it came from: 'default' (shipped), 'train', 'import'. */
    source: text('source').notNull(),
    /** Training figures: sessions, iterations, convergence, pairs. */
    training: jsonb('training'),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('match_models_active_uq').on(t.active).where(sql`${t.active}`)],
);
