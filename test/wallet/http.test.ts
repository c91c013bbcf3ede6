// The wallet's routes over plain HTTP, where a browser is not needed to see the behaviour: what the
// start of the flow sends to the provider, cookie attributes under an https public URL, apps that
// cannot sign in, callbacks without a flow, and sessions of users blocked after signing in.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cleanupAll } from '../helpers/env.js';
import { CLIENT_ID, startWalletWorld, type WalletWorld } from './world.js';
import { MAX_PENDING_FLOWS_PER_APP } from '../../src/wallet/flows.js';

after(cleanupAll);

function form(fields: Record<string, string>): { method: string; redirect: 'manual'; headers: Record<string, string>; body: string } {
  return { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() };
}

describe('wallet routes over HTTP', () => {
  let w: WalletWorld;
  before(async () => {
    w = await startWalletWorld();
  });

  test('starting a sign-in redirects to the authorization endpoint with code + PKCE S256, state, nonce and the scopes', async () => {
    const res = await fetch(`${w.s.url}/wallet/start`, form({ app_id: w.appId }));
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!);
    const discovery: any = await (await fetch(`${w.dev.issuer}/.well-known/openid-configuration`)).json();
    assert.equal(`${location.origin}${location.pathname}`, discovery.authorization_endpoint);
    const p = location.searchParams;
    assert.equal(p.get('response_type'), 'code');
    assert.equal(p.get('client_id'), CLIENT_ID);
    assert.equal(p.get('redirect_uri'), `${w.s.url}/wallet/callback`);
    assert.equal(p.get('scope'), 'openid email profile groups');
    assert.equal(p.get('code_challenge_method'), 'S256');
    assert.match(p.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(p.get('state')!.length >= 43 && p.get('nonce')!.length >= 43);

    const binding = res.headers.getSetCookie().find((c) => c.startsWith('alter_wallet_binding='))!;
    assert.match(binding, /; Path=\/wallet; Max-Age=600; HttpOnly; SameSite=Lax$/);
    const flows = await w.s.server.store.db.selectFrom('wallet_flows').selectAll().execute();
    assert.equal(flows.length, 1);
    const flow = flows[0]!;
    assert.equal(flow.state_hash, createHash('sha256').update(p.get('state')!).digest('hex'), 'state stored hashed');
    assert.equal(flow.binding_hash, createHash('sha256').update(/=([^;]+)/.exec(binding)![1]!).digest('hex'));
    assert.ok(!JSON.stringify(flow).includes(p.get('state')!), 'the state itself is not stored');
    assert.match(flow.code_verifier, /^v1\./, 'the PKCE verifier is sealed');
    const ttl = Date.parse(flow.expires_at) - Date.parse(flow.created_at);
    assert.equal(ttl, 600_000);
  });

  test('a GET of the start address does not start anything', async () => {
    const res = await fetch(`${w.s.url}/wallet/start?app_id=${w.appId}`, { redirect: 'manual' });
    assert.equal(res.status, 404);
  });

  test('apps that cannot sign in get a 404 page, not a redirect', async () => {
    const bare = await w.s.api('POST', '/v1/apps', { name: 'No provider' });
    for (const path of [`/wallet/sign-in?app_id=${bare.body.id}`, '/wallet/sign-in', '/wallet/sign-in?app_id=app_doesnotexist', '/wallet/sign-in?app_id=%3Cscript%3E']) {
      const res = await fetch(w.s.url + path, { redirect: 'manual' });
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type')!, /^text\/html/);
      const html = await res.text();
      assert.match(html, /Sign-in is not available here/);
      assert.ok(!html.includes('<script'), path);
    }
    const start = await fetch(`${w.s.url}/wallet/start`, form({ app_id: bare.body.id }));
    assert.equal(start.status, 404);
    assert.equal(await w.s.server.store.db.selectFrom('wallet_flows').select('state_hash').where('app_id', '=', bare.body.id).executeTakeFirst(), undefined);
  });

  test('a callback with no flow, or an unknown one, is a 400 page', async () => {
    for (const query of ['', '?code=abc', '?state=nope&code=abc', `?state=${w.appId}.forged&code=abc`, '?error=access_denied&state=forged']) {
      const res = await fetch(`${w.s.url}/wallet/callback${query}`, { redirect: 'manual' });
      assert.equal(res.status, 400, query);
      const html = await res.text();
      assert.match(html, /not valid|without a sign-in in progress/, query);
      // Only a state naming a real wallet gets a "Try again" link to it.
      assert.equal(html.includes('Try again'), query.includes(w.appId), query);
    }
  });

  test('a session ends when its user is blocked after signing in', async () => {
    const db = w.s.server.store.db;
    const now = new Date().toISOString();
    await db.insertInto('users').values({ id: 'usr_blocked', app_id: w.appId, provider_id: w.provider.id, external_id: 'ex-blocked', email: 'b@example.test', name: 'B', status: 'active', status_changed_at: null, seen: 1, created_at: now, updated_at: now }).execute();
    const cookieValue = 'x'.repeat(43);
    await db.insertInto('wallet_sessions').values({ id_hash: createHash('sha256').update(cookieValue).digest('hex'), app_id: w.appId, user_id: 'usr_blocked', created_at: now, expires_at: new Date(Date.now() + 60_000).toISOString() }).execute();
    const cookie = `alter_wallet_${w.appId}=${cookieValue}`;
    const signedIn = await (await fetch(`${w.s.url}/wallet/sign-in?app_id=${w.appId}`, { headers: { cookie } })).text();
    assert.match(signedIn, /b@example\.test/);

    await db.updateTable('users').set({ status: 'blocked' }).where('id', '=', 'usr_blocked').execute();
    const res = await fetch(`${w.s.url}/wallet/sign-in?app_id=${w.appId}`, { headers: { cookie } });
    const html = await res.text();
    assert.doesNotMatch(html, /b@example\.test/);
    assert.match(html, /Sign in with/);
    assert.match(res.headers.getSetCookie().join('\n'), new RegExp(`alter_wallet_${w.appId}=; .*Max-Age=0`));
    assert.equal(await db.selectFrom('wallet_sessions').select('id_hash').where('user_id', '=', 'usr_blocked').executeTakeFirst(), undefined);
  });

  test('a form that cannot be read is a 400 page, and nothing starts', async () => {
    const flows = async (): Promise<number> => (await w.s.server.store.db.selectFrom('wallet_flows').select('state_hash').execute()).length;
    const before_ = await flows();
    const big = await fetch(`${w.s.url}/wallet/start`, form({ app_id: w.appId, padding: 'x'.repeat(8192) }));
    assert.equal(big.status, 400);
    assert.match(await big.text(), /That request could not be read/);
    const text = await fetch(`${w.s.url}/wallet/start`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'text/plain' }, body: `app_id=${w.appId}` });
    assert.equal(text.status, 404, 'a body that is not a form names no app');
    assert.equal(await flows(), before_);
  });

  test('behind an https public URL with a path prefix: Secure cookies scoped to the prefix, callback under it', async () => {
    const https = await startWalletWorld({ ALTER_PUBLIC_URL: 'https://wallet.example.test/alter' });
    assert.deepEqual(https.provider.wallet.redirect_uris, ['https://wallet.example.test/alter/wallet/callback']);
    const res = await fetch(`${https.s.url}/wallet/start`, form({ app_id: https.appId }));
    assert.equal(res.status, 303);
    assert.equal(new URL(res.headers.get('location')!).searchParams.get('redirect_uri'), 'https://wallet.example.test/alter/wallet/callback');
    assert.match(res.headers.getSetCookie().join('\n'), /alter_wallet_binding=[^;]+; Path=\/alter\/wallet; Max-Age=600; HttpOnly; SameSite=Lax; Secure/);
    const page = await (await fetch(`${https.s.url}/wallet/sign-in?app_id=${https.appId}`)).text();
    assert.match(page, /<form method="post" action="start">/, 'forms post relative to the page, so the prefix is kept');
  });
});

