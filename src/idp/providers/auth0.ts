// Auth0: issuers end in `/`; tenants at <tenant>[.<region>].auth0.com or on a custom domain.
// Recognised on custom domains by its endpoint layout and Auth0-only fields (mfa_challenge_endpoint,
// /oauth/device/code, /oidc/logout).
import { endpointPath, SUB_ONLY, type ProviderProfile } from './profile.js';

export const auth0: ProviderProfile = {
  providerType: 'auth0',
  detectedAs: null,
  hosts: [/\.auth0\.com$/],
  shape: ({ doc }) =>
    endpointPath(doc, 'authorization_endpoint') === '/authorize' &&
    endpointPath(doc, 'token_endpoint') === '/oauth/token' &&
    ('mfa_challenge_endpoint' in doc || endpointPath(doc, 'device_authorization_endpoint') === '/oauth/device/code' || endpointPath(doc, 'end_session_endpoint') === '/oidc/logout'),
  claims: () => SUB_ONLY,
  webhookScheme: 'auth0_log_stream',
  warnings: ({ issuer }) => [
    {
      code: 'auth0_namespaced_claims',
      message:
        'Auth0 strips custom claims that are not namespaced: add groups or roles to tokens with an Action under a URL-named claim (e.g. https://your-app.example/groups) and pass it as --group-claim / --role-claim.',
    },
    {
      code: 'auth0_custom_domain_issuer',
      message: `Tokens obtained through an Auth0 custom domain carry that domain as their issuer: configure the issuer your tokens' iss actually holds (this one is ${issuer.href}).`,
    },
  ],
};
