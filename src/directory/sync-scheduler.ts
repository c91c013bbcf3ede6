// Scheduled directory syncs. Every server process looks for due syncs every few seconds; taking a
// provider's lease (a conditional update in the store, which also moves its next run) is what lets
// exactly one of them run it. A store that cannot be reached slows the look-ups down (back-off up
// to a minute) and is logged once until it answers again; the schedule then carries on by itself.
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { dueSyncs, findSync } from '../store/repos/directory-syncs.js';
import { findProviderById } from '../store/repos/identity-providers.js';
import type { SyncRunner } from './sync-runner.js';

export const SCHEDULER_TICK_MS = 5_000;
const MAX_BACKOFF_MS = 60_000;

export interface SyncScheduler {
  stop(): void;
}

export function startSyncScheduler(db: Kysely<Database>, runner: SyncRunner, log: Pick<FastifyBaseLogger, 'warn' | 'info'>, tickMs = SCHEDULER_TICK_MS): SyncScheduler {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failing = false;
  let delay = tickMs;

  async function tick(): Promise<void> {
    for (const providerId of await dueSyncs(db, new Date().toISOString(), 5)) {
      const [provider, sync] = await Promise.all([findProviderById(db, providerId), findSync(db, providerId)]);
      if (provider && sync) await runner.start(provider, sync, { trigger: 'schedule', dryRun: false, force: false, actor: 'system' });
    }
  }

  const schedule = (): void => {
    if (stopped) return;
    // Jitter spreads the look-ups of several processes sharing one database.
    timer = setTimeout(() => {
      void tick().then(
        () => {
          if (failing) log.info({}, 'directory sync schedule: the store answers again');
          failing = false;
          delay = tickMs;
          schedule();
        },
        (err: unknown) => {
          if (!failing) log.warn({ err }, 'directory sync schedule: cannot look for due syncs; retrying with back-off');
          failing = true;
          delay = Math.min(delay * 2, MAX_BACKOFF_MS);
          schedule();
        },
      );
    }, delay * (0.75 + Math.random() * 0.5));
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
