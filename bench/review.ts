/**
 * Review-queue reads at scale, on PostgreSQL: the service runs in-process on a copy of bench:linkage's template
 * database (`--preload` golden records, built first when missing), `--items` open review items are added (plus
 * half as many resolved and a quarter as many superseded ones, so the indexes hold every status), and the bench
 * asks the queue over HTTP as a steward's screen would, one request at a time.
 *
 *   npm run bench:review -- [--preload 100000] [--items 5000] [--requests 400] [--seed 1]
 *
 * Prints ONE JSON line on stdout (progress on stderr); each figure is p50 / p99 in ms over --requests requests:
 *   firstPage        GET /api/review-items?limit=50 (default order: oldest first)
 *   firstPageScore   sort=-score
 *   filtered         authority=<the commonest authority>&minScore=0.6&maxScore=0.95&sort=-score
 *   deepPage         sort=-score, the page after --items/2 items (a cursor 50 pages deep)
 *   deepFiltered     the filtered query, the page after a fifth of its items
 *   detail           GET /api/review-items/:id of a random open item
 *   listP99Ms        the largest list p99 (the goal is 50 ms); openItems, total items, goldens, records
 * Every request writes its audit row, as in production.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { mulberry32 } from '../algorithms/random.js';
import { createLogger } from '../src/lib/log.js';
import { startService, type Service } from '../src/main.js';
import { query } from '../src/storage/db.js';
import { configFor, linkageDatabase, percentile } from './linkage.js';
import { parseBenchOptions } from './args.js';

const log = (msg: string) => process.stderr.write(`[bench:review] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const KEY = 'bench-review-key-0123456789abcdef';

interface Options {
  preload: number;
  items: number;
  requests: number;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const o = parseBenchOptions(argv, ['preload', 'items', 'requests', 'seed']);
  if (!process.env.DATABASE_URL) throw new Error('bench:review needs DATABASE_URL (the PostgreSQL server holding the bench:linkage template)');
  return { preload: o.int('preload', 100_000, 1), items: o.int('items', 5000, 200), requests: o.int('requests', 400, 10), seed: o.int('seed', 1, 0) };
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * Review items as the matcher leaves them: a source record against another record's golden record, a
 * probability between the thresholds (most near the top, as real queues are), a stored explanation of the
 * usual size, created over the last 30 days. Deterministic for a seed.
 */
async function seedItems(service: Service, o: Options) {
  const db = service.database.db;
  const [sample] = await query<{ explanation: unknown }>(db, sql`select explanation from review_items limit 1`);
  const explanation = sample?.explanation ?? {
    prior: -13.29,
    weight: 9.1,
    probability: 0.998,
    contributions: ['given_name', 'middle_name', 'family_name', 'dob', 'sex', 'street', 'postcode', 'phone', 'ssn', 'other_id'].map((c, i) => ({
      comparison: c,
      level: i % 3 ? 'exact' : 'null',
      levelIndex: i % 3 ? 1 : 0,
      weight: i % 3 ? 2.239 : 0,
      tfAdjustment: 0,
      m: 0.9,
      u: 0.19,
    })),
  };
  const total = o.items + Math.floor(o.items / 2) + Math.floor(o.items / 4);
  const seed = String(o.seed);
  await db.execute(sql`insert into review_items (source_record_id, candidate_golden_id, candidate_record_id, probability, weight, model_version, reasons, explanation, status, decision, created_at, message_id)
    with s as (
      select id, golden_id, row_number() over (order by md5(id::text || ${seed})) as rn
      from source_records where status = 'active' and golden_id is not null
    ), pairs as (
      select a.id as source, b.golden_id as golden, b.id as candidate, a.rn,
             ('x' || substr(md5(a.id::text || ${seed} || 'p'), 1, 8))::bit(32)::bigint::float8 / 4294967296.0 as r1,
             ('x' || substr(md5(a.id::text || ${seed} || 't'), 1, 8))::bit(32)::bigint::float8 / 4294967296.0 as r2
      from s a join s b on b.rn = a.rn + ${total}
      where a.rn <= ${total} and a.golden_id <> b.golden_id
    )
    select source, golden, candidate,
           (0.5 + 0.4999 * sqrt(r1))::real, (ln((0.5 + 0.4999 * sqrt(r1)) / (1 - (0.5 + 0.4999 * sqrt(r1)))) / ln(2.0))::real, 1,
           case when r2 < 0.2 then '["same-authority"]'::jsonb when r2 < 0.3 then '["between-thresholds","household-given-name"]'::jsonb else '["between-thresholds"]'::jsonb end,
           ${JSON.stringify(explanation)}::jsonb,
           case when rn <= ${o.items} then 'open' when rn <= ${o.items + Math.floor(o.items / 2)} then 'resolved' else 'superseded' end,
           case when rn > ${o.items} and rn <= ${o.items + Math.floor(o.items / 2)} then 'non-match' end,
           now() - (r2 * interval '30 days'), null
    from pairs`);
  await db.execute(sql`analyze review_items`);
  const [n] = await query<{ open: number; all: number }>(db, sql`select count(*) filter (where status = 'open')::int as open, count(*)::int as all from review_items`);
  return n!;
}

