// The console's Directory sync section in Chromium (sync-world.ts): enable (a refused key saves
// nothing), dry run, a run followed while it runs, history, settings, disable after a confirmation;
// an app without a provider, and one whose provider has no management API; Okta's credentials.
// SCIM, a run followed with JavaScript off and a read-only token: sync-scim.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { startFixtureIssuer } from '../helpers/fixture-issuer.js';
import { assertAccessible, openConsole, openSection, screenshots, signIn, type ConsoleWorld } from './world.js';
import { RUN_ENDS_MS, startSyncWorld, USERS, type SyncWorld } from './sync-world.js';

after(cleanupAll);

describe('console: directory sync', () => {
  let sw: SyncWorld;
  let w: ConsoleWorld;

  before(async () => {
    sw = await startSyncWorld();
    w = sw.w;
  });

  test('an admin enables sync, dry-runs, runs, follows the run, changes the settings and disables it', async () => {
    const { page, cspViolations } = await openConsole(w);
    await signIn(w, page, w.s.adminToken);
    await openSection(w, page, 'Directory sync');
    assert.equal(await page.title(), 'Directory sync · Acme Notes · alter console');
    await assertAccessible(page, 'sync page, disabled');
    await screenshots(page, 'sync-disabled');

    // A key the provider refuses: back to the form with the reason, nothing saved.
    await page.getByLabel('Secret key').fill('sk_test_not_the_key');
    await page.getByLabel('API base URL').fill(sw.clerk.origin);
    await page.getByRole('button', { name: 'Enable sync' }).click();
    assert.match(await page.getByRole('alert').innerText(), /refused/);
    assert.equal((await sw.syncStatus()).enabled, false);

    await page.getByLabel('Secret key').fill(sw.clerk.secretKey);
    await page.getByLabel('API base URL').fill(sw.clerk.origin);
    await page.getByLabel('Interval').fill('2h');
    await page.getByLabel('Deletion threshold').fill('25%');
    await page.getByRole('button', { name: 'Enable sync' }).click();
    await page.getByText('Directory sync enabled.').waitFor();
    assert.ok(!(await page.content()).includes(sw.clerk.secretKey), 'the key is never shown again');
    const status = await sw.facts(page, 'Directory sync');
    assert.match(status, /verified/);
    assert.match(status, /2h/);
    assert.match(status, /25%/);

    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.waitForURL(/\/sync\/runs\/run_/);
    await page.getByRole('heading', { name: 'What it would have changed' }).waitFor({ timeout: RUN_ENDS_MS });
    assert.match(await sw.facts(page, 'What it would have changed'), new RegExp(`Users created\\s+${USERS}`));
    assert.equal(await sw.userCount(), 0, 'a dry run changes nothing');

    // A rate-limited API (eight 429s, each asking for about a second) keeps the run going for a few seconds: its page says so and reloads itself.
    await page.getByRole('link', { name: 'Back to the status page' }).click();
    sw.clerk.rateLimitNext(8);
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(/\/sync\/runs\/run_/);
    const runUrl = page.url();
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /running/);
    assert.match(await page.getByRole('status').innerText(), /reloads every 2 seconds/);
    assert.equal(await page.locator('meta[http-equiv="refresh"]').getAttribute('content'), `2; url=${new URL(runUrl).pathname}`);
    // (axe is run on the finished page: this one reloads under it.)
    await screenshots(page, 'sync-run-running');
    await page.getByRole('heading', { name: 'What it changed' }).waitFor({ timeout: RUN_ENDS_MS });
    assert.equal(page.url(), runUrl, 'the page reloaded itself in place');
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /succeeded/);
    assert.match(await sw.facts(page, 'What it changed'), new RegExp(`Users created\\s+${USERS}`));
    assert.equal(await page.locator('meta[http-equiv="refresh"]').count(), 0, 'a finished run stops reloading');
    assert.equal(await sw.userCount(), USERS);
    await assertAccessible(page, 'run page, finished');
    await screenshots(page, 'sync-run');

    await page.getByRole('link', { name: 'Back to the status page' }).click();
    const history = page.getByRole('table', { name: 'Runs, newest first' });
    assert.deepEqual((await history.locator('tbody tr td:nth-child(2)').allInnerTexts()).map((t) => t.trim()), ['run', 'dry run']);
    assert.match(await sw.facts(page, 'Directory sync'), /succeeded/);
    await assertAccessible(page, 'sync page, enabled');
    await screenshots(page, 'sync-enabled');
    await history.locator('tbody tr').nth(1).getByRole('link').click();
    await page.getByRole('heading', { name: 'What it would have changed' }).waitFor();
    await page.goBack();

    await page.getByLabel('Interval').fill('30m');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    assert.equal((await sw.syncStatus()).interval, '30m');

    await page.getByRole('button', { name: 'Disable sync' }).click();
    await page.getByRole('heading', { name: 'Disable directory sync?' }).waitFor();
    assert.equal((await sw.syncStatus()).enabled, true, 'the first click only asks');
    await assertAccessible(page, 'disable sync confirmation');
    await page.getByRole('button', { name: 'Disable sync' }).click();
    await page.getByText('Directory sync disabled.').waitFor();
    assert.equal((await sw.syncStatus()).enabled, false);
    assert.equal(await page.getByRole('button', { name: 'Enable sync' }).count(), 1);
    assert.equal(await sw.userCount(), USERS, 'the synced users stay');
    assert.deepEqual(cspViolations, []);
  });

  test('without an identity provider the page says what to do; a provider without a management API offers SCIM only', async () => {
    const app = await w.s.api('POST', '/v1/apps', { name: 'Beta' });
    const { page, cspViolations } = await openConsole(w);
    await signIn(w, page, w.s.adminToken);
    await page.goto(`${w.console}/apps/${app.body.id}/sync`);
    await page.getByText('This app has no identity provider yet').waitFor();
    await page.getByRole('main').getByRole('link', { name: 'Set it up' }).click();
    await page.waitForURL(/\/identity-provider$/);

    const created = await w.s.api('POST', `/v1/apps/${app.body.id}/identity-providers`, { issuer_url: w.dev.issuer });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await page.goto(`${w.console}/apps/${app.body.id}/sync`);
    assert.match(await sw.facts(page, 'Directory sync'), /SCIM \(below\) or its webhook/);
    assert.equal(await page.getByRole('button', { name: 'Enable sync' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Enable SCIM' }).count(), 1);
    await assertAccessible(page, 'sync page, custom provider');
    assert.deepEqual(cspViolations, []);
  });

  test('an Okta provider asks for an API token or a service app; a key that is not JSON is refused before anything is sent', async () => {
    const [app, okta] = await Promise.all([w.s.api('POST', '/v1/apps', { name: 'Gamma' }), startFixtureIssuer({ template: 'okta-org.json' })]);
    const created = await w.s.api('POST', `/v1/apps/${app.body.id}/identity-providers`, { issuer_url: okta.issuer });
    assert.equal(created.body.provider_type, 'okta', JSON.stringify(created.body));
    const { page } = await openConsole(w);
    await signIn(w, page, w.s.adminToken);
    await page.goto(`${w.console}/apps/${app.body.id}/sync`);
    for (const label of ['API token', 'Service app client ID', 'Service app private key (JWK)', 'API base URL']) assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, label);
    await page.getByLabel('Service app client ID').fill('0oa1service');
    await page.getByLabel('Service app private key (JWK)').fill('-----BEGIN PRIVATE KEY-----');
    await page.getByRole('button', { name: 'Enable sync' }).click();
    const alert = await page.getByRole('alert').innerText();
    assert.match(alert, /not valid JSON/);
    assert.ok(!alert.includes('BEGIN PRIVATE KEY'), 'the key is never echoed');
    assert.equal((await w.s.api('GET', `/v1/apps/${app.body.id}/identity-providers/${created.body.id}/sync`)).body.enabled, false);
  });
});
