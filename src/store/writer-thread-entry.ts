// The writer thread's side (writer-thread.ts starts it): applies group-commit batches on connections
// of its own and answers each with its results, after the commit.
import { parentPort, workerData } from 'node:worker_threads';
import { runPlanned, type MergedWrites } from './write-batch.js';
import { userWrites } from './repos/user-writes.js';
import type { WriterReply, WriterRequest, WriterTarget } from './writer-thread.js';

/** The kinds of writes the thread applies, by name (MergedWrites.name). */
const KINDS = new Map<string, MergedWrites<unknown, unknown>>([[userWrites.name!, userWrites]]);

type Groups = Extract<WriterRequest, { groups: unknown }>['groups'];

interface Applier {
  apply(groups: Groups): Promise<unknown[][]>;
  close(): Promise<void>;
}

/**
 * SQLite: the statements one after the other in a transaction (they cost no round trip). Its
 * commits leave checkpointing the WAL to a thread beside it (checkpoint-thread.ts).
 */
async function sqliteApplier(file: string): Promise<Applier> {
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

/** PostgreSQL: every statement of the batch, BEGIN to COMMIT, in one round trip. */
async function postgresApplier(url: string, connections: number): Promise<Applier> {
  const [{ newPgPool, pgKysely }, { transactionInOneRoundTrip }] = await Promise.all([import('./postgres-connection.js'), import('./pg-one-round-trip.js')]);
  const pool = newPgPool(url, connections);
  // Compiles the statements for PostgreSQL; never runs a query itself.
  const db = pgKysely(pool);
  return {
    async apply(groups) {
      const planned = groups.map(({ kind, payloads }) => KINDS.get(kind)!.plan(db, payloads));
      const rows = await transactionInOneRoundTrip(
        pool,
        planned.flatMap((p) => p.queries),
      );
      let at = 0;
      return planned.map((p) => p.results(rows.slice(at, (at += p.queries.length))));
    },
    close: () => db.destroy(),
  };
}

const port = parentPort!;
const target = workerData as WriterTarget;
const opened = target.dialect === 'sqlite' ? sqliteApplier(target.file) : postgresApplier(target.url, target.connections);
// A store that cannot be opened fails each batch with its error (below), not the thread.
void opened.catch(() => {}).finally(() => port.postMessage({ ready: true } satisfies WriterReply));

async function apply(request: Extract<WriterRequest, { groups: unknown }>): Promise<WriterReply> {
  try {
    return { id: request.id, results: await (await opened).apply(request.groups) };
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
    void opened.then((applier) => applier.close()).finally(() => port.close());
    return;
  }
  void apply(request).then((reply) => port.postMessage(reply));
});
