import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { auditLog, outboxEvents } from '../storage/schema/index.js';
import type { Queryable } from '../storage/db.js';

import type { EventData, EventType } from './events.js';

export type { EventType } from './events.js';

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

  /** Returns the event's id (a steward's unmerge names the merge it undoes by it). */
  emit<T extends EventType>(type: T, subject: string, data: EventData<T>): string {
    // The payload is versioned so consumers can evolve with it; `id` doubles as the delivery dedup key.
    const id = randomUUID();
    this.events.push({ id, type, subject, payload: { specversion: 1, type, subject, data } });
    return id;
  }

  get size() {
    return this.audit.length + this.events.length;
  }

  /** Two statements whatever the batch size: arrays bound as parameters and unnested server-side. */
  async flush(q: Queryable) {
    const a = this.audit;
    if (a.length) {
      await q.execute(sql`insert into audit_log (actor, action, entity_type, entity_id, message_id, detail)
        select * from unnest(${sql.param(a.map((r) => r.actor))}::text[], ${sql.param(a.map((r) => r.action))}::text[], ${sql.param(a.map((r) => r.entityType ?? null))}::text[],
          ${sql.param(a.map((r) => r.entityId ?? null))}::text[], ${sql.param(a.map((r) => r.messageId ?? null))}::bigint[], ${sql.param(a.map((r) => (r.detail == null ? null : JSON.stringify(r.detail))))}::jsonb[])`);
    }
    const e = this.events;
    if (e.length) {
      await q.execute(sql`insert into outbox_events (id, type, subject, payload)
        select * from unnest(${sql.param(e.map((r) => r.id))}::uuid[], ${sql.param(e.map((r) => r.type))}::text[], ${sql.param(e.map((r) => r.subject ?? null))}::text[],
          ${sql.param(e.map((r) => JSON.stringify(r.payload)))}::jsonb[])`);
    }
    this.audit = [];
    this.events = [];
  }
}
