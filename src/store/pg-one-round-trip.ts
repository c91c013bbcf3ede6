// A batch's statements sent to PostgreSQL in one message, BEGIN to COMMIT: one round trip for the
// whole transaction instead of one per statement. The statements of a batch need none of each
// other's answers (write-batch.ts, PlannedWrites), so nothing waits between them.
//
// Only PostgreSQL's simple query protocol carries several statements in one message, and it has no
// bound parameters: each value is written into the SQL as a literal, quoted by pg's escapeLiteral
// (the quoting of libpq's PQescapeLiteral). The values are those Kysely would have bound: strings,
// numbers, null.
import pg from 'pg';
import type { CompiledQuery } from 'kysely';

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  throw new Error(`a ${typeof value} cannot be sent as a literal`);
}

/** `query` with its parameters written in ($1, $2, … are the only $ in Kysely's SQL for PostgreSQL). */
export function withLiterals(query: CompiledQuery): string {
  return query.sql.replace(/\$(\d+)/g, (_, n: string) => literal(query.parameters[Number(n) - 1]));
}

/** Runs `queries` in one transaction, in one round trip; the rows each returned. */
export async function transactionInOneRoundTrip(pool: pg.Pool, queries: CompiledQuery[]): Promise<unknown[][]> {
  const client = await pool.connect();
  let broken = false;
  try {
    const results = (await client.query(['begin', ...queries.map(withLiterals), 'commit'].join(';\n'))) as unknown as pg.QueryResult[];
    return results.slice(1, -1).map((r) => r.rows as unknown[]);
  } catch (err) {
    // The statements after the one that failed did not run, and the transaction is still open
    // (aborted) on this connection: end it, or let the pool drop a connection that cannot.
    await client.query('rollback').catch(() => (broken = true));
    throw err;
  } finally {
    client.release(broken);
  }
}
