/**
 * HL7 v2 message model and parser (ER7 / pipe-and-hat encoding).
 *
 * Split first (segment -> field -> repetition -> component -> subcomponent), unescape each leaf last.
 * Raw text is retained at every level because Z-segments are stored as received and ACKs echo MSH fields
 * in their escaped form.
 */
import { hexDecoderForCharset } from './charset.js';
import { Hl7Error } from './errors.js';
import { DEFAULT_DELIMITERS, unescapeValue, type Delimiters, type HexDecoder } from './escape.js';
import { parseFieldPath, parseHl7Path, type FieldPath } from './path.js';

/** Explicit null ("delete this value" in updates). Kept literally in leaves: test with `value === HL7_NULL`. */
export const HL7_NULL = '""';

export class Component {
  constructor(
    /** Unescaped subcomponents, positional ('' for empty ones). */
    readonly subcomponents: readonly string[],
    /** Component text as received (escaped). */
    readonly raw: string,
  ) {}

  /** First subcomponent ('' when empty). */
  get value(): string {
    return this.subcomponents[0] ?? '';
  }

  subcomponent(n: number): string | undefined {
    return this.subcomponents[n - 1];
  }

  get isEmpty(): boolean {
    return this.raw === '';
  }
}

export class Repetition {
  constructor(
    readonly components: readonly Component[],
    readonly raw: string,
  ) {}

  component(n: number): Component | undefined {
    return this.components[n - 1];
  }

  /** First leaf ('' when empty). */
  get value(): string {
    return this.components[0]?.value ?? '';
  }

  get isEmpty(): boolean {
    return this.raw === '';
  }

  get isNull(): boolean {
    return this.raw === HL7_NULL;
  }
}

export class Field {
  constructor(
    /** Empty for an empty field, so `for (const rep of field.repetitions)` never sees a phantom value. */
    readonly repetitions: readonly Repetition[],
    readonly raw: string,
  ) {}

  repetition(n = 1): Repetition | undefined {
    return this.repetitions[n - 1];
  }

  /** First leaf of the first repetition ('' when empty). */
  get value(): string {
    return this.repetitions[0]?.value ?? '';
  }

  get isEmpty(): boolean {
    return this.raw === '';
  }

  get isNull(): boolean {
    return this.raw === HL7_NULL;
  }
}

function leafAt(field: Field | undefined, p: FieldPath): string | undefined {
  const value = field?.repetition(p.repetition)?.component(p.component)?.subcomponent(p.subcomponent);
  return value === undefined || value === '' ? undefined : value;
}

export class Segment {
  constructor(
    readonly name: string,
    /** Segment text as received, without its terminator. */
    readonly raw: string,
    /** 0-based position in the message. */
    readonly index: number,
    /** 1-based occurrence among segments with the same name (ERL.2). */
    readonly occurrence: number,
    /** fields[0] is field 1. For MSH, field 1 is the field separator and field 2 the encoding characters. */
    readonly fields: readonly Field[],
  ) {}

  field(n: number): Field | undefined {
    return this.fields[n - 1];
  }

  /** Number of fields present as received, trailing empty ones included. */
  get fieldCount(): number {
    return this.fields.length;
  }

  /** Leaf by field path relative to this segment (`5`, `5.1`, `3[2].4.2`); undefined when absent or empty. */
  get(path: string): string | undefined {
    const p = parseFieldPath(path);
    return leafAt(this.field(p.field), p);
  }
}

export class Hl7Message {
  constructor(
    readonly delimiters: Readonly<Delimiters>,
    readonly segments: readonly Segment[],
  ) {}

  segment(name: string, occurrence = 1): Segment | undefined {
    let seen = 0;
    for (const s of this.segments) {
      if (s.name === name && ++seen === occurrence) return s;
    }
    return undefined;
  }

  segmentsNamed(name: string): Segment[] {
    return this.segments.filter((s) => s.name === name);
  }

  /**
   * Unescaped leaf at `path` (see path.ts); omitted component/subcomponent/repetition default to 1.
   * Returns undefined for absent and empty values alike; `""` comes back as HL7_NULL.
   */
  get(path: string): string | undefined {
    const p = parseHl7Path(path);
    return leafAt(this.segment(p.segment, p.occurrence)?.field(p.field), p);
  }

