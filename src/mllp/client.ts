import net from 'node:net';
import tls from 'node:tls';
import { MllpFramer, encodeFrame } from './framer.js';
import { MllpError } from './types.js';

export type MllpClientOptions = {
  host: string;
  port: number;
  tls?: {
    ca?: Buffer | string;
    rejectUnauthorized?: boolean;
    /** Name checked against the server certificate; defaults to `host` unless it is an IP address. */
    servername?: string;
    /** Client certificate, for servers started with requestCert. */
    cert?: Buffer | string;
    key?: Buffer | string;
  };
  /** Applies to connecting and to each send() (from the call until its reply). Default 30 000 ms. */
  timeoutMs?: number;
  /** Largest reply accepted. Default 16 MiB (query responses can be large). */
  maxFrameBytes?: number;
};

type Pending = { resolve: (reply: Buffer) => void; reject: (err: Error) => void; deadline: number };

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * MLLP sender. Replies are matched to requests by order (MLLP has no correlation on the wire), so sends may
 * be pipelined: each send() resolves with the next unclaimed reply frame.
 *
 * Any desynchronisation (timeout, bytes outside a frame, unsolicited frame) is fatal to the client: a late
 * or stray reply would otherwise be handed to the wrong request. Callers reconnect and resend.
 */
export class MllpClient {
  private readonly framer: MllpFramer;
  private readonly pending: Array<Pending | undefined> = [];
  private pendingHead = 0;
  private timer: NodeJS.Timeout | undefined;
  private failure: MllpError | null = null;
  private readonly closed: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    private readonly timeoutMs: number,
    maxFrameBytes: number,
  ) {
    this.framer = new MllpFramer({ maxFrameBytes });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.failure ??= new MllpError('CLOSED', `connection error: ${codeOf(err)}`, { cause: err });
    });
    socket.on('close', () => {
      this.fail(this.failure ?? new MllpError('CLOSED', 'connection closed by peer before a reply'));
    });
  }

  static connect(opts: MllpClientOptions): Promise<MllpClient> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    return new Promise((resolve, reject) => {
      let socket: net.Socket;
      const where = `${opts.host}:${opts.port}`;
      const onError = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(new MllpError('CONNECT', `connect to ${where} failed: ${codeOf(err)}`, { cause: err }));
      };
      const onConnect = (): void => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new MllpClient(socket, timeoutMs, maxFrameBytes));
      };
      if (opts.tls) {
        const servername = opts.tls.servername ?? (net.isIP(opts.host) ? undefined : opts.host);
        socket = tls.connect(
          {
            host: opts.host,
            port: opts.port,
            ca: opts.tls.ca,
            cert: opts.tls.cert,
            key: opts.tls.key,
            rejectUnauthorized: opts.tls.rejectUnauthorized ?? true,
            ...(servername !== undefined ? { servername } : {}),
          },
          onConnect,
        );
      } else {
        socket = net.connect({ host: opts.host, port: opts.port }, onConnect);
      }
      socket.once('error', onError);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new MllpError('CONNECT', `connect to ${where} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    });
  }

  /** Number of sends awaiting their reply. */
  get inFlight(): number {
    return this.pending.length - this.pendingHead;
  }

  send(message: Buffer | string): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const frame = encodeFrame(message);
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.push({ resolve, reject, deadline: Date.now() + this.timeoutMs });
      this.socket.write(frame);
      if (!this.timer) this.armTimer();
    });
  }

  async sendText(message: string): Promise<string> {
    return (await this.send(message)).toString('utf8');
  }

  /** Rejects sends still waiting, then closes the socket gracefully. */
  async close(): Promise<void> {
    if (!this.socket.destroyed) {
      this.fail(new MllpError('CLOSED', 'client closed'), false);
      // Nothing more is expected from the server, so once our FIN is out there is no reason to wait for its.
      this.socket.end(() => this.socket.destroy());
      const grace = setTimeout(() => this.socket.destroy(), 1_000);
      await this.closed;
      clearTimeout(grace);
    }
  }

  private onData(chunk: Buffer): void {
    for (const ev of this.framer.push(chunk)) {
      if (ev.kind === 'frame') {
        const head = this.shift();
        if (!head) {
          this.fail(new MllpError('PROTOCOL', 'unsolicited frame from server'));
          return;
        }
        head.resolve(ev.payload);
      } else if (ev.kind === 'oversize') {
        // The stream is still aligned after an oversized frame, so only its request fails.
        const head = this.shift();
        const err = new MllpError('OVERSIZE', `reply of ${ev.size} bytes exceeds maxFrameBytes`);
        if (!head) {
          this.fail(err);
          return;
        }
        head.reject(err);
      } else {
        this.fail(new MllpError('PROTOCOL', `server sent ${ev.bytes} bytes outside an MLLP frame`));
        return;
      }
    }
  }

  private shift(): Pending | undefined {
    if (this.pendingHead >= this.pending.length) return undefined;
    const p = this.pending[this.pendingHead];
    this.pending[this.pendingHead++] = undefined;
    if (this.pendingHead === this.pending.length) {
      this.pending.length = 0;
      this.pendingHead = 0;
    }
    return p;
  }

  // One timer for the whole queue, aimed at the oldest request's deadline: replies arrive in order,
  // so no later request can time out before it.
  private armTimer(): void {
    const head = this.pending[this.pendingHead];
    if (!head) return;
    this.timer = setTimeout(this.onTimer, Math.max(0, head.deadline - Date.now()));
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const head = this.pending[this.pendingHead];
    if (!head) return;
    if (Date.now() >= head.deadline) {
      this.fail(new MllpError('TIMEOUT', `no reply within ${this.timeoutMs} ms`));
    } else {
      this.armTimer();
    }
  };

  private fail(err: MllpError, destroy = true): void {
    this.failure ??= err;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    let p: Pending | undefined;
    while ((p = this.shift())) p.reject(err);
    if (destroy) this.socket.destroy();
  }
}

function codeOf(err: Error): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err.name;
}
