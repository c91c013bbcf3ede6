// The audit log: one row per change, written in the same transaction as the change itself, and
// read newest first in pages (a cursor over (at, id), like the directory's lists).
import type { Kysely, Selectable } from 'kysely';
import type { AuditEventsTable, Database } from '../schema.js';
import { orderedId } from '../ordered-id.js';
import { decodeCursor, pageOf } from './directory.js';

export type AuditRow = Selectable<AuditEventsTable>;

export interface AuditEntry {
  actor: string;
  action: string;
  appId?: string | null;
  target?: string | null;
  /** Non-secret details only: never a token, key or secret. */
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  await db.insertInto('audit_events').values(auditRows([entry])).execute();
}

/** The rows of `entries`, written together (resolution's batches insert theirs in SQL of their own). */
export function auditRows(entries: AuditEntry[]): AuditRow[] {
  const ms = Date.now();
  const at = new Date(ms).toISOString();
  return entries.map((entry) => ({
    id: orderedId('evt', ms),
    at,
    actor: entry.actor,
    action: entry.action,
    app_id: entry.appId ?? null,
    target: entry.target ?? null,
    details: entry.details ? JSON.stringify(entry.details) : null,
  }));
}

/** Newest first; `appId` keeps one app's entries only. */
export async function listAudit(db: Kysely<Database>, appId: string | null, page: { limit: number; cursor?: string | undefined }): Promise<{ rows: AuditRow[]; next_cursor: string | null }> {
  const cursor = decodeCursor(page.cursor, 2);
  let q = db.selectFrom('audit_events').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(page.limit + 1);
  if (appId) q = q.where('app_id', '=', appId);
  if (cursor) {
    const [at, id] = cursor as [string, string];
    q = q.where((eb) => eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', id)])]));
  }
  return pageOf(await q.execute(), page.limit, (last) => [last.at, last.id]);
}