describe('wallet flows under a flood of sign-in starts', () => {
  test('past the cap of flows in progress, starts get a 429 page and store nothing', async () => {
    const w = await startWalletWorld();
    const { db } = w.s.server.store;
    const now = Date.now();
    // Flows in progress, as a flood of POST /wallet/start would leave them (inserted in batches).
    for (let batch = 0; batch < MAX_PENDING_FLOWS_PER_APP / 1000; batch++) {
      await db
        .insertInto('wallet_flows')
        .values(
          Array.from({ length: 1000 }, (_, i) => ({
            state_hash: `flood-${batch}-${i}`,
            app_id: w.appId,
            binding_hash: 'b',
            nonce: 'n',
            code_verifier: 'v',
            created_at: new Date(now).toISOString(),
            expires_at: new Date(now + 600_000).toISOString(),
          })),
        )
        .execute();
    }
    const res = await fetch(`${w.s.url}/wallet/start`, form({ app_id: w.appId }));
    assert.equal(res.status, 429);
    assert.match(await res.text(), /Too many sign-ins/);
    const count = (await db.selectFrom('wallet_flows').select('state_hash').execute()).length;
    assert.equal(count, MAX_PENDING_FLOWS_PER_APP);
    // Once they expire, starts work again.
    await db.updateTable('wallet_flows').set({ expires_at: new Date(now - 1000).toISOString() }).execute();
    assert.equal((await fetch(`${w.s.url}/wallet/start`, form({ app_id: w.appId }))).status, 303);
  });
});
