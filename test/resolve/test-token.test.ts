// `alter idp test-token` and `alter idp discover --sample-token` through the real CLI binary:
// every check reported with a precise detail, exit 0 / 8, and nothing written or locked.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupAll, tempDir } from '../helpers/env.js';
import type { TestServer } from '../helpers/server.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { cli } from '../helpers/cli.js';
import { AUDIENCE, startResolveWorld, type ResolveApp } from './setup.js';

after(cleanupAll);

let server: TestServer;
let issuer: FixtureIssuer;
let app: ResolveApp;

before(async () => {
  ({ server, issuer, app } = await startResolveWorld(undefined, { audience: AUDIENCE, group_claim: 'groups' }));
});

interface Report {
  valid: boolean;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  identity: { user_id: string | null; email: string | null; name: string | null; groups: string[]; roles: string[] };
}

function check(report: Report, name: string): { ok: boolean; detail: string } {
  const c = report.checks.find((x) => x.name === name);
  assert.ok(c, `check ${name} in ${JSON.stringify(report.checks.map((x) => x.name))}`);
  return c;
}

const run = (args: string[], stdin?: string) => cli(['idp', ...args, '--app', app.appId], { env: server.cliEnv, stdin });

test('a valid token: exit 0, every check passes, the identity is shown, and nothing is written or locked', async () => {
  const token = await issuer.mint({ sub: 'tt-alice', aud: AUDIENCE, email: 'alice@example.com', name: 'Alice', groups: ['eng', 'ops'] });
  const r = await run(['test-token', '--token', token]);
  assert.equal(r.code, 0, r.stderr);
  const report = r.json<Report>();
  assert.deepEqual(Object.keys(report), ['valid', 'checks', 'identity']);
  assert.equal(report.valid, true);
  assert.ok(report.checks.every((c) => c.ok && c.detail.length > 0), JSON.stringify(report.checks));
  for (const name of ['format', 'algorithm', 'issuer', 'key', 'signature', 'expiry', 'not_before', 'issued_at', 'audience', 'user_id_claim', 'groups', 'roles', 'user_status']) check(report, name);
  assert.deepEqual(report.identity, { user_id: 'tt-alice', email: 'alice@example.com', name: 'Alice', groups: ['eng', 'ops'], roles: [] });

  const users = await server.server.store.db.selectFrom('users').select('id').where('external_id', '=', 'tt-alice').execute();
  assert.equal(users.length, 0, 'no user created');
  const shown = await server.api('GET', `/v1/apps/${app.appId}/identity-providers/current`);
  assert.equal(shown.body.claim_mappings_locked, false, 'nothing locked');
});

test('an invalid token: exit 8, the JSON still printed, each failing check with its precise reason', async () => {
  const token = await issuer.mint({ sub: 'tt-bob', aud: ['x'], exp: Math.floor(Date.now() / 1000) - 3600 });
  const r = await run(['test-token', '--token', token]);
  assert.equal(r.code, 8, r.stderr);
  const report = r.json<Report>();
  assert.equal(report.valid, false);
  assert.deepEqual(check(report, 'audience'), { name: 'audience', ok: false, detail: `aud is ["x"]; expected "${AUDIENCE}"` } as never);
  assert.equal(check(report, 'expiry').ok, false);
  assert.match(check(report, 'expiry').detail, /^exp is .* s ago \(leeway 60 s\)$/);
  assert.equal(check(report, 'signature').ok, true, 'the other checks still run');
  assert.match(r.stderr, /refused/);
});

test('a malformed token: format fails and the rest are reported as not checked', async () => {
  const r = await run(['test-token', '--token', 'not.a-jwt']);
  assert.equal(r.code, 8);
  const report = r.json<Report>();
  assert.equal(check(report, 'format').ok, false);
  assert.match(check(report, 'signature').detail, /^not checked/);
  assert.equal(report.identity.user_id, null);
});

