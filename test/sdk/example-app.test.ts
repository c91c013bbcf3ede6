// examples/express-app as its README runs it: a child process pointed at a real alter server whose
// app trusts the dev provider (started in-process: the module `alter dev provider` runs), called
// with the provider's access tokens.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cleanupAll, onCleanup } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startDevProvider, type DevProvider } from '../../src/dev/provider.js';
import { createResolveApp, type ResolveApp } from '../resolve/setup.js';
import { get } from './setup.js';

after(cleanupAll);

const EXAMPLE = fileURLToPath(new URL('../../examples/express-app/server.mjs', import.meta.url));
const AUDIENCE = 'https://api.example.com';
let server: TestServer;
let op: DevProvider;
let app: ResolveApp;
let exampleUrl: string;

function startExample(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [EXAMPLE], { env: { PATH: process.env.PATH, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    onCleanup(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    });
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`the example exited with ${code}:\n${out}`)));
    setTimeout(() => reject(new Error(`the example did not start in 10 s:\n${out}`)), 10_000).unref();
  });
}

before(async () => {
  server = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  op = await startDevProvider({ port: 0, users: [{ sub: 'alice', email: 'alice@example.com', groups: ['engineering'] }] });
  onCleanup(() => op.close());
  app = await createResolveApp(server, { issuer_url: op.issuer, audience: AUDIENCE, group_claim: 'groups', role_claim: 'roles' });
  exampleUrl = await startExample({ ALTER_URL: server.url, ALTER_KEY: app.runtimeKey });
});

test('the example answers /me for a token of the dev provider', async () => {
  const res = await get(`${exampleUrl}/me`, await op.mintAccessToken('alice', { audience: AUDIENCE }));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.match(res.body.id, /^usr_/);
  assert.equal(res.body.email, 'alice@example.com');
  assert.deepEqual(res.body.groups, ['engineering']);
});

test('the example refuses no token, an expired token and a token for another audience', async () => {
  const none = await get(`${exampleUrl}/me`);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  const expired = await get(`${exampleUrl}/me`, await op.mintAccessToken('alice', { audience: AUDIENCE, expiresInSeconds: -120 }));
  assert.equal(expired.status, 401);
  assert.equal(expired.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="expired"');
  const other = await get(`${exampleUrl}/me`, await op.mintAccessToken('alice', { audience: 'https://elsewhere.example.com' }));
  assert.equal(other.body.error.reason, 'audience_mismatch');
  assert.equal((await get(`${exampleUrl}/health`)).status, 200);
});
