/**
 * Every reason we refuse or fail a message, and the one place that turns it into an ACK code.
 * Policy (README "ACK policy"): AR when the sender may usefully retry or the header is unusable
 * (unsupported MSH-9/11/12, unknown sender, database unavailable); AE when the content is wrong and
 * resending the same bytes will not help (missing PID-3, unknown assigning authority, impossible date).
 */
export type IngestErrorKind = 'header' | 'content' | 'conflict' | 'transient' | 'internal';

export interface ErrorLocation {
  segment: string;
  sequence?: number;
  field?: number;
  repetition?: number;
  component?: number;
}

export class IngestError extends Error {
  override name = 'IngestError';
  constructor(
    readonly kind: IngestErrorKind,
    /** HL7 table 0357 code. */
    readonly hl7Code: number,
    message: string,
    readonly path?: string,
    readonly location?: ErrorLocation,
  ) {
    super(message);
  }
}

export const headerError = (code: number, message: string, path?: string, location?: ErrorLocation) =>
  new IngestError('header', code, message, path, location);
export const contentError = (code: number, message: string, path?: string, location?: ErrorLocation) =>
  new IngestError('content', code, message, path, location);

export function ackCodeFor(kind: IngestErrorKind): 'AE' | 'AR' {
  switch (kind) {
    case 'header':
    case 'transient':
      return 'AR';
    case 'content':
    case 'conflict':
    case 'internal':
      return 'AE';
  }
}

/** Parses `PID-3`, `PID-3.4`, `MRG-1[2].4` into an ERR-2 location. */
export function locationFromPath(path: string | undefined): ErrorLocation | undefined {
  if (!path) return undefined;
  const m = /^([A-Z][A-Z0-9]{2})(?:-(\d+)(?:\[(\d+)\])?(?:\.(\d+))?)?/.exec(path);
  if (!m) return undefined;
  return {
    segment: m[1]!,
    sequence: 1,
    field: m[2] ? Number(m[2]) : undefined,
    repetition: m[3] ? Number(m[3]) : undefined,
    component: m[4] ? Number(m[4]) : undefined,
  };
}
