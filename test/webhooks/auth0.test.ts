// Auth0 log streams: a static Authorization header, bodies as JSON array, JSON lines or one object.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { appWithProvider, auditActions, enable, fixture, seedUser, sendWithHeader, status, userOf, type ProviderSetup, SERVER_ENV } from './setup.js';

let server: TestServer;
before(async () => {
  server = await startTestServer(SERVER_ENV);
});
after(cleanupAll);

const DEPARTED = 'auth0|65f1c0ffee0123456789abcd';
const SUSPENDED = 'auth0|65f1c0ffee0123456789abcf';
const ADMIN = 'auth0|65f1ad0e0123456789abcdef';

async function auth0(): Promise<{ p: ProviderSetup; secret: string }> {
  const p = await appWithProvider(server, 'auth0');
  return { p, secret: await enable(server, p) };
}

function sapi(logId: string, method: string, userId: string, body: Record<string, unknown> | undefined, statusCode = 200): Record<string, unknown> {
  const base = JSON.parse(fixture('auth0-sapi-block-user.json')) as { log_id: string; data: any };
  base.log_id = logId;
  base.data.log_id = logId;
  base.data.details.request.method = method;
  base.data.details.request.path = `/api/v2/users/${encodeURIComponent(userId)}`;
  base.data.details.request.body = body;
  base.data.details.response = { statusCode, body: method === 'delete' ? {} : { user_id: userId, ...body } };
  return base;
}

test('the generated secret is long, random and URL-safe', async () => {
  const { secret } = await auth0();
  assert.match(secret, /^[A-Za-z0-9_-]{43,}$/);
  assert.ok(Buffer.from(secret.replace(/^alter_whk_/, ''), 'base64url').length >= 32);
});

test('sdu deprovisions the deleted user (JSON array, Bearer prefix)', async () => {
  const { p, secret } = await auth0();
  await seedUser(server, p, DEPARTED);
  const res = await sendWithHeader(p.hookUrl, `Bearer ${secret}`, `[${fixture('auth0-sdu.json')}]`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal((await userOf(server, p, DEPARTED))?.status, 'deprovisioned');
  assert.equal((await status(server, p)).last_event_type, 'sdu');
});

test('sapi blocking a user acts on the user in the path, never on the admin in data.user_id (one JSON object)', async () => {
  const { p, secret } = await auth0();
  await seedUser(server, p, SUSPENDED);
  await seedUser(server, p, ADMIN);
  assert.equal((await sendWithHeader(p.hookUrl, secret, fixture('auth0-sapi-block-user.json'))).status, 200);
  assert.equal((await userOf(server, p, SUSPENDED))?.status, 'blocked');
  assert.equal((await userOf(server, p, ADMIN))?.status, 'active');
});

test('sapi unblock and delete, as JSON lines, with the acknowledged noise of other log types', async () => {
  const { p, secret } = await auth0();
  await seedUser(server, p, 'auth0|u1');
  await seedUser(server, p, 'auth0|u2');
  const lines = [
    sapi('log_block', 'patch', 'auth0|u1', { blocked: true }),
    { log_id: 'log_login', data: { type: 's', user_id: 'auth0|u2', date: new Date().toISOString() } },
    sapi('log_unblock', 'patch', 'auth0|u1', { blocked: false }),
    sapi('log_delete', 'delete', 'auth0|u2', undefined),
    sapi('log_name', 'patch', 'auth0|u2', { name: 'new name' }),
    sapi('log_refused', 'delete', 'auth0|u1', undefined, 403),
  ].map((l) => JSON.stringify(l)).join('\n');
  const res = await sendWithHeader(p.hookUrl, secret, lines);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body, { received: 6, applied: 3, duplicates: 0, ignored: 3 });
  assert.equal((await userOf(server, p, 'auth0|u1'))?.status, 'active');
  assert.equal((await userOf(server, p, 'auth0|u2'))?.status, 'deprovisioned');
  // A redelivery of the whole batch applies nothing again.
  const again = await sendWithHeader(p.hookUrl, secret, lines);
  assert.deepEqual(again.body, { received: 6, applied: 0, duplicates: 3, ignored: 3 });
  assert.deepEqual(await auditActions(server, p.appId, 'webhook.user'), ['webhook.user.blocked', 'webhook.user.unblocked', 'webhook.user.deleted']);
});

test('sapi for a user of another tenant is recorded as never seen and touches no other provider’s user', async () => {
  const mine = await auth0();
  const other = await auth0();
  const otherUser = await seedUser(server, other.p, 'auth0|shared-id');
  assert.equal((await sendWithHeader(mine.p.hookUrl, mine.secret, JSON.stringify(sapi('log_x', 'delete', 'auth0|shared-id', undefined)))).status, 200);
  const recorded = await userOf(server, mine.p, 'auth0|shared-id');
  assert.equal(recorded?.status, 'deprovisioned');
  assert.equal(recorded?.seen, 0);
  assert.equal(recorded?.app_id, mine.p.appId);
  const untouched = await userOf(server, other.p, 'auth0|shared-id');
  assert.equal(untouched?.id, otherUser);
  assert.equal(untouched?.status, 'active');
});

test('a wrong or missing Authorization header is 401 and changes nothing; a bad body after authentication is 400', async () => {
  const { p, secret } = await auth0();
  await seedUser(server, p, DEPARTED);
  assert.equal((await sendWithHeader(p.hookUrl, null, fixture('auth0-sdu.json'))).status, 401);
  assert.equal((await sendWithHeader(p.hookUrl, `${secret}x`, fixture('auth0-sdu.json'))).status, 401);
  assert.equal((await sendWithHeader(p.hookUrl, `Bearer ${secret.slice(0, -1)}`, fixture('auth0-sdu.json'))).status, 401);
  assert.equal((await sendWithHeader(p.hookUrl, secret, '{"log_id": "x", "data": {"type": "sdu"')).status, 400);
  assert.equal((await sendWithHeader(p.hookUrl, secret, '{"log_id":"x","data":{"type":"sdu"}}')).status, 400);
  assert.equal((await userOf(server, p, DEPARTED))?.status, 'active');
  const s = await status(server, p);
  assert.equal(s.events_rejected, 5);
  assert.equal(s.events_received, 0);
});
