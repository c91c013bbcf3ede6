// Provider detection, table-driven: the first profile whose host names match wins; failing that,
// the first whose document shape matches (custom domains); failing that, the generic profile.
import { auth0 } from './auth0.js';
import { clerk } from './clerk.js';
import { okta } from './okta.js';
import { keycloak } from './keycloak.js';
import { entraId } from './entra-id.js';
import { cognito } from './cognito.js';
import { google } from './google.js';
import { firebase } from './firebase.js';
import { supabase } from './supabase.js';
import { workos } from './workos.js';
import { generic } from './generic.js';
import type { DiscoveredDocument, ProviderProfile } from './profile.js';

export type { ClaimMappings, ProviderProfile, ProviderType, Warning, WebhookSchemeName } from './profile.js';

const PROFILES: ProviderProfile[] = [auth0, clerk, okta, keycloak, entraId, cognito, google, firebase, supabase, workos];

export function detectProvider(d: DiscoveredDocument): ProviderProfile {
  const host = d.issuer.hostname.toLowerCase();
  return PROFILES.find((p) => p.hosts.some((h) => h.test(host))) ?? PROFILES.find((p) => p.shape(d)) ?? generic;
}
