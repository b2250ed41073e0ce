/**
 * Structured logger accepted by the MLLP transport. Callers adapt pino/console to this shape.
 * Fields passed by this module never contain message bytes (PHI): only sizes, addresses, ids, error kinds.
 */
export type Logger = {
  info: (msg: string, fields?: Record<string, unknown>) => void;
  warn: (msg: string, fields?: Record<string, unknown>) => void;
  error: (msg: string, fields?: Record<string, unknown>) => void;
};

export const noopLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
};

export type MllpErrorCode =
  | 'TIMEOUT' // no reply within timeoutMs
  | 'CLOSED' // connection closed before a reply arrived (or client already closed)
  | 'PROTOCOL' // peer sent bytes that are not an MLLP frame where a reply was expected
  | 'OVERSIZE' // reply frame larger than the client's maxFrameBytes
  | 'CONNECT'; // could not connect / TLS handshake failed

export class MllpError extends Error {
  readonly code: MllpErrorCode;
  constructor(code: MllpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MllpError';
    this.code = code;
  }
}

/**
 * Error kind safe to log: the error's class name and Node error code, never its message,
 * because handler errors routinely embed field values (names, ids) from the message.
 */
export function errorKind(err: unknown): { errorName: string; errorCode?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' || typeof code === 'number'
      ? { errorName: err.name, errorCode: String(code) }
      : { errorName: err.name };
  }
  return { errorName: typeof err };
}
