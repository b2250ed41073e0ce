import net from 'node:net';
import { MllpFramer, type Logger } from '../../src/mllp/index.js';

export function hl7(id: string | number): string {
  return `MSH|^~\\&|HIS|HOSP|MPI|HOSP|20240101120000||ADT^A01^ADT_A01|${id}|P|2.5\rPID|1||${id}^^^HOSP^MR||Zoë^Ñúñez\r`;
}

/** ACK-like reply echoing MSH-10, enough to check which request a reply belongs to. */
export function ackFor(payload: Buffer): string {
  const controlId = payload.toString('utf8').split('\r')[0]?.split('|')[9] ?? '';
  return `MSH|^~\\&|MPI|HOSP|HIS|HOSP|20240101120000||ACK^A01^ACK|A${controlId}|P|2.5\rMSA|AA|${controlId}\r`;
}

export function ackId(reply: Buffer | string): string {
  const text = typeof reply === 'string' ? reply : reply.toString('utf8');
  return /\rMSA\|\w\w\|([^|\r]*)/.exec(text)?.[1] ?? '';
}

export type LogEntry = { level: 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> };

export function captureLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      entries.push({ level, msg, ...(fields ? { fields } : {}) });
    };
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A plain socket reading MLLP replies, to drive the server without going through MllpClient. */
export type RawPeer = {
  socket: net.Socket;
  /** Next reply frame (waits if none has arrived yet); rejects if the socket closes first. */
  next(): Promise<Buffer>;
  /** Resolves when the server closes the connection. */
  closed: Promise<void>;
  received: Buffer[];
};

export async function rawConnect(port: number, opts: { allowHalfOpen?: boolean } = {}): Promise<RawPeer> {
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: opts.allowHalfOpen ?? false });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  const framer = new MllpFramer({ maxFrameBytes: 1 << 24 });
  const received: Buffer[] = [];
  let read = 0;
  let waiter: (() => void) | null = null;
  let isClosed = false;
  socket.on('data', (chunk: Buffer) => {
    for (const ev of framer.push(chunk)) if (ev.kind === 'frame') received.push(ev.payload);
    waiter?.();
  });
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      waiter?.();
      resolve();
    }),
  );
  const next = async (): Promise<Buffer> => {
    for (;;) {
      const r = received[read];
      if (r) {
        read++;
        return r;
      }
      if (isClosed) throw new Error('socket closed before a reply');
      await new Promise<void>((resolve) => (waiter = resolve));
      waiter = null;
    }
  };
  return { socket, next, closed, received };
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
