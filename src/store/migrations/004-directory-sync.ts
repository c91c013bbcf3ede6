// Directory sync: per provider, the sealed management-API credentials, the schedule, the deletion
// threshold and a lease (which server process runs the provider's sync, until when); and the
// history of runs with what each changed.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('directory_syncs')
    .addColumn('provider_id', 'text', (c) => c.primaryKey().references('identity_providers.id').onDelete('cascade'))
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('credentials', 'text', (c) => c.notNull())
    .addColumn('verification', 'text', (c) => c.notNull())
    .addColumn('interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('deletion_threshold', 'text', (c) => c.notNull())
    .addColumn('next_run_at', 'text', (c) => c.notNull())
    .addColumn('lease_holder', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('directory_syncs_next_run').on('directory_syncs').column('next_run_at').execute();

  await db.schema
    .createTable('sync_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('progress', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('sync_runs_provider_started').on('sync_runs').columns(['provider_id', 'started_at']).execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('sync_runs').ifExists().execute();
  await db.schema.dropTable('directory_syncs').ifExists().execute();
}
