import { describe, expect, it } from 'vitest';
import { CR, FS, MllpFramer, VT, encodeFrame, type FrameEvent } from '../../src/mllp/index.js';
import { mulberry32 as prng } from '../helpers/prng.js';

const MSG1 = 'MSH|^~\\&|HIS|HOSP|MPI|HOSP|20240101120000||ADT^A01^ADT_A01|MSG0001|P|2.5\rPID|1||123^^^HOSP^MR||Zoë^Ñúñez\r';
const MSG2 = 'MSH|^~\\&|HIS|HOSP|MPI|HOSP|20240101120001||ADT^A08^ADT_A01|MSG0002|P|2.5\rPID|1||456^^^HOSP^MR||Ñúñez^Zoë\r';

function frames(events: FrameEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'frame' ? [e.payload.toString('utf8')] : []));
}

function pushAll(framer: MllpFramer, chunks: Buffer[]): FrameEvent[] {
  return chunks.flatMap((c) => framer.push(c));
}


describe('encodeFrame', () => {
  it('wraps utf8 strings and buffers identically', () => {
    const s = encodeFrame('Zoë');
    expect([...s]).toEqual([VT, 0x5a, 0x6f, 0xc3, 0xab, FS, CR]);
    expect(encodeFrame(Buffer.from('Zoë', 'utf8')).equals(s)).toBe(true);
    expect([...encodeFrame('')]).toEqual([VT, FS, CR]);
  });
});

