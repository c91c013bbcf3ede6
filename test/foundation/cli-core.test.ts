// The CLI's global behaviour, through the real binary: flags, exit codes, output formats, errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BIN, cli } from '../helpers/cli.js';
import { cleanupAll, tempDir } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

after(cleanupAll);

describe('CLI core', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });

  test('--version prints the package version', async () => {
    const r = await cli(['--version'], { env: s.cliEnv });
    assert.equal(r.code, 0);
    assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+$/);
  });

  test('--help shows examples on the program and on nested commands', async () => {
    for (const args of [['--help'], ['apps', '--help'], ['tokens', 'create', '--help'], ['keys', 'mint', '--help'], ['auth', 'login', '--help']]) {
      const r = await cli(args, { env: s.cliEnv });
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /Examples:\n\s+\$ alter /, args.join(' '));
    }
  });

  test('a reader that stops early (| head) ends the CLI quietly', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" completion bash | true; echo "exit \${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    assert.match(r.stdout, /exit 0/);
    assert.doesNotMatch(r.stderr, /EPIPE|Error/);
  });

  test('an unknown flag is exit 2 and names the flag', async () => {
    const r = await cli(['apps', 'list', '--bogus-flag'], { env: s.cliEnv });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--bogus-flag/);
    assert.equal(r.stdout, '');
  });

  test('an unknown command is exit 2', async () => {
    const r = await cli(['frobnicate'], { env: s.cliEnv });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /frobnicate/);
  });

  test('--output with an unknown format is exit 2', async () => {
    const r = await cli(['apps', 'list', '--output', 'yaml'], { env: s.cliEnv });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /yaml/);
  });

  test('--fields keeps the named keys; an unknown name is exit 2 naming it', async () => {
    const ok = await cli(['apps', 'create', '--name', 'fields-app', '--fields', 'id,name', '--output', 'json'], { env: s.cliEnv });
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(Object.keys(ok.json()), ['id', 'name']);
    const bad = await cli(['apps', 'list', '--fields', 'id,nonsense'], { env: s.cliEnv });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /nonsense/);
  });

  test('lists: a table by default, a JSON array with --output json, one object per line with jsonl', async () => {
    await cli(['apps', 'create', '--name', 'list-a'], { env: s.cliEnv });
    await cli(['apps', 'create', '--name', 'list-b'], { env: s.cliEnv });
    const table = await cli(['apps', 'list'], { env: s.cliEnv });
    assert.match(table.stdout, /^ID\s+NAME\s+CREATED_AT/m);
    assert.match(table.stdout, /list-a/);
    const json = await cli(['apps', 'list', '--output', 'json'], { env: s.cliEnv });
    const arr = json.json<any[]>();
    assert.ok(Array.isArray(arr) && arr.some((a) => a.name === 'list-b'));
    const jsonl = await cli(['apps', 'list', '--output', 'jsonl', '--fields', 'name'], { env: s.cliEnv });
    const lines = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.length >= 2 && lines.every((l) => Object.keys(l).join() === 'name'));
  });

  test('the API unreachable is exit 1 and the message names the URL', async () => {
    const r = await cli(['apps', 'list'], { env: { ...s.cliEnv, ALTER_API_URL: 'http://127.0.0.1:9' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /http:\/\/127\.0\.0\.1:9/);
  });

  test('--api-url overrides ALTER_API_URL', async () => {
    const r = await cli(['--api-url', s.url, 'apps', 'list'], { env: { ...s.cliEnv, ALTER_API_URL: 'http://127.0.0.1:9' } });
    assert.equal(r.code, 0, r.stderr);
  });

  test('with --output json an error is one JSON line, last on stderr', async () => {
    const r = await cli(['apps', 'show', 'app_missing', '--output', 'json'], { env: s.cliEnv });
    assert.equal(r.code, 4);
    const last = r.stderr.trim().split('\n').at(-1)!;
    const parsed = JSON.parse(last);
    assert.equal(parsed.error.code, 'not_found');
    assert.match(parsed.error.message, /app_missing/);
  });

  test('not signed in is exit 3 and says how to sign in', async () => {
    const env = { ...s.cliEnv, ALTER_PAT: undefined, ALTER_CONFIG_DIR: tempDir() };
    const r = await cli(['apps', 'list'], { env });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /auth login/);
  });

  test('an app-scoped command with no app is exit 2 and says how to choose one', async () => {
    const r = await cli(['keys', 'list'], { env: s.cliEnv, cwd: tempDir() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--app/);
  });
});
