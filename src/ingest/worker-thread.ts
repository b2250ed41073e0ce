/**
 * The worker on a thread of its own (PostgreSQL only). In one thread, the receiver (MLLP, HL7 parsing, the
 * inbox), the HTTP API and the worker's matching share one event loop, and on the bench machine that loop
 * was the limit while a core stood partly idle: every ACK waited behind the batch being scored. On its own
 * thread the worker opens a pool of its own on the same database and applies exactly as it does in-process
 * (worker.ts: arrival order, the advisory lock, batches, dead letters); this thread keeps the bookkeeping the
 * receiver and the API read synchronously (what is pending, which identifiers), from the ids the thread
 * reports after each commit. PGlite is one process's in-memory engine and cannot be shared with a thread: with
 * it the worker stays in-process.
 *
 * Messages on a MessagePort arrive in order, so an answer to `appliedThrough` comes after the reports of every
 * batch committed before it: when `idle()` resolves, `pending` and `stats` are already up to date.
 */
import { isMainThread, parentPort, Worker as Thread, workerData, type MessagePort } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import type { FileConfig } from '../config.js';
import { errorKind, LOG_RANK, type Fields, type Logger, type LogLevel } from '../lib/log.js';
import { configuredLinker, Matcher } from '../linkage/matcher.js';
import { ModelStore } from '../linkage/models.js';
import { survivorship } from '../linkage/survivorship.js';
import { openDatabase, query, type Database } from '../storage/db.js';
import type { AdtCommand, IdentifierRef } from './adt.js';
import { AuthorityRegistry, type Authority } from './authorities.js';
import { PendingIdentifiers } from './pending-identifiers.js';
import { Worker, type Applicable, type ApplyWorker, type WorkerStats } from './worker.js';

/** What the worker thread needs to build its own worker: plain data, copied to the thread. */
interface ThreadData {
  role: 'apply-worker';
  module: string;
  url: string;
  prepare: boolean;
  poolSize: number;
  config: FileConfig;
  logLevel: LogLevel;
}

type Request = { kind: 'analyze' } | { kind: 'appliedThrough'; id: number; timeoutMs: number } | { kind: 'linkerStats' } | { kind: 'stop' };
type ToThread = { kind: 'remember'; items: Array<{ id: number; it: Applicable }> } | { kind: 'notify' } | { kind: 'ask'; req: number; request: Request };
type FromThread =
  | { kind: 'ready' }
  | { kind: 'startFailed'; error: Fields }
  | { kind: 'applied'; ids: number[]; stats: WorkerStats; authorities: Authority[] }
  | { kind: 'reply'; req: number; value?: unknown; error?: string }
  | { kind: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields?: Fields };

/** Candidate figures of the thread's Matcher (bench:linkage reads them; null when matching is off). */
export interface LinkerStats {
  placed: number;
  candidateGoldens: number[];
  candidateRecords: number[];
  skippedBlocks: number;
}

export interface WorkerThreadDeps {
  /** This thread's database: the backlog is counted here, and its URL opens the thread's own pool. */
  database: Database;
  config: FileConfig;
  /** This thread's registry learns the authorities the worker registers from messages. */
  registry: AuthorityRegistry;
  logger: Logger;
  logLevel: LogLevel;
  /** Connections of the thread's pool: one transaction at a time, and analyze beside it. */
  poolSize?: number;
}

const MODULE = import.meta.url;
const ENTRY = new URL('../lib/ts-thread.mjs', import.meta.url);

