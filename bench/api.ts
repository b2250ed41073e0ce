/**
 * Read API benchmark at scale, on PostgreSQL: the service runs in-process on a copy of bench:linkage's
 * template database (`--preload` golden records, built first when missing), and the bench asks it over HTTP.
 *
 *   npm run bench:api -- [--preload 100000] [--rate 500] [--seconds 20] [--pdqm 400] [--match 400] [--seed 1]
 *
 * Prints ONE JSON line on stdout (progress on stderr):
 *   pixmP50Ms, pixmP99Ms, crosswalkP50Ms, crosswalkP99Ms   open loop at --rate requests/s for --seconds each:
 *       a request is due every 1/rate s whether or not the previous ones have answered, and its latency is
 *       counted from when it was due (so a stall counts for every request it delays: no coordinated omission)
 *       (the client keeps at most 64 connections, as a pooled client would; a request waiting for one is late)
 *   pixmOver10MsShare, crosswalkOver10MsShare   share of requests slower than 10 ms
 *   pixmRate, crosswalkRate     requests/s actually sent
 *   serviceLoopDelayP99Ms/MaxMs the service's event-loop delay during those two phases (its own stalls)
 *   clientLoopDelayP99Ms/MaxMs  the client thread's (a stall there delays requests as much as one in the service)
 *   pdqmP50Ms, pdqmP99Ms        one search at a time, --pdqm of them, mixed: family+given (prefix), exact family +
 *       birth date, birth date alone, a three-letter family prefix + gender, an identifier; pdqmByKind has each
 *   matchP50Ms, matchP99Ms      one $match at a time, --match of them: a stored person as presented, half with a
 *       given-name typo and no phone; matchTop1 = share whose own golden record came first
 *   errors                      answers other than 200 (each kind), and requests that failed
 * Identifiers and people are drawn at random from the stored active source records. Every request is a
 * reader's, so every one writes its audit row, as in production.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { mulberry32 } from '../algorithms/random.js';
import { createLogger } from '../src/lib/log.js';
import { startService, type Service } from '../src/main.js';
import { pgClient, query } from '../src/storage/db.js';
import type { Demographics } from '../src/ingest/demographics.js';
import { configFor, linkageDatabase, percentile } from './linkage.js';
import { parseBenchOptions } from './args.js';

const log = (msg: string) => process.stderr.write(`[bench:api] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);

interface Options {
  preload: number;
  rate: number;
  seconds: number;
  pdqm: number;
  match: number;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const o = parseBenchOptions(argv, ['preload', 'rate', 'seconds', 'pdqm', 'match', 'seed']);
  if (!process.env.DATABASE_URL) throw new Error('bench:api needs DATABASE_URL (the PostgreSQL server holding the bench:linkage template)');
  return { preload: o.int('preload', 100_000, 1), rate: o.int('rate', 500, 1), seconds: o.int('seconds', 20, 1), pdqm: o.int('pdqm', 400, 1), match: o.int('match', 400, 1), seed: o.int('seed', 1, 0) };
}

const KEY = 'bench-api-reader-key-0123456789';
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  system: string;
  value: string;
  goldenId: string;
  demographics: Demographics;
}

class Client {
  errors = 0;
  constructor(readonly base: string) {}
  async get(path: string): Promise<{ status: number; body: string }> {
    try {
      const res = await fetch(this.base + path, { headers: { authorization: `Bearer ${KEY}` } });
      const body = await res.text();
      if (res.status !== 200) this.errors++;
      return { status: res.status, body };
    } catch {
      this.errors++;
      return { status: 0, body: '' };
    }
  }
  async post(path: string, body: string): Promise<{ status: number; body: string }> {
    try {
      const res = await fetch(this.base + path, { method: 'POST', body, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/fhir+json' } });
      const text = await res.text();
      if (res.status !== 200) this.errors++;
      return { status: res.status, body: text };
    } catch {
      this.errors++;
      return { status: 0, body: '' };
    }
  }
}

/**
 * The open-loop client runs on a thread of its own: sharing the service's event loop, it would fall behind
 * whenever the service is busy, and the requests it failed to send on time would be missing from the figures.
 * Plain JavaScript (eval), so the thread needs no TypeScript loader.
 */
