// Opens the store: SQLite (better-sqlite3, WAL) at DIR/alter.db by default, PostgreSQL when
// DATABASE_URL says so. Both run the same migrations and the same Kysely queries.
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import * as m001 from './migrations/001-initial.js';
import * as m002 from './migrations/002-group-aliases.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data lives, for log lines (never includes a password). */
  location: string;
  close(): Promise<void>;
}

const MIGRATIONS: Record<string, Migration> = { '001-initial': m001, '002-group-aliases': m002 };

const staticMigrations: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

export async function openStore(opts: { dataDir: string; databaseUrl?: string | undefined }): Promise<Store> {
  if (isPostgresUrl(opts.databaseUrl)) {
    const { default: pg } = await import('pg');
    // int8 (COUNT(*), bigint) comes back as a string by default; our counters fit in a double.
    pg.types.setTypeParser(20, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', location: redactUrl(opts.databaseUrl), close: () => db.destroy() };
  }
  const { default: SQLite } = await import('better-sqlite3');
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const file = join(opts.dataDir, 'alter.db');
  const sqlite = new SQLite(file);
  // Hashes and sealed secrets only, but still nobody else's business.
  chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a committed transaction survives power loss and SIGKILL alike.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', location: file, close: () => db.destroy() };
}

export async function migrate(store: Store): Promise<void> {
  const migrator = new Migrator({ db: store.db, provider: staticMigrations });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  }
}

/** True when `err` is a unique-constraint violation on either database. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown };
  return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function nowIso(): string {
  return new Date().toISOString();
}
