// Group commit for the writes of concurrent resolves. A write that arrives while others are queued
// or in flight joins them: the queue is applied in one transaction (one fsync on SQLite, one commit
// on PostgreSQL), and each caller is answered with its own result only after the commit, so nothing
// a client was told can be lost on a crash.
//
// A batch has no savepoints (on PostgreSQL each would cost two more round trips per write): when a
// write fails, the batch rolls back and its writes run again one by one, each in its own
// transaction, so only the one at fault fails. Failures are rare (a lost deadlock, a constraint
// that a concurrent writer raced into), so the common case pays nothing for that safety.
//
// Batches form because a flush waits for the event loop's check phase (setImmediate): requests
// whose bodies arrived in the same poll phase verify their signatures, plan their writes and queue
// them first. better-sqlite3 is synchronous, so without that pause each write would run (and fsync)
// on its own before the next request was even read.
//
// It sits behind the repositories (users.ts asks for `batchedWrite`), so callers cannot tell a
// batched write from a single one. A store without batching enabled runs each write on its own.
import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';
import { isStoreFault } from './faults.js';

type Work<T> = (tx: Kysely<Database>) => Promise<T>;

const DEADLOCK_RETRIES = 5;

/** PostgreSQL's deadlock_detected and serialization_failure: the write may simply run again. */
function isDeadlock(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

/**
 * Writes of one kind that a batch applies together, a statement per table for all of them, rather
 * than each on its own: on PostgreSQL every statement is a round trip, and sending one costs more
 * of the server's time than anything else on the write path of resolution.
 */
export interface MergedWrites<P, T> {
  /** Known by this name to SQLite's writer thread (writer-thread-entry.ts), which applies it there. */
  readonly name?: string;
  /** The statements that apply `payloads`, compiled for `db`'s database. */
  plan(db: Kysely<Database>, payloads: P[]): PlannedWrites<T>;
}

/**
 * Statements none of which needs another's answer: they can be sent together (a batch's statements
 * go to PostgreSQL in one round trip, pg-one-round-trip.ts). `results` reads each payload's result
 * from the rows each statement returned, in order.
 */
export interface PlannedWrites<T> {
  queries: CompiledQuery[];
  results(rows: unknown[][]): T[];
}

/** Runs `planned`'s statements one after the other in `tx`; each payload's result. */
export async function runPlanned<T>(tx: Kysely<Database>, planned: PlannedWrites<T>): Promise<T[]> {
  const rows: unknown[][] = [];
  for (const query of planned.queries) rows.push((await tx.executeQuery(query)).rows);
  return planned.results(rows);
}

/** Applies batches elsewhere, all of a batch in one transaction: SQLite's writer thread. */
export interface RemoteWrites {
  /** The results of each group's payloads, in order, once committed. */
  apply(groups: Array<{ kind: string; payloads: unknown[] }>): Promise<unknown[][]>;
  /** Ready to apply a batch at once (the server calls this before it listens). */
  warmUp(): Promise<void>;
}

interface Queued {
  work: Work<unknown>;
  merge: { kind: MergedWrites<unknown, unknown>; payload: unknown } | undefined;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export interface WriteBatchOptions {
  /** Writes in one transaction at most. */
  maxBatch: number;
  /** Batches in flight at once: 1 on SQLite (one writer); a few on PostgreSQL. */
  concurrency: number;
  /** Where batches whose writes all have a named kind are applied, instead of on `db` (SQLite). */
  remote?: RemoteWrites | undefined;
  /**
   * Runs a batch's statements in one transaction, in one round trip, and answers the rows of each
   * (PostgreSQL: pg-one-round-trip.ts); used when every write of the batch is a merged one.
   */
  oneRoundTrip?: ((queries: CompiledQuery[]) => Promise<unknown[][]>) | undefined;
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

  /** Gets what applies batches ready before the first one (the writer thread). */
  async warmUp(): Promise<void> {
    await this.opts.remote?.warmUp();
  }

  /** `work` alone, or `merge.kind`'s statements together with the batch's other writes of that kind. */
  run<T>(work: Work<T>, merge?: { kind: MergedWrites<never, T>; payload: unknown }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, merge, resolve: resolve as (v: unknown) => void, reject });
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
    if (batch.length === 1) return this.alone(batch[0]!);
    let values: unknown[];
    try {
      values = await this.transact(batch);
    } catch (err) {
      // Nothing of the batch committed. A fault of the store itself (connection gone, disk full)
      // is every caller's: each gets it (503, safe to retry). Otherwise one write failed or lost a
      // deadlock with another batch: the others must not pay for it, so each runs again alone,
      // and only the one at fault fails.
      if (isStoreFault(err)) {
        for (const q of batch) q.reject(err);
        return;
      }
      for (const q of batch) await this.alone(q);
      return;
    }
    this.count(batch.length);
    batch.forEach((q, i) => q.resolve(values[i]));
  }

  /** One write in its own transaction; a deadlock runs it again (another batch held its locks). */
  private async alone(q: Queued): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        q.resolve((await this.transact([q]))[0]);
        this.count(1);
      } catch (err) {
        if (isDeadlock(err) && tries < DEADLOCK_RETRIES) continue;
        q.reject(err);
      }
      return;
    }
  }

  /** The writes of `batch` in one transaction, here or on the remote; their results in order. */
  private async transact(batch: Queued[]): Promise<unknown[]> {
    const out: unknown[] = new Array(batch.length);
    const kinds = new Map<MergedWrites<unknown, unknown>, number[]>();
    for (const [i, q] of batch.entries()) {
      if (!q.merge) continue;
      if (kinds.has(q.merge.kind)) kinds.get(q.merge.kind)!.push(i);
      else kinds.set(q.merge.kind, [i]);
    }
    const scatter = (kind: MergedWrites<unknown, unknown>, results: unknown[]): void => kinds.get(kind)!.forEach((i, j) => (out[i] = results[j]));
    const payloadsOf = (at: number[]): unknown[] => at.map((i) => batch[i]!.merge!.payload);
    const { remote, oneRoundTrip } = this.opts;
    if (remote && batch.every((q) => q.merge?.kind.name !== undefined)) {
      const results = await remote.apply([...kinds].map(([kind, at]) => ({ kind: kind.name!, payloads: payloadsOf(at) })));
      [...kinds.keys()].forEach((kind, g) => scatter(kind, results[g]!));
      return out;
    }
    if (oneRoundTrip && batch.every((q) => q.merge)) {
      const planned = [...kinds].map(([kind, at]) => ({ kind, plan: kind.plan(this.db, payloadsOf(at)) }));
      const rows = await oneRoundTrip(planned.flatMap((p) => p.plan.queries));
      let offset = 0;
      for (const { kind, plan } of planned) scatter(kind, plan.results(rows.slice(offset, (offset += plan.queries.length))));
      return out;
    }
    return this.db.transaction().execute(async (tx) => {
      for (const [i, q] of batch.entries()) if (!q.merge) out[i] = await q.work(tx);
      for (const [kind, at] of kinds) scatter(kind, await runPlanned(tx, kind.plan(tx, payloadsOf(at))));
      return out;
    });
  }

  private count(writes: number): void {
    this.stats.batches++;
    this.stats.writes += writes;
    this.stats.largest = Math.max(this.stats.largest, writes);
    this.onCommit?.(writes);
  }
}

const batchers = new WeakMap<Kysely<Database>, WriteBatcher>();

/** Makes `batchedWrite` on this database group concurrent writes (openStore does this). */
export function enableWriteBatching(db: Kysely<Database>, opts: WriteBatchOptions): WriteBatcher {
  const batcher = new WriteBatcher(db, opts);
  batchers.set(db, batcher);
  return batcher;
}

export function writeBatcherOf(db: Kysely<Database>): WriteBatcher | undefined {
  return batchers.get(db);
}

/**
 * One write of `kind`: in a batch, applied together with the others of its kind; alone, in a
 * transaction of its own. Either way through `kind.plan`, so there is one way it is written.
 */
export function batchedWrite<P, T>(db: Kysely<Database>, kind: MergedWrites<P, T>, payload: P): Promise<T> {
  const work: Work<T> = async (tx) => (await runPlanned(tx, kind.plan(tx, [payload])))[0]!;
  const batcher = batchers.get(db);
  return batcher ? batcher.run(work, { kind, payload }) : db.transaction().execute(work);
}
