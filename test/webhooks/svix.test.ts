// Clerk deliveries through Svix, signed by the real svix library, against a real server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  appWithProvider,
  auditActions,
  clerkEvent,
  enable,
  fixture,
  groupsOf,
  removalsOf,
  seedUser,
  sendSvix,
  status,
  svixSecret,
  userOf,
  type ProviderSetup,
  SERVER_ENV,
} from './setup.js';

let server: TestServer;
before(async () => {
  server = await startTestServer(SERVER_ENV);
});
after(cleanupAll);

async function clerk(groupClaim: string | null = null): Promise<{ p: ProviderSetup; secret: string }> {
  const p = await appWithProvider(server, 'clerk', { groupClaim });
  const secret = svixSecret();
  assert.equal(await enable(server, p, secret), secret);
  return { p, secret };
}

describe('Clerk (svix) deliveries', () => {
  test('user.deleted from the fixture deprovisions the user, is audited and counted', async () => {
    const { p, secret } = await clerk();
    await seedUser(server, p, 'user_2g7np7Hrk0SN6kj5EDMLDaKNL0S');
    const res = await sendSvix(p.hookUrl, secret, fixture('clerk-user.deleted.json'));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await userOf(server, p, 'user_2g7np7Hrk0SN6kj5EDMLDaKNL0S'))?.status, 'deprovisioned');
    assert.deepEqual(await auditActions(server, p.appId, 'webhook.user'), ['webhook.user.deleted']);
    const s = await status(server, p);
    assert.equal(s.events_received, 1);
    assert.equal(s.last_event_type, 'user.deleted');
    assert.equal(s.events_rejected, 0);
    assert.ok(!JSON.stringify(s).includes(secret));
  });

  test('a user never seen is recorded as deprovisioned and unseen', async () => {
    const { p, secret } = await clerk();
    assert.equal((await sendSvix(p.hookUrl, secret, clerkEvent('user.deleted', { id: 'user_never', deleted: true }))).status, 200);
    const row = await userOf(server, p, 'user_never');
    assert.equal(row?.status, 'deprovisioned');
    assert.equal(row?.seen, 0);
  });

  test('user.updated with banned/locked blocks and unblocks, and refreshes email and name', async () => {
    const { p, secret } = await clerk();
    await seedUser(server, p, 'user_b');
    const user = (over: Record<string, unknown>) => clerkEvent('user.updated', { id: 'user_b', first_name: 'Bea', last_name: 'Smith', primary_email_address_id: 'e1', email_addresses: [{ id: 'e1', email_address: 'bea@example.com' }], banned: false, locked: false, ...over });
    assert.equal((await sendSvix(p.hookUrl, secret, user({ banned: true }))).status, 200);
    let row = await userOf(server, p, 'user_b');
    assert.equal(row?.status, 'blocked');
    assert.equal(row?.email, 'bea@example.com');
    assert.equal(row?.name, 'Bea Smith');
    assert.equal((await sendSvix(p.hookUrl, secret, user({ locked: true }))).status, 200);
    assert.equal((await userOf(server, p, 'user_b'))?.status, 'blocked');
    assert.equal((await sendSvix(p.hookUrl, secret, user({}))).status, 200);
    row = await userOf(server, p, 'user_b');
    assert.equal(row?.status, 'active');
  });

  test('organizationMembership.deleted removes the membership by slug when the group claim carries slugs, with a tombstone', async () => {
    const { p, secret } = await clerk('org_slug');
    const uid = await seedUser(server, p, 'user_2h8op3Isl1QR7tKu5FGNfaLKEoU', [{ name: 'acme-corp' }, { name: 'other-org' }]);
    assert.equal((await sendSvix(p.hookUrl, secret, fixture('clerk-organizationMembership.deleted.json'))).status, 200);
    assert.deepEqual(await groupsOf(server, uid), ['group:other-org']);
    assert.deepEqual(await removalsOf(server, uid), ['group:acme-corp']);
  });

  test('organisations are matched by id when the group claim carries ids; membership.created adds and clears the tombstone', async () => {
    const { p, secret } = await clerk('o.id');
    const uid = await seedUser(server, p, 'user_m', [{ name: 'org_1' }]);
    const membership = (type: string) => clerkEvent(type, { organization: { id: 'org_1', slug: 'one' }, public_user_data: { user_id: 'user_m' } });
    assert.equal((await sendSvix(p.hookUrl, secret, membership('organizationMembership.deleted'))).status, 200);
    assert.deepEqual(await groupsOf(server, uid), []);
    assert.deepEqual(await removalsOf(server, uid), ['group:org_1']);
    assert.equal((await sendSvix(p.hookUrl, secret, membership('organizationMembership.created'))).status, 200);
    assert.deepEqual(await groupsOf(server, uid), ['group:org_1']);
    assert.deepEqual(await removalsOf(server, uid), []);
  });

  test('organization.deleted removes every membership of the group, leaving tombstones', async () => {
    const { p, secret } = await clerk('org_id');
    const a = await seedUser(server, p, 'user_a1', [{ name: 'org_gone' }, { name: 'org_stays' }]);
    const b = await seedUser(server, p, 'user_a2', [{ name: 'org_gone' }]);
    assert.equal((await sendSvix(p.hookUrl, secret, clerkEvent('organization.deleted', { object: 'organization', id: 'org_gone', slug: null, deleted: true }))).status, 200);
    assert.deepEqual(await groupsOf(server, a), ['group:org_stays']);
    assert.deepEqual(await groupsOf(server, b), []);
    assert.deepEqual(await removalsOf(server, b), ['group:org_gone']);
  });

  test('organization.deleted (id only) finds groups named by slug once a membership event has paired id and slug', async () => {
    const { p, secret } = await clerk('org_slug');
    const a = await seedUser(server, p, 'user_s1', [{ name: 'acme' }, { name: 'stays' }]);
    const b = await seedUser(server, p, 'user_s2', [{ name: 'acme' }]);
    // A membership event carries both identifiers: alter remembers org_acme is "acme".
    const created = clerkEvent('organizationMembership.created', { organization: { id: 'org_acme', slug: 'acme' }, public_user_data: { user_id: 'user_s1' } });
    assert.equal((await sendSvix(p.hookUrl, secret, created)).status, 200);
    assert.equal((await sendSvix(p.hookUrl, secret, clerkEvent('organization.deleted', { object: 'organization', id: 'org_acme', deleted: true }))).status, 200);
    assert.deepEqual(await groupsOf(server, a), ['group:stays']);
    assert.deepEqual(await groupsOf(server, b), []);
    assert.deepEqual(await removalsOf(server, b), ['group:acme']);
  });

  test('several signatures in the header are accepted (Clerk rotating its secret)', async () => {
    const { p, secret } = await clerk();
    await seedUser(server, p, 'user_multi');
    const payload = clerkEvent('user.deleted', { id: 'user_multi' });
    const id = 'msg_multi';
    const at = new Date();
    const { Webhook } = await import('svix');
    const signature = `${new Webhook(svixSecret()).sign(id, at, payload)} ${new Webhook(secret).sign(id, at, payload)}`;
    assert.equal((await sendSvix(p.hookUrl, secret, payload, { id, at, signature })).status, 200);
    assert.equal((await userOf(server, p, 'user_multi'))?.status, 'deprovisioned');
  });

  test('an unknown event type is acknowledged, ignored and shown as last_event_type', async () => {
    const { p, secret } = await clerk();
    const res = await sendSvix(p.hookUrl, secret, clerkEvent('session.created', { id: 'sess_1', user_id: 'user_x' }));
    assert.equal(res.status, 200);
    assert.equal(res.body.ignored, 1);
    assert.equal(await userOf(server, p, 'user_x'), undefined);
    assert.equal((await status(server, p)).last_event_type, 'session.created');
  });
});

