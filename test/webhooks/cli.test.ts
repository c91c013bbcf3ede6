// `alter idp webhook …` through the real binary: outputs, secrets read from stdin and files,
// confirmations, and the exit codes a script relies on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cli } from '../helpers/cli.js';
import { cleanupAll, tempDir } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { appWithProvider, genericEvents, sendWithHeader, status, svixSecret, SERVER_ENV, type ProviderSetup } from './setup.js';

let server: TestServer;
before(async () => {
  server = await startTestServer(SERVER_ENV);
});
after(cleanupAll);

const webhook = (p: ProviderSetup, verb: string, ...rest: string[]) => ['idp', 'webhook', verb, '--app', p.appId, '--provider', p.providerId, ...rest];
const run = (args: string[], stdin?: string, env = server.cliEnv) => cli(args, { env, ...(stdin === undefined ? {} : { stdin }) });

test('enable prints the secret once with URL and scheme; status counts deliveries and never shows it', async () => {
  const p = await appWithProvider(server, 'auth0');
  const enabled = await run(webhook(p, 'enable'));
  assert.equal(enabled.code, 0, enabled.stderr);
  const out = enabled.json<{ provider_id: string; enabled: boolean; url: string; scheme: string; secret: string }>();
  assert.deepEqual(Object.keys(out).sort(), ['enabled', 'provider_id', 'scheme', 'secret', 'url']);
  assert.equal(out.scheme, 'auth0_log_stream');
  assert.equal(out.url, p.hookUrl);
  assert.match(enabled.stderr, /shown only once/);
  // Not a terminal: no next-step prose.
  assert.doesNotMatch(enabled.stderr, /Next:/);

  const sdu = JSON.stringify({ log_id: 'l1', data: { type: 'sdu', user_id: 'auth0|gone', date: new Date().toISOString() } });
  assert.equal((await sendWithHeader(p.hookUrl, out.secret, sdu)).status, 200);
  const shown = await run(webhook(p, 'status'));
  assert.equal(shown.code, 0, shown.stderr);
  assert.ok(!shown.stdout.includes(out.secret) && !shown.stderr.includes(out.secret));
  const s = shown.json<Record<string, unknown>>();
  assert.equal(s.events_received, 1);
  assert.equal(s.last_event_type, 'sdu');
  const fields = await run([...webhook(p, 'status'), '--fields', 'enabled,events_received']);
  assert.deepEqual(fields.json(), { enabled: true, events_received: 1 });
  assert.equal((await run([...webhook(p, 'status'), '--fields', 'secret'])).code, 2);
});

test('Clerk: the whsec_ secret from stdin or a file; missing, malformed or a missing file are exit 2 and 4', async () => {
  const p = await appWithProvider(server, 'clerk');
  const noSecret = await run(webhook(p, 'enable'));
  assert.equal(noSecret.code, 2);
  assert.match(noSecret.stderr, /secret/);
  const bad = await run(webhook(p, 'enable', '--secret', 'sk_live_notasvixsecret0000000000'));
  assert.equal(bad.code, 2);
  assert.ok(!bad.stderr.includes('sk_live_notasvixsecret'));
  assert.equal((await run(webhook(p, 'enable', '--secret', '@/nonexistent/whsec.txt'))).code, 4);
  assert.equal((await status(server, p)).enabled, false);

  const secret = svixSecret();
  const fromStdin = await run(webhook(p, 'enable', '--secret', '-'), `${secret}\n`);
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.equal(fromStdin.json().secret, secret);
  assert.equal(fromStdin.json().scheme, 'svix');
  const twice = await run([...webhook(p, 'enable', '--secret', '-'), '--output', 'json'], secret);
  assert.equal(twice.code, 5);
  assert.equal(JSON.parse(twice.stderr.trim().split('\n').at(-1)!).error.code, 'conflict');

  const file = join(tempDir(), 'whsec.txt');
  const next = svixSecret();
  writeFileSync(file, `${next}\n`);
  const rotated = await run(webhook(p, 'rotate', '--secret', `@${file}`, '--yes'));
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.equal(rotated.json().secret, next);
});

