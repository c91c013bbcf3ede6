// Opens the store: SQLite (better-sqlite3, WAL) at DIR/alter.db by default, PostgreSQL when
// DATABASE_URL says so. Both run the same migrations and the same Kysely queries.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import { enableWriteBatching } from './write-batch.js';
import * as m001 from './migrations/001-initial.js';
import * as m002 from './migrations/002-group-aliases.js';
import * as m003 from './migrations/003-directory.js';
import * as m004 from './migrations/004-directory-sync.js';
import * as m005 from './migrations/005-scim.js';
import * as m006 from './migrations/006-console.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /**
   * A connection of its own for the few queries that say whether the store is there (cross-process
   * invalidation, readiness), so that they never queue behind a burst of requests in the main pool.
   * On SQLite, the same single connection.
   */
  control: Kysely<Database>;
  /** Where the data lives, for log lines (never includes a password). */
  location: string;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
}

export const PG_POOL_SIZE = 10;
/** Group commit of resolves' writes (write-batch.ts): at most this many writes per transaction. */
export const WRITE_BATCH_MAX = 64;
export const PG_WRITE_BATCHES = 2;

const MIGRATIONS: Record<string, Migration> = { '001-initial': m001, '002-group-aliases': m002, '003-directory': m003, '004-directory-sync': m004, '005-scim': m005, '006-console': m006 };

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

async function openPostgres(url: string): Promise<Store> {
  const [{ newPgPool, openPostgresPool }, { transactionInOneRoundTrip }] = await Promise.all([import('./postgres-connection.js'), import('./pg-one-round-trip.js')]);
  const db = openPostgresPool(url, PG_POOL_SIZE);
  // Batches run on connections of their own, so that they never wait for one behind a burst of
  // reads. Two at once: a batch is a handful of statements whatever its size, so more in flight
  // only made each smaller (measured: 4 gave 7 writes per commit and a worse p99 than 2); and a
  // second one keeps writes moving while one waits on a lock. Batches that deadlock each other run
  // their writes again alone (write-batch.ts). They are sent from this thread: each is one round
  // trip (pg-one-round-trip.ts), and handing it to a thread of its own, as SQLite does, cost more
  // than it saved (six interleaved A/B pairs: 0.33–0.38 of the floor through a thread, 0.37–0.43
  // from here).
  const writes = newPgPool(url, PG_WRITE_BATCHES);
  enableWriteBatching(db, { maxBatch: WRITE_BATCH_MAX, concurrency: PG_WRITE_BATCHES, oneRoundTrip: (queries) => transactionInOneRoundTrip(writes, queries) });
  const control = openPostgresPool(url, 1);
  return {
    db,
    control,
    dialect: 'postgres',
    location: redactUrl(url),
    close: async () => {
      await Promise.all([db.destroy(), control.destroy(), writes.end()]);
    },
  };
}

async function openSqlite(dataDir: string): Promise<Store> {
  // Imported here: a server on PostgreSQL never loads SQLite's native module, nor one on SQLite pg.
  const [{ openSqliteConnection }, { WriterThread }] = await Promise.all([import('./sqlite-connection.js'), import('./writer-thread.js')]);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'alter.db');
  const db = openSqliteConnection(file);
  const writer = new WriterThread(file);
  enableWriteBatching(db, { maxBatch: WRITE_BATCH_MAX, concurrency: 1, remote: writer });
  return {
    db,
    control: db,
    dialect: 'sqlite',
    location: file,
    close: async () => {
      await writer.close();
      await db.destroy();
    },
  };
}

export function openStore(opts: OpenStoreOptions): Promise<Store> {
  if (isPostgresUrl(opts.databaseUrl)) return openPostgres(opts.databaseUrl);
  return openSqlite(opts.dataDir);
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
