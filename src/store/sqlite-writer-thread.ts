// The SQLite writer thread's side (sqlite-writer.ts starts it): applies group-commit batches on a
// connection of its own and answers each with its results, after the commit.
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteConnection } from './sqlite-connection.js';
import type { MergedWrites } from './write-batch.js';
import { userWrites } from './repos/user-writes.js';
import type { WriterReply, WriterRequest } from './sqlite-writer.js';

/** The kinds of writes the thread applies, by name (MergedWrites.name). */
const KINDS = new Map<string, MergedWrites<unknown, unknown>>([[userWrites.name!, userWrites]]);

const port = parentPort!;
const db = openSqliteConnection((workerData as { file: string }).file);

async function apply(request: Extract<WriterRequest, { groups: unknown }>): Promise<WriterReply> {
  try {
    const results = await db.transaction().execute(async (tx) => {
      const out: unknown[][] = [];
      for (const { kind, payloads } of request.groups) out.push(await KINDS.get(kind)!.applyAll(tx, payloads));
      return out;
    });
    return { id: request.id, results };
  } catch (err) {
    // Errors cross the thread boundary as data: what the main thread's callers look at (the
    // store-fault and constraint codes) must survive it.
    const { name, message } = err instanceof Error ? err : new Error(String(err));
    const { code } = err as { code?: unknown };
    return { id: request.id, error: { name, message, code: typeof code === 'string' ? code : undefined } };
  }
}

port.on('message', (request: WriterRequest) => {
  if ('close' in request) {
    void db.destroy().then(() => port.close());
    return;
  }
  void apply(request).then((reply) => port.postMessage(reply));
});
