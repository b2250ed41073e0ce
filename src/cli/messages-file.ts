import { MllpFramer } from '../mllp/index.js';

/**
 * Splits a file into messages as bytes: MLLP-framed files frame by frame; plain files at each line that
 * starts a segment MSH, skipping batch envelope segments (FHS, BHS, BTS, FTS). Bytes are kept as they are
 * (latin1 round-trips every byte) so each message's own MSH-18 still decides its decoding.
 */
export function splitMessages(buf: Buffer): Buffer[] {
  if (buf.includes(0x0b)) {
    const framer = new MllpFramer({ maxFrameBytes: Math.max(buf.length, 1) });
    return framer.push(buf).flatMap((e) => (e.kind === 'frame' ? [e.payload] : []));
  }
  const text = buf.toString('latin1').replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '');
  const out: string[][] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (!line.trim()) continue;
    const name = line.slice(0, 3);
    if (name === 'FHS' || name === 'BHS' || name === 'BTS' || name === 'FTS') continue;
    if (name === 'MSH') out.push([line]);
    else if (out.length) out[out.length - 1]!.push(line);
  }
  return out.map((segs) => Buffer.from(segs.join('\r') + '\r', 'latin1'));
}
