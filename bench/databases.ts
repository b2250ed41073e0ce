import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/** A fresh database on the server of `url`; `drop` removes it (WITH (FORCE): PostgreSQL 13+). */
export async function createBenchDatabase(url: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `mpi_bench_${randomBytes(6).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
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
      const a = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end({ timeout: 5 });
      }
    },
  };
}
