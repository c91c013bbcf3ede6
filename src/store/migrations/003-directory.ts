// The directory: what each source has said about a user, and when. Users remember every source that
// has stated them and which one set their status (an operator's block outlives every automatic
// source); memberships and groups remember their source (a token removes only what tokens added);
// and each user has a lifecycle event log. Existing rows are given the sources they can only have
// come from: a user seen by a token, else by a webhook.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

/** The scopes this migration adds; tokens holding every scope before it (server init's) get them. */
const NEW_SCOPES = ['dashboard_directory:read', 'dashboard_directory:write', 'dashboard_identity_providers:directory'];
const SCOPES_BEFORE = [
  'dashboard_apps:read',
  'dashboard_apps:write',
  'dashboard_tokens:admin',
  'dashboard_keys:read',
  'dashboard_keys:write',
  'dashboard_identity_providers:create',
  'dashboard_identity_providers:read',
  'dashboard_identity_providers:delete',
  'dashboard_identity_providers:webhooks',
  'dashboard_audit:read',
];

export async function up(db: Db): Promise<void> {
  await db.schema.alterTable('users').addColumn('sources', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('users').addColumn('status_source', 'text').execute();
  await db.schema.alterTable('users').addColumn('last_seen_at', 'text').execute();
  await db.updateTable('users').set({ sources: '["token"]', last_seen_at: sql`updated_at` }).where('seen', '=', 1).execute();
  await db.updateTable('users').set({ sources: '["webhook"]', status_source: 'webhook' }).where('seen', '=', 0).execute();
  await db.schema.createIndex('users_app_created').on('users').columns(['app_id', 'created_at', 'id']).execute();

  await db.schema.alterTable('memberships').addColumn('source', 'text', (c) => c.notNull().defaultTo('token')).execute();
  await db.schema.alterTable('groups').addColumn('source', 'text', (c) => c.notNull().defaultTo('token')).execute();
  await db.schema.createIndex('memberships_group').on('memberships').columns(['group_id', 'user_id']).execute();

  await db.schema
    .createTable('user_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('user_events_user_at').on('user_events').columns(['user_id', 'at', 'id']).execute();

  const tokens = await db.selectFrom('tokens').select(['id', 'scopes']).execute();
  for (const t of tokens as Array<{ id: string; scopes: string }>) {
    const scopes = JSON.parse(t.scopes) as string[];
    if (SCOPES_BEFORE.every((s) => scopes.includes(s))) {
      await db.updateTable('tokens').set({ scopes: JSON.stringify([...new Set([...scopes, ...NEW_SCOPES])]) }).where('id', '=', t.id).execute();
    }
  }
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('user_events').ifExists().execute();
  await db.schema.dropIndex('memberships_group').ifExists().execute();
  await db.schema.alterTable('groups').dropColumn('source').execute();
  await db.schema.alterTable('memberships').dropColumn('source').execute();
  await db.schema.dropIndex('users_app_created').ifExists().execute();
  await db.schema.alterTable('users').dropColumn('last_seen_at').execute();
  await db.schema.alterTable('users').dropColumn('status_source').execute();
  await db.schema.alterTable('users').dropColumn('sources').execute();
}
