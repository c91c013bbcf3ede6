// Checks wallet client credentials before they are saved, with a request that cannot grant
// anything: an authorization-code exchange with a code that was never issued. The provider must
// authenticate the client before it looks at the code (RFC 6749 §3.2.1, §5.2), so its answer says
// whether the credentials are good without signing anybody in:
//   invalid_client / HTTP 401        → the credentials are wrong: refuse, save nothing;
//   invalid_grant, unauthorized_client, … → the client authenticated: verified;
//   timeout, connection failure, 5xx, anything else → inconclusive: save as "unverified" and say so.
import { randomBytes } from 'node:crypto';
import { AlterError } from '../errors.js';
import { OutboundError, safeFetch, type SafeResponse } from '../net/safe-fetch.js';
import { outboundFailure } from './discovery.js';
import { authenticateClient, clientAuthMethod } from './client-auth.js';

export type WalletVerification = 'verified' | 'unverified';

export interface ProbeResult {
  verification: WalletVerification;
  /** Why the check was inconclusive, for the operator (stderr); null when verified. */
  notice: string | null;
}

export interface ProbeInput {
  document: Record<string, unknown>;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  allowPrivate: boolean;
}

// Errors a provider only returns after the client has authenticated.
const AUTHENTICATED_ERRORS = new Set(['invalid_grant', 'unauthorized_client', 'invalid_scope', 'unsupported_grant_type']);
const PROBE_TIMEOUT_MS = 10_000;

function unverified(reason: string): ProbeResult {
  return { verification: 'unverified', notice: `The wallet credentials could not be verified (${reason}); they were saved unverified — check them with a wallet sign-in.` };
}

export async function probeWalletCredentials(input: ProbeInput): Promise<ProbeResult> {
  const tokenEndpoint = input.document.token_endpoint;
  if (typeof tokenEndpoint !== 'string') return unverified('the discovery document has no token_endpoint');
  const method = clientAuthMethod(input.document);
  if (!method) return unverified('the provider supports neither client_secret_basic nor client_secret_post');

  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: `alter-credential-check-${randomBytes(16).toString('hex')}`,
    redirect_uri: input.redirectUri,
    code_verifier: randomBytes(32).toString('base64url'),
  });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  authenticateClient(method, input.clientId, input.clientSecret, headers, form);

  let res: SafeResponse;
  try {
    res = await safeFetch(tokenEndpoint, { method: 'POST', headers, body: form.toString(), allowPrivate: input.allowPrivate, timeoutMs: PROBE_TIMEOUT_MS });
  } catch (err) {
    if (err instanceof OutboundError && err.kind !== 'scheme' && err.kind !== 'blocked_address') return unverified(`the token endpoint ${tokenEndpoint}: ${err.message}`);
    throw outboundFailure('the token endpoint', tokenEndpoint, err);
  }
  return classify(res, tokenEndpoint, input.clientId);
}

function classify(res: SafeResponse, tokenEndpoint: string, clientId: string): ProbeResult {
  let error: string | null = null;
  try {
    const body = res.json() as { error?: unknown };
    error = typeof body?.error === 'string' ? body.error : null;
  } catch {
    // Not JSON: judged by status alone below.
  }
  if (res.status === 401 || error === 'invalid_client') {
    throw new AlterError('wallet_credentials_rejected', `the provider rejected the wallet client credentials for client ${clientId} (${error ?? `HTTP ${res.status}`} at ${tokenEndpoint}); nothing was saved`, {
      cause: error ?? `http_${res.status}`,
    });
  }
  if (res.status >= 400 && res.status < 500 && error && AUTHENTICATED_ERRORS.has(error)) {
    return { verification: 'verified', notice: null };
  }
  if (res.status >= 500) return unverified(`the token endpoint answered HTTP ${res.status}`);
  return unverified(error ? `the token endpoint answered ${res.status} ${error}` : `the token endpoint answered HTTP ${res.status} without an OAuth error`);
}
