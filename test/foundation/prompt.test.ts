// Confirmation at a real terminal: `script` gives the CLI a pseudo-terminal, and we type the answer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, cli } from '../helpers/cli.js';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

after(cleanupAll);

/** Runs the CLI on a pseudo-terminal and types `keys` once the prompt is up. */
function atTerminal(args: string[], env: Record<string, string | undefined>, keys: string): Promise<{ code: number | null; output: string }> {
  const command = `stty cols 120 rows 40; ${process.execPath} ${BIN} ${args.join(' ')}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let typed = false;
  const onData = (d: Buffer): void => {
    output += d.toString();
    if (!typed && output.includes('Revoke')) {
      typed = true;
      setTimeout(() => child.stdin.write(keys), 200);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

describe('confirmation prompt', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });

  async function newToken(): Promise<{ id: string; token: string }> {
    return (await cli(['tokens', 'create', '--scopes', 'dashboard_apps:read', '--output', 'json'], { env: s.cliEnv })).json();
  }

  test('answering no cancels: exit 1, "cancelled", nothing changes', async () => {
    const t = await newToken();
    const r = await atTerminal(['tokens', 'revoke', '--token-id', t.id], s.cliEnv, 'n\r');
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /cancelled/);
    assert.equal((await cli(['apps', 'list'], { env: { ...s.cliEnv, ALTER_PAT: t.token } })).code, 0);
  });

  test('answering yes acts', async () => {
    const t = await newToken();
    const r = await atTerminal(['tokens', 'revoke', '--token-id', t.id], s.cliEnv, 'y\r');
    assert.equal(r.code, 0, r.output);
    assert.equal((await cli(['apps', 'list'], { env: { ...s.cliEnv, ALTER_PAT: t.token } })).code, 3);
  });
});
