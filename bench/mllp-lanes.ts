/**
 * The benches' MLLP senders: each lane on its own connection, one message in flight per connection (as an
 * interface engine sends), every ACK checked. `sendLanesOnThread` runs them on a worker thread of their own,
 * so that the service being measured does not share its event loop with its client: on the bench machine
 * real senders are other machines, and a client on the service's thread both slowed the service and was
 * slowed by it (its ACK latency included waiting for the service's batches).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { MllpClient } from '../src/mllp/client.js';

export interface Outbound {
  sender: string;
  controlId: string;
  text: string;
}

export interface SendResult {
  latenciesMs: Float64Array;
  nonAA: number;
  firstBad?: string;
  /** process.hrtime.bigint() of the first send and of the last ACK (one clock for every thread of the process). */
  firstSend: bigint;
  lastAck: bigint;
}

/** MSA-1 is AA (or CA, the enhanced-mode accept) and MSA-2 the message's control id. */
export function ackOk(reply: string, controlId: string): boolean {
  for (const seg of reply.split(/\r\n|\r|\n/)) {
    if (seg.startsWith('MSA|')) {
      const f = seg.split('|');
      return (f[1] === 'AA' || f[1] === 'CA') && f[2] === controlId;
    }
  }
  return false;
}

/** Each lane on its own connection, one message in flight per connection. `onAck` sees the running count. */
export async function sendLanes(port: number, lanes: Outbound[][], onAck?: (n: number) => void): Promise<SendResult> {
  const total = lanes.reduce((a, l) => a + l.length, 0);
  const latencies = new Float64Array(total);
  let n = 0;
  let nonAA = 0;
  let firstBad: string | undefined;
  let lastAck = 0n;
  const clients = await Promise.all(lanes.map(() => MllpClient.connect({ host: '127.0.0.1', port, timeoutMs: 300_000 })));
  const firstSend = process.hrtime.bigint();
  try {
    await Promise.all(
      lanes.map(async (lane, i) => {
        const client = clients[i]!;
        for (const m of lane) {
          const t0 = process.hrtime.bigint();
          const reply = (await client.send(m.text)).toString('utf8');
          const t1 = process.hrtime.bigint();
          latencies[n++] = Number(t1 - t0) / 1e6;
          if (t1 > lastAck) lastAck = t1;
          if (!ackOk(reply, m.controlId)) {
            nonAA++;
            firstBad ??= `${m.sender} ${m.controlId}: ${reply.split('\r').filter((s) => s.startsWith('MSA') || s.startsWith('ERR')).join(' ') || reply.slice(0, 200)}`;
          }
          onAck?.(n);
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }
  const r: SendResult = { latenciesMs: latencies.subarray(0, n), nonAA, firstSend, lastAck };
  if (firstBad !== undefined) r.firstBad = firstBad;
  return r;
}

type FromThread = { kind: 'ack'; n: number } | { kind: 'done'; result: SendResult } | { kind: 'error'; message: string };

/** sendLanes on a worker thread of its own; `onAck` is called on this thread as ACKs arrive (at most every 100th). */
export function sendLanesOnThread(port: number, lanes: Outbound[][], onAck?: (n: number) => void): Promise<SendResult> {
  return new Promise((resolve, reject) => {
    const thread = new Worker(new URL('../src/lib/ts-thread.mjs', import.meta.url), { workerData: { module: import.meta.url, port, lanes } });
    let settled = false;
    thread.on('message', (m: FromThread) => {
      if (m.kind === 'ack') onAck?.(m.n);
      else if (m.kind === 'done') (settled = true), resolve(m.result);
      else (settled = true), reject(new Error(`MLLP sender thread: ${m.message}`));
    });
    thread.on('error', (e) => settled || ((settled = true), reject(e)));
    thread.on('exit', (code) => settled || ((settled = true), reject(new Error(`MLLP sender thread exited with ${code}`))));
  });
}

if (!isMainThread && parentPort && (workerData as { lanes?: unknown })?.lanes) {
  const port = parentPort;
  const { port: mllpPort, lanes } = workerData as { port: number; lanes: Outbound[][] };
  sendLanes(mllpPort, lanes, (n) => n % 100 === 0 && port.postMessage({ kind: 'ack', n } satisfies FromThread))
    .then((result) => port.postMessage({ kind: 'done', result } satisfies FromThread))
    .catch((e: unknown) => port.postMessage({ kind: 'error', message: e instanceof Error ? e.message : String(e) } satisfies FromThread));
}
