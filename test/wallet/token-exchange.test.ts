// The back channel of the wallet against a loopback issuer whose token endpoint the test scripts:
// the client authenticates the way the provider supports and sends the PKCE verifier of its
// challenge; an ID token with the wrong nonce, audience or issuer, a refused code and a failing
// token endpoint each end on their own page with no user and no session created.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cleanupAll } from '../helpers/env.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

after(cleanupAll);

const CLIENT_ID = 'fixture-wallet';
const CLIENT_SECRET = 'fixture secret/with+odd:chars';

interface Started {
  cookie: string;
  state: string;
  nonce: string;
  challenge: string;
}

describe('wallet code exchange and ID token checks', () => {
  let s: TestServer;
  let issuer: FixtureIssuer;
  let appId: string;
  let tokenPath: string;

  before(async () => {
    issuer = await startFixtureIssuer();
    // This provider accepts only client_secret_post at its token endpoint.
    const doc = { ...issuer.document, token_endpoint_auth_methods_supported: ['client_secret_post'] };
    issuer.override('/.well-known/openid-configuration', { body: JSON.stringify(doc) });
    tokenPath = new URL(String(issuer.document.token_endpoint)).pathname;
    s = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
    const app = await s.api('POST', '/v1/apps', { name: 'Fixture App' });
    appId = app.body.id;
    const created = await s.api('POST', `/v1/apps/${appId}/identity-providers`, { issuer_url: issuer.issuer, wallet_client_id: CLIENT_ID, wallet_client_secret: CLIENT_SECRET });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });

  async function start(): Promise<Started> {
    const res = await fetch(`${s.url}/wallet/start`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `app_id=${appId}` });
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!);
    const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
    return { cookie, state: location.searchParams.get('state')!, nonce: location.searchParams.get('nonce')!, challenge: location.searchParams.get('code_challenge')! };
  }

  function answerTokenRequest(body: unknown, status = 200): void {
    issuer.override(tokenPath, { status, body: JSON.stringify(body) });
  }

  async function idToken(flow: Started, claims: Record<string, unknown> = {}): Promise<string> {
    return issuer.mint({ sub: 'user-1', aud: CLIENT_ID, nonce: flow.nonce, email: 'one@example.test', name: 'User One', ...claims });
  }

  async function callback(flow: Started, code = 'code-123'): Promise<{ status: number; html: string; setCookie: string[]; location: string | null }> {
    const res = await fetch(`${s.url}/wallet/callback?code=${code}&state=${encodeURIComponent(flow.state)}`, { redirect: 'manual', headers: { cookie: flow.cookie } });
    return { status: res.status, html: await res.text(), setCookie: res.headers.getSetCookie(), location: res.headers.get('location') };
  }

  async function nothingCreated(): Promise<void> {
    const db = s.server.store.db;
    assert.equal((await db.selectFrom('users').select('id').execute()).length, 0, 'no user');
    assert.equal((await db.selectFrom('wallet_sessions').select('id_hash').execute()).length, 0, 'no session');
  }

  test('an ID token with the wrong nonce is refused', async () => {
    const flow = await start();
    answerTokenRequest({ access_token: 'at', token_type: 'Bearer', id_token: await idToken(flow, { nonce: 'another-sign-in' }) });
    const r = await callback(flow);
    assert.equal(r.status, 401);
    assert.match(r.html, /The sign-in could not be verified/);
    assert.match(r.html, /nonce mismatch/);
    assert.match(r.html, /Try again/);
    await nothingCreated();
  });

  test('an ID token for another audience, or from another issuer, is refused', async () => {
    for (const claims of [{ aud: 'someone-else' }, { iss: 'https://evil.example.test' }, { aud: [CLIENT_ID, 'other'], azp: 'other' }]) {
      const flow = await start();
      answerTokenRequest({ id_token: await idToken(flow, claims) });
      const r = await callback(flow);
      assert.equal(r.status, 401, JSON.stringify(claims));
      assert.match(r.html, /audience mismatch|issuer mismatch/);
    }
    await nothingCreated();
  });

  test('a code the provider refuses, a failing token endpoint, and an answer without an ID token end on their pages', async () => {
    const cases: Array<[number, unknown, number, RegExp]> = [
      [400, { error: 'invalid_grant' }, 422, /already used or has expired/],
      [401, { error: 'invalid_client' }, 422, /refused this wallet’s client credentials/],
      [503, { error: 'temporarily_unavailable' }, 502, /HTTP 503/],
      [200, { access_token: 'only-an-access-token' }, 401, /without an ID token/],
    ];
    for (const [status, body, expected, message] of cases) {
      const flow = await start();
      answerTokenRequest(body, status);
      const r = await callback(flow);
      assert.equal(r.status, expected, JSON.stringify(body));
      assert.match(r.html, message);
      assert.ok(!r.html.includes('code-123') && !r.html.includes(flow.state), 'the page shows neither the code nor the state');
    }
    await nothingCreated();
  });

  test('a good answer signs the user in: client_secret_post, the PKCE verifier of the challenge, the registered redirect_uri', async () => {
    const flow = await start();
    answerTokenRequest({ id_token: await idToken(flow) });
    const before_ = issuer.tokenRequests.length;
    const r = await callback(flow, 'good-code');
    assert.equal(r.status, 303, r.html);
    const landing = new URL(r.location!, `${s.url}/wallet/callback`).toString();
    assert.equal(landing, `${s.url}/wallet/sign-in?app_id=${appId}`);
    assert.match(r.setCookie.join('\n'), new RegExp(`alter_wallet_${appId}=[A-Za-z0-9_-]{43}; Path=/wallet; Max-Age=28800; HttpOnly; SameSite=Lax`));
    const sent = issuer.tokenRequests.slice(before_);
    assert.equal(sent.length, 1);
    const req = sent[0]!;
    assert.equal(req.authorization, null, 'client_secret_post: no Authorization header');
    assert.equal(req.form.client_id, CLIENT_ID);
    assert.equal(req.form.client_secret, CLIENT_SECRET);
    assert.equal(req.form.grant_type, 'authorization_code');
    assert.equal(req.form.code, 'good-code');
    assert.equal(req.form.redirect_uri, `${s.url}/wallet/callback`);
    assert.equal(createHash('sha256').update(req.form.code_verifier!).digest('base64url'), flow.challenge);

    const page = await (await fetch(landing, { headers: { cookie: r.setCookie[0]!.split(';')[0]! } })).text();
    assert.match(page, /Hello, User One/);
    assert.match(page, /one@example\.test/);
  });
});
