// Which database a Kysely instance talks to, for the few statements written differently for each
// (arrays and LATERAL on PostgreSQL; SQLite has neither).
import { PostgresAdapter, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
