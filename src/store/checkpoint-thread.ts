// Checkpoints off the writer's path. SQLite checkpoints the WAL by default inside the commit that
// takes it past 1,000 pages: copying those pages into the database file and syncing it made one
// commit in thirty take 10–27 ms instead of 2–5 (measured in the writer thread under the write
// benchmark), and every caller of that batch, and of the batch queued behind it, waited for it.
// The writer thread turns that off for its connection and starts this thread, which checkpoints
// beside it: the writer goes on appending to the WAL while pages are copied. Should the thread die,
// the writer's commits checkpoint again, so the WAL cannot grow without bound.
import type BetterSqlite3 from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { startStoreThread } from './store-thread.js';

/** Long enough that an idle server does next to nothing, short enough that the WAL stays small. */
export const CHECKPOINT_INTERVAL_MS = 200;
/** SQLite's own default, for the writer's connection when the checkpointer is gone. */
const AUTOCHECKPOINT_PAGES = 1000;

export class Checkpointer {
  private readonly worker: Worker;
  private closing = false;

  /** `writer` is the connection whose commits no longer checkpoint while this thread runs. */
  constructor(file: string, writer: BetterSqlite3.Database) {
    writer.pragma('wal_autocheckpoint = 0');
    this.worker = startStoreThread('checkpoint-thread-entry', { file });
    const fallBack = (): void => {
      if (!this.closing && writer.open) writer.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    };
    this.worker.once('error', fallBack);
    this.worker.once('exit', fallBack);
  }

  /**
   * Stops the thread where it is: a checkpoint cut short leaves the database as it was (the WAL
   * still holds those pages). Terminated rather than asked, so that a thread still loading (one
   * takes most of a second under tsx) cannot miss the request and live on.
   */
  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
