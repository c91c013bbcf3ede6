// What the wallet needs from a provider's stored discovery document, read once per request: where
// to send the browser, where to exchange the code, how to authenticate there, and where to end the
// provider's session.
import type { ProviderRow } from '../store/repos/identity-providers.js';
import { clientAuthMethod, type ClientAuthMethod } from '../idp/client-auth.js';

export interface WalletEndpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  endSessionEndpoint: string | null;
  scopesSupported: string[] | null;
  tokenAuthMethod: ClientAuthMethod;
}

function stringField(doc: Record<string, unknown>, name: string): string | null {
  const v = doc[name];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function listField(doc: Record<string, unknown>, name: string): string[] | null {
  const v = doc[name];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : null;
}

/** Null when the document lacks an authorization or token endpoint: such a provider cannot do interactive sign-in. */
export function walletEndpoints(row: ProviderRow): WalletEndpoints | null {
  let doc: unknown;
  try {
    doc = JSON.parse(row.discovery);
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const d = doc as Record<string, unknown>;
  const authorizationEndpoint = stringField(d, 'authorization_endpoint');
  const tokenEndpoint = stringField(d, 'token_endpoint');
  if (!authorizationEndpoint || !tokenEndpoint) return null;
  return {
    authorizationEndpoint,
    tokenEndpoint,
    endSessionEndpoint: stringField(d, 'end_session_endpoint'),
    scopesSupported: listField(d, 'scopes_supported'),
    // A provider listing no secret-based method was already flagged by the credential probe at
    // create; basic is what the standards default to.
    tokenAuthMethod: clientAuthMethod(d) ?? 'client_secret_basic',
  };
}
