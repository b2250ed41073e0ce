import { sql } from 'drizzle-orm';
import type { FileConfig } from '../config.js';
import { ChangeLog } from '../linkage/changes.js';
import { applyCommand } from '../linkage/apply.js';
import type { Linker } from '../linkage/linker.js';
import type { Logger } from '../lib/log.js';
import { errorKind } from '../lib/log.js';
import { query, type Database, type Tx } from '../storage/db.js';
import type { AuthorityRegistry } from './authorities.js';
import type { AdtCommand } from './adt.js';
import { IngestError } from './errors.js';
import { interpret } from './interpret.js';

// Held for the length of one apply transaction so that, with several processes on one PostgreSQL,
// one of them applies at a time and each sender's messages are applied in arrival order.
const APPLY_LOCK = 7_316_202;

export interface WorkerDeps {
  database: Database;
  config: FileConfig;
  registry: AuthorityRegistry;
  linker: Linker;
  logger: Logger;
  batchSize: number;
  pollMs?: number;
  /** After the transaction that applied (or dead-lettered) these commands has committed. */
  onApplied?: (command: AdtCommand) => void;
}

interface Pending {
  id: number;
  sender: string | null;
  raw: string;
}

/**
 * Applies stored messages in arrival order (the inbox id), many per transaction. A batch that fails is
 * re-run one message per transaction so that one bad message becomes a dead letter and the rest apply.
 */
export class Worker {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Stored but not yet applied, as far as this process knows (for back-pressure and /health). */
  pending = 0;

  constructor(private readonly deps: WorkerDeps) {}

  async start() {
    this.timer = setInterval(() => this.notify(), this.deps.pollMs ?? 1000);
    this.timer.unref();
    await this.resync();
  }

  /** Recounts the backlog from the database (start-up, dead letters re-queued) and wakes the worker. */
  async resync() {
    const [row] = await query<{ n: number }>(this.deps.database.db, sql`select count(*)::int as n from messages where status = 'pending'`);
    this.pending = row?.n ?? 0;
    this.notify();
  }

  /** Wake the worker; calls while a drain runs coalesce into one more pass. */
  notify() {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Resolves once everything stored so far has been applied (or dead-lettered). */
  idle() {
    return this.appliedThrough(Number.MAX_SAFE_INTEGER);
  }

  /** Resolves once every message stored with an id up to `id` has been applied (or dead-lettered). */
  async appliedThrough(id: number) {
    for (;;) {
      const [row] = await query<{ n: number }>(this.deps.database.db, sql`select count(*)::int as n from messages where status = 'pending' and id <= ${id}`);
      if (!row?.n) return;
      this.notify();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.running) await this.running;
  }

  private async loop() {
    do {
      this.again = false;
      try {
        while (!this.stopped && (await this.applyBatch()) > 0);
      } catch (err) {
        this.deps.logger.error('worker pass failed', errorKind(err));
      }
    } while (this.again && !this.stopped);
  }

  /** One transaction; returns how many messages it took (0 = nothing to do or another process holds the lock). */
  async applyBatch(): Promise<number> {
    let ids: number[] = [];
    try {
      const applied: AdtCommand[] = [];
      const n = await this.deps.database.db.transaction(async (tx) => {
        const batch = await this.claim(tx, this.deps.batchSize);
        ids = batch.map((m) => m.id);
        if (batch.length) applied.push(...(await this.applyAll(tx, batch)));
        return batch.length;
      });
      for (const c of applied) this.deps.onApplied?.(c);
      return n;
    } catch (err) {
      if (!ids.length) throw err;
      this.deps.logger.warn('batch failed: applying its messages one by one', { ...errorKind(err), messages: ids.length });
      for (const id of ids) await this.applyIsolated(id);
      return ids.length;
    }
  }

  private async claim(tx: Tx, limit: number, onlyId?: number): Promise<Pending[]> {
    if (this.deps.database.kind === 'postgres') {
      const [lock] = await query<{ ok: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${APPLY_LOCK}) as ok`);
      if (!lock?.ok) return [];
    }
    const filter = onlyId === undefined ? sql`` : sql`and id = ${onlyId}`;
    return query<Pending>(tx, sql`select id::int as id, sender, raw from messages where status = 'pending' ${filter} order by id limit ${limit} for update skip locked`);
  }

  /** Applies the batch; returns the commands it applied, for after the commit. */
  private async applyAll(tx: Tx, batch: Pending[]): Promise<AdtCommand[]> {
    const changes = new ChangeLog();
    const done: number[] = [];
    const commands: AdtCommand[] = [];
    for (const m of batch) {
      const actor = `mllp:${m.sender ?? 'unknown'}`;
      let it;
      try {
        it = interpret(m.raw, this.deps.config, this.deps.registry);
      } catch (e) {
        // The config changed since the message was accepted: it waits in the dead-letter store for a retry.
        if (!(e instanceof IngestError)) throw e;
        await tx.execute(sql`update messages set status = 'failed', attempts = attempts + 1, error_code = ${e.hl7Code}, error = ${e.message} where id = ${m.id}`);
        changes.record(actor, 'message.failed', 'message', m.id, m.id, { errorCode: e.hl7Code, error: e.message });
        continue;
      }
      await applyCommand({ tx, registry: this.deps.registry, linker: this.deps.linker, changes, messageId: m.id, actor }, it.command, it.sender.sender);
      changes.record(actor, 'message.applied', 'message', m.id, m.id, { event: it.event });
      done.push(m.id);
      commands.push(it.command);
    }
    if (done.length) {
      await tx.execute(sql`update messages set status = 'done', attempts = attempts + 1, applied_at = now() where id in (${sql.join(done.map((id) => sql`${id}::bigint`), sql`, `)})`);
    }
    await changes.flush(tx);
    this.pending = Math.max(0, this.pending - batch.length);
    return commands;
  }

  private async applyIsolated(id: number) {
    try {
      const applied = await this.deps.database.db.transaction(async (tx) => {
        const batch = await this.claim(tx, 1, id);
        return batch.length ? this.applyAll(tx, batch) : [];
      });
      for (const c of applied) this.deps.onApplied?.(c);
    } catch (err) {
      this.deps.logger.error('message could not be applied: moved to dead letters', { ...errorKind(err), messageId: id });
      await this.deps.database.db.transaction(async (tx) => {
        await tx.execute(sql`update messages set status = 'failed', attempts = attempts + 1, error_code = 207, error = 'could not be applied (internal error); see the service log' where id = ${id} and status = 'pending'`);
        const changes = new ChangeLog();
        changes.record('worker', 'message.failed', 'message', id, id, { errorCode: 207 });
        await changes.flush(tx);
      });
      this.pending = Math.max(0, this.pending - 1);
    }
  }
}
