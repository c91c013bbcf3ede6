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
//
// With a reader (the server's store), a SELECT outside a transaction runs on that second connection
// at once, without waiting its turn for the first: writes queue on the one write connection, and
// while another process holds the file's write lock they wait there for seconds (above). Reads
// need no lock in WAL mode, so the console's lists and resolution's user reads go on answering. A
// read on the reader sees every commit made before it, the writer thread's included; what a
// connection says about itself (last_insert_rowid(), changes()) it would say of the reader, and
// nothing here asks.
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

class PatientConnection {
  /**
   * Since when writes have found the lock taken, without one getting through. Statements queue
   * behind each other on the one connection, so each waiting its own full bound would add up; once
   * the lock has been held longer than the bound, later writes give up after one attempt.
   */
  private busySince: number | null = null;
  /** Least recently used first (a Map keeps insertion order; a hit moves to the end). */
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly sqlite: BetterSqlite3.Database) {}

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
}

/**
 * What Kysely is handed for one query or one transaction: plain SELECTs go to the reader, if any,
 * without taking the write connection; anything else takes the write connection (waiting for its
 * turn) and keeps it until released, so a transaction's reads see its own writes.
 */
class SplitConnection implements DatabaseConnection {
  private held: { connection: PatientConnection; release: () => Promise<void> } | undefined;

  constructor(private readonly driver: PatientSqliteDriver) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { reader } = this.driver;
    if (!this.held && reader && /^\s*select\b/i.test(query.sql)) return reader.executeQuery<R>(query);
    return (await this.writer()).executeQuery<R>(query);
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('nothing in alter streams query results from SQLite');
  }

  /** The write connection, taken once for this holder. */
  async writer(): Promise<PatientConnection> {
    this.held ??= await this.driver.takeWriter();
    return this.held.connection;
  }

  release(): Promise<void> {
    return this.held ? this.held.release() : Promise.resolve();
  }
}

class PatientSqliteDriver implements Driver {
  private readonly writer: PatientConnection;
  readonly reader: PatientConnection | undefined;

  constructor(
    private readonly inner: Driver,
    private readonly sqlite: BetterSqlite3.Database,
    private readonly readerSqlite: BetterSqlite3.Database | undefined,
  ) {
    this.writer = new PatientConnection(sqlite);
    this.reader = readerSqlite && new PatientConnection(readerSqlite);
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new SplitConnection(this));
  }

  /** The one write connection, to one holder at a time (the inner driver's mutex); `release` hands it on. */
  async takeWriter(): Promise<{ connection: PatientConnection; release: () => Promise<void> }> {
    const held = await this.inner.acquireConnection();
    return { connection: this.writer, release: () => this.inner.releaseConnection(held) };
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await (await (connection as SplitConnection).writer()).executeQuery(CompiledQuery.raw('begin immediate'));
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
    return (connection as SplitConnection).release();
  }

  async destroy(): Promise<void> {
    this.readerSqlite?.close();
    await this.inner.destroy();
  }
}

export class PatientSqliteDialect extends SqliteDialect {
  private readonly sqlite: BetterSqlite3.Database;
  private readonly reader: BetterSqlite3.Database | undefined;

  /** `reader`: a second connection to the same file for SELECTs outside transactions (above). */
  constructor(sqlite: BetterSqlite3.Database, reader?: BetterSqlite3.Database) {
    super({ database: sqlite });
    this.sqlite = sqlite;
    this.reader = reader;
    for (const connection of [sqlite, reader]) connection?.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    reader?.pragma('query_only = 1');
  }

  override createDriver(): Driver {
    return new PatientSqliteDriver(super.createDriver(), this.sqlite, this.reader);
  }
}
