// One directory sync run: take the provider's lease (one run per provider at a time, across every
// server process), read the whole snapshot from the provider's management API, then plan, check
// the safeguards and apply it in one transaction that also records the run's outcome. A run is
// started by an operator (`alter idp sync run`) or by the schedule, and runs in the background of
// the server process that started it; its row says how far it got while it runs.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../store/schema.js';
import type { Sealer } from '../crypto/sealed.js';
import type { Invalidation } from '../server/invalidation.js';
import type { ProviderRow } from '../store/repos/identity-providers.js';
import { AlterError } from '../errors.js';
import { isStoreFault } from '../store/faults.js';
import { orderedId } from '../store/ordered-id.js';
import { directorySyncRuns } from '../metrics.js';
import { recordAudit } from '../store/repos/audit.js';
import { extendLease, failInterruptedRuns, releaseLease, takeLease, type RunRow, type SyncRow } from '../store/repos/directory-syncs.js';
import { createDirectorySource, parseCredentials } from './sources/index.js';
import { SourceError, type SyncProgress } from './sources/source.js';
import { emptyCounts, ReconcileAborted, reconcileSnapshot, type SyncCounts } from './reconcile.js';
import { parseThreshold } from './sync-settings.js';

export interface SyncDeps {
  db: Kysely<Database>;
  sealer: Sealer;
  invalidation: Invalidation;
  allowPrivate: boolean;
  log: FastifyBaseLogger;
}

export interface RunRequest {
  trigger: 'manual' | 'schedule';
  dryRun: boolean;
  force: boolean;
  /** Audit actor: the operator's token, or `system` for the schedule. */
  actor: string;
}

/** A lease outlives a silent holder by this much; a live one extends it every LEASE_RENEW_MS. */
export const LEASE_MS = 60_000;
const LEASE_RENEW_MS = 15_000;
const PROGRESS_EVERY_MS = 500;

/** Who holds a lease: this process, recognisably in the store. */
export const PROCESS_HOLDER = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

function later(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

function changedSomething(c: SyncCounts): boolean {
  return c.created + c.updated + c.blocked + c.unblocked + c.deprovisioned + c.memberships_added + c.memberships_removed > 0;
}

async function finish(db: Kysely<Database>, runId: string, status: 'succeeded' | 'failed' | 'aborted', counts: SyncCounts, error: { code: string; message: string } | null): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({ status, finished_at: new Date().toISOString(), counts: JSON.stringify(counts), progress: null, error: error ? JSON.stringify(error) : null })
    .where('id', '=', runId)
    .execute();
}

export interface SyncRunner {
  /**
   * Starts a run of `provider`'s sync in the background and answers its row (status `running`).
   * A run already in progress for the provider, here or on another process, is a conflict; a
   * scheduled start that finds the run not due (another process just took it) answers null.
   */
  start(provider: ProviderRow, sync: SyncRow, req: RunRequest): Promise<RunRow | null>;
  /** Stops this server's runs (at shutdown): they end as failed, applying nothing. */
  stop(): Promise<void>;
}

export function createSyncRunner(deps: SyncDeps): SyncRunner {
  const running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  return {
    start: (provider, sync, req) => startRun(deps, running, provider, sync, req),
    async stop() {
      const all = [...running.values()];
      for (const r of all) r.abort.abort();
      await Promise.all(all.map((r) => r.done));
    },
  };
}

async function startRun(deps: SyncDeps, running: Map<string, { abort: AbortController; done: Promise<void> }>, provider: ProviderRow, sync: SyncRow, req: RunRequest): Promise<RunRow | null> {
  const now = new Date().toISOString();
  const scheduled = req.trigger === 'schedule';
  const taken = await takeLease(deps.db, provider.id, PROCESS_HOLDER, now, later(LEASE_MS), scheduled ? { onlyIfDue: true, nextRunAt: later(sync.interval_seconds * 1000) } : {});
  if (!taken) {
    if (scheduled) return null;
    throw new AlterError('conflict', `a sync of provider ${provider.id} is already running; wait for it to finish (alter idp sync status)`);
  }
  try {
    await failInterruptedRuns(deps.db, provider.id, now);
    const run: RunRow = { id: orderedId('run', Date.now()), provider_id: provider.id, trigger: req.trigger, dry_run: req.dryRun ? 1 : 0, status: 'running', started_at: now, finished_at: null, counts: JSON.stringify(emptyCounts()), progress: null, error: null };
    await deps.db.insertInto('sync_runs').values(run).execute();
    const abort = new AbortController();
    const done = execute(deps, provider, sync, run, req, abort.signal).finally(() => running.delete(run.id));
    running.set(run.id, { abort, done });
    return run;
  } catch (err) {
    await releaseLease(deps.db, provider.id, PROCESS_HOLDER).catch(() => {});
    throw err;
  }
}

