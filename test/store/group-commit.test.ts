// Group commit (src/store/write-batch.ts): concurrent resolves' writes share one transaction, each
// answered only after the commit. On the pass's database (SQLite file or PostgreSQL), with real
// server processes where crashes and two processes matter.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanupAll, onCleanup, testEnv } from '../helpers/env.js';
import { apiOk, spawnServer, startTestServer } from '../helpers/server.js';
import { startFixtureIssuer } from '../helpers/fixture-issuer.js';
import { initServer } from '../../src/server/lifecycle.js';
import { openStore } from '../../src/store/database.js';
import { writeBatcherOf } from '../../src/store/write-batch.js';
import { syncUserFromToken } from '../../src/store/repos/users.js';
import { createResolveApp, resolveCall } from '../resolve/setup.js';

after(cleanupAll);

test('200 concurrent first resolves of 200 users: each answered with its own user, 200 rows, batched', async () => {
  const issuer = await startFixtureIssuer();
  const s = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const app = await createResolveApp(s, { issuer_url: issuer.issuer, group_claim: 'groups' });
  const batcher = writeBatcherOf(s.server.store.db)!;
  const before = { ...batcher.stats };
  const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => issuer.mint({ sub: `user-${i}`, groups: [`team-${i % 7}`, 'everyone'] })));
  const answers = await Promise.all(tokens.map((token) => app.resolve({ token })));
  answers.forEach((a, i) => {
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(a.body.user.external_id, `user-${i}`);
    assert.deepEqual(a.body.groups, ['everyone', `team-${i % 7}`].sort());
  });
  const db = s.server.store.db;
  const users = await db.selectFrom('users').select(['id', 'external_id']).execute();
  assert.equal(users.length, 200);
  assert.equal(new Set(users.map((u) => u.id)).size, 200);
  const memberships = await db.selectFrom('memberships').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(memberships.n), 400);
  const groups = await db.selectFrom('groups').select('name').execute();
  assert.equal(groups.length, 8, 'each group created once');
  const writes = batcher.stats.writes - before.writes;
  const batches = batcher.stats.batches - before.batches;
  assert.ok(writes >= 200, `${writes} writes`);
  assert.ok(batches < writes, `writes were grouped: ${writes} writes in ${batches} transactions`);
});

test('200 concurrent first resolves of one user: all answered 200 with one user row', async () => {
  const issuer = await startFixtureIssuer();
  const s = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const app = await createResolveApp(s, { issuer_url: issuer.issuer, group_claim: 'groups', role_claim: 'roles' });
  const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => issuer.mint({ sub: 'the-one', groups: ['a', 'b'], roles: ['admin'], jti: `t${i}` })));
  const answers = await Promise.all(tokens.map((token) => app.resolve({ token })));
  const ids = new Set(answers.map((a) => (assert.equal(a.status, 200, JSON.stringify(a.body)), a.body.user.id as string)));
  assert.equal(ids.size, 1);
  answers.forEach((a) => assert.deepEqual([a.body.groups, a.body.roles], [['a', 'b'], ['admin']]));
  const db = s.server.store.db;
  assert.equal((await db.selectFrom('users').selectAll().execute()).length, 1);
  assert.equal((await db.selectFrom('memberships').selectAll().execute()).length, 3);
  const created = await db.selectFrom('user_events').select('action').where('action', '=', 'created').execute();
  assert.equal(created.length, 1, 'one creation in the history');
});

test('a burst of known users whose groups change, read together: removals still block older tokens, and only theirs', async () => {
  const issuer = await startFixtureIssuer();
  const s = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const app = await createResolveApp(s, { issuer_url: issuer.issuer, group_claim: 'groups' });
  const subs = Array.from({ length: 60 }, (_, i) => `known-${i}`);
  for (const sub of subs) assert.equal((await app.resolve({ token: await issuer.mint({ sub, groups: ['staff'] }) })).status, 200);
  // "oncall" was removed (as a provider's webhook records it) from the even-numbered users a
  // minute after the tokens below were issued.
  const db = s.server.store.db;
  const users = await db.selectFrom('users').select(['id', 'external_id']).execute();
  const issuedAt = Math.floor(Date.now() / 1000) - 120;
  const removedAt = new Date((issuedAt + 60) * 1000).toISOString();
  const even = new Set(subs.filter((_, i) => i % 2 === 0));
  await db
    .insertInto('membership_removals')
    .values(users.filter((u) => even.has(u.external_id)).map((u) => ({ user_id: u.id, kind: 'group', name: 'oncall', removed_at: removedAt })))
    .execute();
  const tokens = await Promise.all(subs.map((sub) => issuer.mint({ sub, groups: ['staff', 'oncall'], iat: issuedAt })));
  const answers = await Promise.all(tokens.map((token) => app.resolve({ token })));
  answers.forEach((a, i) => {
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(a.body.user.external_id, subs[i]);
    assert.deepEqual(a.body.groups, even.has(subs[i]!) ? ['staff'] : ['oncall', 'staff'], subs[i]);
  });
  const oncall = await db
    .selectFrom('memberships')
    .innerJoin('groups', 'groups.id', 'memberships.group_id')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('users.external_id')
    .where('groups.name', '=', 'oncall')
    .execute();
  assert.deepEqual(oncall.map((r) => r.external_id).sort(), subs.filter((sub) => !even.has(sub)).sort());
});

