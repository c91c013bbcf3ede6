// Cross-process cache invalidation. Several server processes may share one database; a change
// accepted by any of them (deprovisioned user, rotated secret, deleted provider) must reach the
// caches of all of them within a second. Every such change bumps a per-app version row in the same
// transaction; each process polls the (tiny) version table and tells its listeners which apps moved.
// Polling works identically on SQLite and PostgreSQL and survives dropped connections, which
// LISTEN/NOTIFY alone would not.
//
// The poll is also this process's proof that its caches are current. When it fails (the database is
// down, or unreachable from here while other processes may still write to it), answers built from
// caches can no longer be vouched for: `isCurrent()` turns false within STALE_AFTER_MS, and
// resolution then answers 503 instead of a 200 it could not check. Failed polls back off (up to
// MAX_BACKOFF_MS) and are logged once per outage, with one more line when the store is back.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export type InvalidationListener = (appId: string) => void;

export const POLL_INTERVAL_MS = 250;
/** Caches are vouched for this long after the start of the last successful poll. */
export const STALE_AFTER_MS = 1500;
const MAX_BACKOFF_MS = 2000;

interface PollLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface Invalidation {
  /** Marks `appId` changed; call inside the transaction that makes the change. */
  bump(db: Kysely<Database>, appId: string): Promise<void>;
  /** Runs `listener` for every app changed by this process (at once) or another (on the next poll). */
  subscribe(listener: InvalidationListener): void;
  /** Tell this process's listeners now, after the transaction that bumped has committed. */
  notifyLocal(appId: string): void;
  /** Polls once (so that caches are vouched for from the first request), then keeps polling. */
  start(db: Kysely<Database>, log: PollLog, intervalMs?: number): Promise<void>;
  stop(): void;
  /** True while a poll has succeeded recently enough that no other process's change can be missed. */
  isCurrent(now?: number): boolean;
}

export function createInvalidation(): Invalidation {
  const listeners: InvalidationListener[] = [];
  const seen = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let currentSince = -Infinity;
  let outage: { since: number; failures: number } | null = null;

  const notify = (appId: string): void => {
    for (const l of listeners) l(appId);
  };

  /** One poll; true when it reached the store. */
  async function poll(db: Kysely<Database>, log: PollLog, first: boolean): Promise<boolean> {
    const startedAt = Date.now();
    const read = () => db.selectFrom('cache_versions').select(['scope', 'version']).where('scope', 'like', 'app:%').execute();
    try {
      // A connection ended under the poll (database restart, failover, a proxy's idle timeout) is
      // an everyday event, not an outage: one more try gets a fresh connection from the pool.
      const rows = await read().catch(read);
      for (const { scope, version } of rows) {
        const prev = seen.get(scope);
        seen.set(scope, Number(version));
        if (!first && prev !== Number(version)) notify(scope.slice(4));
      }
      currentSince = startedAt;
      if (outage) {
        log.info({ seconds: (Date.now() - outage.since) / 1000, failed_polls: outage.failures }, 'store reachable again: caches are current and requests are served');
        outage = null;
      }
      return true;
    } catch (err) {
      if (!outage) {
        outage = { since: startedAt, failures: 0 };
        log.warn({ err }, 'store unreachable: requests that need it answer 503 until it is back (retrying with back-off)');
      }
      outage.failures++;
      return false;
    }
  }

  return {
    async bump(db, appId) {
      const scope = `app:${appId}`;
      const res = await db.updateTable('cache_versions').set((eb) => ({ version: eb('version', '+', 1) })).where('scope', '=', scope).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) {
        await db.insertInto('cache_versions').values({ scope, version: 1 }).onConflict((oc) => oc.column('scope').doUpdateSet((eb) => ({ version: eb('cache_versions.version', '+', 1) }))).execute();
      }
    },
    subscribe(listener) {
      listeners.push(listener);
    },
    notifyLocal: notify,
    async start(db, log, intervalMs = POLL_INTERVAL_MS) {
      stopped = false;
      let delay = intervalMs;
      const next = (): void => {
        if (stopped) return;
        timer = setTimeout(() => {
          void poll(db, log, false).then((ok) => {
            delay = ok ? intervalMs : Math.min(delay * 2, MAX_BACKOFF_MS);
            next();
          });
        }, delay);
        timer.unref();
      };
      if (!(await poll(db, log, true))) delay = Math.min(delay * 2, MAX_BACKOFF_MS);
      next();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    isCurrent(now = Date.now()) {
      return !outage && now - currentSince <= STALE_AFTER_MS;
    },
  };
}
