// /wallet/callback as a chain of small steps, each of which either passes or ends the sign-in with
// a page that says what happened: the flow (state known, bound to this browser, not expired), the
// provider's own answer (an error such as access_denied), the code exchange, the ID token, and —
// all in one transaction, so a refusal leaves nothing behind — the user and the session.
import type { FastifyBaseLogger } from 'fastify';
import type { ServerContext } from '../server/context.js';
import { safeEqual, sha256Hex } from '../crypto/tokens.js';
import { walletCallbackUrl } from '../idp/provider-view.js';
import { findWallet, requireWallet, type WalletContext } from './context.js';
import { appIdFromState, consumeFlow, type ConsumedFlow } from './flows.js';
import { verifyIdToken } from './id-token.js';
import { walletError } from './problems.js';
import { exchangeCode } from './token-exchange.js';
import { signInUser } from './sign-in-user.js';

export interface CallbackQuery {
  state?: string | undefined;
  code?: string | undefined;
  error?: string | undefined;
  error_description?: string | undefined;
}

const PROVIDER_ERRORS: Record<string, string> = {
  access_denied: 'The sign-in was cancelled at the provider, or access was denied. You are not signed in.',
  login_required: 'The provider needs you to sign in again.',
  consent_required: 'The provider needs your consent before you can sign in.',
  interaction_required: 'The provider needs you to complete a step before you can sign in.',
  temporarily_unavailable: 'The provider is temporarily unavailable. Please try again in a moment.',
  server_error: 'The provider ran into a problem. Please try again in a moment.',
};

/** A "Try again" target for a callback whose flow is gone: the app named in the state, if it has a wallet. */
async function retryAppFor(ctx: ServerContext, state: string): Promise<string | null> {
  const appId = appIdFromState(state);
  if (!appId || !/^[A-Za-z0-9_-]{1,64}$/.test(appId)) return null;
  return (await findWallet(ctx, appId)) ? appId : null;
}

async function takeFlow(ctx: ServerContext, state: string | undefined, bindingCookie: string | undefined): Promise<ConsumedFlow> {
  if (!state) throw walletError('flow_unknown', 'This page was opened without a sign-in in progress. Start the sign-in again.');
  const flow = await consumeFlow(ctx.store.db, ctx.sealer, state);
  if (!flow) {
    throw walletError('flow_unknown', 'It was already used, or was not issued by alter: for your safety each sign-in link works only once.', await retryAppFor(ctx, state));
  }
  if (!bindingCookie || !safeEqual(sha256Hex(bindingCookie), flow.bindingHash)) {
    throw walletError('flow_unknown', 'This sign-in was started in a different browser (or its cookies were cleared), so it cannot be finished here.', flow.appId);
  }
  if (flow.expired) throw walletError('flow_expired', 'The sign-in was not finished within 10 minutes, so it has expired. Nothing was changed.', flow.appId);
  return flow;
}

function providerRefusal(flow: ConsumedFlow, error: string, description: string | undefined): never {
  const known = PROVIDER_ERRORS[error];
  const said = description ? ` The provider said: “${description.slice(0, 300)}”.` : '';
  throw walletError('provider_error', known ? `${known}${said}` : `The provider ended the sign-in with the error “${error.slice(0, 100)}”.${said}`, flow.appId);
}

export async function completeSignIn(ctx: ServerContext, q: CallbackQuery, bindingCookie: string | undefined, log: FastifyBaseLogger): Promise<{ appId: string; sessionCookie: string }> {
  const flow = await takeFlow(ctx, q.state, bindingCookie);
  if (q.error) providerRefusal(flow, q.error, q.error_description);
  if (!q.code) throw walletError('bad_request', 'The provider sent you back without a sign-in code.', flow.appId);
  const wallet: WalletContext = await requireWallet(ctx, flow.appId);
  const idToken = await exchangeCode({
    endpoints: wallet.endpoints,
    clientId: wallet.provider.wallet_client_id,
    clientSecret: ctx.sealer.open(wallet.provider.wallet_client_secret, wallet.provider.id),
    code: q.code,
    codeVerifier: flow.codeVerifier,
    redirectUri: walletCallbackUrl(ctx.settings),
    allowPrivate: ctx.settings.allowPrivateIssuers,
    appId: wallet.app.id,
  });
  const verified = await verifyIdToken(wallet, idToken, flow.nonce, { allowPrivate: ctx.settings.allowPrivateIssuers, log });
  const sessionCookie = await signInUser(ctx, wallet, verified, log);
  return { appId: wallet.app.id, sessionCookie };
}
