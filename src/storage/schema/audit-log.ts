import { bigint, bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Append-only: who did what to which record, every message and every API read of patient data. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type'),
    entityId: text('entity_id'),
    messageId: bigint('message_id', { mode: 'number' }),
    detail: jsonb('detail'),
  },
  (t) => [index('audit_entity_idx').on(t.entityType, t.entityId), index('audit_message_idx').on(t.messageId)],
);
