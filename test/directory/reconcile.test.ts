// The reconciler against the real store (SQLite, or PostgreSQL on that pass), fed snapshots as a
// DirectorySource returns them, after tokens, webhooks and operators have stated things about the
// same users: every rule of §8 on its own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { createResolveApp, type ResolveApp } from '../resolve/setup.js';
import { ReconcileAborted, reconcileSnapshot, type ReconcileOptions } from '../../src/directory/reconcile.js';
import { createInvalidation, POLL_INTERVAL_MS } from '../../src/server/invalidation.js';
import type { Snapshot, SnapshotUser } from '../../src/directory/sources/source.js';

after(cleanupAll);

let server: TestServer;
let issuer: FixtureIssuer;
before(async () => {
  server = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  issuer = await startFixtureIssuer();
});

interface World {
  app: ResolveApp;
  resolve(sub: string, groups?: string[]): Promise<number>;
  apply(snapshot: Snapshot, opts?: Partial<ReconcileOptions>): Promise<Record<string, number>>;
  user(externalId: string): Promise<any>;
  deliver(event: Record<string, unknown>): Promise<void>;
}

let n = 0;
async function world(): Promise<World> {
  const app = await createResolveApp(server, { issuer_url: issuer.issuer, group_claim: 'groups' });
  const hook = (await server.api('POST', `/v1/apps/${app.appId}/identity-providers/${app.providerId}/webhook/enable`, {})).body;
  const db = server.server.store.db;
  return {
    app,
    resolve: async (sub, groups = []) => (await app.resolve({ token: await issuer.mint({ sub, groups, jti: `${++n}` }) })).status,
    async apply(snapshot, opts = {}) {
      const counts = await db.transaction().execute(async (tx) => {
        const c = await reconcileSnapshot(tx, { id: app.providerId!, app_id: app.appId }, snapshot, { startedAt: new Date().toISOString(), dryRun: false, force: false, threshold: { percent: 50 }, ...opts });
        // As a sync run does: the change reaches the server's caches through the invalidation poll.
        await createInvalidation().bump(tx, app.appId);
        return c;
      });
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS * 2));
      return { ...counts };
    },
    async user(externalId) {
      const list = await server.api('GET', `/v1/apps/${app.appId}/users?external_id=${encodeURIComponent(externalId)}`);
      const id = list.body.items[0]?.id;
      return id ? (await server.api('GET', `/v1/apps/${app.appId}/users/${id}`)).body : undefined;
    },
    async deliver(event) {
      const res = await fetch(hook.url, { method: 'POST', headers: { authorization: hook.secret, 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ id: `evt-${++n}`, ...event }] }) });
      assert.ok(res.status < 300, await res.text());
    },
  };
}

const u = (externalId: string, status: SnapshotUser['status'] = 'active', email: string | null = `${externalId}@example.com`): SnapshotUser => ({ externalId, email, name: externalId.toUpperCase(), status });

function snapshot(users: SnapshotUser[], memberships: Array<[string, string]> = []): Snapshot {
  const groups = [...new Set(memberships.map(([, g]) => g))].map((name) => ({ kind: 'group' as const, name }));
  return { users, groups, memberships: memberships.map(([externalId, name]) => ({ externalId, kind: 'group', name })), kinds: ['group'] };
}

test('present users are created and updated, statuses follow the directory, absent users are deprovisioned', async () => {
  const w = await world();
  for (const sub of ['ann', 'ben', 'cat', 'dan', 'eve']) assert.equal(await w.resolve(sub), 200);
  const counts = await w.apply(snapshot([u('ann'), u('ben', 'blocked'), u('cat'), u('dan'), u('fay')]));
  assert.deepEqual(
    { ...counts },
    { users_seen: 5, groups_seen: 0, created: 1, updated: 4, blocked: 1, unblocked: 0, deprovisioned: 1, memberships_added: 0, memberships_removed: 0 },
  );
  assert.equal((await w.user('ann')).email, 'ann@example.com');
  assert.deepEqual((await w.user('ann')).sources, ['token', 'sync']);
  assert.equal((await w.user('ben')).status, 'blocked');
  const eve = await w.user('eve');
  assert.equal(eve.status, 'deprovisioned');
  assert.deepEqual(eve.events[0], { at: eve.events[0].at, source: 'sync', action: 'deprovisioned', detail: { reason: 'missing_from_directory' } });
  assert.equal((await w.user('fay')).status, 'active');
  assert.equal(await w.resolve('ben'), 401);
  assert.equal(await w.resolve('eve'), 401);
  assert.equal(await w.resolve('fay'), 200, 'a user the directory created resolves');

  // The directory unblocks ben later: the sync restores the provider's own block.
  await w.apply(snapshot([u('ann'), u('ben'), u('cat'), u('dan'), u('fay')]));
  assert.equal((await w.user('ben')).status, 'active');
});

