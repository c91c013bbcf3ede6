// Against a real OpenID Provider (oidc-provider, via the dev provider) on loopback, as a new user
// would: discover it, create with wallet credentials it accepts, and see the ones it refuses fail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli.js';
import { cleanupAll, onCleanup } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startDevProvider, type DevProvider } from '../../src/dev/provider.js';

after(cleanupAll);

const PUBLIC_URL = 'https://alter.example.com';
const SECRET = 'real-op-secret-5a1c9e';

describe('alter idp against oidc-provider', () => {
  let s: TestServer;
  let op: DevProvider;
  before(async () => {
    s = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1', ALTER_PUBLIC_URL: PUBLIC_URL });
    op = await startDevProvider({
      users: [{ sub: 'alice', email: 'alice@example.com', groups: ['staff'] }],
      clients: [{ client_id: 'wallet', client_secret: SECRET, redirect_uris: [`${PUBLIC_URL}/wallet/callback`] }],
    });
    onCleanup(() => op.close());
  });
  const newApp = async (): Promise<string> => (await s.api('POST', '/v1/apps', { name: 'shop' })).body.id;

  test('discover finds its keys and endpoints', async () => {
    const r = await cli(['idp', 'discover', '--issuer-url', op.issuer], { env: s.cliEnv });
    assert.equal(r.code, 0, r.stderr);
    const d = r.json<any>();
    assert.equal(d.issuer, op.issuer);
    assert.equal(d.provider_type, 'custom_oidc');
    assert.equal(d.jwks_uri, op.jwksUri);
    assert.ok(d.keys.length >= 1 && d.keys.every((k: any) => k.kid && ['RSA', 'EC', 'OKP'].includes(k.kty)));
    assert.ok(d.signing_algorithms.includes('RS256'));
    assert.equal(d.claim_mappings.user_id_claim, 'sub');
  });

  test('wallet credentials it accepts are verified; a wrong secret or unknown client is exit 8 with nothing saved', async () => {
    const a = await newApp();
    const wrong = await cli(['idp', 'create', '--issuer-url', op.issuer, '--wallet-client-id', 'wallet', '--wallet-client-secret', 'not-the-secret'], { env: { ...s.cliEnv, ALTER_APP_ID: a } });
    assert.equal(wrong.code, 8, wrong.stderr);
    assert.match(wrong.stderr, /rejected the wallet client credentials/);
    const unknown = await cli(['idp', 'create', '--issuer-url', op.issuer, '--wallet-client-id', 'nobody', '--wallet-client-secret', SECRET], { env: { ...s.cliEnv, ALTER_APP_ID: a } });
    assert.equal(unknown.code, 8, unknown.stderr);
    assert.ok(!unknown.stderr.includes(SECRET));
    assert.equal((await s.server.store.db.selectFrom('identity_providers').selectAll().where('app_id', '=', a).execute()).length, 0);

    const ok = await cli(['idp', 'create', '--issuer-url', op.issuer, '--wallet-client-id', 'wallet', '--wallet-client-secret', '-'], { env: { ...s.cliEnv, ALTER_APP_ID: a }, stdin: SECRET });
    assert.equal(ok.code, 0, ok.stderr);
    const p = ok.json<any>();
    assert.equal(p.issuer, op.issuer);
    assert.equal(p.wallet.verification, 'verified');
    assert.deepEqual(p.wallet.redirect_uris, [`${PUBLIC_URL}/wallet/callback`]);
    assert.ok(!ok.stdout.includes(SECRET) && !ok.stderr.includes(SECRET));
  });
});
