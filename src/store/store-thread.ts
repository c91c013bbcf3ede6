// Starts one of the store's threads (the writer thread, the checkpointer) from its entry module,
// next to this file.
import { Worker } from 'node:worker_threads';

/**
 * Under tsx (the tests run the TypeScript sources) this module is TypeScript and so is the entry,
 * which a worker can only load through tsx's own import: Node 20 does not hand the parent's
 * --import hooks to worker threads.
 */
export function startStoreThread(entry: 'writer-thread-entry' | 'checkpoint-thread-entry', workerData: unknown): Worker {
  // (tsx's own import marks the URLs of what it loads with a query.)
  if (!new URL(import.meta.url).pathname.endsWith('.ts')) return new Worker(new URL(`./${entry}.js`, import.meta.url), { workerData });
  const source = new URL(`./${entry}.ts`, import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(source)}, ${JSON.stringify(import.meta.url)}))`, { eval: true, workerData });
}
