// The name end users know their identity provider by, for "Sign in with …".
import type { ProviderRow } from '../store/repos/identity-providers.js';

const NAMES: Record<string, string> = {
  auth0: 'Auth0',
  clerk: 'Clerk',
  okta: 'Okta',
  keycloak: 'Keycloak',
  entra_id: 'Microsoft Entra ID',
  cognito: 'Amazon Cognito',
  google: 'Google',
  firebase: 'Firebase',
  supabase: 'Supabase',
  workos: 'WorkOS',
};

/** A known product name, else the issuer's host (what the user will see in the address bar next). */
export function providerDisplayName(row: Pick<ProviderRow, 'provider_type' | 'detected_as' | 'issuer'>): string {
  const known = (row.detected_as && NAMES[row.detected_as]) ?? NAMES[row.provider_type];
  if (known) return known;
  try {
    return new URL(row.issuer).host;
  } catch {
    return row.issuer;
  }
}
