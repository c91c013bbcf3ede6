// The console's sign-in and sessions, in Chromium and over plain HTTP: a wrong token opens nothing;
// `alter console` (the real CLI) prints a one-time link that works once and for 5 minutes; sessions
// end on sign-out, after 1 h idle, 8 h in all, and when their token is revoked; the cookie is
// HttpOnly and SameSite=Strict (and __Host-/Secure on https); a cross-origin form post is refused
// even with a valid CSRF token; pages carry the CSP and no-store; a forged in-process caller header
// from outside is refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cleanupAll, onCleanup } from '../helpers/env.js';
import { cli } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';
import { INTERNAL_CALLER_HEADER } from '../../src/server/internal-caller.js';
import { assertAccessible, csrfOf, openConsole, READ_SCOPES, signIn, startConsoleWorld, type ConsoleWorld } from './world.js';

after(cleanupAll);

async function sessionCount(w: ConsoleWorld): Promise<number> {
  const row = await w.s.server.store.db.selectFrom('console_sessions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('console sessions', () => {
  let w: ConsoleWorld;
  before(async () => {
    w = await startConsoleWorld();
  });

  test('a wrong token shows an error and opens no session; the sign-in page is accessible', async () => {
    const { page, cspViolations } = await openConsole(w);
    await page.goto(`${w.console}/`);
    assert.match(page.url(), /\/console\/sign-in/);
    await assertAccessible(page, 'sign-in');
    await page.getByLabel('Personal access token').fill('alter_pat_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.match(await page.getByRole('alert').innerText(), /not accepted: token is unknown/);
    assert.equal(await sessionCount(w), 0);
    assert.deepEqual((await page.context().cookies()).filter((c) => c.name.includes('console')), []);
    assert.deepEqual(cspViolations, []);
  });

  test('pages carry a strict CSP, no-store and no referrer; the cookie is HttpOnly and SameSite=Strict', async () => {
    const { page, context } = await openConsole(w);
    await signIn(w, page, w.s.adminToken);
    const res = await page.goto(`${w.console}/apps/${w.appId}`);
    const headers = res!.headers();
    assert.match(headers['content-security-policy']!, /^default-src 'none'; script-src 'self'; style-src 'self';/);
    assert.doesNotMatch(headers['content-security-policy']!, /unsafe-inline/);
    assert.equal(headers['cache-control'], 'no-store');
    assert.equal(headers['referrer-policy'], 'no-referrer');
    assert.equal(headers['x-frame-options'], 'DENY');
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'alter_console');
    assert.ok(cookie, 'session cookie set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.secure, false, 'plain http public URL');
    assert.ok(cookie.expires > Date.now() / 1000 + 7.9 * 3600 && cookie.expires < Date.now() / 1000 + 8.1 * 3600, 'lives at most 8 h');
    // The page's HTML has no inline script or style for the CSP to allow.
    const html = await page.content();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  });

  test('sign out ends the session; going back does not bring it back', async () => {
    const { page } = await openConsole(w);
    await signIn(w, page, w.s.adminToken);
    const before = await sessionCount(w);
    await page.getByRole('link', { name: 'Acme Notes' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    assert.match(await page.getByRole('status').innerText(), /signed out/i);
    assert.equal(await sessionCount(w), before - 1);
    await page.goBack();
    await page.reload();
    assert.match(page.url(), /\/console\/sign-in/);
  });

  test('a session ends after 1 h without a request, and 8 h after sign-in', async () => {
    const db = w.s.server.store.db;
    await db.deleteFrom('console_sessions').execute();
    const { page } = await openConsole(w);
    await signIn(w, page, w.s.adminToken);
    await db.updateTable('console_sessions').set({ last_seen_at: new Date(Date.now() - 61 * 60_000).toISOString() }).execute();
    await page.goto(`${w.console}/apps/${w.appId}`);
    assert.match(page.url(), /\/console\/sign-in\?next=/);
    assert.equal(await sessionCount(w), 0);

    await signIn(w, page, w.s.adminToken);
    await db.updateTable('console_sessions').set({ last_seen_at: new Date().toISOString(), expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
    await page.goto(`${w.console}/`);
    assert.match(page.url(), /\/console\/sign-in/);

    // Just inside the idle limit the session is alive, and the request counts as activity.
    await signIn(w, page, w.s.adminToken);
    await db.updateTable('console_sessions').set({ last_seen_at: new Date(Date.now() - 59 * 60_000).toISOString() }).execute();
    await page.goto(`${w.console}/`);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 1);
    const row = await db.selectFrom('console_sessions').select('last_seen_at').executeTakeFirstOrThrow();
    assert.ok(Date.now() - Date.parse(row.last_seen_at) < 60_000);
  });

  test('revoking the token ends its console sessions at the next request', async () => {
    const token = await w.token(READ_SCOPES);
    const { page } = await openConsole(w);
    await signIn(w, page, token);
    const who = await w.s.api('GET', '/v1/auth/whoami', undefined, token);
    assert.equal((await w.s.api('POST', `/v1/tokens/${who.body.token_id}/revoke`)).status, 200);
    await page.goto(`${w.console}/`);
    assert.match(page.url(), /\/console\/sign-in\?ended=1/);
    assert.match(await page.getByRole('status').innerText(), /session has ended/);
  });

  test('`alter console --app` prints a one-time link that signs in on the app, once', async () => {
    const res = await cli(['console', '--app', w.appId, '--output', 'json'], { env: w.s.cliEnv });
    assert.equal(res.code, 0, res.stderr);
    const link = res.json<{ url: string; expires_at: string }>();
    assert.deepEqual(Object.keys(link).sort(), ['expires_at', 'url']);
    assert.ok(link.url.startsWith(`${w.console}/sign-in/link?code=`));
    const ttl = Date.parse(link.expires_at) - Date.now();
    assert.ok(ttl > 4 * 60_000 && ttl <= 5 * 60_000, `expires in ${ttl} ms`);

    const { page } = await openConsole(w);
    await page.goto(link.url);
    await page.waitForURL(`${w.console}/apps/${w.appId}`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Acme Notes');

    // The same link again, in another browser: refused, no session.
    const before = await sessionCount(w);
    const other = await openConsole(w);
    const again = await other.page.goto(link.url);
    assert.equal(again!.status(), 401);
    assert.match(await other.page.getByRole('alert').innerText(), /already used or has expired/);
    assert.equal(await sessionCount(w), before);
  });

  test('text output is the URL alone; an expired link is refused; a restricted token cannot link to another app', async () => {
    const res = await cli(['console'], { env: w.s.cliEnv });
    assert.equal(res.code, 0, res.stderr);
    const url = res.stdout.trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/console\/sign-in\/link\?code=alter_signin_[\w-]+$/);
    await w.s.server.store.db.updateTable('console_links').set({ expires_at: new Date(Date.now() - 1).toISOString() }).where('used_at', 'is', null).execute();
    const { page } = await openConsole(w);
    assert.equal((await page.goto(url))!.status(), 401);

    const other = await w.s.api('POST', '/v1/apps', { name: 'Other' });
    const restricted = await w.token(READ_SCOPES, other.body.id);
    const refused = await cli(['console', '--app', w.appId], { env: { ...w.s.cliEnv, ALTER_PAT: restricted } });
    assert.equal(refused.code, 7, refused.stderr);
    assert.equal(refused.stdout, '');
  });

  test('a restricted token sees only its app; another app answers 403', async () => {
    const other = await w.s.api('POST', '/v1/apps', { name: 'Elsewhere' });
    const token = await w.token(READ_SCOPES, other.body.id);
    const { page } = await openConsole(w);
    await signIn(w, page, token);
    assert.match(page.url(), new RegExp(`/console/apps/${other.body.id}$`));
    await page.goto(`${w.console}/`);
    assert.equal(await page.getByRole('link', { name: 'Acme Notes' }).count(), 0);
    const res = await page.goto(`${w.console}/apps/${w.appId}`);
    assert.equal(res!.status(), 403);
    await assertAccessible(page, 'error page');
  });

  test('a form posted from another origin is refused even with the session’s CSRF token', async () => {
    await w.createProvider();
    const { page } = await openConsole(w);
    await signIn(w, page, w.s.adminToken);
    const csrf = await csrfOf(page);
    // Another origin on this machine, on the same site (127.0.0.1, another port): SameSite alone
    // would let the cookie through, so the Fetch Metadata / Origin check is what refuses it.
    const evil = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><form method="post" action="${w.console}/apps/${w.appId}/identity-provider/delete"><input name="csrf" value="${csrf}"><button>Win a prize</button></form>`);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    onCleanup(() => new Promise<void>((r) => evil.close(() => r())));
    await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes('/identity-provider/delete')), page.getByRole('button', { name: 'Win a prize' }).click()]);
    assert.equal(response.status(), 403);
    assert.equal((await w.s.api('GET', `/v1/apps/${w.appId}/identity-providers/current`)).status, 200, 'nothing deleted');

    // Same origin but without the session's token: refused too.
    await page.goto(`${w.console}/apps/${w.appId}/identity-provider`);
    const status = await page.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=wrong' })).status, `${w.console}/apps/${w.appId}/identity-provider/delete`);
    assert.equal(status, 403);
    assert.equal((await w.s.api('GET', `/v1/apps/${w.appId}/identity-providers/current`)).status, 200, 'nothing deleted');
  });

  test('the in-process caller header is refused from outside', async () => {
    const who = await w.s.api('GET', '/v1/auth/whoami');
    const res = await fetch(`${w.s.url}/v1/apps`, { headers: { [INTERNAL_CALLER_HEADER]: `guess.${who.body.token_id}` } });
    assert.equal(res.status, 401);
    const res2 = await fetch(`${w.s.url}/v1/apps`, { headers: { [INTERNAL_CALLER_HEADER]: who.body.token_id } });
    assert.equal(res2.status, 401);
  });
});

test('on an https public URL the cookie is __Host-, Secure and Path=/', async () => {
  const s = await startTestServer({ ALTER_PUBLIC_URL: 'https://console.example.test' });
  const res = await fetch(`${s.url}/console/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://console.example.test' },
    body: `token=${encodeURIComponent(s.adminToken)}`,
  });
  assert.equal(res.status, 303);
  const cookie = res.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^__Host-alter_console=[\w-]{43}; Path=\/; Max-Age=28800; HttpOnly; SameSite=Strict; Secure$/);
  // From any other origin the sign-in form is refused.
  const cross = await fetch(`${s.url}/console/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example.test' },
    body: `token=${encodeURIComponent(s.adminToken)}`,
  });
  assert.equal(cross.status, 403);
  assert.equal(cross.headers.get('set-cookie'), null);
});
