// The JWKS cache seen from outside: rotation accepted at once, one fetch for a storm of unknown
// kids, a cooldown after it, and stale-if-error when the provider is down or serves garbage.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { jwksStats, ttlFromCacheControl, MIN_TTL_MS, MAX_TTL_MS, DEFAULT_TTL_MS, FAILED_REFETCH_COOLDOWN_MS } from '../../src/idp/jwks-cache.js';
import { createResolveApp, type ResolveApp } from './setup.js';

after(cleanupAll);

let server: TestServer;

before(async () => {
  server = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
});

async function issuerWithApp(): Promise<{ issuer: FixtureIssuer; app: ResolveApp }> {
  const issuer = await startFixtureIssuer();
  const app = await createResolveApp(server, { issuer_url: issuer.issuer });
  return { issuer, app };
}

function statsOf(issuer: FixtureIssuer): { fetches: number; failures: number; lastError: string | null } {
  const s = jwksStats().find((x) => x.jwksUri === issuer.jwksUri);
  assert.ok(s, 'the issuer has a key cache');
  return s;
}

test('keys are fetched at create; a key rotated at the provider is accepted at once, with one fetch', async () => {
  const { issuer, app } = await issuerWithApp();
  const deadline = Date.now() + 2000;
  while (!jwksStats().some((x) => x.jwksUri === issuer.jwksUri && x.keys > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(statsOf(issuer).fetches, 1, 'the key cache was filled at create, before any resolve');
  assert.equal((await app.resolve({ token: await issuer.mint({ sub: 'u1' }) })).status, 200);
  const before = issuer.jwksFetches;
  await issuer.rotate();
  const res = await app.resolve({ token: await issuer.mint({ sub: 'u1' }) });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(issuer.jwksFetches, before + 1);
});

test('a storm of concurrent requests with a new kid causes exactly one fetch; then a cooldown', async () => {
  const { issuer, app } = await issuerWithApp();
  assert.equal((await app.resolve({ token: await issuer.mint({ sub: 'u0' }) })).status, 200);
  await issuer.rotate();
  const tokens = await Promise.all(Array.from({ length: 300 }, (_, i) => issuer.mint({ sub: `storm-${i % 20}`, jti: String(i) })));
  const before = issuer.jwksFetches;
  const answers = await Promise.all(tokens.map((token) => app.resolve({ token })));
  assert.equal(issuer.jwksFetches, before + 1, 'single-flight');
  assert.deepEqual([...new Set(answers.map((a) => a.status))], [200]);

  // Made-up kids right after: refused without asking the provider again.
  const bogus = await Promise.all(Array.from({ length: 50 }, (_, i) => issuer.mint({ sub: 'u0' }, { kid: `bogus-${i}` })));
  const refused = await Promise.all(bogus.map((token) => app.resolve({ token })));
  assert.deepEqual([...new Set(refused.map((a) => a.body.error?.reason))], ['unknown_key']);
  assert.equal(issuer.jwksFetches, before + 1, 'cooldown: no fetch for unknown kids');
});

test('JWKS down: the cached keys keep working; the failure is counted; nothing is a 500', async () => {
  const { issuer, app } = await issuerWithApp();
  assert.equal((await app.resolve({ token: await issuer.mint({ sub: 'u1' }) })).status, 200);
  const failuresBefore = statsOf(issuer).failures;
  issuer.override(new URL(issuer.jwksUri).pathname, { status: 503, body: 'down' });
  const unknown = await app.resolve({ token: await issuer.mint({ sub: 'u1' }, { kid: 'rotated-while-down' }) });
  assert.equal(unknown.status, 401);
  assert.equal(unknown.body.error.reason, 'unknown_key');
  assert.equal(statsOf(issuer).failures, failuresBefore + 1);
  assert.match(statsOf(issuer).lastError ?? '', /503/);
  const known = await app.resolve({ token: await issuer.mint({ sub: 'u2' }) });
  assert.equal(known.status, 200, 'stale keys keep working');
});

test('JWKS serving garbage: the last good keys are kept; unknown kids are unknown_key, never a 500', async () => {
  const { issuer, app } = await issuerWithApp();
  assert.equal((await app.resolve({ token: await issuer.mint({ sub: 'u1' }) })).status, 200);
  const path = new URL(issuer.jwksUri).pathname;
  issuer.override(path, { body: '<html>not json</html>', contentType: 'text/html' });
  const unknown = await app.resolve({ token: await issuer.mint({ sub: 'u1' }, { kid: 'new' }) });
  assert.equal(unknown.status, 401);
  assert.equal(unknown.body.error.reason, 'unknown_key');
  assert.match(statsOf(issuer).lastError ?? '', /not JSON/);
  assert.equal((await app.resolve({ token: await issuer.mint({ sub: 'u3' }) })).status, 200);
});

test('Cache-Control is honoured within 1 minute and 24 hours; 10 minutes by default', () => {
  assert.equal(ttlFromCacheControl(undefined), DEFAULT_TTL_MS);
  assert.equal(DEFAULT_TTL_MS, 600_000);
  assert.equal(ttlFromCacheControl('public, max-age=3600'), 3_600_000);
  assert.equal(ttlFromCacheControl('max-age=5'), MIN_TTL_MS);
  assert.equal(ttlFromCacheControl('max-age=99999999'), MAX_TTL_MS);
  assert.equal(ttlFromCacheControl('no-store'), MIN_TTL_MS);
  assert.equal(ttlFromCacheControl('no-cache, max-age=3600'), MIN_TTL_MS);
  assert.equal(ttlFromCacheControl('private'), DEFAULT_TTL_MS);
  assert.equal(ttlFromCacheControl('max-age=abc'), DEFAULT_TTL_MS);
});

test('keys rotated while the provider is down are accepted within seconds of its return, not after the full cooldown', async () => {
  const { issuer, app } = await issuerWithApp();
  assert.equal((await app.resolve({ token: await issuer.mint({ sub: 'u0' }) })).status, 200);
  const jwksPath = new URL(issuer.jwksUri).pathname;
  issuer.override(jwksPath, { status: 503, body: 'down' });
  await issuer.rotate();
  const token = await issuer.mint({ sub: 'rotated-during-outage' });
  const refused = await app.resolve({ token });
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error.reason, 'unknown_key');
  issuer.override(jwksPath, null);
  const back = Date.now();
  let status = 401;
  while (status !== 200 && Date.now() - back < FAILED_REFETCH_COOLDOWN_MS + 3000) {
    await new Promise((r) => setTimeout(r, 250));
    status = (await app.resolve({ token })).status;
  }
  assert.equal(status, 200);
  assert.ok(Date.now() - back < FAILED_REFETCH_COOLDOWN_MS + 1500, `accepted ${Date.now() - back} ms after the provider returned`);
});
