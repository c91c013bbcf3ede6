// Identity providers: one per app (a database constraint). Readers across the server (resolution,
// webhooks, wallet) use these finders; the identity-provider routes own the writes.
import type { Kysely, Selectable } from 'kysely';
import type { Database, IdentityProvidersTable } from '../schema.js';

export type ProviderRow = Selectable<IdentityProvidersTable>;

export async function findProviderByApp(db: Kysely<Database>, appId: string): Promise<ProviderRow | undefined> {
  return db.selectFrom('identity_providers').selectAll().where('app_id', '=', appId).executeTakeFirst();
}

export async function findProviderById(db: Kysely<Database>, id: string): Promise<ProviderRow | undefined> {
  return db.selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst();
}
