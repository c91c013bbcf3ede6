// The console's Directory sync section in Chromium (sync-world.ts), continued from sync.test.ts:
// SCIM enabled, its token shown once and used over real HTTP, rotated and disabled after
// confirmations; a run followed with JavaScript off (the page reloads itself); what a read-only
// token sees and may not do. In this order: each starts where the one before left the provider.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { assertAccessible, csrfOf, openConsole, openSection, READ_SCOPES, screenshots, signIn, type ConsoleWorld } from './world.js';
import { RUN_ENDS_MS, startSyncWorld, type SyncWorld } from './sync-world.js';

after(cleanupAll);

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe('console: SCIM and sync runs', () => {
  let sw: SyncWorld;
  let w: ConsoleWorld;

  before(async () => {
    sw = await startSyncWorld();
    w = sw.w;
  });

  test('SCIM: enabled with its token shown once, used over HTTP, rotated and disabled after confirmations', async () => {
    const { page, cspViolations } = await openConsole(w);
    await signIn(w, page, w.s.adminToken);
    await page.goto(`${w.console}/apps/${w.appId}/sync`);
    const baseUrl = `${w.s.url}/scim/v2/idp/${sw.providerApi.split('/').at(-1)}`;

    const shown = page.waitForResponse((r) => r.request().method() === 'GET' && r.url().endsWith('/sync'));
    await page.getByRole('button', { name: 'Enable SCIM' }).click();
    assert.equal((await shown).headers()['cache-control'], 'no-store');
    await page.getByText('SCIM enabled.').waitFor();
    const token = await page.getByRole('textbox', { name: 'SCIM bearer token' }).inputValue();
    assert.match(token, /^alter_scim_/);
    assert.ok(!page.url().includes(token), 'never in the URL');
    assert.equal(await page.getByLabel('SCIM base URL').inputValue(), baseUrl);
    await assertAccessible(page, 'sync page, SCIM token shown');
    await screenshots(page, 'sync-scim-token');

    let pushed = 0;
    const push = (bearer: string) =>
      fetch(`${baseUrl}/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ schemas: [USER_SCHEMA], externalId: `scim-${++pushed}`, userName: `scim-${pushed}@example.test`, active: true }),
      }).then((r) => r.status);
    assert.equal(await push(token), 201);

    await page.reload();
    assert.ok(!(await page.content()).includes(token), 'not shown again on reload');
    assert.equal(await page.getByRole('textbox', { name: 'SCIM bearer token' }).count(), 0);
    const scim = await sw.facts(page, 'SCIM');
    assert.match(scim, /Requests\s+1\b/);
    assert.match(scim, /Users it manages\s+1\b/);
    await page.goBack();
    assert.ok(!(await page.content()).includes(token), 'not shown again after going back');

    await page.goto(`${w.console}/apps/${w.appId}/sync`);
    await page.getByRole('button', { name: 'Rotate token' }).click();
    await page.getByRole('heading', { name: 'Rotate the SCIM token?' }).waitFor();
    assert.equal(await push(token), 201, 'the first click only asks');
    await page.getByRole('button', { name: 'Rotate token' }).click();
    await page.getByText('SCIM token rotated').waitFor();
    const rotated = await page.getByRole('textbox', { name: 'SCIM bearer token' }).inputValue();
    assert.notEqual(rotated, token);
    assert.equal(await push(token), 401, 'the old token stops at once');
    assert.equal(await push(rotated), 201);

    await page.getByRole('button', { name: 'Disable SCIM' }).click();
    await page.getByRole('heading', { name: 'Disable SCIM?' }).waitFor();
    await screenshots(page, 'sync-scim-disable');
    await page.getByRole('button', { name: 'Disable SCIM' }).click();
    await page.getByText('SCIM disabled.').waitFor();
    assert.equal(await push(rotated), 404);
    assert.equal(await page.getByRole('button', { name: 'Enable SCIM' }).count(), 1);
    assert.deepEqual(cspViolations, []);
  });

  test('with JavaScript off, a run started from the page is followed to its end by the page reloading itself', async () => {
    if (!(await sw.syncStatus()).enabled) {
      // The SCIM users of the test before are not in Clerk's directory: this run deprovisions them.
      const enabled = await w.s.api('POST', `${sw.providerApi}/sync/enable`, { credentials: sw.clerk.credentials, deletion_threshold: '100%' });
      assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    }
    const { page } = await openConsole(w, { javaScript: false });
    await signIn(w, page, w.s.adminToken);
    await page.goto(`${w.console}/apps/${w.appId}/sync`);
    sw.clerk.rateLimitNext(8);
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(/\/sync\/runs\/run_/);
    const runUrl = page.url();
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /running/);

    // A second start while it runs is refused with the API's reason, back on the status page.
    await page.goto(`${w.console}/apps/${w.appId}/sync`);
    await page.getByRole('button', { name: 'Run now' }).click();
    assert.match(await page.getByRole('alert').innerText(), /already running/);
    await page.goto(runUrl);
    await page.getByRole('heading', { name: 'What it changed' }).waitFor({ timeout: RUN_ENDS_MS });
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /succeeded/);
  });

  test('a read-only token sees the provider but no sync or SCIM control; its forged posts are refused', async () => {
    const { page, cspViolations } = await openConsole(w);
    await signIn(w, page, await w.token(READ_SCOPES));
    await openSection(w, page, 'Directory sync');
    const main = page.getByRole('main');
    assert.match(await main.innerText(), /lacks the scope dashboard_identity_providers:directory/);
    assert.equal(await main.locator('form').count(), 0);
    assert.equal(await main.getByRole('button').count(), 0);
    await assertAccessible(page, 'sync page, read-only');

    const runs = await sw.runCount();
    const csrf = await csrfOf(page);
    for (const path of ['sync/runs', 'sync/disable', 'sync/scim/rotate']) {
      const status = await page.evaluate(
        async ([url, token]) => (await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${encodeURIComponent(token!)}` })).status,
        [`${w.console}/apps/${w.appId}/${path}`, csrf],
      );
      assert.equal(status, 403, path);
    }
    assert.equal(await sw.runCount(), runs);
    assert.equal((await sw.syncStatus()).enabled, true);
    assert.equal((await w.s.api('GET', `${sw.providerApi}/scim/status`)).body.enabled, false);
    assert.deepEqual(cspViolations, []);
  });
});
