// The writer thread's side (writer-thread.ts starts it): applies group-commit batches on a SQLite
// connection of its own and answers each with its results, after the commit. The statements run one
// after the other in a transaction (they cost no round trip); checkpointing the WAL is left to a
// thread beside it (checkpoint-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { runPlanned, type MergedWrites } from './write-batch.js';
import { userWrites } from './repos/user-writes.js';
import type { WriterReply, WriterRequest } from './writer-thread.js';

/** The kinds of writes the thread applies, by name (MergedWrites.name). */
const KINDS = new Map<string, MergedWrites<unknown, unknown>>([[userWrites.name!, userWrites]]);

type Groups = Extract<WriterRequest, { groups: unknown }>['groups'];

async function openWriter(file: string): Promise<{ apply(groups: Groups): Promise<unknown[][]>; close(): Promise<void> }> {
  const [{ openSqliteFile, sqliteKysely }, { Checkpointer }] = await Promise.all([import('./sqlite-connection.js'), import('./checkpoint-thread.js')]);
  const sqlite = openSqliteFile(file);
  const db = sqliteKysely(sqlite);
  const checkpointer = new Checkpointer(file, sqlite);
  return {
    apply: (groups) =>
      db.transaction().execute(async (tx) => {
        const out: unknown[][] = [];
        for (const { kind, payloads } of groups) out.push(await runPlanned(tx, KINDS.get(kind)!.plan(tx, payloads)));
        return out;
      }),
    close: async () => {
      await checkpointer.close();
      await db.destroy();
    },
  };
}

const port = parentPort!;
const opened = openWriter(workerData as string);
// A store that cannot be opened fails each batch with its error (below), not the thread.
void opened.catch(() => {}).finally(() => port.postMessage({ ready: true } satisfies WriterReply));

async function apply(request: Extract<WriterRequest, { groups: unknown }>): Promise<WriterReply> {
  try {
    return { id: request.id, results: await (await opened).apply(request.groups) };
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
    void opened.then((writer) => writer.close()).finally(() => port.close());
    return;
  }
  void apply(request).then((reply) => port.postMessage(reply));
});
