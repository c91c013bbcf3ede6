// Each user's lifecycle log: what changed, when, and which source said so. Written in the same
// transaction as the change it records.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { Source } from '../../directory/rules.js';
import { orderedId } from '../ordered-id.js';

export interface UserEvent {
  userId: string;
  source: Source;
  action: string;
  detail?: Record<string, unknown> | null;
}

export async function recordUserEvents(tx: Kysely<Database>, events: UserEvent[]): Promise<void> {
  if (!events.length) return;
  const ms = Date.now();
  const at = new Date(ms).toISOString();
  await tx
    .insertInto('user_events')
    .values(events.map((e) => ({ id: orderedId('uev', ms), user_id: e.userId, at, source: e.source, action: e.action, detail: e.detail ? JSON.stringify(e.detail) : null })))
    .execute();
}
