// The console's Webhook page in Chromium: enable (the secret shown once: gone on reload and on
// Back), real deliveries then listed as accepted or rejected with the reason, rotate and disable
// behind their confirmation pages, Clerk's pasted signing secret, enable and disable with
// JavaScript off, and a read-only token that sees no button and whose forged posts change
// nothing. No CSP violation, no WCAG 2.1 AA violation on any page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { cleanupAll } from '../helpers/env.js';
import { appWithProvider, genericEvents, sendSvix, sendWithHeader, svixSecret, clerkEvent } from '../webhooks/setup.js';
import { assertAccessible, csrfOf, openConsole, openSection, READ_SCOPES, screenshots, signIn, startConsoleWorld, type ConsoleWorld, type ConsolePage } from './world.js';

after(cleanupAll);

const SECRET_LABEL = 'Webhook signing secret';

describe('console: webhook', () => {
  let w: ConsoleWorld;
  let hookUrl: string;
  let adminPath: string;
  // One signed-in admin browser (JavaScript on) for the admin tests, which run in order.
  let admin: ConsolePage;
  before(async () => {
    w = await startConsoleWorld();
    admin = await openConsole(w);
    await signIn(w, admin.page, w.s.adminToken);
  });

  async function webhookStatus(): Promise<Record<string, any>> {
    const res = await w.s.api('GET', `${adminPath}/status`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Record<string, any>;
  }

  /** The rows of the deliveries table, as text. */
  async function deliveryRows(page: Page): Promise<string[]> {
    return page.getByRole('table', { name: 'The latest deliveries, newest first' }).locator('tbody tr').allInnerTexts();
  }

  async function shownSecret(page: Page): Promise<string> {
    const value = await page.getByRole('textbox', { name: SECRET_LABEL }).inputValue();
    assert.ok(value.length >= 32, 'a generated secret');
    return value;
  }

  test('without an identity provider the page says so and leads to setting one up', async () => {
    const { page, cspViolations } = admin;
    await openSection(w, page, 'Webhook');
    assert.match(await page.getByRole('main').innerText(), /no identity provider yet/);
    assert.equal(await page.getByRole('button', { name: 'Enable' }).count(), 0);
    await assertAccessible(page, 'webhook without a provider');
    await screenshots(page, 'webhook-no-provider');
    await page.getByRole('link', { name: 'Set up the provider first' }).click();
    await page.getByLabel('Issuer URL').waitFor();
    assert.deepEqual(cspViolations, []);
  });

  test('an admin enables (secret once), sees real deliveries, rotates and disables behind confirmations', async () => {
    const providerId = await w.createProvider();
    hookUrl = `${w.s.url}/v1/webhooks/idp/${providerId}`;
    adminPath = `/v1/apps/${w.appId}/identity-providers/${providerId}/webhook`;
    const { page, cspViolations } = admin;
    await openSection(w, page, 'Webhook');
    const main = page.getByRole('main');
    assert.match(await main.innerText(), /disabled/);
    assert.equal(await page.getByLabel('Webhook URL').inputValue(), hookUrl);
    assert.equal(await page.getByLabel('Signing secret').count(), 0, 'alter generates this scheme’s secret');
    assert.equal(await page.getByRole('button', { name: 'Rotate' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Disable' }).count(), 0);
    await assertAccessible(page, 'webhook disabled');
    await screenshots(page, 'webhook-disabled');

    // Enable: the secret is shown once, with the URL and what to do next, on a no-store page.
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/webhook') && r.request().method() === 'GET'), page.getByRole('button', { name: 'Enable' }).click()]);
    assert.equal(answer.headers()['cache-control'], 'no-store');
    await page.getByText('Webhook enabled.').waitFor();
    const secret = await shownSecret(page);
    assert.ok(!page.url().includes(secret));
    const shown = await page.locator('[data-shown-once]').innerText();
    assert.match(shown, new RegExp(hookUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    assert.match(shown, /Authorization header/);
    assert.equal((await webhookStatus()).enabled, true);
    await assertAccessible(page, 'webhook secret shown');
    await screenshots(page, 'webhook-secret-shown');

    await page.reload();
    assert.equal(await page.getByRole('textbox', { name: SECRET_LABEL }).count(), 0, 'gone on reload');
    assert.ok(!(await page.content()).includes(secret));
    await page.goBack();
    assert.ok(!(await page.content()).includes(secret), 'gone on Back');
    await page.goForward();

    // Real deliveries: one authorised with the secret, one without it.
    assert.equal((await sendWithHeader(hookUrl, secret, genericEvents({ id: 'd1', type: 'user.blocked', user_id: 'alice' }))).status, 200);
    assert.equal((await sendWithHeader(hookUrl, 'not-the-secret', genericEvents({ id: 'd2', type: 'user.blocked', user_id: 'bob' }))).status, 401);
    await page.reload();
    const rows = await deliveryRows(page);
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, /rejected/);
    assert.match(rows[0]!, /Authorization header does not match/);
    assert.match(rows[1]!, /accepted\s+user\.blocked\s+1/);
    const figures = await main.innerText();
    assert.match(figures, /Accepted\s+1/);
    assert.match(figures, /Rejected\s+1/);
    assert.ok(!(await page.content()).includes(secret));
    assert.equal(await page.getByRole('button', { name: 'Enable' }).count(), 0);
    await assertAccessible(page, 'webhook enabled with deliveries');
    await screenshots(page, 'webhook-enabled');

    // Rotate asks first: Cancel keeps the secret, the confirmation's button replaces it.
    await page.getByRole('button', { name: 'Rotate' }).click();
    await page.getByRole('heading', { name: 'Rotate the webhook secret?' }).waitFor();
    await assertAccessible(page, 'rotate confirmation');
    await screenshots(page, 'webhook-rotate-confirmation');
    await page.getByRole('link', { name: 'Cancel' }).click();
    assert.equal((await sendWithHeader(hookUrl, secret, genericEvents({ id: 'd3', type: 'user.blocked', user_id: 'alice' }))).status, 200, 'cancel changed nothing');
    await page.getByRole('button', { name: 'Rotate' }).click();
    await page.getByRole('button', { name: 'Rotate' }).click();
    await page.getByText('Webhook secret rotated').waitFor();
    const rotated = await shownSecret(page);
    assert.notEqual(rotated, secret);
    assert.equal((await sendWithHeader(hookUrl, secret, genericEvents({ id: 'd4', type: 'user.blocked', user_id: 'alice' }))).status, 401);
    assert.equal((await sendWithHeader(hookUrl, rotated, genericEvents({ id: 'd5', type: 'user.blocked', user_id: 'alice' }))).status, 200);

    // Disable asks first too.
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('heading', { name: 'Disable the webhook?' }).waitFor();
    assert.equal((await webhookStatus()).enabled, true, 'the confirmation page changes nothing');
    await assertAccessible(page, 'disable confirmation');
    await screenshots(page, 'webhook-disable-confirmation');
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('Webhook disabled').waitFor();
    assert.equal((await webhookStatus()).enabled, false);
    assert.equal((await sendWithHeader(hookUrl, rotated, genericEvents({ id: 'd6', type: 'user.blocked', user_id: 'alice' }))).status, 404);
    assert.equal(await page.getByRole('button', { name: 'Enable' }).count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Rotate' }).count(), 0);
    assert.deepEqual(cspViolations, []);
  });

  test('with JavaScript off: enable, the secret once, disable through its confirmation', async () => {
    const { page } = await openConsole(w, { javaScript: false });
    await signIn(w, page, w.s.adminToken);
    await openSection(w, page, 'Webhook');
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByText('Webhook enabled.').waitFor();
    const secret = await shownSecret(page);
    assert.equal(await page.getByRole('button', { name: `Copy ${SECRET_LABEL}` }).isVisible(), false, 'copy buttons need JavaScript');
    await page.reload();
    assert.ok(!(await page.content()).includes(secret));
    assert.equal((await sendWithHeader(hookUrl, secret, genericEvents({ id: 'j1', type: 'user.blocked', user_id: 'bob' }))).status, 200);
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('Webhook disabled').waitFor();
    assert.equal((await webhookStatus()).enabled, false);
  });

  test('Clerk: the signing secret is pasted; a wrong one is refused and not echoed; rotate takes the new one', async () => {
    const p = await appWithProvider(w.s, 'clerk');
    const { page, cspViolations } = admin;
    await page.goto(`${w.console}/apps/${p.appId}/webhook`);
    assert.match(await page.getByRole('main').innerText(), /Svix signature \(Clerk\)/);
    await page.getByLabel('Signing secret').fill('sk_test_not_a_signing_secret');
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /secret/);
    assert.ok(!(await page.content()).includes('sk_test_not_a_signing_secret'));

    const secret = svixSecret();
    await page.getByLabel('Signing secret').fill(secret);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByText('Webhook enabled.').waitFor();
    assert.equal(await page.getByRole('textbox', { name: SECRET_LABEL }).inputValue(), secret);
    assert.match(await page.locator('[data-shown-once]').innerText(), /Clerk Dashboard/, 'the adapter’s next step');

    const event = clerkEvent('user.deleted', { id: 'user_gone', deleted: true });
    assert.equal((await sendSvix(p.hookUrl, secret, event)).status, 200);
    assert.equal((await sendSvix(p.hookUrl, secret, event, { signWith: svixSecret() })).status, 401);
    await page.reload();
    const rows = await deliveryRows(page);
    assert.match(rows[0]!, /rejected[\s\S]*no svix-signature matches the body/);
    assert.match(rows[1]!, /accepted\s+user\.deleted\s+1/);

    await page.getByRole('button', { name: 'Rotate' }).click();
    await page.getByLabel('Signing secret').waitFor();
    await assertAccessible(page, 'rotate confirmation with a secret field');
    await screenshots(page, 'webhook-rotate-clerk');
    const next = svixSecret();
    await page.getByLabel('Signing secret').fill(next);
    await page.getByRole('button', { name: 'Rotate' }).click();
    await page.getByText('Webhook secret rotated').waitFor();
    assert.equal((await sendSvix(p.hookUrl, secret, event)).status, 401);
    assert.equal((await sendSvix(p.hookUrl, next, event)).status, 200);
    assert.deepEqual(cspViolations, []);
  });

  test('a read-only token sees why nothing is shown and no button; forged posts are 403 and change nothing', async () => {
    const { page } = await openConsole(w);
    await signIn(w, page, await w.token(READ_SCOPES));
    await page.goto(`${w.console}/apps/${w.appId}/webhook`);
    assert.match(await page.getByRole('main').innerText(), /lacks the scope dashboard_identity_providers:webhooks/);
    for (const name of ['Enable', 'Rotate', 'Disable']) assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    await assertAccessible(page, 'webhook, read-only');
    await screenshots(page, 'webhook-read-only');
    const csrf = await csrfOf(page);
    for (const action of ['enable', 'rotate', 'disable']) {
      const status = await page.evaluate(
        async ([url, token]) => (await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${encodeURIComponent(token!)}` })).status,
        [`${w.console}/apps/${w.appId}/webhook/${action}`, csrf],
      );
      assert.equal(status, 403, action);
    }
    assert.equal((await webhookStatus()).enabled, false);
    const confirmPage = await page.goto(`${w.console}/apps/${w.appId}/webhook/disable`);
    assert.equal(confirmPage?.status(), 403, 'no confirmation page for a token that may not act');
  });
});
