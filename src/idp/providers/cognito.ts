// Amazon Cognito user pools: https://cognito-idp.<region>.amazonaws.com/<region>_<id>. Groups are
// in cognito:groups.
import type { ProviderProfile } from './profile.js';

export const cognito: ProviderProfile = {
  providerType: 'custom_oidc',
  detectedAs: 'cognito',
  hosts: [/^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/],
  shape: ({ issuer, doc }) =>
    /^\/[a-z]{2}(-[a-z]+)+-\d_[A-Za-z0-9]+$/.test(issuer.pathname) || /\.amazoncognito\.com$/.test(hostOf(doc.authorization_endpoint)),
  claims: () => ({ user_id_claim: 'sub', group_claim: 'cognito:groups', role_claim: null }),
  webhookScheme: 'authorization_header',
  warnings: () => [
    {
      code: 'cognito_access_token_audience',
      message: 'Cognito access tokens carry no aud claim (the app client id is in client_id); ID tokens carry it in aud. Set --audience only when you send ID tokens.',
    },
  ],
};

function hostOf(value: unknown): string {
  try {
    return typeof value === 'string' ? new URL(value).hostname : '';
  } catch {
    return '';
  }
}
