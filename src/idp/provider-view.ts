// The provider object of CONTRACT §5, built in this one place from the stored rows. The wallet
// client secret is never part of it: only whether credentials exist and how they were checked.
import type { Selectable } from 'kysely';
import type { IdentityProvidersTable, WebhooksTable } from '../store/schema.js';
import type { ClaimMappings } from './providers/index.js';

export interface ProviderView {
  id: string;
  app_id: string;
  provider_type: string;
  issuer: string;
  jwks_uri: string;
  audience: string | null;
  claim_mappings: ClaimMappings;
  claim_mappings_locked: boolean;
  wallet: null | { client_id: string; verification: string; redirect_uris: string[]; logout_url: string };
  webhook: { enabled: boolean; url: string };
  created_at: string;
}

/** Where the provider sends the browser back with the authorization code. */
export function walletCallbackUrl(settings: { publicUrl: string }): string {
  return `${settings.publicUrl}/wallet/callback`;
}

/** Every callback the provider must allow for wallet sign-in. */
export function walletRedirectUris(settings: { publicUrl: string }): string[] {
  return [walletCallbackUrl(settings)];
}

/** Where the provider may send the browser after sign-out. */
export function walletLogoutUrl(settings: { publicUrl: string }): string {
  return `${settings.publicUrl}/wallet/sign-in`;
}

export function webhookUrl(settings: { publicUrl: string }, providerId: string): string {
  return `${settings.publicUrl}/v1/webhooks/idp/${providerId}`;
}

export function providerView(
  row: Selectable<IdentityProvidersTable>,
  webhookRow: Pick<Selectable<WebhooksTable>, 'enabled'> | undefined,
  settings: { publicUrl: string },
): ProviderView {
  return {
    id: row.id,
    app_id: row.app_id,
    provider_type: row.provider_type,
    issuer: row.issuer,
    jwks_uri: row.jwks_uri,
    audience: row.audience,
    claim_mappings: { user_id_claim: row.user_id_claim, group_claim: row.group_claim, role_claim: row.role_claim },
    claim_mappings_locked: row.claim_mappings_locked === 1,
    wallet: row.wallet_client_id
      ? {
          client_id: row.wallet_client_id,
          verification: row.wallet_verification ?? 'unverified',
          redirect_uris: walletRedirectUris(settings),
          logout_url: walletLogoutUrl(settings),
        }
      : null,
    webhook: { enabled: webhookRow?.enabled === 1, url: webhookUrl(settings, row.id) },
    created_at: row.created_at,
  };
}
