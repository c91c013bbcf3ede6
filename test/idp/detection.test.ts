// Provider detection on real-shaped documents: by the provider's own host name, and on custom
// domains by the document's shape alone.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { detectProvider } from '../../src/idp/providers/index.js';
import { cleanupAll } from '../helpers/env.js';

after(cleanupAll);

function fixture(name: string, base: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/discovery/${name}`, import.meta.url), 'utf8').replaceAll('{{BASE}}', base)) as Record<string, unknown>;
}

function detect(doc: Record<string, unknown>) {
  const profile = detectProvider({ issuer: new URL(String(doc.issuer)), doc });
  const d = { issuer: new URL(String(doc.issuer)), doc };
  return { type: profile.providerType, as: profile.detectedAs, claims: profile.claims(d), scheme: profile.webhookScheme, warnings: profile.warnings(d).map((w) => w.code) };
}

describe('the fixture documents', () => {
  const cases = [
    { file: 'auth0-tenant.json', hosts: ['https://dev-acme.us.auth0.com', 'https://login.acme-custom.example'], type: 'auth0', as: null, scheme: 'auth0_log_stream', groups: null, warn: 'auth0_namespaced_claims' },
    { file: 'clerk-dev.json', hosts: ['https://happy-cat-12.clerk.accounts.dev', 'https://auth.acme-custom.example'], type: 'clerk', as: null, scheme: 'svix', groups: 'org_slug', warn: 'clerk_no_audience' },
    { file: 'okta-org.json', hosts: ['https://acme.okta.com', 'https://id.acme-custom.example'], type: 'okta', as: null, scheme: 'okta_event_hook', groups: 'groups', warn: 'okta_org_authorization_server' },
    { file: 'okta-custom-default.json', hosts: ['https://acme.okta.com', 'https://id.acme-custom.example'], type: 'okta', as: null, scheme: 'okta_event_hook', groups: 'groups', warn: 'okta_groups_claim' },
    { file: 'keycloak.json', hosts: ['https://sso.acme-custom.example', 'http://127.0.0.1:8080'], type: 'custom_oidc', as: 'keycloak', scheme: 'authorization_header', groups: 'groups', warn: 'keycloak_groups_mapper' },
  ] as const;
  for (const c of cases) {
    for (const host of c.hosts) {
      test(`${c.file} on ${host} is ${c.as ?? c.type}`, () => {
        const r = detect(fixture(c.file, host));
        assert.equal(r.type, c.type);
        assert.equal(r.as, c.as);
        assert.equal(r.scheme, c.scheme);
        assert.equal(r.claims.user_id_claim, 'sub');
        assert.equal(r.claims.group_claim, c.groups);
        assert.ok(r.warnings.includes(c.warn), r.warnings.join(','));
      });
    }
  }

  test('Keycloak roles are suggested from realm_access.roles', () => {
    assert.equal(detect(fixture('keycloak.json', 'https://sso.example')).claims.role_claim, 'realm_access.roles');
  });

  test('only the org authorization server of Okta gets the local-verification warning', () => {
    assert.ok(!detect(fixture('okta-custom-default.json', 'https://acme.okta.com')).warnings.includes('okta_org_authorization_server'));
  });

  test('Clerk suggests its organisation role claim', () => {
    assert.equal(detect(fixture('clerk-dev.json', 'https://x.clerk.accounts.dev')).claims.role_claim, 'org_role');
  });
});

describe('other well-known providers, from their documented discovery documents', () => {
  const generic = (issuer: string, extra: Record<string, unknown> = {}) => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    ...extra,
  });

  test('Entra ID by host and, on a custom domain, by its Microsoft-only fields', () => {
    const byHost = detect(generic('https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0'));
    assert.deepEqual([byHost.type, byHost.as, byHost.claims.group_claim, byHost.claims.role_claim], ['custom_oidc', 'entra_id', 'groups', 'roles']);
    const byShape = detect(generic('https://login.acme-custom.example/tenant/v2.0', { tenant_region_scope: 'EU', cloud_instance_name: 'microsoftonline.com' }));
    assert.equal(byShape.as, 'entra_id');
  });

  test('Cognito by host and by its pool-id issuer path', () => {
    const doc = generic('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz');
    assert.deepEqual([detect(doc).as, detect(doc).claims.group_claim], ['cognito', 'cognito:groups']);
    const custom = generic('https://auth.acme-custom.example/eu-west-1_AbC123xyz', { authorization_endpoint: 'https://acme.auth.eu-west-1.amazoncognito.com/oauth2/authorize' });
    assert.equal(detect(custom).as, 'cognito');
  });

  test('Google, Firebase, Supabase and WorkOS', () => {
    assert.equal(detect(generic('https://accounts.google.com', { jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs' })).as, 'google');
    assert.equal(
      detect({ issuer: 'https://securetoken.google.com/my-project', jwks_uri: 'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com' }).as,
      'firebase',
    );
    assert.equal(detect(generic('https://abcd.supabase.co/auth/v1', { jwks_uri: 'https://abcd.supabase.co/auth/v1/.well-known/jwks.json' })).as, 'supabase');
    assert.equal(detect(generic('https://db.acme-custom.example/auth/v1', { jwks_uri: 'https://db.acme-custom.example/auth/v1/.well-known/jwks.json' })).as, 'supabase');
    const workos = detect(generic('https://api.workos.com/user_management/client_01HXYZ', { jwks_uri: 'https://api.workos.com/sso/jwks/client_01HXYZ' }));
    assert.deepEqual([workos.as, workos.claims.role_claim], ['workos', 'role']);
    assert.equal(detect(generic('https://auth.acme-custom.example', { jwks_uri: 'https://auth.acme-custom.example/sso/jwks/client_01HXYZ' })).as, 'workos');
  });

  test('anything else is generic custom_oidc, suggesting groups/roles only when the document lists them', () => {
    const plain = detect(generic('https://idp.example.org'));
    assert.deepEqual([plain.type, plain.as, plain.claims, plain.scheme], ['custom_oidc', null, { user_id_claim: 'sub', group_claim: null, role_claim: null }, 'authorization_header']);
    const rich = detect(generic('https://idp.example.org', { claims_supported: ['sub', 'groups', 'roles'] }));
    assert.deepEqual(rich.claims, { user_id_claim: 'sub', group_claim: 'groups', role_claim: 'roles' });
  });
});
