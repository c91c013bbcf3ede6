// Which failures of the database mean "the store is unavailable" rather than "this request is
// wrong" or "alter has a bug". Such a failure is answered 503 with Retry-After (never a 500, never a
// crash): the database restarting, failing over, refusing connections, a dropped or timed-out
// connection, another process holding SQLite's write lock, a full disk, a read-only file.
import { AlterError } from '../errors.js';

/** What a 503 tells the client to wait before trying again, in seconds. */
export const RETRY_AFTER_SECONDS = 2;

// Socket-level failures reaching PostgreSQL.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

// SQLSTATEs of a server that cannot serve right now (PostgreSQL Appendix A): 08 connection
// exception, 53 insufficient resources (disk full, out of memory, too many connections), 58 system
// error (I/O), 57P01-57P03 shutting down / crashed / starting up, 57014 a statement cancelled (a
// timeout), 25006 a read-only transaction (a standby promoted in a failover answers this).
const UNAVAILABLE_SQLSTATE = /^(08|53|58)|^57P0[123]$|^57014$|^25006$/;

// What pg says, in plain Errors without a code, when a connection ends or never comes.
const PG_CONNECTION_MESSAGE = /^Connection terminated|timeout exceeded when trying to connect|not queryable|Query read timeout|connection timeout/i;

// SQLite result codes (better-sqlite3 spells extended codes out, e.g. SQLITE_BUSY_SNAPSHOT).
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|FULL|READONLY|IOERR|CANTOPEN|PROTOCOL|NOMEM|CORRUPT|NOTADB)/;

function isFaultItself(err: object): boolean {
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SQLITE_UNAVAILABLE.test(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_SQLSTATE.test(code);
  }
  return typeof message === 'string' && PG_CONNECTION_MESSAGE.test(message);
}

/** True when `err` (or what it wraps) says the database cannot serve this request right now. */
export function isStoreFault(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    if (e instanceof AlterError) return e.code === 'store_unavailable';
    if (isFaultItself(e)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The one error every caller sees for a store fault; the cause goes to the log, never the client. */
export function storeUnavailable(message = 'the store is unavailable right now (its database cannot be reached or cannot take the write): retry in a moment'): AlterError {
  return new AlterError('store_unavailable', message);
}
