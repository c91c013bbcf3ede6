// Wallet sign-in in a real browser (Debian's Chromium via playwright-core) against a real OpenID
// Provider (oidc-provider on loopback, its development login form): the whole round trip, and each
// way it can go wrong — cancelled at the provider, tampered state, a replayed or foreign callback,
// an expired flow, a deprovisioned user — ends on a page that says so, with nothing half-created.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { cleanupAll } from '../helpers/env.js';
import { callbackUrlAfterLogin, launchBrowser, newPage, signInAtProvider, startWalletWorld, type WalletWorld } from './world.js';

after(cleanupAll);

async function count(w: WalletWorld, table: 'wallet_sessions' | 'wallet_flows' | 'users', where: Record<string, string> = {}): Promise<number> {
  let q = w.s.server.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
  for (const [k, v] of Object.entries(where)) q = q.where(k as never, '=', v as never);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

async function userByExternalId(w: WalletWorld, externalId: string): Promise<any> {
  return w.s.server.store.db.selectFrom('users').selectAll().where('external_id', '=', externalId).executeTakeFirst();
}

describe('wallet sign-in in a browser', () => {
  let w: WalletWorld;
  let browser: Browser;
  before(async () => {
    [w, browser] = await Promise.all([startWalletWorld(), launchBrowser()]);
  });

  test('the provider object lists the wallet callback and logout URL of these routes', () => {
    assert.ok(w.provider.wallet.redirect_uris.includes(`${w.s.url}/wallet/callback`));
    assert.equal(w.provider.wallet.logout_url, `${w.s.url}/wallet/sign-in`);
  });

  test('sign in at the provider, land on the wallet page showing the user, sign out', async () => {
    const page = await newPage(browser);
    const first = await page.goto(w.signInUrl);
    assert.equal(first!.status(), 200);
    const csp = first!.headers()['content-security-policy']!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.doesNotMatch(csp, /unsafe-inline|script-src/);
    assert.equal(await page.title(), 'Sign in · Acme Notes');
    assert.equal(await page.locator('script').count(), 0);

    // Keyboard: the sign-in button is reachable with Tab and starts the flow with Enter.
    await page.keyboard.press('Tab');
    assert.equal(await page.locator(':focus').textContent(), `Sign in with 127.0.0.1:${new URL(w.dev.issuer).port}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${w.dev.issuer}/**`);
    await page.locator('input[name="login"]').fill('alice');
    await page.locator('input[name="password"]').fill('correct horse');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.waitForURL(w.signInUrl);

    const user = await userByExternalId(w, 'alice');
    assert.ok(user, 'the user was created just in time');
    const main = page.locator('main');
    await assert.doesNotReject(main.getByRole('heading', { name: 'Hello, Alice Liddell' }).waitFor());
    const text = await main.innerText();
    for (const shown of ['alice@example.test', 'engineering', 'on-call', 'editor', user.id, 'alice', w.dev.issuer]) assert.ok(text.includes(shown), `the wallet page shows ${shown}:\n${text}`);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/wallet-page.png', fullPage: true });

    const cookies = await page.context().cookies(`${w.s.url}/wallet/`);
    const session = cookies.find((c) => c.name === `alter_wallet_${w.appId}`)!;
    assert.ok(session, 'a session cookie is set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.secure, false, 'not Secure on an http:// public URL');
    assert.equal(session.path, '/wallet');
    const stored = await w.s.server.store.db.selectFrom('wallet_sessions').selectAll().execute();
    assert.equal(stored.length, 1);
    assert.notEqual(stored[0]!.id_hash, session.value, 'the session id is stored hashed');
    assert.equal(await count(w, 'wallet_flows'), 0, 'the flow was used up');

    // Sign out: alter ends its session, then the provider's (it asks for confirmation).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${w.dev.issuer}/**`);
    await page.getByRole('button', { name: /Yes, sign me out/ }).click();
    await page.waitForURL(`${w.s.url}/wallet/sign-in?**`);
    await page.getByRole('button', { name: /^Sign in with / }).waitFor();
    const after_ = await page.locator('main').innerText();
    assert.match(after_, /You have been signed out/);
    assert.ok(!after_.includes('alice@example.test') && !after_.includes(user.id), 'the page no longer shows the user');
    assert.equal(await count(w, 'wallet_sessions'), 0);
    await page.goto(w.signInUrl);
    assert.ok(!(await page.locator('main').innerText()).includes('alice@example.test'), 'still signed out after a reload');

    const audit = await w.s.server.store.db.selectFrom('audit_events').select(['action', 'target']).where('action', 'like', 'wallet.%').orderBy('at').orderBy('id').execute();
    assert.deepEqual(audit.map((a) => a.action), ['wallet.sign_in', 'wallet.sign_out']);
    assert.ok(audit.every((a) => a.target === user.id));
    await page.context().close();
  });

  test('the wallet maps claims exactly as identity resolution does: same user row, same groups', async () => {
    const shown = await w.s.api('GET', `/v1/apps/${w.appId}/identity-providers/current`);
    assert.equal(shown.body.claim_mappings_locked, true, 'the wallet sign-in locked the claim mappings, as a first resolve does');
    const key = await w.s.api('POST', `/v1/apps/${w.appId}/keys`, { name: 'backend' });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    const token = await w.dev.mintAccessToken('alice');
    const res = await fetch(`${w.s.url}/v1/identity/resolve`, { method: 'POST', headers: { authorization: `Bearer ${key.body.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    const body: any = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    const walletUser = await userByExternalId(w, 'alice');
    assert.equal(body.user.id, walletUser.id, 'resolution found the user the wallet created');
    assert.deepEqual([...body.groups].sort(), ['engineering', 'on-call']);
    assert.deepEqual(body.roles, ['editor']);
    assert.equal(await count(w, 'users', { external_id: 'alice' }), 1);
  });

  test('cancelling at the provider ends on a page that says so, with a way back and nothing created', async () => {
    const page = await newPage(browser);
    await page.goto(w.signInUrl);
    await page.getByRole('button', { name: /^Sign in with / }).click();
    const response = page.waitForResponse((r) => r.url().startsWith(`${w.s.url}/wallet/callback`));
    await page.getByRole('link', { name: /Cancel/ }).click();
    assert.equal((await response).status(), 422);
    await page.getByRole('heading', { name: 'The sign-in was not completed' }).waitFor();
    assert.match(await page.locator('main').innerText(), /cancelled at the provider, or access was denied/);
    assert.equal(await count(w, 'users', { external_id: 'carol' }), 0);
    assert.equal(await count(w, 'wallet_sessions'), 0);
    assert.equal(await count(w, 'wallet_flows'), 0, 'the cancelled flow is gone');
    await page.getByRole('link', { name: 'Try again' }).click();
    await page.waitForURL(w.signInUrl);
    await page.getByRole('button', { name: /^Sign in with / }).waitFor();
    await page.context().close();
  });

  test('a tampered state is refused; the genuine callback still works once, and a replay of it is refused', async () => {
    const page = await newPage(browser);
    const genuine = await callbackUrlAfterLogin(page, w, 'carol');
    const url = new URL(genuine);
    const state = url.searchParams.get('state')!;
    url.searchParams.set('state', state.slice(0, -4) + (state.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
    const tampered = await page.goto(url.toString());
    assert.equal(tampered!.status(), 400);
    await page.getByRole('heading', { name: 'This sign-in link is not valid' }).waitFor();
    assert.equal(await count(w, 'users', { external_id: 'carol' }), 0, 'nothing created');

    await page.goto(genuine);
    await page.waitForURL(w.signInUrl);
    await page.getByRole('heading', { name: 'Hello, Carol' }).waitFor();
    assert.equal(await count(w, 'wallet_sessions'), 1);

    const replay = await page.goto(genuine);
    assert.equal(replay!.status(), 400);
    await page.getByRole('heading', { name: 'This sign-in link is not valid' }).waitFor();
    assert.match(await page.locator('main').innerText(), /already used/);
    assert.equal(await count(w, 'wallet_sessions'), 1, 'the replay started no second session');
    await page.getByRole('link', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Hello, Carol' }).waitFor();

    // Sign-out needs the token of the page: a forged form post changes nothing.
    const cookie = (await page.context().cookies(`${w.s.url}/wallet/`)).find((c) => c.name === `alter_wallet_${w.appId}`)!;
    const forged = await fetch(`${w.s.url}/wallet/sign-out`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${cookie.name}=${cookie.value}` },
      body: new URLSearchParams({ app_id: w.appId }).toString(),
    });
    assert.equal(forged.status, 403);
    assert.equal(await count(w, 'wallet_sessions'), 1, 'still signed in');
    await page.context().close();
  });

  test('a callback URL opened in another browser is refused there (the flow is bound to the browser that started it)', async () => {
    const page = await newPage(browser);
    const callback = await callbackUrlAfterLogin(page, w, 'carol');
    const other = await newPage(browser);
    const res = await other.goto(callback);
    assert.equal(res!.status(), 400);
    assert.match(await other.locator('main').innerText(), /started in a different browser/);
    const sessions = await count(w, 'wallet_sessions');
    const back = await page.goto(callback);
    assert.equal(back!.status(), 400, 'the intercepted flow is spent for everyone');
    assert.equal(await count(w, 'wallet_sessions'), sessions);
    await page.context().close();
    await other.context().close();
  });

  test('a flow finished after it expired is refused with a page that says it took too long', async () => {
    const page = await newPage(browser);
    const callback = await callbackUrlAfterLogin(page, w, 'carol');
    await w.s.server.store.db.updateTable('wallet_flows').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
    const sessions = await count(w, 'wallet_sessions');
    const res = await page.goto(callback);
    assert.equal(res!.status(), 400);
    await page.getByRole('heading', { name: 'This sign-in took too long' }).waitFor();
    assert.equal(await count(w, 'wallet_sessions'), sessions);
    assert.equal(await count(w, 'wallet_flows'), 0);
    await page.context().close();
  });

  test('a user deprovisioned by a webhook cannot sign in, and nothing is created for them', async () => {
    const enabled = await w.s.api('POST', `/v1/apps/${w.appId}/identity-providers/${w.provider.id}/webhook/enable`, {});
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    const delivery = await fetch(enabled.body.url, {
      method: 'POST',
      headers: { authorization: enabled.body.secret, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ id: 'evt-wallet-1', type: 'user.deleted', user_id: 'mallory' }] }),
    });
    assert.ok(delivery.ok, `webhook answered ${delivery.status}`);
    const before_ = await userByExternalId(w, 'mallory');
    assert.equal(before_.status, 'deprovisioned');

    const page = await newPage(browser);
    await page.goto(w.signInUrl);
    const response = page.waitForResponse((r) => r.url().startsWith(`${w.s.url}/wallet/callback`));
    await signInAtProvider(page, 'mallory');
    assert.equal((await response).status(), 403);
    await page.getByRole('heading', { name: 'This account cannot sign in' }).waitFor();
    assert.match(await page.locator('main').innerText(), /deactivated/);
    const after_ = await userByExternalId(w, 'mallory');
    assert.deepEqual(after_, before_, 'the user row is untouched');
    assert.equal(await count(w, 'wallet_sessions', { user_id: before_.id }), 0);
    const memberships = await w.s.server.store.db.selectFrom('memberships').select('group_id').where('user_id', '=', before_.id).execute();
    assert.deepEqual(memberships, [], 'no groups added');
    const refused = await w.s.server.store.db.selectFrom('audit_events').select(['target', 'details']).where('action', '=', 'wallet.sign_in_refused').execute();
    assert.deepEqual(refused.map((r) => [r.target, JSON.parse(r.details!).status]), [[before_.id, 'deprovisioned']]);
    await page.context().close();
  });
});
