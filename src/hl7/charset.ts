/**
 * Byte <-> text for HL7 v2 messages, driven by MSH-18 (HL7 table 0211).
 *
 * MSH-18 sits inside the bytes it describes, so it is read from the raw bytes first. That is safe for every
 * charset we accept because they are all ASCII-compatible up to and including MSH-18.
 */
import iconv from 'iconv-lite';
import { Hl7Error } from './errors.js';
import type { HexDecoder } from './escape.js';

/** Encodings we actually use to turn bytes into text (Node/iconv-lite names). */
export type Hl7Encoding =
  | 'utf8'
  | 'latin1'
  | 'iso-8859-2'
  | 'iso-8859-3'
  | 'iso-8859-4'
  | 'iso-8859-5'
  | 'iso-8859-6'
  | 'iso-8859-7'
  | 'iso-8859-8'
  | 'iso-8859-9'
  | 'iso-8859-15';

const SINGLE_BYTE: Readonly<Record<string, Hl7Encoding>> = {
  '8859/1': 'latin1',
  '8859/2': 'iso-8859-2',
  '8859/3': 'iso-8859-3',
  '8859/4': 'iso-8859-4',
  '8859/5': 'iso-8859-5',
  '8859/6': 'iso-8859-6',
  '8859/7': 'iso-8859-7',
  '8859/8': 'iso-8859-8',
  '8859/9': 'iso-8859-9',
  '8859/15': 'iso-8859-15',
};

// `UTF-8` is not a table 0211 code but several senders write it; accepting it costs nothing.
const UTF8_NAMES = new Set(['', 'ASCII', 'UNICODE UTF-8', 'UTF-8']);

/** MSH-18 values this module can decode (for conformance statements and config validation). */
export const SUPPORTED_CHARSETS: readonly string[] = ['ASCII', 'UNICODE UTF-8', 'UTF-8', ...Object.keys(SINGLE_BYTE)];

/**
 * Encoding for an MSH-18 value; undefined/empty means "not declared" (treated as ASCII, read as UTF-8).
 * Throws Hl7Error 103 (table value not found) at MSH-18 for anything else, e.g. UNICODE UTF-16, whose bytes
 * we could not even have split into fields.
 */
export function encodingForCharset(charset: string | undefined): Hl7Encoding {
  const key = (charset ?? '').trim().toUpperCase();
  if (UTF8_NAMES.has(key)) return 'utf8';
  const single = SINGLE_BYTE[key];
  if (single !== undefined) return single;
  throw new Hl7Error(103, 'MSH-18 character set is not supported', { path: 'MSH-18' });
}

function isWhitespaceByte(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;
}

function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Offset of `MSH` after an optional BOM and whitespace, or -1. */
function mshOffset(bytes: Uint8Array): number {
  let p = hasUtf8Bom(bytes) ? 3 : 0;
  while (p < bytes.length && isWhitespaceByte(bytes[p] as number)) p++;
  return bytes[p] === 0x4d && bytes[p + 1] === 0x53 && bytes[p + 2] === 0x48 ? p : -1;
}

/**
 * Raw MSH-18 (first repetition, trimmed) read from the bytes, or undefined when there is no readable MSH
 * or MSH-18 is empty.
 */
export function readCharsetFromBytes(bytes: Uint8Array): string | undefined {
  const p = mshOffset(bytes);
  if (p < 0) return undefined;
  const sep = bytes[p + 3];
  if (sep === undefined || sep === 0x0d || sep === 0x0a) return undefined;
  const repetition = bytes[p + 5];
  let field = 2; // bytes after MSH-1 (at p+3) belong to MSH-2; each further separator starts the next field
  let start = -1;
  let i = p + 4;
  for (; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x0d || b === 0x0a) break;
    if (b === sep) {
      field++;
      if (field === 18) start = i + 1;
      else if (field === 19) break;
    }
  }
  if (start < 0) return undefined;
  let end = i;
  if (repetition !== undefined && repetition !== sep) {
    for (let j = start; j < end; j++) {
      if (bytes[j] === repetition) {
        end = j;
        break;
      }
    }
  }
  const value = Buffer.from(bytes.subarray(start, end)).toString('latin1').trim();
  return value === '' ? undefined : value;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function decodeWith(bytes: Buffer, encoding: Hl7Encoding): { text: string; encoding: Hl7Encoding } {
  if (encoding === 'utf8') {
    try {
      return { text: utf8Strict.decode(bytes), encoding: 'utf8' };
    } catch {
      // Undeclared or mis-declared 8-bit data (real senders do this, see ipf iti8-a40-iso-8859-1) is almost
      // always Latin-1; U+FFFD replacement would corrupt names irreversibly.
      return { text: bytes.toString('latin1'), encoding: 'latin1' };
    }
  }
  if (encoding === 'latin1') return { text: bytes.toString('latin1'), encoding };
  return { text: iconv.decode(bytes, encoding), encoding };
}

export interface DecodedMessage {
  /** Message text, BOM removed. */
  text: string;
  /** MSH-18 as declared (first repetition, trimmed), if any. */
  charset?: string;
  /** Encoding actually used; pass this object to `encodeMessage` to answer in the same bytes. */
  encoding: Hl7Encoding;
}

/** Decodes raw message bytes (one message, MLLP framing already removed). */
export function decodeMessageDetailed(bytes: Buffer): DecodedMessage {
  const body = hasUtf8Bom(bytes) ? bytes.subarray(3) : bytes;
  const charset = readCharsetFromBytes(bytes);
  // Without a readable MSH we still return text, so that the parser can report the precise error.
  const declared = mshOffset(bytes) < 0 ? 'utf8' : encodingForCharset(charset);
  const { text, encoding } = decodeWith(body, declared);
  return charset === undefined ? { text, encoding } : { text, charset, encoding };
}

export function decodeMessage(bytes: Buffer): string {
  return decodeMessageDetailed(bytes).text;
}

/**
 * Encodes a reply. `charset` is an MSH-18 value (throws Hl7Error 103 if unsupported) or the result of
 * `decodeMessageDetailed`, which also covers undeclared Latin-1 senders.
 */
export function encodeMessage(text: string, charset: string | undefined | { encoding: Hl7Encoding }): Buffer {
  const encoding = typeof charset === 'object' ? charset.encoding : encodingForCharset(charset);
  if (encoding === 'utf8' || encoding === 'latin1') return Buffer.from(text, encoding);
  return iconv.encode(text, encoding);
}

/**
 * Decoder for `\Xhh\` escapes: the declared single-byte charset if any, otherwise UTF-8 when valid, else
 * Latin-1. Never throws: an unknown MSH-18 is reported by `decodeMessage`, not by every leaf.
 */
export function hexDecoderForCharset(charset: string | undefined): HexDecoder {
  let encoding: Hl7Encoding;
  try {
    encoding = encodingForCharset(charset);
  } catch {
    encoding = 'utf8';
  }
  return (bytes) => decodeWith(bytes, encoding).text;
}
