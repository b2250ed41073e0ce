import { sql } from 'drizzle-orm';
import { integer, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** Assigning authorities (identifier domains). Loaded from config; OID-bearing ones may be registered on first sight. */
export const authorities = pgTable(
  'authorities',
  {
    id: serial('id').primaryKey(),
    namespace: text('namespace'),
    oid: text('oid'),
    name: text('name'),
    trustRank: integer('trust_rank').notNull().default(0),
    /** 'config' or 'auto' (registered from a message's CX.4). */
    origin: text('origin').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('authorities_oid_uq').on(t.oid).where(sql`${t.oid} is not null`),
    uniqueIndex('authorities_namespace_uq').on(t.namespace).where(sql`${t.namespace} is not null and ${t.oid} is null`),
  ],
);
