// The console's Users and Groups sections in Chromium, against a real server whose directory was
// filled the real ways: two users by resolving the dev provider's tokens (with groups and a role),
// five more pushed over SCIM (one deactivated, two in a SCIM group). An admin searches, filters,
// pages, blocks, unblocks and deprovisions (after a confirmation), with JavaScript on and off; a
// read-only token sees the same pages without a button, and its forged posts change nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { cleanupAll } from '../helpers/env.js';
import { assertAccessible, csrfOf, openConsole, openSection, READ_SCOPES, screenshots, signIn, startConsoleWorld, type ConsoleWorld } from './world.js';

after(cleanupAll);

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SCIM_PEOPLE = [
  ['carol', 'Carol Chen'],
  ['dan', 'Dan Diaz'],
  ['erin', 'Erin Ek'],
  ['frank', 'Frank Fu'],
  ['grace', 'Grace Gil'],
] as const;

describe('console: users and groups', () => {
  let w: ConsoleWorld;
  /** External id → alter user id. */
  const ids = new Map<string, string>();

  const userStatus = async (externalId: string): Promise<string> => (await w.s.api('GET', `/v1/apps/${w.appId}/users/${ids.get(externalId)}`)).body.status;

  before(async () => {
    w = await startConsoleWorld();
    const providerId = await w.createProvider();
    await w.resolveUser('alice');
    await w.resolveUser('bob');
    const enabled = await w.s.api('POST', `/v1/apps/${w.appId}/identity-providers/${providerId}/scim/enable`, {});
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    const scim = async (path: string, body: unknown): Promise<string> => {
      const res = await fetch(enabled.body.base_url + path, { method: 'POST', headers: { authorization: `Bearer ${enabled.body.token}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body) });
      const created = (await res.json()) as { id: string };
      assert.equal(res.status, 201, JSON.stringify(created));
      return created.id;
    };
    const scimIds: string[] = [];
    for (const [sub, name] of SCIM_PEOPLE) {
      const [given, family] = name.split(' ');
      scimIds.push(await scim('/Users', { schemas: [USER_SCHEMA], externalId: sub, userName: `${sub}@example.test`, displayName: name, name: { givenName: given, familyName: family }, emails: [{ primary: true, value: `${sub}@example.test` }], active: sub !== 'frank' }));
    }
    await scim('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'sales', members: scimIds.slice(0, 2).map((value) => ({ value })) });
    const all = await w.s.api('GET', `/v1/apps/${w.appId}/users?limit=100`);
    for (const u of all.body.items) ids.set(u.external_id, u.id);
    assert.equal(ids.size, 7);
  });

  const rows = (page: Page) => page.getByRole('main').locator('tbody tr');
  // A user's link reads their name, then their email on a line of its own.
  // The label alone (its first text node), not the e-mail line under it: innerText would depend on
  // the stylesheet having been applied when it is read.
  const userLinks = (page: Page): Promise<string[]> =>
    page
      .getByRole('main')
      .locator('tbody tr td:first-child a')
      .evaluateAll((links) => links.map((a) => (a.firstChild?.textContent ?? '').trim()));

  test('an admin searches, filters by status and pages through the users', async () => {
    const { page, cspViolations } = await openConsole(w);
    await signIn(w, page, w.s.adminToken);
    await openSection(w, page, 'Users');
    assert.equal(await page.title(), 'Users · Acme Notes · alter console');
    assert.equal(await rows(page).count(), 7);
    assert.match(await page.getByRole('main').innerText(), /alice@example\.test/);
    await assertAccessible(page, 'users list');
    await screenshots(page, 'users');

    await page.getByLabel('Search').fill('ALICE');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/search=ALICE/);
    assert.deepEqual(await userLinks(page), ['Alice Liddell']);

    await page.getByLabel('Search').fill('');
    await page.getByLabel('Status').selectOption('deprovisioned');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/status=deprovisioned/);
    assert.deepEqual(await userLinks(page), ['Frank Fu']);
    assert.equal(await page.getByLabel('Status').inputValue(), 'deprovisioned', 'the filter stays chosen');

    await page.getByLabel('Search').fill('nobody-like-this');
    await page.getByLabel('Status').selectOption('any');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No user matches.').waitFor();

    // Three a page: 7 users are three pages, each user seen once, the search kept across pages.
    await page.goto(`${w.console}/apps/${w.appId}/users?search=example.test&limit=3`);
    const seen: string[] = [];
    for (const expected of [3, 3, 1]) {
      assert.equal(await rows(page).count(), expected);
      seen.push(...(await userLinks(page)));
      const next = page.getByRole('link', { name: 'Next page' });
      if (expected === 1) assert.equal(await next.count(), 0, 'no next page after the last');
      else await next.click();
    }
    assert.equal(new Set(seen).size, 7);
    assert.equal(await page.getByLabel('Search').inputValue(), 'example.test');
    await page.getByRole('link', { name: 'First page' }).click();
    assert.equal(await rows(page).count(), 3);
    assert.deepEqual(cspViolations, []);
  });

  test('an admin blocks, unblocks and deprovisions a user, the last only after confirming', async () => {
    const { page, cspViolations } = await openConsole(w);
    await signIn(w, page, w.s.adminToken);
    await openSection(w, page, 'Users');
    await page.getByRole('link', { name: 'Bob Stone' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Bob Stone');
    const main = page.getByRole('main');
    assert.match(await main.innerText(), /bob@example\.test/);
    assert.match(await main.getByRole('table', { name: /Memberships/ }).innerText(), /engineering/);
    assert.match(await main.getByRole('table', { name: /latest events/ }).innerText(), /created/);
    assert.equal(await page.getByRole('button', { name: 'Unblock' }).count(), 0);
    await assertAccessible(page, 'user page');
    await screenshots(page, 'user');

    await page.getByRole('button', { name: 'Block' }).click();
    await page.getByText('Bob Stone blocked').waitFor();
    assert.equal(await userStatus('bob'), 'blocked');
    assert.equal(await page.getByRole('button', { name: 'Block', exact: true }).count(), 0, 'a blocked user has no Block button');
    assert.match(await main.getByRole('table', { name: /latest events/ }).innerText(), /admin\s+blocked/);

    await page.getByRole('button', { name: 'Unblock' }).click();
    await page.getByText('Bob Stone unblocked').waitFor();
    assert.equal(await userStatus('bob'), 'active');

    await page.getByRole('button', { name: 'Deprovision' }).click();
    assert.match(page.url(), /\/deprovision\??$/);
    await page.getByRole('heading', { name: 'Deprovision Bob Stone?' }).waitFor();
    assert.equal(await userStatus('bob'), 'active', 'the first click only asks');
    await assertAccessible(page, 'deprovision confirmation');
    await screenshots(page, 'user-deprovision');
    await page.getByRole('link', { name: 'Cancel' }).click();
    assert.equal(await userStatus('bob'), 'active');

    await page.getByRole('button', { name: 'Deprovision' }).click();
    await page.getByRole('button', { name: 'Deprovision' }).click();
    await page.getByText('Bob Stone deprovisioned.').waitFor();
    assert.equal(await userStatus('bob'), 'deprovisioned');
    for (const name of ['Block', 'Unblock', 'Deprovision']) {
      assert.equal(await main.getByRole('button', { name }).count() + (await main.getByRole('link', { name }).count()), 0, `no ${name} for a deprovisioned user`);
    }
    assert.deepEqual(cspViolations, []);
  });

  test('groups and roles list their members, who link to their pages', async () => {
    const { page, cspViolations } = await openConsole(w);
    await signIn(w, page, w.s.adminToken);
    await openSection(w, page, 'Groups');
    const table = page.getByRole('main').getByRole('table');
    const text = await table.innerText();
    for (const row of [/group\s+engineering\s+2/, /group\s+on-call\s+1/, /group\s+sales\s+2\s+scim/, /role\s+editor\s+1/]) assert.match(text, row);
    await assertAccessible(page, 'groups');
    await screenshots(page, 'groups');

    await page.getByRole('link', { name: 'sales' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'sales');
    assert.deepEqual((await userLinks(page)).sort(), ['Carol Chen', 'Dan Diaz']);
    await assertAccessible(page, 'group page');
    await screenshots(page, 'group');

    await page.getByRole('link', { name: 'Search among its members' }).click();
    await page.getByText('Only members of the group').waitFor();
    assert.deepEqual((await userLinks(page)).sort(), ['Carol Chen', 'Dan Diaz']);
    await page.getByLabel('Search').fill('dan');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/search=dan/);
    assert.deepEqual(await userLinks(page), ['Dan Diaz'], 'the search keeps the group filter');

    await page.getByRole('link', { name: 'Dan Diaz' }).click();
    assert.match(await page.getByRole('main').getByRole('table', { name: /Memberships/ }).innerText(), /group\s+sales\s+scim/);
    assert.deepEqual(cspViolations, []);
  });

  test('with JavaScript off, an admin blocks and deprovisions a user through forms and redirects', async () => {
    const { page } = await openConsole(w, { javaScript: false });
    await signIn(w, page, w.s.adminToken);
    await page.goto(`${w.console}/apps/${w.appId}/users?search=carol`);
    await page.getByRole('link', { name: 'Carol Chen' }).click();
    await page.getByRole('button', { name: 'Block' }).click();
    await page.getByText('Carol Chen blocked').waitFor();
    assert.equal(await userStatus('carol'), 'blocked');
    await page.getByRole('button', { name: 'Deprovision' }).click();
    await page.getByRole('button', { name: 'Deprovision' }).click();
    await page.getByText('Carol Chen deprovisioned.').waitFor();
    assert.equal(await userStatus('carol'), 'deprovisioned');
  });

  test('a read-only token sees users and groups without a button; its forged posts are refused and change nothing', async () => {
    const { page, cspViolations } = await openConsole(w);
    await signIn(w, page, await w.token(READ_SCOPES));
    await openSection(w, page, 'Users');
    await page.getByRole('link', { name: 'dan@example.test' }).click();
    const main = page.getByRole('main');
    await main.getByText('dan@example.test').first().waitFor();
    for (const name of ['Block', 'Deprovision']) assert.equal((await main.getByRole('button', { name }).count()) + (await main.getByRole('link', { name }).count()), 0, `no ${name}`);
    assert.equal(await main.locator('form[method="post"]').count(), 0, 'no form that changes something');
    await assertAccessible(page, 'user page, read-only');
    await openSection(w, page, 'Groups');
    assert.equal(await page.getByRole('main').locator('form').count(), 0);

    const userUrl = `${w.console}/apps/${w.appId}/users/${ids.get('dan')}`;
    const confirm = await page.goto(`${userUrl}/deprovision`);
    assert.equal(confirm?.status(), 403, 'no confirmation page for what the token may not do');
    const csrf = await csrfOf(page);
    for (const action of ['block', 'deprovision']) {
      const status = await page.evaluate(
        async ([url, token]) => (await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${encodeURIComponent(token!)}` })).status,
        [`${userUrl}/${action}`, csrf],
      );
      assert.equal(status, 403, action);
    }
    assert.equal(await userStatus('dan'), 'active');
    assert.deepEqual(cspViolations, []);
  });
});
