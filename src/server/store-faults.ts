// How the server reports store faults to its operator: one warning when requests start failing for
// want of the store, then at most one line per interval saying how many more did, instead of one
// line per failed request (a database restart under load would otherwise flood the log).
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { AlterError } from '../errors.js';
import { RETRY_AFTER_SECONDS } from '../store/faults.js';

export const FAULT_LOG_INTERVAL_MS = 30_000;

export interface StoreFaultLog {
  /** A request failed because of the store. */
  report(err: unknown): void;
}

export function createStoreFaultLog(log: Pick<FastifyBaseLogger, 'warn'>, intervalMs = FAULT_LOG_INTERVAL_MS): StoreFaultLog {
  let windowStart = -Infinity;
  let suppressed = 0;
  return {
    report(err) {
      const now = Date.now();
      if (now - windowStart < intervalMs) {
        suppressed++;
        return;
      }
      const more = suppressed;
      windowStart = now;
      suppressed = 0;
      log.warn({ err, more_since_last_line: more }, 'store fault: answered 503 (store_unavailable); more are counted, not logged, until the next line');
    },
  };
}

/** Every answer with `store_unavailable` says when to try again. */
export function sendRetryAfter(reply: FastifyReply, e: AlterError): void {
  if (e.code === 'store_unavailable') void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
}
