import { afterEach, describe, expect, it } from 'vitest';
import { MllpClient, encodeFrame, startMllpServer, type MllpServer, type MllpServerOptions } from '../../src/mllp/index.js';
import { ackFor, ackId, captureLogger, deferred, hl7, rawConnect, sleep } from './helpers.js';

const servers: MllpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(opts: Partial<MllpServerOptions> = {}): Promise<MllpServer> {
  const server = await startMllpServer({
    host: '127.0.0.1',
    port: 0,
    onMessage: async (payload) => ackFor(payload),
    ...opts,
  });
  servers.push(server);
  return server;
}

describe('MLLP server', () => {
  it('answers 200 pipelined frames on one connection strictly in order, one handler at a time', async () => {
    let active = 0;
    let maxActive = 0;
    const seen: string[] = [];
    const server = await start({
      onMessage: async (payload) => {
        active++;
        maxActive = Math.max(maxActive, active);
        seen.push(ackId(ackFor(payload)));
        // Mixed delays so an unordered implementation would visibly reorder.
        const n = seen.length;
        if (n % 7 === 0) await sleep(1);
        else if (n % 3 === 0) await new Promise((r) => setImmediate(r));
        active--;
        return ackFor(payload);
      },
    });
    const peer = await rawConnect(server.port);
    const ids = Array.from({ length: 200 }, (_, i) => `M${i}`);
    // One write: the server sees far more than 64 queued frames, exercising pause/resume.
    peer.socket.write(Buffer.concat(ids.map((id) => encodeFrame(hl7(id)))));
    const replies: string[] = [];
    for (let i = 0; i < ids.length; i++) replies.push(ackId(await peer.next()));
    expect(replies).toEqual(ids);
    expect(seen).toEqual(ids);
    expect(maxActive).toBe(1);
    peer.socket.destroy();
  });

  it('runs handlers of different connections concurrently', async () => {
    let active = 0;
    let maxActive = 0;
    const allIn = deferred();
    const server = await start({
      onMessage: async (payload) => {
        active++;
        maxActive = Math.max(maxActive, active);
        if (active === 4) allIn.resolve();
        // Each handler waits until all four are in flight: only possible if connections are independent.
        await Promise.race([allIn.promise, sleep(2000)]);
        active--;
        return ackFor(payload);
      },
    });
    const clients = await Promise.all(
      [0, 1, 2, 3].map(() => MllpClient.connect({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 })),
    );
    const replies = await Promise.all(clients.map((c, i) => c.send(hl7(`C${i}`))));
    expect(replies.map(ackId)).toEqual(['C0', 'C1', 'C2', 'C3']);
    expect(maxActive).toBe(4);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('assembles a frame written one byte per event-loop turn', async () => {
    const received: string[] = [];
    const server = await start({
      onMessage: async (payload) => {
        received.push(payload.toString('utf8'));
        return ackFor(payload);
      },
    });
    const peer = await rawConnect(server.port);
    const frame = encodeFrame(hl7('BYTE1'));
    for (const byte of frame) {
      peer.socket.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    expect(ackId(await peer.next())).toBe('BYTE1');
    expect(received).toEqual([hl7('BYTE1')]);
    peer.socket.destroy();
  });

  it('answers an oversized frame through onOversize and keeps serving the connection', async () => {
    const oversize: Array<{ head: string; size: number }> = [];
    const server = await start({
      maxFrameBytes: 1024,
      onOversize: async (head, size) => {
        oversize.push({ head: head.toString('latin1'), size });
        return 'MSH|^~\\&|MPI|HOSP|HIS|HOSP|||ACK|X|P|2.5\rMSA|AR|BIG1\r';
      },
    });
    const client = await MllpClient.connect({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
    const big = hl7('BIG1') + 'NTE|1||' + 'x'.repeat(10_000) + '\r';
    const [r1, r2] = await Promise.all([client.sendText(big), client.sendText(hl7('AFTER'))]);
    expect(r1).toContain('MSA|AR|BIG1');
    expect(ackId(r2)).toBe('AFTER');
    expect(oversize).toHaveLength(1);
    expect(oversize[0]?.size).toBe(Buffer.byteLength(big));
    expect(oversize[0]?.head.startsWith('MSH|^~\\&|HIS|HOSP')).toBe(true);
    await client.close();
  });

  it('closes the connection on an oversized frame when there is no onOversize', async () => {
    const server = await start({ maxFrameBytes: 64 });
    const peer = await rawConnect(server.port);
    peer.socket.write(encodeFrame(hl7('TOO-BIG')));
    await peer.closed;
    expect(peer.received).toHaveLength(0);
  });

  it('closes only the failing connection when a handler throws, and keeps accepting', async () => {
    const logger = captureLogger();
    const server = await start({
      logger,
      onMessage: async (payload) => {
        const text = payload.toString('utf8');
        if (text.includes('|BOOM|')) throw new TypeError(`cannot parse patient Zoë Ñúñez in ${text}`);
        return ackFor(payload);
      },
    });
    const bad = await rawConnect(server.port);
    bad.socket.write(Buffer.concat([encodeFrame(hl7('OK1')), encodeFrame(hl7('BOOM')), encodeFrame(hl7('NEVER'))]));
    await bad.closed;
    // The reply written before the failure is flushed; nothing after it.
    expect(bad.received.map(ackId)).toEqual(['OK1']);

    const client = await MllpClient.connect({ host: '127.0.0.1', port: server.port, timeoutMs: 5000 });
    expect(ackId(await client.send(hl7('OK2')))).toBe('OK2');
    await client.close();

    const failure = logger.entries.find((e) => e.level === 'error');
    expect(failure?.fields).toMatchObject({ errorName: 'TypeError' });
    // No message content (PHI) may reach the log, not even through an error message.
    const logged = JSON.stringify(logger.entries);
    expect(logged).not.toMatch(/Zoë|Ñúñez|HOSP|BOOM|OK1/);
  });

  it('closes the connection after flushing earlier replies when the handler returns null', async () => {
    const handled: string[] = [];
    const server = await start({
      onMessage: async (payload) => {
        const id = ackId(ackFor(payload));
        handled.push(id);
        return id === 'STOP' ? null : ackFor(payload);
      },
    });
    const peer = await rawConnect(server.port);
    peer.socket.write(Buffer.concat(['A', 'B', 'STOP', 'C'].map((id) => encodeFrame(hl7(id)))));
    await peer.closed;
    expect(peer.received.map(ackId)).toEqual(['A', 'B']);
    expect(handled).toEqual(['A', 'B', 'STOP']);
  });

  it('closes a connection idle for idleTimeoutMs', async () => {
    const server = await start({ idleTimeoutMs: 100 });
    const peer = await rawConnect(server.port);
    peer.socket.write(encodeFrame(hl7('I1')));
    expect(ackId(await peer.next())).toBe('I1');
    const t0 = Date.now();
    await peer.closed;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(80);
    await sleep(10);
    expect(server.connections).toBe(0);
  });

  it('does not count a slow handler as idleness', async () => {
    const server = await start({
      idleTimeoutMs: 50,
      onMessage: async (payload) => {
        await sleep(200);
        return ackFor(payload);
      },
    });
    const peer = await rawConnect(server.port);
    peer.socket.write(encodeFrame(hl7('SLOW')));
    expect(ackId(await peer.next())).toBe('SLOW');
    await peer.closed;
  });

  it('survives a garbage-only connection and logs only the byte count', async () => {
    const logger = captureLogger();
    const server = await start({ logger });
    const peer = await rawConnect(server.port);
    peer.socket.write('GET / HTTP/1.1\r\nHost: Zoë\r\n\r\n');
    await sleep(30);
    peer.socket.end();
    await peer.closed;
    const warn = logger.entries.find((e) => e.msg.includes('outside a frame'));
    expect(warn?.fields?.bytes).toBeGreaterThan(0);
    expect(JSON.stringify(logger.entries)).not.toContain('Zoë');

    const client = await MllpClient.connect({ host: '127.0.0.1', port: server.port });
    expect(ackId(await client.send(hl7('AFTER-GARBAGE')))).toBe('AFTER-GARBAGE');
    await client.close();
  });

  it('survives a peer that resets mid-frame and mid-handler', async () => {
    const gate = deferred();
    const server = await start({
      onMessage: async (payload) => {
        await gate.promise;
        return ackFor(payload);
      },
    });
    const a = await rawConnect(server.port);
    a.socket.write(encodeFrame(hl7('X')));
    a.socket.write(encodeFrame(hl7('Y')).subarray(0, 20));
    await sleep(20);
    a.socket.resetAndDestroy();
    await a.closed;
    gate.resolve();
    await sleep(20);
    const client = await MllpClient.connect({ host: '127.0.0.1', port: server.port });
    expect(ackId(await client.send(hl7('Z')))).toBe('Z');
    await client.close();
  });

  it('still replies after the peer half-closes its side', async () => {
    const server = await start({
      onMessage: async (payload) => {
        await sleep(20);
        return ackFor(payload);
      },
    });
    const peer = await rawConnect(server.port, { allowHalfOpen: true });
    peer.socket.end(Buffer.concat([encodeFrame(hl7('H1')), encodeFrame(hl7('H2'))]));
    await peer.closed;
    expect(peer.received.map(ackId)).toEqual(['H1', 'H2']);
  });

  it('close() waits for an in-flight handler, delivers its reply, then closes sockets', async () => {
    const entered = deferred();
    const release = deferred();
    const server = await startMllpServer({
      host: '127.0.0.1',
      port: 0,
      onMessage: async (payload) => {
        entered.resolve();
        await release.promise;
        return ackFor(payload);
      },
    });
    const peer = await rawConnect(server.port);
    peer.socket.write(encodeFrame(hl7('INFLIGHT')));
    await entered.promise;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await sleep(50);
    expect(closed).toBe(false);
    // New connections are refused while draining.
    await expect(rawConnect(server.port)).rejects.toThrow();
    release.resolve();
    await closing;
    await peer.closed;
    expect(peer.received.map(ackId)).toEqual(['INFLIGHT']);
    expect(server.connections).toBe(0);
  });

  it('reports the bound port and live connection count', async () => {
    const server = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.address.port).toBe(server.port);
    const c = await MllpClient.connect({ host: '127.0.0.1', port: server.port });
    await c.send(hl7('N'));
    expect(server.connections).toBe(1);
    await c.close();
    await sleep(10);
    expect(server.connections).toBe(0);
  });

  it('drops connections beyond maxConnections', async () => {
    const logger = captureLogger();
    const server = await start({ maxConnections: 1, logger });
    const first = await rawConnect(server.port);
    first.socket.write(encodeFrame(hl7('FIRST')));
    expect(ackId(await first.next())).toBe('FIRST');
    const second = await rawConnect(server.port);
    await second.closed;
    expect(logger.entries.some((e) => e.msg.includes('maxConnections'))).toBe(true);
    first.socket.write(encodeFrame(hl7('STILL')));
    expect(ackId(await first.next())).toBe('STILL');
    first.socket.destroy();
  });

  it('rejects startup on a port already in use', async () => {
    const server = await start();
    await expect(startMllpServer({ host: '127.0.0.1', port: server.port, onMessage: async () => null })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});
