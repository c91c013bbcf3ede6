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
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';
import { isStoreFault } from './faults.js';

type Work<T> = (tx: Kysely<Database>) => Promise<T>;

const DEADLOCK_RETRIES = 5;

/** PostgreSQL's deadlock_detected and serialization_failure: the write may simply run again. */
function isDeadlock(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

interface Queued {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  /** Times this write lost a deadlock and was put back in the queue. */
  deadlocks: number;
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown } | { deadlock: unknown };

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
  /** Told the size of every committed batch (the server's metrics). */
  onCommit: ((writes: number) => void) | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: WriteBatchOptions,
  ) {}

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject, deadlocks: 0 });
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
      // Alone: no savepoint needed; a deadlock (see attempt) runs the whole transaction again.
      const [only] = batch as [Queued];
      for (let tries = 1; ; tries++) {
        try {
          only.resolve(await this.db.transaction().execute(only.work));
          this.count(1);
        } catch (err) {
          if (isDeadlock(err) && tries < DEADLOCK_RETRIES) continue;
          only.reject(err);
        }
        return;
      }
    }
    let outcomes: Outcome[];
    try {
      outcomes = await this.db.transaction().execute(async (tx) => {
        const results: typeof outcomes = [];
        for (const [i, q] of batch.entries()) {
          results.push(await this.attempt(tx, q.work, sql.raw(`w${i}`)));
        }
        return results;
      });
    } catch (err) {
      // Nothing of the batch committed: each caller gets the store's fault (503, safe to retry).
      for (const q of batch) q.reject(err);
      return;
    }
    this.count(batch.length);
    const again: Queued[] = [];
    batch.forEach((q, i) => {
      const o = outcomes[i]!;
      if ('deadlock' in o) {
        if (++q.deadlocks >= DEADLOCK_RETRIES) q.reject(o.deadlock);
        else again.push(q);
      } else if (o.ok) q.resolve(o.value);
      else q.reject(o.err);
    });
    // Now that this batch's locks are gone, the writes that lost a deadlock go first.
    this.queue.unshift(...again);
  }

  /**
   * One write in its own savepoint. A write that fails rolls back alone. One that deadlocks with
   * another batch (another process, or another of this process's connections on PostgreSQL) rolls
   * back alone too and goes into a later batch: running it again here would meet the same locks,
   * which the earlier writes of this batch still hold.
   */
  private async attempt(tx: Kysely<Database>, work: Work<unknown>, name: RawBuilder<unknown>): Promise<Outcome> {
    await sql`savepoint ${name}`.execute(tx);
    try {
      const value = await work(tx);
      await sql`release savepoint ${name}`.execute(tx);
      return { ok: true, value };
    } catch (err) {
      // A fault of the store itself (connection gone, disk full) dooms the whole batch.
      if (isStoreFault(err)) throw err;
      await sql`rollback to savepoint ${name}`.execute(tx);
      await sql`release savepoint ${name}`.execute(tx);
      return isDeadlock(err) ? { deadlock: err } : { ok: false, err };
    }
  }

  private count(writes: number): void {
    this.stats.batches++;
    this.stats.writes += writes;
    this.stats.largest = Math.max(this.stats.largest, writes);
    this.onCommit?.(writes);
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
