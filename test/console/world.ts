// The console's test world: a real alter server (in-process, port 0; SQLite or PostgreSQL as the
// pass says), a real OpenID Provider on loopback (the dev provider) that the server may reach,
// an app, and Debian's Chromium driven by playwright-core. Helpers sign in through the real form,
// count CSP violations the browser reports, and run axe-core (WCAG 2.1 A and AA) on a page.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDevProvider, type DevProvider, type DevUser } from '../../src/dev/provider.js';
import { SCOPES } from '../../src/scopes.js';
import { onCleanup } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser } from '../wallet/world.js';

export const USERS: DevUser[] = [
  { sub: 'alice', email: 'alice@example.test', name: 'Alice Liddell', groups: ['engineering', 'on-call'], roles: ['editor'] },
  { sub: 'bob', email: 'bob@example.test', name: 'Bob Stone', groups: ['engineering'] },
];

/** Every read scope: what a read-only operator token holds. */
export const READ_SCOPES = SCOPES.filter((s) => s.endsWith(':read'));

export interface ConsoleWorld {
  s: TestServer;
  dev: DevProvider;
  browser: Browser;
  appId: string;
  /** The console's address on this server. */
  console: string;
  /** A new personal access token with these scopes (optionally restricted to one app). */
  token(scopes: readonly string[], appId?: string): Promise<string>;
  /** Creates the app's identity provider (the dev provider) through the API; returns its id. */
  createProvider(): Promise<string>;
  /** Resolves a dev-provider token of `sub` through the runtime API, so the user is in the directory. */
  resolveUser(sub: string): Promise<void>;
}

export async function startConsoleWorld(extraEnv: Record<string, string> = {}): Promise<ConsoleWorld> {
  const dev = await startDevProvider({ users: USERS });
  onCleanup(() => dev.close());
  const [s, browser] = await Promise.all([startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1', ...extraEnv }), launchBrowser()]);
  const app = await s.api('POST', '/v1/apps', { name: 'Acme Notes' });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const appId = app.body.id as string;
  let runtimeKey: string | undefined;
  const world: ConsoleWorld = {
    s,
    dev,
    browser,
    appId,
    console: `${s.url}/console`,
    async token(scopes, restrictTo) {
      const res = await s.api('POST', '/v1/tokens', { name: `console test ${scopes.length}`, scopes, ...(restrictTo ? { app_id: restrictTo } : {}) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.token as string;
    },
    async createProvider() {
      const res = await s.api('POST', `/v1/apps/${appId}/identity-providers`, { issuer_url: dev.issuer, group_claim: 'groups', role_claim: 'roles' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    },
    async resolveUser(sub) {
      if (!runtimeKey) {
        const key = await s.api('POST', `/v1/apps/${appId}/keys`, { name: 'console tests' });
        assert.equal(key.status, 201, JSON.stringify(key.body));
        runtimeKey = key.body.key as string;
      }
      const token = await dev.mintAccessToken(sub);
      const res = await fetch(`${s.url}/v1/identity/resolve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${runtimeKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      assert.equal(res.status, 200, await res.text());
    },
  };
  return world;
}

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** CSP violations the browser reported on this page so far. */
  cspViolations: string[];
}

/** A fresh browser profile (own cookies), JavaScript on or off, reporting CSP violations. */
export async function openConsole(w: ConsoleWorld, opts: { javaScript?: boolean; width?: number; height?: number } = {}): Promise<ConsolePage> {
  const context = await w.browser.newContext({ javaScriptEnabled: opts.javaScript ?? true, viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 } });
  onCleanup(() => context.close());
  if (opts.javaScript === false) jsOff.add(context);
  await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  return { page, context, cspViolations };
}

/** Signs in through the console's form with `token`; lands on the page the console chooses. */
export async function signIn(w: ConsoleWorld, page: Page, token: string): Promise<void> {
  await page.goto(`${w.console}/`);
  await page.getByLabel('Personal access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState();
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 1, `not signed in: ${await page.content()}`);
}

/** The app's section from the navigation, by its contract name ("Overview", "Webhook", …). */
export async function openSection(w: ConsoleWorld, page: Page, section: string): Promise<void> {
  if (!page.url().includes(`/console/apps/${w.appId}`)) {
    await page.goto(`${w.console}/`);
    await page.getByRole('link', { name: 'Acme Notes' }).click();
  }
  await page.getByRole('navigation', { name: 'App sections' }).getByRole('link', { name: section, exact: true }).click();
  await page.waitForLoadState();
}

/** No WCAG 2.1 A/AA violation on the page as it is now. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  // axe runs as script in the page: with JavaScript off there is nothing to run it in (and the
  // pages are the same HTML either way), so it is checked on the JavaScript runs.
  if (!javaScriptOn(page)) return;
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const summary = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  assert.deepEqual(summary, [], `${what}: axe found WCAG 2.1 AA violations`);
  // Every page checked is also a page to look at.
  await screenshots(page, `checked-${what.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`);
}

const jsOff = new WeakSet<BrowserContext>();

function javaScriptOn(page: Page): boolean {
  return !jsOff.has(page.context());
}

/** Screenshots at a desktop and a phone width, into SCREENSHOT_DIR when it is set (for looking at). */
export async function screenshots(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const size = page.viewportSize();
  await page.screenshot({ path: join(dir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(dir, `${name}-phone.png`), fullPage: true });
  if (size) await page.setViewportSize(size);
}

/** The form's CSRF token on the current page (for tests that forge or replay requests). */
export async function csrfOf(page: Page): Promise<string> {
  return (await page.locator('input[name="csrf"]').first().getAttribute('value')) ?? '';
}
