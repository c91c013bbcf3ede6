// SQLite's group-commit batches are applied by a thread of their own, on a connection of its own
// to the same file. On the main thread (better-sqlite3 is synchronous), a batch's statements and
// above all its commit (the WAL write and its fsync, 1.5–3 ms here) stopped the event loop, which
// then verified no signatures and read no requests. On the thread, the main thread goes on while
// the disk works. Each caller is still answered only after the commit is durable
// (synchronous=FULL).
//
// The thread's connection is one more writer to the same database, exactly as another server
// process's is: SQLite's BEGIN IMMEDIATE and patient busy handling (sqlite-dialect.ts) order
// them. The thread only writes; the reads that plan the writes stay on the server's own
// connections (its reader, sqlite-dialect.ts), which see each commit as soon as it is made.
//
// PostgreSQL's batches stay on the main thread (database.ts): each is one round trip, and waiting
// for it costs the event loop nothing.
import type { Worker } from 'node:worker_threads';
import type { RemoteWrites } from './write-batch.js';
import { storeUnavailable } from './faults.js';
import { startStoreThread } from './store-thread.js';

export type WriterRequest = { id: number; groups: Array<{ kind: string; payloads: unknown[] }> } | { close: true };
export type WriterReply = { id: number; results: unknown[][] } | { id: number; error: { name: string; message: string; code: string | undefined } } | { ready: true };

interface Pending {
  resolve: (results: unknown[][]) => void;
  reject: (err: Error) => void;
}

export class WriterThread implements RemoteWrites {
  private worker: Worker | undefined;
  /** Settles once the thread has loaded its modules and opened its connections. */
  private ready: Promise<void> = Promise.resolve();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** `file`: the SQLite database the thread writes to. */
  constructor(private readonly file: string) {}

  apply(groups: Array<{ kind: string; payloads: unknown[] }>): Promise<unknown[][]> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, groups } satisfies WriterRequest);
    });
  }

  /**
   * Starts the thread and waits until it is ready. The server does this before it listens: started
   * with the first batch instead, loading the thread's modules under load held that batch up for
   * 100–350 ms (measured), the worst latency of a whole benchmark run.
   */
  warmUp(): Promise<void> {
    this.start();
    return this.ready;
  }

  /** Started by warmUp or the first batch: a store that never writes a batch (the CLI) never pays for it. */
  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startStoreThread('writer-thread-entry', this.file);
    let ready = (): void => {};
    this.ready = new Promise((resolve) => (ready = resolve));
    worker.on('message', (reply: WriterReply) => {
      if ('ready' in reply) return ready();
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('results' in reply) pending?.resolve(reply.results);
      else pending?.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name, code: reply.error.code }));
    });
    // A thread that dies (it should not) fails what it held as a fault of the store (503, safe to
    // retry: none of it was answered as committed); the next batch starts a new one.
    const fail = (err: Error): void => {
      ready();
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(Object.assign(storeUnavailable(), { cause: err }));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the writer thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage({ close: true } satisfies WriterRequest);
    await exited;
  }
}
