// Webhook management over the API: schemes and secrets, shown once and stored sealed, rotate and
// disable, status with its warnings, and who may do any of it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { appWithProvider, db, enable, genericEvents, sendSvix, sendWithHeader, status, svixSecret, type ProviderSetup, SERVER_ENV } from './setup.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({ ...SERVER_ENV, ALTER_PUBLIC_URL: 'https://alter.example.com/' });
});
after(cleanupAll);

async function webhookRow(p: ProviderSetup) {
  return db(server).selectFrom('webhooks').selectAll().where('provider_id', '=', p.providerId).executeTakeFirst();
}

test('enable follows the provider’s scheme; the URL comes from ALTER_PUBLIC_URL; the secret is stored sealed', async () => {
  for (const [kind, scheme] of [['auth0', 'auth0_log_stream'], ['okta', 'okta_event_hook'], ['custom_oidc', 'authorization_header']] as const) {
    const p = await appWithProvider(server, kind);
    const res = await server.api('POST', `${p.adminPath}/enable`, {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.provider_id, p.providerId);
    assert.equal(res.body.enabled, true);
    assert.equal(res.body.scheme, scheme);
    assert.equal(res.body.url, `https://alter.example.com/v1/webhooks/idp/${p.providerId}`);
    assert.match(res.body.secret, /^[A-Za-z0-9_-]{43,}$/);
    const row = await webhookRow(p);
    assert.ok(row?.secret && !row.secret.includes(res.body.secret));
    assert.equal(row.scheme, scheme);
  }
});

test('Clerk needs its whsec_ secret: missing or malformed is 400 and saves nothing', async () => {
  const p = await appWithProvider(server, 'clerk');
  for (const body of [{}, { secret: 'sk_test_abcdefabcdefabcdefabcdef' }, { secret: 'whsec_' }, { secret: 'whsec_not base64!' }, { secret: '' }]) {
    const res = await server.api('POST', `${p.adminPath}/enable`, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.error.field, 'secret');
    assert.ok(!JSON.stringify(res.body).includes('sk_test_'), 'the refused secret is not echoed');
  }
  assert.equal(await webhookRow(p), undefined);
  const secret = svixSecret();
  const ok = await server.api('POST', `${p.adminPath}/enable`, { secret });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.scheme, 'svix');
  assert.equal(ok.body.secret, secret);
});

test('a given secret for a header scheme must be a non-empty header value', async () => {
  const p = await appWithProvider(server, 'auth0');
  assert.equal((await server.api('POST', `${p.adminPath}/enable`, { secret: '' })).status, 400);
  assert.equal((await server.api('POST', `${p.adminPath}/enable`, { secret: 'has spaces in it which is not ok at all' })).status, 400);
  assert.equal((await server.api('POST', `${p.adminPath}/enable`, { secret: 'line\nbreak' })).status, 400);
  // Short is the operator's call (the CLI warns); it must still work as the header value.
  assert.equal((await server.api('POST', `${p.adminPath}/enable`, { secret: 'short' })).body.secret, 'short');
});

test('enabling twice is a conflict; rotate replaces the secret at once; disable destroys it', async () => {
  const p = await appWithProvider(server, 'custom_oidc');
  const first = await enable(server, p);
  const again = await server.api('POST', `${p.adminPath}/enable`, {});
  assert.equal(again.status, 409);
  const body = genericEvents({ id: 'r1', type: 'user.blocked', user_id: 'x' });
  assert.equal((await sendWithHeader(p.hookUrl, first, body)).status, 200);
  const rotated = await server.api('POST', `${p.adminPath}/rotate`, {});
  assert.equal(rotated.status, 200);
  assert.notEqual(rotated.body.secret, first);
  assert.equal((await sendWithHeader(p.hookUrl, first, genericEvents({ id: 'r2', type: 'user.blocked', user_id: 'y' }))).status, 401);
  assert.equal((await sendWithHeader(p.hookUrl, rotated.body.secret, genericEvents({ id: 'r3', type: 'user.blocked', user_id: 'y' }))).status, 200);

  const disabled = await server.api('POST', `${p.adminPath}/disable`, {});
  assert.equal(disabled.status, 200);
  assert.equal(disabled.body.enabled, false);
  const row = await webhookRow(p);
  assert.equal(row?.secret, null);
  assert.equal(row?.secret_set_at, null);
  assert.equal((await sendWithHeader(p.hookUrl, rotated.body.secret, genericEvents({ id: 'r4', type: 'user.blocked', user_id: 'z' }))).status, 404);
  assert.equal((await server.api('POST', `${p.adminPath}/disable`, {})).status, 200, 'disabling again is harmless');
  assert.equal((await server.api('POST', `${p.adminPath}/rotate`, {})).status, 409, 'nothing to rotate');
  // The counters survive; enabling again starts with a new secret.
  assert.equal((await status(server, p)).events_received, 2);
  assert.notEqual(await enable(server, p), rotated.body.secret);

  const audit = await db(server).selectFrom('audit_events').select(['action', 'details']).where('target', '=', p.providerId).where('action', 'like', 'webhook.%').orderBy('at').orderBy('id').execute();
  assert.deepEqual(audit.map((a) => a.action), ['webhook.enable', 'webhook.rotate', 'webhook.disable', 'webhook.enable']);
  assert.ok(audit.every((a) => !(a.details ?? '').includes(first) && !(a.details ?? '').includes(rotated.body.secret)));
});

