// Wallet sessions: the cookie holds 32 random bytes, the store only their SHA-256, so a copy of the
// database signs nobody in. Sessions belong to one app and expire; ending one deletes the row.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { safeEqual, sha256Hex } from '../crypto/tokens.js';
import { nowIso } from '../store/database.js';

/** A working day: the wallet shows who is signed in, nothing that needs shorter-lived proof. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

export interface WalletSession {
  userId: string;
  /** Proof for the sign-out form that the request comes from a page this server rendered. */
  csrfToken: string;
}

/** Creates the session (inside the caller's transaction) and returns the cookie value. */
export async function createSession(db: Kysely<Database>, appId: string, userId: string): Promise<string> {
  const value = randomBytes(32).toString('base64url');
  const now = Date.now();
  await db.deleteFrom('wallet_sessions').where('expires_at', '<', new Date(now).toISOString()).execute();
  await db
    .insertInto('wallet_sessions')
    .values({
      id_hash: sha256Hex(value),
      app_id: appId,
      user_id: userId,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + SESSION_TTL_SECONDS * 1000).toISOString(),
    })
    .execute();
  return value;
}

/**
 * Derived from the session cookie, which a cross-site page can neither read nor guess, so a forged
 * sign-out form cannot carry it; nothing extra to store.
 */
function csrfFor(cookieValue: string): string {
  return sha256Hex(`wallet-sign-out:${cookieValue}`);
}

export function csrfMatches(cookieValue: string, submitted: string | undefined): boolean {
  return typeof submitted === 'string' && safeEqual(csrfFor(cookieValue), submitted);
}

export async function findSession(db: Kysely<Database>, appId: string, cookieValue: string | undefined): Promise<WalletSession | undefined> {
  if (!cookieValue) return undefined;
  const row = await db
    .selectFrom('wallet_sessions')
    .select(['user_id'])
    .where('id_hash', '=', sha256Hex(cookieValue))
    .where('app_id', '=', appId)
    .where('expires_at', '>', nowIso())
    .executeTakeFirst();
  return row && { userId: row.user_id, csrfToken: csrfFor(cookieValue) };
}

/** Deletes the session; returns whose it was, if it existed. */
export async function endSession(db: Kysely<Database>, appId: string, cookieValue: string): Promise<string | undefined> {
  const row = await db
    .deleteFrom('wallet_sessions')
    .where('id_hash', '=', sha256Hex(cookieValue))
    .where('app_id', '=', appId)
    .returning(['user_id'])
    .executeTakeFirst();
  return row?.user_id;
}
