// Google accounts (https://accounts.google.com). Only hosted by Google: recognised by host.
import { SUB_ONLY, type ProviderProfile } from './profile.js';

export const google: ProviderProfile = {
  providerType: 'custom_oidc',
  detectedAs: 'google',
  hosts: [/^accounts\.google\.com$/],
  shape: () => false,
  claims: () => SUB_ONLY,
  webhookScheme: 'authorization_header',
  warnings: () => [
    {
      code: 'google_no_groups',
      message: 'Google ID tokens carry no group or role claims; Google access tokens are opaque and cannot be verified here. Send ID tokens.',
    },
  ],
};
