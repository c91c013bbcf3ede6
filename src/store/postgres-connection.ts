// A pool of connections to PostgreSQL, set up the same way for each of the server's pools
// (database.ts: requests, group commit's batches, the store's own health checks).
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

/** Bounds on PostgreSQL connections: a database that does not answer costs a request seconds, not forever. */
export const PG_CONNECT_TIMEOUT_MS = 5_000;
export const PG_QUERY_TIMEOUT_MS = 30_000;

// int8 (COUNT(*), bigint) comes back as a string by default; our counters fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

export function newPgPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    query_timeout: PG_QUERY_TIMEOUT_MS,
    keepAlive: true,
  });
  // A connection that drops (database restart, failover, idle timeout of a proxy) emits 'error':
  // on the pool when idle, on the client alone when checked out. pg raises an unheard 'error' as
  // an uncaught exception that ends the process, so both get a listener. Nothing else is needed
  // here: pg-pool discards the broken client, the query that was running fails (and its request
  // answers 503), and an outage is logged once by the invalidation poller.
  const ignore = (): void => {};
  pool.on('error', ignore);
  pool.on('connect', (client) => client.on('error', ignore));
  return pool;
}

/** Kysely over a pool opened by newPgPool. */
export function pgKysely(pool: pg.Pool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export function openPostgresPool(url: string, max: number): Kysely<Database> {
  return pgKysely(newPgPool(url, max));
}
