import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { FileConfig } from '../config.js';
import { ChangeLog } from '../linkage/changes.js';
import { applyCommand } from '../linkage/apply.js';
import { BatchStore, DemographicsCache, IdPool, selectByKeys, SqlStore, type RecordStore, type Survive } from '../linkage/store.js';
import type { Linker } from '../linkage/linker.js';
import type { Logger } from '../lib/log.js';
import { errorKind } from '../lib/log.js';
import { query, type Database, type Tx } from '../storage/db.js';
import type { AuthorityRegistry } from './authorities.js';
import type { AdtCommand, IdentifierRef } from './adt.js';
import { PendingIdentifiers } from './pending-identifiers.js';
import { IngestError } from './errors.js';
import { interpret } from './interpret.js';

// Held for the length of one apply transaction so that, with several processes on one PostgreSQL,
// one of them applies at a time and each sender's messages are applied in arrival order. Steward actions
// (linkage/steward.ts) take it too, so a batch and a steward's change never interleave.
export const APPLY_LOCK = 7_316_202;
const GATHER_MS = 2;
/** The longest the worker computes without letting the receiver and the HTTP API answer. */
const YIELD_MS = 8;
/**
 * Block hits, member rows and index entries a carried unit of work may hold before a fresh one starts (BatchStore
 * cachedRows): about a hundred bytes each (a member's demographics are the JSON text DemographicsCache already
 * holds, parsed only when needed), so some 100 MB. bench:linkage's 20,000 messages on 100,000 records end at
 * about 375,000.
 */
const MAX_CARRIED_ROWS = 1_000_000;

export interface WorkerDeps {
  database: Database;
  config: FileConfig;
  registry: AuthorityRegistry;
  linker: Linker;
  /** Golden-record survivorship (linkage/survivorship.ts). */
  survive: Survive;
  logger: Logger;
  batchSize: number;
  pollMs?: number;
  /** After the messages' transaction committed (or they became dead letters): the worker thread reports them. */
  onApplied?: (ids: readonly number[]) => void;
}

export interface WorkerStats {
  batches: number;
  messages: number;
  readAheadMs: number;
  merges: number;
  mergeMs: number;
  /** Batches that went on with the unit of work of the batch before (its caches). */
  carried: number;
}

/**
 * What the receiver, the HTTP API and the service ask of whatever applies the stored messages: the Worker
 * below on this thread, or a WorkerThread (worker-thread.ts) running one on a thread of its own.
 */
export interface ApplyWorker {
  /** Stored but not yet applied, as far as this process knows (back-pressure and read-your-writes). */
  readonly pending: number;
  readonly stats: WorkerStats;
  start(): Promise<void>;
  stop(): Promise<void>;
  notify(): void;
  resync(): Promise<void>;
  analyze(): Promise<void>;
  remember(messageId: number, it: Applicable): void;
  isPending(id: IdentifierRef): boolean;
  idle(): Promise<void>;
  appliedThrough(id: number, timeoutMs?: number): Promise<boolean>;
}

interface Pending {
  id: number;
  sender: string | null;
}

/** What applying needs from an interpreted message. */
export interface Applicable {
  command: AdtCommand;
  sender: string;
  event: string;
}

const actorOf = (m: Pending) => `mllp:${m.sender ?? 'unknown'}`;

/**
 * Applies stored messages in arrival order (the inbox id), many per transaction. A batch that fails is
 * re-run one message per transaction so that one bad message becomes a dead letter and the rest apply.
 */
