import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { openDatabase, pgClient, query, type Database, type Tx } from '../../src/storage/db.js';

export interface Backend {
  name: 'pglite' | 'postgres';
  url?: string;
}

/** PGlite always; PostgreSQL too when DATABASE_URL is set (as .ci/run does). */
export const backends: Backend[] = [{ name: 'pglite' }, ...(process.env.DATABASE_URL ? [{ name: 'postgres' as const, url: process.env.DATABASE_URL }] : [])];

export interface FreshDatabase {
  database: Database;
  /** For PostgreSQL: the URL of the database created for this suite. */
  url?: string;
  /** For PGlite on disk: its directory. */
  dataDir?: string;
  drop(): Promise<void>;
}

/** A database of its own for one suite: a new PostgreSQL database, or an in-memory / on-disk PGlite. */
export async function createTestDatabase(backend: Backend, opts: { pgliteDir?: string } = {}): Promise<FreshDatabase> {
  if (backend.name === 'pglite') {
    const database = await openDatabase({ dataDir: opts.pgliteDir });
    return { database, dataDir: opts.pgliteDir, drop: () => database.close() };
  }
  const url = await createPgDatabase(backend.url!);
  // MPI_DB_PREPARE=off runs the suites with unnamed statements, as behind a transaction-mode pooler.
  const database = await openDatabase({ url: url.url, poolSize: 6, prepare: process.env.MPI_DB_PREPARE !== 'off' });
  return {
    database,
    url: url.url,
    drop: async () => {
      await database.close();
      await url.drop();
    },
  };
}

export async function createPgDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `mpi_test_${randomBytes(6).toString('hex')}`;
  const admin = pgClient(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const a = pgClient(serverUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

class Rollback extends Error {}

/** Runs fn in a transaction that is rolled back afterwards, so every test starts from the same database. */
export async function inRolledBackTx(database: Database, fn: (tx: Tx) => Promise<void>): Promise<void> {
  try {
    await database.db.transaction(async (tx) => {
      await fn(tx as unknown as Tx);
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
}

/** The two configured authorities the store suites use: HOSP (trust 5) and LAB (trust 1); their ids. */
export async function hospitalAndLab(database: Database): Promise<{ hosp: number; lab: number }> {
  const rows = await query<{ id: number }>(
    database.db,
    sql`insert into authorities (namespace, name, trust_rank, origin) values ('HOSP', 'Hospital', 5, 'config'), ('LAB', 'Lab', 1, 'config') returning id`,
  );
  return { hosp: rows[0]!.id, lab: rows[1]!.id };
}
