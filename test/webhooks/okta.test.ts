// Okta event hooks: the verification challenge, lifecycle events and group membership changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { appWithProvider, enable, fixture, groupsOf, removalsOf, seedUser, sendWithHeader, status, userOf, type ProviderSetup, SERVER_ENV } from './setup.js';

let server: TestServer;
before(async () => {
  server = await startTestServer(SERVER_ENV);
});
after(cleanupAll);

async function okta(claims: { userIdClaim?: string } = {}): Promise<{ p: ProviderSetup; secret: string }> {
  const p = await appWithProvider(server, 'okta', claims);
  return { p, secret: await enable(server, p) };
}

function hook(events: Array<Record<string, unknown>>): string {
  return JSON.stringify({ eventType: 'com.okta.event_hook', eventId: 'evt', data: { events } });
}

function oktaEvent(uuid: string, eventType: string, target: Array<Record<string, unknown>>, outcome = 'SUCCESS'): Record<string, unknown> {
  return { uuid, eventType, published: new Date().toISOString(), outcome: { result: outcome }, target };
}

const USER = { id: '00u1a2b3c4d5e6f7g8h9', type: 'User', alternateId: 'departed.user@example.com', displayName: 'Departed User' };

test('the verification challenge is echoed only with the secret', async () => {
  const { p, secret } = await okta();
  const verification = JSON.parse(fixture('okta-verification.json').replace('{{OKTA_HOOK_SECRET}}', secret)) as { request: { headers: Record<string, string> }; expected_response: { body: unknown } };
  const ok = await fetch(p.hookUrl, { headers: verification.request.headers });
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-type') ?? '', /application\/json/);
  assert.deepEqual(await ok.json(), verification.expected_response.body);
  const { Authorization: _, ...withoutSecret } = verification.request.headers;
  const refused = await fetch(p.hookUrl, { headers: withoutSecret });
  assert.equal(refused.status, 401);
  assert.ok(!(await refused.text()).includes('Y9ARqCBvHlQs1Ww6bSP3tfTzCgkRk0w8m3aQqD6cEKk'));
  const wrong = await fetch(p.hookUrl, { headers: { ...withoutSecret, Authorization: 'not-the-secret-at-all-nope' } });
  assert.equal(wrong.status, 401);
});

test('user.lifecycle.deactivate from the fixture deprovisions the user matched by Okta id; reactivate restores', async () => {
  const { p, secret } = await okta({ userIdClaim: 'uid' });
  await seedUser(server, p, USER.id);
  assert.equal((await sendWithHeader(p.hookUrl, secret, fixture('okta-user.lifecycle.deactivate.json'))).status, 200);
  assert.equal((await userOf(server, p, USER.id))?.status, 'deprovisioned');
  assert.equal((await sendWithHeader(p.hookUrl, secret, hook([oktaEvent('u-2', 'user.lifecycle.reactivate', [USER])]))).status, 200);
  assert.equal((await userOf(server, p, USER.id))?.status, 'active');
});

test('a user whose sub is their login is matched by alternateId; suspend blocks, unsuspend restores; failed outcomes do nothing', async () => {
  const { p, secret } = await okta();
  await seedUser(server, p, USER.alternateId);
  await sendWithHeader(p.hookUrl, secret, hook([oktaEvent('s-0', 'user.lifecycle.suspend', [USER], 'FAILURE')]));
  assert.equal((await userOf(server, p, USER.alternateId))?.status, 'active');
  await sendWithHeader(p.hookUrl, secret, hook([oktaEvent('s-1', 'user.lifecycle.suspend', [USER])]));
  assert.equal((await userOf(server, p, USER.alternateId))?.status, 'blocked');
  await sendWithHeader(p.hookUrl, secret, hook([oktaEvent('s-2', 'user.lifecycle.unsuspend', [USER])]));
  assert.equal((await userOf(server, p, USER.alternateId))?.status, 'active');
  await sendWithHeader(p.hookUrl, secret, hook([oktaEvent('s-3', 'user.lifecycle.delete.initiated', [USER])]));
  assert.equal((await userOf(server, p, USER.alternateId))?.status, 'deprovisioned');
  // No second row was made for the Okta id: the user was known by their login.
  assert.equal(await userOf(server, p, USER.id), undefined);
});

test('a never-seen user is recorded under both identifiers, so either claim is refused', async () => {
  const { p, secret } = await okta();
  await sendWithHeader(p.hookUrl, secret, fixture('okta-user.lifecycle.deactivate.json'));
  assert.equal((await userOf(server, p, USER.id))?.status, 'deprovisioned');
  assert.equal((await userOf(server, p, USER.alternateId))?.status, 'deprovisioned');
});

test('group membership add/remove match the group by name or id, with tombstones on removal', async () => {
  const { p, secret } = await okta();
  const uid = await seedUser(server, p, USER.alternateId, [{ name: 'Engineering' }, { name: 'Everyone' }]);
  const group = { id: '00g1eng', type: 'UserGroup', alternateId: 'unknown', displayName: 'Engineering' };
  const res = await sendWithHeader(p.hookUrl, secret, hook([oktaEvent('g-1', 'group.user_membership.remove', [USER, group])]));
  assert.equal(res.status, 200);
  assert.deepEqual(await groupsOf(server, uid), ['group:Everyone']);
  assert.deepEqual(await removalsOf(server, uid), ['group:00g1eng', 'group:Engineering']);
  await sendWithHeader(p.hookUrl, secret, hook([oktaEvent('g-2', 'group.user_membership.add', [USER, group])]));
  assert.deepEqual(await groupsOf(server, uid), ['group:Engineering', 'group:Everyone']);
  assert.deepEqual(await removalsOf(server, uid), []);
});

test('unknown event types are acknowledged and shown; a body without data.events is 400', async () => {
  const { p, secret } = await okta();
  const res = await sendWithHeader(p.hookUrl, secret, hook([oktaEvent('x-1', 'user.session.start', [USER])]));
  assert.equal(res.status, 200);
  assert.equal(res.body.ignored, 1);
  assert.equal((await status(server, p)).last_event_type, 'user.session.start');
  assert.equal((await sendWithHeader(p.hookUrl, secret, '{"data":{}}')).status, 400);
  assert.equal(await userOf(server, p, USER.alternateId), undefined);
});
