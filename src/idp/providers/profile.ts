// The shape of one provider module: how to recognise the provider (by host name, and by the
// discovery document's shape so that custom domains are recognised too), which claims to suggest,
// which webhook scheme it speaks and which quirks to warn about.
export type ProviderType = 'auth0' | 'clerk' | 'okta' | 'custom_oidc';
export type WebhookSchemeName = 'svix' | 'auth0_log_stream' | 'okta_event_hook' | 'authorization_header';

export interface ClaimMappings {
  user_id_claim: string;
  group_claim: string | null;
  role_claim: string | null;
}

export interface Warning {
  code: string;
  message: string;
}

/** What detection looks at: the issuer URL and the discovery document as fetched. */
export interface DiscoveredDocument {
  issuer: URL;
  doc: Record<string, unknown>;
}

export interface ProviderProfile {
  providerType: ProviderType;
  /** Finer name for well-known providers behind `custom_oidc`; null for the named types and generic. */
  detectedAs: string | null;
  /** Host names the provider serves issuers on. */
  hosts: RegExp[];
  /** Recognises the provider by its document alone (custom domains, self-hosting). */
  shape(d: DiscoveredDocument): boolean;
  claims(d: DiscoveredDocument): ClaimMappings;
  webhookScheme: WebhookSchemeName;
  warnings(d: DiscoveredDocument): Warning[];
}

/** Path of an endpoint URL in the document, or null when absent or not a URL. */
export function endpointPath(doc: Record<string, unknown>, field: string): string | null {
  const value = doc[field];
  if (typeof value !== 'string') return null;
  try {
    return new URL(value).pathname;
  } catch {
    return null;
  }
}

export function stringList(doc: Record<string, unknown>, field: string): string[] {
  const value = doc[field];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export const SUB_ONLY: ClaimMappings = { user_id_claim: 'sub', group_claim: null, role_claim: null };
