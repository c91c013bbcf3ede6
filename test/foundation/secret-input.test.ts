// Secret-valued flags take `-`, `@file` or the value itself; a missing @file is exit 4.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { cleanupAll, tempDir } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

after(cleanupAll);

describe('secret input (auth login as the example)', () => {
  let s: TestServer;
  let env: Record<string, string | undefined>;
  before(async () => {
    s = await startTestServer();
    env = { ...s.cliEnv, ALTER_PAT: undefined };
  });

  test('@file with a trailing newline', async () => {
    const file = join(tempDir(), 'token');
    writeFileSync(file, s.adminToken + '\n');
    const r = await cli(['auth', 'login', '--token-file', file], { env: { ...env, ALTER_CONFIG_DIR: tempDir() } });
    assert.equal(r.code, 0, r.stderr);
  });

  test('stdin', async () => {
    const r = await cli(['auth', 'login', '--token-stdin'], { env: { ...env, ALTER_CONFIG_DIR: tempDir() }, stdin: s.adminToken + '\n' });
    assert.equal(r.code, 0, r.stderr);
  });

  test('inline works and warns that the value is visible', async () => {
    const r = await cli(['auth', 'login', '--token', s.adminToken], { env: { ...env, ALTER_CONFIG_DIR: tempDir() } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: .*process list/);
    assert.ok(!r.stdout.includes(s.adminToken), 'the token is not echoed');
  });

  test('a missing file is exit 4 naming the path', async () => {
    const r = await cli(['auth', 'login', '--token-file', '/nonexistent/alter-token'], { env: { ...env, ALTER_CONFIG_DIR: tempDir() } });
    assert.equal(r.code, 4);
    assert.match(r.stderr, /\/nonexistent\/alter-token/);
  });
});
