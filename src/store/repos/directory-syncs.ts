// Directory sync settings, the run lease, and run history. The lease is a conditional update: of
// several server processes sharing the database, exactly one finds the lease free and takes it, and
// a holder that dies stops extending it, so it expires and another process can run.
import type { Kysely, Selectable } from 'kysely';
import type { Database, DirectorySyncsTable, SyncRunsTable } from '../schema.js';

export type SyncRow = Selectable<DirectorySyncsTable>;
export type RunRow = Selectable<SyncRunsTable>;

export function findSync(db: Kysely<Database>, providerId: string): Promise<SyncRow | undefined> {
  return db.selectFrom('directory_syncs').selectAll().where('provider_id', '=', providerId).executeTakeFirst();
}

/** Takes the provider's lease when it is free (or expired); true when this caller holds it now. */
export async function takeLease(db: Kysely<Database>, providerId: string, holder: string, now: string, until: string, opts: { onlyIfDue?: boolean; nextRunAt?: string } = {}): Promise<boolean> {
  const res = await db
    .updateTable('directory_syncs')
    .set({ lease_holder: holder, lease_until: until, ...(opts.nextRunAt ? { next_run_at: opts.nextRunAt } : {}) })
    .where('provider_id', '=', providerId)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .$if(!!opts.onlyIfDue, (q) => q.where('next_run_at', '<=', now))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function extendLease(db: Kysely<Database>, providerId: string, holder: string, until: string): Promise<void> {
  await db.updateTable('directory_syncs').set({ lease_until: until }).where('provider_id', '=', providerId).where('lease_holder', '=', holder).execute();
}

export async function releaseLease(db: Kysely<Database>, providerId: string, holder: string): Promise<void> {
  await db.updateTable('directory_syncs').set({ lease_holder: null, lease_until: null }).where('provider_id', '=', providerId).where('lease_holder', '=', holder).execute();
}

/** Providers whose next run is due and whose lease is free. */
export async function dueSyncs(db: Kysely<Database>, now: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('directory_syncs')
    .select('provider_id')
    .where('next_run_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
    .orderBy('next_run_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.provider_id);
}

export function latestRun(db: Kysely<Database>, providerId: string): Promise<RunRow | undefined> {
  return db.selectFrom('sync_runs').selectAll().where('provider_id', '=', providerId).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export function listRuns(db: Kysely<Database>, providerId: string, limit: number): Promise<RunRow[]> {
  return db.selectFrom('sync_runs').selectAll().where('provider_id', '=', providerId).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export function findRun(db: Kysely<Database>, providerId: string, runId: string): Promise<RunRow | undefined> {
  return db.selectFrom('sync_runs').selectAll().where('provider_id', '=', providerId).where('id', '=', runId).executeTakeFirst();
}

/** Runs left `running` by a process that died: called by the next holder of the lease. */
export async function failInterruptedRuns(db: Kysely<Database>, providerId: string, now: string): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({ status: 'failed', finished_at: now, progress: null, error: JSON.stringify({ code: 'interrupted', message: 'the server running this sync stopped before it finished; nothing of it was applied' }) })
    .where('provider_id', '=', providerId)
    .where('status', '=', 'running')
    .execute();
}
