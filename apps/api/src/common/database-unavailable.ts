/** Node socket errors that mean "the database server cannot be reached". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that mean "try again later, nothing is wrong with the request": class 08 (connection
 * exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or
 * shutting down), 53300 too_many_connections.
 */
const SQLSTATES = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;

/** Messages of node-postgres for a connection that died or could not be made, which carry no code. */
const MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error/i,
  /connection is closed/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/**
 * True when `err` (a pg error, a TypeORM QueryFailedError wrapping one, or an error it caused)
 * means the database could not be reached, as opposed to a query the database refused.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (e instanceof DatabaseUnavailableError) return true;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.test(code))) return true;
    if (typeof message === 'string' && MESSAGES.some((m) => m.test(message))) return true;
    const inner = e as { driverError?: unknown; cause?: unknown; errors?: unknown[] };
    // AggregateError (connect to ::1 and 127.0.0.1 both refused) carries its causes in `errors`.
    if (Array.isArray(inner.errors) && inner.errors.some((x) => isDatabaseUnavailable(x))) return true;
    e = inner.driverError ?? inner.cause;
  }
  return false;
}

/** Thrown without touching the database while it is known to be unreachable. */
export class DatabaseUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`the database is unreachable (${reason})`);
    this.name = 'DatabaseUnavailableError';
  }
}

/** A short description of why the database is unreachable, safe to log (never a query or a value). */
export function unavailableReason(err: unknown): string {
  if (err instanceof DatabaseUnavailableError) return err.reason;
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code } = e as { code?: unknown };
    if (typeof code === 'string') return code;
    const inner = e as { driverError?: unknown; cause?: unknown; errors?: unknown[] };
    e = inner.driverError ?? inner.cause ?? inner.errors?.[0];
  }
  const message = (err as { message?: unknown })?.message;
  return typeof message === 'string' ? message.slice(0, 120) : 'unknown';
}

/** Seconds a client is told to wait (Retry-After) while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * Injection token of whatever tracks the database's reachability (DatabaseAvailability, provided
 * by the database module): the exception filter reports connection errors to it.
 */
export const OUTAGE_REPORTER = Symbol('OUTAGE_REPORTER');

export interface OutageReporter {
  /** True when `err` means the database is unreachable (it is then marked down). */
  reportError(err: unknown): boolean;
}
