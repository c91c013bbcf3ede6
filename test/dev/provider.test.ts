// The dev provider as a real OpenID Provider on loopback: discovery, JWKS, minted access tokens,
// key rotation, the loopback guard, and a full authorization code + PKCE sign-in through its login
// form, driven over HTTP with a small cookie jar.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startDevProvider, type DevProvider } from '../../src/dev/provider.js';
import { networkInterfaces } from 'node:os';
import { cleanupAll, onCleanup } from '../helpers/env.js';

const users = [
  { sub: 'alice', email: 'alice@example.test', name: 'Alice', groups: ['eng', 'ops'], roles: ['admin'] },
  { sub: 'bob', email: 'bob@example.test', name: 'Bob' },
];
const REDIRECT = 'http://127.0.0.1:1/wallet/callback';
const client = { client_id: 'wallet', client_secret: 'wallet-secret', redirect_uris: [REDIRECT], post_logout_redirect_uris: ['http://127.0.0.1:1/wallet/sign-in'] };

async function provider(extra: Partial<Parameters<typeof startDevProvider>[0]> = {}): Promise<DevProvider> {
  const p = await startDevProvider({ users, clients: [client], ...extra });
  onCleanup(() => p.close());
  return p;
}

async function jwksKids(p: DevProvider): Promise<string[]> {
  const res = await fetch(p.jwksUri);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { keys: Array<{ kid: string; d?: string }> };
  for (const k of body.keys) assert.equal(k.d, undefined, 'the JWKS must not publish private parts');
  return body.keys.map((k) => k.kid).sort();
}

test('discovery names the loopback issuer, the endpoints, S256 only and the claims', async () => {
  const p = await provider();
  assert.match(p.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${p.issuer}/.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  const doc = (await res.json()) as Record<string, unknown>;
  assert.equal(doc.issuer, p.issuer);
  assert.equal(doc.jwks_uri, p.jwksUri);
  assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
  assert.ok((doc.token_endpoint_auth_methods_supported as string[]).includes('client_secret_post'));
  for (const claim of ['email', 'name', 'groups', 'roles']) assert.ok((doc.claims_supported as string[]).includes(claim), claim);
  assert.ok(typeof doc.end_session_endpoint === 'string');
  assert.deepEqual(await jwksKids(p).then((k) => k.length), 2);
});

test('a minted access token verifies against the served JWKS and carries the user', async () => {
  const p = await provider();
  const token = await p.mintAccessToken('alice', { audience: 'https://api.example.test', expiresInSeconds: 120, claims: { scope: 'read' } });
  const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(p.jwksUri)), {
    issuer: p.issuer,
    audience: 'https://api.example.test',
  });
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(payload.sub, 'alice');
  assert.equal(payload.email, 'alice@example.test');
  assert.equal(payload.name, 'Alice');
  assert.deepEqual(payload.groups, ['eng', 'ops']);
  assert.deepEqual(payload.roles, ['admin']);
  assert.equal(payload.scope, 'read');
  assert.equal(payload.exp! - payload.iat!, 120);

  const bare = await p.mintAccessToken('bob');
  const claims = (await jwtVerify(bare, createRemoteJWKSet(new URL(p.jwksUri)), { issuer: p.issuer })).payload;
  assert.equal(claims.aud, undefined, 'no audience unless asked for');
  assert.deepEqual(claims.groups, []);

  await assert.rejects(p.mintAccessToken('mallory'), /no dev user with sub mallory/);
});

test('rotateKeys replaces the kids: the JWKS serves only new keys and new tokens use them', async () => {
  const p = await provider();
  const before = await jwksKids(p);
  const oldToken = await p.mintAccessToken('alice');
  await p.rotateKeys();
  const after_ = await jwksKids(p);
  assert.equal(after_.length, 2);
  assert.ok(after_.every((kid) => !before.includes(kid)), 'every kid changed');
  const newToken = await p.mintAccessToken('alice');
  assert.ok(after_.includes(decodeProtectedHeader(newToken).kid!));
  const jwks = createRemoteJWKSet(new URL(p.jwksUri));
  await jwtVerify(newToken, jwks);
  await assert.rejects(jwtVerify(oldToken, jwks), /no applicable key found/);
});

test('refuses to listen on anything but loopback unless allowed', async () => {
  for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.test']) {
    await assert.rejects(startDevProvider({ host, port: 0, users }), (err: Error) => {
      assert.match(err.message, /loopback only/);
      assert.match(err.message, new RegExp(host.replace(/\./g, '\\.')));
      return true;
    });
  }
  const p = await provider({ host: '0.0.0.0', allowNonLoopback: true });
  assert.match(p.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal((await fetch(`${p.issuer}/.well-known/openid-configuration`)).status, 200);
});

/** Minimal cookie jar: enough for oidc-provider's interaction and session cookies on one host. */
function browser() {
  const jar = new Map<string, string>();
  return async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return res;
  };
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