const OPEN_LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance, monitorEventLoopDelay } = require('node:perf_hooks');
const http = require('node:http');
// The client's own stalls (its GC, a starved thread) delay requests too, and would be counted as the service's.
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
// A bounded pool, as a real client has: past it, requests wait in the client (and their wait is counted).
const agent = new http.Agent({ keepAlive: true, maxSockets: workerData.sockets });
const get = (url) => new Promise((resolve) => {
  const req = http.get(url, { agent, headers: { authorization: 'Bearer ' + workerData.key } }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode === 200));
    res.on('error', () => resolve(false));
  });
  req.on('error', () => resolve(false));
});
(async () => {
  const { base, paths, rate } = workerData;
  const n = paths.length, interval = 1000 / rate, lat = new Float64Array(n);
  let errors = 0;
  const inflight = [];
  const start = performance.now() + 20;
  for (let i = 0; i < n; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(get(base + paths[i]).then((ok) => {
      if (!ok) errors++;
      lat[i] = performance.now() - due;
    }));
  }
  await Promise.all(inflight);
  agent.destroy();
  loop.disable();
  parentPort.postMessage({ lat, errors, seconds: (performance.now() - start) / 1000, loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6 });
})();
`;

/** Requests due every 1000/rate ms; each latency counted from when it was due. */
function openLoop(base: string, rate: number, paths: string[]): Promise<{ lat: Float64Array; errors: number; rate: number; clientLoop: { p99Ms: number; maxMs: number } }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(OPEN_LOOP, { eval: true, workerData: { base, key: KEY, paths, rate, sockets: 64 } });
    w.once('message', (m: { lat: Float64Array; errors: number; seconds: number; loopP99Ms: number; loopMaxMs: number }) => {
      const r2 = (x: number) => Math.round(x * 100) / 100;
      resolve({ lat: m.lat.sort(), errors: m.errors, rate: Math.round(paths.length / m.seconds), clientLoop: { p99Ms: r2(m.loopP99Ms), maxMs: r2(m.loopMaxMs) } });
      void w.terminate();
    });
    w.once('error', reject);
  });
}

async function closedLoop<T>(items: T[], run: (x: T) => Promise<void>) {
  const lat = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const t0 = performance.now();
    await run(items[i]!);
    lat[i] = performance.now() - t0;
  }
  return lat;
}

const stats = (lat: Float64Array) => {
  const s = Float64Array.from(lat).sort();
  return { p50: round(percentile(s, 50), 3), p99: round(percentile(s, 99), 3) };
};

/** The share of requests slower than `ms`: with p99, whether a tail is a few stalls or a slow service. */
const over = (lat: Float64Array, ms: number) => round(lat.filter((x) => x > ms).length / Math.max(1, lat.length), 4);

function typo(s: string, rnd: () => number): string {
  if (s.length < 4) return s;
  const i = 1 + Math.floor(rnd() * (s.length - 2));
  return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
}

function fhirPatient(d: Demographics, rnd: () => number, damaged: boolean) {
  const n = d.names[0] ?? {};
  const given = n.given && damaged ? typo(n.given, rnd) : n.given;
  return {
    resourceType: 'Patient',
    name: [{ ...(n.family ? { family: n.family } : {}), ...(given ? { given: [given] } : {}) }],
    ...(d.birthDate ? { birthDate: d.birthDate } : {}),
    ...(d.sex === 'M' ? { gender: 'male' } : d.sex === 'F' ? { gender: 'female' } : {}),
    address: d.addresses.slice(0, 1).map((a) => ({ ...(a.street ? { line: [a.street] } : {}), ...(a.city ? { city: a.city } : {}), ...(a.state ? { state: a.state } : {}), ...(a.zip ? { postalCode: a.zip } : {}) })),
    telecom: damaged ? [] : d.phones.filter((p) => p.number).slice(0, 1).map((p) => ({ system: 'phone', value: p.number })),
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const rnd = mulberry32(o.seed * 7919 + 17);
  const run = await linkageDatabase({ preload: o.preload, seed: o.seed });
  // The copy of the template is WAL-logged (some 700 MB at 100,000 golden records): without a checkpoint now,
  // the one it triggers writes through the first measured phase and stalls every commit, audit rows included.
  const admin = pgClient(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  try {
    const t0 = performance.now();
    await admin`checkpoint`;
    log(`checkpoint after the copy: ${Math.round(performance.now() - t0)} ms`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'mpi-bench-api-'));
  let service: Service | undefined;
  try {
    const config = configFor(run.url, dataDir, run.file);
    config.env.MPI_API_KEYS = `${KEY}:reader`;
    const tally = { warn: 0, error: 0 };
    service = await startService(config, {
      roles: { mllp: false },
      logger: createLogger('warn', {}, (line) => {
        if (JSON.parse(line).level === 'error') tally.error++;
        else tally.warn++;
        if (tally.warn + tally.error < 20) process.stderr.write(`  service: ${line}\n`);
      }),
    });
    const db = service.database.db;
    const [counts] = await query<{ goldens: number; records: number }>(
      db,
      sql`select (select count(*)::int from golden_records where status = 'active') as goldens, (select count(*)::int from source_records) as records`,
    );
    log(`service on ${run.url.replace(/\/\/[^@]*@/, '//')}: ${counts?.goldens} active golden records, ${counts?.records} source records`);
    const samples = await query<Sample>(
      db,
      sql`select coalesce('urn:oid:' || a.oid, a.namespace) as system, s.identifier as value, s.golden_id as "goldenId", s.demographics
          from source_records s join authorities a on a.id = s.authority_id
          where s.status = 'active' and s.golden_id is not null
          order by md5(s.id::text || ${String(o.seed)}) limit 5000`,
    );
    const pick = () => samples[Math.floor(rnd() * samples.length)]!;
    const client = new Client(`http://127.0.0.1:${service.httpPort}`);
    const enc = encodeURIComponent;
    const pixPath = () => {
      const s = pick();
      return `/fhir/Patient/$ihe-pix?sourceIdentifier=${enc(`${s.system}|${s.value}`)}`;
    };
    const xwPath = () => {
      const s = pick();
      return `/api/crosswalk?identifier=${enc(`${s.system}|${s.value}`)}`;
    };

    // Steady state is what is measured: the first seconds at full rate on a database just copied from the template
    // (its pages not yet in PostgreSQL's buffers, its new files still being written back) were twice as slow at the
    // tail, whichever phase came first. So the phases are preceded by 10 s of the same open loop, not measured.
    log(`warm-up: ${o.rate} PIXm and crosswalk requests/s for 10 s (not measured)`);
    await openLoop(client.base, o.rate, Array.from({ length: o.rate * 10 }, (_, i) => (i % 2 ? xwPath() : pixPath())));

    const n = o.rate * o.seconds;
    // The service runs on this thread (the open-loop client on a worker thread): how long its event loop was
    // held up while the crosswalk phases ran says whether a tail is the service's own stalls.
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    log(`PIXm: ${o.rate} requests/s for ${o.seconds} s`);
    const pix = await openLoop(client.base, o.rate, Array.from({ length: n }, pixPath));
    log(`crosswalk: ${o.rate} requests/s for ${o.seconds} s`);
    const xw = await openLoop(client.base, o.rate, Array.from({ length: n }, xwPath));
    loop.disable();
    const loopDelay = { p99Ms: Math.round((loop.percentile(99) / 1e6) * 100) / 100, maxMs: Math.round((loop.max / 1e6) * 100) / 100 };

    const kinds = ['family+given', 'family:exact+birthdate', 'birthdate', 'family-prefix+gender', 'identifier'] as const;
    const searches: Array<{ kind: (typeof kinds)[number]; path: string }> = [];
    while (searches.length < o.pdqm) {
      const s = pick();
      const n = s.demographics.names[0];
      const kind = kinds[searches.length % kinds.length]!;
      const dob = s.demographics.birthDatePrecision === 'day' || !s.demographics.birthDatePrecision ? s.demographics.birthDate : undefined;
      const gender = s.demographics.sex === 'M' ? 'male' : s.demographics.sex === 'F' ? 'female' : undefined;
      let q: string | undefined;
      if (kind === 'family+given' && n?.family && n.given) q = `family=${enc(n.family)}&given=${enc(n.given)}`;
      else if (kind === 'family:exact+birthdate' && n?.family && dob) q = `family:exact=${enc(n.family)}&birthdate=${dob}`;
      else if (kind === 'birthdate' && dob) q = `birthdate=${dob}`;
      else if (kind === 'family-prefix+gender' && n?.family && n.family.length >= 3 && gender) q = `family=${enc(n.family.slice(0, 3))}&gender=${gender}`;
      else if (kind === 'identifier') q = `identifier=${enc(`${s.system}|${s.value}`)}`;
      if (q) searches.push({ kind, path: `/fhir/Patient?${q}` });
    }
    for (const s of searches.slice(0, 50)) await client.get(s.path);
    const pdqmErrorsBefore = client.errors;
    log(`PDQm: ${searches.length} searches, one at a time`);
    const totals: number[] = [];
    const pdqmLat = await closedLoop(searches, async (s) => {
      const r = await client.get(s.path);
      if (r.status === 200) totals.push((JSON.parse(r.body) as { total: number }).total);
    });
    const pdqmErrors = client.errors - pdqmErrorsBefore;
    const byKind = Object.fromEntries(kinds.map((k) => [k, stats(Float64Array.from(searches.flatMap((s, i) => (s.kind === k ? [pdqmLat[i]!] : []))))]));

    const matches = Array.from({ length: o.match }, (_, i) => {
      const s = pick();
      return { goldenId: s.goldenId, body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: fhirPatient(s.demographics, rnd, i % 2 === 1) }, { name: 'count', valueInteger: 5 }] }) };
    });
    for (const m of matches.slice(0, 50)) await client.post('/fhir/Patient/$match', m.body);
    const matchErrorsBefore = client.errors;
    log(`$match: ${matches.length} requests, one at a time`);
    let top1 = 0;
    const matchLat = await closedLoop(matches, async (m) => {
      const r = await client.post('/fhir/Patient/$match', m.body);
      if (r.status === 200 && (JSON.parse(r.body) as { entry: Array<{ resource: { id: string } }> }).entry[0]?.resource.id === m.goldenId) top1++;
    });
    const matchErrors = client.errors - matchErrorsBefore;

    const p = stats(pix.lat);
    const x = stats(xw.lat);
    const pd = stats(pdqmLat);
    const mt = stats(matchLat);
    const sortedTotals = totals.sort((a, b) => a - b);
    const line = {
      bench: 'api',
      backend: 'postgres',
      goldens: counts?.goldens ?? null,
      records: counts?.records ?? null,
      rate: o.rate,
      seconds: o.seconds,
      pixmRate: pix.rate,
      pixmP50Ms: p.p50,
      pixmP99Ms: p.p99,
      pixmOver10MsShare: over(pix.lat, 10),
      clientLoopDelayP99Ms: Math.max(pix.clientLoop.p99Ms, xw.clientLoop.p99Ms),
      clientLoopDelayMaxMs: Math.max(pix.clientLoop.maxMs, xw.clientLoop.maxMs),
      serviceLoopDelayP99Ms: loopDelay.p99Ms,
      serviceLoopDelayMaxMs: loopDelay.maxMs,
      crosswalkRate: xw.rate,
      crosswalkP50Ms: x.p50,
      crosswalkP99Ms: x.p99,
      crosswalkOver10MsShare: over(xw.lat, 10),
      pdqmQueries: searches.length,
      pdqmP50Ms: pd.p50,
      pdqmP99Ms: pd.p99,
      pdqmByKind: byKind,
      pdqmMedianTotal: sortedTotals.length ? percentile(sortedTotals, 50) : null,
      pdqmMaxTotal: sortedTotals.length ? sortedTotals[sortedTotals.length - 1] : null,
      matchQueries: matches.length,
      matchP50Ms: mt.p50,
      matchP99Ms: mt.p99,
      matchTop1: round(top1 / matches.length, 3),
      errors: { pixm: pix.errors, crosswalk: xw.errors, pdqm: pdqmErrors, match: matchErrors, serviceWarnings: tally.warn, serviceErrors: tally.error },
      node: process.version,
    };
    process.stdout.write(JSON.stringify(line) + '\n');
    process.exitCode = client.errors + pix.errors + xw.errors === 0 ? 0 : 1;
  } finally {
    await service?.stop().catch((e: unknown) => log(`stop failed: ${String(e)}`));
    await run.drop().then(
      () => log('run database dropped'),
      (e: unknown) => log(`drop failed: ${String(e)}`),
    );
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
