// SCIM 2.0 provisioning: per provider, the bearer token (hashed), how SCIM users meet token subjects
// (the match attribute) and SCIM groups meet group claims (the naming attribute), and request
// figures; the SCIM view of users and groups (userName and the full SCIM attributes, displayName and
// externalId), linked to the directory's own rows.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('scim_configs')
    .addColumn('provider_id', 'text', (c) => c.primaryKey().references('identity_providers.id').onDelete('cascade'))
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('match_attribute', 'text', (c) => c.notNull())
    .addColumn('group_name_attribute', 'text', (c) => c.notNull())
    .addColumn('token_set_at', 'text', (c) => c.notNull())
    .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_request_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('scim_users')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
    .addColumn('user_name', 'text', (c) => c.notNull())
    // userName is unique without regard to case (RFC 7643 §4.1.1: caseExact false).
    .addColumn('user_name_key', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('scim_users_user_name', ['provider_id', 'user_name_key'])
    .execute();

  await db.schema
    .createTable('scim_groups')
    .addColumn('group_id', 'text', (c) => c.primaryKey().references('groups.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('scim_groups_display_name', ['provider_id', 'display_name'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('scim_groups').ifExists().execute();
  await db.schema.dropTable('scim_users').ifExists().execute();
  await db.schema.dropTable('scim_configs').ifExists().execute();
}