test('authorization code + PKCE through the login form yields an ID token with the user claims; end_session returns to the client', async () => {
  const p = await provider();
  const go = browser();
  const { verifier, challenge } = pkce();
  const auth = new URL(`${p.issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: client.client_id, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid email profile',
    state: 'st-1', nonce: 'n-1', code_challenge: challenge, code_challenge_method: 'S256',
  }).toString();
  let res = await go(auth.toString());
  assert.equal(res.status, 303);
  const interaction = new URL(res.headers.get('location')!, p.issuer).toString();
  res = await go(interaction);
  assert.equal(res.status, 200);
  const form = await res.text();
  assert.match(form, /name="login"/);
  const action = /action="([^"]+)"/.exec(form)![1]!;
  res = await go(new URL(action, p.issuer).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ prompt: 'login', login: 'alice', password: 'anything' }).toString(),
  });
  assert.equal(res.status, 303);
  // Resuming the authorization goes straight back to the client: consent is implied.
  res = await go(new URL(res.headers.get('location')!, p.issuer).toString());
  assert.equal(res.status, 303);
  const back = new URL(res.headers.get('location')!);
  assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
  assert.equal(back.searchParams.get('state'), 'st-1');
  const code = back.searchParams.get('code')!;
  assert.ok(code);

  const tokenRes = await fetch(`${p.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier,
      client_id: client.client_id, client_secret: client.client_secret,
    }).toString(),
  });
  assert.equal(tokenRes.status, 200);
  const tokens = (await tokenRes.json()) as { id_token: string };
  const { payload } = await jwtVerify(tokens.id_token, createRemoteJWKSet(new URL(p.jwksUri)), { issuer: p.issuer, audience: client.client_id });
  assert.equal(payload.sub, 'alice');
  assert.equal(payload.nonce, 'n-1');
  assert.equal(payload.email, 'alice@example.test');
  assert.equal(payload.name, 'Alice');
  assert.deepEqual(payload.groups, ['eng', 'ops']);
  assert.deepEqual(payload.roles, ['admin']);

  // RP-initiated logout: the confirmation form, then back to the registered post-logout URI.
  const end = new URL(`${p.issuer}/session/end`);
  end.search = new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: client.post_logout_redirect_uris[0]!, state: 'bye' }).toString();
  res = await go(end.toString());
  assert.equal(res.status, 200);
  const page = await res.text();
  const logoutAction = /action="([^"]+)"/.exec(page)![1]!;
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)![1]!;
  res = await go(new URL(logoutAction, p.issuer).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `${client.post_logout_redirect_uris[0]}?state=bye`);
});

test('PKCE is required and a wrong client secret is invalid_client', async () => {
  const p = await provider();
  const auth = new URL(`${p.issuer}/auth`);
  auth.search = new URLSearchParams({ client_id: client.client_id, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', state: 's' }).toString();
  const res = await fetch(auth, { redirect: 'manual' });
  const back = new URL(res.headers.get('location')!);
  assert.equal(back.searchParams.get('error'), 'invalid_request');
  assert.match(back.searchParams.get('error_description')!, /PKCE/);

  const tokenRes = await fetch(`${p.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('wallet:nope').toString('base64')}` },
    body: 'grant_type=authorization_code&code=x&redirect_uri=' + encodeURIComponent(REDIRECT),
  });
  assert.equal(tokenRes.status, 401);
  assert.equal(((await tokenRes.json()) as { error: string }).error, 'invalid_client');
});

test('addClient registers a client on the running provider', async () => {
  const p = await provider({ clients: [] });
  const body = `grant_type=authorization_code&code=x&redirect_uri=${encodeURIComponent(REDIRECT)}&client_id=late&client_secret=late-secret`;
  const post = () => fetch(`${p.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  assert.equal((await post()).status, 401);
  p.addClient({ client_id: 'late', client_secret: 'late-secret', redirect_uris: [REDIRECT] });
  const res = await post();
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
});

test('admin routes mint and rotate for loopback callers with the admin secret only', async () => {
  const p = await provider({ host: '0.0.0.0', allowNonLoopback: true, adminSecret: 'admin-secret-1' });
  const port = new URL(p.issuer).port;
  const call = (route: string, body: unknown, secret = 'admin-secret-1', host = '127.0.0.1') =>
    fetch(`http://${host}:${port}/_alter/dev/${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  let res = await call('token', { user: 'alice', audience: 'aud-1', expires_in: 60 });
  assert.equal(res.status, 200);
  const minted = (await res.json()) as { access_token: string; expires_in: number };
  const { payload } = await jwtVerify(minted.access_token, createRemoteJWKSet(new URL(p.jwksUri)), { issuer: p.issuer, audience: 'aud-1' });
  assert.equal(payload.sub, 'alice');
  assert.equal(payload.exp! - payload.iat!, 60);

  assert.equal((await call('token', { user: 'alice' }, 'wrong')).status, 401);
  assert.equal((await call('token', { user: 'alice' }, '')).status, 401);
  for (const bad of [{}, { user: 'alice', expires_in: -5 }, { user: 'alice', expires_in: '1h' }, { user: 'alice', claims: [] }, 'not json', '[1]']) {
    const r = await call('token', bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
  }
  assert.equal((await call('token', { user: 'nobody' })).status, 404);
  assert.equal((await call('nope', {})).status, 404);

  const before = await jwksKids(p);
  res = await call('rotate-keys', {});
  assert.equal(res.status, 200);
  const { kids } = (await res.json()) as { kids: string[] };
  assert.deepEqual([...kids].sort(), await jwksKids(p));
  assert.ok(kids.every((k) => !before.includes(k)));

  // Reached through a non-loopback address, even the right secret is refused.
  const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
  if (external) assert.equal((await call('token', { user: 'alice' }, 'admin-secret-1', external.address)).status, 403);
});

test('without an admin secret there are no admin routes', async () => {
  const p = await provider();
  const res = await fetch(`${p.issuer}/_alter/dev/token`, { method: 'POST', headers: { authorization: 'Bearer x', 'content-type': 'application/json' }, body: '{"user":"alice"}' });
  assert.equal(res.status, 404);
});

after(cleanupAll);
