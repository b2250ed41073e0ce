/**
 * Ingest benchmark: MLLP → inbox (ACK) → worker (apply), in-process, against PGlite and/or PostgreSQL.
 *
 *   npm run bench:ingest -- [--messages 20000] [--connections 4] [--backend pglite|postgres|both] [--warmup 500]
 *                           [--seed 1] [--updates 2] [--merge-rate 0.02] [--senders 8]
 *
 * Prints one JSON line per backend on stdout (progress goes to stderr). Exits non-zero when an ACK is not
 * `MSA|AA|<controlId>` or when the messages table does not hold exactly N applied rows afterwards.
 * For PostgreSQL a fresh database is created on the server of DATABASE_URL and dropped at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/lib/log.js';
import { startService, type Service } from '../src/main.js';
import { MllpClient } from '../src/mllp/client.js';
import { query } from '../src/storage/db.js';
import { generateFeed, makeSenders, patientsFor, type FeedMessage, type SenderSpec } from './feed.js';
import { parseBenchOptions } from './args.js';
import { benchServiceEnv, createBenchDatabase } from './databases.js';

type Backend = 'pglite' | 'postgres';

interface Options {
  messages: number;
  connections: number;
  backends: Backend[];
  warmup: number;
  seed: number;
  updates: number;
  mergeRate: number;
  senders: number;
  /** Log ACKs slower than this many ms to stderr (0 = off). */
  traceSlow: number;
}

const log = (msg: string) => process.stderr.write(`[bench:ingest] ${msg}\n`);

function parseArgs(argv: string[]): Options {
  const o = parseBenchOptions(argv, ['messages', 'connections', 'backend', 'warmup', 'seed', 'updates', 'merge-rate', 'senders', 'trace-slow']);
  const backend = o.get('backend') ?? (process.env.DATABASE_URL ? 'both' : 'pglite');
  if (!['pglite', 'postgres', 'both'].includes(backend)) throw new Error('--backend must be pglite, postgres or both');
  const backends: Backend[] = backend === 'both' ? ['pglite', 'postgres'] : [backend as Backend];
  if (backends.includes('postgres') && !process.env.DATABASE_URL) throw new Error('--backend postgres needs DATABASE_URL');
  const connections = o.int('connections', 4, 1);
  const mergeRate = Number(o.get('merge-rate') ?? '0.02');
  if (!(mergeRate >= 0 && mergeRate <= 1)) throw new Error('--merge-rate must be between 0 and 1');
  return {
    messages: o.int('messages', 20_000, 1),
    connections,
    backends,
    warmup: o.int('warmup', 500, 0),
    seed: o.int('seed', 1, 0),
    updates: o.int('updates', 2, 0),
    mergeRate,
    senders: o.int('senders', Math.max(8, connections * 2), 1),
    traceSlow: o.int('trace-slow', 0, 0),
  };
}

/** Exactly `n` messages: a prefix of the feed keeps every sender's order (registration before updates). */
function feedOf(n: number, seed: number, senders: SenderSpec[], o: Options): FeedMessage[] {
  const feed = generateFeed({ seed, patients: patientsFor(n, o.updates, o.mergeRate), senders, updatesPerPatient: o.updates, mergeRate: o.mergeRate });
  if (feed.messages.length < n) throw new Error(`feed too short: ${feed.messages.length} < ${n}`);
  return feed.messages.slice(0, n);
}

