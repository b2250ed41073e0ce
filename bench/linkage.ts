/**
 * Online linkage benchmark on PostgreSQL with a large store: the service runs in-process on a database that
 * already holds `--preload` golden records, and a realistic multi-sender feed (bench/adt-population.ts) is
 * sent over MLLP; every record it places is blocked and scored against the stored ones.
 *
 *   npm run bench:linkage -- [--preload 100000] [--messages 20000] [--connections 4] [--seed 1] [--rebuild]
 *
 * Prints ONE JSON line on stdout (progress goes to stderr):
 *   preloadGoldens / preloadRecords   active golden records / source records stored before the run
 *   ackedPerSec, ackP50Ms, ackP99Ms   messages / (first send → last ACK); ACK latency percentiles
 *   appliedPerSec, applySeconds       messages / (first send → worker idle)
 *   processCpuMsPerMessage            CPU of this process (service and its MLLP client) per message, first send → idle
 *   machineCpuMsPerMessage            CPU of the whole machine (PostgreSQL too) per message, same window (/proc/stat)
 *   median/p90/maxCandidateGoldens    golden records sharing a blocking key with each record placed (Matcher.stats)
 *   medianCandidateRecords            source records in those blocks
 *   skippedBlocks                     blocking keys skipped as over maxBlockSize during the run
 *   workerBatches                     transactions the worker applied the run in
 *   workerReadAheadSeconds            worker time reading ahead for its units of work (Worker.stats), of applySeconds
 *                                     (the reads again after each A40 are counted here and in workerMergeSeconds)
 *   workerBatchesCarried              batches that went on with the caches of the batch before (worker.ts: apply_epoch)
 *   workerMerges, workerMergeSeconds  A40 messages, and the worker time they took: writing the unit held so
 *                                     far, the merge on the database, and reading ahead again for the rest of the batch
 *   linksAuto, reviewItemsOpened, newGoldens   created during the run
 *   nonAA                             replies that were not MSA|AA (or CA, the enhanced-mode accept) for the message
 *
 * The preload is built once and kept as a template database on the server of DATABASE_URL, named
 * mpi_linkage_tpl_<preload>_<hash of migrations/*.sql + seed + VERSION>: bench/feed.ts patients (one
 * registration each, distinct people, common US names, so blocks are realistically full) sent over MLLP on
 * `--connections` lanes, applied, vacuumed. Each run copies it (CREATE DATABASE … TEMPLATE) and drops the
 * copy at the end. `--rebuild` drops and rebuilds the template. The measured feed is a generatePopulation
 * feed with another seed (other people), one lane per sender group, per-sender order kept.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { parseNicknameCsv } from '../algorithms/normalize/nicknames.js';
import { loadConfig, parseFileConfig, type Config } from '../src/config.js';
import { createLogger, type Logger } from '../src/lib/log.js';
import { startService, type Service } from '../src/main.js';
import { WorkerThread } from '../src/ingest/worker-thread.js';
import { pgClient, query } from '../src/storage/db.js';
import { defaultPopulationSenders, generatePopulation, populationSummary, serviceConfigFor, type PopulationSender } from './adt-population.js';
import { generateFeed, makeSenders, type SenderSpec } from './feed.js';
import { parseBenchOptions } from './args.js';
import { sendLanesOnThread, type Outbound, type SendResult } from './mllp-lanes.js';
import { benchServiceEnv } from './databases.js';

/** Bump when the way the template is built changes (its name changes, so a new one is built). */
const VERSION = 1;

interface Options {
  preload: number;
  messages: number;
  connections: number;
  seed: number;
  rebuild: boolean;
}

