// POST /v1/identity/resolve end to end: real server, real fixture issuers on loopback, providers
// created through the management API. Every bad token of issue 4 gets the contract's reason and a
// 401, never a 500; just-in-time users are created, updated and left alone as the tokens say.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { cleanupAll } from '../helpers/env.js';
import type { TestServer } from '../helpers/server.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { AUDIENCE, createResolveApp, resolveCall, startResolveWorld, type ResolveApp } from './setup.js';

after(cleanupAll);

let server: TestServer;
let issuer: FixtureIssuer;
let app: ResolveApp;

before(async () => {
  ({ server, issuer, app } = await startResolveWorld({ algs: ['RS256', 'ES256'] }, { audience: AUDIENCE, group_claim: 'https://alter.dev/groups', role_claim: 'realm_access.roles' }));
});

const now = (): number => Math.floor(Date.now() / 1000);
const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function mint(claims: Record<string, unknown>, opts?: Parameters<FixtureIssuer['mint']>[1]): Promise<string> {
  return issuer.mint({ aud: AUDIENCE, ...claims }, opts);
}

async function expectReason(token: string, reason: string, target: ResolveApp = app): Promise<void> {
  const res = await target.resolve({ token });
  assert.equal(res.status, 401, `${reason}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.error.code, 'invalid_token');
  assert.equal(res.body.error.reason, reason, JSON.stringify(res.body));
  assert.equal(typeof res.body.error.message, 'string');
}

async function userRow(externalId: string): Promise<any> {
  return server.server.store.db.selectFrom('users').selectAll().where('external_id', '=', externalId).executeTakeFirst();
}

test('the first resolve creates the user, answers the contract shape and locks the claim mappings', async () => {
  const token = await mint({ sub: 'alice', email: 'alice@example.com', name: 'Alice', 'https://alter.dev/groups': ['eng', 'ops'], realm_access: { roles: ['admin'] } });
  const res = await app.resolve({ token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body), ['user', 'groups', 'roles', 'claims']);
  assert.deepEqual(Object.keys(res.body.user).sort(), ['email', 'external_id', 'id', 'name', 'status']);
  assert.match(res.body.user.id, /^usr_/);
  assert.equal(res.body.user.external_id, 'alice');
  assert.equal(res.body.user.email, 'alice@example.com');
  assert.equal(res.body.user.name, 'Alice');
  assert.equal(res.body.user.status, 'active');
  assert.deepEqual(res.body.groups, ['eng', 'ops']);
  assert.deepEqual(res.body.roles, ['admin']);
  assert.equal(res.body.claims.sub, 'alice');
  assert.equal(res.body.claims.aud, AUDIENCE);

  const audit = await server.server.store.db.selectFrom('audit_events').selectAll().where('action', '=', 'user.create').where('target', '=', res.body.user.id).execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.app_id, app.appId);
  assert.doesNotMatch(audit[0]!.details ?? '', /eyJ/, 'no token in the audit log');

  const shown = await server.api('GET', `/v1/apps/${app.appId}/identity-providers/current`);
  assert.equal(shown.body.claim_mappings_locked, true);
  const update = await server.api('PATCH', `/v1/apps/${app.appId}/identity-providers/${app.providerId}`, { group_claim: 'groups' });
  assert.equal(update.status, 409);
  assert.equal(update.body.error.code, 'locked');
});

test('later tokens update what changed and sync groups; identical ones write nothing', async () => {
  const first = await app.resolve({ token: await mint({ sub: 'bob', email: 'bob@old.example', 'https://alter.dev/groups': ['a', 'b'], realm_access: { roles: ['r1'] } }) });
  assert.equal(first.status, 200);
  const before = await userRow('bob');

  const second = await app.resolve({ token: await mint({ sub: 'bob', email: 'bob@new.example', name: 'Bob', 'https://alter.dev/groups': 'b c', realm_access: { roles: [] } }) });
  assert.equal(second.status, 200, JSON.stringify(second.body));
  assert.equal(second.body.user.id, first.body.user.id);
  assert.equal(second.body.user.email, 'bob@new.example');
  assert.equal(second.body.user.name, 'Bob');
  assert.deepEqual(second.body.groups, ['b', 'c']);
  assert.deepEqual(second.body.roles, []);
  const after = await userRow('bob');
  assert.notEqual(after.updated_at, before.updated_at);
  assert.equal(after.email, 'bob@new.example');

  await new Promise((r) => setTimeout(r, 5));
  const third = await app.resolve({ token: await mint({ sub: 'bob', email: 'bob@new.example', name: 'Bob', 'https://alter.dev/groups': ['c', 'b'], realm_access: { roles: [] }, jti: 'another' }) });
  assert.equal(third.status, 200);
  assert.deepEqual(third.body.groups, ['b', 'c']);
  assert.equal((await userRow('bob')).updated_at, after.updated_at, 'nothing changed: no write');

  const memberships = await server.server.store.db
    .selectFrom('memberships')
    .innerJoin('groups', 'groups.id', 'memberships.group_id')
    .select(['groups.kind', 'groups.name'])
    .where('memberships.user_id', '=', after.id)
    .orderBy('groups.name')
    .execute();
  assert.deepEqual(memberships, [{ kind: 'group', name: 'b' }, { kind: 'group', name: 'c' }]);
  const creations = await server.server.store.db.selectFrom('audit_events').select('id').where('action', '=', 'user.create').where('target', '=', after.id).execute();
  assert.equal(creations.length, 1, 'one creation audited, updates are not creations');
});

test('group and role claims of the wrong type are ignored, never a 500', async () => {
  const res = await app.resolve({ token: await mint({ sub: 'carol', 'https://alter.dev/groups': { not: 'a list' }, realm_access: { roles: 7 } }) });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.groups, []);
  assert.deepEqual(res.body.roles, []);
  const odd = await app.resolve({ token: await mint({ sub: 'carol', email: 42, name: ['x'] }) });
  assert.equal(odd.status, 200);
  assert.equal(odd.body.user.email, null);
});

test('a repeated token is answered again (from the cache) with the same body', async () => {
  const token = await mint({ sub: 'dave', 'https://alter.dev/groups': ['g'] });
  const a = await app.resolve({ token });
  const b = await app.resolve({ token });
  assert.equal(a.status, 200);
  assert.deepEqual(b.body, a.body);
});

test('bad tokens: each gets the contract reason and a 401', async () => {
  const good = await mint({ sub: 'eve' });
  const [h, p, s] = good.split('.') as [string, string, string];
  const claims = { iss: issuer.issuer, sub: 'eve', aud: AUDIENCE, iat: now(), exp: now() + 600 };
  await expectReason('', 'malformed');
  await expectReason('not-a-jwt', 'malformed');
  await expectReason(`${h}.${p}`, 'malformed');
  await expectReason(`${h}.${p}.${s}.x`, 'malformed');
  await expectReason(`${h}.${p}!.${s}`, 'malformed');
  await expectReason(`${b64('[1]')}.${p}.${s}`, 'malformed');
  await expectReason(`${h}.${b64('42')}.${s}`, 'malformed');
  await expectReason(`${b64({ alg: 'none' })}.${b64(claims)}.`, 'algorithm_not_allowed');
  const jwks = (await (await fetch(issuer.jwksUri)).json()) as { keys: Array<Record<string, unknown>> };
  const rsa = jwks.keys.find((k) => k.kty === 'RSA')!;
  const hsHeader = b64({ alg: 'HS256', kid: rsa.kid });
  const hsSig = createHmac('sha256', JSON.stringify(rsa)).update(`${hsHeader}.${b64(claims)}`).digest('base64url');
  await expectReason(`${hsHeader}.${b64(claims)}.${hsSig}`, 'algorithm_not_allowed');
  const ecKid = jwks.keys.find((k) => k.kty === 'EC')!.kid as string;
  await expectReason(await mint({ sub: 'eve' }, { alg: 'RS256', kid: ecKid }), 'algorithm_not_allowed');
  await expectReason(await mint({ sub: 'eve' }, { kid: 'made-up-kid' }), 'unknown_key');
  await expectReason(await mint({ sub: 'eve', exp: now() - 3600 }), 'expired');
  await expectReason(await mint({ sub: 'eve', nbf: now() + 3600 }), 'not_yet_valid');
  await expectReason(await mint({ sub: 'eve', iat: now() + 86400 }), 'not_yet_valid');
  await expectReason(await mint({ sub: 'eve', iss: `${issuer.issuer}/` }), 'issuer_mismatch');
  await expectReason(await mint({ sub: 'eve', iss: issuer.issuer.replace('127.0.0.1', 'localhost') }), 'issuer_mismatch');
  await expectReason(await mint({ sub: 'eve', aud: 'https://other.example.com' }), 'audience_mismatch');
  await expectReason(await mint({ sub: 'eve', aud: ['x', 'y'] }), 'audience_mismatch');
  await expectReason(await mint({ sub: 12 }), 'missing_claim');
  await expectReason(await mint({ sub: undefined }), 'missing_claim');
  await expectReason(await mint({ sub: 'eve', exp: 'tomorrow' }), 'malformed');
  await expectReason(`${h}.${b64({ ...claims, sub: 'mallory' })}.${s}`, 'bad_signature');
  assert.equal(await userRow('eve'), undefined, 'no refused token created a user');
  assert.equal(await userRow('mallory'), undefined);
});

test('a token of another configured app’s issuer is an issuer mismatch, and costs that issuer no fetch', async () => {
  const other = await startFixtureIssuer();
  const otherApp = await createResolveApp(server, { issuer_url: other.issuer });
  const foreign = await other.mint({ sub: 'frank' });
  const fetchesBefore = issuer.jwksFetches;
  await expectReason(foreign, 'issuer_mismatch');
  assert.equal(issuer.jwksFetches, fetchesBefore);
  const ok = await otherApp.resolve({ token: foreign });
  assert.equal(ok.status, 200);
  // The same token with the first app's key is judged against the first app's provider.
  await expectReason(foreign, 'issuer_mismatch', app);
});

test('an app without an identity provider answers no_identity_provider', async () => {
  const bare = await createResolveApp(server);
  await expectReason(await mint({ sub: 'gina' }), 'no_identity_provider', bare);
});

test('runtime key: missing, unknown, a PAT, revoked → 401 unauthorized without reading the body', async () => {
  const token = await mint({ sub: 'hank' });
  const huge = 'x'.repeat(2 * 1024 * 1024);
  for (const key of [null, 'alter_key_unknown', server.adminToken]) {
    const res = await resolveCall(server.url, key, { token });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'unauthorized');
    // An oversized body would be 413 if it were read: the key is checked first.
    const big = await resolveCall(server.url, key, huge, { raw: true });
    assert.equal(big.status, 401);
  }
  const second = await createResolveApp(server, { issuer_url: issuer.issuer, audience: AUDIENCE });
  assert.equal((await second.resolve({ token })).status, 200);
  const revoke = await server.api('POST', `/v1/apps/${second.appId}/keys/${second.keyId}/revoke`);
  assert.equal(revoke.status, 200);
  const after = await second.resolve({ token });
  assert.equal(after.status, 401, 'a revoked key stops working at once, cached or not');
  assert.equal(after.body.error.code, 'unauthorized');
});

test('bodies: over 64 KiB is 413; not JSON, not an object or a non-string token is 400', async () => {
  const big = await app.resolve({ token: 'a'.repeat(65 * 1024) });
  assert.equal(big.status, 413);
  const oneMb = await app.resolve({ token: 'a'.repeat(1_000_000) });
  assert.equal(oneMb.status, 413);
  for (const [body, raw] of [['{not json', true], ['[]', true], ['"token"', true], ['', true], [{ token: 5 }, false], [{ token: null }, false], [{}, false]] as const) {
    const res = await app.resolve(body, { raw });
    assert.equal(res.status, 400, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, 'invalid_request');
  }
  // Whatever the content type says, a JSON body is read as JSON.
  const plain = await app.resolve(JSON.stringify({ token: await mint({ sub: 'ivy' }) }), { raw: true, contentType: 'text/plain' });
  assert.equal(plain.status, 200);
});

test('NUL characters, which PostgreSQL cannot store: in the user id the token is malformed; in groups, email or name they are ignored (never a 500)', async () => {
  await expectReason(await mint({ sub: 'nul\u0000user' }), 'malformed');
  const res = await app.resolve({ token: await mint({ sub: 'nul-free', email: 'a\u0000@example.com', name: 'N\u0000', 'https://alter.dev/groups': ['ok', 'bad\u0000'] }) });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.groups, ['ok']);
  assert.equal(res.body.user.email, null);
});
