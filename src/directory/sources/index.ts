// The directory sources alter can read: the management APIs of Auth0, Clerk and Okta. Other
// providers have no management API alter knows; their directory arrives by SCIM or webhooks.
import { AlterError } from '../../errors.js';
import { auth0Source, parseAuth0Credentials, type Auth0Credentials } from './auth0.js';
import { clerkSource, parseClerkCredentials, type ClerkCredentials } from './clerk.js';
import { oktaSource, parseOktaCredentials, type OktaCredentials } from './okta.js';
import type { SourceOptions, SourceProvider } from './config.js';
import type { DirectorySource } from './source.js';

export type { SourceOptions, SourceProvider } from './config.js';
export type { Auth0Credentials, ClerkCredentials, OktaCredentials };
export type SourceCredentials = Auth0Credentials | ClerkCredentials | OktaCredentials;

/** The operator's credentials JSON for `providerType`, checked key by key (AlterError invalid_request). */
export function parseCredentials(providerType: string, raw: unknown): SourceCredentials {
  switch (providerType) {
    case 'auth0':
      return parseAuth0Credentials(raw);
    case 'clerk':
      return parseClerkCredentials(raw);
    case 'okta':
      return parseOktaCredentials(raw);
    default:
      throw new AlterError('invalid_request', `directory sync reads the management API of Auth0, Clerk or Okta; for a ${providerType} provider, keep the directory current with SCIM or webhooks instead`, { field: null });
  }
}

export function createDirectorySource(provider: SourceProvider, credentials: SourceCredentials, opts: SourceOptions): DirectorySource {
  if (credentials.provider_type !== provider.provider_type) {
    throw new AlterError('invalid_request', `the credentials are for ${credentials.provider_type}, but the provider is ${provider.provider_type}`, { field: null });
  }
  switch (credentials.provider_type) {
    case 'auth0':
      return auth0Source(provider, credentials, opts);
    case 'clerk':
      return clerkSource(provider, credentials, opts);
    case 'okta':
      return oktaSource(provider, credentials, opts);
  }
}
