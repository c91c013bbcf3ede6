// Sign-ins in progress (wallet_flows). A flow is created when the browser leaves for the provider
// and consumed when it comes back: the row is keyed by the SHA-256 of `state`, remembers the hash of
// the browser's binding cookie, the nonce the ID token must echo, and the PKCE verifier (sealed).
// Consuming deletes the row in the same statement that reads it, so a replayed callback — or two
// racing ones — find nothing, on SQLite and PostgreSQL alike.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Sealer } from '../crypto/sealed.js';
import { sha256Hex } from '../crypto/tokens.js';
import { nowIso } from '../store/database.js';
import { walletError } from './problems.js';

/** Long enough to type a password and answer an MFA prompt; short enough that a leaked state is soon useless. */
export const FLOW_TTL_SECONDS = 10 * 60;

/** Expired flows are kept this long so a late callback can be told "too slow" rather than "unknown". */
const EXPIRED_FLOW_RETENTION_MS = 60 * 60 * 1000;

export interface NewFlow {
  state: string;
  nonce: string;
  codeChallenge: string;
}

export interface ConsumedFlow {
  appId: string;
  bindingHash: string;
  nonce: string;
  codeVerifier: string;
  expired: boolean;
}

function random(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The app id travels in front of the random part of `state` so that a callback whose flow is
 * gone (replayed, forged, purged) can still offer a "Try again" link to the right sign-in page.
 * It is not trusted for anything else: the flow row, found by the hash of the whole state, is.
 */
export function appIdFromState(state: string): string | null {
  const dot = state.lastIndexOf('.');
  return dot > 0 ? state.slice(0, dot) : null;
}

/**
 * Starting a sign-in needs no credential and stores a row, so a flood of starts could grow the
 * store without bound; past this many flows in progress for one app, new starts are refused (429)
 * until some finish or expire. Real traffic is far below it: a flow lives ten minutes.
 */
export const MAX_PENDING_FLOWS_PER_APP = 10_000;

export async function createFlow(db: Kysely<Database>, sealer: Sealer, appId: string, bindingHash: string): Promise<NewFlow> {
  const state = `${appId}.${random()}`;
  const stateHash = sha256Hex(state);
  const nonce = random();
  const codeVerifier = random();
  const now = Date.now();
  await db.deleteFrom('wallet_flows').where('expires_at', '<', new Date(now - EXPIRED_FLOW_RETENTION_MS).toISOString()).execute();
  const { pending } = await db
    .selectFrom('wallet_flows')
    .select((eb) => eb.fn.countAll<number>().as('pending'))
    .where('app_id', '=', appId)
    .where('expires_at', '>', new Date(now).toISOString())
    .executeTakeFirstOrThrow();
  if (Number(pending) >= MAX_PENDING_FLOWS_PER_APP) {
    throw walletError('busy', 'Too many sign-ins are in progress for this application right now. Please try again in a few minutes.', appId);
  }
  await db
    .insertInto('wallet_flows')
    .values({
      state_hash: stateHash,
      app_id: appId,
      binding_hash: bindingHash,
      nonce,
      code_verifier: sealer.seal(codeVerifier, stateHash),
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + FLOW_TTL_SECONDS * 1000).toISOString(),
    })
    .execute();
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  return { state, nonce, codeChallenge };
}

/** Takes the flow of `state` out of the store; undefined when there is none (never was, or already used). */
export async function consumeFlow(db: Kysely<Database>, sealer: Sealer, state: string): Promise<ConsumedFlow | undefined> {
  const stateHash = sha256Hex(state);
  const row = await db.deleteFrom('wallet_flows').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
  if (!row) return undefined;
  return {
    appId: row.app_id,
    bindingHash: row.binding_hash,
    nonce: row.nonce,
    codeVerifier: sealer.open(row.code_verifier, stateHash),
    expired: row.expires_at <= nowIso(),
  };
}

/** A fresh browser-binding value for the cookie, or the browser's current one when it is well-formed. */
export function bindingValue(existing: string | undefined): string {
  return existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : random();
}
