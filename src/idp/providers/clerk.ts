// Clerk: frontend API at <slug>.clerk.accounts.dev (development) or clerk.<your domain>
// (production). Recognised by its OAuth endpoint layout (/oauth/token_info, /oauth/token/revoke)
// and its metadata scopes.
import { endpointPath, stringList, type ProviderProfile } from './profile.js';

export const clerk: ProviderProfile = {
  providerType: 'clerk',
  detectedAs: null,
  hosts: [/\.clerk\.accounts\.dev$/, /^clerk\./, /\.clerk\.com$/],
  shape: ({ doc }) =>
    endpointPath(doc, 'authorization_endpoint') === '/oauth/authorize' &&
    endpointPath(doc, 'token_endpoint') === '/oauth/token' &&
    (endpointPath(doc, 'introspection_endpoint') === '/oauth/token_info' || stringList(doc, 'scopes_supported').includes('public_metadata')),
  // Organisation membership arrives as org_slug / org_role (or a JWT template's own claim).
  claims: () => ({ user_id_claim: 'sub', group_claim: 'org_slug', role_claim: 'org_role' }),
  webhookScheme: 'svix',
  warnings: () => [
    {
      code: 'clerk_no_audience',
      message: 'Clerk session tokens carry no aud claim (the requesting origin is in azp): leave --audience unset unless your JWT template adds one.',
    },
    {
      code: 'clerk_organization_claims',
      message: 'Clerk puts the active organisation in org_slug / org_role only when the user has one selected; a JWT template can carry all memberships under a claim of your choice (pass it as --group-claim).',
    },
  ],
};