test('a deprovisioned user is reported by the user_status check', async () => {
  const token = await issuer.mint({ sub: 'tt-gone', aud: AUDIENCE });
  assert.equal((await app.resolve({ token })).status, 200);
  await server.server.store.db.updateTable('users').set({ status: 'deprovisioned' }).where('external_id', '=', 'tt-gone').execute();
  const r = await run(['test-token', '--token', token]);
  assert.equal(r.code, 8);
  assert.match(check(r.json<Report>(), 'user_status').detail, /deprovisioned/);
});

test('--token takes - (stdin) and @file; a missing file is exit 4; --output table shows ✓ and ✗', async () => {
  const token = await issuer.mint({ sub: 'tt-carol', aud: 'wrong' });
  const viaStdin = await run(['test-token', '--token', '-'], token + '\n');
  assert.equal(viaStdin.code, 8);
  assert.equal(check(viaStdin.json<Report>(), 'signature').ok, true);
  const file = join(tempDir(), 'token.jwt');
  writeFileSync(file, token + '\n');
  const viaFile = await run(['test-token', '--token', `@${file}`]);
  assert.equal(viaFile.code, 8);
  assert.equal(check(viaFile.json<Report>(), 'user_id_claim').ok, true);
  assert.equal((await run(['test-token', '--token', '@/nonexistent/token.jwt'])).code, 4);
  const table = await run(['test-token', '--token', token, '--output', 'table']);
  assert.equal(table.code, 8);
  assert.match(table.stdout, /^✓ signature\s+verifies$/m);
  assert.match(table.stdout, /^✗ audience\s+aud is "wrong"; expected "https:\/\/api\.example\.com"$/m);
});

test('scope, app and provider are checked: exit 7 without the read scope, 4 for an unknown provider', async () => {
  const limited = await server.api('POST', '/v1/tokens', { scopes: ['dashboard_apps:read'] });
  assert.equal(limited.status, 201, JSON.stringify(limited.body));
  const token = await issuer.mint({ sub: 'tt-dan', aud: AUDIENCE });
  const forbidden = await cli(['idp', 'test-token', '--token', token, '--app', app.appId], { env: { ...server.cliEnv, ALTER_PAT: limited.body.token } });
  assert.equal(forbidden.code, 7);
  assert.match(forbidden.stderr, /dashboard_identity_providers:read/);
  assert.equal((await run(['test-token', '--token', token, '--provider', 'idp_nope'])).code, 4);
  assert.equal((await run(['test-token', '--token', token, '--provider', app.providerId!])).code, 0);
});

test('discover --sample-token runs the checks against the discovered configuration, saving nothing', async () => {
  const fresh = await startFixtureIssuer({ algs: ['ES256'] });
  const good = await fresh.mint({ sub: 'sample-user', email: 's@example.com' });
  const ok = await cli(['idp', 'discover', '--issuer-url', fresh.issuer, '--sample-token', good], { env: server.cliEnv });
  assert.equal(ok.code, 0, ok.stderr);
  const found = ok.json<{ issuer: string; sample_token: Report }>();
  assert.equal(found.issuer, fresh.issuer);
  assert.equal(found.sample_token.valid, true);
  assert.equal(found.sample_token.identity.user_id, 'sample-user');

  const foreign = await issuer.mint({ sub: 'sample-user' });
  const bad = await cli(['idp', 'discover', '--issuer-url', fresh.issuer, '--sample-token', foreign], { env: server.cliEnv });
  assert.equal(bad.code, 8);
  const report = bad.json<{ sample_token: Report }>().sample_token;
  assert.equal(check(report, 'issuer').detail, `iss is ${JSON.stringify(issuer.issuer)}; expected ${JSON.stringify(fresh.issuer)}`);
  const users = await server.server.store.db.selectFrom('users').select('id').where('external_id', '=', 'sample-user').execute();
  assert.equal(users.length, 0);
});
