// The web console: its sessions (the cookie's value is kept only as a hash; a session acts as the
// personal access token it was opened with, so revoking the token ends it), the one-time sign-in
// links `alter console` prints, and a short log of webhook deliveries (accepted or refused, with
// the reason) for the console's Webhook page.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('console_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    // Sealed (associated data: the id hash): a notice, an error or a secret to show once.
    .addColumn('flash', 'text')
    .execute();
  await db.schema.createIndex('console_sessions_expires').on('console_sessions').column('expires_at').execute();

  await db.schema
    .createTable('console_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id').onDelete('cascade'))
    .addColumn('app_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();

  await db.schema
    .createTable('webhook_delivery_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text')
    .addColumn('events', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reason', 'text')
    .execute();
  await db.schema.createIndex('webhook_delivery_log_provider').on('webhook_delivery_log').columns(['provider_id', 'id']).execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('webhook_delivery_log').ifExists().execute();
  await db.schema.dropTable('console_links').ifExists().execute();
  await db.schema.dropTable('console_sessions').ifExists().execute();
}
