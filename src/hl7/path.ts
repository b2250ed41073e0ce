/**
 * Accessor paths, 1-based like the standard: `PID-5`, `PID-5.1`, `PID-5.1.2`, `PID-3[2].4.2`, `MSH-9.2`,
 * and `PID(2)-3` for the second PID of a message (A40 with several PID/MRG groups).
 * A malformed path is a programming error, so it throws a plain Error, never an Hl7Error.
 */

export interface Hl7Path {
  segment: string;
  occurrence: number;
  field: number;
  repetition: number;
  component: number;
  subcomponent: number;
}

export interface FieldPath {
  field: number;
  repetition: number;
  component: number;
  subcomponent: number;
}

const FULL_RE = /^([A-Z0-9]{3})(?:\((\d+)\))?-(.+)$/;
const FIELD_RE = /^(\d+)(?:\[(\d+)\])?(?:\.(\d+)(?:\.(\d+))?)?$/;

function positive(text: string | undefined, fallback: number, path: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`Invalid HL7 path "${path}": positions are 1-based`);
  return n;
}

/** Parses the part after `SEG-`, e.g. `3[2].4.2`. */
export function parseFieldPath(path: string): FieldPath {
  const m = FIELD_RE.exec(path);
  if (!m) throw new Error(`Invalid HL7 field path "${path}"`);
  return {
    field: positive(m[1], 1, path),
    repetition: positive(m[2], 1, path),
    component: positive(m[3], 1, path),
    subcomponent: positive(m[4], 1, path),
  };
}

export function parseHl7Path(path: string): Hl7Path {
  const m = FULL_RE.exec(path);
  if (!m || m[1] === undefined || m[3] === undefined) throw new Error(`Invalid HL7 path "${path}"`);
  let rest: FieldPath;
  try {
    rest = parseFieldPath(m[3]);
  } catch {
    throw new Error(`Invalid HL7 path "${path}"`);
  }
  return { segment: m[1], occurrence: positive(m[2], 1, path), ...rest };
}
