// The ID token the provider returned for this sign-in, checked like any end user's token (same
// verifier, same JWKS cache as resolution) with the audience set to the wallet's client id, plus
// what OpenID Connect adds for ID tokens: the nonce of this flow, a required iat, and azp when
// there are several audiences.
import type { FastifyBaseLogger } from 'fastify';
import { issuerKeys } from '../idp/jwks-cache.js';
import { isFailure, policyFor, verifyJwt, type VerifiedToken } from '../idp/verify.js';
import { safeEqual } from '../crypto/tokens.js';
import type { WalletContext } from './context.js';
import { walletError } from './problems.js';

export async function verifyIdToken(wallet: WalletContext, idToken: string, nonce: string, opts: { allowPrivate: boolean; log: FastifyBaseLogger }): Promise<VerifiedToken> {
  const { provider, app } = wallet;
  const clientId = provider.wallet_client_id;
  const keys = issuerKeys(provider, opts);
  const result = await verifyJwt(idToken, { ...policyFor(provider), audience: clientId }, keys);
  const refuse = (reason: string, detail: string): never => {
    // The detail names claims and kids, never the token; it helps an operator reading the log.
    opts.log.warn({ app_id: app.id, provider_id: provider.id, reason, detail }, 'wallet sign-in refused: ID token failed verification');
    throw walletError('id_token', `The provider's answer did not pass alter's checks (${reason.replace(/_/g, ' ')}), so you were not signed in.`, app.id);
  };
  if (isFailure(result)) return refuse(result.reason, result.detail);
  const claimed = result.claims.nonce;
  if (typeof claimed !== 'string' || !safeEqual(claimed, nonce)) return refuse('nonce_mismatch', 'the nonce is missing or belongs to another sign-in');
  if (result.iat === null) return refuse('missing_claim', 'iat is missing; ID tokens must carry it');
  const aud = result.claims.aud;
  if (Array.isArray(aud) && aud.length > 1 && result.claims.azp !== clientId) return refuse('audience_mismatch', 'several audiences and azp is not the wallet client id');
  return result;
}