/** Each sender's messages on one connection (per-sender order), balancing message counts across connections. */
function partition(messages: FeedMessage[], k: number): FeedMessage[][] {
  const bySender = new Map<string, FeedMessage[]>();
  for (const m of messages) {
    let list = bySender.get(m.sender);
    if (!list) bySender.set(m.sender, (list = []));
    list.push(m);
  }
  const lanes: FeedMessage[][] = Array.from({ length: k }, () => []);
  const load = new Array<number>(k).fill(0);
  const groups = [...bySender.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const assign = new Map<string, number>();
  for (const [sender, list] of groups) {
    let best = 0;
    for (let i = 1; i < k; i++) if (load[i]! < load[best]!) best = i;
    assign.set(sender, best);
    load[best] = load[best]! + list.length;
  }
  // Keep the feed's global interleaving inside each connection.
  for (const m of messages) lanes[assign.get(m.sender)!]!.push(m);
  return lanes;
}

interface SendResult {
  latenciesMs: Float64Array;
  /** Send time of each message, ms after firstSend (same order as latenciesMs). */
  sentAtMs: Float64Array;
  nonAA: number;
  firstSend: bigint;
  lastAck: bigint;
  firstBad?: string;
}

function ackOk(reply: string, controlId: string): boolean {
  for (const seg of reply.split(/\r\n|\r|\n/)) {
    if (seg.startsWith('MSA|')) {
      const f = seg.split('|');
      return f[1] === 'AA' && f[2] === controlId;
    }
  }
  return false;
}

/** Sends every lane on its own connection, one outstanding message per connection. */
async function sendAll(port: number, lanes: FeedMessage[][], total: number): Promise<SendResult> {
  const latencies = new Float64Array(total);
  const sentAt = new Float64Array(total);
  let n = 0;
  let nonAA = 0;
  let firstBad: string | undefined;
  let lastAck = 0n;
  const clients = await Promise.all(lanes.filter((l) => l.length).map(() => MllpClient.connect({ host: '127.0.0.1', port, timeoutMs: 120_000 })));
  const progressEvery = Math.max(1000, Math.floor(total / 10));
  const firstSend = process.hrtime.bigint();
  try {
    await Promise.all(
      lanes
        .filter((l) => l.length)
        .map(async (lane, i) => {
          const client = clients[i]!;
          for (const m of lane) {
            const t0 = process.hrtime.bigint();
            const reply = (await client.send(m.text)).toString('utf8');
            const t1 = process.hrtime.bigint();
            sentAt[n] = Number(t0 - firstSend) / 1e6;
            latencies[n++] = Number(t1 - t0) / 1e6;
            if (t1 > lastAck) lastAck = t1;
            if (!ackOk(reply, m.controlId)) {
              nonAA++;
              firstBad ??= `${m.sender} ${m.controlId}: ${reply.split('\r').find((s) => s.startsWith('MSA') || s.startsWith('ERR')) ?? reply.slice(0, 200)}`;
            }
            if (n % progressEvery === 0) log(`  ${n}/${total} ACKed`);
          }
        }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }
  const r: SendResult = { latenciesMs: latencies.subarray(0, n), sentAtMs: sentAt.subarray(0, n), nonAA, firstSend, lastAck };
  if (firstBad !== undefined) r.firstBad = firstBad;
  return r;
}

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Slow ACKs, clustered: when they started (ms after the first send), how many, and the worst. */
function traceSlow(backend: string, r: SendResult, thresholdMs: number) {
  const slow: Array<[at: number, ms: number]> = [];
  for (let i = 0; i < r.latenciesMs.length; i++) if (r.latenciesMs[i]! > thresholdMs) slow.push([r.sentAtMs[i]!, r.latenciesMs[i]!]);
  slow.sort((a, b) => a[0] - b[0]);
  log(`${backend}: ${slow.length} ACKs slower than ${thresholdMs} ms`);
  let cluster: { from: number; to: number; n: number; worst: number } | undefined;
  const flush = () => cluster && log(`  at ${round(cluster.from, 0)}–${round(cluster.to, 0)} ms: ${cluster.n} slow, worst ${round(cluster.worst, 1)} ms`);
  for (const [at, ms] of slow) {
    if (cluster && at - cluster.to < 250) {
      cluster.to = at;
      cluster.n++;
      cluster.worst = Math.max(cluster.worst, ms);
    } else {
      flush();
      cluster = { from: at, to: at, n: 1, worst: ms };
    }
  }
  flush();
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function runBackend(backend: Backend, o: Options): Promise<{ ok: boolean; line: Record<string, unknown> }> {
  const dataDir = mkdtempSync(join(tmpdir(), `mpi-bench-${backend}-`));
  let pg: Awaited<ReturnType<typeof createBenchDatabase>> | undefined;
  let service: Service | undefined;
  try {
    if (backend === 'postgres') {
      pg = await createBenchDatabase(process.env.DATABASE_URL!);
      log(`${backend}: created database ${pg.name}`);
    }
    const config = loadConfig(benchServiceEnv({ dataDir, apiKeys: 'bench-key-0123456789abcdef:admin', ...(pg ? { databaseUrl: pg.url } : {}) }));
    service = await startService(config, { logger: createLogger('warn') });
    const port = service.mllpPort;
    log(`${backend}: service up (MLLP ${port}, data ${dataDir})`);

    // Warm-up: other senders (other OIDs and control ids), applied before the measured run starts.
    if (o.warmup > 0) {
      const warm = feedOf(o.warmup, o.seed ^ 0x5eed, makeSenders(o.senders, { first: 101, tag: 'W' }), o);
      const r = await sendAll(port, partition(warm, o.connections), warm.length);
      await service.worker.idle();
      if (r.nonAA) throw new Error(`warm-up: ${r.nonAA} ACKs were not AA (first: ${r.firstBad})`);
      log(`${backend}: warm-up of ${warm.length} messages done`);
    }
    const [base] = await query<{ max: number }>(service.database.db, sql`select coalesce(max(id), 0)::int as max from messages`);
    const baseline = base?.max ?? 0;

    const messages = feedOf(o.messages, o.seed, makeSenders(o.senders), o);
    const lanes = partition(messages, o.connections);
    log(`${backend}: sending ${messages.length} messages over ${lanes.filter((l) => l.length).length} connections (${lanes.map((l) => l.length).join('/')})`);

    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const sent = await sendAll(port, lanes, messages.length);
    await service.worker.idle();
    const applied = process.hrtime.bigint();
    loopDelay.disable();
    log(`${backend}: event-loop delay p50 ${round(loopDelay.percentile(50) / 1e6)} ms, p99 ${round(loopDelay.percentile(99) / 1e6)} ms, max ${round(loopDelay.max / 1e6)} ms`);
    if (o.traceSlow > 0) traceSlow(backend, sent, o.traceSlow);

    const [count] = await query<{ total: number; done: number }>(
      service.database.db,
      sql`select count(*)::int as total, (count(*) filter (where status = 'done'))::int as done from messages where id > ${baseline}`,
    );
    const sorted = Float64Array.from(sent.latenciesMs).sort();
    const ackSpanMs = Number(sent.lastAck - sent.firstSend) / 1e6;
    const totalMs = Number(applied - sent.firstSend) / 1e6;
    const line = {
      bench: 'ingest',
      backend,
      messages: messages.length,
      connections: o.connections,
      ackedPerSec: round((sorted.length / ackSpanMs) * 1000, 0),
      ackP50Ms: round(percentile(sorted, 50), 3),
      ackP99Ms: round(percentile(sorted, 99), 3),
      ackMaxMs: round(sorted[sorted.length - 1] ?? NaN, 3),
      nonAA: sent.nonAA + (messages.length - sorted.length),
      applyDrainMs: round(Number(applied - sent.lastAck) / 1e6, 1),
      appliedPerSec: round((messages.length / totalMs) * 1000, 0),
      node: process.version,
    };
    let ok = true;
    if (line.nonAA) {
      ok = false;
      log(`${backend}: ${line.nonAA} ACKs were not AA (first: ${sent.firstBad ?? 'missing reply'})`);
    }
    if (count?.total !== messages.length || count.done !== messages.length) {
      ok = false;
      log(`${backend}: expected ${messages.length} messages done, found ${count?.done ?? 0} done of ${count?.total ?? 0} stored`);
    }
    return { ok, line };
  } finally {
    await service?.stop().catch((e: unknown) => log(`${backend}: stop failed: ${String(e)}`));
    if (pg) await pg.drop().then(() => log(`${backend}: dropped database ${pg!.name}`), (e: unknown) => log(`${backend}: drop failed: ${String(e)}`));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  let ok = true;
  for (const backend of o.backends) {
    const r = await runBackend(backend, o);
    process.stdout.write(JSON.stringify(r.line) + '\n');
    ok &&= r.ok;
  }
  process.exitCode = ok ? 0 : 1;
}

main().catch((e: unknown) => {
  log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
