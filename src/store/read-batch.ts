// Batched reads: the keys asked for in one turn of the event loop are read by one statement. The
// reads that plan resolution's writes come in bursts (every request of a burst whose token changes
// something reads its user), and on PostgreSQL each statement is a round trip whose send was the
// largest single cost left on the write path (README, Performance). One statement for the burst
// costs about what one read did.
//
// The batch waits for the event loop's check phase (setImmediate), like group commit
// (write-batch.ts): requests whose bodies arrived in the same poll phase have verified their
// signatures and asked by then.

/** Reads every key of a batch (each distinct once); answers what it found, by key. */
export type ReadMany<K, V> = (keys: K[]) => Promise<Map<K, V>>;

interface Waiting<V> {
  resolve: (value: V | undefined) => void;
  reject: (err: unknown) => void;
}

export class BatchedReader<K, V> {
  private pending = new Map<K, Array<Waiting<V>>>();

  constructor(private readonly readMany: ReadMany<K, V>) {}

  read(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting) return waiting.push({ resolve, reject });
      if (!this.pending.size) setImmediate(() => void this.flush());
      this.pending.set(key, [{ resolve, reject }]);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    try {
      const found = await this.readMany([...batch.keys()]);
      for (const [key, waiting] of batch) for (const w of waiting) w.resolve(found.get(key));
    } catch (err) {
      for (const waiting of batch.values()) for (const w of waiting) w.reject(err);
    }
  }
}

/** The sizes a batch is padded to, so that its statements have few shapes (compiled once each). */
export const READ_BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64] as const;
export type ReadBatchSize = (typeof READ_BATCH_SIZES)[number];

/**
 * `keys` split into chunks of the sizes above, each padded with its last key: the statement for a
 * chunk is one of a handful, each compiled once (SQLite; PostgreSQL reads any number at once), whatever the burst.
 */
export function paddedChunks<K>(keys: K[]): K[][] {
  const largest = READ_BATCH_SIZES[READ_BATCH_SIZES.length - 1]!;
  const chunks: K[][] = [];
  for (let i = 0; i < keys.length; i += largest) {
    const chunk = keys.slice(i, i + largest);
    const size = READ_BATCH_SIZES.find((s) => s >= chunk.length)!;
    while (chunk.length < size) chunk.push(chunk[chunk.length - 1]!);
    chunks.push(chunk);
  }
  return chunks;
}