test('rotating a Clerk secret takes the new whsec_ value; the old signatures stop working', async () => {
  const p = await appWithProvider(server, 'clerk');
  const old = await enable(server, p, svixSecret());
  assert.equal((await server.api('POST', `${p.adminPath}/rotate`, {})).status, 400, 'Clerk secrets are never generated');
  const next = svixSecret();
  assert.equal((await server.api('POST', `${p.adminPath}/rotate`, { secret: next })).status, 200);
  const payload = JSON.stringify({ type: 'user.deleted', data: { id: 'user_1' } });
  assert.equal((await sendSvix(p.hookUrl, old, payload)).status, 401);
  assert.equal((await sendSvix(p.hookUrl, next, payload)).status, 200);
});

test('status: the contract’s fields, the expected events, never the secret; warnings when silent or rejecting', async () => {
  const p = await appWithProvider(server, 'okta');
  const before = await status(server, p);
  assert.equal(before.enabled, false);
  assert.equal(before.url, `https://alter.example.com/v1/webhooks/idp/${p.providerId}`);
  const secret = await enable(server, p);
  const s = await status(server, p);
  for (const k of ['provider_id', 'enabled', 'url', 'scheme', 'secret_set_at', 'events_received', 'events_rejected', 'last_event_at', 'last_event_type', 'last_rejection_at', 'last_rejection_reason']) {
    assert.ok(k in s, k);
  }
  assert.equal(s.enabled, true);
  assert.equal(s.scheme, 'okta_event_hook');
  assert.ok(s.secret_set_at);
  assert.ok(!('secret' in s));
  assert.ok(!JSON.stringify(s).includes(secret));
  assert.ok(s.expected_events.includes('user.lifecycle.deactivate'));
  assert.deepEqual(s.warnings, []);

  await sendWithHeader(p.hookUrl, 'wrong-secret-wrong-secret', '{}');
  const rejecting = await status(server, p);
  assert.equal(rejecting.events_rejected, 1);
  assert.match(rejecting.last_rejection_reason, /Authorization/);
  assert.deepEqual(rejecting.warnings.map((w: { code: string }) => w.code), ['deliveries_rejected']);

  const twoDaysAgo = new Date(Date.now() - 48 * 3600_000).toISOString();
  await db(server).updateTable('webhooks').set({ enabled_at: twoDaysAgo }).where('provider_id', '=', p.providerId).execute();
  const silent = await status(server, p);
  assert.ok(silent.warnings.some((w: { code: string; message: string }) => w.code === 'no_recent_events' && /since enabling/.test(w.message)));
});

test('scope, app and provider checks', async () => {
  const p = await appWithProvider(server, 'auth0');
  const other = await appWithProvider(server, 'auth0');
  const token = async (scopes: string[], appId: string | null) => (await server.api('POST', '/v1/tokens', { scopes, app_id: appId, name: null, expires_in_seconds: null })).body.token as string;
  const readOnly = await token(['dashboard_identity_providers:read'], null);
  const otherApp = await token(['dashboard_identity_providers:webhooks'], other.appId);
  const right = await token(['dashboard_identity_providers:webhooks'], p.appId);

  const noScope = await server.api('POST', `${p.adminPath}/enable`, {}, readOnly);
  assert.equal(noScope.status, 403);
  assert.match(noScope.body.error.message, /dashboard_identity_providers:webhooks/);
  assert.equal((await server.api('GET', `${p.adminPath}/status`, undefined, otherApp)).status, 403);
  assert.equal((await server.api('POST', `${p.adminPath}/enable`, {}, 'alter_pat_nope')).status, 401);
  // The provider must belong to the app in the path.
  assert.equal((await server.api('POST', `/v1/apps/${p.appId}/identity-providers/${other.providerId}/webhook/enable`, {}, right)).status, 404);
  assert.equal((await server.api('GET', `/v1/apps/${p.appId}/identity-providers/idp_missing/webhook/status`, undefined, right)).status, 404);
  assert.equal(await webhookRow(p), undefined);
  assert.equal(await webhookRow(other), undefined);
  assert.equal((await server.api('POST', `${p.adminPath}/enable`, {}, right)).status, 200);
});