test('a write that fails in a batch fails alone: the others commit', async () => {
  const env = await testEnv();
  const store = await openStore({ dataDir: env.ALTER_DATA_DIR, databaseUrl: env.DATABASE_URL });
  onCleanup(() => store.close());
  const { migrate } = await import('../../src/store/database.js');
  await migrate(store);
  const batcher = writeBatcherOf(store.db)!;
  const before = batcher.stats.batches;
  const insert = (name: string) => (tx: typeof store.db) => tx.insertInto('apps').values({ id: `app_${name}`, name, created_at: new Date().toISOString() }).execute();
  const results = await Promise.allSettled([
    batcher.run(insert('one')),
    batcher.run(async (tx) => {
      await insert('doomed')(tx);
      throw new Error('this write fails after writing');
    }),
    batcher.run(insert('one')), // the same primary key again: a constraint violation, alone
    batcher.run(insert('three')),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  assert.match(String((results[1] as PromiseRejectedResult).reason), /fails after writing/);
  const names = (await store.db.selectFrom('apps').select('name').orderBy('name').execute()).map((r) => r.name);
  assert.deepEqual(names, ['one', 'three'], 'the failed writes left nothing; the others committed');
  // The batch rolled back as a whole; then each write ran alone, and the two that could committed.
  assert.equal(batcher.stats.batches - before, 2, 'two transactions committed: one and three, each alone');
});

test('a user write whose provider was deleted meanwhile fails alone, with its database error; the rest of its batch commits', async () => {
  const issuer = await startFixtureIssuer();
  const s = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const app = await createResolveApp(s, { issuer_url: issuer.issuer, group_claim: 'groups' });
  const db = s.server.store.db;
  const identity = (sub: string) => ({ externalId: sub, email: null, name: null, groups: ['g'], roles: null, issuedAt: null });
  const provider = { id: app.providerId!, app_id: app.appId };
  // On SQLite these are applied by the writer thread: the error crosses back with its code.
  const results = await Promise.allSettled([
    syncUserFromToken(db, provider, identity('first')),
    syncUserFromToken(db, { ...provider, id: 'idp_deleted_meanwhile' }, identity('orphan')),
    syncUserFromToken(db, provider, identity('third')),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.match(String((results[1] as PromiseRejectedResult & { reason: { code: unknown } }).reason.code), /^(SQLITE_CONSTRAINT_FOREIGNKEY|23503)$/);
  const users = await db.selectFrom('users').select('external_id').orderBy('external_id').execute();
  assert.deepEqual(users.map((u) => u.external_id), ['first', 'third']);
});

test('names with quotes, backslashes, dollar signs, braces and semicolons are stored exactly as the token says', async () => {
  // On PostgreSQL a batch's values are written into its SQL as quoted literals (pg-one-round-trip.ts),
  // most of them inside array literals (user-writes.ts), whose quoting differs again.
  const issuer = await startFixtureIssuer();
  const s = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const app = await createResolveApp(s, { issuer_url: issuer.issuer, group_claim: 'groups' });
  const awkward = ["o'brien", "'; drop table users; --", 'back\\slash\\', '$1 $2', "E'\\x27'", 'dollar $$ quoted $$', 'naïve — 日本', 'line\nbreak', '"double" {braces}, commas', 'NULL', ' padded ', '\\"', '{}'];
  const answers = await Promise.all(
    awkward.map(async (name, i) => app.resolve({ token: await issuer.mint({ sub: `awkward-${i}`, email: `${name}@example.com`, groups: [name, 'plain'] }) })),
  );
  answers.forEach((a, i) => {
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.deepEqual(a.body.groups, [awkward[i], 'plain'].sort());
  });
  const db = s.server.store.db;
  const groups = (await db.selectFrom('groups').select('name').execute()).map((g) => g.name).sort();
  assert.deepEqual(groups, [...awkward, 'plain'].sort());
  const emails = (await db.selectFrom('users').select('email').execute()).map((u) => u.email).sort();
  assert.deepEqual(emails, awkward.map((n) => `${n}@example.com`).sort());
  const events = await db.selectFrom('user_events').select('detail').where('action', '=', 'membership_added').execute();
  assert.equal(events.length, awkward.length * 2);
  for (const name of awkward) assert.ok(events.some((e) => JSON.parse(e.detail!).name === name), name);
});

test('SIGKILL in the middle of batched writes loses no write that was answered 200', async () => {
  const env = await testEnv({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const { token: admin } = await initServer(env.ALTER_DATA_DIR, env);
  const issuer = await startFixtureIssuer();
  const server = await spawnServer(env);
  const app = await apiOk(server.url, admin, 'POST', '/v1/apps', { name: 'crash' });
  const key = await apiOk(server.url, admin, 'POST', `/v1/apps/${app.id}/keys`, { name: 'backend' });
  await apiOk(server.url, admin, 'POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: issuer.issuer, group_claim: 'groups' });
  const tokens = await Promise.all(Array.from({ length: 600 }, (_, i) => issuer.mint({ sub: `crash-${i}`, groups: [`g${i % 5}`] })));

  const answered: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tokens.length) {
      const i = next++;
      try {
        const res = await resolveCall(server.url, key.key, { token: tokens[i] });
        if (res.status === 200) answered.push(`crash-${i}`);
      } catch {
        return; // the server is gone
      }
    }
  };
  const load = Promise.all(Array.from({ length: 40 }, worker));
  while (answered.length < 100) await sleep(5);
  server.proc.kill('SIGKILL');
  await load;
  await server.exited;
  assert.ok(answered.length >= 100 && answered.length < tokens.length, `${answered.length} answered before the kill`);

  const store = await openStore({ dataDir: env.ALTER_DATA_DIR, databaseUrl: env.DATABASE_URL });
  onCleanup(() => store.close());
  const stored = new Set((await store.db.selectFrom('users').select('external_id').execute()).map((r) => r.external_id));
  const lost = answered.filter((sub) => !stored.has(sub));
  assert.deepEqual(lost, [], 'every user answered 200 is in the store');
  const orphans = await store.db.selectFrom('memberships').leftJoin('users', 'users.id', 'memberships.user_id').select('memberships.user_id').where('users.id', 'is', null).execute();
  assert.deepEqual(orphans, [], 'no half-written user');
});

test('two processes on one database batching at once: every answer right, one row per user', async () => {
  const env = await testEnv({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const { token: admin } = await initServer(env.ALTER_DATA_DIR, env);
  const issuer = await startFixtureIssuer();
  const [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
  const app = await apiOk(a.url, admin, 'POST', '/v1/apps', { name: 'two batchers' });
  const key = await apiOk(a.url, admin, 'POST', `/v1/apps/${app.id}/keys`, { name: 'backend' });
  await apiOk(a.url, admin, 'POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: issuer.issuer, group_claim: 'groups' });
  // 100 users, each resolved through both processes at once, with groups that change per token.
  const calls = await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const user = i % 100;
      const token = await issuer.mint({ sub: `both-${user}`, groups: ['shared', `g${user % 3}`] });
      return { user, res: await resolveCall(i % 2 ? b.url : a.url, key.key, { token }) };
    }),
  );
  for (const { user, res } of calls) {
    assert.equal(res.status, 200, `${JSON.stringify(res.body)}\n${a.output()}\n${b.output()}`);
    assert.equal(res.body.user.external_id, `both-${user}`);
    assert.deepEqual(res.body.groups, ['shared', `g${user % 3}`].sort());
  }
  const list = await apiOk(a.url, admin, 'GET', `/v1/apps/${app.id}/users?limit=1000`);
  assert.equal(list.items.length, 100, 'one row per user');
  assert.equal(new Set(list.items.map((u: any) => u.external_id)).size, 100);
  assert.equal(await a.stop(), 0);
  assert.equal(await b.stop(), 0);
});
