// Other identifiers of a group than the one its claim carries. Clerk names an organisation by id
// and slug in membership events, but by id alone when it is deleted: remembering id → slug from the
// former lets the latter find groups whose claim holds slugs.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('group_aliases')
    .addColumn('provider_id', 'text', (c) => c.notNull().references('identity_providers.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_aliases_pk', ['provider_id', 'kind', 'alias'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('group_aliases').ifExists().execute();
}
