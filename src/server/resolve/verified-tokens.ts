// Answers of resolve for tokens already verified: a session's many calls carry the same token, and
// re-checking its signature each time would make the cheapest request the most expensive one.
// Bounded (least recently used goes first), keyed by a hash of the token (never the token
// itself), scoped per app, never served past the token's exp, and dropped for an app as soon as it
// is invalidated (a deprovisioned user, a rotated key, a changed provider).
import { hash } from 'node:crypto';
import type { Epochs } from './epochs.js';

interface Entry {
  /** The serialised 200 body. */
  body: string;
  /** Seconds since the epoch. */
  exp: number;
  generation: number;
}

export const DEFAULT_VERIFIED_TOKEN_CAPACITY = 20_000;

export function tokenCacheKey(appId: string, token: string): string {
  // One-shot hashing: measurably cheaper than a Hash object on this per-request path.
  return `${appId} ${hash('sha256', token, 'base64')}`;
}

export class VerifiedTokenCache {
  // A Map iterates in insertion order: re-inserting on a hit makes its first key the least recently used.
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly epochs: Epochs,
    private readonly capacity = DEFAULT_VERIFIED_TOKEN_CAPACITY,
  ) {}

  get(appId: string, key: string, nowSeconds: number): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.exp <= nowSeconds || entry.generation !== this.epochs.generation(appId)) return undefined;
    this.entries.set(key, entry);
    return entry.body;
  }

  /** Stores an answer computed under `generation` (read before the work began). */
  set(key: string, body: string, exp: number, generation: number): void {
    this.entries.delete(key);
    this.entries.set(key, { body, exp, generation });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
