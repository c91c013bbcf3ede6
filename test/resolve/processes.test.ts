// Two real server processes on one database (the SQLite file, or PostgreSQL on the CI pass): a
// runtime key revoked through one is refused by the other within a second, caches included; and
// a process starting up fetches the JWKS of the providers it will serve.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll, testEnv } from '../helpers/env.js';
import { apiOk, spawnServer } from '../helpers/server.js';
import { startFixtureIssuer } from '../helpers/fixture-issuer.js';
import { initServer } from '../../src/server/lifecycle.js';
import { resolveCall } from './setup.js';

after(cleanupAll);

test('a key revoked through one process is refused by the other within a second', async () => {
  const env = await testEnv({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const { token: admin } = await initServer(env.ALTER_DATA_DIR, env);
  const issuer = await startFixtureIssuer();
  const a = await spawnServer(env);

  const app = await apiOk(a.url, admin, 'POST', '/v1/apps', { name: 'two processes' });
  const key = await apiOk(a.url, admin, 'POST', `/v1/apps/${app.id}/keys`, { name: 'backend' });
  await apiOk(a.url, admin, 'POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: issuer.issuer });

  // A fetched the JWKS for discovery, then once more in the background to fill its key cache; the
  // latter may land after the answer, so it is waited for before counting B's.
  const waitForFetches = async (n: number): Promise<void> => {
    for (const deadline = Date.now() + 3000; issuer.jwksFetches < n && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
  };
  await waitForFetches(2);
  const fetchesBeforeB = issuer.jwksFetches;
  assert.equal(fetchesBeforeB, 2, 'A: discovery and its own key cache');
  const b = await spawnServer(env);
  await waitForFetches(fetchesBeforeB + 1);
  assert.equal(issuer.jwksFetches, fetchesBeforeB + 1, 'B fetched the JWKS at start-up, before any resolve');

  const token = await issuer.mint({ sub: 'shared-user' });
  // Warm every cache of B: runtime key, provider, verified token.
  for (let i = 0; i < 3; i++) assert.equal((await resolveCall(b.url, key.key, { token })).status, 200);
  assert.equal((await resolveCall(a.url, key.key, { token })).status, 200);

  await apiOk(a.url, admin, 'POST', `/v1/apps/${app.id}/keys/${key.id}/revoke`);
  const revokedAt = Date.now();
  let status = 200;
  while (status === 200 && Date.now() - revokedAt < 3000) {
    status = (await resolveCall(b.url, key.key, { token })).status;
    if (status === 200) await new Promise((r) => setTimeout(r, 25));
  }
  const elapsed = Date.now() - revokedAt;
  assert.equal(status, 401);
  assert.ok(elapsed < 1000, `refused by the other process after ${elapsed} ms`);
  assert.equal((await resolveCall(a.url, key.key, { token })).status, 401);

  assert.equal(await a.stop(), 0);
  assert.equal(await b.stop(), 0);
});

test('a rotated webhook secret and a deleted provider hold on the other process at once', async () => {
  const env = await testEnv({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const { token: admin } = await initServer(env.ALTER_DATA_DIR, env);
  const issuer = await startFixtureIssuer();
  const a = await spawnServer(env);
  const b = await spawnServer(env);
  const app = await apiOk(a.url, admin, 'POST', '/v1/apps', { name: 'two processes, one truth' });
  const key = await apiOk(a.url, admin, 'POST', `/v1/apps/${app.id}/keys`, { name: 'backend' });
  const provider = await apiOk(a.url, admin, 'POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: issuer.issuer });
  const hooks = `/v1/apps/${app.id}/identity-providers/${provider.id}/webhook`;
  const { secret: first } = await apiOk(a.url, admin, 'POST', `${hooks}/enable`, {});

  const deliver = (secret: string, id: string): Promise<number> =>
    fetch(`${b.url}/v1/webhooks/idp/${provider.id}`, {
      method: 'POST',
      headers: { authorization: secret, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ id, type: 'user.updated', user_id: 'nobody' }] }),
    }).then((r) => r.status);
  assert.equal(await deliver(first, 'evt-1'), 200);

  const { secret: second } = await apiOk(a.url, admin, 'POST', `${hooks}/rotate`, {});
  assert.equal(await deliver(first, 'evt-2'), 401, 'the old secret fails on the other process at once');
  assert.equal(await deliver(second, 'evt-3'), 200);

  const token = await issuer.mint({ sub: 'someone' });
  for (let i = 0; i < 2; i++) assert.equal((await resolveCall(b.url, key.key, { token })).status, 200);
  await apiOk(a.url, admin, 'DELETE', `/v1/apps/${app.id}/identity-providers/${provider.id}`);
  const deletedAt = Date.now();
  let answer = await resolveCall(b.url, key.key, { token });
  while (answer.status === 200 && Date.now() - deletedAt < 3000) {
    await new Promise((r) => setTimeout(r, 25));
    answer = await resolveCall(b.url, key.key, { token });
  }
  const elapsed = Date.now() - deletedAt;
  assert.equal(answer.status, 401);
  assert.equal(answer.body.error.reason, 'no_identity_provider');
  assert.ok(elapsed < 1000, `refused by the other process after ${elapsed} ms`);
  assert.equal(await deliver(second, 'evt-4'), 404, 'the deleted provider’s webhook is gone');

  assert.equal(await a.stop(), 0);
  assert.equal(await b.stop(), 0);
});

test("an operator's block through one process is refused by the other within a second, and unblock holds there too", async () => {
  const env = await testEnv({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const { token: admin } = await initServer(env.ALTER_DATA_DIR, env);
  const issuer = await startFixtureIssuer();
  const a = await spawnServer(env);
  const b = await spawnServer(env);
  const app = await apiOk(a.url, admin, 'POST', '/v1/apps', { name: 'operator across processes' });
  const key = await apiOk(a.url, admin, 'POST', `/v1/apps/${app.id}/keys`, { name: 'backend' });
  await apiOk(a.url, admin, 'POST', `/v1/apps/${app.id}/identity-providers`, { issuer_url: issuer.issuer });
  const token = await issuer.mint({ sub: 'blocked-by-operator' });
  for (let i = 0; i < 2; i++) assert.equal((await resolveCall(b.url, key.key, { token })).status, 200);
  const { items } = await apiOk(a.url, admin, 'GET', `/v1/apps/${app.id}/users?external_id=blocked-by-operator`);

  const until = async (want: number): Promise<number> => {
    const from = Date.now();
    let status = (await resolveCall(b.url, key.key, { token })).status;
    while (status !== want && Date.now() - from < 3000) {
      await new Promise((r) => setTimeout(r, 25));
      status = (await resolveCall(b.url, key.key, { token })).status;
    }
    assert.equal(status, want);
    return Date.now() - from;
  };
  await apiOk(a.url, admin, 'POST', `/v1/apps/${app.id}/users/${items[0].id}/block`);
  const blockedAfter = await until(401);
  assert.ok(blockedAfter < 1000, `refused by the other process after ${blockedAfter} ms`);
  await apiOk(a.url, admin, 'POST', `/v1/apps/${app.id}/users/${items[0].id}/unblock`);
  const unblockedAfter = await until(200);
  assert.ok(unblockedAfter < 1000, `accepted again by the other process after ${unblockedAfter} ms`);

  assert.equal(await a.stop(), 0);
  assert.equal(await b.stop(), 0);
});
