// Authentication and authorisation of the management API. Every route calls `requireScope` with the
// scope it needs and, when it acts on an app, `requireApp`: a token restricted to app A can neither
// see nor change app B.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { AlterError } from '../errors.js';
import { PAT_PREFIX, safeEqual, sha256Hex } from '../crypto/tokens.js';
import type { Database } from '../store/schema.js';
import { findToken, findTokenByHash, type TokenRow } from '../store/repos/tokens.js';
import { findApp, type AppRow } from '../store/repos/apps.js';
import { findProviderById, type ProviderRow } from '../store/repos/identity-providers.js';
import { nowIso } from '../store/database.js';
import { isStoreFault } from '../store/faults.js';
import type { Scope } from '../scopes.js';
import { internalCallerTokenId } from './internal-caller.js';

export interface Principal {
  tokenId: string;
  name: string | null;
  scopes: string[];
  /** Set when the token may act only on this app. */
  appId: string | null;
  expiresAt: string | null;
  /** Audit actor string. */
  actor: string;
}

// last_used_at is informative; writing it on every request would turn every read into a write.
const LAST_USED_RESOLUTION_MS = 60_000;

export function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1] ?? null;
}

/** The token row a request presents: its bearer token, or the console's in-process caller header. */
async function presentedToken(db: Kysely<Database>, req: FastifyRequest): Promise<TokenRow> {
  const internal = internalCallerTokenId(req);
  if (internal !== null) {
    const row = await findToken(db, internal);
    if (!row) throw new AlterError('unauthenticated', 'token is unknown');
    return row;
  }
  const token = bearer(req);
  if (!token) throw new AlterError('unauthenticated', 'not signed in: send a personal access token (Authorization: Bearer alter_pat_…)');
  if (!token.startsWith(PAT_PREFIX)) throw new AlterError('unauthenticated', 'this is not a personal access token (alter_pat_…)');
  const hash = sha256Hex(token);
  const row: TokenRow | undefined = await findTokenByHash(db, hash);
  // The lookup is by hash; the explicit constant-time check keeps the comparison honest if the
  // index ever stops being an exact-match lookup (collation, prefix search).
  if (!row || !safeEqual(row.token_hash, hash)) throw new AlterError('unauthenticated', 'token is unknown');
  return row;
}

export async function authenticate(db: Kysely<Database>, req: FastifyRequest): Promise<Principal> {
  const row = await presentedToken(db, req);
  if (row.revoked_at) throw new AlterError('unauthenticated', 'token has been revoked');
  const now = nowIso();
  if (row.expires_at && row.expires_at <= now) throw new AlterError('unauthenticated', `token expired at ${row.expires_at}`);
  if (!row.last_used_at || Date.parse(now) - Date.parse(row.last_used_at) > LAST_USED_RESOLUTION_MS) {
    // Informative only: a store that cannot take the write (locked, full, read-only) must not
    // turn every read of the management API into a 503.
    await db
      .updateTable('tokens')
      .set({ last_used_at: now })
      .where('id', '=', row.id)
      .execute()
      .catch((err: unknown) => {
        if (!isStoreFault(err)) throw err;
      });
  }
  return {
    tokenId: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    appId: row.app_id,
    expiresAt: row.expires_at,
    actor: `token:${row.id}`,
  };
}

export function requireScope(p: Principal, scope: Scope): void {
  if (!p.scopes.includes(scope)) {
    throw new AlterError('forbidden', `this token lacks the scope ${scope}`, { scope });
  }
}

/** The app must exist and the token must be allowed on it; a restricted token learns nothing of other apps. */
export async function requireApp(db: Kysely<Database>, p: Principal, appId: string): Promise<AppRow> {
  if (p.appId && p.appId !== appId) {
    throw new AlterError('forbidden', `this token is restricted to app ${p.appId} and cannot act on app ${appId}`, { app_id: appId });
  }
  const app = await findApp(db, appId);
  if (!app) throw new AlterError('not_found', `app ${appId} not found`);
  return app;
}

/** Authenticates, checks `scope` and the app, and finds the app's provider `providerId` (404 otherwise). */
export async function authoriseProvider(db: Kysely<Database>, req: FastifyRequest, scope: Scope, appId: string, providerId: string): Promise<{ principal: Principal; provider: ProviderRow }> {
  const principal = await authenticate(db, req);
  requireScope(principal, scope);
  await requireApp(db, principal, appId);
  const provider = await findProviderById(db, providerId);
  if (provider?.app_id !== appId) throw new AlterError('not_found', `identity provider ${providerId} not found in app ${appId}`);
  return { principal, provider };
}
