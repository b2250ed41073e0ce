import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MllpClient, MllpError, startMllpServer, type ConnectionContext } from '../../src/mllp/index.js';
import { ackFor, ackId, hl7 } from './helpers.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const opensslAvailable = hasOpenssl();
if (!opensslAvailable) console.warn('skipping MLLP TLS tests: `openssl` is not on PATH (needed to make a test certificate)');

describe.skipIf(!opensslAvailable)('MLLP over TLS', () => {
  let dir = '';
  let cert: Buffer;
  let key: Buffer;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mllp-tls-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', 'k.pem', '-out', 'c.pem'],
      { cwd: dir, stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'c.pem'));
    key = readFileSync(join(dir, 'k.pem'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exchanges frames over TLS with a verified server certificate', async () => {
    const contexts: ConnectionContext[] = [];
    const server = await startMllpServer({
      host: '127.0.0.1',
      port: 0,
      tls: { cert, key },
      onMessage: async (payload, ctx) => {
        contexts.push(ctx);
        return ackFor(payload);
      },
    });
    try {
      const client = await MllpClient.connect({
        host: '127.0.0.1',
        port: server.port,
        tls: { ca: cert, servername: 'localhost' },
        timeoutMs: 5000,
      });
      const [a, b] = await Promise.all([client.send(hl7('TLS1')), client.sendText(hl7('TLS2'))]);
      expect(ackId(a)).toBe('TLS1');
      expect(ackId(b)).toBe('TLS2');
      expect(contexts[0]).toMatchObject({ tls: true, remoteAddress: '127.0.0.1' });
      await client.close();
    } finally {
      await server.close();
    }
  });

  it('refuses a server whose certificate is not trusted', async () => {
    const server = await startMllpServer({ host: '127.0.0.1', port: 0, tls: { cert, key }, onMessage: async () => 'x' });
    try {
      const err = await MllpClient.connect({ host: '127.0.0.1', port: server.port, tls: {}, timeoutMs: 5000 }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(MllpError);
      expect((err as MllpError).code).toBe('CONNECT');
    } finally {
      await server.close();
    }
  });
});
