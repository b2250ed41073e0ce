import { bigserial, boolean, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Inbox and dead-letter store in one table: every frame we answered is here, in arrival order (id).
 * status: pending (stored, ACKed, not yet applied), done, rejected (answered AE/AR, dead letter),
 * failed (stored and ACKed but could not be applied: dead letter until retried).
 */
export const messages = pgTable(
  'messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** sender + US + MSH-10; null when there is no usable key (no MSH, or a conflicting resend). */
    dedupKey: text('dedup_key'),
    sender: text('sender'),
    receiver: text('receiver'),
    controlId: text('control_id'),
    messageType: text('message_type'),
    event: text('event'),
    version: text('version'),
    charset: text('charset'),
    contentHash: text('content_hash').notNull(),
    raw: text('raw').notNull(),
    /** Only the head of an oversized frame was kept: never applied, not even on retry. */
    truncated: boolean('truncated').notNull().default(false),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    ackCode: text('ack_code'),
    ack: text('ack'),
    errorCode: integer('error_code'),
    error: text('error'),
    remoteAddress: text('remote_address'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    appliedAt: timestamp('applied_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('messages_dedup_uq').on(t.dedupKey),
    index('messages_status_idx').on(t.status, t.id),
  ],
);