test("an operator's block survives a snapshot saying active; a webhook's newer status is kept", async () => {
  const w = await world();
  for (const sub of ['op', 'hook', 'x1', 'x2']) assert.equal(await w.resolve(sub), 200);
  const op = await w.user('op');
  assert.equal((await server.api('POST', `/v1/apps/${w.app.appId}/users/${op.id}/block`)).status, 200);
  // The snapshot began before the webhook's event: the event is newer and wins.
  const startedAt = new Date(Date.now() - 60_000).toISOString();
  await w.deliver({ type: 'user.blocked', user_id: 'hook' });
  await w.apply(snapshot([u('op'), u('hook'), u('x1'), u('x2')]), { startedAt });
  assert.equal((await w.user('op')).status, 'blocked');
  assert.equal((await w.user('hook')).status, 'blocked');
});

test('memberships: the snapshot replaces those of its kinds whatever their source; newer removals win; roles are left alone', async () => {
  const w = await world();
  assert.equal(await w.resolve('gus', ['from-token', 'eng']), 200);
  assert.equal(await w.resolve('hal', ['eng']), 200);
  await w.deliver({ type: 'membership.added', user_id: 'gus', group: 'admin', kind: 'role' });
  await new Promise((r) => setTimeout(r, 20));
  const startedAt = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  // Stated after the snapshot began: the snapshot (older) neither removes the one nor re-adds the other.
  await w.deliver({ type: 'membership.added', user_id: 'gus', group: 'from-webhook' });
  await w.deliver({ type: 'membership.removed', user_id: 'hal', group: 'ops' });
  const counts = await w.apply(snapshot([u('gus'), u('hal')], [['gus', 'eng'], ['gus', 'ops'], ['hal', 'eng'], ['hal', 'ops']]), { startedAt });
  assert.equal(counts.memberships_added, 1);
  assert.equal(counts.memberships_removed, 1, 'from-token goes; from-webhook was stated after the snapshot began');
  const gus = await w.user('gus');
  assert.deepEqual(gus.groups, ['eng', 'from-webhook', 'ops']);
  assert.deepEqual(gus.roles, ['admin'], 'the source provides no roles: they are left alone');
  assert.deepEqual((await w.user('hal')).groups, ['eng']);
  // An older token cannot bring back what the snapshot removed.
  const old = await issuer.mint({ sub: 'gus', groups: ['eng', 'ops', 'from-token', 'from-webhook'], iat: Math.floor(Date.parse(startedAt) / 1000) - 30, jti: 'old' });
  const answer = await w.app.resolve({ token: old });
  assert.equal(answer.status, 200);
  assert.ok(!answer.body.groups.includes('from-token'));
});

test('safeguards abort with nothing written: an empty snapshot, a run over the threshold (unless forced); a dry run writes nothing', async () => {
  const w = await world();
  for (let i = 0; i < 10; i++) assert.equal(await w.resolve(`s${i}`), 200);
  const before = JSON.stringify(await server.api('GET', `/v1/apps/${w.app.appId}/users?limit=1000`));

  await assert.rejects(w.apply(snapshot([])), (err: unknown) => err instanceof ReconcileAborted && err.reason === 'empty_snapshot');
  const fewer = snapshot([u('s0'), u('s1'), u('s2'), u('s3'), u('s4'), u('s5'), u('s6')]);
  await assert.rejects(w.apply(fewer, { threshold: { percent: 20 } }), (err: unknown) => err instanceof ReconcileAborted && err.reason === 'deletion_threshold' && err.counts.deprovisioned === 3);
  await assert.rejects(w.apply(fewer, { threshold: { count: 2 } }), ReconcileAborted);
  const dry = await w.apply(fewer, { threshold: { count: 3 }, dryRun: true });
  assert.equal(dry.deprovisioned, 3);
  assert.equal(JSON.stringify(await server.api('GET', `/v1/apps/${w.app.appId}/users?limit=1000`)), before, 'nothing changed');

  const forced = await w.apply(fewer, { threshold: { count: 1 }, force: true });
  assert.equal(forced.deprovisioned, 3);
  assert.equal((await w.user('s9')).status, 'deprovisioned');
});
