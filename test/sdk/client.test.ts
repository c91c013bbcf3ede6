// @alter/sdk's client and directory client against a real alter server and a fixture issuer: the
// answers and reasons of resolve, resolveRequest on both kinds of request, failing closed, a bad
// runtime key, the cache; users by id and by external id, all the members of a group or role.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { createAlter, AlterConfigError, AlterUnavailableError, type Alter } from '@alter/sdk';
import { createDirectory, type Directory } from '@alter/sdk/directory';
import { cleanupAll } from '../helpers/env.js';
import { countingProxy, startSdkWorld, stubServer, type SdkWorld } from './setup.js';

after(cleanupAll);

let w: SdkWorld;
let alter: Alter;

before(async () => {
  w = await startSdkWorld();
  alter = createAlter({ baseUrl: w.server.url, runtimeKey: w.app.runtimeKey });
});

const now = (): number => Math.floor(Date.now() / 1000);

function nodeRequest(headers: Record<string, string>): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  Object.assign(req.headers, headers);
  return req;
}

test('a valid token resolves to its user, groups, roles and claims', async () => {
  const res = await alter.resolve(await w.mint({ sub: 'ada', email: 'ada@example.com', name: 'Ada', groups: ['eng', 'ops'] }));
  assert.equal(res.ok, true);
  assert.ok(res.ok);
  assert.match(res.user.id, /^usr_/);
  assert.equal(res.user.external_id, 'ada');
  assert.equal(res.user.email, 'ada@example.com');
  assert.equal(res.user.status, 'active');
  assert.deepEqual(res.groups, ['eng', 'ops']);
  assert.deepEqual(res.roles, []);
  assert.equal(res.claims.aud, 'https://api.example.com');
});

test('expired, wrong-audience, malformed and deprovisioned tokens are { ok: false, reason }', async () => {
  assert.deepEqual(await alter.resolve(await w.mint({ sub: 'ada', exp: now() - 3600 })), { ok: false, reason: 'expired' });
  assert.deepEqual(await alter.resolve(await w.mint({ sub: 'ada', aud: 'https://elsewhere.example.com' })), { ok: false, reason: 'audience_mismatch' });
  assert.deepEqual(await alter.resolve('not-a-jwt'), { ok: false, reason: 'malformed' });
  assert.deepEqual(await alter.resolve(''), { ok: false, reason: 'malformed' });

  assert.equal((await alter.resolve(await w.mint({ sub: 'gone' }))).ok, true);
  await w.deprovision('gone');
  assert.deepEqual(await alter.resolve(await w.mint({ sub: 'gone' })), { ok: false, reason: 'deprovisioned' });
});

test('an app without an identity provider: no_identity_provider', async () => {
  const key = (await w.server.api('POST', '/v1/apps', { name: 'bare' })).body.id;
  const minted = await w.server.api('POST', `/v1/apps/${key}/keys`, { name: 'k' });
  const bare = createAlter({ baseUrl: w.server.url, runtimeKey: minted.body.key });
  assert.deepEqual(await bare.resolve(await w.mint({ sub: 'ada' })), { ok: false, reason: 'no_identity_provider' });
});

test('resolveRequest reads the bearer token of a Fetch Request and of a Node IncomingMessage', async () => {
  const token = await w.mint({ sub: 'ada' });
  const fromFetch = await alter.resolveRequest(new Request('http://backend.test/x', { headers: { Authorization: `Bearer ${token}` } }));
  assert.ok(fromFetch.ok && fromFetch.user.external_id === 'ada');
  const fromNode = await alter.resolveRequest(nodeRequest({ authorization: `bearer  ${token}` }));
  assert.ok(fromNode.ok && fromNode.user.external_id === 'ada');
  for (const headers of [{}, { authorization: 'Basic YTpi' }, { authorization: 'Bearer ' }] as Array<Record<string, string>>) {
    assert.deepEqual(await alter.resolveRequest(nodeRequest(headers)), { ok: false, reason: 'missing_token' }, JSON.stringify(headers));
    assert.deepEqual(await alter.resolveRequest(new Request('http://backend.test/x', { headers })), { ok: false, reason: 'missing_token' });
  }
});

