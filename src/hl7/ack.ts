/**
 * ACK construction (HL7 v2 chapter 2, DESIGN §5). Pure: the caller supplies the clock and a unique control id.
 */
import { locationFromPath, type Hl7ErrorLocation } from './errors.js';
import { DEFAULT_DELIMITERS, encodingCharacters, escapeValue, type Delimiters } from './escape.js';
import type { Hl7Header } from './message.js';

export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';
export type ErrorSeverity = 'E' | 'W' | 'I';

/** HL7 table 0357 display names (HL7 Terminology, CC0). */
export const HL70357_DISPLAY: Readonly<Record<number, string>> = Object.freeze({
  0: 'Message accepted',
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  104: 'Value too long',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  204: 'Unknown key identifier',
  205: 'Duplicate key identifier',
  206: 'Application record locked',
  207: 'Application internal error',
});

export interface AckError {
  /** Table 0357 code. */
  code: number;
  /** Human-readable, value-free text (ERR-8, and MSA-3 for the first error). */
  text: string;
  /** Accessor path such as `PID-7`; used for ERR-2 when `location` is not given. */
  path?: string;
  location?: Hl7ErrorLocation;
  severity?: ErrorSeverity;
}

export interface BuildAckOptions {
  /** Inbound header from `header()` or `parseHeaderOnly()`; undefined when no MSH was readable. */
  header: Hl7Header | undefined;
  code: AckCode;
  /** MSH-10 of the ACK itself; must be unique (the caller owns the generator). */
  controlId: string;
  now: Date;
  /** MSA-3; defaults to the first error's text. */
  text?: string;
  errors?: readonly AckError[];
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYYMMDDHHMMSS+ZZZZ` in the process's local time zone, with its offset so the instant is unambiguous. */
export function formatHl7DateTime(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}` +
    `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/**
 * True when the sender's version predates the v2.5 ERR layout (ERR-2/3/4/8), i.e. 2.1-2.4.
 * An unreadable version gets the modern form, matching the `2.5` we then put in MSH-12.
 */
export function usesLegacyErr(version: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version?.trim() ?? '');
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major < 2 || (major === 2 && minor < 5);
}

/** Enhanced acknowledgment mode is selected by valuing MSH-15 or MSH-16. */
export function isEnhancedMode(header: Hl7Header | undefined): boolean {
  return header?.acceptAckType !== undefined || header?.applicationAckType !== undefined;
}

const TO_ENHANCED: Readonly<Record<AckCode, AckCode>> = { AA: 'CA', AE: 'CE', AR: 'CR', CA: 'CA', CE: 'CE', CR: 'CR' };
const TO_ORIGINAL: Readonly<Record<AckCode, AckCode>> = { CA: 'AA', CE: 'AE', CR: 'AR', AA: 'AA', AE: 'AE', AR: 'AR' };

/** Application codes become commit codes in enhanced mode (the ACK then means "safely stored"), and back. */
export function mapAckCodeForMode(code: AckCode, enhanced: boolean): AckCode {
  return enhanced ? TO_ENHANCED[code] : TO_ORIGINAL[code];
}

/**
 * Whether an accept ACK is wanted under MSH-15 (table 0155: AL always, NE never, ER only on error,
 * SU only on success). Original mode always gets an ACK.
 */
export function shouldSendAcceptAck(header: Hl7Header | undefined, code: AckCode): boolean {
  if (!isEnhancedMode(header)) return true;
  const success = code === 'AA' || code === 'CA';
  switch (header?.acceptAckType?.toUpperCase()) {
    case 'NE':
      return false;
    case 'ER':
      return !success;
    case 'SU':
      return success;
    default:
      // AL, or MSH-15 empty with only MSH-16 valued: answer rather than leave the sender waiting.
      return true;
  }
}

function ackMessageType(header: Hl7Header | undefined, d: Delimiters): string {
  const type = header?.messageType;
  const trigger = type?.trigger === undefined ? '' : escapeValue(type.trigger, d);
  // Mirror the inbound shape: old senders (2 components) may reject a 3-component MSH-9.
  if (type?.structure !== undefined) return ['ACK', trigger, 'ACK'].join(d.component);
  if (type?.trigger !== undefined) return ['ACK', trigger].join(d.component);
  return 'ACK';
}

function errorLocation(e: AckError): Hl7ErrorLocation | undefined {
  return e.location ?? (e.path === undefined ? undefined : locationFromPath(e.path));
}

function trimTrailing(parts: string[]): string[] {
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end--;
  return parts.slice(0, end);
}

function num(n: number | undefined): string {
  return n === undefined ? '' : String(n);
}

function erl(loc: Hl7ErrorLocation | undefined, d: Delimiters): string {
  if (loc === undefined) return '';
  return trimTrailing([
    escapeValue(loc.segment, d),
    num(loc.sequence ?? 1),
    num(loc.field),
    num(loc.repetition),
    num(loc.component),
    num(loc.subcomponent),
  ]).join(d.component);
}

function display(code: number): string {
  return HL70357_DISPLAY[code] ?? '';
}

/** v2.5+ ERR: ERR-2 location, ERR-3 code, ERR-4 severity, ERR-8 user message. */
function errSegmentV25(e: AckError, d: Delimiters): string {
  const code = [String(e.code), escapeValue(display(e.code), d), 'HL70357'].join(d.component);
  const fields = ['ERR', '', erl(errorLocation(e), d), code, e.severity ?? 'E', '', '', '', escapeValue(e.text, d)];
  return fields.join(d.field);
}

/**
 * Pre-2.5 ERR-1 (ELD: segment^sequence^field^CE code). ERR-1 repeats and the ACK holds a single ERR, so
 * several errors become repetitions; their texts only fit in MSA-3.
 */
function errSegmentLegacy(errors: readonly AckError[], d: Delimiters): string {
  const reps = errors.map((e) => {
    const loc = errorLocation(e);
    const code = [String(e.code), escapeValue(display(e.code), d), 'HL70357'].join(d.subcomponent);
    return [
      loc === undefined ? '' : escapeValue(loc.segment, d),
      loc === undefined ? '' : num(loc.sequence ?? 1),
      num(loc?.field),
      code,
    ].join(d.component);
  });
  return ['ERR', reps.join(d.repetition)].join(d.field);
}

/**
 * Builds the ACK text (segments joined with CR, no MLLP framing). MSH-3..6 are the inbound MSH-5, 6, 3, 4
 * echoed in their escaped form, MSH-11/12/18 are echoed, MSA-2 is the inbound MSH-10 as received.
 */
export function buildAck(opts: BuildAckOptions): string {
  const h = opts.header;
  const d: Delimiters = h?.delimiters ?? DEFAULT_DELIMITERS;
  const msh = [
    'MSH',
    encodingCharacters(d),
    h?.receivingApplication.raw ?? '',
    h?.receivingFacility.raw ?? '',
    h?.sendingApplication.raw ?? '',
    h?.sendingFacility.raw ?? '',
    formatHl7DateTime(opts.now),
    '',
    ackMessageType(h, d),
    escapeValue(opts.controlId, d),
    // Required in every ACK, so an empty inbound value also falls back.
    h?.raw.processingId || 'P',
    h?.raw.version || '2.5',
  ];
  if (h?.raw.charset) {
    while (msh.length < 17) msh.push('');
    msh.push(h.raw.charset);
  }
  const errors = opts.errors ?? [];
  const text = opts.text ?? errors[0]?.text;
  const msa = ['MSA', opts.code, h?.raw.controlId ?? ''];
  if (text !== undefined && text !== '') msa.push(escapeValue(text, d));
  const segments = [msh.join(d.field), msa.join(d.field)];
  if (errors.length > 0) {
    if (usesLegacyErr(h?.version)) segments.push(errSegmentLegacy(errors, d));
    else for (const e of errors) segments.push(errSegmentV25(e, d));
  }
  return segments.join('\r');
}
