import { randomBytes } from 'node:crypto';
import { pgClient } from '../src/storage/db.js';

/** A fresh database on the server of `url`; `drop` removes it (WITH (FORCE): PostgreSQL 13+). */
export async function createBenchDatabase(url: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `mpi_bench_${randomBytes(6).toString('hex')}`;
  const admin = pgClient(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: async () => {
      const a = pgClient(url, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end({ timeout: 5 });
      }
    },
  };
}

/**
 * The environment of a service a bench starts in-process: ephemeral ports on the loopback, its own data
 * directory and API key, and the database given (the embedded one when none). The caller's MPI_CONFIG and
 * DATABASE_URL never leak in: a bench measures the configuration it builds itself.
 */
export function benchServiceEnv(o: { dataDir: string; apiKeys: string; databaseUrl?: string }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MLLP_PORT: '0',
    HTTP_PORT: '0',
    MLLP_HOST: '127.0.0.1',
    HTTP_HOST: '127.0.0.1',
    MPI_DATA_DIR: o.dataDir,
    MPI_API_KEYS: o.apiKeys,
  };
  delete env.DATABASE_URL;
  delete env.MPI_CONFIG;
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  return env;
}