test('a bad runtime key throws AlterConfigError', async () => {
  const bad = createAlter({ baseUrl: w.server.url, runtimeKey: 'alter_key_nope' });
  const err = await bad.resolve(await w.mint({ sub: 'ada' })).catch((e: unknown) => e);
  assert.ok(err instanceof AlterConfigError, String(err));
  assert.equal(err.status, 401);
  assert.equal(err.code, 'unauthorized');
  // A URL that is not alter's is a config error as well.
  const notAlter = createAlter({ baseUrl: await stubServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>nope</h1>')), runtimeKey: 'k' });
  await assert.rejects(notAlter.resolve('a.b.c'), AlterConfigError);
});

test('a stopped server, a timeout, a 5xx, a 429 and a non-JSON 200 throw AlterUnavailableError', async () => {
  const stopped = createAlter({ baseUrl: w.stoppedUrl, runtimeKey: w.app.runtimeKey });
  await assert.rejects(stopped.resolve(await w.mint({ sub: 'ada' })), AlterUnavailableError);
  await assert.rejects(stopped.resolveRequest(new Request('http://x/', { headers: { authorization: 'Bearer a.b.c' } })), AlterUnavailableError);

  const hanging = await stubServer(() => undefined);
  const t0 = Date.now();
  const err = await createAlter({ baseUrl: hanging, runtimeKey: 'k', timeoutMs: 200 }).resolve('a.b.c').catch((e: unknown) => e);
  assert.ok(err instanceof AlterUnavailableError, String(err));
  assert.match(err.message, /200 ms/);
  assert.ok(Date.now() - t0 < 2000);

  for (const [status, body] of [[500, '{"error":{"code":"internal","message":"boom"}}'], [503, '{"error":{"code":"store_unavailable","message":"down"}}'], [429, '{}'], [200, '<html>']] as const) {
    const url = await stubServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
    const e = await createAlter({ baseUrl: url, runtimeKey: 'k' }).resolve('a.b.c').catch((x: unknown) => x);
    assert.ok(e instanceof AlterUnavailableError, `${status}: ${String(e)}`);
    assert.equal(e.status, status);
  }
});

test('options are checked when the client is created', () => {
  assert.throws(() => createAlter({ baseUrl: 'alter.internal', runtimeKey: 'k' }), TypeError);
  assert.throws(() => createAlter({ baseUrl: 'http://x', runtimeKey: '' }), TypeError);
  assert.throws(() => createAlter({ baseUrl: 'http://x', runtimeKey: 'k', timeoutMs: 0 }), TypeError);
  assert.throws(() => createAlter({ baseUrl: 'http://x', runtimeKey: 'k', cache: { maxEntries: 0 } }), TypeError);
});

test('without a cache, every resolve asks alter', async () => {
  const proxy = await countingProxy(w.server.url);
  const uncached = createAlter({ baseUrl: proxy.url, runtimeKey: w.app.runtimeKey });
  const token = await w.mint({ sub: 'ada' });
  await uncached.resolve(token);
  await uncached.resolve(token);
  assert.equal(proxy.count('/v1/identity/resolve'), 2);
});

test('the cache answers repeated accepted tokens without a call, is bounded, and keeps no refusal', async () => {
  const proxy = await countingProxy(w.server.url);
  const cached = createAlter({ baseUrl: proxy.url, runtimeKey: w.app.runtimeKey, cache: { maxEntries: 2, ttlMs: 60_000 } });
  const [a, b, c] = await Promise.all(['ada', 'bo', 'cy'].map((sub) => w.mint({ sub })));
  const first = await cached.resolve(a!);
  assert.deepEqual(await cached.resolve(a!), first);
  assert.equal(proxy.count('/v1/identity/resolve'), 1, 'a hit does not call alter');

  await cached.resolve(b!);
  await cached.resolve(a!); // a is now the most recently used
  await cached.resolve(c!); // evicts b
  assert.equal(proxy.count('/v1/identity/resolve'), 3);
  await cached.resolve(a!);
  assert.equal(proxy.count('/v1/identity/resolve'), 3, 'a was kept');
  await cached.resolve(b!);
  assert.equal(proxy.count('/v1/identity/resolve'), 4, 'b was evicted (least recently used)');

  const expired = await w.mint({ sub: 'ada', exp: now() - 3600 });
  await cached.resolve(expired);
  await cached.resolve(expired);
  assert.equal(proxy.count('/v1/identity/resolve'), 6, 'refusals are not cached');

  cached.clearCache();
  await cached.resolve(a!);
  assert.equal(proxy.count('/v1/identity/resolve'), 7);
});

test('a cached answer is never used past the token\'s exp, nor past ttlMs', async () => {
  const proxy = await countingProxy(w.server.url);
  const cached = createAlter({ baseUrl: proxy.url, runtimeKey: w.app.runtimeKey, cache: { ttlMs: 60_000 } });
  const exp = now() + 2; // 1 to 2 s from now
  const soon = await w.mint({ sub: 'ada', exp });
  assert.equal((await cached.resolve(soon)).ok, true);
  const calls = proxy.count('/v1/identity/resolve');
  await cached.resolve(soon);
  assert.equal(proxy.count('/v1/identity/resolve'), calls, 'a hit before exp');
  await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
  await cached.resolve(soon); // alter's clock leeway may still accept it: what matters is that it was asked
  assert.equal(proxy.count('/v1/identity/resolve'), calls + 1, 'asked again once exp has passed');

  const short = createAlter({ baseUrl: proxy.url, runtimeKey: w.app.runtimeKey, cache: { ttlMs: 150 } });
  const token = await w.mint({ sub: 'ada' });
  await short.resolve(token);
  await short.resolve(token);
  const before = proxy.count('/v1/identity/resolve');
  await new Promise((r) => setTimeout(r, 200));
  await short.resolve(token);
  assert.equal(proxy.count('/v1/identity/resolve'), before + 1, 'asked again once ttlMs has passed');
});

test('with a cache, a deprovisioning reaches the backend once ttlMs has passed (the documented cost)', async () => {
  const cached = createAlter({ baseUrl: w.server.url, runtimeKey: w.app.runtimeKey, cache: { ttlMs: 300 } });
  const token = await w.mint({ sub: 'late' });
  assert.equal((await cached.resolve(token)).ok, true);
  await w.deprovision('late');
  assert.equal((await cached.resolve(token)).ok, true, 'still cached');
  await new Promise((r) => setTimeout(r, 350));
  assert.deepEqual(await cached.resolve(token), { ok: false, reason: 'deprovisioned' });
});

describe('directory', () => {
  let directory: Directory;
  const ids: Record<string, string> = {};

  before(async () => {
    directory = createDirectory({ baseUrl: w.server.url, runtimeKey: w.app.runtimeKey });
    for (const [sub, groups, roles] of [['m0', ['team a', 'eng'], ['admin']], ['m1', ['team a'], []], ['m2', ['team a'], ['admin']], ['m3', ['ops'], []]] as const) {
      const res = await alter.resolve(await w.mint({ sub, email: `${sub}@example.com`, groups, roles }));
      assert.ok(res.ok);
      ids[sub] = res.user.id;
    }
  });

  test('user(id): the user with memberships, or null', async () => {
    const user = await directory.user(ids.m0!);
    assert.ok(user);
    assert.equal(user.external_id, 'm0');
    assert.equal(user.email, 'm0@example.com');
    assert.deepEqual(user.groups, ['eng', 'team a']);
    assert.deepEqual(user.roles, ['admin']);
    assert.equal(user.status, 'active');
    assert.equal(await directory.user('usr_doesnotexist'), null);
    assert.equal(await directory.user('../../v1/apps'), null, 'the id is one path segment');
  });

  test('userByExternalId: the user, or null', async () => {
    assert.equal((await directory.userByExternalId('m1'))?.id, ids.m1);
    assert.equal(await directory.userByExternalId('nobody'), null);
    assert.equal(await directory.userByExternalId('m1&external_id=m0'), null, 'the value is escaped');
  });

  test('groupMembers: every member across pages, of a group or a role; [] for an unknown group', async () => {
    const all = await directory.groupMembers('team a', { pageSize: 1 });
    assert.deepEqual(all.map((u) => u.id).sort(), [ids.m0, ids.m1, ids.m2].sort());
    assert.deepEqual((await directory.groupMembers('team a')).map((u) => u.id).sort(), [ids.m0, ids.m1, ids.m2].sort());
    assert.deepEqual((await directory.groupMembers('admin', { kind: 'role', pageSize: 1 })).map((u) => u.id).sort(), [ids.m0, ids.m2].sort());
    assert.deepEqual(await directory.groupMembers('admin'), [], 'admin is a role, not a group');
    assert.deepEqual(await directory.groupMembers('nobody'), []);
  });

  test('a bad runtime key throws AlterConfigError; a stopped server AlterUnavailableError', async () => {
    const bad = createDirectory({ baseUrl: w.server.url, runtimeKey: 'alter_key_nope' });
    await assert.rejects(bad.user(ids.m0!), AlterConfigError);
    await assert.rejects(bad.groupMembers('team a'), AlterConfigError);
    const stopped = createDirectory({ baseUrl: w.stoppedUrl, runtimeKey: w.app.runtimeKey });
    await assert.rejects(stopped.userByExternalId('m0'), AlterUnavailableError);
  });
});
