// The writer thread's side (writer-thread.ts starts it): applies group-commit batches on connections
// of its own and answers each with its results, after the commit.
import { parentPort, workerData } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { MergedWrites } from './write-batch.js';
import { userWrites } from './repos/user-writes.js';
import type { WriterReply, WriterRequest, WriterTarget } from './writer-thread.js';

/** The kinds of writes the thread applies, by name (MergedWrites.name). */
const KINDS = new Map<string, MergedWrites<unknown, unknown>>([[userWrites.name!, userWrites]]);

async function open(target: WriterTarget): Promise<Kysely<Database>> {
  if (target.dialect === 'sqlite') return (await import('./sqlite-connection.js')).openSqliteConnection(target.file);
  return (await import('./postgres-connection.js')).openPostgresPool(target.url, target.connections);
}

const port = parentPort!;
const opened = open(workerData as WriterTarget);
// A store that cannot be opened fails each batch with its error (below), not the thread.
opened.catch(() => {});

async function apply(request: Extract<WriterRequest, { groups: unknown }>): Promise<WriterReply> {
  try {
    const results = await (await opened).transaction().execute(async (tx) => {
      const out: unknown[][] = [];
      for (const { kind, payloads } of request.groups) out.push(await KINDS.get(kind)!.applyAll(tx, payloads));
      return out;
    });
    return { id: request.id, results };
  } catch (err) {
    // Errors cross the thread boundary as data: what the main thread's callers look at (the
    // store-fault and constraint codes, the message of a dropped connection) must survive it.
    const { name, message } = err instanceof Error ? err : new Error(String(err));
    const { code } = err as { code?: unknown };
    return { id: request.id, error: { name, message, code: typeof code === 'string' ? code : undefined } };
  }
}

port.on('message', (request: WriterRequest) => {
  if ('close' in request) {
    void opened.then((db) => db.destroy()).finally(() => port.close());
    return;
  }
  void apply(request).then((reply) => port.postMessage(reply));
});