async function execute(deps: SyncDeps, provider: ProviderRow, sync: SyncRow, run: RunRow, req: RunRequest, signal: AbortSignal): Promise<void> {
  const { db, log } = deps;
  const renew = setInterval(() => void extendLease(db, provider.id, PROCESS_HOLDER, later(LEASE_MS)).catch(() => {}), LEASE_RENEW_MS);
  renew.unref();
  let lastProgressAt = 0;
  const onProgress = (p: SyncProgress): void => {
    if (Date.now() - lastProgressAt < PROGRESS_EVERY_MS) return;
    lastProgressAt = Date.now();
    void db.updateTable('sync_runs').set({ progress: JSON.stringify(p) }).where('id', '=', run.id).execute().catch(() => {});
  };
  try {
    const credentials = parseCredentials(provider.provider_type, JSON.parse(deps.sealer.open(sync.credentials, provider.id)));
    const source = createDirectorySource(provider, credentials, { allowPrivate: deps.allowPrivate });
    const snapshot = await source.read(onProgress, signal);
    const counts = await db.transaction().execute(async (tx) => {
      const c = await reconcileSnapshot(tx, provider, snapshot, { startedAt: run.started_at, dryRun: req.dryRun, force: req.force, threshold: parseThreshold(sync.deletion_threshold) });
      if (!req.dryRun && changedSomething(c)) await deps.invalidation.bump(tx, provider.app_id);
      await finish(tx, run.id, 'succeeded', c, null);
      await recordAudit(tx, { actor: req.actor, action: req.dryRun ? 'directory_sync.dry_run' : 'directory_sync.run', appId: provider.app_id, target: provider.id, details: { run_id: run.id, trigger: req.trigger, ...c } });
      return c;
    });
    directorySyncRuns.inc({ status: 'succeeded' });
    if (!req.dryRun && changedSomething(counts)) deps.invalidation.notifyLocal(provider.app_id);
  } catch (err) {
    const outcome = outcomeOf(err);
    directorySyncRuns.inc({ status: outcome.status });
    if (outcome.status === 'failed' && outcome.error.code === 'internal') log.error({ err, provider_id: provider.id, run_id: run.id }, 'directory sync failed');
    else log.warn({ provider_id: provider.id, run_id: run.id, status: outcome.status, code: outcome.error.code }, `directory sync ${outcome.status}: ${outcome.error.message}`);
    // When the store itself is down this write fails too; the next holder of the lease marks the run interrupted.
    await finish(db, run.id, outcome.status, outcome.counts, outcome.error).catch(() => {});
  } finally {
    clearInterval(renew);
    await releaseLease(db, provider.id, PROCESS_HOLDER).catch(() => {});
  }
}

function outcomeOf(err: unknown): { status: 'failed' | 'aborted'; counts: SyncCounts; error: { code: string; message: string } } {
  if (err instanceof ReconcileAborted) return { status: 'aborted', counts: err.counts, error: { code: err.reason, message: err.message } };
  if (err instanceof SourceError) return { status: 'failed', counts: emptyCounts(), error: { code: err.kind, message: err.message } };
  if (err instanceof AlterError) return { status: 'failed', counts: emptyCounts(), error: { code: err.code, message: err.message } };
  if (isStoreFault(err)) return { status: 'failed', counts: emptyCounts(), error: { code: 'store_unavailable', message: 'the store became unavailable during the run; nothing of it was applied' } };
  return { status: 'failed', counts: emptyCounts(), error: { code: 'internal', message: 'the run failed on an internal error (see the server log); nothing of it was applied' } };
}
