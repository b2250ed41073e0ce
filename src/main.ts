import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { isAddressInUse, retryWhile } from './lib/wait.js';
import { createApi } from './api/app.js';
import { loadApiKeys, type ApiKey } from './api/auth.js';
import { ConfigError, type Config } from './config.js';
import { AuthorityRegistry, type Authority } from './ingest/authorities.js';
import { Inbox } from './ingest/inbox.js';
import { Receiver } from './ingest/receiver.js';
import { Worker, type ApplyWorker } from './ingest/worker.js';
import { WorkerThread } from './ingest/worker-thread.js';
import { knownIdentifiers } from './linkage/crosswalk.js';
import { lastStoredId } from './ingest/inbox.js';
import type { Linker } from './linkage/linker.js';
import { configuredLinker } from './linkage/matcher.js';
import { ModelStore } from './linkage/models.js';
import { survivorship } from './linkage/survivorship.js';
import { createLogger, type Logger } from './lib/log.js';
import { startMllpServer, type MllpServer } from './mllp/index.js';
import { openDatabase, type Database } from './storage/db.js';

export interface Service {
  config: Config;
  database: Database;
  registry: AuthorityRegistry;
  /** A Worker on this thread, or (PostgreSQL, `ingest.workerThread`) a WorkerThread applying on a thread of its own. */
  worker: ApplyWorker;
  receiver: Receiver;
  /**
   * The linker an in-process worker applies with (a Matcher unless matching is disabled or a test passed its
   * own); undefined with a worker thread, which builds its own from the config (WorkerThread.linkerStats).
   */
  linker: Linker | undefined;
  mllpPort: number;
  httpPort: number;
  keys: ApiKey[];
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  linker?: Linker;
  /** Use this database instead of opening one from the config (tests). */
  database?: Database;
  /** Which roles to run; default all. */
  roles?: { mllp?: boolean; http?: boolean; worker?: boolean };
  /** How long start-up waits for a previous process to release the ports and the embedded database. */
  startupWaitMs?: number;
}

/**
 * PGlite is one process's database: a second process opening the same directory would corrupt it, so
 * the directory carries a lock file naming its owner (a stale one, from a killed process, is taken over).
 */
async function lockDataDir(dir: string, waitMs: number) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'owner.pid');
  await retryWhile(
    async () => {
      if (!existsSync(file)) return;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DataDirInUse(`the embedded database in ${dir} is in use by process ${pid} (a running service?): stop it first, or use its HTTP API`);
      }
    },
    (e) => e instanceof DataDirInUse,
    waitMs,
  );
  writeFileSync(file, String(process.pid));
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {
      // already gone
    }
  };
}

class DataDirInUse extends ConfigError {}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `waitMs`: how long to wait for another process to release the embedded database (a restart after a kill). */
export async function databaseFromConfig(config: Config, waitMs = 0): Promise<Database> {
  if (!config.env.DATABASE_URL) {
    const dir = join(config.dataDir, 'pglite');
    const unlock = await lockDataDir(dir, waitMs);
    try {
      const db = await openDatabase({ dataDir: dir });
      return { ...db, close: () => db.close().finally(unlock) };
    } catch (e) {
      unlock();
      throw e;
    }
  }
  return openDatabase({ url: config.env.DATABASE_URL, poolSize: config.env.MPI_DB_POOL, prepare: config.env.MPI_DB_PREPARE === 'on' });
}

/** The identifier as a message would name it (for the worker's pending set). */
const identifierRef = (authority: Authority, value: string) => ({ authority: { oid: authority.oid ?? undefined, namespace: authority.namespace ?? undefined }, value });

