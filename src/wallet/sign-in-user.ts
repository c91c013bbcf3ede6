// The last step of a sign-in: the verified ID token's user is provisioned or updated exactly as
// /v1/identity/resolve would do it (same claim mapping, same repository, same lifecycle rules), a
// blocked or deprovisioned user is turned away with nothing written, and a session starts.
import type { FastifyBaseLogger } from 'fastify';
import type { ServerContext } from '../server/context.js';
import type { VerifiedToken } from '../idp/verify.js';
import { identityFromToken } from '../idp/identity.js';
import { syncUserAndLockMappings } from '../store/repos/users.js';
import { recordAudit } from '../store/repos/audit.js';
import type { WalletContext } from './context.js';
import { walletError } from './problems.js';
import { createSession } from './sessions.js';

/** Returns the new session's cookie value. */
export async function signInUser(ctx: ServerContext, wallet: WalletContext, verified: VerifiedToken, log: FastifyBaseLogger): Promise<string> {
  const { db } = ctx.store;
  const { app, provider } = wallet;
  const identity = identityFromToken(verified, provider, (message, details) => log.debug(details, message));
  // As resolution does: the first user signed in locks the claim mappings (their identities hang on them).
  const synced = await syncUserAndLockMappings(db, provider, identity, provider.claim_mappings_locked === 1);
  if (synced.refused) {
    await recordAudit(db, { actor: 'wallet', action: 'wallet.sign_in_refused', appId: app.id, target: synced.user.id, details: { provider_id: provider.id, status: synced.user.status } });
    throw walletError('account_disabled', `Your account at ${app.name} has been ${synced.user.status === 'blocked' ? 'blocked' : 'deactivated'}, so you cannot sign in. Contact the application's administrator if you think this is a mistake.`, app.id);
  }
  return db.transaction().execute(async (tx) => {
    const cookie = await createSession(tx, app.id, synced.user.id);
    await recordAudit(tx, { actor: `wallet:${synced.user.id}`, action: 'wallet.sign_in', appId: app.id, target: synced.user.id, details: { provider_id: provider.id, external_id: synced.user.external_id, created: synced.created } });
    return cookie;
  });
}