export class WorkerThread implements ApplyWorker {
  pending = 0;
  readonly stats: WorkerStats = { batches: 0, messages: 0, readAheadMs: 0, merges: 0, mergeMs: 0, carried: 0 };
  private readonly commands = new Map<number, AdtCommand>();
  private readonly pendingIds = new PendingIdentifiers();
  private thread: Thread | undefined;
  /** Questions sent and not answered, kept to be asked again of a replacement thread. */
  private readonly asked = new Map<number, { request: Request; resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextReq = 1;
  private stopping = false;

  constructor(private readonly deps: WorkerThreadDeps) {}

  async start() {
    await this.spawn();
    await this.resync();
  }

  private spawn(): Promise<void> {
    const pg = this.deps.database.postgres;
    if (!pg) throw new Error('a worker thread needs PostgreSQL');
    const data: ThreadData = { role: 'apply-worker', module: MODULE, url: pg.url, prepare: pg.prepare, poolSize: this.deps.poolSize ?? 3, config: this.deps.config, logLevel: this.deps.logLevel };
    const thread = new Thread(ENTRY, { workerData: data });
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      thread.on('message', (m: FromThread) => {
        if (m.kind === 'ready') {
          ready = true;
          // A replacement that came up after stop() was called is not wanted.
          if (this.stopping) return void thread.terminate().then(() => resolve());
          this.thread = thread;
          // Whatever was asked of a thread that died is asked again (the questions are idempotent).
          for (const [req, a] of this.asked) thread.postMessage({ kind: 'ask', req, request: a.request } satisfies ToThread);
          resolve();
        } else if (m.kind === 'startFailed') reject(Object.assign(new Error('the worker thread could not start'), { cause: m.error }));
        else this.onMessage(m);
      });
      thread.on('error', (err) => {
        // Its stack may quote a row (a driver error): only its kind is logged.
        this.deps.logger.error('worker thread failed', errorKind(err));
        if (!ready) reject(err);
      });
      thread.on('exit', (code) => {
        if (this.thread === thread) this.thread = undefined;
        if (!ready) return reject(new Error(`the worker thread exited with ${code} while starting`));
        if (this.stopping) return;
        // What was stored stays stored: a new thread reads the backlog from the database and applies it.
        this.deps.logger.error('worker thread exited: starting another', { exitCode: code });
        this.respawn();
      });
    });
  }

  private respawn() {
    setTimeout(() => {
      if (this.stopping) return;
      this.spawn()
        .then(() => this.resync())
        .catch((e: unknown) => {
          this.deps.logger.error('worker thread could not be restarted: trying again', errorKind(e));
          this.respawn();
        });
    }, 1000).unref();
  }

  private onMessage(m: FromThread) {
    if (m.kind === 'applied') {
      for (const a of m.authorities) this.deps.registry.learn(a);
      for (const id of m.ids) {
        const cmd = this.commands.get(id);
        if (!cmd) continue;
        this.commands.delete(id);
        this.pendingIds.remove(cmd);
      }
      this.pending = Math.max(0, this.pending - m.ids.length);
      Object.assign(this.stats, m.stats);
    } else if (m.kind === 'reply') {
      const a = this.asked.get(m.req);
      this.asked.delete(m.req);
      if (m.error !== undefined) a?.reject(new Error(m.error));
      else a?.resolve(m.value);
    } else if (m.kind === 'log') {
      this.deps.logger[m.level](m.msg, m.fields);
    }
  }

  /** Lost while no thread runs: a replacement reads the backlog from the database and parses what it needs. */
  private post(m: ToThread) {
    this.thread?.postMessage(m);
  }

  /** Answered by the running thread, or by its replacement when it dies first. */
  private ask<T>(request: Request): Promise<T> {
    if (this.stopping && request.kind !== 'stop') return Promise.reject(new Error('the worker thread is stopping'));
    const req = this.nextReq++;
    return new Promise<T>((resolve, reject) => {
      this.asked.set(req, { request, resolve: resolve as (v: unknown) => void, reject });
      this.post({ kind: 'ask', req, request });
    });
  }

  remember(messageId: number, it: Applicable) {
    this.commands.set(messageId, it.command);
    this.pendingIds.add(it.command);
    this.pending++;
    this.unsent.push({ id: messageId, it });
    this.sendSoon();
  }

  /** Interpretations stored in this turn of the event loop and not yet sent to the thread. */
  private unsent: Array<{ id: number; it: Applicable }> = [];
  private notifyUnsent = false;
  private sending = false;

  /**
   * The messages one group commit stored go to the thread in one postMessage, and the wake-up after them: each
   * postMessage wakes the other thread, and one per message cost the service's thread a twentieth of its time.
   */
  private sendSoon() {
    if (this.sending) return;
    this.sending = true;
    setImmediate(() => {
      this.sending = false;
      const items = this.unsent;
      this.unsent = [];
      if (items.length) this.post({ kind: 'remember', items });
      if (this.notifyUnsent) {
        this.notifyUnsent = false;
        this.post({ kind: 'notify' });
      }
    });
  }

  isPending(id: IdentifierRef): boolean {
    return this.pendingIds.has(id);
  }

  notify() {
    this.notifyUnsent = true;
    this.sendSoon();
  }

  async resync() {
    const [row] = await query<{ n: number }>(this.deps.database.db, sql`select count(*)::int as n from messages where status = 'pending'`);
    this.pending = row?.n ?? 0;
    this.notify();
  }

  /** Before start, nothing to do: the thread refreshes the statistics itself before it reports ready. */
  async analyze() {
    if (this.thread) await this.ask({ kind: 'analyze' });
  }

  appliedThrough(id: number, timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    // Infinity does not survive the copy to the thread (it would arrive as null).
    return this.ask<boolean>({ kind: 'appliedThrough', id, timeoutMs: Number.isFinite(timeoutMs) ? timeoutMs : -1 });
  }

  async idle() {
    await this.appliedThrough(Number.MAX_SAFE_INTEGER);
  }

  /** The thread's Matcher figures, or null when it applies without matching. */
  linkerStats(): Promise<LinkerStats | null> {
    return this.ask<LinkerStats | null>({ kind: 'linkerStats' });
  }

  async stop() {
    this.stopping = true;
    const thread = this.thread;
    if (thread) {
      const exited = new Promise<void>((r) => thread.once('exit', () => r()));
      await this.ask({ kind: 'stop' }).catch(() => undefined);
      await exited;
    }
    for (const [, a] of this.asked) a.reject(new Error('the worker thread stopped'));
    this.asked.clear();
  }
}

