// The generic body (scheme authorization_header), and what must hold whatever the provider:
// another app's users are never touched, one event applies once even when delivered twice at the
// same moment, and a delivery racing rotate or disable is either applied and acknowledged or
// refused with nothing applied.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { appWithProvider, auditActions, db, enable, genericEvents, groupsOf, removalsOf, seedUser, sendWithHeader, status, userOf, type ProviderSetup, SERVER_ENV } from './setup.js';
import { recordReceived } from '../../src/store/repos/webhooks.js';

let server: TestServer;
before(async () => {
  server = await startTestServer(SERVER_ENV);
});
after(cleanupAll);

async function generic(): Promise<{ p: ProviderSetup; secret: string }> {
  const p = await appWithProvider(server, 'custom_oidc');
  return { p, secret: await enable(server, p) };
}

test('the generic body: an events list or one event; roles and groups; user.updated', async () => {
  const { p, secret } = await generic();
  const uid = await seedUser(server, p, 'u1', [{ name: 'admins', kind: 'role' }, { name: 'staff' }]);
  const res = await sendWithHeader(
    p.hookUrl,
    secret,
    genericEvents(
      { id: 'e1', type: 'membership.removed', user_id: 'u1', group: 'admins', kind: 'role' },
      { id: 'e2', type: 'membership.added', user_id: 'u1', group: 'ops' },
      { id: 'e3', type: 'user.updated', user_id: 'u1', email: 'u1@example.com', name: 'U One' },
    ),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(await groupsOf(server, uid), ['group:ops', 'group:staff']);
  assert.deepEqual(await removalsOf(server, uid), ['role:admins']);
  assert.equal((await userOf(server, p, 'u1'))?.email, 'u1@example.com');
  const single = await sendWithHeader(p.hookUrl, secret, JSON.stringify({ id: 'e4', type: 'user.blocked', user_id: 'u1' }));
  assert.equal(single.status, 200);
  assert.equal((await userOf(server, p, 'u1'))?.status, 'blocked');
});

test('group.deleted removes the group from every member, with tombstones', async () => {
  const { p, secret } = await generic();
  const a = await seedUser(server, p, 'ga', [{ name: 'gone' }]);
  const b = await seedUser(server, p, 'gb', [{ name: 'gone' }, { name: 'kept' }]);
  assert.equal((await sendWithHeader(p.hookUrl, secret, genericEvents({ id: 'gd', type: 'group.deleted', group: 'gone' }))).status, 200);
  assert.deepEqual(await groupsOf(server, a), []);
  assert.deepEqual(await groupsOf(server, b), ['group:kept']);
  assert.deepEqual(await removalsOf(server, a), ['group:gone']);
  assert.deepEqual(await auditActions(server, p.appId), ['webhook.enable', 'webhook.group.deleted']);
});

test('a malformed event anywhere in the body applies none of it (400)', async () => {
  const { p, secret } = await generic();
  await seedUser(server, p, 'm1');
  const bodies = [
    genericEvents({ id: 'ok', type: 'user.deleted', user_id: 'm1' }, { type: 'user.deleted', user_id: 'm1' }),
    genericEvents({ id: 'ok', type: 'user.deleted', user_id: 'm1' }, { id: 'x', type: 'membership.added', user_id: 'm1' }),
    genericEvents({ id: 'ok', type: 'user.deleted', user_id: 'm1' }, { id: 'y', type: 'membership.added', user_id: 'm1', group: 'g', kind: 'team' }),
    JSON.stringify([1, 2]),
    '',
  ];
  for (const body of bodies) assert.equal((await sendWithHeader(p.hookUrl, secret, body)).status, 400, body);
  assert.equal((await userOf(server, p, 'm1'))?.status, 'active');
  assert.equal((await status(server, p)).events_rejected, bodies.length);
});

test('an event for another app’s user never touches them', async () => {
  const mine = await generic();
  const theirs = await generic();
  const theirUser = await seedUser(server, theirs.p, 'same-subject');
  assert.equal((await sendWithHeader(mine.p.hookUrl, mine.secret, genericEvents({ id: 'o1', type: 'user.deleted', user_id: 'same-subject' }))).status, 200);
  const other = await userOf(server, theirs.p, 'same-subject');
  assert.equal(other?.id, theirUser);
  assert.equal(other?.status, 'active');
  assert.deepEqual(await auditActions(server, theirs.p.appId, 'webhook.user'), []);
  // Their own secret does not open my webhook either.
  assert.equal((await sendWithHeader(mine.p.hookUrl, theirs.secret, genericEvents({ id: 'o2', type: 'user.unblocked', user_id: 'same-subject' }))).status, 401);
});

test('ten simultaneous deliveries of one event apply it once', async () => {
  const { p, secret } = await generic();
  await seedUser(server, p, 'twin');
  const body = genericEvents({ id: 'evt-twin', type: 'user.deleted', user_id: 'twin' });
  const answers = await Promise.all(Array.from({ length: 10 }, () => sendWithHeader(p.hookUrl, secret, body)));
  assert.deepEqual(answers.map((a) => a.status), Array(10).fill(200));
  assert.equal(answers.reduce((n, a) => n + (a.body.applied as number), 0), 1);
  assert.equal(answers.reduce((n, a) => n + (a.body.duplicates as number), 0), 9);
  assert.deepEqual(await auditActions(server, p.appId, 'webhook.user'), ['webhook.user.deleted']);
  assert.equal((await status(server, p)).events_received, 10);
});

async function raceWith(p: ProviderSetup, secret: string, change: () => Promise<unknown>, refusedStatuses: number[]): Promise<void> {
  const n = 20;
  for (let i = 0; i < n; i++) await seedUser(server, p, `race-${i}`);
  const deliveries = Array.from({ length: n }, (_, i) => sendWithHeader(p.hookUrl, secret, genericEvents({ id: `race-${i}`, type: 'user.deleted', user_id: `race-${i}` })));
  await change();
  const answers = await Promise.all(deliveries);
  for (let i = 0; i < n; i++) {
    const row = await userOf(server, p, `race-${i}`);
    // Acknowledged exactly when applied; refused exactly when nothing changed.
    if (answers[i]!.status === 200) assert.equal(row?.status, 'deprovisioned', `delivery ${i} acknowledged but not applied`);
    else {
      assert.ok(refusedStatuses.includes(answers[i]!.status), `delivery ${i}: ${answers[i]!.status}`);
      assert.equal(row?.status, 'active', `delivery ${i} refused but applied`);
    }
  }
  // Once the change has committed, the old secret opens nothing.
  const late = await sendWithHeader(p.hookUrl, secret, genericEvents({ id: 'late', type: 'user.deleted', user_id: 'race-0' }));
  assert.ok(refusedStatuses.includes(late.status), `late delivery: ${late.status}`);
}

test('deliveries racing a rotate are applied and acknowledged, or refused with nothing applied', async () => {
  const { p, secret } = await generic();
  await raceWith(p, secret, () => server.api('POST', `${p.adminPath}/rotate`, {}), [401]);
});

test('deliveries racing a disable are applied and acknowledged, or refused with nothing applied', async () => {
  const { p, secret } = await generic();
  await raceWith(p, secret, () => server.api('POST', `${p.adminPath}/disable`, {}), [401, 404]);
});

test('a delivery checked against a secret replaced before its transaction counts and applies nothing', async () => {
  const { p } = await generic();
  const before = await db(server).selectFrom('webhooks').select('secret').where('provider_id', '=', p.providerId).executeTakeFirstOrThrow();
  assert.equal((await server.api('POST', `${p.adminPath}/rotate`, {})).status, 200);
  assert.equal(await recordReceived(db(server), p.providerId, before.secret!, { count: 1, lastType: 'x', now: new Date().toISOString() }), false);
  assert.equal((await status(server, p)).events_received, 0);
});

test('NUL characters in ids (which PostgreSQL cannot store) are a 400, never a 500, and change nothing', async () => {
  const { p, secret } = await generic();
  for (const event of [{ id: 'evt\u0000', type: 'user.deleted', user_id: 'u1' }, { id: 'evt-nul', type: 'user.deleted', user_id: 'u\u00001' }, { id: 'evt-nul-2', type: 'membership.added', user_id: 'u1', group: 'g\u0000' }]) {
    const res = await sendWithHeader(p.hookUrl, secret, genericEvents(event));
    assert.equal(res.status, 400, `${JSON.stringify(event)}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  assert.equal(await userOf(server, p, 'u1'), undefined);
});
