// Resolution against tokens of a real OpenID Provider (oidc-provider on loopback, via the dev
// provider): discovery, JWKS, a key rotation at the provider, and the mappings lock seen by the CLI.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll, onCleanup } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cli } from '../helpers/cli.js';
import { startDevProvider, type DevProvider } from '../../src/dev/provider.js';
import { createResolveApp, type ResolveApp } from './setup.js';

after(cleanupAll);

const AUDIENCE = 'https://api.example.com';
let server: TestServer;
let op: DevProvider;
let app: ResolveApp;

before(async () => {
  server = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  op = await startDevProvider({
    users: [
      { sub: 'ada', email: 'ada@example.com', name: 'Ada Lovelace', groups: ['engineering', 'admins'], roles: ['owner'] },
      { sub: 'bo', email: 'bo@example.com', groups: [] },
    ],
  });
  onCleanup(() => op.close());
  app = await createResolveApp(server, { issuer_url: op.issuer, audience: AUDIENCE, group_claim: 'groups', role_claim: 'roles' });
});

test('an access token of the real provider resolves to its user, groups and roles', async () => {
  const res = await app.resolve({ token: await op.mintAccessToken('ada', { audience: AUDIENCE }) });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.user.external_id, 'ada');
  assert.equal(res.body.user.email, 'ada@example.com');
  assert.equal(res.body.user.name, 'Ada Lovelace');
  assert.deepEqual(res.body.groups, ['admins', 'engineering']);
  assert.deepEqual(res.body.roles, ['owner']);
  assert.equal(res.body.claims.iss, op.issuer);
});

test('its tokens for another audience, or expired, are refused with the contract reasons', async () => {
  const other = await app.resolve({ token: await op.mintAccessToken('bo', { audience: 'https://elsewhere.example.com' }) });
  assert.equal(other.body.error.reason, 'audience_mismatch');
  const expired = await app.resolve({ token: await op.mintAccessToken('bo', { audience: AUDIENCE, expiresInSeconds: -120 }) });
  assert.equal(expired.body.error.reason, 'expired');
});

test('after the provider rotates its keys, its new tokens are accepted at once', async () => {
  await op.rotateKeys();
  const res = await app.resolve({ token: await op.mintAccessToken('bo', { audience: AUDIENCE }) });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.user.external_id, 'bo');
});

test('once users have resolved, `alter idp update` of a claim mapping is exit 5', async () => {
  const shown = await cli(['idp', 'show', '--app', app.appId], { env: server.cliEnv });
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(shown.json().claim_mappings_locked, true);
  const update = await cli(['idp', 'update', '--provider', app.providerId!, '--group-claim', 'teams', '--app', app.appId], { env: server.cliEnv });
  assert.equal(update.code, 5, update.stderr);
  assert.match(update.stderr, /locked/);
});
