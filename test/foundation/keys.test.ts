// Runtime keys: minted once, listed without values, revoked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli.js';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

after(cleanupAll);

describe('keys', () => {
  let s: TestServer;
  let appId: string;
  before(async () => {
    s = await startTestServer();
    appId = (await cli(['apps', 'create', '--name', 'keys-app', '--output', 'json'], { env: s.cliEnv })).json<any>().id;
  });

  test('mint shows the key once; list never shows it; revoke marks it', async () => {
    const env = { ...s.cliEnv, ALTER_APP_ID: appId };
    const mint = await cli(['keys', 'mint', '--name', 'backend'], { env });
    assert.equal(mint.code, 0, mint.stderr);
    const minted = mint.json<any>();
    assert.match(minted.key, /^alter_key_[A-Za-z0-9_-]{43}$/);
    assert.match(mint.stderr, /shown only once/);
    const list = await cli(['keys', 'list', '--output', 'json'], { env });
    assert.ok(!list.stdout.includes(minted.key));
    assert.deepEqual(list.json<any[]>().map((k) => k.id), [minted.id]);
    const revoke = await cli(['keys', 'revoke', '--key-id', minted.id, '--yes'], { env });
    assert.equal(revoke.code, 0, revoke.stderr);
    assert.ok(revoke.json<any>().revoked_at);
  });

  test('revoking an unknown key is exit 4', async () => {
    const r = await cli(['keys', 'revoke', '--key-id', 'key_nope', '--yes', '--app', appId], { env: s.cliEnv });
    assert.equal(r.code, 4);
  });

  test('minting on an unknown app is exit 4', async () => {
    const r = await cli(['keys', 'mint', '--name', 'x', '--app', 'app_nope'], { env: s.cliEnv });
    assert.equal(r.code, 4);
  });
});
