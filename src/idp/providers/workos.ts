// WorkOS AuthKit: https://api.workos.com/user_management/<client id> or <name>.authkit.app; keys at
// /sso/jwks/<client id> (not under the issuer). Access tokens carry org_id and role.
import { endpointPath, type ProviderProfile } from './profile.js';

export const workos: ProviderProfile = {
  providerType: 'custom_oidc',
  detectedAs: 'workos',
  hosts: [/^api\.workos\.com$/, /\.authkit\.app$/],
  shape: ({ issuer, doc }) => /^\/sso\/jwks\/client_[A-Za-z0-9]+$/.test(endpointPath(doc, 'jwks_uri') ?? '') || /^\/user_management\/client_[A-Za-z0-9]+$/.test(issuer.pathname),
  claims: () => ({ user_id_claim: 'sub', group_claim: 'org_id', role_claim: 'role' }),
  webhookScheme: 'authorization_header',
  warnings: () => [],
};
