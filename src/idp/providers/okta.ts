// Okta: <org>.okta.com (also oktapreview.com, okta-emea.com) or a custom domain. Recognised by its
// /oauth2/[<server>/]v1/ endpoint layout and its okta_post_message response mode. The org
// authorization server (issuer without /oauth2/…) issues access tokens only Okta can verify.
import { endpointPath, stringList, type ProviderProfile } from './profile.js';

function isOrgAuthorizationServer(issuer: URL): boolean {
  return !/\/oauth2\/[^/]+$/.test(issuer.pathname.replace(/\/+$/, ''));
}

export const okta: ProviderProfile = {
  providerType: 'okta',
  detectedAs: null,
  hosts: [/\.okta\.com$/, /\.oktapreview\.com$/, /\.okta-emea\.com$/, /\.okta-gov\.com$/],
  shape: ({ doc }) =>
    stringList(doc, 'response_modes_supported').includes('okta_post_message') ||
    /^\/oauth2\/([^/]+\/)?v1\/keys$/.test(endpointPath(doc, 'jwks_uri') ?? ''),
  claims: () => ({ user_id_claim: 'sub', group_claim: 'groups', role_claim: null }),
  webhookScheme: 'okta_event_hook',
  warnings: ({ issuer }) => {
    const warnings = [
      {
        code: 'okta_groups_claim',
        message: 'Okta includes a groups claim only when the authorization server has a groups claim configured (Security → API → Authorization Servers → Claims).',
      },
    ];
    if (isOrgAuthorizationServer(issuer)) {
      warnings.unshift({
        code: 'okta_org_authorization_server',
        message: `This is Okta's org authorization server: its access tokens cannot be verified outside Okta. Use a custom authorization server (e.g. ${issuer.origin}/oauth2/default) for API tokens, or send ID tokens.`,
      });
    }
    return warnings;
  },
};
