// Microsoft Entra ID (Azure AD) and Entra External ID: login.microsoftonline.com/<tenant>/v2.0,
// sts.windows.net, <tenant>.ciamlogin.com. Its documents carry Microsoft-only fields.
import type { ProviderProfile } from './profile.js';

export const entraId: ProviderProfile = {
  providerType: 'custom_oidc',
  detectedAs: 'entra_id',
  hosts: [/^login\.microsoftonline\.(com|us)$/, /^sts\.windows\.net$/, /\.ciamlogin\.com$/, /^login\.partner\.microsoftonline\.cn$/],
  shape: ({ doc }) => 'tenant_region_scope' in doc || 'cloud_instance_name' in doc || 'msgraph_host' in doc,
  claims: () => ({ user_id_claim: 'oid', group_claim: 'groups', role_claim: 'roles' }),
  webhookScheme: 'authorization_header',
  warnings: () => [
    {
      code: 'entra_groups_overage',
      message: 'Entra ID sends group object ids, and when a user is in more than 200 groups it sends a _claim_names overage pointer instead of the groups claim; app roles arrive in roles. The stable user id is oid (sub is pairwise per application).',
    },
  ],
};
