// The console's Directory sync section in Chromium, against a real server whose identity provider is
// a loopback Clerk issuer and whose Clerk management API is the loopback double: enable (a refused
// key saves nothing), dry run, a run followed while it runs (the page reloads itself, with
// JavaScript off too), history, settings, disable after a confirmation; SCIM enabled, its token
// shown once and used over real HTTP, rotated and disabled after confirmations; what a read-only
// token sees and may not do; an app without a provider, and one whose provider has no management API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { cleanupAll } from '../helpers/env.js';
import { startFixtureIssuer } from '../helpers/fixture-issuer.js';
import { ClerkDouble } from '../helpers/directory-doubles/clerk.js';
import { assertAccessible, csrfOf, openConsole, openSection, READ_SCOPES, screenshots, signIn, startConsoleWorld, type ConsoleWorld } from './world.js';

after(cleanupAll);

const USERS = 12;
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
// A run page reloads itself every 2 s; a run slowed by the double's rate limit ends within a few.
const RUN_ENDS_MS = 20_000;

describe('console: directory sync and SCIM', () => {
  let w: ConsoleWorld;
  let clerk: ClerkDouble;
  let providerApi: string;

  const syncStatus = async () => (await w.s.api('GET', `${providerApi}/sync`)).body;
  const userCount = async (): Promise<number> => (await w.s.api('GET', `/v1/apps/${w.appId}/users?limit=1000`)).body.items.length;
  const runCount = async (): Promise<number> => (await w.s.api('GET', `${providerApi}/sync/runs`)).body.items.length;
  const facts = async (page: Page, panel: string): Promise<string> => page.getByRole('region', { name: panel, exact: true }).innerText();

  before(async () => {
    const [world, issuer, double] = await Promise.all([startConsoleWorld(), startFixtureIssuer({ template: 'clerk-dev.json' }), ClerkDouble.start({ users: USERS, organizations: 2 })]);
    w = world;
    clerk = double;
    const created = await w.s.api('POST', `/v1/apps/${w.appId}/identity-providers`, { issuer_url: issuer.issuer, group_claim: 'org_slug', role_claim: 'org_role' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.provider_type, 'clerk');
    providerApi = `/v1/apps/${w.appId}/identity-providers/${created.body.id}`;
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
    await page.getByLabel('API base URL').fill(clerk.origin);
    await page.getByRole('button', { name: 'Enable sync' }).click();
    assert.match(await page.getByRole('alert').innerText(), /refused/);
    assert.equal((await syncStatus()).enabled, false);

    await page.getByLabel('Secret key').fill(clerk.secretKey);
    await page.getByLabel('API base URL').fill(clerk.origin);
    await page.getByLabel('Interval').fill('2h');
    await page.getByLabel('Deletion threshold').fill('25%');
    await page.getByRole('button', { name: 'Enable sync' }).click();
    await page.getByText('Directory sync enabled.').waitFor();
    assert.ok(!(await page.content()).includes(clerk.secretKey), 'the key is never shown again');
    const status = await facts(page, 'Directory sync');
    assert.match(status, /verified/);
    assert.match(status, /2h/);
    assert.match(status, /25%/);

    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.waitForURL(/\/sync\/runs\/run_/);
    await page.getByRole('heading', { name: 'What it would have changed' }).waitFor({ timeout: RUN_ENDS_MS });
    assert.match(await facts(page, 'What it would have changed'), new RegExp(`Users created\\s+${USERS}`));
    assert.equal(await userCount(), 0, 'a dry run changes nothing');

    // A rate-limited API (eight 429s, each asking for about a second) keeps the run going for a few seconds: its page says so and reloads itself.
    await page.getByRole('link', { name: 'Back to the status page' }).click();
    clerk.rateLimitNext(8);
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
    assert.match(await facts(page, 'What it changed'), new RegExp(`Users created\\s+${USERS}`));
    assert.equal(await page.locator('meta[http-equiv="refresh"]').count(), 0, 'a finished run stops reloading');
    assert.equal(await userCount(), USERS);
    await assertAccessible(page, 'run page, finished');
    await screenshots(page, 'sync-run');

    await page.getByRole('link', { name: 'Back to the status page' }).click();
    const history = page.getByRole('table', { name: 'Runs, newest first' });
    assert.deepEqual((await history.locator('tbody tr td:nth-child(2)').allInnerTexts()).map((t) => t.trim()), ['run', 'dry run']);
    assert.match(await facts(page, 'Directory sync'), /succeeded/);
    await assertAccessible(page, 'sync page, enabled');
    await screenshots(page, 'sync-enabled');
    await history.locator('tbody tr').nth(1).getByRole('link').click();
    await page.getByRole('heading', { name: 'What it would have changed' }).waitFor();
    await page.goBack();

    await page.getByLabel('Interval').fill('30m');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    assert.equal((await syncStatus()).interval, '30m');

    await page.getByRole('button', { name: 'Disable sync' }).click();
    await page.getByRole('heading', { name: 'Disable directory sync?' }).waitFor();
    assert.equal((await syncStatus()).enabled, true, 'the first click only asks');
    await assertAccessible(page, 'disable sync confirmation');
    await page.getByRole('button', { name: 'Disable sync' }).click();
    await page.getByText('Directory sync disabled.').waitFor();
    assert.equal((await syncStatus()).enabled, false);
    assert.equal(await page.getByRole('button', { name: 'Enable sync' }).count(), 1);
    assert.equal(await userCount(), USERS, 'the synced users stay');
    assert.deepEqual(cspViolations, []);
  });

  test('SCIM: enabled with its token shown once, used over HTTP, rotated and disabled after confirmations', async () => {
    const { page, cspViolations } = await openConsole(w);
    await signIn(w, page, w.s.adminToken);
    await page.goto(`${w.console}/apps/${w.appId}/sync`);
    const baseUrl = `${w.s.url}/scim/v2/idp/${providerApi.split('/').at(-1)}`;

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
    const scim = await facts(page, 'SCIM');
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
    if (!(await syncStatus()).enabled) {
      // The SCIM users of the test before are not in Clerk's directory: this run deprovisions them.
      const enabled = await w.s.api('POST', `${providerApi}/sync/enable`, { credentials: clerk.credentials, deletion_threshold: '100%' });
      assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    }
    const { page } = await openConsole(w, { javaScript: false });
    await signIn(w, page, w.s.adminToken);
    await page.goto(`${w.console}/apps/${w.appId}/sync`);
    clerk.rateLimitNext(8);
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

    const runs = await runCount();
    const csrf = await csrfOf(page);
    for (const path of ['sync/runs', 'sync/disable', 'sync/scim/rotate']) {
      const status = await page.evaluate(
        async ([url, token]) => (await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${encodeURIComponent(token!)}` })).status,
        [`${w.console}/apps/${w.appId}/${path}`, csrf],
      );
      assert.equal(status, 403, path);
    }
    assert.equal(await runCount(), runs);
    assert.equal((await syncStatus()).enabled, true);
    assert.equal((await w.s.api('GET', `${providerApi}/scim/status`)).body.enabled, false);
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
    assert.match(await facts(page, 'Directory sync'), /SCIM \(below\) or its webhook/);
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
