/**
 * HL7 v2 error type shared by the parser, the charset decoder and the ACK builder.
 *
 * Messages never include field values: an Hl7Error ends up in logs and in ERR-8 of ACKs sent over the
 * wire, and a field value may be PHI. Only positions (paths) and rule descriptions are allowed.
 */

/** HL7 table 0357 (message error condition codes) that this code base emits. */
export const HL7_ERROR_CODES = {
  segmentSequence: 100,
  requiredFieldMissing: 101,
  dataType: 102,
  tableValueNotFound: 103,
  valueTooLong: 104,
  unsupportedMessageType: 200,
  unsupportedEvent: 201,
  unsupportedProcessingId: 202,
  unsupportedVersion: 203,
  unknownKeyIdentifier: 204,
  duplicateKey: 205,
  recordLocked: 206,
  internalError: 207,
} as const;


/** ERL (error location) as used in ERR-2: segment id, segment occurrence, then 1-based positions. */
export interface Hl7ErrorLocation {
  segment: string;
  /** Occurrence of this segment name in the message (ERL.2), 1-based. */
  sequence?: number;
  field?: number;
  repetition?: number;
  component?: number;
  subcomponent?: number;
}

export interface Hl7ErrorOptions {
  /** Path in accessor grammar, e.g. `PID-7`, `MSH-9.2`, `PID-3[2].4`, or `#5` for a segment with no usable name. */
  path?: string;
  location?: Hl7ErrorLocation;
  cause?: unknown;
}

export class Hl7Error extends Error {
  override readonly name = 'Hl7Error';
  readonly code: number;
  readonly path?: string;
  readonly location?: Hl7ErrorLocation;

  constructor(code: number, message: string, options: Hl7ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
    const location = options.location ?? (options.path === undefined ? undefined : locationFromPath(options.path));
    if (location !== undefined) this.location = location;
  }

  /** Shape accepted by `buildAck({ errors })`. */
  toAckError(): { code: number; text: string; path?: string; location?: Hl7ErrorLocation } {
    return {
      code: this.code,
      text: this.message,
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.location === undefined ? {} : { location: this.location }),
    };
  }
}

export function isHl7Error(value: unknown): value is Hl7Error {
  return value instanceof Hl7Error;
}

const PATH_RE = /^([A-Z0-9]{3})(?:\((\d+)\))?(?:-(\d+)(?:\[(\d+)\])?(?:\.(\d+)(?:\.(\d+))?)?)?$/;

/**
 * Best-effort ERL from a path. Unlike the accessor path parser this accepts a bare segment name
 * (`PID` for "segment missing") and returns undefined instead of throwing, because it only decorates errors.
 */
export function locationFromPath(path: string): Hl7ErrorLocation | undefined {
  const m = PATH_RE.exec(path);
  if (!m) return undefined;
  const [, segment, occ, field, rep, comp, sub] = m;
  if (segment === undefined) return undefined;
  const loc: Hl7ErrorLocation = { segment, sequence: occ === undefined ? 1 : Number(occ) };
  if (field !== undefined) loc.field = Number(field);
  if (rep !== undefined) loc.repetition = Number(rep);
  if (comp !== undefined) loc.component = Number(comp);
  if (sub !== undefined) loc.subcomponent = Number(sub);
  return loc;
}
