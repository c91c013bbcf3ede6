// Which app a command acts on: --app > ALTER_APP_ID > the nearest .alter/app.json.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { cleanupAll, tempDir } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

after(cleanupAll);

describe('link and app precedence', () => {
  let s: TestServer;
  const ids: string[] = [];
  before(async () => {
    s = await startTestServer();
    for (const name of ['linked', 'from-env', 'from-flag']) ids.push((await cli(['apps', 'create', '--name', name, '--output', 'json'], { env: s.cliEnv })).json<any>().id);
  });

  test('link writes .alter/app.json; subdirectories are linked; flag and env win; unlink removes it', async () => {
    const [linked, fromEnv, fromFlag] = ids as [string, string, string];
    const root = tempDir();
    const sub = join(root, 'a', 'b');
    mkdirSync(sub, { recursive: true });
    const link = await cli(['link', linked], { env: s.cliEnv, cwd: root });
    assert.equal(link.code, 0, link.stderr);
    assert.ok(existsSync(join(root, '.alter', 'app.json')));

    const show = (args: string[], env = s.cliEnv) => cli(['apps', 'show', ...args, '--output', 'json'], { env, cwd: sub });
    assert.equal((await show([])).json<any>().id, linked);
    assert.equal((await show([], { ...s.cliEnv, ALTER_APP_ID: fromEnv })).json<any>().id, fromEnv);
    assert.equal((await show(['--app', fromFlag], { ...s.cliEnv, ALTER_APP_ID: fromEnv })).json<any>().id, fromFlag);

    const unlink = await cli(['unlink'], { env: s.cliEnv, cwd: root });
    assert.equal(unlink.code, 0);
    assert.ok(!existsSync(join(root, '.alter', 'app.json')));
    assert.equal((await show([])).code, 2);
  });

  test('linking an app that does not exist is exit 4 and writes nothing', async () => {
    const root = tempDir();
    const r = await cli(['link', 'app_doesnotexist'], { env: s.cliEnv, cwd: root });
    assert.equal(r.code, 4);
    assert.ok(!existsSync(join(root, '.alter')));
  });
});
