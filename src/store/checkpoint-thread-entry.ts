// The checkpointer's side (checkpoint-thread.ts starts it): copies the WAL's committed pages into
// the database file, on a connection and a thread of its own, every CHECKPOINT_INTERVAL_MS, until
// the writer thread terminates it.
// PASSIVE: it never waits for nor blocks the writer or the readers; pages a reader still needs
// are left for the next round.
import { workerData } from 'node:worker_threads';
import { openSqliteFile } from './sqlite-connection.js';
import { CHECKPOINT_INTERVAL_MS } from './checkpoint-thread.js';

const sqlite = openSqliteFile((workerData as { file: string }).file);
// Another process's checkpoint in progress answers SQLITE_BUSY: this round is simply skipped.
sqlite.pragma('busy_timeout = 0');
setInterval(() => {
  try {
    sqlite.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy, or the disk refused (full, read-only): the next round tries again, and the writer's
    // commits say the same to their callers.
  }
}, CHECKPOINT_INTERVAL_MS);
