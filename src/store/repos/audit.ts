// The audit log: one row per change, written in the same transaction as the change itself.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { orderedId } from '../ordered-id.js';

export interface AuditEntry {
  actor: string;
  action: string;
  appId?: string | null;
  target?: string | null;
  /** Non-secret details only: never a token, key or secret. */
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  const ms = Date.now();
  await db
    .insertInto('audit_events')
    .values({
      id: orderedId('evt', ms),
      at: new Date(ms).toISOString(),
      actor: entry.actor,
      action: entry.action,
      app_id: entry.appId ?? null,
      target: entry.target ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
    })
    .execute();
}
