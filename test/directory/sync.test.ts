// Directory sync as an operator runs it: the real CLI against a real server whose Clerk provider's
// management API is a loopback double shaped like Clerk's. Credentials checked before saving and
// never shown; dry run; runs that create, block and deprovision (refused by resolve at once);
// safeguards; a failing page; a run already in progress; every bad input.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupAll, tempDir } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { cli, type CliResult } from '../helpers/cli.js';
import { ClerkDouble } from '../helpers/directory-doubles/clerk.js';
import { Auth0Double } from '../helpers/directory-doubles/auth0.js';
import { OktaDouble } from '../helpers/directory-doubles/okta.js';
import { createResolveApp, type ResolveApp } from '../resolve/setup.js';

after(cleanupAll);

let server: TestServer;
let clerkIssuer: FixtureIssuer;
let dir: string;

before(async () => {
  server = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  clerkIssuer = await startFixtureIssuer({ template: 'clerk-dev.json' });
  dir = tempDir();
});

interface World {
  app: ResolveApp;
  providerId: string;
  clerk: ClerkDouble;
  alter(...args: string[]): Promise<CliResult>;
  credentialsFile(value: unknown): string;
  users(): Promise<any[]>;
}

let files = 0;
async function world(users = 40): Promise<World> {
  const app = await createResolveApp(server, { issuer_url: clerkIssuer.issuer, group_claim: 'org_slug', role_claim: 'org_role' });
  const clerk = await ClerkDouble.start({ users, organizations: 2 });
  const env = { ...server.cliEnv, ALTER_APP_ID: app.appId };
  return {
    app,
    providerId: app.providerId!,
    clerk,
    alter: (...args) => cli(args, { env }),
    credentialsFile(value) {
      const file = join(dir, `credentials-${++files}.json`);
      writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
      return `@${file}`;
    },
    async users() {
      const res = await server.api('GET', `/v1/apps/${app.appId}/users?limit=1000`);
      return res.body.items as any[];
    },
  };
}

function run(w: World, ...flags: string[]): Promise<CliResult> {
  return w.alter('idp', 'sync', 'run', '--provider', w.providerId, ...flags);
}