const log = (msg: string) => process.stderr.write(`[bench:linkage] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);

function parseArgs(argv: string[]): Options {
  const o = parseBenchOptions(argv, ['preload', 'messages', 'connections', 'seed'], ['rebuild']);
  if (!process.env.DATABASE_URL) throw new Error('bench:linkage needs DATABASE_URL (the PostgreSQL server on which the template and run databases are created)');
  return { preload: o.int('preload', 100_000, 1), messages: o.int('messages', 20_000, 1), connections: o.int('connections', 4, 1), seed: o.int('seed', 1, 0), rebuild: o.flag('rebuild') };
}

// ---------------------------------------------------------------------------------------------- feeds and config

/** Preload senders: OIDs …9999.101-108 (the population's are …9999.201-205), control ids prefixed P. */
const preloadSenders = () => makeSenders(8, { first: 101, tag: 'P' });

/**
 * One config that accepts both the preload senders (bench/feed.ts) and the population senders: the
 * template is built and every run is served with it, so authorities and trust ranks never differ.
 */
function benchConfig(pre: SenderSpec[], pop: PopulationSender[]): Record<string, unknown> {
  const popOids = new Set(pop.map((s) => s.oid));
  for (const s of pre) if (popOids.has(s.oid)) throw new Error(`preload sender OID ${s.oid} collides with a population sender`);
  const base = serviceConfigFor(pop) as { authorities: unknown[]; senders: unknown[] } & Record<string, unknown>;
  return {
    ...base,
    authorities: [...base.authorities, ...pre.map((s) => ({ namespace: s.namespace, oid: s.oid, name: `preload ${s.name}`, trustRank: 15 }))],
    senders: [
      ...base.senders,
      ...pre.map((s) => ({
        application: s.application,
        facility: s.facility,
        defaultAuthority: s.oid,
        namespaces: { [s.namespace]: s.oid },
        assigns: [s.oid],
        ssn: { pid3Types: ['SS'], pid19: false },
        acceptedEvents: ['A01', 'A04', 'A08', 'A28', 'A40'],
      })),
    ],
  };
}

/** Senders grouped onto `k` lanes (balanced by message count); each lane keeps the feed's order. */
function lanesOf<T extends Outbound>(messages: T[], k: number): T[][] {
  const count = new Map<string, number>();
  for (const m of messages) count.set(m.sender, (count.get(m.sender) ?? 0) + 1);
  const lanes: T[][] = Array.from({ length: Math.min(k, count.size) }, () => []);
  const load = new Array<number>(lanes.length).fill(0);
  const assign = new Map<string, number>();
  for (const [sender, n] of [...count].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    let best = 0;
    for (let i = 1; i < lanes.length; i++) if (load[i]! < load[best]!) best = i;
    assign.set(sender, best);
    load[best] = load[best]! + n;
  }
  for (const m of messages) lanes[assign.get(m.sender)!]!.push(m);
  return lanes;
}

// ---------------------------------------------------------------------------------------------- helpers

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * CPU time every core has spent busy (user, nice, system, irq, softirq) since boot, in ms, from /proc/stat;
 * null where there is none. With the bench alone on the machine, its delta is what the service, its client
 * and PostgreSQL cost together: a steadier figure than throughput, which moves with whatever else runs.
 */
export function machineCpuMs(): number | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return ((f[0]! + f[1]! + f[2]! + f[5]! + f[6]!) * 1000) / 100;
  } catch {
    return null;
  }
}

function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function dbUrl(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (sql: postgres.Sql) => Promise<T>, url = process.env.DATABASE_URL!): Promise<T> {
  const a = pgClient(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(a);
  } finally {
    await a.end({ timeout: 5 });
  }
}

/**
 * The template, built when missing. Several benches may want it at once (bench:api, bench:review and this
 * one run side by side): a session advisory lock per template name makes one build it while the others
 * wait and then reuse it, instead of each dropping the others' half-built copy.
 */
async function ensureTemplate(o: Options, tpl: string, file: Record<string, unknown>, dataDir: string): Promise<void> {
  await admin(async (a) => {
    const [got] = await a`select pg_try_advisory_lock(hashtext(${tpl})) as ok`;
    if (!got?.ok) {
      log(`template: another process is building ${tpl}; waiting for it`);
      await a`select pg_advisory_lock(hashtext(${tpl}))`;
    }
    if (await databaseExists(tpl)) log(`template: reusing ${tpl}`);
    else await buildTemplate(o, tpl, file, dataDir);
    // The lock is the session's: it goes with this connection when admin() ends it.
  });
}

async function databaseExists(name: string): Promise<boolean> {
  return admin(async (a) => (await a`select 1 from pg_database where datname = ${name}`).length > 0);
}

/** Warnings and errors of the service, counted and the first few echoed to stderr. */
function serviceLogger(tally: { warn: number; error: number }): Logger {
  let echoed = 0;
  return createLogger('warn', {}, (line) => {
    const level = (JSON.parse(line) as { level?: string }).level;
    if (level === 'error') tally.error++;
    else tally.warn++;
    if (echoed++ < 20) process.stderr.write(`  service: ${line}\n`);
  });
}

function configFor(url: string, dataDir: string, file: Record<string, unknown>): Config {
  const config = loadConfig(benchServiceEnv({ dataDir, apiKeys: 'bench-linkage-key-0123456789abcdef:admin', databaseUrl: url }));
  config.file = parseFileConfig(file, 'bench:linkage config');
  return config;
}

function templateName(o: Options): string {
  const h = createHash('sha256');
  const dir = new URL('../migrations/', import.meta.url);
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    h.update(f).update('\0').update(readFileSync(new URL(f, dir))).update('\0');
  }
  h.update(`seed=${o.seed};version=${VERSION}`);
  return `mpi_linkage_tpl_${o.preload}_${h.digest('hex').slice(0, 10)}`;
}

// ---------------------------------------------------------------------------------------------- template

async function buildTemplate(o: Options, tpl: string, file: Record<string, unknown>, dataDir: string): Promise<number> {
  const t0 = Date.now();
  const building = `${tpl}_b`;
  await admin(async (a) => {
    await a.unsafe(`drop database if exists ${building} with (force)`);
    await a.unsafe(`create database ${building}`);
  });
  log(`template: building ${tpl} (in ${building}) with ${o.preload} preload patients`);
  const tally = { warn: 0, error: 0 };
  let service: Service | undefined;
  try {
    service = await startService(configFor(dbUrl(process.env.DATABASE_URL!, building), dataDir, file), { logger: serviceLogger(tally) });
    const feed = generateFeed({ seed: o.seed, patients: o.preload, senders: preloadSenders(), updatesPerPatient: 0, mergeRate: 0 });
    const lanes = lanesOf(feed.messages, o.connections);
    log(`template: sending ${feed.messages.length} registrations on ${lanes.length} connections (${lanes.map((l) => l.length).join('/')})`);
    const start = Date.now();
    let acked = 0;
    let last = { at: start, acked: 0, applied: 0 };
    const svc = service;
    const timer = setInterval(() => {
      const now = Date.now();
      const applied = acked - svc.worker.pending;
      log(`template: ${acked} ACKed (${Math.round(((acked - last.acked) * 1000) / (now - last.at))}/s), ~${applied} applied (${Math.round(((applied - last.applied) * 1000) / (now - last.at))}/s), ${Math.round((now - start) / 1000)} s`);
      last = { at: now, acked, applied };
    }, 15_000);
    // This server may run without autovacuum (the bench machine does): a table that grows from empty keeps
    // the planner's "tiny table" estimates, and candidate lookups turn into a sequential scan per key. A
    // production server would auto-analyze as the tables grow; the bench does it by hand meanwhile.
    const analyzer = pgClient(dbUrl(process.env.DATABASE_URL!, building), { max: 1, onnotice: () => {} });
    let analyzing: Promise<unknown> = Promise.resolve();
    let analyzes = 0;
    const analyzeTimer = setInterval(() => {
      analyzing = analyzing.then(() => analyzer.unsafe('analyze').then(() => analyzes++)).catch((e: unknown) => log(`template: analyze failed: ${String(e)}`));
    }, 10_000);
    let sent: SendResult;
    try {
      sent = await sendLanesOnThread(service.mllpPort, lanes, (n) => (acked = n));
      log(`template: all ACKed in ${round((Date.now() - start) / 1000, 1)} s; waiting for the worker`);
      await service.worker.idle();
    } finally {
      clearInterval(timer);
      clearInterval(analyzeTimer);
      await analyzing;
      await analyzer.end({ timeout: 5 });
    }
    log(`template: ${analyzes} ANALYZE passes during the preload`);
    const secs = (Date.now() - start) / 1000;
    log(`template: ${feed.messages.length} applied in ${round(secs, 1)} s (${Math.round(feed.messages.length / secs)} records/s); service warnings ${tally.warn}, errors ${tally.error}`);
    if (sent.nonAA) throw new Error(`template: ${sent.nonAA} replies were not AA (first: ${sent.firstBad})`);
    const [row] = await query<{ goldens: number; records: number; notDone: number }>(
      service.database.db,
      sql`select (select count(*)::int from golden_records where status = 'active') as goldens,
                 (select count(*)::int from source_records) as records,
                 (select count(*)::int from messages where status <> 'done') as "notDone"`,
    );
    log(`template: ${row?.goldens} active golden records, ${row?.records} source records, ${row?.notDone} messages not done`);
    if ((row?.notDone ?? 1) !== 0) throw new Error(`template: ${row?.notDone} messages were not applied`);
    if ((row?.goldens ?? 0) < o.preload * 0.95) log(`template: WARNING fewer golden records (${row?.goldens}) than 95 % of --preload ${o.preload}`);
    await service.stop();
    service = undefined;
    await admin(async (a) => {
      await a.unsafe('vacuum (analyze)');
    }, dbUrl(process.env.DATABASE_URL!, building));
    await admin(async (a) => {
      await a.unsafe(`alter database ${building} rename to ${tpl}`);
    });
    const took = (Date.now() - t0) / 1000;
    log(`template: ${tpl} ready in ${round(took, 1)} s`);
    return took;
  } catch (e) {
    await service?.stop().catch(() => undefined);
    await admin(async (a) => a.unsafe(`drop database if exists ${building} with (force)`)).catch(() => undefined);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------- run

interface MatcherStatsLike {
  candidateGoldens: number[];
  candidateRecords: number[];
  skippedBlocks: number;
}

/** A copy of the Matcher's figures: the worker thread's, or the in-process linker's. */
async function matcherStats(service: Service): Promise<MatcherStatsLike | undefined> {
  const s = (service.worker instanceof WorkerThread ? await service.worker.linkerStats() : (service.linker as { stats?: Partial<MatcherStatsLike> } | undefined)?.stats) as Partial<MatcherStatsLike> | null | undefined;
  if (!s || !Array.isArray(s.candidateGoldens) || !Array.isArray(s.candidateRecords) || typeof s.skippedBlocks !== 'number') return undefined;
  return { candidateGoldens: [...s.candidateGoldens], candidateRecords: [...s.candidateRecords], skippedBlocks: s.skippedBlocks };
}

/** What the Matcher counted between two copies of its figures (its lists only grow during a run). */
function since(before: MatcherStatsLike, after: MatcherStatsLike): MatcherStatsLike {
  return {
    candidateGoldens: after.candidateGoldens.slice(before.candidateGoldens.length),
    candidateRecords: after.candidateRecords.slice(before.candidateRecords.length),
    skippedBlocks: after.skippedBlocks - before.skippedBlocks,
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const base = process.env.DATABASE_URL!;
  const text = readFileSync(new URL('../fixtures/names/nicknames.csv', import.meta.url), 'utf8');
  const nicknames = parseNicknameCsv(text).map(([formal, , nick]) => [formal, nick] as const);
  const popSenders = defaultPopulationSenders();
  const file = benchConfig(preloadSenders(), popSenders);
  const dataDir = mkdtempSync(join(tmpdir(), 'mpi-bench-linkage-'));

  const tpl = templateName(o);
  let runDb: string | undefined;
  let service: Service | undefined;
  try {
    if (o.rebuild) await admin((a) => a.unsafe(`drop database if exists ${tpl} with (force)`));
    await ensureTemplate(o, tpl, file, dataDir);

    runDb = `mpi_linkage_run_${process.pid}_${Date.now().toString(36)}`;
    const tCopy = Date.now();
    // FILE_COPY: a file-level copy after a checkpoint, not a WAL-logged copy of every page (PostgreSQL 15's
    // default), whose ~700 MB of WAL would otherwise be checkpointed in the middle of the measured run.
    await admin((a) => a.unsafe(`create database ${runDb} template ${tpl} strategy = file_copy`));
    log(`run: created ${runDb} from ${tpl} in ${round((Date.now() - tCopy) / 1000, 1)} s`);

    // The measured feed: other people (another seed), about --messages messages.
    const runSeed = o.seed + 7919;
    let persons = 1000;
    let pop = generatePopulation({ seed: runSeed, persons, nicknames, senders: popSenders });
    while (pop.messages.length < o.messages) {
      persons = Math.ceil(persons * (o.messages / pop.messages.length) * 1.05) + 10;
      pop = generatePopulation({ seed: runSeed, persons, nicknames, senders: popSenders });
    }
    // A prefix in time order keeps every sender's order (and an A40 after the registrations it merges).
    const messages = pop.messages.slice(0, o.messages);
    const sum = populationSummary(pop);
    log(`run: population of ${sum.persons} persons, ${sum.records} records, ${sum.messages} messages; sending the first ${messages.length}`);

    const tally = { warn: 0, error: 0 };
    service = await startService(configFor(dbUrl(base, runDb), dataDir, file), { logger: serviceLogger(tally) });
    const db = service.database.db;
    const [before] = await query<{ goldens: number; records: number; links: number; reviews: number; messages: number; t0: string }>(
      db,
      sql`select (select count(*)::int from golden_records where status = 'active') as goldens,
                 (select count(*)::int from source_records) as records,
                 (select coalesce(max(id), 0)::bigint::text from links) as links,
                 (select coalesce(max(id), 0)::bigint::text from review_items) as reviews,
                 (select coalesce(max(id), 0)::bigint::text from messages) as messages,
                 clock_timestamp()::text as t0`,
    );
    if (!before) throw new Error('run: could not read the preloaded counts');
    log(`run: ${before.goldens} active golden records and ${before.records} source records stored`);

    const statsBefore = await matcherStats(service);
    if (!statsBefore) log('run: WARNING the linker has no Matcher stats (matching disabled?): candidate figures will be null');

    const lanes = lanesOf(messages, o.connections);
    log(`run: sending ${messages.length} messages on ${lanes.length} connections (${lanes.map((l) => l.length).join('/')}), senders per lane kept in order`);
    const every = Math.max(1000, Math.floor(messages.length / 10));
    const w0 = { ...service.worker.stats };
    const cpu0 = { process: process.cpuUsage(), machine: machineCpuMs() };
    const sent = await sendLanesOnThread(service.mllpPort, lanes, (n) => {
      if (n % every === 0) log(`  ${n}/${messages.length} ACKed, ${service!.worker.pending} pending`);
    });
    const ackSec = Number(sent.lastAck - sent.firstSend) / 1e9;
    log(`run: all ACKed in ${round(ackSec, 1)} s; ${service.worker.pending} waiting for the worker`);
    await service.worker.idle();
    const applied = process.hrtime.bigint();
    const applySeconds = Number(applied - sent.firstSend) / 1e9;
    const cpu1 = { process: process.cpuUsage(cpu0.process), machine: machineCpuMs() };
    const cpuPerMessage = {
      process: round((cpu1.process.user + cpu1.process.system) / 1000 / messages.length, 3),
      machine: cpu0.machine === null || cpu1.machine === null ? null : round((cpu1.machine - cpu0.machine) / messages.length, 3),
    };
    log(`run: applied in ${round(applySeconds, 1)} s; service warnings ${tally.warn}, errors ${tally.error}`);

    const [after] = await query<{ linksAuto: number; reviews: number; goldens: number; total: number; done: number }>(
      db,
      sql`select (select count(*)::int from links where id > ${before.links}::bigint and kind = 'auto') as "linksAuto",
                 (select count(*)::int from review_items where id > ${before.reviews}::bigint) as reviews,
                 (select count(*)::int from golden_records where created_at > ${before.t0}::timestamptz) as goldens,
                 (select count(*)::int from messages where id > ${before.messages}::bigint) as total,
                 (select count(*)::int from messages where id > ${before.messages}::bigint and status = 'done') as done`,
    );
    if (after && after.done !== messages.length) {
      log(`run: WARNING ${after.done} of ${after.total} stored messages done (expected ${messages.length})`);
      const rows = await query<{ sender: string; status: string; error: string | null }>(
        db,
        sql`select sender, status, error from messages where id > ${before.messages}::bigint and status <> 'done' order by id limit 5`,
      );
      for (const r of rows) log(`  not applied: ${r.sender} ${r.status}: ${(r.error ?? '').slice(0, 200)}`);
    }

    const acks = Float64Array.from(sent.latenciesMs).sort();
    const statsAfter = statsBefore && (await matcherStats(service));
    const stats = statsBefore && statsAfter ? since(statsBefore, statsAfter) : undefined;
    const cg = stats ? Float64Array.from(stats.candidateGoldens).sort() : undefined;
    const cr = stats ? Float64Array.from(stats.candidateRecords).sort() : undefined;
    log(`run: ${cg?.length ?? 0} records placed by the matcher`);
    const line = {
      bench: 'linkage',
      backend: 'postgres',
      preloadGoldens: before.goldens,
      preloadRecords: before.records,
      messages: messages.length,
      connections: lanes.length,
      ackedPerSec: Math.round(acks.length / ackSec),
      ackP50Ms: round(percentile(acks, 50), 3),
      ackP99Ms: round(percentile(acks, 99), 3),
      appliedPerSec: Math.round(messages.length / applySeconds),
      applySeconds: round(applySeconds, 2),
      processCpuMsPerMessage: cpuPerMessage.process,
      machineCpuMsPerMessage: cpuPerMessage.machine,
      medianCandidateGoldens: cg ? percentile(cg, 50) : null,
      p90CandidateGoldens: cg ? percentile(cg, 90) : null,
      maxCandidateGoldens: cg ? percentile(cg, 100) : null,
      medianCandidateRecords: cr ? percentile(cr, 50) : null,
      skippedBlocks: stats ? stats.skippedBlocks : null,
      workerBatches: service.worker.stats.batches - w0.batches,
      workerReadAheadSeconds: round((service.worker.stats.readAheadMs - w0.readAheadMs) / 1000, 2),
      workerMerges: service.worker.stats.merges - w0.merges,
      workerMergeSeconds: round((service.worker.stats.mergeMs - w0.mergeMs) / 1000, 2),
      workerBatchesCarried: service.worker.stats.carried - w0.carried,
      linksAuto: after?.linksAuto ?? null,
      reviewItemsOpened: after?.reviews ?? null,
      newGoldens: after?.goldens ?? null,
      nonAA: sent.nonAA + (messages.length - acks.length),
      node: process.version,
    };
    if (sent.nonAA) log(`run: ${sent.nonAA} replies not AA/CA (first: ${sent.firstBad})`);
    process.stdout.write(JSON.stringify(line) + '\n');
    process.exitCode = line.nonAA === 0 && after?.done === messages.length ? 0 : 1;
  } finally {
    await service?.stop().catch((e: unknown) => log(`stop failed: ${String(e)}`));
    if (runDb) {
      const name = runDb;
      await admin((a) => a.unsafe(`drop database if exists ${name} with (force)`)).then(
        () => log(`run: dropped ${name}`),
        (e: unknown) => log(`run: drop of ${name} failed: ${String(e)}`),
      );
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * For the other benches at scale (bench/api.ts): a database of its own copied from the template of `preload`
 * golden records (built first when missing, as a run of this bench would), and the config it was built with.
 */
export async function linkageDatabase(opts: { preload: number; seed: number; connections?: number }): Promise<{ url: string; file: Record<string, unknown>; drop(): Promise<void> }> {
  const o: Options = { preload: opts.preload, seed: opts.seed, connections: opts.connections ?? 4, messages: 0, rebuild: false };
  const file = benchConfig(preloadSenders(), defaultPopulationSenders());
  const tpl = templateName(o);
  const dataDir = mkdtempSync(join(tmpdir(), 'mpi-bench-linkage-'));
  try {
    await ensureTemplate(o, tpl, file, dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const name = `mpi_linkage_run_${process.pid}_${Date.now().toString(36)}`;
  await admin((a) => a.unsafe(`create database ${name} template ${tpl} strategy = file_copy`));
  return { url: dbUrl(process.env.DATABASE_URL!, name), file, drop: () => admin((a) => a.unsafe(`drop database if exists ${name} with (force)`)).then(() => undefined) };
}

export { configFor, percentile };

// Run only as a script: bench/api.ts imports the template machinery above.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  });
}
