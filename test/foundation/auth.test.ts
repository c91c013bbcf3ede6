// Personal access tokens: login checks before storing; unknown, revoked and expired tokens are
// exit 3; a missing scope is exit 7 naming it; a token restricted to one app cannot touch another.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { cleanupAll, tempDir } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

after(cleanupAll);

describe('auth and tokens', () => {
  let s: TestServer;
  let noPat: Record<string, string | undefined>;
  before(async () => {
    s = await startTestServer();
    noPat = { ...s.cliEnv, ALTER_PAT: undefined };
  });

  async function createToken(args: string[]): Promise<{ id: string; token: string }> {
    const r = await cli(['tokens', 'create', ...args, '--output', 'json'], { env: s.cliEnv });
    assert.equal(r.code, 0, r.stderr);
    return r.json();
  }

  test('login stores the token (0600) only after the server accepted it; status and logout', async () => {
    const config = tempDir();
    const env = { ...noPat, ALTER_CONFIG_DIR: config };
    const login = await cli(['auth', 'login', '--token-stdin'], { env, stdin: s.adminToken });
    assert.equal(login.code, 0, login.stderr);
    const file = join(config, 'credentials.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(readFileSync(file, 'utf8').includes(s.adminToken));

    const status = await cli(['auth', 'status'], { env });
    assert.equal(status.code, 0, status.stderr);
    const me = status.json<any>();
    assert.equal(me.api_url, s.url);
    assert.ok(me.scopes.includes('dashboard_apps:write'));
    assert.ok(!status.stdout.includes(s.adminToken), 'status never prints the token');

    const logout = await cli(['auth', 'logout'], { env });
    assert.equal(logout.code, 0);
    assert.ok(!existsSync(file));
    assert.equal((await cli(['apps', 'list'], { env })).code, 3);
  });

  test('login with an unknown token is exit 3 and stores nothing', async () => {
    const config = tempDir();
    const r = await cli(['auth', 'login', '--token-stdin'], { env: { ...noPat, ALTER_CONFIG_DIR: config }, stdin: 'alter_pat_' + 'x'.repeat(43) });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /unknown/);
    assert.ok(!existsSync(join(config, 'credentials.json')));
  });

  test('login with something that is not a token is exit 3 (the server judges it) and stores nothing', async () => {
    const config = tempDir();
    const r = await cli(['auth', 'login', '--token-stdin'], { env: { ...noPat, ALTER_CONFIG_DIR: config }, stdin: 'hunter2' });
    assert.equal(r.code, 3);
    assert.ok(!existsSync(join(config, 'credentials.json')));
    const empty = await cli(['auth', 'login', '--token-stdin'], { env: { ...noPat, ALTER_CONFIG_DIR: config }, stdin: '\n' });
    assert.equal(empty.code, 2);
  });

  test('a revoked token is exit 3 at once', async () => {
    const t = await createToken(['--scopes', 'dashboard_apps:read']);
    assert.equal((await cli(['apps', 'list'], { env: { ...s.cliEnv, ALTER_PAT: t.token } })).code, 0);
    const revoke = await cli(['tokens', 'revoke', '--token-id', t.id, '--yes'], { env: s.cliEnv });
    assert.equal(revoke.code, 0, revoke.stderr);
    const after = await cli(['apps', 'list'], { env: { ...s.cliEnv, ALTER_PAT: t.token } });
    assert.equal(after.code, 3);
    assert.match(after.stderr, /revoked/);
  });

  test('tokens revoke without --yes when not interactive is exit 2 and revokes nothing', async () => {
    const t = await createToken(['--scopes', 'dashboard_apps:read']);
    const r = await cli(['tokens', 'revoke', '--token-id', t.id], { env: s.cliEnv });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--yes/);
    assert.equal((await cli(['apps', 'list'], { env: { ...s.cliEnv, ALTER_PAT: t.token } })).code, 0);
  });

  test('an expired token is exit 3', async () => {
    const t = await createToken(['--scopes', 'dashboard_apps:read', '--expires-in', '1s']);
    await new Promise((r) => setTimeout(r, 1500));
    const r = await cli(['apps', 'list'], { env: { ...s.cliEnv, ALTER_PAT: t.token } });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /expired/);
  });

  test('--expires-in that is not a duration is exit 2', async () => {
    const r = await cli(['tokens', 'create', '--scopes', 'dashboard_apps:read', '--expires-in', 'soon'], { env: s.cliEnv });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--expires-in/);
  });

  test('an unknown scope is exit 2 naming it', async () => {
    const r = await cli(['tokens', 'create', '--scopes', 'dashboard_everything:write'], { env: s.cliEnv });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /dashboard_everything:write/);
  });

  test('a missing scope is exit 7 and names the scope', async () => {
    const t = await createToken(['--scopes', 'dashboard_apps:read']);
    const r = await cli(['apps', 'create', '--name', 'nope'], { env: { ...s.cliEnv, ALTER_PAT: t.token } });
    assert.equal(r.code, 7);
    assert.match(r.stderr, /dashboard_apps:write/);
  });

  test('a token cannot grant scopes it lacks', async () => {
    const t = await createToken(['--scopes', 'dashboard_tokens:admin']);
    const r = await cli(['tokens', 'create', '--scopes', 'dashboard_apps:write'], { env: { ...s.cliEnv, ALTER_PAT: t.token } });
    assert.equal(r.code, 7);
    assert.match(r.stderr, /dashboard_apps:write/);
  });

  test('a token restricted to app A is refused on app B and sees only A', async () => {
    const a = (await cli(['apps', 'create', '--name', 'A'], { env: s.cliEnv })).json<any>();
    const b = (await cli(['apps', 'create', '--name', 'B'], { env: s.cliEnv })).json<any>();
    const t = await createToken(['--scopes', 'dashboard_apps:read,dashboard_keys:write,dashboard_keys:read', '--app', a.id]);
    const env = { ...s.cliEnv, ALTER_PAT: t.token };
    assert.equal((await cli(['keys', 'mint', '--name', 'ok', '--app', a.id], { env })).code, 0);
    const other = await cli(['keys', 'mint', '--name', 'no', '--app', b.id], { env });
    assert.equal(other.code, 7);
    assert.match(other.stderr, new RegExp(a.id));
    assert.equal((await cli(['apps', 'show', b.id], { env })).code, 7);
    const list = (await cli(['apps', 'list', '--output', 'json'], { env })).json<any[]>();
    assert.deepEqual(list.map((x) => x.id), [a.id]);
    // No key was minted on B.
    const keysB = (await cli(['keys', 'list', '--app', b.id, '--output', 'json'], { env: s.cliEnv })).json<any[]>();
    assert.equal(keysB.length, 0);
  });

  test('only an explicit --app restricts a new token; ALTER_APP_ID does not', async () => {
    const a = (await cli(['apps', 'create', '--name', 'env-app'], { env: s.cliEnv })).json<any>();
    const r = await cli(['tokens', 'create', '--scopes', 'dashboard_apps:read', '--output', 'json'], { env: { ...s.cliEnv, ALTER_APP_ID: a.id } });
    assert.equal(r.json<any>().app_id, null);
    const explicit = await cli(['tokens', 'create', '--scopes', 'dashboard_apps:read', '--app', a.id, '--output', 'json'], { env: s.cliEnv });
    assert.equal(explicit.json<any>().app_id, a.id);
  });

  test('tokens list never shows token values or hashes', async () => {
    const t = await createToken(['--scopes', 'dashboard_apps:read', '--name', 'listed']);
    const r = await cli(['tokens', 'list', '--output', 'json'], { env: s.cliEnv });
    assert.equal(r.code, 0);
    assert.ok(!r.stdout.includes(t.token));
    assert.ok(!r.stdout.includes('token_hash'));
    assert.ok(r.json<any[]>().some((x) => x.id === t.id && x.name === 'listed'));
  });
});