test('enable checks and seals the credentials; a dry run changes nothing; a run creates the directory with groups and roles', async () => {
  const w = await world();
  const enabled = await w.alter('idp', 'sync', 'enable', '--provider', w.providerId, '--credentials', w.credentialsFile(w.clerk.credentials), '--interval', '2h', '--deletion-threshold', '25%');
  assert.equal(enabled.code, 0, enabled.stderr);
  const status = enabled.json<any>();
  assert.equal(status.enabled, true);
  assert.equal(status.verification, 'verified');
  assert.equal(status.interval, '2h');
  assert.equal(status.deletion_threshold, '25%');
  assert.ok(!enabled.stdout.includes(w.clerk.secretKey) && !enabled.stderr.includes(w.clerk.secretKey), 'the secret key is never printed');
  const stored = await server.server.store.db.selectFrom('directory_syncs').select('credentials').where('provider_id', '=', w.providerId).executeTakeFirstOrThrow();
  assert.ok(!stored.credentials.includes(w.clerk.secretKey), 'sealed at rest');

  const dry = await run(w, '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(dry.json<any>().dry_run, true);
  assert.equal(dry.json<any>().created, 40);
  assert.equal((await w.users()).length, 0, 'a dry run writes nothing');

  const real = await run(w);
  assert.equal(real.code, 0, real.stderr);
  const done = real.json<any>();
  assert.equal(done.status, 'succeeded');
  assert.equal(done.trigger, 'manual');
  assert.equal(done.users_seen, 40);
  assert.equal(done.created, 40);
  assert.ok(done.memberships_added > 20);
  const users = await w.users();
  assert.equal(users.length, 40);
  const admin = users.find((u) => u.roles.includes('org:admin'));
  assert.ok(admin, 'organization roles arrive as roles');
  assert.deepEqual(admin.sources, ['sync']);
  assert.ok(admin.groups.every((g: string) => g.startsWith('team-')), 'organizations are named by slug, as the org_slug claim carries them');
  const banned = w.clerk.users.find((u) => u.banned || u.locked)!;
  assert.equal(users.find((u) => u.external_id === banned.id).status, 'blocked');

  const again = await run(w);
  assert.equal(again.json<any>().created, 0, 'a second run over the same directory changes nothing');
  assert.equal(again.json<any>().memberships_added, 0);

  const listed = await w.alter('idp', 'sync', 'runs', '--provider', w.providerId, '--output', 'json');
  assert.deepEqual(JSON.parse(listed.stdout).map((r: any) => r.dry_run), [false, false, true], 'newest first');
  const shown = await w.alter('idp', 'sync', 'status', '--provider', w.providerId);
  assert.equal(shown.json<any>().last_run.id, again.json<any>().id);
  assert.ok(!shown.stdout.includes('secret_key'));
});

test("a user deleted or banned at the provider is refused by resolve right after the run that learns it", async () => {
  const w = await world(20);
  assert.equal((await w.alter('idp', 'sync', 'enable', '--provider', w.providerId, '--credentials', w.credentialsFile(w.clerk.credentials))).code, 0);
  assert.equal((await run(w)).code, 0);
  const [gone, banned] = w.clerk.users.filter((u) => !u.banned && !u.locked);
  const token = (sub: string) => clerkIssuer.mint({ sub, jti: `${Math.random()}` });
  for (const u of [gone!, banned!]) assert.equal((await w.app.resolve({ token: await token(u.id) })).status, 200);

  w.clerk.removeUser(gone!.id);
  w.clerk.updateUser(banned!.id, { banned: true });
  const res = await run(w);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.json<any>().deprovisioned, 1);
  assert.equal(res.json<any>().blocked, 1);
  for (const u of [gone!, banned!]) {
    const answer = await w.app.resolve({ token: await token(u.id) });
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error.reason, 'deprovisioned');
  }
  const detail = (await server.api('GET', `/v1/apps/${w.app.appId}/users?external_id=${gone!.id}`)).body.items[0];
  const shown = (await server.api('GET', `/v1/apps/${w.app.appId}/users/${detail.id}`)).body;
  assert.deepEqual(shown.events[0].detail, { reason: 'missing_from_directory' });
});

