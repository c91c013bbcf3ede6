// The audit log: one row per change, written in the same transaction as the change itself.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface AuditEntry {
  actor: string;
  action: string;
  appId?: string | null;
  target?: string | null;
  /** Non-secret details only: never a token, key or secret. */
  details?: Record<string, unknown>;
}

let lastMs = 0;
let sequence = 0;

/**
 * Ids sort in the order this process wrote them, even within one millisecond (several events of one
 * webhook delivery share it), so listing by (at, id) shows what happened in the order it happened.
 */
function auditId(ms: number): string {
  sequence = ms === lastMs ? sequence + 1 : 0;
  lastMs = ms;
  return `evt_${ms.toString(36).padStart(9, '0')}${sequence.toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
}

export async function recordAudit(db: Kysely<Database>, entry: AuditEntry): Promise<void> {
  const ms = Date.now();
  await db
    .insertInto('audit_events')
    .values({
      id: auditId(ms),
      at: new Date(ms).toISOString(),
      actor: entry.actor,
      action: entry.action,
      app_id: entry.appId ?? null,
      target: entry.target ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
    })
    .execute();
}