  /** Segments joined with CR, as received per segment. */
  toString(): string {
    return this.segments.map((s) => s.raw).join('\r');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

const SEGMENT_NAME_RE = /^[A-Z0-9]{3}$/;
const ENVELOPE_SEGMENTS = new Set(['FHS', 'FTS', 'BHS', 'BTS']);
const LINE_SPLIT_RE = /\r\n|\r|\n/;

function isValidDelimiter(ch: string): boolean {
  // Letters, digits, whitespace and control chars would collide with data or segment terminators.
  return ch.length === 1 && !/[A-Za-z0-9\s]/.test(ch) && ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f;
}

function stripLeading(text: string): string {
  return text.replace(/^[\uFEFF\s]+/, '');
}

function parseComponent(raw: string, d: Delimiters, hex: HexDecoder): Component {
  return new Component(
    raw.split(d.subcomponent).map((leaf) => unescapeValue(leaf, d, hex)),
    raw,
  );
}

function parseRepetition(raw: string, d: Delimiters, hex: HexDecoder): Repetition {
  return new Repetition(
    raw.split(d.component).map((c) => parseComponent(c, d, hex)),
    raw,
  );
}

function parseField(raw: string, d: Delimiters, hex: HexDecoder): Field {
  if (raw === '') return new Field([], raw);
  return new Field(
    raw.split(d.repetition).map((r) => parseRepetition(r, d, hex)),
    raw,
  );
}

/** A field holding one literal leaf, used for MSH-1 and MSH-2 which must not be split or unescaped. */
function literalField(value: string): Field {
  return new Field([new Repetition([new Component([value], value)], value)], value);
}

function parseSegment(line: string, name: string, index: number, occurrence: number, d: Delimiters, hex: HexDecoder): Segment {
  const parts = line.split(d.field);
  let fields: Field[];
  if (name === 'MSH') {
    fields = [literalField(d.field), literalField(parts[1] ?? ''), ...parts.slice(2).map((f) => parseField(f, d, hex))];
  } else {
    fields = parts.slice(1).map((f) => parseField(f, d, hex));
  }
  return new Segment(name, line, index, occurrence, fields);
}

/** Field separator and MSH-2 of an MSH line, unvalidated. */
function rawDelimiterText(mshLine: string): { field: string | undefined; encoding: string } {
  const field = mshLine[3];
  if (field === undefined) return { field, encoding: '' };
  const rest = mshLine.slice(4);
  const end = rest.indexOf(field);
  return { field, encoding: end < 0 ? rest : rest.slice(0, end) };
}

function readDelimitersStrict(mshLine: string): Delimiters {
  const { field, encoding } = rawDelimiterText(mshLine);
  if (field === undefined || !isValidDelimiter(field)) {
    throw new Hl7Error(102, 'MSH-1 field separator is missing or not a valid delimiter', { path: 'MSH-1' });
  }
  const chars = [...encoding];
  if (chars.length !== 4 && chars.length !== 5) {
    throw new Hl7Error(102, 'MSH-2 must hold 4 encoding characters (5 with a truncation character)', { path: 'MSH-2' });
  }
  const all = [field, ...chars];
  if (!chars.every(isValidDelimiter) || new Set(all).size !== all.length) {
    throw new Hl7Error(102, 'MSH-2 encoding characters must be distinct, non-alphanumeric and differ from MSH-1', {
      path: 'MSH-2',
    });
  }
  const [component, repetition, escape, subcomponent, truncation] = chars as [string, string, string, string, string?];
  return truncation === undefined
    ? { field, component, repetition, escape, subcomponent }
    : { field, component, repetition, escape, subcomponent, truncation };
}

/**
 * Lenient variant for error replies: keeps the first occurrence of each usable character and fills the
 * gaps with the defaults. `^~\\&` (an escaping artefact seen in the wild) then yields the intended `^~\&`.
 */
function readDelimitersLenient(mshLine: string): Delimiters | undefined {
  const { field, encoding } = rawDelimiterText(mshLine);
  if (field === undefined || !isValidDelimiter(field)) return undefined;
  const used = new Set([field]);
  const picked: string[] = [];
  for (const ch of encoding) {
    if (isValidDelimiter(ch) && !used.has(ch)) {
      used.add(ch);
      picked.push(ch);
    }
  }
  const defaults = [DEFAULT_DELIMITERS.component, DEFAULT_DELIMITERS.repetition, DEFAULT_DELIMITERS.escape, DEFAULT_DELIMITERS.subcomponent];
  for (let i = picked.length; i < 4; i++) {
    const fallback = [...defaults, '#', '$', '*', '!', '%', '@'].find((c) => !used.has(c)) as string;
    used.add(fallback);
    picked.push(fallback);
  }
  const [component, repetition, escape, subcomponent, truncation] = picked as [string, string, string, string, string?];
  return truncation === undefined
    ? { field, component, repetition, escape, subcomponent }
    : { field, component, repetition, escape, subcomponent, truncation };
}

function firstRawRepetition(raw: string | undefined, d: Delimiters): string | undefined {
  if (raw === undefined) return undefined;
  const v = (raw.split(d.repetition)[0] ?? '').trim();
  return v === '' ? undefined : v;
}

function splitLines(text: string): string[] {
  // Whitespace-only lines carry no data; senders leave them between and after segments.
  return text.split(LINE_SPLIT_RE).filter((line) => line.trim() !== '');
}

/** Parses one message. Throws Hl7Error (code from table 0357, path of the offending element). */
export function parseMessage(text: string): Hl7Message {
  const body = stripLeading(text);
  if (!body.startsWith('MSH')) {
    throw new Hl7Error(100, 'Message does not start with an MSH segment', { path: 'MSH' });
  }
  const lines = splitLines(body);
  const mshLine = lines[0] as string;
  const d = readDelimitersStrict(mshLine);
  const hex = hexDecoderForCharset(firstRawRepetition(mshLine.split(d.field)[17], d));

  const counts = new Map<string, number>();
  const segments: Segment[] = [];
  lines.forEach((line, index) => {
    const sep = line.indexOf(d.field);
    const name = sep < 0 ? line : line.slice(0, sep);
    const position = index + 1;
    if (!SEGMENT_NAME_RE.test(name)) {
      // The name is not echoed: a broken line is often a field value cut by a stray line break.
      throw new Hl7Error(100, `Segment #${position} does not start with a valid segment name`, { path: `#${position}` });
    }
    const occurrence = (counts.get(name) ?? 0) + 1;
    counts.set(name, occurrence);
    const path = occurrence === 1 ? name : `${name}(${occurrence})`;
    if (name === 'MSH' && index > 0) {
      throw new Hl7Error(100, `Unexpected MSH at segment #${position}: several messages in one, split them first`, {
        path,
      });
    }
    if (ENVELOPE_SEGMENTS.has(name)) {
      throw new Hl7Error(100, `Batch envelope segment ${name} at segment #${position} inside a message`, { path });
    }
    segments.push(parseSegment(line, name, index, occurrence, d, hex));
  });
  return new Hl7Message(Object.freeze({ ...d }), segments);
}

/**
 * The segment, or Hl7Error 100 (table 0357 "segment sequence error" also covers missing required segments)
 * with the segment as path, e.g. an A01 without PID.
 */
export function requireSegment(msg: Hl7Message, name: string, occurrence = 1): Segment {
  const seg = msg.segment(name, occurrence);
  if (seg === undefined) {
    const path = occurrence === 1 ? name : `${name}(${occurrence})`;
    throw new Hl7Error(100, `Required segment ${path} is missing`, { path });
  }
  return seg;
}

export type SafeParseResult = { success: true; message: Hl7Message } | { success: false; error: Hl7Error };

/** Like parseMessage but returns parse failures instead of throwing (programming errors still throw). */
export function safeParseMessage(text: string): SafeParseResult {
  try {
    return { success: true, message: parseMessage(text) };
  } catch (error) {
    if (error instanceof Hl7Error) return { success: false, error };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Header

export interface HD {
  namespace?: string;
  universalId?: string;
  universalIdType?: string;
}

export interface HeaderHD extends HD {
  /** The whole field as received (escaped), echoed verbatim in ACKs. */
  raw: string;
}

export interface Hl7Header {
  delimiters: Readonly<Delimiters>;
  sendingApplication: HeaderHD;
  sendingFacility: HeaderHD;
  receivingApplication: HeaderHD;
  receivingFacility: HeaderHD;
  /** MSH-7 as received (DTM text). */
  dateTime?: string;
  messageType: { code?: string; trigger?: string; structure?: string };
  /** MSH-10 exactly as received (not trimmed: MSA-2 must echo it byte for byte). */
  controlId?: string;
  /** MSH-11.1 (P, T, D). */
  processingId?: string;
  /** MSH-11.2 processing mode, if any. */
  processingMode?: string;
  /** MSH-12.1, e.g. `2.3.1`. */
  version?: string;
  acceptAckType?: string;
  applicationAckType?: string;
  /** MSH-18 first repetition. */
  charset?: string;
  /** Escaped field text as received, for echoing in replies. */
  raw: {
    messageType: string;
    controlId: string;
    processingId: string;
    version: string;
    charset: string;
  };
}

function clean(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function headerHD(field: Field | undefined): HeaderHD {
  const rep = field?.repetition(1);
  const hd: HeaderHD = { raw: field?.raw ?? '' };
  const namespace = clean(rep?.component(1)?.value);
  const universalId = clean(rep?.component(2)?.value);
  const universalIdType = clean(rep?.component(3)?.value);
  if (namespace !== undefined) hd.namespace = namespace;
  if (universalId !== undefined) hd.universalId = universalId;
  if (universalIdType !== undefined) hd.universalIdType = universalIdType;
  return hd;
}

function headerFromSegment(msh: Segment, delimiters: Readonly<Delimiters>): Hl7Header {
  const leaf = (n: number, c = 1): string | undefined => clean(msh.field(n)?.repetition(1)?.component(c)?.value);
  const h: Hl7Header = {
    delimiters,
    sendingApplication: headerHD(msh.field(3)),
    sendingFacility: headerHD(msh.field(4)),
    receivingApplication: headerHD(msh.field(5)),
    receivingFacility: headerHD(msh.field(6)),
    messageType: {},
    raw: {
      messageType: msh.field(9)?.raw ?? '',
      controlId: msh.field(10)?.raw ?? '',
      processingId: msh.field(11)?.raw ?? '',
      version: msh.field(12)?.raw ?? '',
      charset: firstRawRepetition(msh.field(18)?.raw, delimiters) ?? '',
    },
  };
  const set = <K extends keyof Hl7Header>(key: K, value: Hl7Header[K] | undefined): void => {
    if (value !== undefined) h[key] = value;
  };
  const code = leaf(9, 1);
  const trigger = leaf(9, 2);
  const structure = leaf(9, 3);
  if (code !== undefined) h.messageType.code = code;
  if (trigger !== undefined) h.messageType.trigger = trigger;
  if (structure !== undefined) h.messageType.structure = structure;
  set('dateTime', leaf(7));
  const controlId = msh.field(10)?.value;
  set('controlId', controlId === '' ? undefined : controlId);
  set('processingId', leaf(11, 1));
  set('processingMode', leaf(11, 2));
  set('version', leaf(12, 1));
  // Trimmed so that a padding space (ADT01-23 ends MSH with `| `) does not switch on enhanced mode.
  set('acceptAckType', leaf(15));
  set('applicationAckType', leaf(16));
  set('charset', leaf(18));
  return h;
}

/** Typed MSH of a parsed message. */
export function header(msg: Hl7Message): Hl7Header {
  const msh = msg.segments[0];
  if (msh === undefined || msh.name !== 'MSH') {
    // parseMessage guarantees MSH first; this only guards hand-built messages.
    throw new Hl7Error(100, 'Message does not start with an MSH segment', { path: 'MSH' });
  }
  return headerFromSegment(msh, msg.delimiters);
}

/**
 * Best-effort MSH for replying to a message that failed to parse, so the AR can still carry MSA-2 and the
 * swapped applications. Tolerates broken MSH-2 and garbage after the MSH line; undefined when there is no
 * `MSH` + field separator at the start.
 */
export function parseHeaderOnly(text: string): Hl7Header | undefined {
  const body = stripLeading(text);
  if (!body.startsWith('MSH')) return undefined;
  const line = body.split(LINE_SPLIT_RE, 1)[0] ?? '';
  const d = readDelimitersLenient(line);
  if (d === undefined) return undefined;
  const hex = hexDecoderForCharset(firstRawRepetition(line.split(d.field)[17], d));
  const frozen = Object.freeze({ ...d });
  return headerFromSegment(parseSegment(line, 'MSH', 0, 1, frozen, hex), frozen);
}
