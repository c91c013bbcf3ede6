// The wallet's test world: a real OpenID Provider (the dev provider, oidc-provider on loopback), a
// real alter server allowed to reach it, an app whose identity provider was created through the
// real create route with wallet credentials, and Debian's Chromium driven by playwright-core.
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDevProvider, type DevProvider, type DevUser } from '../../src/dev/provider.js';
import { onCleanup } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

export const USERS: DevUser[] = [
  { sub: 'alice', email: 'alice@example.test', name: 'Alice Liddell', groups: ['engineering', 'on-call'], roles: ['editor'] },
  { sub: 'mallory', email: 'mallory@example.test', name: 'Mallory', groups: ['engineering'] },
  { sub: 'carol', email: 'carol@example.test', name: 'Carol', groups: [] },
];

export const CLIENT_ID = 'alter-wallet';
export const CLIENT_SECRET = 'wallet-secret-7f3c9a1e';

export interface WalletWorld {
  s: TestServer;
  dev: DevProvider;
  appId: string;
  provider: any;
  signInUrl: string;
}

export async function startWalletWorld(extraEnv: Record<string, string> = {}): Promise<WalletWorld> {
  const dev = await startDevProvider({ users: USERS });
  onCleanup(() => dev.close());
  const s = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1', ...extraEnv });
  const publicUrl = extraEnv.ALTER_PUBLIC_URL ?? s.url;
  dev.addClient({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`${publicUrl}/wallet/callback`], post_logout_redirect_uris: [`${publicUrl}/wallet/sign-in`] });
  const app = await s.api('POST', '/v1/apps', { name: 'Acme Notes' });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const created = await s.api('POST', `/v1/apps/${app.body.id}/identity-providers`, {
    issuer_url: dev.issuer,
    group_claim: 'groups',
    role_claim: 'roles',
    wallet_client_id: CLIENT_ID,
    wallet_client_secret: CLIENT_SECRET,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { s, dev, appId: app.body.id, provider: created.body, signInUrl: `${s.url}/wallet/sign-in?app_id=${app.body.id}` };
}

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  onCleanup(() => browser.close());
  return browser;
}

/** A fresh browser profile (own cookies) with a page whose third-party requests fail at once. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  // The provider's dev form @imports a web font; there is no network here, so refuse it quickly.
  await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
  return context.newPage();
}

/** From the wallet's sign-in page: click the button and log in at the provider's dev form. */
export async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.getByRole('button', { name: /^Sign in with / }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
}

/**
 * Signs in at the provider but stops the browser before it reaches /wallet/callback, and returns
 * the callback URL it was sent to (code and state included) for the test to replay or tamper with.
 * Browsers follow redirects without asking and request interception sees only the first request of
 * a chain, so the login form's submission is taken over: its redirects are followed with the
 * context's own cookie jar until one points at the callback.
 */
export async function callbackUrlAfterLogin(page: Page, world: WalletWorld, login: string): Promise<string> {
  let captured: string | undefined;
  const callback = `${world.s.url}/wallet/callback`;
  await page.route(`${world.dev.issuer}/interaction/**`, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    let res = await route.fetch({ maxRedirects: 0 });
    let location = res.headers().location;
    for (let hops = 0; location && hops < 5; hops++) {
      const next = new URL(location, res.url()).toString();
      if (next.startsWith(callback)) {
        captured = next;
        break;
      }
      res = await page.context().request.get(next, { maxRedirects: 0 });
      location = res.headers().location;
    }
    await route.fulfill({ status: 200, contentType: 'text/plain', body: 'held by the test' });
  });
  await page.goto(world.signInUrl);
  await signInAtProvider(page, login);
  await page.getByText('held by the test').waitFor();
  await page.unroute(`${world.dev.issuer}/interaction/**`);
  assert.ok(captured, 'the provider sent the browser to the callback');
  return captured;
}
