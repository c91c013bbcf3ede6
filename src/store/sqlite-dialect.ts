// Kysely's SQLite dialect, made patient without freezing the process. better-sqlite3 is synchronous:
// its busy timeout waits with the whole event loop stopped, so a long one (while another process
// holds the file's write lock) would stall every request, health checks included. Here the busy
// timeout is short and the wait for the lock happens between attempts, asynchronously, up to a
// bound; then the caller gets SQLITE_BUSY, which the server answers 503.
//
// Transactions begin IMMEDIATE: the write lock is taken at BEGIN, before anything is read, so the
// wait happens at the one point where retrying is always safe, and a transaction can never fail half
// way because another process wrote in between (SQLITE_BUSY_SNAPSHOT).
//
// Prepared statements are kept by their SQL text: Kysely's own driver prepares every query anew,
// which the profile of resolution's write path showed as an eighth of the server's busy time.
import { setTimeout as sleep } from 'node:timers/promises';
import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';

/** How long one attempt may block the event loop waiting for another process's lock. */
export const SQLITE_BUSY_TIMEOUT_MS = 20;
/** How long a statement or BEGIN keeps trying, between attempts, before giving up with SQLITE_BUSY. */
export const SQLITE_LOCK_WAIT_MS = 3000;

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** Prepared statements kept at most; the SQL a server runs has far fewer shapes than this. */
const STATEMENT_CACHE_SIZE = 500;

class PatientConnection implements DatabaseConnection {
  /**
   * Since when writes have found the lock taken, without one getting through. Statements queue
   * behind each other on the one connection, so each waiting its own full bound would add up; once
   * the lock has been held longer than the bound, later writes give up after one attempt.
   */
  private busySince: number | null = null;
  /** Least recently used first (a Map keeps insertion order; a hit moves to the end). */
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly inner: DatabaseConnection,
    private readonly sqlite: BetterSqlite3.Database,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    for (let pause = 10; ; pause = Math.min(pause * 2, 250)) {
      try {
        const result = this.run<R>(query);
        if (!/^\s*select\b/i.test(query.sql)) this.busySince = null;
        return result;
      } catch (err) {
        // Inside a transaction the lock is already ours (BEGIN IMMEDIATE); outside, a statement
        // that failed with BUSY did nothing and can run again.
        if (!isBusy(err) || this.sqlite.inTransaction) throw err;
        this.busySince ??= Date.now();
        if (Date.now() + pause > this.busySince + SQLITE_LOCK_WAIT_MS) throw err;
        await sleep(pause);
      }
    }
  }

  /** What Kysely's SqliteConnection does, with the statement prepared once per SQL text. */
  private run<R>(query: CompiledQuery): QueryResult<R> {
    const stmt = this.prepared(query.sql);
    const params = query.parameters as unknown[];
    if (stmt.reader) return { rows: stmt.all(params) as R[] };
    const { changes, lastInsertRowid } = stmt.run(params);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  private prepared(sql: string): BetterSqlite3.Statement {
    let stmt = this.statements.get(sql);
    if (stmt) {
      this.statements.delete(sql);
    } else {
      stmt = this.sqlite.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, stmt);
    return stmt;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class PatientSqliteDriver implements Driver {
  private connection: PatientConnection | undefined;

  constructor(
    private readonly inner: Driver,
    private readonly sqlite: BetterSqlite3.Database,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // SQLite has one connection; the inner driver's mutex hands it out one holder at a time.
    const inner = await this.inner.acquireConnection();
    this.connection ??= new PatientConnection(inner, this.sqlite);
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, I/O errors); a second
    // ROLLBACK would fail and hide the error that matters.
    if (this.sqlite.inTransaction) await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

export class PatientSqliteDialect extends SqliteDialect {
  private readonly sqlite: BetterSqlite3.Database;

  constructor(sqlite: BetterSqlite3.Database) {
    super({ database: sqlite });
    this.sqlite = sqlite;
    sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  }

  override createDriver(): Driver {
    return new PatientSqliteDriver(super.createDriver(), this.sqlite);
  }
}
