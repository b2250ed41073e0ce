/**
 * Structured JSON logging. Callers pass identifiers of *things* (message ids, connection ids, sizes,
 * error kinds), never field values from a message: the logs leave the PHI boundary, the database does not.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

/** A line is written when its level's rank is at least the logger's. */
export const LOG_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(level: LogLevel = 'info', base: Fields = {}, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Fields) => {
    if (LOG_RANK[lvl] < LOG_RANK[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...base, ...fields }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger(level, { ...base, ...f }, write),
  };
}

/** An error's kind and code, safe to log: messages of driver errors can quote row values, so they are not logged. */
export function errorKind(err: unknown): Fields {
  if (err && typeof err === 'object') {
    const e = err as { name?: string; code?: unknown; constructor?: { name?: string }; cause?: unknown };
    const out: Fields = { errorName: e.constructor?.name ?? e.name, errorCode: e.code };
    // A database error's SQLSTATE, constraint and table say what went wrong without carrying a value
    // (the message and detail of some errors quote the row: never logged).
    const c = e.cause as { code?: unknown; constraint_name?: unknown; constraint?: unknown; table_name?: unknown; table?: unknown; routine?: unknown } | undefined;
    if (c && typeof c === 'object') {
      out.causeCode = c.code;
      out.causeConstraint = c.constraint_name ?? c.constraint;
      out.causeTable = c.table_name ?? c.table;
      out.causeRoutine = c.routine;
    }
    return out;
  }
  return { errorName: typeof err };
}