/** The composition root: wires storage, the sidecar, the worker and the HTTP API together. */
export async function startService(config: Config, opts: StartOptions = {}): Promise<Service> {
  const logger = opts.logger ?? createLogger(config.env.MPI_LOG_LEVEL);
  const roles = { mllp: true, http: true, worker: true, ...opts.roles };
  const waitMs = opts.startupWaitMs ?? 0;
  const database = opts.database ?? (await databaseFromConfig(config, waitMs));
  const registry = await AuthorityRegistry.load(database.db, config.file);
  const { keys, generatedFile } = loadApiKeys(config.env.MPI_API_KEYS, config.dataDir);
  if (generatedFile) logger.info('no MPI_API_KEYS: using the generated admin API key', { file: generatedFile });

  const storedBeforeStart = await lastStoredId(database);
  const models = new ModelStore();
  const installed = await models.ensureDefault(database.db);
  if (installed.activated) logger.warn('match model activated at start-up', { version: installed.activated, replaced: installed.replaced ?? null, reason: installed.replaced ? 'the active model was an older shipped default or no longer fits this version' : 'first start' });
  const matching = config.file.matching;
  // A linker passed in is an object of this thread: only a worker here can apply with it.
  const threaded = roles.worker && !opts.linker && database.postgres !== undefined && config.file.ingest.workerThread;
  // A worker thread builds its own linker from the config; one here would only hold the name tables twice.
  const linker = threaded ? undefined : (opts.linker ?? configuredLinker(matching, models));
  const worker: ApplyWorker = linker
    ? new Worker({ database, config: config.file, registry, linker, survive: survivorship(matching.survivorship, (id) => registry.get(id)?.trustRank ?? 0), logger: logger.child({ role: 'worker' }), batchSize: config.file.ingest.applyBatchMessages })
    : new WorkerThread({ database, config: config.file, registry, logger: logger.child({ role: 'worker' }), logLevel: config.env.MPI_LOG_LEVEL });
  // PGlite has one connection: a second write would only queue behind the first.
  const inbox = new Inbox(database.db, { batchMax: config.file.ingest.batchMaxMessages, logger, concurrency: database.kind === 'postgres' ? config.file.ingest.concurrentWrites : 1 });
  const receiver = new Receiver({
    config: config.file,
    registry,
    inbox,
    logger: logger.child({ role: 'mllp' }),
    onStored: (messageId, it) => {
      worker.remember(messageId, it);
      if (roles.worker) worker.notify();
    },
    knownIdentifiers: async (refs) => {
      const known = await knownIdentifiers(database.db, registry, refs);
      const missing = refs.filter((r, i) => !known[i] && !worker.isPending(r));
      if (!missing.length) return refs.map(() => true);
      // Messages stored before this process started are not in pendingIds: let the worker apply them.
      await worker.appliedThrough(storedBeforeStart);
      return knownIdentifiers(database.db, registry, refs).then((k) => k.map((v, i) => v || worker.isPending(refs[i]!)));
    },
    admit: async () => {
      // Back-pressure: past the backlog limit, ACKs wait for the worker, which bounds crosswalk lag.
      while (worker.pending > config.file.ingest.maxPending) await new Promise((r) => setTimeout(r, 5));
    },
  });
  if (roles.worker) {
    // Statistics as the tables stand now: a database restarted after growing may never have had them.
    await worker.analyze();
    await worker.start();
  }

  let mllp: MllpServer | undefined;
  if (roles.mllp) {
    const tls = config.file.mllp.tls;
    mllp = await retryWhile(() => startMllpServer({
      host: config.env.MLLP_HOST,
      port: config.env.MLLP_PORT,
      maxFrameBytes: config.file.mllp.maxFrameBytes,
      idleTimeoutMs: config.file.mllp.idleTimeoutMs,
      tls: tls ? { cert: readFileSync(tls.cert), key: readFileSync(tls.key), ca: tls.ca ? readFileSync(tls.ca) : undefined } : undefined,
      onMessage: (payload, ctx) => receiver.onMessage(payload, ctx),
      onOversize: (head, size, ctx) => receiver.onOversize(head, size, ctx),
      logger: logger.child({ role: 'mllp' }),
    }), isAddressInUse, waitMs);
    logger.info('MLLP listening', { port: mllp.port, tls: !!tls });
  }

  let http: ServerType | undefined;
  let httpPort = 0;
  if (roles.http) {
    const api = createApi({
      database,
      registry,
      keys,
      logger: logger.child({ role: 'api' }),
      config: config.file,
      onRequeued: () => void worker.resync().catch(() => undefined),
      requeued: (messageId, it) => worker.remember(messageId, it),
      // A query right after an ACK must not miss what that ACK promised: wait (5 s at most) for the
      // worker when a stored message names the identifier, or when an unknown one may be in the backlog.
      settle: {
        mayWait: (authority, value) => worker.pending > 0 || worker.isPending(identifierRef(authority, value)),
        wait: async (authority, value, found) => {
          if (found && !worker.isPending(identifierRef(authority, value))) return;
          const through = await lastStoredId(database);
          await worker.appliedThrough(through, 5000);
        },
      },
    });
    const server = createAdaptorServer({ fetch: api.fetch });
    http = server;
    await retryWhile(
      () =>
        new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(config.env.HTTP_PORT, config.env.HTTP_HOST, () => {
            server.off('error', reject);
            resolve();
          });
        }),
      isAddressInUse,
      waitMs,
    );
    httpPort = (server.address() as AddressInfo).port;
    logger.info('HTTP listening', { port: httpPort });
  }

  return {
    config,
    database,
    registry,
    worker,
    linker,
    receiver,
    mllpPort: mllp?.port ?? 0,
    httpPort,
    keys,
    async stop() {
      await mllp?.close();
      await inbox.close();
      await worker.stop();
      if (http) await new Promise<void>((r) => http!.close(() => r()));
      if (!opts.database) await database.close();
    },
  };
}
