// PostgreSQL parses and plans every statement it is sent, unless the statement was prepared on
// that connection. For the fixed-shape queries of resolution (compiled-once.ts) planning cost the
// database more than running them (measured on a warm connection: the user's read took 0.55 ms
// sent as text, 0.30 ms prepared), and on a small machine the database's CPU is what the write
// path runs out of first. So those statements go by name: pg prepares each on a connection the
// first time and binds it after that. Every other statement is sent as before.
//
// A connection pooler in transaction mode must keep prepared statements per server connection
// (PgBouncer 1.21+ with max_prepared_statements set); the README says so.
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { preparedStatementName } from './compiled-once.js';

/** PostgreSQL's feature_not_supported, which it raises for "cached plan must not change result type". */
const PLAN_RESULT_CHANGED = '0A000';

function preparing(client: pg.PoolClient): PostgresPoolClient {
  // A migration run by a newer server (a column added to users) changes what a prepared
  // `users.*` returns: PostgreSQL then refuses that statement on this connection for good. The
  // query runs again as text (it ran outside any transaction: compiledOnce's queries are reads),
  // and the connection is closed when released, so the pool opens one without the old statement.
  let stale = false;
  function query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  function query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as unknown as pg.Submittable) as unknown as PostgresCursor<R>;
    const name = stale ? undefined : preparedStatementName(sqlOrCursor);
    const values = parameters ? [...parameters] : [];
    if (!name) return client.query(sqlOrCursor, values) as unknown as Promise<PostgresQueryResult<R>>;
    return client.query({ name, text: sqlOrCursor, values }).catch((err: unknown) => {
      if ((err as { code?: unknown }).code !== PLAN_RESULT_CHANGED) throw err;
      stale = true;
      return client.query(sqlOrCursor, values);
    }) as unknown as Promise<PostgresQueryResult<R>>;
  }
  return { query, release: (destroy?: boolean) => client.release(destroy || stale) };
}

/** `pool` for Kysely, with compiledOnce's statements prepared on each connection. */
export function withPreparedStatements(pool: pg.Pool): PostgresPool {
  // One wrapper per connection: Kysely keeps its own state per client object.
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    connect: async () => {
      const client = await pool.connect();
      let wrapped = clients.get(client);
      if (!wrapped) clients.set(client, (wrapped = preparing(client)));
      return wrapped;
    },
    end: () => pool.end(),
  };
}
