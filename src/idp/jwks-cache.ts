// The keys of every issuer this process verifies tokens for, one cache per issuer shared by all
// requests (and all apps that trust the same issuer). Rules, each there for a reason:
//  - keys are fetched at create, at start-up and when their Cache-Control lifetime ends (bounded to
//    1 min – 24 h, default 10 min), in the background: a request never waits on a routine refresh;
//  - an unknown kid causes ONE refetch shared by every concurrent request (single-flight), so a key
//    rotated at the provider is accepted at once; after it, unknown kids are refused without
//    fetching for a cooldown, so a flood of made-up kids costs the provider at most a fetch per
//    cooldown. Routine fetches start no cooldown. A refetch that FAILED (the provider is down) waits
//    only FAILED_REFETCH_COOLDOWN_MS: keys rotated during an outage are then accepted seconds after
//    the provider is back, and a flood of unknown kids still costs it at most one fetch that often;
//  - when the provider is down or serves garbage, the last good keys keep working (stale-if-error);
//    the failure is logged and counted, and retried no sooner than RETRY_AFTER_FAILURE_MS.
import { safeFetch } from '../net/safe-fetch.js';
import { jwksFetches } from '../metrics.js';
import type { KeySource } from './verify.js';
import { parseJwks, type KeySet } from './verify/keys.js';

export const MIN_TTL_MS = 60_000;
export const MAX_TTL_MS = 24 * 3600_000;
export const DEFAULT_TTL_MS = 10 * 60_000;
export const UNKNOWN_KID_COOLDOWN_MS = 30_000;
export const FAILED_REFETCH_COOLDOWN_MS = 5_000;
const RETRY_AFTER_FAILURE_MS = 30_000;
const FETCH_TIMEOUT_MS = 10_000;

export interface JwksLog {
  warn(obj: object, msg: string): void;
}

export interface JwksStats {
  issuer: string;
  jwksUri: string;
  fetches: number;
  failures: number;
  lastError: string | null;
  lastSuccessAt: string | null;
  keys: number;
}

const EMPTY: KeySet = { keys: [], byKid: new Map() };

/** Lifetime from a Cache-Control header: max-age within bounds; no-store/no-cache mean the minimum. */
export function ttlFromCacheControl(header: string | undefined): number {
  if (!header) return DEFAULT_TTL_MS;
  const directives = header.toLowerCase().split(',').map((d) => d.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return MIN_TTL_MS;
  const maxAge = directives.map((d) => /^max-age=(\d+)$/.exec(d)?.[1]).find((v) => v !== undefined);
  if (maxAge === undefined) return DEFAULT_TTL_MS;
  return Math.min(MAX_TTL_MS, Math.max(MIN_TTL_MS, Number(maxAge) * 1000));
}

export class IssuerKeys implements KeySource {
  private set: KeySet | null = null;
  private expiresAt = 0;
  private retryAt = 0;
  private cooldownUntil = 0;
  private inflight: Promise<void> | null = null;
  private readonly stats: JwksStats;

  constructor(
    readonly issuer: string,
    readonly jwksUri: string,
    private readonly allowPrivate: boolean,
    private readonly log: JwksLog,
  ) {
    this.stats = { issuer, jwksUri, fetches: 0, failures: 0, lastError: null, lastSuccessAt: null, keys: 0 };
  }

  current(): KeySet | Promise<KeySet> {
    const now = Date.now();
    const due = now >= this.expiresAt && now >= this.retryAt && !this.inflight;
    if (this.set) {
      if (due) void this.fetch();
      return this.set;
    }
    if (this.inflight) return this.inflight.then(() => this.set ?? EMPTY);
    return due ? this.fetch().then(() => this.set ?? EMPTY) : EMPTY;
  }

  async refetchForUnknownKid(): Promise<KeySet | null> {
    if (this.inflight) {
      await this.inflight;
      return this.set;
    }
    if (Date.now() < this.cooldownUntil) return null;
    // Set before the fetch starts, so requests arriving after it completes are refused too.
    this.cooldownUntil = Date.now() + UNKNOWN_KID_COOLDOWN_MS;
    await this.fetch();
    return this.set;
  }

  /** Installs a JWKS fetched elsewhere (discovery at create): no second fetch right after. */
  prime(doc: unknown, cacheControl?: string): boolean {
    const { set } = parseJwks(doc);
    if (!set.keys.length) return false;
    this.install(set, cacheControl);
    return true;
  }

  /** Fetches now unless a fetch is under way; resolves when the keys are in (or the fetch failed). */
  refresh(): Promise<void> {
    return this.inflight ?? this.fetch();
  }

  snapshot(): JwksStats {
    return { ...this.stats, keys: this.set?.keys.length ?? 0 };
  }

  private install(set: KeySet, cacheControl: string | undefined): void {
    this.set = set;
    this.expiresAt = Date.now() + ttlFromCacheControl(cacheControl);
    this.retryAt = 0;
    this.stats.lastSuccessAt = new Date().toISOString();
  }

  private fetch(): Promise<void> {
    const run = async (): Promise<void> => {
      this.stats.fetches++;
      try {
        const res = await safeFetch(this.jwksUri, { allowPrivate: this.allowPrivate, timeoutMs: FETCH_TIMEOUT_MS, headers: { accept: 'application/json' } });
        if (res.status !== 200) throw new Error(`the JWKS answered HTTP ${res.status}`);
        let doc: unknown;
        try {
          doc = res.json();
        } catch {
          throw new Error('the JWKS is not JSON');
        }
        const { set, skipped } = parseJwks(doc);
        if (!set.keys.length) throw new Error(`the JWKS has no usable keys${skipped.length ? ` (${skipped.slice(0, 3).join('; ')})` : ''}`);
        this.install(set, res.headers['cache-control']);
        jwksFetches.inc({ outcome: 'ok' });
      } catch (err) {
        jwksFetches.inc({ outcome: 'failed' });
        this.stats.failures++;
        this.stats.lastError = err instanceof Error ? err.message : String(err);
        this.retryAt = Date.now() + RETRY_AFTER_FAILURE_MS;
        this.cooldownUntil = Math.min(this.cooldownUntil, Date.now() + FAILED_REFETCH_COOLDOWN_MS);
        this.log.warn(
          { issuer: this.issuer, jwks_uri: this.jwksUri, error: this.stats.lastError, failures: this.stats.failures, keeping_keys: this.set?.keys.length ?? 0 },
          'JWKS fetch failed; the last good keys stay in use',
        );
      } finally {
        this.inflight = null;
      }
    };
    const p = run();
    this.inflight = p;
    return p;
  }
}

const registry = new Map<string, IssuerKeys>();

export interface JwksProvider {
  issuer: string;
  jwks_uri: string;
}

/** The process-wide key cache of `provider`'s issuer (created empty; the first use fetches). */
export function issuerKeys(provider: JwksProvider, opts: { allowPrivate: boolean; log: JwksLog }): IssuerKeys {
  // allowPrivate is part of the identity: a cache built under a laxer policy must not serve a stricter one.
  const id = `${opts.allowPrivate ? 'private' : 'public'} ${provider.issuer} ${provider.jwks_uri}`;
  let keys = registry.get(id);
  if (!keys) {
    keys = new IssuerKeys(provider.issuer, provider.jwks_uri, opts.allowPrivate, opts.log);
    registry.set(id, keys);
  }
  return keys;
}

/** Fetch and failure counts of every issuer cache, for operators and tests. */
export function jwksStats(): JwksStats[] {
  return [...registry.values()].map((k) => k.snapshot());
}