export class Worker implements ApplyWorker {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Interpretations of messages this process stored and has not applied, by inbox id. */
  private readonly interpreted = new Map<number, Applicable>();
  private readonly pendingIds = new PendingIdentifiers();
  /** Source record ids drawn from the sequence ahead of need, shared by every batch of this worker. */
  private readonly ids = new IdPool();
  /** Demographics of the members its units of work read, by record and version (linkage/store.ts). */
  private readonly demographics = new DemographicsCache();
  /**
   * The unit of work of the last committed batch, and where apply_epoch stood after it: the next batch goes on
   * with its caches (blocks, golden records' members, name counts) while the sequence still stands there, that
   * is while no steward and no other process has changed records since. Most blocks and golden records a batch
   * reads were read by a batch before it (three in four blocks, seven in eight golden records in bench:linkage).
   */
  private carried: { store: BatchStore; epoch: string } | null = null;
  /** What the batch in flight will leave to carry, once it commits. */
  private toCarry: { store: BatchStore; epoch: string } | null = null;
  /** Stored but not yet applied, as far as this process knows (back-pressure and read-your-writes). */
  pending = 0;
  /**
   * Where the worker's time goes, for the bench (wall-clock ms, this process): the reads ahead of each unit of
   * work (prime), and the A40s, each of which writes the unit held so far, runs on the database and reads ahead
   * again for the rest of its batch.
   */
  readonly stats: WorkerStats = { batches: 0, messages: 0, readAheadMs: 0, merges: 0, mergeMs: 0, carried: 0 };

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
    // A short pause lets messages arriving together be applied in one transaction instead of one each.
    this.running = new Promise<void>((r) => setTimeout(r, GATHER_MS))
      .then(() => this.loop())
      .finally(() => {
        this.running = null;
      });
  }

  /** Resolves once everything stored so far has been applied (or dead-lettered). */
  async idle() {
    await this.appliedThrough(Number.MAX_SAFE_INTEGER);
  }

  /**
   * Resolves once every message stored with an id up to `id` has been applied (or dead-lettered), or
   * when `timeoutMs` has passed (then with false).
   */
  async appliedThrough(id: number, timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let askedAt = 0;
    for (;;) {
      // While this process knows of messages it has not applied, asking the database can wait a little.
      if (this.pending === 0 || Date.now() >= deadline || Date.now() - askedAt >= 250) {
        askedAt = Date.now();
        const [row] = await query<{ n: number }>(this.deps.database.db, sql`select count(*)::int as n from messages where status = 'pending' and id <= ${id}`);
        if (!row?.n) return true;
        if (Date.now() >= deadline) return false;
      }
      this.notify();
      await new Promise((r) => setTimeout(r, this.pending === 0 ? 5 : 20));
    }
  }

  private appliedSinceAnalyze = 0;
  private nextAnalyzeAt = 256;

  /**
   * Refreshes the planner's statistics of the tables matching reads, as they grow: after 256 applied
   * messages, then whenever a fifth as many have been applied as there are records. Without it a database that started empty keeps the plans of an empty
   * table (PGlite has no autovacuum, and a server may have it off): the candidate query then scans every
   * record for every blocking key, and applying slows to a crawl by a few thousand records.
   */
  private async maybeAnalyze(applied: number) {
    this.appliedSinceAnalyze += applied;
    if (this.appliedSinceAnalyze < this.nextAnalyzeAt || this.analyzing) return;
    // On PostgreSQL it runs on a connection of its own while batches go on (at 100,000 records it takes a second
    // or two); PGlite has one connection, so there the worker waits for it.
    this.analyzing = this.analyze().finally(() => {
      this.analyzing = null;
    });
    if (this.deps.database.kind !== 'postgres') await this.analyzing;
  }

  private analyzing: Promise<void> | null = null;

  /** The next refresh once a fifth as many messages as there are records have been applied. */
  private async readStatistics() {
    try {
      const [row] = await query<{ n: number }>(this.deps.database.db, sql`select greatest(reltuples, 0)::float8 as n from pg_class where relname = 'source_records'`);
      this.nextAnalyzeAt = Math.max(256, Math.round((row?.n ?? 0) / 5));
    } catch (err) {
      this.deps.logger.warn('could not read table statistics', errorKind(err));
    }
  }

  /** Then again after a fifth as many messages as there are records (256 at least). */
  async analyze() {
    try {
      this.appliedSinceAnalyze = 0;
      await this.deps.database.db.execute(sql`analyze source_records, blocking_keys, golden_records, links, review_items`);
      await this.readStatistics();
    } catch (err) {
      this.deps.logger.warn('could not refresh table statistics', errorKind(err));
    }
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.running) await this.running;
    if (this.analyzing) await this.analyzing;
  }

  private async loop() {
    do {
      this.again = false;
      try {
        // A batch smaller than the limit emptied the queue as it stood; later arrivals set `again`.
        while (!this.stopped && (await this.applyBatch()) >= this.deps.batchSize);
      } catch (err) {
        this.deps.logger.error('worker pass failed', errorKind(err));
      }
    } while (this.again && !this.stopped);
  }

  /** One transaction; returns how many messages it took (0 = nothing to do or another process holds the lock). */
  async applyBatch(): Promise<number> {
    let ids: number[] = [];
    try {
      this.toCarry = null;
      const n = await this.deps.database.db.transaction(async (tx) => {
        const batch = await this.claim(tx, this.deps.batchSize);
        ids = batch.map((m) => m.id);
        if (batch.length) await this.applyAll(tx, batch);
        return batch.length;
      });
      if (n) this.carried = this.toCarry;
      this.forget(ids);
      await this.maybeAnalyze(n);
      return n;
    } catch (err) {
      // Whatever the unit of work holds was rolled back with the batch.
      this.carried = null;
      if (!ids.length) throw err;
      this.deps.logger.warn('batch failed: applying its messages one by one', { ...errorKind(err), messages: ids.length });
      // Authorities registered inside the rolled-back transaction are not on file: drop them from memory.
      await this.deps.registry.reload(this.deps.database.db);
      for (const id of ids) await this.applyIsolated(id);
      return ids.length;
    }
  }

  /** Keeps what the receiver already interpreted, so the worker need not parse the message again. */
  remember(messageId: number, it: Applicable) {
    this.interpreted.set(messageId, it);
    this.pendingIds.add(it.command);
    this.pending++;
  }

  /** Whether a message this process stored, not yet applied, names the identifier. */
  isPending(id: IdentifierRef): boolean {
    return this.pendingIds.has(id);
  }

  private async claim(tx: Tx, limit: number, onlyId?: number): Promise<Pending[]> {
    if (this.deps.database.kind === 'postgres') {
      const [lock] = await query<{ ok: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${APPLY_LOCK}) as ok`);
      if (!lock?.ok) return [];
    }
    const filter = onlyId === undefined ? sql`` : sql`and id = ${onlyId}`;
    return query<Pending>(tx, sql`select id::int as id, sender from messages where status = 'pending' ${filter} order by id limit ${limit} for update skip locked`);
  }

  /** After a commit: these messages are applied or dead-lettered, so they no longer count as pending. */
  private forget(ids: readonly number[]) {
    this.deps.onApplied?.(ids);
    for (const id of ids) {
      const it = this.interpreted.get(id);
      if (!it) continue;
      this.interpreted.delete(id);
      this.pendingIds.remove(it.command);
    }
  }

  /**
   * Applies the batch. Registrations go through
   * a unit of work (BatchStore) written in a few statements; an A40 first writes what is held, then runs
   * record by record, since it reads golden-record membership from the database.
   */
  private async applyAll(tx: Tx, batch: Pending[]): Promise<void> {
    const changes = new ChangeLog();
    const done: number[] = [];
    const failed: Array<{ id: number; code: number; error: string }> = [];
    const work = await this.interpretAll(tx, batch, changes, failed);
    const batchable = this.deps.linker.batchSafe === true;
    const sqlStore = new SqlStore(this.deps.survive);
    let store: RecordStore = batchable ? await this.unitOfWork(tx) : sqlStore;
    // One lookup for every identifier the registrations up to the next A40 name, and the linker's read-ahead
    // for them. An A40 runs on the database (SqlStore), after which the unit of work drops what the merge can
    // have touched and reads ahead again: without that, every registration after an A40 would read its
    // candidates one query at a time.
    const prime = async (from: number) => {
      const t0 = performance.now();
      await readAhead(from);
      this.stats.readAheadMs += performance.now() - t0;
    };
    const readAhead = async (from: number) => {
      const upTo = work.findIndex((w, i) => i >= from && w.it.command.kind === 'merge');
      const run = work.slice(from, upTo < 0 ? work.length : upTo).flatMap((w) => (w.it.command.kind === 'register' ? [w.it.command] : []));
      if (!run.length) return;
      const keys: Array<{ authorityId: number; identifier: string }> = [];
      for (const c of run) for (const ref of c.identifiers) keys.push({ authorityId: (await this.deps.registry.ensure(tx, ref.authority)).id, identifier: ref.value });
      await store.load(tx, keys);
      if (this.deps.linker.prepare) await this.deps.linker.prepare(tx, store, run.map((c) => c.demographics));
    };
    if (batchable) await prime(0);
    let since = performance.now();
    for (const [i, { m, it }] of work.entries()) {
      // A batch read ahead runs on cached reads, which resolve without returning to the event loop: without a
      // pause now and then, a batch of a few hundred messages would hold every ACK and HTTP answer for as long.
      if (performance.now() - since > YIELD_MS) {
        await new Promise((r) => setImmediate(r));
        since = performance.now();
      }
      const ctx = { tx, store, registry: this.deps.registry, linker: this.deps.linker, changes, messageId: m.id, actor: actorOf(m) };
      if (it.command.kind === 'merge' && store instanceof BatchStore) {
        const t0 = performance.now();
        await store.flush(tx);
        // The records the merge names and their golden records, before and after it: what it can have made
        // stale in the unit of work, which then goes on (BatchStore.forgetAround).
        const named = await this.mergeKeys(tx, it.command);
        const before = await selectByKeys(tx, named);
        await applyCommand({ ...ctx, store: sqlStore }, it.command, it.sender);
        const after = await selectByKeys(tx, named);
        const rows = [...before, ...after];
        await store.forgetAround(tx, rows.map((r) => r.id), rows.flatMap((r) => (r.goldenId ? [r.goldenId] : [])));
        await prime(i + 1);
        this.stats.merges++;
        this.stats.mergeMs += performance.now() - t0;
      } else await applyCommand(ctx, it.command, it.sender);
      changes.record(ctx.actor, 'message.applied', 'message', m.id, m.id, { event: it.event });
      done.push(m.id);
    }
    await store.flush(tx);
    if (store instanceof BatchStore) {
      const [bumped] = await query<{ n: string }>(tx, sql`select nextval('apply_epoch')::text as n`);
      this.toCarry = { store, epoch: bumped!.n };
    }
    if (done.length) await tx.execute(sql`update messages set status = 'done', attempts = attempts + 1, applied_at = now() where id = any(${sql.param(done)}::bigint[])`);
    if (failed.length) {
      await tx.execute(sql`update messages m set status = 'failed', attempts = attempts + 1, error_code = v.code, error = v.error
        from unnest(${sql.param(failed.map((f) => f.id))}::bigint[], ${sql.param(failed.map((f) => f.code))}::int[], ${sql.param(failed.map((f) => f.error))}::text[]) as v(id, code, error)
        where m.id = v.id`);
    }
    await changes.flush(tx);
    this.pending = Math.max(0, this.pending - batch.length);
    this.stats.batches++;
    this.stats.messages += batch.length;
  }

  /** Every identifier an A40 names, survivors and retired, as record keys. */
  private async mergeKeys(tx: Tx, command: Extract<AdtCommand, { kind: 'merge' }>) {
    const keys: Array<{ authorityId: number; identifier: string }> = [];
    for (const g of command.groups) for (const ref of [...g.survivor, ...g.retired]) keys.push({ authorityId: (await this.deps.registry.ensure(tx, ref.authority)).id, identifier: ref.value });
    return keys;
  }

  private freshUnit(): BatchStore {
    return new BatchStore(this.deps.survive, this.ids, this.demographics);
  }

  /**
   * The last batch's unit of work when apply_epoch still stands where that batch left it (nothing else has
   * changed records since: every steward action and every other process's batch advances it) and it has not
   * grown past MAX_CARRIED_ROWS; else a fresh one.
   */
  private async unitOfWork(tx: Tx): Promise<BatchStore> {
    const carried = this.carried;
    this.carried = null;
    if (!carried || carried.store.cachedRows > MAX_CARRIED_ROWS) return this.freshUnit();
    const [row] = await query<{ n: string }>(tx, sql`select last_value::text as n from apply_epoch`);
    if (row?.n !== carried.epoch) return this.freshUnit();
    this.stats.carried++;
    return carried.store;
  }

  /** The receiver's interpretation when this process stored the message, else a fresh one from the raw text. */
  private async interpretAll(tx: Tx, batch: Pending[], changes: ChangeLog, failed: Array<{ id: number; code: number; error: string }>) {
    const misses = batch.filter((m) => !this.interpreted.has(m.id)).map((m) => m.id);
    const raw = new Map<number, string>();
    if (misses.length) {
      for (const r of await query<{ id: number; raw: string }>(tx, sql`select id::int as id, raw from messages where id = any(${sql.param(misses)}::bigint[])`)) raw.set(r.id, r.raw);
    }
    const work: Array<{ m: Pending; it: Applicable }> = [];
    for (const m of batch) {
      let it = this.interpreted.get(m.id);
      if (!it) {
        try {
          const full = interpret(raw.get(m.id) ?? '', this.deps.config, this.deps.registry);
          it = { command: full.command, sender: full.sender.sender, event: full.event };
        } catch (e) {
          // The config changed since the message was accepted: it waits in the dead-letter store for a retry.
          if (!(e instanceof IngestError)) throw e;
          failed.push({ id: m.id, code: e.hl7Code, error: e.message });
          changes.record(actorOf(m), 'message.failed', 'message', m.id, m.id, { errorCode: e.hl7Code, error: e.message });
          continue;
        }
      }
      work.push({ m, it });
    }
    return work;
  }

  private async applyIsolated(id: number) {
    try {
      await this.deps.database.db.transaction(async (tx) => {
        const batch = await this.claim(tx, 1, id);
        if (batch.length) await this.applyAll(tx, batch);
      });
      this.forget([id]);
    } catch (err) {
      this.forget([id]);
      await this.deps.registry.reload(this.deps.database.db);
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
