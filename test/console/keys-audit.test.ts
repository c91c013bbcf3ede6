// The console's Keys and Audit pages in Chromium, and the audit API's paging under them: a key
// minted and shown once (gone on reload and on Back) that then resolves tokens, revoked behind a
// confirmation (and refused from then on), the same with JavaScript off; the audit log a page at
// a time; a read-only token that sees both pages without a button and whose forged posts change
// nothing. No CSP violation, no WCAG 2.1 AA violation on any page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { cli } from '../helpers/cli.js';
import { cleanupAll } from '../helpers/env.js';
import { assertAccessible, csrfOf, openConsole, openSection, READ_SCOPES, screenshots, signIn, startConsoleWorld, type ConsolePage, type ConsoleWorld } from './world.js';

after(cleanupAll);

const KEY_LABEL = 'Runtime key';

describe('console: keys and audit', () => {
  let w: ConsoleWorld;
  // One signed-in admin browser (JavaScript on) for the admin tests.
  let admin: ConsolePage;
  before(async () => {
    w = await startConsoleWorld();
    await w.createProvider();
    admin = await openConsole(w);
    await signIn(w, admin.page, w.s.adminToken);
  });

  /** What resolving alice's token with `key` answers. */
  async function resolveWith(key: string): Promise<number> {
    const res = await fetch(`${w.s.url}/v1/identity/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ token: await w.dev.mintAccessToken('alice') }),
    });
    return res.status;
  }

  async function keyRow(name: string): Promise<Record<string, any> | undefined> {
    const res = await w.s.api('GET', `/v1/apps/${w.appId}/keys`);
    return (res.body.items as Array<Record<string, any>>).find((k) => k.name === name);
  }

  async function mint(page: Page, name: string): Promise<string> {
    await page.getByLabel('Key name').fill(name);
    await page.getByRole('button', { name: 'Mint key' }).click();
    await page.getByText(`Key “${name}” minted.`).waitFor();
    const key = await page.getByRole('textbox', { name: KEY_LABEL }).inputValue();
    assert.match(key, /^alter_key_/);
    assert.ok(!page.url().includes(key));
    return key;
  }

  test('an admin mints a key (shown once, and it works) and revokes it behind a confirmation', async () => {
    const { page, cspViolations } = admin;
    await openSection(w, page, 'Keys');
    await assertAccessible(page, 'keys');
    const key = await mint(page, 'production backend');
    await assertAccessible(page, 'key shown once');
    await screenshots(page, 'keys-minted');
    assert.equal(await resolveWith(key), 200, 'the key resolves tokens');

    await page.reload();
    assert.equal(await page.getByRole('textbox', { name: KEY_LABEL }).count(), 0, 'gone on reload');
    assert.ok(!(await page.content()).includes(key));
    await page.goBack();
    assert.ok(!(await page.content()).includes(key), 'gone on Back');
    await page.goForward();
    const row = page.getByRole('row').filter({ hasText: 'production backend' });
    assert.match(await row.innerText(), /active/);

    // Revoke asks first: Cancel keeps the key, the confirmation's button revokes it.
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('heading', { name: 'Revoke the key “production backend”?' }).waitFor();
    await assertAccessible(page, 'revoke confirmation');
    await screenshots(page, 'keys-revoke-confirmation');
    await page.getByRole('link', { name: 'Cancel' }).click();
    assert.equal((await keyRow('production backend'))?.revoked_at, null);
    await page.getByRole('row').filter({ hasText: 'production backend' }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Key “production backend” revoked').waitFor();
    assert.ok((await keyRow('production backend'))?.revoked_at);
    assert.equal(await resolveWith(key), 401, 'a revoked key is refused');
    const revoked = page.getByRole('row').filter({ hasText: 'production backend' });
    assert.match(await revoked.innerText(), /revoked/);
    assert.equal(await revoked.getByRole('button', { name: 'Revoke' }).count(), 0);
    await assertAccessible(page, 'keys with a revoked key');
    await screenshots(page, 'keys');
    assert.deepEqual(cspViolations, []);
  });

  test('with JavaScript off: mint, shown once, revoke through the confirmation', async () => {
    const { page } = await openConsole(w, { javaScript: false });
    await signIn(w, page, w.s.adminToken);
    await openSection(w, page, 'Keys');
    const key = await mint(page, 'no-script backend');
    await page.reload();
    assert.ok(!(await page.content()).includes(key));
    await page.getByRole('row').filter({ hasText: 'no-script backend' }).getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Key “no-script backend” revoked').waitFor();
    assert.equal(await resolveWith(key), 401);
  });

  test('GET /v1/audit pages newest first with a cursor; every entry once; a made-up cursor is 400; `alter audit` still lists', async () => {
    for (let i = 0; i < 12; i++) assert.equal((await w.s.api('POST', `/v1/apps/${w.appId}/keys`, { name: `paging ${i}` })).status, 201);
    const all = (await w.s.api('GET', `/v1/audit?app_id=${w.appId}&limit=1000`)).body;
    assert.equal(all.next_cursor, null, 'everything fits: no next page');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: any } = await w.s.api('GET', `/v1/audit?app_id=${w.appId}&limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.items.length <= 5);
      seen.push(...res.body.items.map((e: { id: string }) => e.id));
      cursor = res.body.next_cursor;
      // An entry written while paging lands before the first page and never shows up twice.
      if (seen.length === 5) await w.s.api('POST', `/v1/apps/${w.appId}/keys`, { name: 'written while paging' });
    } while (cursor);
    assert.deepEqual(seen, all.items.map((e: { id: string }) => e.id));

    const bad = await w.s.api('GET', `/v1/audit?app_id=${w.appId}&cursor=not-a-cursor`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'cursor');

    const listed = await cli(['audit', '--app', w.appId, '--limit', '3', '--output', 'json'], { env: w.s.cliEnv });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      listed.json<Array<{ action: string }>>().map((e) => e.action),
      ['key.mint', 'key.mint', 'key.mint'],
    );
  });

  test('the Audit page lists entries a page at a time', async () => {
    for (let i = 0; i < 30; i++) assert.equal((await w.s.api('POST', `/v1/apps/${w.appId}/keys`, { name: `audit page ${i}` })).status, 201);
    const total = (await w.s.api('GET', `/v1/audit?app_id=${w.appId}&limit=1000`)).body.items.length as number;
    const { page, cspViolations } = admin;
    await openSection(w, page, 'Audit');
    const rows = page.getByRole('table').locator('tbody tr');
    const first = await rows.allInnerTexts();
    assert.ok(first.length > 1 && first.length < total, `one page of ${total} entries`);
    assert.match(first[0]!, /key\.mint[\s\S]*name: audit page 29/, 'newest first, details summarised');
    assert.equal(await page.getByRole('link', { name: 'Newest entries' }).count(), 0);
    await assertAccessible(page, 'audit');
    await screenshots(page, 'audit');

    const texts = [...first];
    while (await page.getByRole('link', { name: 'Older entries' }).count()) {
      await page.getByRole('link', { name: 'Older entries' }).click();
      await page.waitForLoadState();
      texts.push(...(await rows.allInnerTexts()));
    }
    assert.equal(texts.length, total, 'every entry once across the pages');
    assert.match(texts.at(-1)!, /app\.create/, 'the oldest entry: the app’s creation');
    await assertAccessible(page, 'audit, last page');
    await screenshots(page, 'audit-last-page');
    await page.getByRole('link', { name: 'Newest entries' }).click();
    assert.deepEqual(await rows.allInnerTexts(), first);
    assert.deepEqual(cspViolations, []);
  });

  test('a read-only token sees keys and audit without a button; forged posts are 403 and change nothing', async () => {
    const active = (await w.s.api('POST', `/v1/apps/${w.appId}/keys`, { name: 'kept' })).body;
    const before = (await w.s.api('GET', `/v1/apps/${w.appId}/keys`)).body.items.length as number;
    const { page, cspViolations } = await openConsole(w);
    await signIn(w, page, await w.token(READ_SCOPES));
    await openSection(w, page, 'Keys');
    assert.match(await page.getByRole('main').innerText(), /kept/);
    assert.equal(await page.getByRole('button', { name: 'Revoke' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Mint key' }).count(), 0);
    assert.equal(await page.getByLabel('Key name').count(), 0);
    await assertAccessible(page, 'keys, read-only');
    await screenshots(page, 'keys-read-only');

    const csrf = await csrfOf(page);
    const post = (path: string, body: string) =>
      page.evaluate(
        async ([url, form]) => (await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).status,
        [`${w.console}/apps/${w.appId}${path}`, `csrf=${encodeURIComponent(csrf)}&${body}`],
      );
    assert.equal(await post('/keys/mint', 'name=forged'), 403);
    assert.equal(await post(`/keys/${active.id}/revoke`, ''), 403);
    assert.equal((await w.s.api('GET', `/v1/apps/${w.appId}/keys`)).body.items.length, before);
    assert.equal((await keyRow('kept'))?.revoked_at, null);
    assert.equal((await page.goto(`${w.console}/apps/${w.appId}/keys/${active.id}/revoke`))?.status(), 403);

    await page.goto(`${w.console}/apps/${w.appId}/keys`);
    await openSection(w, page, 'Audit');
    assert.ok((await page.getByRole('table').locator('tbody tr').count()) > 0);
    await assertAccessible(page, 'audit, read-only');
    assert.deepEqual(cspViolations, []);
  });
});
