// The last step of a sign-in: the verified ID token's user is provisioned or updated exactly as
// /v1/identity/resolve would do it (same claim mapping, same repository, same lifecycle rules), a
// blocked or deprovisioned user is turned away with nothing written, and a session starts.
import type { ServerContext } from '../server/context.js';
import type { VerifiedToken } from '../idp/verify.js';
import { claimList, stringClaim } from '../idp/claims.js';
import { lockClaimMappings, syncUserFromToken, type TokenIdentity } from '../store/repos/users.js';
import { recordAudit } from '../store/repos/audit.js';
import type { WalletContext } from './context.js';
import { walletError } from './problems.js';
import { createSession } from './sessions.js';

function identityOf(wallet: WalletContext, verified: VerifiedToken): TokenIdentity {
  const { provider } = wallet;
  return {
    externalId: verified.userId,
    email: stringClaim(verified.claims, 'email'),
    name: stringClaim(verified.claims, 'name'),
    groups: provider.group_claim ? claimList(verified.claims, provider.group_claim) : null,
    roles: provider.role_claim ? claimList(verified.claims, provider.role_claim) : null,
    issuedAt: verified.iat,
  };
}

/** Returns the new session's cookie value. */
export async function signInUser(ctx: ServerContext, wallet: WalletContext, verified: VerifiedToken): Promise<string> {
  const { db } = ctx.store;
  const { app, provider } = wallet;
  const synced = await syncUserFromToken(db, provider, identityOf(wallet, verified), async (tx) => {
    await lockClaimMappings(tx, provider.id);
    await ctx.invalidation.bump(tx, app.id);
  });
  if (synced.refused) {
    await recordAudit(db, { actor: 'wallet', action: 'wallet.sign_in_refused', appId: app.id, target: synced.user.id, details: { provider_id: provider.id, status: synced.user.status } });
    throw walletError('account_disabled', `Your account at ${app.name} has been ${synced.user.status === 'blocked' ? 'blocked' : 'deactivated'}, so you cannot sign in. Contact the application's administrator if you think this is a mistake.`, app.id);
  }
  if (synced.written) ctx.invalidation.notifyLocal(app.id);
  return db.transaction().execute(async (tx) => {
    const cookie = await createSession(tx, app.id, synced.user.id);
    await recordAudit(tx, { actor: `wallet:${synced.user.id}`, action: 'wallet.sign_in', appId: app.id, target: synced.user.id, details: { provider_id: provider.id, external_id: synced.user.external_id, created: synced.created } });
    return cookie;
  });
}
