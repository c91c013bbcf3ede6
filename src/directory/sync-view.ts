// What the API shows of a directory sync and its runs: never the credentials.
import type { RunRow, SyncRow } from '../store/repos/directory-syncs.js';
import type { SyncCounts } from './reconcile.js';
import { formatInterval } from './sync-settings.js';

export interface RunView extends SyncCounts {
  id: string;
  provider_id: string;
  trigger: string;
  dry_run: boolean;
  status: string;
  started_at: string;
  finished_at: string | null;
  error: { code: string; message: string } | null;
  /** While running: how far the read has got. */
  progress?: unknown;
}

export function runView(row: RunRow): RunView {
  return {
    id: row.id,
    provider_id: row.provider_id,
    trigger: row.trigger,
    dry_run: row.dry_run === 1,
    status: row.status,
    started_at: row.started_at,
    finished_at: row.finished_at,
    ...(JSON.parse(row.counts) as SyncCounts),
    error: row.error ? (JSON.parse(row.error) as { code: string; message: string }) : null,
    ...(row.status === 'running' ? { progress: row.progress ? (JSON.parse(row.progress) as unknown) : null } : {}),
  };
}

interface Warning {
  code: string;
  message: string;
}

function warningsFor(sync: SyncRow, last: RunRow | undefined): Warning[] {
  const out: Warning[] = [];
  if (sync.verification === 'unverified') out.push({ code: 'credentials_unverified', message: 'the credentials could not be checked when they were saved; the next run will tell' });
  if (last?.status === 'aborted') out.push({ code: 'last_run_aborted', message: `the last run was stopped by a safeguard and changed nothing: ${runView(last).error?.message ?? ''}` });
  if (last?.status === 'failed') out.push({ code: 'last_run_failed', message: `the last run failed and changed nothing: ${runView(last).error?.message ?? ''}` });
  return out;
}

export function syncStatusView(providerId: string, sync: SyncRow | undefined, last: RunRow | undefined): object {
  if (!sync) return { provider_id: providerId, enabled: false, verification: null, interval: null, deletion_threshold: null, last_run: null, next_run_at: null, warnings: [] };
  return {
    provider_id: providerId,
    enabled: true,
    verification: sync.verification,
    interval: formatInterval(sync.interval_seconds),
    deletion_threshold: sync.deletion_threshold,
    last_run: last ? runView(last) : null,
    next_run_at: sync.next_run_at,
    warnings: warningsFor(sync, last),
  };
}
