import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { MllpFramer, encodeFrame } from './framer.js';
import { errorKind, noopLogger, type Logger } from './types.js';

export type ConnectionContext = {
  connectionId: string;
  remoteAddress: string;
  remotePort: number;
  tls: boolean;
};

export type MllpReply = Buffer | string | null;

export type MllpServerOptions = {
  /** Default '0.0.0.0'. */
  host?: string;
  /** 0 picks a free port (read it back from `MllpServer.port`). */
  port: number;
  /** Largest accepted payload (between VT and FS). Default 1 MiB. */
  maxFrameBytes?: number;
  /** A connection that receives no bytes for this long is closed. Default 60 000 ms. */
  idleTimeoutMs?: number;
  /** Further connections are dropped by the OS listener. Default unlimited. */
  maxConnections?: number;
  /** How long close() waits for in-flight handlers before destroying sockets anyway. Default 30 000 ms. */
  shutdownTimeoutMs?: number;
  tls?: {
    cert: Buffer | string;
    key: Buffer | string;
    ca?: Buffer | string;
    /** Ask for (and with the default rejectUnauthorized, require) a client certificate signed by `ca`. */
    requestCert?: boolean;
  };
  /**
   * Called once per frame, never concurrently for one connection. The resolved reply is framed and written;
   * null closes the connection after earlier replies are flushed. A throw/rejection closes the connection
   * without a reply (the sender will time out and resend).
   */
  onMessage: (payload: Buffer, ctx: ConnectionContext) => Promise<MllpReply>;
  /**
   * Called for a frame larger than maxFrameBytes with its first 4 KiB (enough to read MSH and build an AR).
   * Without it the connection is closed, since an oversized frame cannot be acknowledged otherwise.
   */
  onOversize?: (head: Buffer, size: number, ctx: ConnectionContext) => Promise<MllpReply>;
  logger?: Logger;
};

export type MllpServer = {
  readonly port: number;
  readonly address: net.AddressInfo;
  /** Open connections right now. */
  readonly connections: number;
  /** Stops accepting, lets in-flight handlers finish and their replies flush, then destroys all sockets. */
  close(): Promise<void>;
};

const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;
/** Above this many queued frames the socket stops reading, so a fast sender cannot grow memory without bound. */
const PAUSE_QUEUE_LENGTH = 64;
/** A socket that was asked to end but whose peer stops reading is destroyed after this. */
const END_GRACE_MS = 2_000;

type Job = { kind: 'frame'; payload: Buffer } | { kind: 'oversize'; head: Buffer; size: number };

class Connection {
  readonly ctx: ConnectionContext;
  private readonly framer: MllpFramer;
  /** FIFO with a moving head (shift() on a long array is O(n)); consumed slots are cleared to free payloads. */
  private readonly queue: Array<Job | undefined> = [];
  private queueHead = 0;
  /** True from the moment a frame is taken until the queue is empty, flipped synchronously by drain(). */
  private busy = false;
  private running: Promise<void> = Promise.resolve();
  /** Set once no further frame may start (peer closed, handler failed, null reply, shutdown). */
  private stopped = false;
  private peerEnded = false;
  private pausedForBackpressure = false;
  private frames = 0;
  private garbageBytes = 0;
  private readonly openedAt = Date.now();

