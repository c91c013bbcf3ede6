// Identity providers: one per app (a database constraint). Readers across the server (resolution,
// webhooks, wallet) use these finders; the identity-provider routes own the writes.
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database, IdentityProvidersTable } from '../schema.js';

export type ProviderRow = Selectable<IdentityProvidersTable>;

export async function findProviderByApp(db: Kysely<Database>, appId: string): Promise<ProviderRow | undefined> {
  return db.selectFrom('identity_providers').selectAll().where('app_id', '=', appId).executeTakeFirst();
}

export async function findProviderById(db: Kysely<Database>, id: string): Promise<ProviderRow | undefined> {
  return db.selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts a provider; a second provider for the same app fails on the unique constraint. */
export async function insertProvider(db: Kysely<Database>, row: Insertable<IdentityProvidersTable>): Promise<void> {
  await db.insertInto('identity_providers').values(row).execute();
}

export async function updateProvider(db: Kysely<Database>, id: string, changes: Updateable<IdentityProvidersTable>): Promise<void> {
  await db.updateTable('identity_providers').set(changes).where('id', '=', id).execute();
}

/** Deletes a provider; users, groups, webhooks and deliveries go with it (foreign keys cascade). */
export async function deleteProvider(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('identity_providers').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Whether the provider's webhook is enabled (the webhooks row, when there is one). */
export async function findWebhookEnabled(db: Kysely<Database>, providerId: string): Promise<{ enabled: number } | undefined> {
  return db.selectFrom('webhooks').select('enabled').where('provider_id', '=', providerId).executeTakeFirst();
}