describe('MllpFramer', () => {
  const stream = Buffer.concat([encodeFrame(MSG1), encodeFrame(MSG2)]);

  it('decodes a 2-frame stream split at every byte position (multi-byte UTF-8 included)', () => {
    for (let i = 0; i <= stream.length; i++) {
      const f = new MllpFramer({ maxFrameBytes: 1024 });
      const ev = pushAll(f, [stream.subarray(0, i), stream.subarray(i)]);
      expect(frames(ev), `split at ${i}`).toEqual([MSG1, MSG2]);
      expect(ev.every((e) => e.kind === 'frame')).toBe(true);
      expect(f.pendingBytes).toBe(0);
    }
  });

  it('decodes the stream split at every pair of positions', () => {
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j += 3) {
        const f = new MllpFramer({ maxFrameBytes: 1024 });
        const ev = pushAll(f, [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]);
        expect(frames(ev)).toEqual([MSG1, MSG2]);
      }
    }
  });

  it('decodes a byte-at-a-time stream', () => {
    const f = new MllpFramer({ maxFrameBytes: 1024 });
    const ev: FrameEvent[] = [];
    for (let i = 0; i < stream.length; i++) ev.push(...f.push(stream.subarray(i, i + 1)));
    expect(frames(ev)).toEqual([MSG1, MSG2]);
  });

  it('emits all frames coalesced in one chunk', () => {
    const msgs = Array.from({ length: 50 }, (_, i) => `MSH|^~\\&|A|B|C|D|||ADT^A01|${i}|P|2.5\rPID|1||${i}||Zoë\r`);
    const f = new MllpFramer({ maxFrameBytes: 1024 });
    expect(frames(f.push(Buffer.concat(msgs.map((m) => encodeFrame(m)))))).toEqual(msgs);
  });

  it('keeps the remainder of a partial trailing frame', () => {
    const f = new MllpFramer({ maxFrameBytes: 1024 });
    const cut = encodeFrame(MSG1).length + 10;
    expect(frames(f.push(stream.subarray(0, cut)))).toEqual([MSG1]);
    expect(f.pendingBytes).toBe(9);
    expect(f.inFrame).toBe(true);
    expect(frames(f.push(stream.subarray(cut)))).toEqual([MSG2]);
  });

  it('handles FS and CR arriving in separate chunks', () => {
    const f = new MllpFramer({ maxFrameBytes: 1024 });
    const one = encodeFrame('ABC');
    expect(f.push(one.subarray(0, one.length - 1))).toEqual([{ kind: 'frame', payload: Buffer.from('ABC') }]);
    // The CR completing the previous frame must not be reported as garbage.
    expect(f.push(Buffer.from([CR]))).toEqual([]);
    expect(frames(f.push(encodeFrame('DEF')))).toEqual(['DEF']);
  });

  it('ends a frame at FS even when CR is missing, without consuming the next byte', () => {
    const f = new MllpFramer({ maxFrameBytes: 1024 });
    const ev = f.push(Buffer.from([VT, 0x41, FS, VT, 0x42, FS, CR]));
    expect(frames(ev)).toEqual(['A', 'B']);
    expect(ev).toHaveLength(2);
    const ev2 = f.push(Buffer.from([VT, 0x43, FS, 0x58, 0x59, VT, 0x44, FS, CR]));
    expect(ev2).toEqual([
      { kind: 'frame', payload: Buffer.from('C') },
      { kind: 'garbage', bytes: 2 },
      { kind: 'frame', payload: Buffer.from('D') },
    ]);
  });

  it('restarts the frame at a VT inside a frame and reports the abandoned bytes as garbage', () => {
    const f = new MllpFramer({ maxFrameBytes: 1024 });
    expect(f.push(Buffer.from([VT, 0x41, 0x42]))).toEqual([]);
    expect(f.push(Buffer.from([0x43, VT, 0x44, FS, CR]))).toEqual([
      { kind: 'garbage', bytes: 4 },
      { kind: 'frame', payload: Buffer.from('D') },
    ]);
  });

  it('skips and counts garbage before VT, including garbage-only input', () => {
    const f = new MllpFramer({ maxFrameBytes: 1024 });
    expect(f.push(Buffer.from('hello\r\n'))).toEqual([{ kind: 'garbage', bytes: 7 }]);
    expect(f.push(Buffer.concat([Buffer.from('xyz'), encodeFrame('A')]))).toEqual([
      { kind: 'garbage', bytes: 3 },
      { kind: 'frame', payload: Buffer.from('A') },
    ]);
    expect(f.push(Buffer.from([CR, 0x0a]))).toEqual([{ kind: 'garbage', bytes: 2 }]);
    expect(f.pendingBytes).toBe(0);
  });

  it('returns an empty payload for VT FS CR', () => {
    const f = new MllpFramer({ maxFrameBytes: 1024 });
    expect(f.push(encodeFrame(''))).toEqual([{ kind: 'frame', payload: Buffer.alloc(0) }]);
  });

  it('accepts a frame of exactly maxFrameBytes and rejects one byte more', () => {
    const f = new MllpFramer({ maxFrameBytes: 8 });
    expect(frames(f.push(encodeFrame('12345678')))).toEqual(['12345678']);
    expect(f.push(encodeFrame('123456789'))).toEqual([{ kind: 'oversize', head: Buffer.from('123456789'), size: 9 }]);
  });

  it('discards an oversized frame with bounded memory and then serves the next frame', () => {
    const max = 64 * 1024;
    const f = new MllpFramer({ maxFrameBytes: max });
    const body = Buffer.alloc(64 * 1024, 0x41);
    const header = Buffer.from('MSH|^~\\&|BIG|HOSP|MPI|HOSP|||ADT^A01|BIG1|P|2.5\r');
    const events: FrameEvent[] = [];
    events.push(...f.push(Buffer.concat([Buffer.from([VT]), header])));
    let total = header.length;
    let maxPending = 0;
    for (let i = 0; i < 320; i++) {
      // 20 MiB pushed in total; the framer must never hold more than maxFrameBytes of it.
      events.push(...f.push(body));
      total += body.length;
      maxPending = Math.max(maxPending, f.pendingBytes);
    }
    events.push(...f.push(Buffer.concat([Buffer.from([FS, CR]), encodeFrame(MSG1)])));
    expect(maxPending).toBeLessThanOrEqual(max);
    expect(f.pendingBytes).toBe(0);
    expect(events).toHaveLength(2);
    const [over, next] = events;
    expect(over?.kind).toBe('oversize');
    if (over?.kind !== 'oversize') throw new Error('unreachable');
    expect(over.size).toBe(total);
    expect(over.head).toHaveLength(4096);
    expect(over.head.subarray(0, header.length).equals(header)).toBe(true);
    expect(next).toEqual({ kind: 'frame', payload: Buffer.from(MSG1, 'utf8') });
  });

  it('reports an oversized frame abandoned by a new VT', () => {
    const f = new MllpFramer({ maxFrameBytes: 4 });
    expect(f.push(Buffer.from([VT, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36]))).toEqual([]);
    expect(f.push(Buffer.from([0x37, VT, 0x41, FS, CR]))).toEqual([
      { kind: 'oversize', head: Buffer.from('1234567'), size: 7 },
      { kind: 'frame', payload: Buffer.from('A') },
    ]);
  });

  it('yields the same frames for random payloads under random chunking (seeded)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rnd = prng(seed);
      const payloads: Buffer[] = [];
      const n = 1 + Math.floor(rnd() * 20);
      for (let i = 0; i < n; i++) {
        const len = Math.floor(rnd() * 300);
        const b = Buffer.allocUnsafe(len);
        for (let k = 0; k < len; k++) {
          // Any byte but the delimiters; CR and UTF-8 lead/continuation bytes included.
          let v = Math.floor(rnd() * 256);
          if (v === VT || v === FS) v = CR;
          b[k] = v;
        }
        payloads.push(i % 3 === 0 ? Buffer.from(`Zoë Ñúñez ${i}\r`, 'utf8') : b);
      }
      const all = Buffer.concat(payloads.map((p) => encodeFrame(p)));
      const f = new MllpFramer({ maxFrameBytes: 4096 });
      const got: Buffer[] = [];
      let pos = 0;
      while (pos < all.length) {
        const step = 1 + Math.floor(rnd() * (rnd() < 0.5 ? 8 : 700));
        for (const ev of f.push(all.subarray(pos, pos + step))) {
          expect(ev.kind, `seed ${seed}`).toBe('frame');
          if (ev.kind === 'frame') got.push(ev.payload);
        }
        pos += step;
      }
      expect(got.map((b) => b.toString('hex')), `seed ${seed}`).toEqual(payloads.map((b) => b.toString('hex')));
      expect(f.pendingBytes).toBe(0);
    }
  });

  it('does not alias returned payloads to the pushed chunk', () => {
    const f = new MllpFramer({ maxFrameBytes: 1024 });
    const chunk = encodeFrame('ABC');
    const [ev] = f.push(chunk);
    chunk.fill(0);
    expect(ev).toEqual({ kind: 'frame', payload: Buffer.from('ABC') });
  });

  it('stays linear for a large frame in many small chunks', () => {
    const f = new MllpFramer({ maxFrameBytes: 8 * 1024 * 1024 });
    const body = Buffer.alloc(8 * 1024 * 1024 - 1, 0x41);
    const all = encodeFrame(body);
    const t0 = performance.now();
    let got: FrameEvent[] = [];
    for (let pos = 0; pos < all.length; pos += 1024) got = got.concat(f.push(all.subarray(pos, pos + 1024)));
    const ms = performance.now() - t0;
    expect(got).toHaveLength(1);
    expect(got[0]?.kind === 'frame' && got[0].payload.length).toBe(body.length);
    // A quadratic implementation (re-concat per chunk) takes tens of seconds here.
    expect(ms).toBeLessThan(2000);
  });

  it('rejects a non-positive maxFrameBytes', () => {
    expect(() => new MllpFramer({ maxFrameBytes: 0 })).toThrow(RangeError);
  });
});
