// Any standards-compliant OpenID Provider: sub, plus groups / roles when the document says its
// tokens can carry them.
import { stringList, type ProviderProfile } from './profile.js';

export const generic: ProviderProfile = {
  providerType: 'custom_oidc',
  detectedAs: null,
  hosts: [],
  shape: () => true,
  claims: ({ doc }) => {
    const claims = stringList(doc, 'claims_supported');
    return {
      user_id_claim: 'sub',
      group_claim: claims.includes('groups') ? 'groups' : null,
      role_claim: claims.includes('roles') ? 'roles' : null,
    };
  },
  webhookScheme: 'authorization_header',
  warnings: () => [],
};
