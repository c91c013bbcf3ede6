// Group commit for the writes of concurrent resolves. A write that arrives while others are queued
// or in flight joins them: the queue is applied in one transaction (one fsync on SQLite, one commit
// on PostgreSQL), each write inside its own savepoint, and each caller is answered with its own
// result only after the commit — so nothing a client was told can be lost on a crash, and a write
// that fails rolls back alone while the others commit.
//
// Batches form because a flush waits for the event loop's check phase (setImmediate): requests
// whose bodies arrived in the same poll phase verify their signatures, plan their writes and queue
// them first. better-sqlite3 is synchronous, so without that pause each write would run (and fsync)
// on its own before the next request was even read.
//
// It sits behind the repositories (users.ts asks for `batchedTransaction`), so callers cannot tell a
// batched write from a single one. A store without batching enabled runs each write on its own.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import { isStoreFault } from './faults.js';

type Work<T> = (tx: Kysely<Database>) => Promise<T>;

interface Queued {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export interface WriteBatchOptions {
  /** Writes in one transaction at most. */
  maxBatch: number;
  /** Batches in flight at once: 1 on SQLite (one connection); a few on PostgreSQL. */
  concurrency: number;
}

export class WriteBatcher {
  private readonly queue: Queued[] = [];
  private inFlight = 0;
  private scheduled = false;
  /** Writes per committed batch, for the benchmark and tests. */
  readonly stats = { batches: 0, writes: 0, largest: 0 };

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: WriteBatchOptions,
  ) {}

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.opts.concurrency || !this.queue.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.opts.maxBatch);
    if (!batch.length) return;
    this.inFlight++;
    this.schedule();
    try {
      await this.apply(batch);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }

  private async apply(batch: Queued[]): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch as [Queued];
      await this.db.transaction().execute(only.work).then(only.resolve, only.reject);
      this.count(1);
      return;
    }
    let outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }>;
    try {
      outcomes = await this.db.transaction().execute(async (tx) => {
        const results: typeof outcomes = [];
        for (const [i, q] of batch.entries()) {
          const name = sql.raw(`w${i}`);
          await sql`savepoint ${name}`.execute(tx);
          try {
            const value = await q.work(tx);
            await sql`release savepoint ${name}`.execute(tx);
            results.push({ ok: true, value });
          } catch (err) {
            // A fault of the store itself (connection gone, disk full) dooms the whole batch.
            if (isStoreFault(err)) throw err;
            await sql`rollback to savepoint ${name}`.execute(tx);
            await sql`release savepoint ${name}`.execute(tx);
            results.push({ ok: false, err });
          }
        }
        return results;
      });
    } catch (err) {
      // Nothing of the batch committed: each caller gets the store's fault (503, safe to retry).
      for (const q of batch) q.reject(err);
      return;
    }
    this.count(batch.length);
    batch.forEach((q, i) => {
      const o = outcomes[i]!;
      if (o.ok) q.resolve(o.value);
      else q.reject(o.err);
    });
  }

  private count(writes: number): void {
    this.stats.batches++;
    this.stats.writes += writes;
    this.stats.largest = Math.max(this.stats.largest, writes);
  }
}

const batchers = new WeakMap<Kysely<Database>, WriteBatcher>();

/** Makes `batchedTransaction` on this database group concurrent writes (openStore does this). */
export function enableWriteBatching(db: Kysely<Database>, opts: WriteBatchOptions): WriteBatcher {
  const batcher = new WriteBatcher(db, opts);
  batchers.set(db, batcher);
  return batcher;
}

export function writeBatcherOf(db: Kysely<Database>): WriteBatcher | undefined {
  return batchers.get(db);
}

/** Runs `work` in a transaction, shared with concurrent writes when the store batches them. */
export function batchedTransaction<T>(db: Kysely<Database>, work: Work<T>): Promise<T> {
  const batcher = batchers.get(db);
  return batcher ? batcher.run(work) : db.transaction().execute(work);
}
