import { randomUUID } from 'node:crypto';
import { auditLog, outboxEvents } from '../storage/schema/index.js';
import type { Queryable } from '../storage/db.js';

export type EventType = 'golden.created' | 'golden.updated' | 'golden.merged' | 'link.created' | 'link.removed' | 'source.merged' | 'source.updated';

/**
 * Audit rows and outbox events produced while applying a batch, written with the batch's transaction
 * (so an event exists exactly when its change does) in two multi-row inserts.
 */
export class ChangeLog {
  private audit: Array<typeof auditLog.$inferInsert> = [];
  private events: Array<typeof outboxEvents.$inferInsert> = [];

  record(actor: string, action: string, entityType: string, entityId: string | number, messageId: number | null, detail?: Record<string, unknown>) {
    this.audit.push({ actor, action, entityType, entityId: String(entityId), messageId, detail: detail ?? null });
  }

  emit(type: EventType, subject: string, data: Record<string, unknown>) {
    // The payload is versioned so consumers can evolve with it; `id` doubles as the delivery dedup key.
    this.events.push({ id: randomUUID(), type, subject, payload: { specversion: 1, type, subject, data } });
  }

  get size() {
    return this.audit.length + this.events.length;
  }

  async flush(q: Queryable) {
    if (this.audit.length) await q.insert(auditLog).values(this.audit);
    if (this.events.length) await q.insert(outboxEvents).values(this.events);
    this.audit = [];
    this.events = [];
  }
}
