import { sql } from 'drizzle-orm';
import type { FileConfig } from '../config.js';
import { ChangeLog } from '../linkage/changes.js';
import { query, type Db } from '../storage/db.js';
import type { AuthorityRegistry } from './authorities.js';
import { IngestError } from './errors.js';
import { interpret } from './interpret.js';
import type { Applicable } from './worker.js';

export interface DeadLetter {
  id: number;
  sender: string | null;
  controlId: string | null;
  messageType: string | null;
  status: string;
  ackCode: string | null;
  errorCode: number | null;
  error: string | null;
  attempts: number;
  receivedAt: string;
}

export async function listDeadLetters(db: Db, limit = 100, afterId = 0): Promise<DeadLetter[]> {
  return query<DeadLetter>(
    db,
    sql`select id::int as id, sender, control_id as "controlId", message_type as "messageType", status, ack_code as "ackCode",
               error_code as "errorCode", error, attempts, received_at as "receivedAt"
        from messages where status in ('rejected', 'failed') and id > ${afterId} order by id limit ${limit}`,
  );
}

export interface RetryOutcome {
  id: number;
  result: 'requeued' | 'still-failing' | 'not-found';
  errorCode?: number;
  error?: string;
}

/**
 * Re-checks dead letters against the current config; those that now pass go back to pending for the
 * worker. The sender already has its answer, so nothing is re-ACKed. `all` skips conflicting resends
 * (205): applying one of those is a decision a person must make by id. `requeued` is told each message put back
 * in the queue with its interpretation under the current config, so that the worker applies it as checked here
 * (a worker thread would otherwise parse it again with its own copy of the config).
 */
export async function retryDeadLetters(
  db: Db,
  config: FileConfig,
  registry: AuthorityRegistry,
  target: { ids: number[] } | { all: true },
  actor = 'cli',
  requeued?: (messageId: number, it: Applicable) => void,
): Promise<RetryOutcome[]> {
  await registry.refresh(db);
  const rows =
    'ids' in target
      ? await query<{ id: number; raw: string }>(db, sql`select id::int as id, raw from messages where status in ('rejected', 'failed') and not truncated and id in (${sql.join(target.ids.map((i) => sql`${i}::bigint`), sql`, `)})`)
      : await query<{ id: number; raw: string }>(db, sql`select id::int as id, raw from messages where status in ('rejected', 'failed') and not truncated and coalesce(error_code, 0) <> 205 order by id`);
  const outcomes: RetryOutcome[] = [];
  if ('ids' in target) for (const id of target.ids) if (!rows.some((r) => r.id === id)) outcomes.push({ id, result: 'not-found' });
  for (const row of rows) {
    const changes = new ChangeLog();
    let outcome: RetryOutcome;
    try {
      const it = interpret(row.raw, config, registry);
      await db.execute(sql`update messages set status = 'pending', error = null, error_code = null where id = ${row.id}`);
      requeued?.(row.id, { command: it.command, sender: it.sender.sender, event: it.event });
      outcome = { id: row.id, result: 'requeued' };
    } catch (e) {
      const err = e instanceof IngestError ? e : new IngestError('internal', 207, 'message could not be interpreted');
      await db.execute(sql`update messages set attempts = attempts + 1, error_code = ${err.hl7Code}, error = ${err.message} where id = ${row.id}`);
      outcome = { id: row.id, result: 'still-failing', errorCode: err.hl7Code, error: err.message };
    }
    changes.record(actor, 'message.retried', 'message', row.id, row.id, { result: outcome.result, errorCode: outcome.errorCode });
    await changes.flush(db);
    outcomes.push(outcome);
  }
  return outcomes;
}