test('safeguards: over the threshold the run aborts (exit 5, nothing written, a warning) until --force; a failing page fails the run (exit 1)', async () => {
  const w = await world(20);
  assert.equal((await w.alter('idp', 'sync', 'enable', '--provider', w.providerId, '--credentials', w.credentialsFile(w.clerk.credentials), '--deletion-threshold', '2')).code, 0);
  assert.equal((await run(w)).code, 0);
  for (const u of w.clerk.users.slice(0, 5)) w.clerk.removeUser(u.id);

  const aborted = await run(w);
  assert.equal(aborted.code, 5, aborted.stderr);
  assert.equal(aborted.json<any>().status, 'aborted');
  assert.equal(aborted.json<any>().error.code, 'deletion_threshold');
  assert.equal((await w.users()).filter((u) => u.status === 'deprovisioned').length, 0);
  const status = (await w.alter('idp', 'sync', 'status', '--provider', w.providerId)).json<any>();
  assert.deepEqual(status.warnings.map((x: any) => x.code), ['last_run_aborted']);

  w.clerk.failPath('/v1/users', 500);
  const failed = await run(w, '--force');
  assert.equal(failed.code, 1, failed.stderr);
  assert.equal(failed.json<any>().status, 'failed');
  assert.equal((await w.users()).filter((u) => u.status === 'deprovisioned').length, 0, 'a partial read never deprovisions');

  w.clerk.clearFaults();
  const forced = await run(w, '--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(forced.json<any>().deprovisioned, 5);
});

test('bad input: refused credentials (exit 8, nothing saved), malformed JSON, a missing key, custom OIDC, a run in progress, missing scope', async () => {
  const w = await world(5);
  const enable = (credentials: string, ...more: string[]) => w.alter('idp', 'sync', 'enable', '--provider', w.providerId, '--credentials', credentials, ...more);

  const refused = await enable(w.credentialsFile({ ...w.clerk.credentials, secret_key: 'sk_test_wrong' }));
  assert.equal(refused.code, 8, refused.stderr);
  assert.ok(!refused.stderr.includes('sk_test_wrong'));
  assert.equal((await w.alter('idp', 'sync', 'status', '--provider', w.providerId)).json<any>().enabled, false, 'nothing saved');

  assert.equal((await enable(w.credentialsFile('{not json'))).code, 2);
  const missing = await enable(w.credentialsFile({ api_url: w.clerk.origin }));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /secret_key/);
  assert.equal((await enable(w.credentialsFile(w.clerk.credentials), '--interval', '1m')).code, 2);
  assert.equal((await enable(w.credentialsFile(w.clerk.credentials), '--deletion-threshold', 'lots')).code, 2);
  assert.equal((await run(w)).code, 4, 'no sync enabled yet');

  const generic = await createResolveApp(server, { issuer_url: (await startFixtureIssuer()).issuer });
  const oidc = await cli(['idp', 'sync', 'enable', '--provider', generic.providerId!, '--credentials', w.credentialsFile({ api_token: 'x' })], { env: { ...server.cliEnv, ALTER_APP_ID: generic.appId } });
  assert.equal(oidc.code, 2);
  assert.match(oidc.stderr, /SCIM/);

  assert.equal((await enable(w.credentialsFile(w.clerk.credentials))).code, 0);
  assert.equal((await enable(w.credentialsFile(w.clerk.credentials))).code, 5, 'already enabled');

  w.clerk.rateLimitNext(2);
  const first = run(w);
  await new Promise((r) => setTimeout(r, 300));
  const second = await run(w);
  assert.equal(second.code, 5, second.stderr);
  assert.match(second.stderr, /already running/);
  assert.equal((await first).code, 0);

  const reader = await server.api('POST', '/v1/tokens', { scopes: ['dashboard_identity_providers:read'], app_id: w.app.appId });
  const forbidden = await cli(['idp', 'sync', 'status', '--provider', w.providerId], { env: { ...server.cliEnv, ALTER_APP_ID: w.app.appId, ALTER_PAT: reader.body.token } });
  assert.equal(forbidden.code, 7);
  assert.match(forbidden.stderr, /dashboard_identity_providers:directory/);

  const disabled = await w.alter('idp', 'sync', 'disable', '--provider', w.providerId, '--yes');
  assert.equal(disabled.code, 0);
  assert.equal(disabled.json<any>().enabled, false);
  assert.equal((await w.users()).length, 5, 'the synced users stay');
});

test('Auth0 past the 1,000-result cap and Okta with a private-key service app, through the server: every user, role and group arrives', async () => {
  const auth0Issuer = await startFixtureIssuer({ template: 'auth0-tenant.json' });
  const auth0 = await Auth0Double.start({ users: 1_100, domain: new URL(auth0Issuer.issuer).host });
  const oktaIssuer = await startFixtureIssuer({ template: 'okta-org.json' });
  const okta = await OktaDouble.start({ users: 230, groups: 4 });
  const cases = [
    { issuer: auth0Issuer, claims: { group_claim: 'org_name' }, credentials: auth0.credentials, users: auth0.users.length },
    { issuer: oktaIssuer, claims: { group_claim: 'groups' }, credentials: await okta.serviceApp({ alg: 'ES256' }), users: okta.users.length },
  ];
  for (const c of cases) {
    const app = await createResolveApp(server, { issuer_url: c.issuer.issuer, ...c.claims });
    const base = `/v1/apps/${app.appId}/identity-providers/${app.providerId}/sync`;
    const enabled = await server.api('POST', `${base}/enable`, { credentials: c.credentials });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    assert.equal(enabled.body.verification, 'verified');
    let run = (await server.api('POST', `${base}/runs`, {})).body;
    while (run.status === 'running') {
      await new Promise((r) => setTimeout(r, 100));
      run = (await server.api('GET', `${base}/runs/${run.id}`)).body;
    }
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal(run.users_seen, c.users);
    const stored = await server.server.store.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('provider_id', '=', app.providerId!).executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), c.users);
    const groups = (await server.api('GET', `/v1/apps/${app.appId}/groups?limit=1000`)).body.items;
    assert.ok(groups.length > 0 && groups.every((g: any) => g.source === 'sync'));
  }
});
