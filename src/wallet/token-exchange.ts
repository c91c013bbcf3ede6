// The back-channel half of the authorization code flow: trade the code (plus the PKCE verifier) for
// tokens at the provider's token endpoint, authenticating with the wallet's client secret in the
// way the provider supports. Through safeFetch like every outbound call. Only the ID token is kept;
// nothing here is ever logged.
import { OutboundError, safeFetch } from '../net/safe-fetch.js';
import { authenticateClient } from '../idp/client-auth.js';
import type { WalletEndpoints } from './endpoints.js';
import { walletError } from './problems.js';

export interface CodeExchange {
  endpoints: WalletEndpoints;
  clientId: string;
  clientSecret: string;
  code: string;
  codeVerifier: string;
  redirectUri: string;
  allowPrivate: boolean;
  appId: string;
}

function oauthError(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const e = (body as Record<string, unknown>).error;
  return typeof e === 'string' ? e : null;
}

/** Returns the ID token (compact JWT) the provider issued for this code. */
export async function exchangeCode(x: CodeExchange): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'authorization_code', code: x.code, redirect_uri: x.redirectUri, code_verifier: x.codeVerifier });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  authenticateClient(x.endpoints.tokenAuthMethod, x.clientId, x.clientSecret, headers, form);

  let res;
  try {
    res = await safeFetch(x.endpoints.tokenEndpoint, { method: 'POST', headers, body: form.toString(), allowPrivate: x.allowPrivate });
  } catch (err) {
    if (err instanceof OutboundError) {
      throw walletError('token_exchange', `alter could not reach the provider to finish the sign-in (${err.kind}). Please try again in a moment.`, x.appId);
    }
    throw err;
  }

  let body: unknown;
  try {
    body = res.json();
  } catch {
    body = null;
  }
  if (res.status !== 200) {
    const error = oauthError(body);
    if (error === 'invalid_grant') {
      throw walletError('provider_error', 'The provider did not accept the sign-in code: it was already used or has expired.', x.appId, 'rejected');
    }
    if (error === 'invalid_client' || error === 'unauthorized_client') {
      throw walletError('token_exchange', 'The provider refused this wallet’s client credentials. An administrator needs to update them.', x.appId, 'rejected');
    }
    throw walletError('token_exchange', `The provider answered the sign-in with an error (HTTP ${res.status}${error ? `, ${error}` : ''}). Please try again.`, x.appId);
  }
  const idToken = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).id_token : undefined;
  if (typeof idToken !== 'string' || !idToken) {
    throw walletError('id_token', 'The provider finished the sign-in without an ID token, so alter cannot tell who you are.', x.appId);
  }
  return idToken;
}
