// A provider's webhook (one row, created at the first enable), the delivery ids already applied,
// and a short log of the latest deliveries (accepted or refused, with the reason) for the console.
// Secrets are sealed with `${provider_id}:webhook` as associated data, so a sealed value copied
// onto another provider's row (or into its wallet secret column) fails to open.
import type { Kysely, Selectable } from 'kysely';
import type { Database, WebhookDeliveryLogTable, WebhooksTable } from '../schema.js';
import { orderedId } from '../ordered-id.js';

export type WebhookRow = Selectable<WebhooksTable>;
export type DeliveryLogRow = Selectable<WebhookDeliveryLogTable>;

/** How many deliveries a provider's log keeps; older ones live on only in the counters. */
export const DELIVERY_LOG_SIZE = 100;
// Event types and reasons can echo what a sender wrote: kept short so a row stays small.
const LOG_TEXT_MAX = 200;

export function webhookSecretAad(providerId: string): string {
  return `${providerId}:webhook`;
}

export async function findWebhook(db: Kysely<Database>, providerId: string): Promise<WebhookRow | undefined> {
  return db.selectFrom('webhooks').selectAll().where('provider_id', '=', providerId).executeTakeFirst();
}

/** Turns the webhook on with `sealedSecret`; false when it already is on (enabling twice is not a rotation). */
export async function enableWebhook(db: Kysely<Database>, providerId: string, scheme: string, sealedSecret: string, now: string): Promise<boolean> {
  const on = { scheme, enabled: 1, secret: sealedSecret, secret_set_at: now, enabled_at: now };
  const res = await db.updateTable('webhooks').set(on).where('provider_id', '=', providerId).where('enabled', '=', 0).executeTakeFirst();
  if (Number(res.numUpdatedRows) > 0) return true;
  const inserted = await db
    .insertInto('webhooks')
    .values({ provider_id: providerId, ...on, events_received: 0, events_rejected: 0 })
    .onConflict((oc) => oc.column('provider_id').doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Replaces the secret of an enabled webhook; false when it is not enabled. */
export async function rotateWebhookSecret(db: Kysely<Database>, providerId: string, sealedSecret: string, now: string): Promise<boolean> {
  const res = await db.updateTable('webhooks').set({ secret: sealedSecret, secret_set_at: now }).where('provider_id', '=', providerId).where('enabled', '=', 1).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Turns the webhook off and destroys its secret; the counters stay for `status`. False when already off. */
export async function disableWebhook(db: Kysely<Database>, providerId: string): Promise<boolean> {
  const res = await db
    .updateTable('webhooks')
    .set({ enabled: 0, secret: null, secret_set_at: null, enabled_at: null })
    .where('provider_id', '=', providerId)
    .where('enabled', '=', 1)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/**
 * Counts a refused delivery and logs it with its reason, while the webhook is enabled (an address
 * with no enabled webhook records nothing). Run in a transaction: the counter's row lock then
 * orders concurrent log writes of one provider.
 */
export async function recordRejection(db: Kysely<Database>, providerId: string, reason: string, now: string): Promise<void> {
  const res = await db
    .updateTable('webhooks')
    .set((eb) => ({ events_rejected: eb('events_rejected', '+', 1), last_rejection_at: now, last_rejection_reason: reason }))
    .where('provider_id', '=', providerId)
    .where('enabled', '=', 1)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) > 0) await logDelivery(db, providerId, { outcome: 'rejected', reason, now });
}

/**
 * Adds a delivery to the provider's log and drops what falls beyond its size. Pruned on every
 * write rather than now and then, so that even a flood of refused deliveries cannot grow it: the
 * check reads at most DELIVERY_LOG_SIZE index entries of one provider.
 */
export async function logDelivery(
  db: Kysely<Database>,
  providerId: string,
  entry: { outcome: 'accepted' | 'rejected'; now: string; eventType?: string | null; events?: number; reason?: string | null },
): Promise<void> {
  await db
    .insertInto('webhook_delivery_log')
    .values({
      id: orderedId('whd', Date.parse(entry.now)),
      provider_id: providerId,
      received_at: entry.now,
      outcome: entry.outcome,
      event_type: entry.eventType?.slice(0, LOG_TEXT_MAX) ?? null,
      events: entry.events ?? 0,
      reason: entry.reason?.slice(0, LOG_TEXT_MAX) ?? null,
    })
    .execute();
  const oldestKept = await db
    .selectFrom('webhook_delivery_log')
    .select('id')
    .where('provider_id', '=', providerId)
    .orderBy('id', 'desc')
    .limit(1)
    .offset(DELIVERY_LOG_SIZE - 1)
    .executeTakeFirst();
  if (oldestKept) await db.deleteFrom('webhook_delivery_log').where('provider_id', '=', providerId).where('id', '<', oldestKept.id).execute();
}

/** The provider's latest deliveries, newest first. */
export async function listDeliveryLog(db: Kysely<Database>, providerId: string, limit: number): Promise<DeliveryLogRow[]> {
  return db.selectFrom('webhook_delivery_log').selectAll().where('provider_id', '=', providerId).orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Counts an accepted delivery, but only while the secret it was authenticated with is still the
 * current one. Run first in the delivery's transaction: the row lock it takes orders the delivery
 * against a concurrent rotate or disable, so a delivery checked against a secret that has since
 * been replaced applies nothing. False when the secret changed or the webhook was disabled.
 */
export async function recordReceived(
  db: Kysely<Database>,
  providerId: string,
  checkedSealedSecret: string,
  received: { count: number; lastType: string | null; now: string },
): Promise<boolean> {
  const res = await db
    .updateTable('webhooks')
    .set((eb) => ({
      events_received: eb('events_received', '+', received.count),
      last_event_at: received.now,
      last_event_type: received.lastType,
    }))
    .where('provider_id', '=', providerId)
    .where('enabled', '=', 1)
    .where('secret', '=', checkedSealedSecret)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Remembers a delivery id; false when it was already applied (a redelivery or a concurrent twin). */
export async function claimDelivery(db: Kysely<Database>, providerId: string, deliveryId: string, now: string): Promise<boolean> {
  const res = await db
    .insertInto('webhook_deliveries')
    .values({ provider_id: providerId, delivery_id: deliveryId, received_at: now })
    .onConflict((oc) => oc.columns(['provider_id', 'delivery_id']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function pruneDeliveries(db: Kysely<Database>, before: string): Promise<void> {
  await db.deleteFrom('webhook_deliveries').where('received_at', '<', before).execute();
}
