// Each user's lifecycle log: what changed, when, and which source said so. Written in the same
// transaction as the change it records.
import type { Insertable, Kysely } from 'kysely';
import type { Database, UserEventsTable } from '../schema.js';
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
  await tx.insertInto('user_events').values(userEventRows(events)).execute();
}

/** The rows of `events` (resolution's batches insert theirs in SQL of their own). */
export function userEventRows(events: UserEvent[]): Array<Insertable<UserEventsTable>> {
  const ms = Date.now();
  const at = new Date(ms).toISOString();
  return events.map((e) => ({ id: orderedId('uev', ms), user_id: e.userId, at, source: e.source, action: e.action, detail: e.detail ? JSON.stringify(e.detail) : null }));
}