async function timeRequests(base: string, paths: () => string, n: number): Promise<{ p50: number; p99: number; errors: number }> {
  const ms: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(base + paths(), { headers: { authorization: `Bearer ${KEY}` } });
    await res.arrayBuffer();
    ms.push(performance.now() - t0);
    if (res.status !== 200) errors++;
  }
  const sorted = Float64Array.from(ms).sort();
  return { p50: round(percentile(sorted, 50), 2), p99: round(percentile(sorted, 99), 2), errors };
}

/** The cursor that starts the page after `skip` items of a query (walked with the largest page size). */
async function cursorAfter(base: string, q: string, skip: number): Promise<string> {
  let cursor: string | null = null;
  let seen = 0;
  while (seen < skip) {
    const limit = Math.min(200, skip - seen);
    const res = await fetch(`${base}/api/review-items?${q}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${KEY}` } });
    const body = (await res.json()) as { items: unknown[]; nextCursor: string | null };
    seen += body.items.length;
    if (!body.nextCursor) throw new Error(`query ${q} ends after ${seen} items, before ${skip}`);
    cursor = body.nextCursor;
  }
  return cursor!;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const rnd = mulberry32(o.seed * 7919 + 23);
  const run = await linkageDatabase({ preload: o.preload, seed: o.seed });
  const dataDir = mkdtempSync(join(tmpdir(), 'mpi-bench-review-'));
  let service: Service | undefined;
  try {
    const config = configFor(run.url, dataDir, run.file);
    config.env.MPI_API_KEYS = `${KEY}:steward`;
    service = await startService(config, { roles: { mllp: false, worker: false }, logger: createLogger('warn') });
    const db = service.database.db;
    const seeded = await seedItems(service, o);
    const [counts] = await query<{ goldens: number; records: number }>(
      db,
      sql`select (select count(*)::int from golden_records where status = 'active') as goldens, (select count(*)::int from source_records) as records`,
    );
    log(`${counts?.goldens} active golden records, ${counts?.records} source records; review items: ${seeded.open} open of ${seeded.all}`);
    const [common] = await query<{ oid: string; n: number }>(
      db,
      sql`select a.oid, count(*)::int as n from review_items r join source_records s on s.id = r.source_record_id join authorities a on a.id = s.authority_id
          where r.status = 'open' and a.oid is not null group by a.oid order by n desc limit 1`,
    );
    const openIds = (await query<{ id: number }>(db, sql`select id::int as id from review_items where status = 'open'`)).map((r) => r.id);
    const base = `http://127.0.0.1:${service.httpPort}`;
    const filtered = `authority=${encodeURIComponent(common!.oid)}&minScore=0.6&maxScore=0.95&sort=-score`;
    const filteredTotal = ((await (await fetch(`${base}/api/review-items?${filtered}&limit=1`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { total: number }).total;
    const deep = await cursorAfter(base, 'sort=-score', Math.floor(seeded.open / 2));
    const deepF = await cursorAfter(base, filtered, Math.floor(filteredTotal / 5));
    log(`filtered query (${common!.oid}, ${common!.n} open items of that authority): ${filteredTotal} items`);

    // Warm-up: plans cached, connections open.
    await timeRequests(base, () => '/api/review-items?limit=50', 50);
    const r = o.requests;
    const firstPage = await timeRequests(base, () => '/api/review-items?limit=50', r);
    const firstPageScore = await timeRequests(base, () => '/api/review-items?limit=50&sort=-score', r);
    const filteredPage = await timeRequests(base, () => `/api/review-items?limit=50&${filtered}`, r);
    const deepPage = await timeRequests(base, () => `/api/review-items?limit=50&sort=-score&cursor=${deep}`, r);
    const deepFiltered = await timeRequests(base, () => `/api/review-items?limit=50&${filtered}&cursor=${deepF}`, r);
    const detail = await timeRequests(base, () => `/api/review-items/${openIds[Math.floor(rnd() * openIds.length)]}`, r);
    const lists = { firstPage, firstPageScore, filtered: filteredPage, deepPage, deepFiltered };
    const errors = Object.values(lists).reduce((n, x) => n + x.errors, detail.errors);
    const line = {
      bench: 'review',
      backend: 'postgres',
      goldens: counts?.goldens,
      records: counts?.records,
      openItems: seeded.open,
      reviewItems: seeded.all,
      filteredItems: filteredTotal,
      requests: r,
      ...Object.fromEntries(Object.entries({ ...lists, detail }).flatMap(([k, v]) => [[`${k}P50Ms`, v.p50], [`${k}P99Ms`, v.p99]])),
      listP99Ms: Math.max(...Object.values(lists).map((x) => x.p99)),
      errors,
      node: process.version,
    };
    process.stdout.write(JSON.stringify(line) + '\n');
    process.exitCode = errors ? 1 : 0;
  } finally {
    await service?.stop().catch((e: unknown) => log(`stop failed: ${String(e)}`));
    await run.drop().catch((e: unknown) => log(`drop failed: ${String(e)}`));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
});
