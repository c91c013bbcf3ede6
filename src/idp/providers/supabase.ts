// Supabase Auth: https://<ref>.supabase.co/auth/v1 (or a custom domain), JWKS at
// /auth/v1/.well-known/jwks.json. Projects still on the legacy shared secret sign with HS256.
import { endpointPath, type ProviderProfile } from './profile.js';

export const supabase: ProviderProfile = {
  providerType: 'custom_oidc',
  detectedAs: 'supabase',
  hosts: [/\.supabase\.co$/],
  shape: ({ issuer, doc }) => /\/auth\/v1\/?$/.test(issuer.pathname) && (endpointPath(doc, 'jwks_uri') ?? '').endsWith('/auth/v1/.well-known/jwks.json'),
  claims: () => ({ user_id_claim: 'sub', group_claim: null, role_claim: 'app_metadata.roles' }),
  webhookScheme: 'authorization_header',
  warnings: () => [
    {
      code: 'supabase_asymmetric_keys',
      message: 'Supabase projects verify locally only with asymmetric JWT signing keys (RS256/ES256); projects on the legacy HS256 secret must migrate first. The role claim is the database role; app roles live in app_metadata.',
    },
  ],
};