describe('Clerk (svix) refusals change nothing', () => {
  async function refused(p: ProviderSetup, expectStatus: number, send: () => Promise<{ status: number; body: any }>, reason: RegExp): Promise<void> {
    const before = await status(server, p);
    const res = await send();
    assert.equal(res.status, expectStatus, JSON.stringify(res.body));
    const after = await status(server, p);
    assert.equal(after.events_rejected, before.events_rejected + 1);
    assert.equal(after.events_received, before.events_received);
    assert.match(after.last_rejection_reason, reason);
    assert.equal((await userOf(server, p, 'user_victim'))?.status, 'active');
    assert.deepEqual(await auditActions(server, p.appId, 'webhook.user'), []);
  }

  test('tampered body, wrong secret, stale or future timestamps, missing headers: 401', async () => {
    const { p, secret } = await clerk();
    await seedUser(server, p, 'user_victim');
    const payload = clerkEvent('user.deleted', { id: 'user_victim' });
    const harmless = clerkEvent('user.deleted', { id: 'user_other' });
    await refused(p, 401, () => sendSvix(p.hookUrl, secret, payload, { signedPayload: harmless }), /signature/);
    await refused(p, 401, () => sendSvix(p.hookUrl, secret, payload, { signWith: svixSecret() }), /signature/);
    await refused(p, 401, () => sendSvix(p.hookUrl, secret, payload, { at: new Date(Date.now() - 6 * 60_000) }), /5 minutes/);
    await refused(p, 401, () => sendSvix(p.hookUrl, secret, payload, { at: new Date(Date.now() + 6 * 60_000) }), /5 minutes/);
    for (const h of ['svix-id', 'svix-timestamp', 'svix-signature'] as const) {
      await refused(p, 401, () => sendSvix(p.hookUrl, secret, payload, { omit: [h] }), /missing/);
    }
    // Within the tolerance both ways it is accepted.
    assert.equal((await sendSvix(p.hookUrl, secret, harmless, { at: new Date(Date.now() - 4 * 60_000) })).status, 200);
  });

  test('HTML, truncated JSON and a 5 MB body: 415, 400, 413', async () => {
    const { p, secret } = await clerk();
    await seedUser(server, p, 'user_victim');
    const payload = clerkEvent('user.deleted', { id: 'user_victim' });
    await refused(p, 415, () => sendSvix(p.hookUrl, secret, '<html><body>hi</body></html>', { contentType: 'text/html' }), /content type/);
    await refused(p, 400, () => sendSvix(p.hookUrl, secret, '<html><body>hi</body></html>'), /JSON/);
    await refused(p, 400, () => sendSvix(p.hookUrl, secret, payload.slice(0, payload.length - 10)), /JSON/);
    const huge = JSON.stringify({ type: 'user.deleted', data: { id: 'user_victim', pad: 'x'.repeat(5 * 1024 * 1024) } });
    await refused(p, 413, () => sendSvix(p.hookUrl, secret, huge), /1 MiB/);
  });

  test('a replayed delivery is acknowledged and applies nothing again', async () => {
    const { p, secret } = await clerk();
    await seedUser(server, p, 'user_r');
    const payload = clerkEvent('user.updated', { id: 'user_r', banned: true, locked: false });
    assert.equal((await sendSvix(p.hookUrl, secret, payload, { id: 'msg_replay' })).status, 200);
    // Unblocked meanwhile; the replay of the old block must not block again.
    assert.equal((await sendSvix(p.hookUrl, secret, clerkEvent('user.updated', { id: 'user_r', banned: false, locked: false }), { id: 'msg_unban' })).status, 200);
    const replay = await sendSvix(p.hookUrl, secret, payload, { id: 'msg_replay' });
    assert.equal(replay.status, 200);
    assert.equal(replay.body.duplicates, 1);
    assert.equal((await userOf(server, p, 'user_r'))?.status, 'active');
    assert.deepEqual(await auditActions(server, p.appId, 'webhook.user.blocked'), ['webhook.user.blocked']);
  });

  test('unknown provider and disabled webhook: 404', async () => {
    assert.equal((await sendSvix(`${server.url}/v1/webhooks/idp/idp_nope`, svixSecret(), clerkEvent('user.deleted', { id: 'u' }))).status, 404);
    const { p, secret } = await clerk();
    await seedUser(server, p, 'user_victim');
    assert.equal((await server.api('POST', `${p.adminPath}/disable`)).status, 200);
    const res = await sendSvix(p.hookUrl, secret, clerkEvent('user.deleted', { id: 'user_victim' }));
    assert.equal(res.status, 404);
    assert.equal((await userOf(server, p, 'user_victim'))?.status, 'active');
  });
});