  constructor(
    readonly socket: net.Socket,
    readonly id: string,
    private readonly opts: Required<Pick<MllpServerOptions, 'onMessage' | 'maxFrameBytes'>> &
      Pick<MllpServerOptions, 'onOversize'>,
    private readonly log: Logger,
    isTls: boolean,
    idleTimeoutMs: number,
    private readonly onClosed: (c: Connection) => void,
  ) {
    this.ctx = {
      connectionId: id,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      tls: isTls,
    };
    this.framer = new MllpFramer({ maxFrameBytes: opts.maxFrameBytes });
    socket.setNoDelay(true);
    if (idleTimeoutMs > 0) socket.setTimeout(idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('timeout', () => this.onTimeout());
    socket.on('error', (err) => {
      // ECONNRESET/EPIPE are routine with MLLP senders that drop connections; 'close' follows.
      this.log.warn('mllp connection error', { connectionId: id, ...errorKind(err) });
    });
    socket.on('close', () => {
      this.stopped = true;
      this.clearQueue();
      this.log.info('mllp connection closed', {
        connectionId: id,
        frames: this.frames,
        garbageBytes: this.garbageBytes,
        pendingBytes: this.framer.pendingBytes,
        durationMs: Date.now() - this.openedAt,
      });
      this.onClosed(this);
    });
  }

  private onData(chunk: Buffer): void {
    if (this.stopped) return;
    for (const ev of this.framer.push(chunk)) {
      if (ev.kind === 'frame') {
        this.frames++;
        this.queue.push({ kind: 'frame', payload: ev.payload });
      } else if (ev.kind === 'oversize') {
        this.frames++;
        this.log.warn('mllp frame over size limit', {
          connectionId: this.id,
          size: ev.size,
          maxFrameBytes: this.opts.maxFrameBytes,
        });
        this.queue.push({ kind: 'oversize', head: ev.head, size: ev.size });
      } else {
        // Logged once per connection (total reported at close) so a noisy peer cannot flood the log.
        if (this.garbageBytes === 0) {
          this.log.warn('mllp bytes outside a frame skipped', { connectionId: this.id, bytes: ev.bytes });
        }
        this.garbageBytes += ev.bytes;
      }
    }
    if (this.queue.length - this.queueHead > PAUSE_QUEUE_LENGTH && !this.pausedForBackpressure) {
      this.pausedForBackpressure = true;
      this.socket.pause();
    }
    this.kick();
  }

  private onEnd(): void {
    // Plain TCP is allowHalfOpen so replies to frames already received can still be written.
    this.peerEnded = true;
    if (this.framer.inFrame) {
      this.log.warn('mllp connection ended inside a frame', {
        connectionId: this.id,
        pendingBytes: this.framer.pendingBytes,
      });
    }
    if (!this.busy) this.end();
  }

  private onTimeout(): void {
    // Only silence counts as idle: a slow handler or a paused (back-pressured) socket is busy, not idle.
    // Writing its reply re-arms the timer.
    if (this.busy) return;
    this.log.info('mllp connection idle timeout', { connectionId: this.id });
    this.stopped = true;
    this.end();
  }

  private kick(): void {
    if (this.busy || this.stopped || this.queueHead >= this.queue.length) return;
    this.busy = true;
    this.running = this.drain().catch((err: unknown) => {
      this.log.error('mllp connection loop failed', { connectionId: this.id, ...errorKind(err) });
      this.socket.destroy();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped && this.queueHead < this.queue.length) {
        const job = this.queue[this.queueHead]!;
        this.queue[this.queueHead++] = undefined;
        let reply: MllpReply;
        try {
          if (job.kind === 'frame') {
            reply = await this.opts.onMessage(job.payload, this.ctx);
          } else if (this.opts.onOversize) {
            reply = await this.opts.onOversize(job.head, job.size, this.ctx);
          } else {
            reply = null;
          }
        } catch (err) {
          this.log.error('mllp handler failed; closing connection', { connectionId: this.id, ...errorKind(err) });
          this.stopped = true;
          this.end();
          return;
        }
        if (this.socket.destroyed || !this.socket.writable) return;
        if (reply === null) {
          this.stopped = true;
          this.end();
          return;
        }
        const frame = encodeFrame(reply);
        if (!this.socket.write(frame)) {
          // Wait for the peer to read before processing more: otherwise replies pile up in memory.
          await writable(this.socket);
        }
        if (this.queueHead === this.queue.length) {
          this.queue.length = 0;
          this.queueHead = 0;
        }
        if (this.pausedForBackpressure && this.queue.length - this.queueHead === 0) {
          this.pausedForBackpressure = false;
          this.socket.resume();
        }
      }
      if (this.peerEnded && !this.stopped) this.end();
    } finally {
      // Cleared in the same synchronous step as the loop's last emptiness check, so a frame queued by the
      // next 'data' event always finds busy=false and starts a new drain.
      this.busy = false;
    }
  }

  private clearQueue(): void {
    this.queue.length = 0;
    this.queueHead = 0;
  }

  /** Flushes what was already written, then closes; destroys if the peer does not read within the grace. */
  end(): void {
    this.clearQueue();
    if (this.socket.destroyed) return;
    if (!this.socket.writableEnded) {
      this.socket.end(() => this.socket.destroy());
    }
    setTimeout(() => this.socket.destroy(), END_GRACE_MS).unref();
  }

  /** For shutdown: no new frame starts; resolves once the in-flight handler (and its write) is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearQueue();
    this.socket.pause();
    await this.running;
  }
}

export async function startMllpServer(opts: MllpServerOptions): Promise<MllpServer> {
  const log = opts.logger ?? noopLogger;
  const host = opts.host ?? '0.0.0.0';
  const maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const shutdownTimeoutMs = opts.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const isTls = opts.tls !== undefined;
  const connections = new Set<Connection>();
  const idPrefix = randomBytes(3).toString('hex');
  let seq = 0;
  let closing = false;

  const connOpts = { onMessage: opts.onMessage, onOversize: opts.onOversize, maxFrameBytes };
  const accept = (socket: net.Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    const id = `${idPrefix}-${++seq}`;
    const conn = new Connection(socket, id, connOpts, log, isTls, idleTimeoutMs, (c) => connections.delete(c));
    connections.add(conn);
    log.info('mllp connection opened', {
      connectionId: id,
      remoteAddress: conn.ctx.remoteAddress,
      remotePort: conn.ctx.remotePort,
      tls: isTls,
    });
  };

  let server: net.Server;
  if (opts.tls) {
    server = tls.createServer({
      cert: opts.tls.cert,
      key: opts.tls.key,
      ca: opts.tls.ca,
      requestCert: opts.tls.requestCert ?? false,
      // Not allowHalfOpen: a peer that sends FIN mid-handshake (e.g. it rejected our certificate) would
      // otherwise leave a socket that no handler owns, and close() would wait for it forever.
      // A handshake may not take longer than the idle timeout: a stalled one holds a connection slot.
      handshakeTimeout: idleTimeoutMs > 0 ? Math.min(idleTimeoutMs, 120_000) : 120_000,
    });
    server.on('secureConnection', accept);
    server.on('tlsClientError', (err, socket) => {
      log.warn('mllp tls handshake failed', { remoteAddress: socket.remoteAddress, ...errorKind(err) });
    });
  } else {
    server = net.createServer({ allowHalfOpen: true });
    server.on('connection', accept);
  }
  if (opts.maxConnections !== undefined) server.maxConnections = opts.maxConnections;
  server.on('drop', (data) => {
    log.warn('mllp connection dropped: maxConnections reached', { remoteAddress: data?.remoteAddress });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(opts.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // After listen succeeded, errors (e.g. EMFILE on accept) must not crash the process.
  server.on('error', (err) => log.error('mllp server error', errorKind(err)));

  const address = server.address() as net.AddressInfo;
  log.info('mllp server listening', { host: address.address, port: address.port, tls: isTls });

  let closePromise: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closePromise ??= (async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const conns = [...connections];
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), shutdownTimeoutMs);
        timer.unref();
      });
      const outcome = await Promise.race([Promise.all(conns.map((c) => c.stop())), deadline]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        log.warn('mllp shutdown timeout; destroying connections with handlers in flight', {
          connections: connections.size,
        });
      }
      // Replies were handed to the socket by write(); end() flushes them before the FIN.
      await Promise.all(
        [...connections].map(async (c) => {
          if (c.socket.destroyed) return;
          const done = new Promise<void>((resolve) => c.socket.once('close', () => resolve()));
          c.end();
          await Promise.race([done, sleep(END_GRACE_MS)]);
          c.socket.destroy();
        }),
      );
      await closed;
      log.info('mllp server closed', { port: address.port });
    })();
    return closePromise;
  };

  return {
    port: address.port,
    address,
    get connections() {
      return connections.size;
    },
    close,
  };
}

/** Resolves when the socket can take more data or is gone; never rejects (errors are handled on 'error'). */
function writable(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
