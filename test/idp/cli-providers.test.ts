// `alter idp discover|create|show|update|delete` through the real binary, against fixture issuers on
// loopback: what a user sees on stdout/stderr, the exit codes, and what the store holds afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, type CliResult } from '../helpers/cli.js';
import { createSealer } from '../../src/crypto/sealed.js';
import { ensureMasterKey } from '../../src/crypto/master-key.js';
import { cleanupAll, tempDir } from '../helpers/env.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

after(cleanupAll);

const SECRET = 'wallet-secret-0f3b9d1c7e5a';
const PROVIDER_KEYS = ['id', 'app_id', 'provider_type', 'issuer', 'jwks_uri', 'audience', 'claim_mappings', 'claim_mappings_locked', 'wallet', 'webhook', 'created_at'];

describe('alter idp against fixture issuers', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1', ALTER_PUBLIC_URL: 'https://alter.example.com' });
  });

  async function newApp(): Promise<string> {
    return (await s.api('POST', '/v1/apps', { name: 'shop' })).body.id as string;
  }
  const run = (appId: string | null, args: string[], stdin?: string): Promise<CliResult> =>
    cli(args, { env: { ...s.cliEnv, ...(appId ? { ALTER_APP_ID: appId } : {}) }, stdin });
  const providersOf = (appId: string) => s.server.store.db.selectFrom('identity_providers').selectAll().where('app_id', '=', appId).execute();
  const noSecretIn = (r: CliResult): void => {
    assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), 'the wallet secret leaked into the output');
  };

  test('discover prints the contract object and saves nothing; --output table is key/value', async () => {
    const f = await startFixtureIssuer({ template: 'okta-custom-default.json' });
    const r = await run(null, ['idp', 'discover', '--issuer-url', f.issuer]);
    assert.equal(r.code, 0, r.stderr);
    const d = r.json<any>();
    assert.equal(d.issuer, f.issuer);
    assert.equal(d.provider_type, 'okta');
    assert.deepEqual(d.claim_mappings, { user_id_claim: 'sub', group_claim: 'groups', role_claim: null });
    assert.equal(d.webhook_scheme, 'okta_event_hook');
    assert.equal(r.stderr, '', 'no spinner or noise when stderr is not a terminal');
    const t = await run(null, ['identity-providers', 'discover', '--issuer-url', f.issuer, '--output', 'table']);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^provider_type\s+okta$/m);
    assert.match(t.stdout, /^claim_mappings\.group_claim\s+groups$/m);
    assert.match(t.stdout, /^keys\[0\]\.kty\s+RSA$/m);
    assert.match(t.stdout, /^warnings\[0\]\.code\s+okta_groups_claim$/m);
  });

  test('discover refuses bad issuer URLs with exit 2, naming the problem', async () => {
    for (const [url, message] of [
      ['acme.okta.com', /not a URL/],
      ['ftp://acme.okta.com', /must be an https:\/\/ URL, not ftp:/],
      ['https://acme.okta.com/.well-known/openid-configuration', /pass the issuer itself.*https:\/\/acme\.okta\.com/],
      ['https://admin:pw@acme.okta.com', /credentials/],
      ['https://acme.okta.com/?x=1', /query/],
      ['https://acme.okta.com/#frag', /fragment/],
    ] as const) {
      const r = await run(null, ['idp', 'discover', '--issuer-url', url]);
      assert.equal(r.code, 2, url);
      assert.match(r.stderr, message, url);
      assert.equal(r.stdout, '');
    }
  });

  test('discover of an issuer that is down exits 8 naming the cause; --output json gives the error object', async () => {
    const f = await startFixtureIssuer();
    f.override('/.well-known/openid-configuration', { status: 500, body: 'oops' });
    const r = await run(null, ['idp', 'discover', '--issuer-url', f.issuer, '--output', 'json']);
    assert.equal(r.code, 8);
    const last = JSON.parse(r.stderr.trim().split('\n').at(-1)!);
    assert.equal(last.error.code, 'discovery_failed');
    assert.match(last.error.message, /HTTP 500/);
  });

  test('create with wallet credentials from stdin: the provider object, verified, secret sealed and never shown', async () => {
    const f = await startFixtureIssuer({ template: 'clerk-dev.json' });
    const appId = await newApp();
    const r = await run(appId, ['idp', 'create', '--issuer-url', f.issuer, '--audience', 'https://api.example.com', '--wallet-client-id', 'client_abc', '--wallet-client-secret', '-'], `${SECRET}\n`);
    assert.equal(r.code, 0, r.stderr);
    noSecretIn(r);
    const p = r.json<any>();
    assert.deepEqual(Object.keys(p), PROVIDER_KEYS);
    assert.match(p.id, /^idp_/);
    assert.equal(p.app_id, appId);
    assert.equal(p.provider_type, 'clerk');
    assert.equal(p.issuer, f.issuer);
    assert.equal(p.audience, 'https://api.example.com');
    assert.deepEqual(p.claim_mappings, { user_id_claim: 'sub', group_claim: 'org_slug', role_claim: 'org_role' });
    assert.equal(p.claim_mappings_locked, false);
    assert.deepEqual(p.wallet, {
      client_id: 'client_abc',
      verification: 'verified',
      redirect_uris: ['https://alter.example.com/wallet/callback'],
      logout_url: 'https://alter.example.com/wallet/sign-in',
    });
    assert.deepEqual(p.webhook, { enabled: false, url: `https://alter.example.com/v1/webhooks/idp/${p.id}` });
    assert.match(r.stderr, /Clerk session tokens carry no aud/, 'discovery warnings are shown on stderr');
    // The probe used HTTP Basic (Clerk supports it) with an authorization code nobody issued.
    const probe = f.tokenRequests.at(-1)!;
    assert.equal(probe.authorization, `Basic ${Buffer.from(`client_abc:${SECRET}`).toString('base64')}`);
    assert.equal(probe.form.grant_type, 'authorization_code');
    assert.equal(probe.form.redirect_uri, 'https://alter.example.com/wallet/callback');
    const [row] = await providersOf(appId);
    assert.ok(row!.wallet_client_secret && !row!.wallet_client_secret.includes(SECRET));
    assert.equal(row!.wallet_verification, 'verified');
    const sealer = createSealer(ensureMasterKey(s.env.ALTER_DATA_DIR, s.env));
    assert.equal(sealer.open(row!.wallet_client_secret, p.id), SECRET, 'sealed with the provider id as associated data');
    assert.throws(() => sealer.open(row!.wallet_client_secret!, 'idp_other'));
    const audit = await s.server.store.db.selectFrom('audit_events').selectAll().where('target', '=', p.id).execute();
    assert.deepEqual(audit.map((a) => a.action), ['identity_provider.create']);
    assert.ok(!JSON.stringify(audit).includes(SECRET));

    const shown = await run(appId, ['idp', 'show']);
    assert.equal(shown.code, 0);
    assert.deepEqual(shown.json(), p);
    const byId = await run(appId, ['idp', 'show', '--provider', p.id, '--output', 'table']);
    assert.match(byId.stdout, /^wallet\.verification\s+verified$/m);
    noSecretIn(byId);
  });

  test('the wallet secret from @file and inline works too; @missing is exit 4 and saves nothing', async () => {
    const f = await startFixtureIssuer();
    const file = join(tempDir(), 'secret');
    writeFileSync(file, `${SECRET}\n`);
    const a = await newApp();
    const r1 = await run(a, ['idp', 'configure', '--issuer-url', f.issuer, '--wallet-client-id', 'c1', '--wallet-client-secret', `@${file}`]);
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(f.tokenRequests.at(-1)!.authorization, `Basic ${Buffer.from(`c1:${SECRET}`).toString('base64')}`);
    const b = await newApp();
    const r2 = await run(b, ['idp', 'create', '--issuer-url', f.issuer, '--wallet-client-id', 'c2', '--wallet-client-secret', SECRET]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.ok(!r2.stdout.includes(SECRET));
    const c = await newApp();
    const r3 = await run(c, ['idp', 'create', '--issuer-url', f.issuer, '--wallet-client-id', 'c3', '--wallet-client-secret', '@/nonexistent/secret']);
    assert.equal(r3.code, 4);
    assert.match(r3.stderr, /--wallet-client-secret: file not found: \/nonexistent\/secret/);
    assert.equal((await providersOf(c)).length, 0);
  });

  test('half the wallet flags is exit 2, nothing saved', async () => {
    const f = await startFixtureIssuer();
    const a = await newApp();
    const r1 = await run(a, ['idp', 'create', '--issuer-url', f.issuer, '--wallet-client-id', 'c1']);
    assert.equal(r1.code, 2);
    assert.match(r1.stderr, /--wallet-client-secret is missing/);
    const r2 = await run(a, ['idp', 'create', '--issuer-url', f.issuer, '--wallet-client-secret', SECRET]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /--wallet-client-id is missing/);
    noSecretIn(r2);
    assert.equal((await providersOf(a)).length, 0);
    assert.equal(f.jwksFetches, 0, 'refused before any request');
  });

  test('wallet credentials refused by the provider: exit 8, nothing saved, secret not echoed', async () => {
    const f = await startFixtureIssuer({ template: 'okta-custom-default.json' });
    f.override('/oauth2/default/v1/token', { status: 401, body: JSON.stringify({ error: 'invalid_client', error_description: 'Client authentication failed.' }) });
    const a = await newApp();
    const r = await run(a, ['idp', 'create', '--issuer-url', f.issuer, '--wallet-client-id', 'c1', '--wallet-client-secret', SECRET]);
    assert.equal(r.code, 8);
    assert.match(r.stderr, /rejected the wallet client credentials.*invalid_client/);
    noSecretIn(r);
    assert.equal((await providersOf(a)).length, 0);
    // invalid_client with 400 (some providers) is a rejection too.
    f.override('/oauth2/default/v1/token', { status: 400, body: JSON.stringify({ error: 'invalid_client' }) });
    assert.equal((await run(a, ['idp', 'create', '--issuer-url', f.issuer, '--wallet-client-id', 'c1', '--wallet-client-secret', SECRET])).code, 8);
    assert.equal((await providersOf(a)).length, 0);
  });

  test('an inconclusive check (5xx, not JSON) saves the provider unverified with a notice on stderr', async () => {
    for (const answer of [{ status: 503, body: 'maintenance', contentType: 'text/plain' }, { status: 200, body: '<html></html>', contentType: 'text/html' }]) {
      const f = await startFixtureIssuer();
      f.override('/token', answer);
      const a = await newApp();
      const r = await run(a, ['idp', 'create', '--issuer-url', f.issuer, '--wallet-client-id', 'c1', '--wallet-client-secret', SECRET]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json<any>().wallet.verification, 'unverified');
      assert.match(r.stderr, /could not be verified .*saved unverified/);
      assert.ok(!r.stdout.includes('could not be verified'), 'notices stay off stdout');
      noSecretIn(r);
      assert.equal((await providersOf(a))[0]!.wallet_verification, 'unverified');
    }
  });

  test('a provider that only supports client_secret_post is probed that way', async () => {
    const f = await startFixtureIssuer();
    f.override('/.well-known/openid-configuration', { body: JSON.stringify({ ...f.document, token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'] }) });
    const a = await newApp();
    const r = await run(a, ['idp', 'create', '--issuer-url', f.issuer, '--wallet-client-id', 'c1', '--wallet-client-secret', SECRET]);
    assert.equal(r.code, 0, r.stderr);
    const probe = f.tokenRequests.at(-1)!;
    assert.equal(probe.authorization, null);
    assert.equal(probe.form.client_id, 'c1');
    assert.equal(probe.form.client_secret, SECRET);
  });

  test('discovery failures on create exit 8 and save nothing', async () => {
    const f = await startFixtureIssuer();
    const a = await newApp();
    f.override(new URL(f.jwksUri).pathname, { body: '{"keys":[]}' });
    const r = await run(a, ['idp', 'create', '--issuer-url', f.issuer]);
    assert.equal(r.code, 8);
    assert.match(r.stderr, /holds no keys/);
    f.override(new URL(f.jwksUri).pathname, null);
    f.override('/.well-known/openid-configuration', { body: JSON.stringify({ ...f.document, issuer: 'https://other.example' }) });
    const r2 = await run(a, ['idp', 'create', '--issuer-url', f.issuer]);
    assert.equal(r2.code, 8);
    assert.match(r2.stderr, /issuer mismatch/);
    assert.equal((await providersOf(a)).length, 0);
  });

  test('claim flags override the detected mappings', async () => {
    const f = await startFixtureIssuer({ template: 'auth0-tenant.json' });
    const a = await newApp();
    const r = await run(a, ['idp', 'create', '--issuer-url', f.origin, '--user-id-claim', 'https://acme.example/uid', '--group-claim', 'https://acme.example/groups', '--role-claim', 'https://acme.example/roles']);
    assert.equal(r.code, 0, r.stderr);
    const p = r.json<any>();
    assert.equal(p.issuer, `${f.origin}/`, 'the document spelling of the issuer is stored');
    assert.deepEqual(p.claim_mappings, { user_id_claim: 'https://acme.example/uid', group_claim: 'https://acme.example/groups', role_claim: 'https://acme.example/roles' });
    assert.match(r.stderr, /trailing slash/);
  });

  test('--input from stdin or a file replaces the flags; bad JSON, unknown keys or mixing with flags is exit 2', async () => {
    const f = await startFixtureIssuer();
    const a = await newApp();
    const body = { issuer_url: f.issuer, audience: 'aud-1', group_claim: 'grp', wallet_client_id: 'c1', wallet_client_secret: SECRET };
    const bad = [
      [['--input', '-'], 'not json', /--input: not valid JSON/],
      [['--input', '-'], '[1,2]', /--input: must be a JSON object/],
      [['--input', '-'], JSON.stringify({ ...body, issuer: 'x' }), /--input: unknown key\(s\) issuer/],
      [['--input', '-'], JSON.stringify({ ...body, audience: 5 }), /audience must be a string/],
      [['--input', '-'], JSON.stringify({ issuer_url: f.issuer, wallet_client_id: 'c1' }), /wallet_client_id and wallet_client_secret go together/],
      [['--input', '-'], JSON.stringify({ audience: 'x' }), /issuer_url is required/],
      [['--input', '-', '--audience', 'x'], JSON.stringify(body), /--input replaces the per-field flags: drop --audience/],
    ] as const;
    for (const [args, stdin, message] of bad) {
      const r = await run(a, ['idp', 'create', ...args], stdin);
      assert.equal(r.code, 2, `${stdin}: ${r.stderr}`);
      assert.match(r.stderr, message);
      noSecretIn(r);
    }
    assert.equal((await providersOf(a)).length, 0);
    const file = join(tempDir(), 'provider.json');
    writeFileSync(file, JSON.stringify(body));
    const r = await run(a, ['idp', 'create', '--input', `@${file}`]);
    assert.equal(r.code, 0, r.stderr);
    const p = r.json<any>();
    assert.equal(p.audience, 'aud-1');
    assert.equal(p.claim_mappings.group_claim, 'grp');
    assert.equal(p.wallet.verification, 'verified');
    const b = await newApp();
    const viaStdin = await run(b, ['idp', 'create', '--input', '-'], JSON.stringify({ issuer_url: f.issuer }));
    assert.equal(viaStdin.code, 0, viaStdin.stderr);
  });

  test('a second provider for an app is exit 5; concurrent creates: exactly one wins', async () => {
    const f = await startFixtureIssuer();
    const a = await newApp();
    assert.equal((await run(a, ['idp', 'create', '--issuer-url', f.issuer])).code, 0);
    const again = await run(a, ['idp', 'create', '--issuer-url', f.issuer]);
    assert.equal(again.code, 5);
    assert.match(again.stderr, /already has an identity provider/);

    const b = await newApp();
    const results = await Promise.all([1, 2, 3].map(() => run(b, ['idp', 'create', '--issuer-url', f.issuer])));
    assert.deepEqual(results.map((r) => r.code).sort(), [0, 5, 5], results.map((r) => r.stderr).join('\n'));
    assert.equal((await providersOf(b)).length, 1);
  });

  test('create needs an app, the create scope, and access to the app', async () => {
    const f = await startFixtureIssuer();
    const noApp = await run(null, ['idp', 'create', '--issuer-url', f.issuer]);
    assert.equal(noApp.code, 2);
    assert.match(noApp.stderr, /no app selected/);
    const a = await newApp();
    const readOnly = (await s.api('POST', '/v1/tokens', { scopes: ['dashboard_identity_providers:read'] })).body.token;
    const r = await cli(['idp', 'create', '--issuer-url', f.issuer], { env: { ...s.cliEnv, ALTER_PAT: readOnly, ALTER_APP_ID: a } });
    assert.equal(r.code, 7);
    assert.match(r.stderr, /dashboard_identity_providers:create/);
    const other = await newApp();
    const restricted = (await s.api('POST', '/v1/tokens', { scopes: ['dashboard_identity_providers:create', 'dashboard_identity_providers:read'], app_id: other })).body.token;
    const r2 = await cli(['idp', 'create', '--issuer-url', f.issuer], { env: { ...s.cliEnv, ALTER_PAT: restricted, ALTER_APP_ID: a } });
    assert.equal(r2.code, 7);
    assert.equal((await providersOf(a)).length, 0);
  });

  test('show without a provider is exit 4; an unknown or foreign provider id is exit 4', async () => {
    const a = await newApp();
    const r = await run(a, ['idp', 'show']);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /has no identity provider/);
    const f = await startFixtureIssuer();
    const b = await newApp();
    const created = (await run(b, ['idp', 'create', '--issuer-url', f.issuer])).json<any>();
    assert.equal((await run(a, ['idp', 'show', '--provider', created.id])).code, 4);
    assert.equal((await run(a, ['idp', 'show', '--provider', 'idp_nope'])).code, 4);
  });

  describe('update', () => {
    let f: FixtureIssuer;
    let appId: string;
    let id: string;
    before(async () => {
      f = await startFixtureIssuer();
      appId = await newApp();
      id = (await run(appId, ['idp', 'create', '--issuer-url', f.issuer, '--audience', 'a1', '--wallet-client-id', 'c1', '--wallet-client-secret', SECRET])).json<any>().id;
    });

    test('changes what is given and nothing else; "" clears the audience', async () => {
      const r = await run(appId, ['idp', 'update', '--provider', id, '--group-claim', 'teams']);
      assert.equal(r.code, 0, r.stderr);
      const p = r.json<any>();
      assert.deepEqual(Object.keys(p), PROVIDER_KEYS);
      assert.equal(p.claim_mappings.group_claim, 'teams');
      assert.equal(p.audience, 'a1');
      assert.equal(p.wallet.client_id, 'c1');
      const cleared = await run(appId, ['idp', 'update', '--provider', id, '--audience', '']);
      assert.equal(cleared.json<any>().audience, null);
    });

    test('with nothing to change is exit 2', async () => {
      const r = await run(appId, ['idp', 'update', '--provider', id]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /nothing to update/);
    });

    test('a new wallet secret is checked again; a rejected one changes nothing', async () => {
      const before = f.tokenRequests.length;
      const ok = await run(appId, ['idp', 'update', '--provider', id, '--wallet-client-secret', '-'], 'new-secret-123\n');
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(f.tokenRequests.length, before + 1);
      assert.equal(f.tokenRequests.at(-1)!.authorization, `Basic ${Buffer.from('c1:new-secret-123').toString('base64')}`);
      const stored = (await providersOf(appId))[0]!;
      f.override('/token', { status: 401, body: '{"error":"invalid_client"}' });
      const refused = await run(appId, ['idp', 'update', '--provider', id, '--wallet-client-secret', 'bad-secret', '--audience', 'a2']);
      f.override('/token', null);
      assert.equal(refused.code, 8);
      assert.deepEqual((await providersOf(appId))[0], stored, 'nothing changed');
    });

    test('a new issuer re-runs discovery (and re-checks the wallet there); a bad one is exit 8', async () => {
      const g = await startFixtureIssuer({ template: 'keycloak.json' });
      const probesBefore = g.tokenRequests.length;
      const r = await run(appId, ['idp', 'update', '--provider', id, '--issuer-url', g.issuer]);
      assert.equal(r.code, 0, r.stderr);
      const p = r.json<any>();
      assert.equal(p.issuer, g.issuer);
      assert.equal(p.jwks_uri, g.jwksUri);
      assert.equal(p.provider_type, 'custom_oidc');
      assert.equal(p.claim_mappings.group_claim, 'teams', 'mappings are kept when the issuer changes');
      assert.equal(g.tokenRequests.length, probesBefore + 1);
      assert.equal(g.tokenRequests.at(-1)!.authorization, `Basic ${Buffer.from('c1:new-secret-123').toString('base64')}`);
      g.override(new URL(g.jwksUri).pathname, { status: 404 });
      const h = await startFixtureIssuer();
      await h.close();
      const bad = await run(appId, ['idp', 'update', '--provider', id, '--issuer-url', h.issuer]);
      assert.equal(bad.code, 8);
      assert.equal((await providersOf(appId))[0]!.issuer, g.issuer);
    });

    test('changing a locked claim mapping is exit 5; re-sending it unchanged and changing the audience are fine', async () => {
      await s.server.store.db.updateTable('identity_providers').set({ claim_mappings_locked: 1 }).where('id', '=', id).execute();
      const r = await run(appId, ['idp', 'update', '--provider', id, '--user-id-claim', 'email']);
      assert.equal(r.code, 5);
      assert.match(r.stderr, /locked/);
      assert.equal((await providersOf(appId))[0]!.user_id_claim, 'sub');
      const same = await run(appId, ['idp', 'update', '--provider', id, '--group-claim', 'teams', '--audience', 'a3']);
      assert.equal(same.code, 0, same.stderr);
      assert.equal(same.json<any>().claim_mappings_locked, true);
      assert.equal(same.json<any>().audience, 'a3');
    });
  });

  test('delete asks first, then removes the provider and what hangs on it', async () => {
    const f = await startFixtureIssuer();
    const a = await newApp();
    const p = (await run(a, ['idp', 'create', '--issuer-url', f.issuer])).json<any>();
    const now = new Date().toISOString();
    await s.server.store.db
      .insertInto('users')
      .values({ id: 'usr_del_1', app_id: a, provider_id: p.id, external_id: 'u1', email: null, name: null, status: 'active', status_changed_at: null, seen: 1, created_at: now, updated_at: now })
      .execute();
    const refused = await run(a, ['idp', 'delete', '--provider', p.id]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--yes is required/);
    assert.equal((await providersOf(a)).length, 1);
    const readOnly = (await s.api('POST', '/v1/tokens', { scopes: ['dashboard_identity_providers:read'] })).body.token;
    const forbidden = await cli(['idp', 'delete', '--provider', p.id, '--yes'], { env: { ...s.cliEnv, ALTER_PAT: readOnly, ALTER_APP_ID: a } });
    assert.equal(forbidden.code, 7);
    assert.match(forbidden.stderr, /dashboard_identity_providers:delete/);
    const r = await run(a, ['idp', 'delete', '--provider', p.id, '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json(), { id: p.id, app_id: a, deleted: true });
    assert.equal((await providersOf(a)).length, 0);
    assert.equal((await s.server.store.db.selectFrom('users').selectAll().where('id', '=', 'usr_del_1').execute()).length, 0);
    assert.equal((await run(a, ['idp', 'show'])).code, 4);
    assert.equal((await run(a, ['idp', 'delete', '--provider', p.id, '--yes'])).code, 4);
    assert.equal((await run(a, ['idp', 'create', '--issuer-url', f.issuer])).code, 0, 'a new provider can be created after delete');
  });
});

describe('alter idp without ALTER_ALLOW_PRIVATE_ISSUERS', () => {
  test('a loopback issuer is refused with exit 8 and nothing is saved', async () => {
    const s = await startTestServer();
    const f = await startFixtureIssuer();
    const appId = (await s.api('POST', '/v1/apps', { name: 'x' })).body.id;
    const r = await cli(['idp', 'create', '--issuer-url', f.issuer], { env: { ...s.cliEnv, ALTER_APP_ID: appId } });
    assert.equal(r.code, 8);
    assert.match(r.stderr, /only https:\/\/ URLs.*ALTER_ALLOW_PRIVATE_ISSUERS/);
    const r2 = await cli(['idp', 'discover', '--issuer-url', `https://127.1:${new URL(f.origin).port}`], { env: s.cliEnv });
    assert.equal(r2.code, 8);
    assert.match(r2.stderr, /loopback/);
    assert.equal((await s.server.store.db.selectFrom('identity_providers').selectAll().execute()).length, 0);
  });
});
