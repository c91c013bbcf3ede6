// `alter dev provider|token|webhook send` through the real binary: a provider process serving until
// SIGTERM, tokens minted from it that verify against its JWKS, key rotation by command and by
// SIGHUP, its state file, the loopback guard, and lifecycle events delivered to a real receiver.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { BIN, cli } from '../helpers/cli.js';
import { cleanupAll, onCleanup, tempDir } from '../helpers/env.js';

function devEnv(stateDir = tempDir('alter-dev-state-')) {
  return { PATH: process.env.PATH, HOME: tempDir('alter-home-'), ALTER_DEV_STATE_DIR: stateDir };
}

interface RunningProvider {
  issuer: string;
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `alter dev provider` and waits for the issuer on its first stdout line. */
async function startProvider(env: Record<string, string | undefined>, args: string[] = []): Promise<RunningProvider> {
  const child = spawn(process.execPath, [BIN, 'dev', 'provider', '--port', '0', ...args], { env, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  onCleanup(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    void exited.then((code) => reject(new Error(`provider exited ${code}: ${stderr}`)));
  });
  return { issuer, child, stderr: () => stderr, exited };
}

async function kids(issuer: string): Promise<string[]> {
  const body = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: Array<{ kid: string }> };
  return body.keys.map((k) => k.kid).sort();
}

test('dev provider prints its issuer, mints verifiable tokens, rotates keys, and cleans up on SIGTERM', async () => {
  const stateDir = tempDir('alter-dev-state-');
  const env = devEnv(stateDir);
  const p = await startProvider(env, ['--user', 'carol:carol@example.test:Carol:eng,ops:admin']);
  assert.match(p.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
  const stateFile = join(stateDir, 'provider.json');
  assert.equal(statSync(stateFile).mode & 0o777, 0o600, 'the admin secret is readable by its owner only');

  const minted = await cli(['dev', 'token', '--user', 'carol', '--audience', 'https://api.example.test', '--expires-in', '5m'], { env });
  assert.equal(minted.code, 0, minted.stderr);
  const token = minted.stdout.trim();
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${p.issuer}/jwks`)), { issuer: p.issuer, audience: 'https://api.example.test' });
  assert.equal(payload.sub, 'carol');
  assert.equal(payload.email, 'carol@example.test');
  assert.deepEqual(payload.groups, ['eng', 'ops']);
  assert.deepEqual(payload.roles, ['admin']);
  assert.equal(payload.exp! - payload.iat!, 300);

  const wrongUrl = await cli(['dev', 'token', '--user', 'carol', '--provider-url', 'http://127.0.0.1:1'], { env });
  assert.equal(wrongUrl.code, 4);
  assert.match(wrongUrl.stderr, /state directory/);
  const unknown = await cli(['dev', 'token', '--user', 'nobody'], { env });
  assert.equal(unknown.code, 4);
  assert.match(unknown.stderr, /no dev user with sub nobody/);
  const badDuration = await cli(['dev', 'token', '--user', 'carol', '--expires-in', 'soon'], { env });
  assert.equal(badDuration.code, 2);
  assert.match(badDuration.stderr, /--expires-in/);

  const before = await kids(p.issuer);
  const rotated = await cli(['dev', 'provider', 'rotate-keys'], { env });
  assert.equal(rotated.code, 0, rotated.stderr);
  const afterCommand = await kids(p.issuer);
  assert.deepEqual([...rotated.json<{ kids: string[] }>().kids].sort(), afterCommand);
  assert.ok(afterCommand.every((k) => !before.includes(k)));
  p.child.kill('SIGHUP');
  let afterSignal = afterCommand;
  for (let i = 0; i < 50 && afterSignal.join() === afterCommand.join(); i++) {
    await new Promise((r) => setTimeout(r, 100));
    afterSignal = await kids(p.issuer);
  }
  assert.ok(afterSignal.every((k) => !afterCommand.includes(k)), 'SIGHUP rotated the keys');
  const fresh = (await cli(['dev', 'token', '--user', 'carol'], { env })).stdout.trim();
  assert.ok(afterSignal.includes(decodeProtectedHeader(fresh).kid!));

  const second = await cli(['dev', 'provider', '--port', '0'], { env });
  assert.equal(second.code, 5, 'a second provider may not take over a live state directory');

  p.child.kill('SIGTERM');
  assert.equal(await p.exited, 0);
  assert.equal(existsSync(stateFile), false, 'state file removed');
  const gone = await cli(['dev', 'token', '--user', 'carol'], { env });
  assert.equal(gone.code, 4);
  assert.match(gone.stderr, /no dev provider is running/);
});

test('dev provider takes users from a JSON file and registers clients', async () => {
  const env = devEnv();
  const file = join(tempDir(), 'users.json');
  writeFileSync(file, JSON.stringify([{ sub: 'dora', email: 'dora@example.test', groups: ['g1'] }]));
  const p = await startProvider(env, ['--users', `@${file}`, '--client', 'wallet:s3cret:http://127.0.0.1:8787/wallet/callback,http://127.0.0.1:8787/wallet/sign-in']);
  const token = (await cli(['dev', 'token', '--user', 'dora'], { env })).stdout.trim();
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${p.issuer}/jwks`)));
  assert.deepEqual(payload.groups, ['g1']);
  assert.equal((await cli(['dev', 'token', '--user', 'alice'], { env })).code, 4, 'the default users are not added to given ones');
  // The client is registered: right secret → invalid_grant (the code is bogus), wrong → invalid_client.
  const probe = (secret: string) =>
    fetch(`${p.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`wallet:${secret}`).toString('base64')}` },
      body: 'grant_type=authorization_code&code=x&redirect_uri=http%3A%2F%2F127.0.0.1%3A8787%2Fwallet%2Fcallback',
    }).then(async (r) => ((await r.json()) as { error: string }).error);
  assert.equal(await probe('s3cret'), 'invalid_grant');
  assert.equal(await probe('nope'), 'invalid_client');
});

