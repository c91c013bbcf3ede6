// What every SCIM operation acts within: the provider whose token authenticated the request, its
// SCIM settings, the store and the invalidation that carries changes to every server process.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { ProviderRow } from '../../store/repos/identity-providers.js';
import type { ScimConfigRow } from '../../store/repos/scim.js';
import type { Invalidation } from '../../server/invalidation.js';

export interface ScimScope {
  db: Kysely<Database>;
  provider: ProviderRow;
  config: ScimConfigRow;
  invalidation: Invalidation;
  /** Audit actor of SCIM writes: `scim:<provider id>`. */
  actor: string;
  /** {ALTER_PUBLIC_URL}/scim/v2/idp/{provider id}, for meta.location. */
  baseUrl: string;
}
