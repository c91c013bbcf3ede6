// Cross-process cache invalidation. Several server processes may share one database; a change
// accepted by any of them (deprovisioned user, rotated secret, deleted provider) must reach the
// caches of all of them within a second. Every such change bumps a per-app version row in the same
// transaction; each process polls the (tiny) version table and tells its listeners which apps moved.
// Polling works identically on SQLite and PostgreSQL and survives dropped connections, which
// LISTEN/NOTIFY alone would not.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export type InvalidationListener = (appId: string) => void;

export interface Invalidation {
  /** Marks `appId` changed; call inside the transaction that makes the change. */
  bump(db: Kysely<Database>, appId: string): Promise<void>;
  /** Runs `listener` for every app changed by this process (at once) or another (on the next poll). */
  subscribe(listener: InvalidationListener): void;
  /** Tell this process's listeners now, after the transaction that bumped has committed. */
  notifyLocal(appId: string): void;
  start(db: Kysely<Database>, intervalMs?: number): void;
  stop(): void;
}

export function createInvalidation(): Invalidation {
  const listeners: InvalidationListener[] = [];
  const seen = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  const notify = (appId: string): void => {
    for (const l of listeners) l(appId);
  };

  async function poll(db: Kysely<Database>, first: boolean): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      const rows = await db.selectFrom('cache_versions').select(['scope', 'version']).where('scope', 'like', 'app:%').execute();
      for (const { scope, version } of rows) {
        const prev = seen.get(scope);
        seen.set(scope, Number(version));
        if (!first && prev !== Number(version)) notify(scope.slice(4));
      }
    } catch {
      // A failed poll (database restarting) is retried on the next tick; caches stay as they are.
    } finally {
      polling = false;
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
    start(db, intervalMs = 250) {
      void poll(db, true);
      timer = setInterval(() => void poll(db, false), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
