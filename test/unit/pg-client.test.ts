import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pgClient } from '../../src/storage/db.js';

describe('pgClient reads libpq-style URLs', () => {
  it('?host=<directory> is the server socket in that directory, on the URL port', async () => {
    const c = pgClient('postgres://mpi@localhost:5433/mpi?host=/var/run/postgresql/');
    expect(c.options.path).toBe('/var/run/postgresql/.s.PGSQL.5433');
    // The setting is not passed on to the server, which would refuse an unknown parameter.
    expect(c.options.connection).not.toHaveProperty('host');
    expect(c.options.database).toBe('mpi');
    await c.end();
  });

  it('without it, or with a host name, TCP as before', async () => {
    for (const url of ['postgres://mpi@db.example:5432/mpi', 'postgres://mpi@localhost/mpi?host=db.example']) {
      const c = pgClient(url);
      expect(c.options.path).toBeFalsy();
      await c.end();
    }
  });

  const socket = '/var/run/postgresql/.s.PGSQL.5432';
  it.runIf(!!process.env.DATABASE_URL && existsSync(socket))('connects through the socket of the server under test', async () => {
    const u = new URL(process.env.DATABASE_URL!);
    u.searchParams.set('host', '/var/run/postgresql');
    const c = pgClient(u.toString(), { max: 1, onnotice: () => {} });
    try {
      const [row] = await c<Array<{ addr: string | null }>>`select inet_client_addr()::text as addr`;
      // A Unix-socket connection has no client address.
      expect(row!.addr).toBeNull();
    } finally {
      await c.end();
    }
  });
});