test('dev provider refuses bad input with exit 2 and names it', async () => {
  const env = devEnv();
  const cases: Array<[string[], RegExp]> = [
    [['--host', '0.0.0.0'], /loopback only.*0\.0\.0\.0/],
    [['--host', '10.1.2.3'], /loopback only.*10\.1\.2\.3/],
    [['--user', ''], /--user/],
    [['--user', 'a:b:c:d:e:f'], /--user/],
    [['--client', 'only-id'], /--client/],
    [['--client', 'id:secret:not a url'], /--client.*not a URL/],
    [['--users', '{"sub":"x"}'], /--users: must be a JSON array/],
    [['--users', '[{"email":"x@y"}]'], /--users: item 0 needs a "sub"/],
    [['--users', '[]', '--user', 'a'], /either --users or --user/],
    [['--port', 'http'], /port/],
  ];
  for (const [args, message] of cases) {
    const res = await cli(['dev', 'provider', ...args], { env, timeoutMs: 10_000 });
    assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
    assert.match(res.stderr, message, args.join(' '));
  }
  const missing = await cli(['dev', 'provider', '--users', '@/nonexistent/users.json'], { env });
  assert.equal(missing.code, 4);
});

test('dev webhook send delivers a generic lifecycle event with the secret in the Authorization header', async () => {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let status = 200;
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status === 200 }));
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise<void>((r) => receiver.close(() => r())));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/webhooks/idp/idp_x`;
  const env = devEnv();

  const sent = await cli(['dev', 'webhook', 'send', '--url', url, '--secret', '-', '--type', 'user.deleted', '--user', 'alice', '--event-id', 'evt_1'], { env, stdin: 'whsec-value\n' });
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(received[0]!.headers.authorization, 'Bearer whsec-value');
  assert.equal(received[0]!.headers['content-type'], 'application/json');
  const body = JSON.parse(received[0]!.body);
  assert.deepEqual(body.events.map((e: Record<string, unknown>) => [e.id, e.type, e.user_id]), [['evt_1', 'user.deleted', 'alice']]);
  assert.ok(!Number.isNaN(Date.parse(body.events[0].occurred_at)));
  assert.deepEqual(sent.json(), { event_id: 'evt_1', type: 'user.deleted', status: 200, response: { ok: true } });
  assert.ok(!sent.stdout.includes('whsec-value') && !sent.stderr.includes('whsec-value'), 'the secret is not echoed');

  const membership = await cli(['dev', 'webhook', 'send', '--url', url, '--secret', 's', '--type', 'membership.removed', '--user', 'alice', '--group', 'admin', '--kind', 'role'], { env });
  assert.equal(membership.code, 0, membership.stderr);
  const event = JSON.parse(received[1]!.body).events[0];
  assert.equal(event.group, 'admin');
  assert.equal(event.kind, 'role');
  assert.match(event.id, /^evt_/);

  status = 401;
  const refused = await cli(['dev', 'webhook', 'send', '--url', url, '--secret', 'wrong', '--type', 'user.blocked', '--user', 'alice'], { env });
  assert.equal(refused.code, 8);
  assert.match(refused.stderr, /HTTP 401/);

  const count = received.length;
  for (const [args, message] of [
    [['--type', 'membership.added', '--user', 'alice'], /--group is required/],
    [['--type', 'user.exploded', '--user', 'alice'], /--type/],
    [['--type', 'user.deleted'], /--user is required/],
  ] as Array<[string[], RegExp]>) {
    const res = await cli(['dev', 'webhook', 'send', '--url', url, '--secret', 's', ...args], { env });
    assert.equal(res.code, 2, args.join(' '));
    assert.match(res.stderr, message);
  }
  assert.equal((await cli(['dev', 'webhook', 'send', '--url', url, '--secret', '@/nonexistent', '--type', 'user.deleted', '--user', 'a'], { env })).code, 4);
  assert.equal(received.length, count, 'nothing sent for bad input');
  const unreachable = await cli(['dev', 'webhook', 'send', '--url', 'http://127.0.0.1:9/x', '--secret', 's', '--type', 'user.deleted', '--user', 'a'], { env });
  assert.equal(unreachable.code, 1);
});

after(cleanupAll);
