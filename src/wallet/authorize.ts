// The front-channel addresses of the flow: where the browser goes to sign in (authorization code
// with PKCE S256, state and nonce) and where it goes to sign out at the provider.
import type { ServerSettings } from '../server/context.js';
import type { WalletContext } from './context.js';
import type { NewFlow } from './flows.js';
import { walletCallbackUrl, walletLogoutUrl } from '../idp/provider-view.js';

/**
 * `openid email profile`, plus `groups` when the provider offers that scope and a group claim is
 * mapped: providers such as Okta put groups in tokens only when it is asked for.
 */
export function scopeFor(wallet: WalletContext): string {
  const scopes = ['openid', 'email', 'profile'];
  if (wallet.provider.group_claim && wallet.endpoints.scopesSupported?.includes('groups')) scopes.push('groups');
  return scopes.join(' ');
}

export function authorizationUrl(wallet: WalletContext, settings: ServerSettings, flow: NewFlow): string {
  const url = new URL(wallet.endpoints.authorizationEndpoint);
  const params = {
    response_type: 'code',
    client_id: wallet.provider.wallet_client_id,
    redirect_uri: walletCallbackUrl(settings),
    scope: scopeFor(wallet),
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: flow.codeChallenge,
    code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/**
 * RP-initiated logout. `state` carries the app id so the sign-in page the provider returns to
 * (the fixed `logout_url`, which cannot name an app) knows which wallet to show.
 */
export function endSessionUrl(wallet: WalletContext, settings: ServerSettings): string | null {
  if (!wallet.endpoints.endSessionEndpoint) return null;
  const url = new URL(wallet.endpoints.endSessionEndpoint);
  url.searchParams.set('client_id', wallet.provider.wallet_client_id);
  url.searchParams.set('post_logout_redirect_uri', walletLogoutUrl(settings));
  url.searchParams.set('state', wallet.app.id);
  return url.toString();
}
