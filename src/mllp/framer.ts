export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

/** How much of an oversized payload is kept: enough for MSH (and usually the whole header) to build an AR. */
export const OVERSIZE_HEAD_BYTES = 4096;

export type FrameEvent =
  | { kind: 'frame'; payload: Buffer }
  /** `head` holds the first (up to 4 KiB) bytes of the oversized payload so the caller can read MSH and answer AR. */
  | { kind: 'oversize'; head: Buffer; size: number }
  /** Bytes seen outside a frame (before VT, or an unterminated frame restarted by a VT) and skipped. */
  | { kind: 'garbage'; bytes: number };

export type MllpFramerOptions = { maxFrameBytes: number };

/** Wraps a payload as VT payload FS CR in a single allocation. */
export function encodeFrame(payload: Buffer | string): Buffer {
  if (typeof payload === 'string') {
    const len = Buffer.byteLength(payload, 'utf8');
    const out = Buffer.allocUnsafe(len + 3);
    out[0] = VT;
    out.write(payload, 1, 'utf8');
    out[len + 1] = FS;
    out[len + 2] = CR;
    return out;
  }
  const out = Buffer.allocUnsafe(payload.length + 3);
  out[0] = VT;
  payload.copy(out, 1);
  out[payload.length + 1] = FS;
  out[payload.length + 2] = CR;
  return out;
}

const enum State {
  /** Outside a frame, skipping bytes until VT. */
  Idle,
  /** After VT, collecting payload until FS. */
  InFrame,
  /** After VT but the payload already exceeded maxFrameBytes: counting, not storing. */
  Oversize,
  /** After FS, expecting CR. */
  AfterFs,
}

/**
 * Incremental MLLP decoder over raw bytes. Payloads are never decoded here: a multi-byte UTF-8 character
 * may straddle two reads, and the charset is only known after reading MSH-18.
 *
 * Each input byte is examined a bounded number of times (native indexOf from the current position,
 * results cached per chunk), and a partial frame is held as a list of slices joined once, so cost is
 * O(input) regardless of how the stream is chunked.
 */
export class MllpFramer {
  private readonly maxFrameBytes: number;
  private state: State = State.Idle;
  /** Slices of the current partial payload (views into the pushed chunks; copied out once at FS). */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Oversize bookkeeping: the kept head and the total payload size seen so far. */
  private oversizeHead: Buffer = Buffer.alloc(0);
  private oversizeSize = 0;

  constructor(opts: MllpFramerOptions) {
    if (!Number.isInteger(opts.maxFrameBytes) || opts.maxFrameBytes < 1) {
      throw new RangeError('maxFrameBytes must be a positive integer');
    }
    this.maxFrameBytes = opts.maxFrameBytes;
  }

  /** Bytes of an unfinished frame held in memory; never more than maxFrameBytes. */
  get pendingBytes(): number {
    return this.partsBytes;
  }

  /** True while inside a frame (started by VT, FS not yet seen). */
  get inFrame(): boolean {
    return this.state === State.InFrame || this.state === State.Oversize;
  }

  push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    const len = chunk.length;
    let pos = 0;
    // Cached results of indexOf for this chunk; -2 = not searched yet, -1 = absent after that point.
    let nextVt = -2;
    let nextFs = -2;
    let garbage = 0;

    while (pos < len) {
      switch (this.state) {
        case State.AfterFs: {
          // A missing CR is tolerated: the FS alone ends the frame and the byte is left for the next state.
          if (chunk[pos] === CR) pos++;
          this.state = State.Idle;
          break;
        }
        case State.Idle: {
          if (nextVt < pos && nextVt !== -1) nextVt = chunk.indexOf(VT, pos);
          if (nextVt === -1) {
            garbage += len - pos;
            pos = len;
          } else {
            garbage += nextVt - pos;
            pos = nextVt + 1;
            this.state = State.InFrame;
          }
          if (garbage > 0 && this.state === State.InFrame) {
            events.push({ kind: 'garbage', bytes: garbage });
            garbage = 0;
          }
          break;
        }
        case State.InFrame:
        case State.Oversize: {
          if (nextFs < pos && nextFs !== -1) nextFs = chunk.indexOf(FS, pos);
          if (nextVt < pos && nextVt !== -1) nextVt = chunk.indexOf(VT, pos);
          const vtFirst = nextVt !== -1 && (nextFs === -1 || nextVt < nextFs);
          const end = vtFirst ? nextVt : nextFs === -1 ? len : nextFs;
          this.append(chunk, pos, end);
          if (end === len) {
            pos = len;
            break;
          }
          if (vtFirst) {
            // The sender restarted: whatever preceded this VT can never be completed.
            if (this.state === State.Oversize) {
              events.push(this.takeOversize());
            } else {
              events.push({ kind: 'garbage', bytes: this.partsBytes + 1 /* its VT */ });
              this.resetParts();
            }
            this.state = State.InFrame;
          } else {
            events.push(this.state === State.Oversize ? this.takeOversize() : this.takeFrame());
            this.state = State.AfterFs;
          }
          pos = end + 1;
          break;
        }
      }
    }
    if (garbage > 0) events.push({ kind: 'garbage', bytes: garbage });
    return events;
  }

  private append(chunk: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n === 0) return;
    if (this.state === State.Oversize) {
      // Only reachable with maxFrameBytes < 4 KiB: keep topping the head up to its full size.
      const room = OVERSIZE_HEAD_BYTES - this.oversizeHead.length;
      if (room > 0) {
        this.oversizeHead = Buffer.concat([this.oversizeHead, chunk.subarray(start, start + Math.min(room, n))]);
      }
      this.oversizeSize += n;
      return;
    }
    if (this.partsBytes + n <= this.maxFrameBytes) {
      this.parts.push(chunk.subarray(start, end));
      this.partsBytes += n;
      return;
    }
    // Crossing the limit: keep only the head and drop everything else so memory stays bounded.
    const headLen = Math.min(OVERSIZE_HEAD_BYTES, this.partsBytes + n);
    const head = Buffer.allocUnsafe(headLen);
    let filled = 0;
    for (const p of this.parts) {
      if (filled >= headLen) break;
      filled += p.copy(head, filled, 0, Math.min(p.length, headLen - filled));
    }
    if (filled < headLen) chunk.copy(head, filled, start, start + (headLen - filled));
    this.oversizeHead = head;
    this.oversizeSize = this.partsBytes + n;
    this.resetParts();
    this.state = State.Oversize;
  }

  private takeFrame(): FrameEvent {
    // Copy out so the payload does not pin the (possibly much larger) socket chunks it was sliced from.
    const payload = Buffer.allocUnsafe(this.partsBytes);
    let off = 0;
    for (const p of this.parts) off += p.copy(payload, off);
    this.resetParts();
    return { kind: 'frame', payload };
  }

  private takeOversize(): FrameEvent {
    const ev: FrameEvent = { kind: 'oversize', head: this.oversizeHead, size: this.oversizeSize };
    this.oversizeHead = Buffer.alloc(0);
    this.oversizeSize = 0;
    return ev;
  }

  private resetParts(): void {
    this.parts = [];
    this.partsBytes = 0;
  }
}
