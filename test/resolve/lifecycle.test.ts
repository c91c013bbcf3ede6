// Resolution under the webhooks' lifecycle rules: a deprovisioned or blocked user is refused
// whatever their token says (cached answers included), and a membership removed by a webhook is
// not re-added by a token issued before the removal, while a newer token grants it again.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { createResolveApp, type ResolveApp } from './setup.js';

after(cleanupAll);

let server: TestServer;
let issuer: FixtureIssuer;
let app: ResolveApp;
let webhookUrl: string;
let webhookSecret: string;
let eventCounter = 0;

before(async () => {
  server = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  issuer = await startFixtureIssuer();
  app = await createResolveApp(server, { issuer_url: issuer.issuer, group_claim: 'groups' });
  const enabled = await server.api('POST', `/v1/apps/${app.appId}/identity-providers/${app.providerId}/webhook/enable`, {});
  assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
  webhookUrl = enabled.body.url;
  webhookSecret = enabled.body.secret;
});

async function deliver(event: Record<string, unknown>): Promise<void> {
  const res = await fetch(webhookUrl, {
    method: 'POST',
    headers: { authorization: webhookSecret, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [{ id: `evt-${++eventCounter}`, ...event }] }),
  });
  assert.ok(res.status < 300, `webhook answered ${res.status}: ${await res.text()}`);
}

const now = (): number => Math.floor(Date.now() / 1000);

test('a deprovisioned user is refused, even with a token already answered from the cache', async () => {
  const token = await issuer.mint({ sub: 'leaver', groups: ['eng'] });
  assert.equal((await app.resolve({ token })).status, 200);
  assert.equal((await app.resolve({ token })).status, 200);
  await deliver({ type: 'user.deleted', user_id: 'leaver' });
  const res = await app.resolve({ token });
  assert.equal(res.status, 401);
  assert.equal(res.body.error.reason, 'deprovisioned');
  const fresh = await app.resolve({ token: await issuer.mint({ sub: 'leaver', groups: ['eng'], jti: 'new' }) });
  assert.equal(fresh.body.error.reason, 'deprovisioned', 'a newer token does not change status');
  const row = await server.server.store.db.selectFrom('users').select('status').where('external_id', '=', 'leaver').executeTakeFirst();
  assert.equal(row?.status, 'deprovisioned');
});

test('a blocked user is refused with deprovisioned; unblocked, they resolve again', async () => {
  const token = await issuer.mint({ sub: 'paused' });
  assert.equal((await app.resolve({ token })).status, 200);
  await deliver({ type: 'user.blocked', user_id: 'paused' });
  assert.equal((await app.resolve({ token })).body.error.reason, 'deprovisioned');
  await deliver({ type: 'user.unblocked', user_id: 'paused' });
  assert.equal((await app.resolve({ token })).status, 200);
});

test('a subject deprovisioned before their first resolve is refused, and no active user appears', async () => {
  await deliver({ type: 'user.deleted', user_id: 'never-seen' });
  const res = await app.resolve({ token: await issuer.mint({ sub: 'never-seen' }) });
  assert.equal(res.status, 401);
  assert.equal(res.body.error.reason, 'deprovisioned');
  const row = await server.server.store.db.selectFrom('users').select(['status', 'seen']).where('external_id', '=', 'never-seen').executeTakeFirst();
  assert.deepEqual(row, { status: 'deprovisioned', seen: 0 });
});

test('a membership removed by a webhook is not re-added by an older token; a newer one re-adds it', async () => {
  const issuedBefore = now() - 5;
  const older = await issuer.mint({ sub: 'member', groups: ['eng', 'ops'], iat: issuedBefore });
  assert.deepEqual((await app.resolve({ token: older })).body.groups, ['eng', 'ops']);
  await deliver({ type: 'membership.removed', user_id: 'member', group: 'eng' });

  const replay = await app.resolve({ token: older });
  assert.equal(replay.status, 200);
  assert.deepEqual(replay.body.groups, ['ops'], 'the cached answer was dropped and the removal holds');
  const sameAge = await app.resolve({ token: await issuer.mint({ sub: 'member', groups: ['eng', 'ops'], iat: issuedBefore, jti: 'x' }) });
  assert.deepEqual(sameAge.body.groups, ['ops']);

  // iat is whole seconds: a token issued a second after the removal is newer than it.
  await new Promise((r) => setTimeout(r, 1100));
  const newer = await app.resolve({ token: await issuer.mint({ sub: 'member', groups: ['eng', 'ops'], iat: now() }) });
  assert.deepEqual(newer.body.groups, ['eng', 'ops']);
  const removals = await server.server.store.db
    .selectFrom('membership_removals')
    .innerJoin('users', 'users.id', 'membership_removals.user_id')
    .select('membership_removals.name')
    .where('users.external_id', '=', 'member')
    .execute();
  assert.deepEqual(removals, [], 'the newer token cleared the removal');
});