/** A logger whose lines the service's logger writes: the thread's log goes where the service's does. */
function forwardingLogger(port: MessagePort, level: LogLevel, base: Fields = {}): Logger {
  const emit = (lvl: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: Fields) => {
    if (LOG_RANK[lvl] >= LOG_RANK[level]) port.postMessage({ kind: 'log', level: lvl, msg, fields: { ...base, ...fields } } satisfies FromThread);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), child: (f) => forwardingLogger(port, level, { ...base, ...f }) };
}

async function runThread(port: MessagePort, data: ThreadData) {
  const logger = forwardingLogger(port, data.logLevel);
  let database: Database | undefined;
  try {
    database = await openDatabase({ url: data.url, prepare: data.prepare, poolSize: data.poolSize, migrate: false });
    const db = database;
    const config = data.config;
    const registry = await AuthorityRegistry.load(db.db, config);
    const known = new Set(registry.all().map((a) => a.id));
    const linker = configuredLinker(config.matching, new ModelStore());
    const survive = survivorship(config.matching.survivorship, (id) => registry.get(id)?.trustRank ?? 0);
    const worker = new Worker({
      database: db,
      config,
      registry,
      linker,
      survive,
      logger,
      batchSize: config.ingest.applyBatchMessages,
      onApplied: (ids) => {
        const authorities = registry.all().filter((a) => !known.has(a.id));
        for (const a of authorities) known.add(a.id);
        port.postMessage({ kind: 'applied', ids: [...ids], stats: { ...worker.stats }, authorities } satisfies FromThread);
      },
    });
    const answer = async (req: number, request: Request) => {
      try {
        let value: unknown;
        if (request.kind === 'analyze') await worker.analyze();
        else if (request.kind === 'appliedThrough') {
          value = await worker.appliedThrough(request.id, request.timeoutMs < 0 ? Number.POSITIVE_INFINITY : request.timeoutMs);
          // The count that said "applied" came on another connection than the batch's commit: one turn of the
          // event loop lets that commit's answer in, so its 'applied' report goes out before this reply.
          await new Promise((r) => setImmediate(r));
        }
        else if (request.kind === 'linkerStats') value = linker instanceof Matcher ? linker.stats : null;
        else if (request.kind === 'stop') {
          await worker.stop();
          await db.close();
        }
        port.postMessage({ kind: 'reply', req, value } satisfies FromThread);
        if (request.kind === 'stop') port.close();
      } catch (err) {
        port.postMessage({ kind: 'reply', req, error: String((errorKind(err) as { errorName?: unknown }).errorName ?? 'error') } satisfies FromThread);
      }
    };
    port.on('message', (m: ToThread) => {
      if (m.kind === 'remember') for (const { id, it } of m.items) worker.remember(id, it);
      else if (m.kind === 'notify') worker.notify();
      else void answer(m.req, m.request);
    });
    await worker.analyze();
    await worker.start();
    port.postMessage({ kind: 'ready' } satisfies FromThread);
  } catch (err) {
    port.postMessage({ kind: 'startFailed', error: errorKind(err) } satisfies FromThread);
    await database?.close().catch(() => undefined);
    port.close();
  }
}

if (!isMainThread && parentPort && (workerData as Partial<ThreadData> | null)?.role === 'apply-worker') {
  void runThread(parentPort, workerData as ThreadData);
}
