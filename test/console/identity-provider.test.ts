// The console's sign-in, app picker, overview and Identity provider page in Chromium: from an
// empty app to a configured provider without the CLI (discover → create → delete), as an admin
// and as a read-only token, with JavaScript on and off; no CSP violation, no WCAG 2.1 AA violation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { assertAccessible, openConsole, openSection, READ_SCOPES, screenshots, signIn, startConsoleWorld, type ConsoleWorld } from './world.js';

after(cleanupAll);

describe('console: identity provider', () => {
  let w: ConsoleWorld;
  before(async () => {
    w = await startConsoleWorld();
  });

  for (const javaScript of [true, false]) {
    test(`an admin discovers, creates and deletes the provider (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const { page, cspViolations } = await openConsole(w, { javaScript });
      await signIn(w, page, w.s.adminToken);
      assert.equal(await page.title(), 'Apps · alter console');
      await assertAccessible(page, 'apps');
      await page.getByRole('link', { name: 'Acme Notes' }).click();
      await assertAccessible(page, 'overview');
      await openSection(w, page, 'Identity provider');
      await assertAccessible(page, 'identity provider (none)');

      await page.getByLabel('Issuer URL').fill(w.dev.issuer);
      await page.getByRole('button', { name: 'Discover' }).click();
      const found = page.getByRole('main');
      await found.getByText('custom oidc').first().waitFor();
      assert.match(await found.innerText(), /Suggested claim mappings/);
      assert.equal(await w.s.server.store.db.selectFrom('identity_providers').selectAll().execute().then((r) => r.length), 0, 'discover saves nothing');
      await assertAccessible(page, 'discover preview');
      await page.getByLabel('Group claim').fill('groups');
      await page.getByRole('button', { name: 'Create', exact: true }).click();

      await page.getByText('Identity provider created.').waitFor();
      const main = await page.getByRole('main').innerText();
      assert.match(main, new RegExp(w.dev.issuer.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
      assert.equal(await page.getByLabel('Redirect URI').inputValue(), `${w.s.url}/wallet/callback`);
      assert.equal(await page.getByLabel('Logout URL').inputValue(), `${w.s.url}/wallet/sign-in`);
      assert.equal(await page.getByRole('button', { name: 'Copy Logout URL' }).isVisible(), javaScript, 'copy buttons need JavaScript');
      await assertAccessible(page, 'identity provider');
      if (javaScript) await screenshots(page, 'identity-provider');

      const current = await w.s.api('GET', `/v1/apps/${w.appId}/identity-providers/current`);
      assert.equal(current.status, 200);
      assert.equal(current.body.claim_mappings.group_claim, 'groups');

      // Delete asks first; Cancel keeps it, the confirmation's button deletes.
      await page.getByRole('button', { name: 'Delete' }).click();
      await assertAccessible(page, 'delete confirmation');
      await page.getByRole('link', { name: 'Cancel' }).click();
      assert.equal((await w.s.api('GET', `/v1/apps/${w.appId}/identity-providers/current`)).status, 200);
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByText('Identity provider deleted.').waitFor();
      assert.equal((await w.s.api('GET', `/v1/apps/${w.appId}/identity-providers/current`)).status, 404);
      assert.deepEqual(cspViolations, []);
    });
  }

  test('a discovery that fails shows the reason and saves nothing', async () => {
    const { page } = await openConsole(w);
    await signIn(w, page, w.s.adminToken);
    await openSection(w, page, 'Identity provider');
    await page.getByLabel('Issuer URL').fill('http://127.0.0.1:9/nothing-here');
    await page.getByRole('button', { name: 'Discover' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /could not be fetched/);
    assert.equal((await w.s.api('GET', `/v1/apps/${w.appId}/identity-providers/current`)).status, 404);
  });

  test('a read-only token sees the provider but no form that would change it; a forged post is 403', async () => {
    const providerId = await w.createProvider();
    const { page } = await openConsole(w);
    await signIn(w, page, await w.token(READ_SCOPES));
    await openSection(w, page, 'Identity provider');
    assert.match(await page.getByRole('main').innerText(), new RegExp(providerId));
    assert.equal(await page.getByRole('button', { name: 'Save changes' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0);
    await assertAccessible(page, 'identity provider, read-only');
    // The form is not there, but the session's CSRF token is (the Sign out form): a hand-made post
    // with it is refused by the API's scope check, and nothing changes.
    const csrf = (await page.locator('input[name="csrf"]').first().getAttribute('value')) ?? '';
    const status = await page.evaluate(
      async ([url, token]) => (await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${encodeURIComponent(token!)}` })).status,
      [`${w.console}/apps/${w.appId}/identity-provider/delete`, csrf],
    );
    assert.equal(status, 403);
    // Nor is the question asked of a token that could not act on the answer.
    const asked = await page.goto(`${w.console}/apps/${w.appId}/identity-provider/delete`);
    assert.equal(asked?.status(), 403);
    assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0);
    assert.equal((await w.s.api('GET', `/v1/apps/${w.appId}/identity-providers/current`)).status, 200);
  });
});
