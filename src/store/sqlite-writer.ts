// Group commit's batches on SQLite are applied by a thread of their own, on a second connection
// to the same file. better-sqlite3 is synchronous: on the server's connection, a batch's
// statements and above all its commit (the WAL write and its fsync, 1.5–3 ms here) stopped the
// event loop, which was then verifying no signatures and reading no requests. On the thread, the
// main thread goes on while the disk works; the batch's callers are still answered only after the
// commit is durable (synchronous=FULL on both connections).
//
// Two connections in one process are two writers to SQLite, exactly as two server processes are:
// BEGIN IMMEDIATE and the patient busy handling of sqlite-dialect.ts order them. The thread only
// writes; the reads that plan the writes stay on the main connection, which sees each commit as
// soon as it is made (WAL).
import { Worker } from 'node:worker_threads';
import type { RemoteWrites } from './write-batch.js';
import { storeUnavailable } from './faults.js';

export type WriterRequest = { id: number; groups: Array<{ kind: string; payloads: unknown[] }> } | { close: true };
export type WriterReply = { id: number; results: unknown[][] } | { id: number; error: { name: string; message: string; code: string | undefined } };

interface Pending {
  resolve: (results: unknown[][]) => void;
  reject: (err: Error) => void;
}

const ENTRY = new URL('./sqlite-writer-thread.js', import.meta.url);

/**
 * The thread. Under tsx (the tests run the TypeScript sources) this module is TypeScript and so is
 * the thread's entry, which a worker can only load through tsx's own import: Node 20 does not
 * hand the parent's --import hooks to worker threads.
 */
function spawn(workerData: { file: string }): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(ENTRY, { workerData });
  const entry = new URL('./sqlite-writer-thread.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`, { eval: true, workerData });
}

export class SqliteWriterThread implements RemoteWrites {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly file: string) {}

  apply(groups: Array<{ kind: string; payloads: unknown[] }>): Promise<unknown[][]> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, groups } satisfies WriterRequest);
    });
  }

  /** Started with the first batch: a store that never writes a batch (the CLI) never pays for it. */
  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = spawn({ file: this.file });
    worker.on('message', (reply: WriterReply) => {
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('results' in reply) pending?.resolve(reply.results);
      else pending?.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name, code: reply.error.code }));
    });
    // A thread that dies (it should not) fails what it held as a fault of the store (503, safe to
    // retry: none of it was answered as committed); the next batch starts a new one.
    const fail = (err: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(Object.assign(storeUnavailable(), { cause: err }));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the SQLite writer thread exited (${code})`)));
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