test('a short operator-chosen secret is accepted for header schemes, with a warning on stderr', async () => {
  const p = await appWithProvider(server, 'auth0');
  const enabled = await run(webhook(p, 'enable', '--secret', 'test-secret'));
  assert.equal(enabled.code, 0, enabled.stderr);
  assert.equal(enabled.json().secret, 'test-secret');
  assert.match(enabled.stderr, /warning: the secret is only 11 characters/);
  assert.equal((await sendWithHeader(p.hookUrl, 'test-secret', '[]')).status, 200);
  const blank = await run(webhook(p, 'rotate', '--secret', '-', '--yes'), '\n');
  assert.equal(blank.code, 2);
  assert.equal((await sendWithHeader(p.hookUrl, 'test-secret', '[]')).status, 200, 'a refused rotate changes nothing');
});

test('rotate and disable ask first: without --yes off a terminal they are exit 2 and change nothing', async () => {
  const p = await appWithProvider(server, 'custom_oidc');
  const secret = (await run(webhook(p, 'enable'))).json<{ secret: string }>().secret;
  const works = (id: string, s: string) => sendWithHeader(p.hookUrl, s, genericEvents({ id, type: 'user.blocked', user_id: 'x' }));

  const noYes = await run(webhook(p, 'rotate'));
  assert.equal(noYes.code, 2);
  assert.match(noYes.stderr, /--yes/);
  // stdin cannot carry both the secret and the answer: refused before anything is read or sent.
  const stdinNoYes = await run(webhook(p, 'rotate', '--secret', '-'), 'a-new-secret-that-must-not-be-used-000');
  assert.equal(stdinNoYes.code, 2);
  assert.match(stdinNoYes.stderr, /--yes/);
  assert.equal((await works('w1', secret)).status, 200);

  const rotated = await run(webhook(p, 'rotate', '--secret', '-', '--yes'), 'an-operator-chosen-secret-0123456789');
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.equal(rotated.json().secret, 'an-operator-chosen-secret-0123456789');
  assert.equal((await works('w2', secret)).status, 401);
  assert.equal((await works('w3', 'an-operator-chosen-secret-0123456789')).status, 200);

  assert.equal((await run(webhook(p, 'disable'))).code, 2);
  assert.equal((await works('w4', 'an-operator-chosen-secret-0123456789')).status, 200);
  const disabled = await run(webhook(p, 'disable', '--yes'));
  assert.equal(disabled.code, 0, disabled.stderr);
  assert.equal(disabled.json().enabled, false);
  assert.equal((await works('w5', 'an-operator-chosen-secret-0123456789')).status, 404);
});

test('exit codes: unknown provider 4, token without the webhooks scope 7, no app 2, not signed in 3', async () => {
  const p = await appWithProvider(server, 'okta');
  assert.equal((await run(['idp', 'webhook', 'status', '--app', p.appId, '--provider', 'idp_nope'])).code, 4);
  const token = (await server.api('POST', '/v1/tokens', { scopes: ['dashboard_identity_providers:read'], app_id: null, name: null, expires_in_seconds: null })).body.token as string;
  const forbidden = await run(webhook(p, 'enable'), undefined, { ...server.cliEnv, ALTER_PAT: token });
  assert.equal(forbidden.code, 7);
  assert.match(forbidden.stderr, /dashboard_identity_providers:webhooks/);
  assert.equal((await run(['idp', 'webhook', 'status', '--provider', p.providerId])).code, 2);
  assert.equal((await run(webhook(p, 'status'), undefined, { ...server.cliEnv, ALTER_PAT: undefined })).code, 3);
  assert.equal((await status(server, p)).enabled, false);
});

test('on a terminal, enable says where to paste the URL and secret at the provider', async () => {
  const p = await appWithProvider(server, 'okta');
  const command = `${process.execPath} ${BIN} ${webhook(p, 'enable').join(' ')}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: server.cliEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0, output);
  assert.match(output, /Next: Okta Admin Console → Workflow → Event Hooks/);
  assert.match(output, new RegExp(p.hookUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  assert.match(output, /user\.lifecycle\.deactivate/);
});
