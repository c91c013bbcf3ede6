// End to end: a user resolves, the provider's signed webhook deprovisions them, and the very same
// unexpired token is refused from then on — by this server process at once, and by another
// process on the same database within a second.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll, testEnv } from '../helpers/env.js';
import { spawnServer, startTestServer } from '../helpers/server.js';
import { startFixtureIssuer } from '../helpers/fixture-issuer.js';
import { initServer } from '../../src/server/lifecycle.js';
import { appWithProvider, clerkEvent, issuerOf, enable, genericEvents, sendSvix, sendWithHeader, svixSecret, SERVER_ENV } from './setup.js';

after(cleanupAll);

async function call(url: string, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

test('a deprovisioned user’s unexpired token is refused at once; a removed group is not re-added by it', async () => {
  const server = await startTestServer(SERVER_ENV);
  const p = await appWithProvider(server, 'custom_oidc', { groupClaim: 'groups' });
  const key = (await server.api('POST', `/v1/apps/${p.appId}/keys`, { name: 'backend' })).body.key as string;
  const secret = await enable(server, p);
  const issuer = await issuerOf('custom_oidc');
  const token = await issuer.mint({ sub: 'alice', groups: ['staff', 'ops'] });
  const resolve = () => call(server.url, 'POST', '/v1/identity/resolve', key, { token });

  const first = await resolve();
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.deepEqual([...first.body.groups].sort(), ['ops', 'staff']);

  assert.equal((await sendWithHeader(p.hookUrl, secret, genericEvents({ id: 'rm', type: 'membership.removed', user_id: 'alice', group: 'staff' }))).status, 200);
  const afterRemoval = await resolve();
  assert.equal(afterRemoval.status, 200);
  assert.deepEqual(afterRemoval.body.groups, ['ops']);

  assert.equal((await sendWithHeader(p.hookUrl, secret, genericEvents({ id: 'del', type: 'user.deleted', user_id: 'alice' }))).status, 200);
  const refused = await resolve();
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error.reason, 'deprovisioned');
});

test('a Clerk user deleted before their first resolve is refused on it', async () => {
  const server = await startTestServer(SERVER_ENV);
  const p = await appWithProvider(server, 'clerk');
  const key = (await server.api('POST', `/v1/apps/${p.appId}/keys`, { name: 'backend' })).body.key as string;
  const secret = await enable(server, p, svixSecret());
  assert.equal((await sendSvix(p.hookUrl, secret, clerkEvent('user.deleted', { id: 'user_gone', deleted: true }))).status, 200);
  const issuer = await issuerOf('clerk');
  const res = await call(server.url, 'POST', '/v1/identity/resolve', key, { token: await issuer.mint({ sub: 'user_gone' }) });
  assert.equal(res.status, 401);
  assert.equal(res.body.error.reason, 'deprovisioned');
});

test('two server processes on one database: a deprovisioning through one is refused by the other within a second', async (t) => {
  const env = await testEnv(SERVER_ENV);
  const { token: admin } = await initServer(env.ALTER_DATA_DIR, env);
  const [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
  const issuer = await startFixtureIssuer();
  const appId = (await call(a.url, 'POST', '/v1/apps', admin, { name: 'two processes' })).body.id as string;
  const provider = await call(a.url, 'POST', `/v1/apps/${appId}/identity-providers`, admin, { issuer_url: issuer.issuer });
  assert.equal(provider.status, 201, JSON.stringify(provider.body));
  const key = (await call(a.url, 'POST', `/v1/apps/${appId}/keys`, admin, { name: 'backend' })).body.key as string;
  const secret = (await call(a.url, 'POST', `/v1/apps/${appId}/identity-providers/${provider.body.id}/webhook/enable`, admin, {})).body.secret as string;

  const token = await issuer.mint({ sub: 'bob' });
  for (const s of [a, b]) assert.equal((await call(s.url, 'POST', '/v1/identity/resolve', key, { token })).status, 200);

  const delivered = await sendWithHeader(`${a.url}/v1/webhooks/idp/${provider.body.id}`, secret, genericEvents({ id: 'bob-gone', type: 'user.deleted', user_id: 'bob' }));
  assert.equal(delivered.status, 200);
  const start = Date.now();
  let last: { status: number; body: any };
  do {
    last = await call(b.url, 'POST', '/v1/identity/resolve', key, { token });
    if (last.status === 401) break;
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() - start < 1000);
  assert.equal(last.status, 401, `still accepted by the other process after ${Date.now() - start} ms`);
  assert.equal(last.body.error.reason, 'deprovisioned');
  t.diagnostic(`refused by the other process ${Date.now() - start} ms after the delivery was acknowledged`);
  assert.equal(await a.stop(), 0);
  assert.equal(await b.stop(), 0);
});
