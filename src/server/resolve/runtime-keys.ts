// Runtime keys (alter_key_…) of app backends, checked on every resolve call. A valid key is cached
// by its hash so the hot path needs no query; the cache forgets an app's keys on its invalidation
// (a revocation bumps the app), so a revoked key stops working everywhere within a poll interval.
// Unknown and revoked keys are not cached: refusing them stays a fresh database answer.
import type { Kysely } from 'kysely';
import { KEY_PREFIX, safeEqual, sha256Hex } from '../../crypto/tokens.js';
import { findRuntimeKeyByHash } from '../../store/repos/tokens.js';
import { nowIso } from '../../store/database.js';
import type { Database } from '../../store/schema.js';
import type { Epochs } from './epochs.js';

export interface RuntimeKeyIdentity {
  keyId: string;
  appId: string;
}

interface Entry extends RuntimeKeyIdentity {
  lastUsedWrittenAt: number;
}

// last_used_at is informative: written at most once a minute per key and process, off the hot path.
const LAST_USED_RESOLUTION_MS = 60_000;

export class RuntimeKeyCache {
  private readonly byHash = new Map<string, Entry>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly epochs: Epochs,
    private readonly onBackgroundError: (err: unknown) => void,
  ) {
    epochs.onInvalidate((appId) => {
      for (const [hash, entry] of this.byHash) if (entry.appId === appId) this.byHash.delete(hash);
    });
  }

  /** The key's identity, or a sentence saying why it is refused. */
  async check(key: string | null): Promise<RuntimeKeyIdentity | string> {
    if (!key) return 'send the app’s runtime key: Authorization: Bearer alter_key_…';
    if (!key.startsWith(KEY_PREFIX)) return 'this is not a runtime key (alter_key_…)';
    const hash = sha256Hex(key);
    const cached = this.byHash.get(hash);
    if (cached) {
      this.touch(cached);
      return cached;
    }
    const epoch = this.epochs.current;
    const row = await findRuntimeKeyByHash(this.db, hash);
    if (!row || !safeEqual(row.key_hash, hash)) return 'runtime key is unknown';
    if (row.revoked_at) return 'runtime key has been revoked';
    const entry: Entry = { keyId: row.id, appId: row.app_id, lastUsedWrittenAt: row.last_used_at ? Date.parse(row.last_used_at) : 0 };
    if (this.epochs.current === epoch) this.byHash.set(hash, entry);
    this.touch(entry);
    return entry;
  }

  private touch(entry: Entry): void {
    const now = Date.now();
    if (now - entry.lastUsedWrittenAt < LAST_USED_RESOLUTION_MS) return;
    entry.lastUsedWrittenAt = now;
    this.db.updateTable('runtime_keys').set({ last_used_at: nowIso() }).where('id', '=', entry.keyId).execute().catch(this.onBackgroundError);
  }
}
