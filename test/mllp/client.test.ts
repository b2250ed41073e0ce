import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient, MllpError, encodeFrame, startMllpServer, type MllpServer } from '../../src/mllp/index.js';
import { ackFor, ackId, deferred, hl7, sleep } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(onMessage: (payload: Buffer) => Promise<Buffer | string | null>): Promise<MllpServer> {
  const s = await startMllpServer({ host: '127.0.0.1', port: 0, onMessage, shutdownTimeoutMs: 200 });
  cleanups.push(() => s.close());
  return s;
}

/** A bare TCP server that answers every connection with `respond`, for protocol-violation cases. */
async function rawServer(respond: (socket: net.Socket, chunk: Buffer) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const s = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => respond(socket, chunk));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const k of sockets) k.destroy();
        s.close(() => r());
      }),
  );
  return (s.address() as net.AddressInfo).port;
}

async function connect(port: number, timeoutMs = 5000): Promise<MllpClient> {
  const c = await MllpClient.connect({ host: '127.0.0.1', port, timeoutMs });
  cleanups.push(() => c.close());
  return c;
}

function codeOf(err: unknown): string | undefined {
  return err instanceof MllpError ? err.code : undefined;
}

describe('MllpClient', () => {
  it('gives each of many concurrent sends its own reply, in order', async () => {
    const s = await server(async (payload) => {
      const id = ackId(ackFor(payload));
      // Later requests finish faster, so any out-of-order dispatch would show.
      await sleep(Number(id.slice(1)) % 2 === 0 ? 2 : 0);
      return ackFor(payload);
    });
    const client = await connect(s.port);
    const ids = Array.from({ length: 100 }, (_, i) => `Q${i}`);
    const replies = await Promise.all(ids.map((id) => client.send(hl7(id))));
    expect(replies.map(ackId)).toEqual(ids);
    expect(client.inFlight).toBe(0);
  });

  it('decodes replies as UTF-8 with sendText', async () => {
    const s = await server(async (payload) => payload);
    const client = await connect(s.port);
    expect(await client.sendText('Zoë Ñúñez')).toBe('Zoë Ñúñez');
  });

  it('rejects with TIMEOUT when no reply arrives, failing the queued sends too', async () => {
    const never = deferred<null>();
    cleanups.push(() => never.resolve(null));
    const s = await server(() => never.promise);
    const client = await connect(s.port, 100);
    const t0 = Date.now();
    const results = await Promise.allSettled([client.send(hl7('T1')), client.send(hl7('T2'))]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    expect(results.map((r) => (r.status === 'rejected' ? codeOf(r.reason) : 'ok'))).toEqual(['TIMEOUT', 'TIMEOUT']);
    // A timed-out stream cannot be resynchronised: the client refuses further sends.
    await expect(client.send(hl7('T3'))).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('rejects with CLOSED when the server closes the socket before replying', async () => {
    const s = await server(async () => null);
    const client = await connect(s.port);
    await expect(client.send(hl7('C1'))).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(client.send(hl7('C2'))).rejects.toBeInstanceOf(MllpError);
  });

  it('rejects with PROTOCOL when the reply is not an MLLP frame', async () => {
    const port = await rawServer((socket) => socket.write('MSA|AA|1\r'));
    const client = await connect(port);
    await expect(client.send(hl7('P1'))).rejects.toMatchObject({ code: 'PROTOCOL' });
  });

  it('accepts a reply split across many TCP segments', async () => {
    const port = await rawServer((socket) => {
      const frame = encodeFrame('MSH|^~\\&|A\rMSA|AA|S1\r');
      let i = 0;
      const tick = (): void => {
        if (i < frame.length) {
          socket.write(frame.subarray(i, i + 3));
          i += 3;
          setImmediate(tick);
        }
      };
      tick();
    });
    const client = await connect(port);
    expect(ackId(await client.send(hl7('S1')))).toBe('S1');
  });

  it('rejects only the affected send when a reply exceeds maxFrameBytes', async () => {
    const s = await server(async (payload) => (ackId(ackFor(payload)) === 'BIG' ? 'x'.repeat(5000) : ackFor(payload)));
    const client = await MllpClient.connect({ host: '127.0.0.1', port: s.port, maxFrameBytes: 1000 });
    cleanups.push(() => client.close());
    const [big, small] = await Promise.allSettled([client.send(hl7('BIG')), client.send(hl7('SMALL'))]);
    expect(big.status === 'rejected' && codeOf(big.reason)).toBe('OVERSIZE');
    expect(small.status === 'fulfilled' && ackId(small.value)).toBe('SMALL');
  });

  it('rejects connect with CONNECT when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(MllpClient.connect({ host: '127.0.0.1', port })).rejects.toMatchObject({ code: 'CONNECT' });
  });

  it('close() rejects pending sends and later sends', async () => {
    const never = deferred<null>();
    cleanups.push(() => never.resolve(null));
    const s = await server(() => never.promise);
    const client = await MllpClient.connect({ host: '127.0.0.1', port: s.port });
    const pending = client.send(hl7('X')).catch((e: unknown) => e);
    await client.close();
    expect(codeOf(await pending)).toBe('CLOSED');
    await expect(client.send(hl7('Y'))).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
