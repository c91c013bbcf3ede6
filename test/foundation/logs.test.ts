// The server's logs never carry a credential: not the Authorization header, not a query string.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli.js';
import { cleanupAll, testEnv } from '../helpers/env.js';
import { spawnServer } from '../helpers/server.js';

after(cleanupAll);

test('request logs hold neither tokens nor query strings', async () => {
  const env = await testEnv();
  const token = (await cli(['server', 'init', '--output', 'json'], { env })).json<{ token: string }>().token;
  const srv = await spawnServer({ ...env, ALTER_LOG_LEVEL: 'debug' });
  await fetch(`${srv.url}/v1/apps`, { headers: { authorization: `Bearer ${token}` } });
  await fetch(`${srv.url}/v1/apps`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"name":"logged"}' });
  await fetch(`${srv.url}/v1/apps?code=sensitive-code-value&state=sensitive-state`, { headers: { authorization: 'Bearer alter_pat_not-a-real-token-but-secret' } });
  assert.equal(await srv.stop('SIGTERM'), 0);
  const out = srv.output();
  assert.match(out, /"url":"\/v1\/apps"/, 'requests are logged');
  for (const secret of [token, 'sensitive-code-value', 'sensitive-state', 'not-a-real-token-but-secret']) {
    assert.ok(!out.includes(secret), `log contains ${secret.slice(0, 12)}…`);
  }
});
