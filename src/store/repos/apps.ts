import type { Kysely, Selectable } from 'kysely';
import type { AppsTable, Database } from '../schema.js';
import { newId } from '../../crypto/tokens.js';
import { nowIso } from '../database.js';

export type AppRow = Selectable<AppsTable>;

export async function insertApp(db: Kysely<Database>, name: string): Promise<AppRow> {
  const row: AppRow = { id: newId('app'), name, created_at: nowIso() };
  await db.insertInto('apps').values(row).execute();
  return row;
}

export async function listApps(db: Kysely<Database>, onlyId?: string | null): Promise<AppRow[]> {
  let q = db.selectFrom('apps').selectAll().orderBy('created_at').orderBy('id');
  if (onlyId) q = q.where('id', '=', onlyId);
  return q.execute();
}

export async function findApp(db: Kysely<Database>, id: string): Promise<AppRow | undefined> {
  return db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();
}
