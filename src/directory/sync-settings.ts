// The settings of a directory sync as operators write them: an interval (`30m`, `1h`, `2h`, `1d`,
// at least 5 minutes) and a deletion threshold (`10%` of the active users, or a count such as `25`).
import { AlterError } from '../errors.js';
import type { DeletionThreshold } from './reconcile.js';

export const DEFAULT_INTERVAL = '1h';
export const DEFAULT_THRESHOLD = '10%';
export const MIN_INTERVAL_SECONDS = 5 * 60;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseInterval(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  if (!m) throw new AlterError('invalid_request', `interval: ${JSON.stringify(text)} is not a duration such as 30m, 1h, 2h or 1d`, { field: 'interval' });
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  if (seconds < MIN_INTERVAL_SECONDS) throw new AlterError('invalid_request', 'interval: must be at least 5m (the providers rate-limit their management APIs)', { field: 'interval' });
  if (seconds > 30 * 86400) throw new AlterError('invalid_request', 'interval: must be at most 30d', { field: 'interval' });
  return seconds;
}

/** The shortest spelling of `seconds` in the units parseInterval reads. */
export function formatInterval(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

export function parseThreshold(text: string): DeletionThreshold {
  const t = text.trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (percent) {
    const p = Number(percent[1]);
    if (p > 100) throw new AlterError('invalid_request', 'deletion_threshold: a percentage must be at most 100%', { field: 'deletion_threshold' });
    return { percent: p };
  }
  if (/^\d+$/.test(t)) return { count: Number(t) };
  throw new AlterError('invalid_request', `deletion_threshold: ${JSON.stringify(text)} is neither a percentage (10%) nor a count (25)`, { field: 'deletion_threshold' });
}
