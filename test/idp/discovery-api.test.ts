// POST /v1/identity-providers/discover against fixture issuers on loopback: every fixture detected,
// and every way an issuer can be wrong refused with 422 and a message that names the cause.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cleanupAll } from '../helpers/env.js';

after(cleanupAll);

describe('discover on loopback with ALTER_ALLOW_PRIVATE_ISSUERS=1', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  });
  const discover = (issuer_url: string) => s.api('POST', '/v1/identity-providers/discover', { issuer_url });

  const fixtures = [
    ['auth0-tenant.json', 'auth0', null],
    ['clerk-dev.json', 'clerk', null],
    ['okta-org.json', 'okta', null],
    ['okta-custom-default.json', 'okta', null],
    ['keycloak.json', 'custom_oidc', 'keycloak'],
  ] as const;
  for (const [template, type, as] of fixtures) {
    for (const host of ['127.0.0.1', 'localhost']) {
      test(`${template} served at ${host} is discovered as ${as ?? type}`, async () => {
        const f = await startFixtureIssuer({ template, host, algs: ['RS256', 'ES256'] });
        const r = await discover(f.issuer);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual(Object.keys(r.body), ['issuer', 'provider_type', 'detected_as', 'jwks_uri', 'authorization_endpoint', 'token_endpoint', 'signing_algorithms', 'keys', 'claim_mappings', 'webhook_scheme', 'warnings']);
        assert.equal(r.body.issuer, f.issuer);
        assert.equal(r.body.provider_type, type);
        assert.equal(r.body.detected_as, as);
        assert.equal(r.body.jwks_uri, f.jwksUri);
        assert.equal(r.body.token_endpoint, f.document.token_endpoint);
        assert.deepEqual(r.body.keys.map((k: any) => [k.kty, k.alg]), [['RSA', 'RS256'], ['EC', 'ES256']]);
        assert.ok(!r.body.signing_algorithms.some((a: string) => a.startsWith('HS')));
        for (const w of r.body.warnings) assert.match(`${w.code}:${w.message}`, /^[a-z0-9_]+:.{20,}/);
      });
    }
  }

  test('a generic issuer under a path, with RS256, ES256, PS256 and EdDSA keys', async () => {
    const f = await startFixtureIssuer({ issuerPath: '/tenants/acme', algs: ['RS256', 'ES256', 'PS256', 'EdDSA'] });
    const r = await discover(f.issuer);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.provider_type, 'custom_oidc');
    assert.deepEqual(r.body.signing_algorithms, ['RS256', 'ES256', 'PS256', 'EdDSA']);
    assert.deepEqual(r.body.keys.map((k: any) => k.kty), ['RSA', 'EC', 'RSA', 'OKP']);
    assert.deepEqual(r.body.warnings, []);
  });

  test('Auth0 given without its trailing slash: accepted, the document spelling kept, a warning says so', async () => {
    const f = await startFixtureIssuer({ template: 'auth0-tenant.json' });
    assert.ok(f.issuer.endsWith('/'));
    const r = await discover(f.issuer.slice(0, -1));
    assert.equal(r.status, 200);
    assert.equal(r.body.issuer, f.issuer);
    const w = r.body.warnings.find((x: any) => x.code === 'issuer_trailing_slash');
    assert.match(w.message, /with a trailing slash/);
  });

  test('a trailing slash given for an issuer without one is accepted the same way', async () => {
    const f = await startFixtureIssuer({ template: 'okta-org.json' });
    const r = await discover(`${f.issuer}/`);
    assert.equal(r.status, 200);
    assert.equal(r.body.issuer, f.issuer);
    assert.match(r.body.warnings.find((x: any) => x.code === 'issuer_trailing_slash').message, /without a trailing slash/);
  });

  async function refused(f: FixtureIssuer, code: string, message: RegExp, issuerUrl = f.issuer): Promise<void> {
    const r = await discover(issuerUrl);
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code);
    assert.match(r.body.error.message, message);
  }

  const docPath = '/.well-known/openid-configuration';

  test('an issuer answering HTML', async () => {
    const f = await startFixtureIssuer();
    f.override(docPath, { body: '<!doctype html><title>Sign in</title>', contentType: 'text/html' });
    await refused(f, 'discovery_failed', /not JSON \(got text\/html\)/);
  });

  test('an issuer answering 404 and 500', async () => {
    const f = await startFixtureIssuer();
    f.override(docPath, { status: 404, body: 'not found' });
    await refused(f, 'discovery_failed', /answered HTTP 404 \(is this the issuer URL/);
    f.override(docPath, { status: 500, body: '{}' });
    await refused(f, 'discovery_failed', /answered HTTP 500/);
  });

  test('an issuer redirecting to a private address', async () => {
    const f = await startFixtureIssuer();
    f.override(docPath, { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } });
    await refused(f, 'discovery_failed', /302 redirecting to http:\/\/169\.254\.169\.254.*not followed/);
  });

  test('a 10 MB discovery document', async () => {
    const f = await startFixtureIssuer();
    f.override(docPath, { body: JSON.stringify({ issuer: f.issuer, padding: 'x'.repeat(10 * 1024 * 1024) }) });
    await refused(f, 'discovery_failed', /larger than 1 MiB/);
  });

  test('an issuer that never answers fails after 10 s, not minutes', async () => {
    const f = await startFixtureIssuer();
    f.override(docPath, { delayMs: 60_000 });
    const started = Date.now();
    await refused(f, 'discovery_failed', /did not answer within 10 s/);
    const took = Date.now() - started;
    assert.ok(took >= 9_500 && took < 15_000, `took ${took} ms`);
  });

  test('a closed port is a connection failure', async () => {
    const f = await startFixtureIssuer();
    await f.close();
    await refused(f, 'discovery_failed', /could not connect .*ECONNREFUSED/);
  });

  test('a name that does not resolve is a DNS failure', async () => {
    const r = await discover('https://no-such-issuer.invalid');
    assert.equal(r.status, 422);
    assert.equal(r.body.error.code, 'discovery_failed');
    assert.match(r.body.error.message, /DNS lookup of no-such-issuer\.invalid failed/);
  });

  test('a document whose issuer is another host', async () => {
    const f = await startFixtureIssuer();
    f.override(docPath, { body: JSON.stringify({ ...f.document, issuer: 'https://evil.example' }) });
    await refused(f, 'discovery_failed', /issuer mismatch: .* says its issuer is "https:\/\/evil\.example", not "http:\/\/127\.0\.0\.1:\d+"/);
  });

  test('a document without jwks_uri', async () => {
    const f = await startFixtureIssuer();
    const { jwks_uri: _, ...doc } = f.document;
    f.override(docPath, { body: JSON.stringify(doc) });
    await refused(f, 'discovery_failed', /has no jwks_uri/);
  });

  test('a JWKS that is unreachable, not JSON, empty, symmetric-only or broken', async () => {
    const f = await startFixtureIssuer();
    const jwksPath = new URL(f.jwksUri).pathname;
    f.override(jwksPath, { status: 503, body: 'down' });
    await refused(f, 'discovery_failed', /JWKS at .* answered HTTP 503/);
    f.override(jwksPath, { body: 'keys=1', contentType: 'text/plain' });
    await refused(f, 'discovery_failed', /JWKS at .* is not JSON/);
    f.override(jwksPath, { body: '{"keys":[]}' });
    await refused(f, 'discovery_failed', /holds no keys/);
    f.override(jwksPath, { body: '{"nokeys":true}' });
    await refused(f, 'discovery_failed', /no "keys" array/);
    f.override(jwksPath, { body: JSON.stringify({ keys: [{ kty: 'oct', kid: 'h', alg: 'HS256', k: 'c2VjcmV0' }] }) });
    await refused(f, 'discovery_failed', /only symmetric/);
    f.override(jwksPath, { body: JSON.stringify({ keys: [{ kty: 'RSA', kid: 'broken', alg: 'RS256', n: 'AQAB', e: '' }, { kty: 'EC', kid: 'e', crv: 'P-256', x: 'abc' }] }) });
    await refused(f, 'discovery_failed', /no usable signing key \(key "broken": broken RSA key.*key "e": broken EC key/);
    f.override(jwksPath, null);
    f.override(new URL(f.jwksUri).pathname, { delayMs: 0, body: '{"keys":[{"kty":"RSA","use":"enc","kid":"x"}]}' });
    await refused(f, 'discovery_failed', /use is "enc"/);
  });

  test('a JWKS with keys without kid, and an unusable key beside a good one, gives warnings', async () => {
    const f = await startFixtureIssuer();
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    f.override(new URL(f.jwksUri).pathname, { body: JSON.stringify({ keys: [{ ...jwk, alg: 'RS256' }, { kty: 'oct', k: 'c2VjcmV0', kid: 'mac' }] }) });
    const r = await discover(f.issuer);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.keys, [{ kid: null, kty: 'RSA', alg: 'RS256' }]);
    const codes = r.body.warnings.map((w: any) => w.code);
    assert.ok(codes.includes('jwks_missing_kid') && codes.includes('jwks_keys_ignored'), codes.join(','));
  });

  test('a jwks_uri pointing elsewhere is fetched through the same guard', async () => {
    const f = await startFixtureIssuer();
    f.override(docPath, { body: JSON.stringify({ ...f.document, jwks_uri: 'ftp://127.0.0.1/keys' }) });
    await refused(f, 'issuer_not_allowed', /JWKS at ftp:\/\/127\.0\.0\.1\/keys may not be fetched/);
  });

  test('bad issuer URLs are 400 before any fetch', async () => {
    for (const [url, message] of [
      ['not a url', /not a URL/],
      ['ftp://idp.example', /https/],
      ['https://idp.example/.well-known/openid-configuration', /issuer itself.*try https:\/\/idp\.example/],
      ['https://user:pw@idp.example', /credentials/],
      ['https://idp.example?tenant=1', /query/],
      ['https://idp.example#x', /fragment/],
    ] as const) {
      const r = await discover(url);
      assert.equal(r.status, 400, url);
      assert.equal(r.body.error.code, 'invalid_request');
      assert.match(r.body.error.message, message, url);
    }
  });

  test('discover needs dashboard_identity_providers:create and a JSON body naming issuer_url', async () => {
    const t = await s.api('POST', '/v1/tokens', { scopes: ['dashboard_identity_providers:read'] });
    const r = await s.api('POST', '/v1/identity-providers/discover', { issuer_url: 'https://idp.example' }, t.body.token);
    assert.equal(r.status, 403);
    assert.match(r.body.error.message, /dashboard_identity_providers:create/);
    const bad = await s.api('POST', '/v1/identity-providers/discover', { issuer: 'https://idp.example' });
    assert.equal(bad.status, 400);
  });
});

describe('discover without ALTER_ALLOW_PRIVATE_ISSUERS', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });

  test('an http:// issuer and loopback addresses in any spelling are refused with issuer_not_allowed', async () => {
    const f = await startFixtureIssuer();
    const port = new URL(f.origin).port;
    const urls = [f.issuer, `https://127.0.0.1:${port}`, `https://127.1:${port}`, `https://0x7f.0.0.1:${port}`, `https://2130706433:${port}`, `https://[::1]:${port}`, `https://[::ffff:127.0.0.1]:${port}`, `https://0.0.0.0:${port}`, `https://localhost:${port}`, 'https://169.254.169.254', 'https://10.1.2.3', 'https://[fd00::1]'];
    for (const url of urls) {
      const r = await s.api('POST', '/v1/identity-providers/discover', { issuer_url: url });
      assert.equal(r.status, 422, url);
      assert.equal(r.body.error.code, 'issuer_not_allowed', url);
      assert.match(r.body.error.message, /ALTER_ALLOW_PRIVATE_ISSUERS/, url);
    }
    assert.equal(f.jwksFetches, 0);
  });
});
