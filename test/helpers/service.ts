import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseFileConfig, type Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/lib/log.js';
import { startService, type Service } from '../../src/main.js';
import { MllpClient } from '../../src/mllp/index.js';
import { expect } from 'vitest';
import { adt, type AdtSpec } from './adt.js';
import { createTestDatabase, type Backend, type FreshDatabase } from './db.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';
export const READER_KEY = 'test-reader-key-0123456789';

export interface TestService {
  service: Service;
  fresh: FreshDatabase;
  config: Config;
  /** Sends messages on one connection, in order, and returns the ACK texts. */
  send(messages: Array<string | Buffer>): Promise<string[]>;
  pix(query: string, key?: string): Promise<{ status: number; body: any }>;
  http(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  stop(): Promise<void>;
}

export async function startTestService(backend: Backend, fileConfig: unknown = {}, env: Record<string, string> = {}, logger?: Logger): Promise<TestService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mpi-test-'));
  const fresh = await createTestDatabase(backend);
  const config = loadConfig({
    MPI_DATA_DIR: dataDir,
    MLLP_PORT: '0',
    HTTP_PORT: '0',
    MLLP_HOST: '127.0.0.1',
    HTTP_HOST: '127.0.0.1',
    MPI_API_KEYS: `${ADMIN_KEY}:admin,${READER_KEY}:reader`,
    ...env,
  });
  config.file = parseFileConfig(fileConfig);
  const service = await startService(config, { database: fresh.database, logger: logger ?? createLogger(process.env.MPI_TEST_LOG ? 'debug' : 'silent') });
  const http = (path: string, init: RequestInit & { key?: string } = {}) =>
    fetch(`http://127.0.0.1:${service.httpPort}${path}`, {
      ...init,
      headers: { ...(init.key === '' ? {} : { authorization: `Bearer ${init.key ?? READER_KEY}` }), ...(init.headers as Record<string, string>) },
    });
  return {
    service,
    fresh,
    config,
    async send(messages) {
      const client = await MllpClient.connect({ host: '127.0.0.1', port: service.mllpPort, timeoutMs: 10_000 });
      try {
        const acks: string[] = [];
        for (const m of messages) acks.push((await client.send(m)).toString('latin1'));
        return acks;
      } finally {
        client.close();
      }
    },
    async pix(q, key) {
      await service.worker.idle();
      const res = await http(`/fhir/Patient/$ihe-pix?${q}`, { key });
      return { status: res.status, body: await res.json() };
    },
    http,
    async stop() {
      await service.stop();
      await fresh.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** MSA-1 and MSA-2 of an ACK, and its ERR segment if any. */
export function readAck(ack: string) {
  const segs = ack.split('\r').filter(Boolean);
  const msa = segs.find((s) => s.startsWith('MSA'))?.split('|') ?? [];
  return { code: msa[1], controlId: msa[2], text: msa[3], err: segs.find((s) => s.startsWith('ERR')), msh: segs[0]! };
}

/**
 * Sends one ADT message per call on the service `t()` returns (read when called: suites start it in beforeAll),
 * each with a control id of its own (`prefix` + a counter), and expects it accepted (MSA|AA).
 */
export function acceptedSender(t: () => TestService, prefix: string) {
  let seq = 0;
  return async (spec: Omit<AdtSpec, 'controlId'>) => {
    const [ack] = await t().send([adt({ ...spec, controlId: `${prefix}${++seq}` })]);
    expect(readAck(ack!).code).toBe('AA');
  };
}
