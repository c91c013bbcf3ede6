// Connections to the SQLite file, set up the same way wherever they are opened: the server's own
// (database.ts: one for writes, one for reads), the writer thread's and the checkpointer's.
import { chmodSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { PatientSqliteDialect } from './sqlite-dialect.js';

export function openSqliteFile(file: string): BetterSqlite3.Database {
  const sqlite = new BetterSqlite3(file);
  // Hashes and sealed secrets only, but still nobody else's business (before the WAL files exist:
  // SQLite gives them the database file's permissions).
  chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a committed transaction survives power loss and SIGKILL alike.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  return sqlite;
}

/** Kysely over a connection opened by openSqliteFile, and a second one for its reads if given (sqlite-dialect.ts). */
export function sqliteKysely(sqlite: BetterSqlite3.Database, reader?: BetterSqlite3.Database): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PatientSqliteDialect(sqlite, reader) });
}

/** The server's: SELECTs outside transactions on a connection of their own, never queued behind writes. */
export function openSqliteConnection(file: string): Kysely<Database> {
  return sqliteKysely(openSqliteFile(file), openSqliteFile(file));
}
