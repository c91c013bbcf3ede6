// Each app's identity provider as resolution needs it: the row, its verification policy and its
// issuer's key cache, loaded once and kept until the app is invalidated (every change to a
// provider bumps its app). "No provider" is kept only briefly, so a provider created through
// another process is picked up even before its invalidation arrives.
import type { Kysely } from 'kysely';
import { findProviderByApp, type ProviderRow } from '../../store/repos/identity-providers.js';
import type { Database } from '../../store/schema.js';
import { policyFor, type VerifyPolicy } from '../../idp/verify.js';
import { issuerKeys, type IssuerKeys, type JwksLog } from '../../idp/jwks-cache.js';
import type { Epochs } from './epochs.js';

export interface ResolutionProvider {
  row: ProviderRow;
  policy: VerifyPolicy;
  keys: IssuerKeys;
  /** Flipped once this process has locked the claim mappings, to skip the update afterwards. */
  locked: boolean;
}

const NO_PROVIDER_TTL_MS = 1_000;

type Entry = { provider: ResolutionProvider } | { provider: null; until: number };

export class ProviderCache {
  private readonly byApp = new Map<string, Entry>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly epochs: Epochs,
    private readonly jwks: { allowPrivate: boolean; log: JwksLog },
  ) {
    epochs.onInvalidate((appId) => this.byApp.delete(appId));
  }

  get(appId: string): ResolutionProvider | null | Promise<ResolutionProvider | null> {
    const entry = this.byApp.get(appId);
    if (entry?.provider) return entry.provider;
    if (entry && entry.until > Date.now()) return null;
    return this.load(appId);
  }

  /** The cache of `row`'s issuer, for callers that hold a row (start-up prefetch, test-token). */
  keysFor(row: Pick<ProviderRow, 'issuer' | 'jwks_uri'>): IssuerKeys {
    return issuerKeys(row, this.jwks);
  }

  private async load(appId: string): Promise<ResolutionProvider | null> {
    const epoch = this.epochs.current;
    const row = await findProviderByApp(this.db, appId);
    const provider = row ? { row, policy: policyFor(row), keys: this.keysFor(row), locked: row.claim_mappings_locked === 1 } : null;
    if (this.epochs.current === epoch) {
      this.byApp.set(appId, provider ? { provider } : { provider: null, until: Date.now() + NO_PROVIDER_TTL_MS });
    }
    return provider;
  }
}
