import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { pgClient } from '../../src/storage/db.js';
import { MllpClient } from '../../src/mllp/index.js';
import { backends, createPgDatabase } from '../helpers/db.js';
import { adt, OID_A } from '../helpers/adt.js';
import { readAck } from '../helpers/service.js';

const KEY = 'crash-test-key-0123456789';
// Three senders of this many messages each; the kill comes after KILL_AFTER ACKs, mid-feed.
const PER_SENDER = 300;
const KILL_AFTER = 120;
const root = new URL('../../', import.meta.url).pathname;

interface Running {
  child: ChildProcess;
  mllpPort: number;
  httpPort: number;
}

/** Starts `mpi serve` as its own process and waits for its "MPI started" log line. */
function startProcess(env: Record<string, string>): Promise<Running> {
  return new Promise((resolve, reject) => {
    const inherited = { ...process.env };
    delete inherited.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      cwd: root,
      env: { ...inherited, ...env, MLLP_PORT: '0', HTTP_PORT: '0', MLLP_HOST: '127.0.0.1', HTTP_HOST: '127.0.0.1', MPI_API_KEYS: `${KEY}:admin`, MPI_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const timer = setTimeout(() => reject(new Error('service did not start')), 30_000);
    createInterface({ input: child.stderr! }).on('line', (line) => {
      try {
        const j = JSON.parse(line);
        if (j.msg === 'MPI started') {
          clearTimeout(timer);
          resolve({ child, mllpPort: j.mllpPort, httpPort: j.httpPort });
        }
      } catch {
        // not a log line
      }
    });
    child.on('exit', (code) => reject(new Error(`service exited early (${code})`)));
  });
}

/** Resolves when the process has ended, whether or not it already had. */
async function exited(child: ChildProcess) {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

const feed = (sender: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    controlId: `S${sender}-${i}`,
    id: `P${sender}-${Math.floor(i / 2)}`,
    // Each patient is a person of its own (test/helpers/adt.ts); the A08 moves them.
    text: adt({ controlId: `S${sender}-${i}`, app: `APP${sender}`, event: i % 2 ? 'A08' : 'A04', pid3: `P${sender}-${Math.floor(i / 2)}^^^HOSPA&${OID_A}&ISO^MR`, ...(i % 2 ? { address: `${i} NEW ADDRESS RD^^SPRINGFIELD^IL^62701` } : {}) }),
  }));

describe.each(backends)('a SIGKILL mid-feed on $name', (backend) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('loses no ACKed message and applies each exactly once after restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mpi-crash-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env: Record<string, string> = { MPI_DATA_DIR: dataDir };
    let pgUrl: string | undefined;
    if (backend.url) {
      const db = await createPgDatabase(backend.url);
      cleanups.push(() => db.drop());
      pgUrl = env.DATABASE_URL = db.url;
    }
    const senders = [1, 2, 3];
    const feeds = senders.map((s) => feed(s, PER_SENDER));
    const acked = new Set<string>();

    let run = await startProcess(env);
    cleanups.push(() => void run.child.kill('SIGKILL'));
    // Three senders in parallel; the process is killed while they are mid-stream.
    const sending = feeds.map(async (f) => {
      const client = await MllpClient.connect({ host: '127.0.0.1', port: run.mllpPort, timeoutMs: 5000 });
      try {
        for (const m of f) {
          const ack = readAck((await client.send(m.text)).toString('latin1'));
          expect(ack.controlId).toBe(m.controlId);
          if (ack.code === 'AA') acked.add(m.controlId);
        }
      } catch {
        // the kill
      } finally {
        client.close();
      }
    });
    while (acked.size < KILL_AFTER) await new Promise((r) => setTimeout(r, 5));
    run.child.kill('SIGKILL');
    await Promise.all(sending);
    await exited(run.child);
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(acked.size).toBeLessThan(3 * PER_SENDER);

    run = await startProcess(env);
    // The senders resend everything they did not get an ACK for, and (as they may) some they did.
    for (const f of feeds) {
      const client = await MllpClient.connect({ host: '127.0.0.1', port: run.mllpPort, timeoutMs: 10_000 });
      for (const m of f) expect(readAck((await client.send(m.text)).toString('latin1')).code).toBe('AA');
      client.close();
    }
    const base = `http://127.0.0.1:${run.httpPort}`;
    for (let i = 0; i < 200; i++) {
      const h = (await (await fetch(`${base}/health`)).json()) as any;
      if (h.queues.pending === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const pix = async (id: string) =>
      (await fetch(`${base}/fhir/Patient/$ihe-pix?sourceIdentifier=${encodeURIComponent(`urn:oid:${OID_A}|${id}`)}`, { headers: { authorization: `Bearer ${KEY}` } })).status;
    for (const f of feeds) for (const m of f.filter((_, i) => i % 2 === 0)) expect(await pix(m.id)).toBe(200);
    run.child.kill('SIGTERM');
    await exited(run.child);
    expect(run.child.exitCode).toBe(0);

    // Every message exactly once, every one applied, one record per patient.
    const counts = async (q: (s: string) => Promise<Array<{ n: number }>>) => ({
      messages: (await q(`select count(*)::int as n from messages`))[0]!.n,
      done: (await q(`select count(*)::int as n from messages where status = 'done'`))[0]!.n,
      distinct: (await q(`select count(distinct dedup_key)::int as n from messages`))[0]!.n,
      records: (await q(`select count(*)::int as n from source_records`))[0]!.n,
      goldens: (await q(`select count(*)::int as n from golden_records`))[0]!.n,
    });
    let result;
    if (pgUrl) {
      const sql = pgClient(pgUrl, { max: 1 });
      result = await counts((s) => sql.unsafe(s) as any);
      await sql.end();
    } else {
      const { PGlite } = await import('@electric-sql/pglite');
      const db = new PGlite(join(dataDir, 'pglite'));
      result = await counts(async (s) => (await db.query<{ n: number }>(s)).rows);
      await db.close();
    }
    expect(result).toEqual({ messages: 3 * PER_SENDER, done: 3 * PER_SENDER, distinct: 3 * PER_SENDER, records: 1.5 * PER_SENDER, goldens: 1.5 * PER_SENDER });
  }, 300_000);
});
