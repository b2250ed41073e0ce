import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, query, type Database } from '../../src/storage/db.js';
import { createPgDatabase } from '../helpers/db.js';

/**
 * drizzle sends statements unnamed, so PostgreSQL would parse and plan each on every call; the service
 * names them (storage/db.ts `preparing`). A named statement is listed in pg_prepared_statements of the
 * connection that prepared it, so a transaction (one connection) can see its own.
 */
const url = process.env.DATABASE_URL;

describe.runIf(!!url)('statements on PostgreSQL are prepared once per connection', () => {
  let server: { url: string; drop(): Promise<void> };
  const opened: Database[] = [];
  beforeAll(async () => {
    server = await createPgDatabase(url!);
  });
  afterAll(async () => {
    for (const d of opened) await d.close();
    await server?.drop();
  });

  const open = async (prepare?: boolean) => {
    const d = await openDatabase({ url: server.url, poolSize: 2, prepare, migrate: false });
    opened.push(d);
    return d;
  };

  /** Runs a marked statement twice in one transaction (and a savepoint), then lists what that connection prepared. */
  async function preparedAfter(d: Database, marker: number): Promise<string[]> {
    return d.db.transaction(async (tx) => {
      await query(tx, sql`select ${marker}::int as marker_one`);
      await tx.transaction(async (sp) => {
        await query(sp, sql`select ${marker}::int as marker_two`);
      });
      await tx.execute(sql`select ${marker}::int as marker_one`);
      const rows = await query<{ statement: string }>(tx, sql`select statement from pg_prepared_statements where statement like '%marker_%' and statement not like '%pg_prepared_statements%'`);
      return rows.map((r) => r.statement).sort();
    });
  }

  it('names statements run on the pool, in transactions and in savepoints', async () => {
    const d = await open();
    const statements = await preparedAfter(d, 1);
    expect(statements).toEqual(['select $1::int as marker_one', 'select $1::int as marker_two']);
  });

  it('MPI_DB_PREPARE=off leaves them unnamed, as a transaction-mode pooler needs', async () => {
    const d = await open(false);
    expect(await preparedAfter(d, 2)).toEqual([]);
  });
});
