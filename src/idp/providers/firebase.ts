// Firebase Authentication / Google Identity Platform: https://securetoken.google.com/<project>,
// keys published by the securetoken service account.
import { SUB_ONLY, type ProviderProfile } from './profile.js';

export const firebase: ProviderProfile = {
  providerType: 'custom_oidc',
  detectedAs: 'firebase',
  hosts: [/^securetoken\.google\.com$/],
  shape: ({ doc }) => typeof doc.jwks_uri === 'string' && doc.jwks_uri.includes('securetoken@system.gserviceaccount.com'),
  claims: () => SUB_ONLY,
  webhookScheme: 'authorization_header',
  warnings: () => [
    {
      code: 'firebase_custom_claims',
      message: 'Firebase ID tokens carry groups or roles only as custom claims you set with the Admin SDK; their audience is the Firebase project id.',
    },
  ],
};
