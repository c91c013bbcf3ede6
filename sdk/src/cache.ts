// The optional in-process cache of resolve answers: bounded (least recently used goes first) and
// never past the token's own `exp`, nor past `ttlMs`. Only accepted tokens are kept: a refusal is
// always asked again (so an unblocked user is not kept out by a cached refusal).
import type { ResolveSuccess } from './types.js';

export interface CacheOptions {
  /** Most answers kept (default 1000); the least recently used goes first. */
  maxEntries?: number;
  /** Longest an answer is reused (default 30 000 ms): a deprovisioning takes up to this long to reach this process. */
  ttlMs?: number;
}

export const DEFAULT_CACHE = { maxEntries: 1000, ttlMs: 30_000 } as const;

/** The token's `exp` in seconds, read without verifying (alter verified it), or undefined. */
export function expOf(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

export class ResolveCache {
  private readonly entries = new Map<string, { answer: ResolveSuccess; until: number }>();
  readonly maxEntries: number;
  readonly ttlMs: number;

  constructor(opts: CacheOptions) {
    this.maxEntries = opts.maxEntries ?? DEFAULT_CACHE.maxEntries;
    this.ttlMs = opts.ttlMs ?? DEFAULT_CACHE.ttlMs;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new TypeError('cache.maxEntries: must be a positive integer');
    if (!Number.isFinite(this.ttlMs) || this.ttlMs <= 0) throw new TypeError('cache.ttlMs: must be a positive number');
  }

  get size(): number {
    return this.entries.size;
  }

  get(token: string, now = Date.now()): ResolveSuccess | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    this.entries.delete(token);
    if (now >= entry.until) return undefined;
    this.entries.set(token, entry); // most recently used last
    return entry.answer;
  }

  set(token: string, answer: ResolveSuccess, now = Date.now()): void {
    const exp = expOf(token);
    const until = Math.min(now + this.ttlMs, exp === undefined ? Infinity : exp * 1000);
    if (until <= now) return;
    this.entries.delete(token);
    this.entries.set(token, { answer, until });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }
}
