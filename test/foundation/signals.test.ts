// The real server process: one line saying where it listens, SIGTERM drains in-flight requests and
// exits 0, and SIGKILL in the middle of writes loses nothing that was acknowledged.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { cleanupAll, testEnv } from '../helpers/env.js';
import { spawnServer } from '../helpers/server.js';

after(cleanupAll);

async function initialised(): Promise<{ env: Record<string, string | undefined>; token: string }> {
  const env = await testEnv();
  const r = await cli(['server', 'init', '--output', 'json'], { env });
  assert.equal(r.code, 0, r.stderr);
  return { env, token: r.json<{ token: string }>().token };
}

test('SIGTERM lets an in-flight request finish, then exits 0', async () => {
  const { env, token } = await initialised();
  const srv = await spawnServer(env);
  assert.match(srv.output(), /alter listening on http:\/\/127\.0\.0\.1:\d+/);
  const url = new URL('/v1/apps', srv.url);
  const body = JSON.stringify({ name: 'drained' });
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    // Half the body now, the rest after the signal: the request is in flight when SIGTERM lands.
    req.write(body.slice(0, 5));
    setTimeout(() => {
      srv.proc.kill('SIGTERM');
      setTimeout(() => req.end(body.slice(5)), 300);
    }, 300);
  });
  const res = await answer;
  assert.equal(res.status, 201, res.text);
  assert.equal(await srv.exited, 0);
});

test('SIGKILL during writes loses no acknowledged write, and the server starts again', async () => {
  const { env, token } = await initialised();
  const srv = await spawnServer(env);
  const acked: string[] = [];
  let killed = false;
  const writes = Array.from({ length: 300 }, async (_, i) => {
    try {
      const res = await fetch(`${srv.url}/v1/apps`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: `crash-${i}` }) });
      if (res.status === 201) {
        acked.push(((await res.json()) as { id: string }).id);
        if (acked.length === 40 && !killed) {
          killed = true;
          srv.proc.kill('SIGKILL');
        }
      }
    } catch {
      // Connections cut by the kill: not acknowledged, so nothing is promised about them.
    }
  });
  await Promise.all(writes);
  await srv.stop('SIGKILL');
  assert.ok(acked.length >= 40);

  const again = await spawnServer(env);
  const health = await fetch(`${again.url}/healthz`);
  assert.equal(health.status, 200);
  const res = await fetch(`${again.url}/v1/apps`, { headers: { authorization: `Bearer ${token}` } });
  const ids = new Set(((await res.json()) as { items: Array<{ id: string }> }).items.map((a) => a.id));
  const lost = acked.filter((id) => !ids.has(id));
  assert.deepEqual(lost, [], 'acknowledged apps missing after SIGKILL');
  assert.equal(await again.stop('SIGTERM'), 0);
});

test('start before init serves, and a later init keeps the key start created', async () => {
  const env = await testEnv();
  const srv = await spawnServer(env);
  assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
  const key = readFileSync(join(env.ALTER_DATA_DIR, 'master.key'), 'utf8');
  assert.equal(await srv.stop('SIGTERM'), 0);
  const init = await cli(['server', 'init', '--output', 'json'], { env });
  assert.equal(init.code, 0, init.stderr);
  assert.equal(readFileSync(join(env.ALTER_DATA_DIR, 'master.key'), 'utf8'), key);
});
