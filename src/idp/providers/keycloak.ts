// Keycloak (and Red Hat build of Keycloak): issuers at …/realms/<realm>, endpoints under
// /protocol/openid-connect/. Realm roles sit in realm_access.roles; groups need a group mapper.
import { endpointPath, type ProviderProfile } from './profile.js';

export const keycloak: ProviderProfile = {
  providerType: 'custom_oidc',
  detectedAs: 'keycloak',
  hosts: [],
  shape: ({ issuer, doc }) => /\/realms\/[^/]+\/?$/.test(issuer.pathname) && (endpointPath(doc, 'token_endpoint') ?? '').endsWith('/protocol/openid-connect/token'),
  claims: () => ({ user_id_claim: 'sub', group_claim: 'groups', role_claim: 'realm_access.roles' }),
  webhookScheme: 'authorization_header',
  warnings: () => [
    {
      code: 'keycloak_groups_mapper',
      message: 'Keycloak puts group membership in tokens only with a "Group Membership" mapper on the client scope (claim name groups); realm roles are in realm_access.roles.',
    },
  ],
};
