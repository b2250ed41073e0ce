import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import postgres from 'postgres';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that can run a query: the database or an open transaction. */
export type Queryable = Db | Tx;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** PostgreSQL: how this database was opened, so that a worker thread can open a pool of its own on it. */
  postgres?: { url: string; prepare: boolean };
  close(): Promise<void>;
}

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Runs raw SQL and returns its rows, whichever driver is underneath (they shape results differently). */
export async function query<T = Record<string, unknown>>(q: Queryable, statement: SQL): Promise<T[]> {
  const res = (await q.execute(statement)) as unknown;
  if (Array.isArray(res)) return res as T[];
  return ((res as { rows?: T[] }).rows ?? []) as T[];
}

// Any constant will do: it only has to be the same for every process that migrates this database.
const MIGRATION_LOCK = 7_316_201;

export interface OpenOptions {
  /** postgres:// URL; absent → embedded PGlite. */
  url?: string;
  /** PGlite data directory; absent (with no url) → in-memory PGlite (tests). */
  dataDir?: string;
  poolSize?: number;
  migrate?: boolean;
  /** Named (server-side prepared) statements; off for a pooler that cannot keep them (PgBouncer < 1.21 in transaction mode). */
  prepare?: boolean;
}

export type PgClient = postgres.Sql;

/**
 * drizzle sends every statement unnamed, so PostgreSQL parses and plans it on every call, and postgres.js
 * first asks for its parameter types (a round trip of its own) every time: for the short lookups the service
 * makes (a crosswalk read, an audit insert) that doubled the server's CPU. Named, each statement is parsed and
 * described once per connection. The wrapper also names statements run inside transactions and
 * savepoints, whose clients postgres.js creates.
 */
export function preparing(client: PgClient): PgClient {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'unsafe') return (text: string, params?: unknown[], options?: object) => target.unsafe(text, params as never, { ...options, prepare: true });
      if (prop === 'begin' || prop === 'savepoint') {
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: PgClient) => unknown;
          return ((target as unknown as Record<string, (...a: unknown[]) => unknown>)[prop]!)(...args, (tx: PgClient) => fn(preparing(tx)));
        };
      }
      return Reflect.get(target, prop, target);
    },
  });
}

/**
 * A postgres.js client for a libpq-style URL. `?host=/var/run/postgresql` (a directory: the server's Unix
 * socket, as psql and libpq read it) is turned into the socket path postgres.js wants; postgres.js itself
 * would send `host` to the server as a setting and be refused. (On the bench machine the socket measured the
 * same as TCP loopback; it is here for deployments that allow only local socket connections.)
 */
export function pgClient(url: string, options: postgres.Options<Record<string, postgres.PostgresType>> = {}): PgClient {
  const u = new URL(url);
  const host = u.searchParams.get('host');
  if (!host?.startsWith('/')) return postgres(url, options);
  u.searchParams.delete('host');
  const port = u.port || '5432';
  return postgres(u.toString(), { ...options, path: `${host.replace(/\/+$/, '')}/.s.PGSQL.${port}` });
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) {
    if (opts.migrate !== false) {
      // One connection holds a session advisory lock so that two processes starting together migrate once.
      const lockClient = pgClient(opts.url, { max: 1, onnotice: () => {} });
      try {
        await lockClient`select pg_advisory_lock(${MIGRATION_LOCK})`;
        await migratePostgres(drizzlePostgres(lockClient, { schema }), { migrationsFolder });
        await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK})`;
      } finally {
        await lockClient.end({ timeout: 5 });
      }
    }
    const client = pgClient(opts.url, { max: opts.poolSize ?? 8, onnotice: () => {}, prepare: opts.prepare !== false });
    const db = drizzlePostgres(opts.prepare === false ? client : preparing(client), { schema }) as unknown as Db;
    return { db, kind: 'postgres', postgres: { url: opts.url, prepare: opts.prepare !== false }, close: () => client.end({ timeout: 5 }) };
  }
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const client = opts.dataDir ? new PGlite(opts.dataDir) : new PGlite();
  await client.waitReady;
  const pdb = drizzlePglite(client, { schema });
  if (opts.migrate !== false) await migratePglite(pdb, { migrationsFolder });
  return { db: pdb as unknown as Db, kind: 'pglite', close: () => client.close() };
}
