// The log of a provider's latest webhook deliveries (GET …/webhook/deliveries and
// `alter idp webhook deliveries`): accepted ones with their last event type and count, refused
// ones with the reason and never the body or a secret, newest first, bounded, and behind the
// webhooks scope like the rest of webhook management.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli.js';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { appWithProvider, clerkEvent, db, enable, genericEvents, sendSvix, sendWithHeader, svixSecret, SERVER_ENV, type ProviderSetup } from './setup.js';
import { DELIVERY_LOG_SIZE } from '../../src/store/repos/webhooks.js';

let server: TestServer;
before(async () => {
  server = await startTestServer(SERVER_ENV);
});
after(cleanupAll);

interface Delivery {
  id: string;
  received_at: string;
  outcome: string;
  event_type: string | null;
  events: number;
  reason: string | null;
}

async function deliveries(p: ProviderSetup, query = ''): Promise<Delivery[]> {
  const res = await server.api('GET', `${p.adminPath}/deliveries${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items as Delivery[];
}

test('an accepted delivery is logged with its last event type and how many events it carried', async () => {
  const p = await appWithProvider(server, 'custom_oidc');
  const secret = await enable(server, p);
  assert.deepEqual(await deliveries(p), []);
  const two = genericEvents({ id: 'a1', type: 'user.blocked', user_id: 'u1' }, { id: 'a2', type: 'user.deleted', user_id: 'u2' });
  assert.equal((await sendWithHeader(p.hookUrl, secret, two)).status, 200);
  assert.equal((await sendWithHeader(p.hookUrl, secret, genericEvents({ id: 'a3', type: 'membership.added', user_id: 'u1', group: 'ops' }))).status, 200);

  const items = await deliveries(p);
  assert.deepEqual(
    items.map((d) => [d.outcome, d.event_type, d.events, d.reason]),
    [
      ['accepted', 'membership.added', 1, null],
      ['accepted', 'user.deleted', 2, null],
    ],
    'newest first',
  );
  assert.deepEqual(Object.keys(items[0]!).sort(), ['event_type', 'events', 'id', 'outcome', 'reason', 'received_at']);
  assert.ok(items[0]!.received_at >= items[1]!.received_at);
});

test('a refused delivery is logged with the reason, never the body or the secret; a disabled webhook logs nothing', async () => {
  const p = await appWithProvider(server, 'clerk');
  const secret = svixSecret();
  await enable(server, p, secret);
  const body = clerkEvent('user.deleted', { id: 'user_with_a_marker_in_the_body' });
  assert.equal((await sendSvix(p.hookUrl, secret, body, { signWith: svixSecret() })).status, 401);
  assert.equal((await sendSvix(p.hookUrl, secret, body, { omit: ['svix-signature'] })).status, 401);
  assert.equal((await sendSvix(p.hookUrl, secret, body)).status, 200);
  const tooLarge = await fetch(p.hookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1024 * 1024 + 1) });
  assert.equal(tooLarge.status, 413);

  const items = await deliveries(p);
  assert.deepEqual(
    items.map((d) => [d.outcome, d.event_type, d.reason]),
    [
      ['rejected', null, 'body larger than 1 MiB'],
      ['accepted', 'user.deleted', null],
      ['rejected', null, 'missing svix-id, svix-timestamp or svix-signature header'],
      ['rejected', null, 'no svix-signature matches the body with the webhook secret'],
    ],
  );
  const stored = JSON.stringify(await db(server).selectFrom('webhook_delivery_log').selectAll().where('provider_id', '=', p.providerId).execute());
  assert.ok(!stored.includes('user_with_a_marker') && !stored.includes(secret.slice(6)), 'neither the body nor the secret is kept');

  assert.equal((await server.api('POST', `${p.adminPath}/disable`, {})).status, 200);
  assert.equal((await sendSvix(p.hookUrl, secret, body)).status, 404);
  assert.equal((await deliveries(p)).length, 4, 'a delivery to a disabled webhook is not logged');
});

test(`the log keeps the latest ${DELIVERY_LOG_SIZE} deliveries of each provider; limit is 20 by default, at most ${DELIVERY_LOG_SIZE}`, async () => {
  const p = await appWithProvider(server, 'custom_oidc');
  const secret = await enable(server, p);
  const neighbour = await appWithProvider(server, 'custom_oidc');
  const neighbourSecret = await enable(server, neighbour);
  assert.equal((await sendWithHeader(neighbour.hookUrl, neighbourSecret, genericEvents({ id: 'n1', type: 'user.blocked', user_id: 'n' }))).status, 200);

  assert.equal((await sendWithHeader(p.hookUrl, secret, genericEvents({ id: 'first', type: 'user.blocked', user_id: 'u' }))).status, 200);
  for (let i = 0; i < DELIVERY_LOG_SIZE + 4; i++) assert.equal((await sendWithHeader(p.hookUrl, 'wrong', '{}')).status, 401);

  const rows = await db(server).selectFrom('webhook_delivery_log').select(['outcome']).where('provider_id', '=', p.providerId).execute();
  assert.equal(rows.length, DELIVERY_LOG_SIZE);
  assert.ok(rows.every((r) => r.outcome === 'rejected'), 'the oldest (the accepted one) went first');
  assert.equal((await deliveries(p)).length, 20);
  assert.equal((await deliveries(p, `?limit=${DELIVERY_LOG_SIZE}`)).length, DELIVERY_LOG_SIZE);
  assert.equal((await server.api('GET', `${p.adminPath}/deliveries?limit=${DELIVERY_LOG_SIZE + 1}`)).status, 400);
  assert.equal((await server.api('GET', `${p.adminPath}/deliveries?limit=0`)).status, 400);
  assert.deepEqual((await deliveries(neighbour)).map((d) => d.event_type), ['user.blocked'], 'another provider’s log is untouched');
});

test('reading the log needs the webhooks scope, on the provider’s own app', async () => {
  const p = await appWithProvider(server, 'custom_oidc');
  const other = await appWithProvider(server, 'custom_oidc');
  const token = async (scopes: string[], appId: string | null) => (await server.api('POST', '/v1/tokens', { scopes, app_id: appId, name: null })).body.token as string;
  const readOnly = await token(['dashboard_identity_providers:read', 'dashboard_audit:read'], null);
  const right = await token(['dashboard_identity_providers:webhooks'], p.appId);
  const elsewhere = await token(['dashboard_identity_providers:webhooks'], other.appId);

  const refused = await server.api('GET', `${p.adminPath}/deliveries`, undefined, readOnly);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, 'forbidden');
  assert.equal((await server.api('GET', `${p.adminPath}/deliveries`, undefined, right)).status, 200);
  assert.notEqual((await server.api('GET', `${p.adminPath}/deliveries`, undefined, elsewhere)).status, 200);
  // Another app's provider under this app's path is not found.
  assert.equal((await server.api('GET', `/v1/apps/${p.appId}/identity-providers/${other.providerId}/webhook/deliveries`)).status, 404);
});

test('`alter idp webhook deliveries` lists them, newest first', async () => {
  const p = await appWithProvider(server, 'custom_oidc');
  const secret = await enable(server, p);
  assert.equal((await sendWithHeader(p.hookUrl, secret, genericEvents({ id: 'c1', type: 'user.blocked', user_id: 'u' }))).status, 200);
  assert.equal((await sendWithHeader(p.hookUrl, 'Bearer not-it', '{}')).status, 401);
  const res = await cli(['idp', 'webhook', 'deliveries', '--app', p.appId, '--provider', p.providerId, '--output', 'json'], { env: server.cliEnv });
  assert.equal(res.code, 0, res.stderr);
  const items = res.json<Delivery[]>();
  assert.deepEqual(
    items.map((d) => d.outcome),
    ['rejected', 'accepted'],
  );
  assert.match(items[0]!.reason ?? '', /Authorization/);
  assert.ok(!res.stdout.includes(secret));
});
