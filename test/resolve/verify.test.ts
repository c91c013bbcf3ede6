// The verifier on its own: every bad token of issue 4 gets the contract's reason, valid tokens of
// every accepted algorithm pass, and an oversized token is refused before any decoding work.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, exportJWK } from 'jose';
import { verifyJwt, type KeySource, type VerifyPolicy } from '../../src/idp/verify.js';
import { parseJwks, type KeySet } from '../../src/idp/verify/keys.js';
import { cleanupAll } from '../helpers/env.js';

after(cleanupAll);

const ISSUER = 'https://issuer.example.com/';
const now = Math.floor(Date.now() / 1000);

type Alg = 'RS256' | 'RS512' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA';
interface TestKey {
  kid: string;
  alg: Alg;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

function nodeKeyPair(alg: Alg): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg.startsWith('RS') || alg.startsWith('PS')) return generateKeyPairSync('rsa', { modulusLength: 2048 });
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'ES384') return generateKeyPairSync('ec', { namedCurve: 'P-384' });
  return generateKeyPairSync('ed25519');
}

// KeyObjects, unlike WebCrypto keys, are not bound to one algorithm: tests can misuse them on purpose.
async function makeKey(alg: Alg, kid = `kid-${alg}`, jwkAlg: string | null = alg): Promise<TestKey> {
  const { privateKey, publicKey } = nodeKeyPair(alg);
  const jwk: Record<string, unknown> = { ...(await exportJWK(publicKey)), kid, use: 'sig' };
  if (jwkAlg) jwk.alg = jwkAlg;
  return { kid, alg, privateKey, jwk };
}

const keys = {
  rs256: await makeKey('RS256'),
  rs512: await makeKey('RS512'),
  ps256: await makeKey('PS256'),
  es256: await makeKey('ES256'),
  es384: await makeKey('ES384'),
  ed: await makeKey('EdDSA'),
  // Without "alg" in the JWK: only the key type (and the provider's list) pin the algorithm.
  rsaNoAlg: await makeKey('RS256', 'rsa-no-alg', null),
};

function source(list: TestKey[], refetched?: TestKey[]): KeySource & { refetches: number } {
  const set = (l: TestKey[]): KeySet => parseJwks({ keys: l.map((k) => k.jwk) }).set;
  let current = set(list);
  return {
    refetches: 0,
    current: () => current,
    refetchForUnknownKid() {
      this.refetches++;
      if (!refetched) return Promise.resolve(null);
      current = set(refetched);
      return Promise.resolve(current);
    },
  };
}

const policy: VerifyPolicy = { issuer: ISSUER, audience: null, userIdClaim: 'sub', leewaySeconds: 60, advertisedAlgorithms: null };
const allKeys = source(Object.values(keys));

async function mint(key: TestKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ iss: ISSUER, sub: 'user-1', iat: now, exp: now + 600, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey);
}

const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

async function reason(token: string, p: Partial<VerifyPolicy> = {}, ks: KeySource = allKeys): Promise<string> {
  const r = await verifyJwt(token, { ...policy, ...p }, ks);
  return r.ok ? 'ok' : r.reason;
}

test('valid tokens of every accepted algorithm verify and return their claims', async () => {
  for (const key of Object.values(keys)) {
    const r = await verifyJwt(await mint(key, { email: 'a@example.com' }), policy, allKeys);
    assert.ok(r.ok, `${key.kid}: ${JSON.stringify(r)}`);
    assert.equal(r.userId, 'user-1');
    assert.equal(r.claims.email, 'a@example.com');
    assert.equal(r.exp, now + 600);
    assert.equal(r.iat, now);
  }
});

test('structurally broken tokens are malformed', async () => {
  const good = await mint(keys.rs256);
  const [h, p, s] = good.split('.') as [string, string, string];
  assert.equal(await reason(''), 'malformed');
  assert.equal(await reason('abc'), 'malformed');
  assert.equal(await reason(`${h}.${p}`), 'malformed');
  assert.equal(await reason(`${h}.${p}.${s}.${s}`), 'malformed');
  assert.equal(await reason(`.${p}.${s}`), 'malformed');
  assert.equal(await reason(`${h}..${s}`), 'malformed');
  assert.equal(await reason(`${h}.${p}*.${s}`), 'malformed', 'character outside base64url');
  assert.equal(await reason(`${h}=.${p}.${s}`), 'malformed', 'padding');
  assert.equal(await reason(`${b64('not json')}.${p}.${s}`), 'malformed');
  assert.equal(await reason(`${b64([1, 2])}.${p}.${s}`), 'malformed', 'header is JSON but not an object');
  assert.equal(await reason(`${h}.${b64('"a string"')}.${s}`), 'malformed', 'payload is JSON but not an object');
  assert.equal(await reason(`${h}.${b64('null')}.${s}`), 'malformed');
  assert.equal(await reason(`${b64({ alg: 'RS256', kid: 5 })}.${p}.${s}`), 'malformed', 'kid of the wrong type');
  assert.equal(await reason(`${b64({ kid: keys.rs256.kid })}.${p}.${s}`), 'malformed', 'no alg');
  assert.equal(await reason(`${b64({ alg: 'RS256', kid: keys.rs256.kid, crit: ['exp'] })}.${p}.${s}`), 'malformed', 'crit');
});

test('a 1 MB token is malformed at once, without decoding it', async () => {
  const huge = `${b64({ alg: 'RS256' })}.${'A'.repeat(1_000_000)}.${'B'.repeat(342)}`;
  const started = performance.now();
  const r = await verifyJwt(huge, policy, allKeys);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'malformed');
  assert.match(!r.ok ? r.detail : '', /limit/);
  assert.ok(performance.now() - started < 20, 'refused without heavy work');
});

test('alg none and HMAC algorithms are never accepted', async () => {
  const payload = b64({ iss: ISSUER, sub: 'user-1', exp: now + 600 });
  assert.equal(await reason(`${b64({ alg: 'none' })}.${payload}.`), 'algorithm_not_allowed');
  assert.equal(await reason(`${b64({ alg: 'None', kid: keys.rs256.kid })}.${payload}.`), 'algorithm_not_allowed');
  // The classic confusion attack: HS256 keyed with the issuer's public key, which anyone has.
  const publicPem = keys.rsaNoAlg.jwk;
  for (const secret of [JSON.stringify(publicPem), String(publicPem.n)]) {
    const header = b64({ alg: 'HS256', kid: keys.rsaNoAlg.kid });
    const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
    assert.equal(await reason(`${header}.${payload}.${sig}`), 'algorithm_not_allowed');
  }
  assert.equal(await reason(`${b64({ alg: 'HS512' })}.${payload}.abc`), 'algorithm_not_allowed');
  assert.equal(await reason(`${b64({ alg: 'RSA-OAEP' })}.${payload}.abc`), 'algorithm_not_allowed');
});

test('unknown kid: one refetch, then unknown_key; a kid found by the refetch is accepted', async () => {
  const rotated = await makeKey('RS256', 'rotated-in');
  const stale = source([keys.rs256]);
  assert.equal(await reason(await mint(rotated), {}, stale), 'unknown_key');
  assert.equal(stale.refetches, 1);
  const fresh = source([keys.rs256], [rotated]);
  assert.equal(await reason(await mint(rotated), {}, fresh), 'ok');
  assert.equal(fresh.refetches, 1);
});

test('without a kid: the only fitting key is used; several candidates are unknown_key', async () => {
  const token = await mint(keys.rs256, {}, { kid: undefined });
  assert.equal(await reason(token, {}, source([keys.rs256, keys.es256])), 'ok', 'one RSA key among others');
  const second = await makeKey('RS256', 'second-rsa');
  const s = source([keys.rs256, second]);
  assert.equal(await reason(token, {}, s), 'unknown_key');
  assert.equal(s.refetches, 0, 'no refetch without a kid');
});

test('a key of the wrong type for the alg is algorithm_not_allowed', async () => {
  // Signed with the RSA key, but the header names the EC key's kid.
  assert.equal(await reason(await mint(keys.rs256, {}, { kid: keys.es256.kid })), 'algorithm_not_allowed');
  // ES384 header on a P-256 key: wrong curve.
  assert.equal(await reason(await mint(keys.es384, {}, { kid: keys.es256.kid })), 'algorithm_not_allowed');
  // The JWK says RS256; a PS256 token with that key is refused even though it is an RSA key.
  const ps = { ...keys.ps256, privateKey: keys.rs256.privateKey, kid: keys.rs256.kid };
  assert.equal(await reason(await mint(ps)), 'algorithm_not_allowed');
});

test('a key without alg accepts only algorithms the provider advertises', async () => {
  const ps = { ...keys.rsaNoAlg, alg: 'PS256' as const };
  assert.equal(await reason(await mint(ps)), 'ok', 'nothing advertised: the key type decides');
  assert.equal(await reason(await mint(ps), { advertisedAlgorithms: new Set(['RS256']) }), 'algorithm_not_allowed');
  assert.equal(await reason(await mint(keys.rsaNoAlg), { advertisedAlgorithms: new Set(['RS256']) }), 'ok');
});

test('a signature that does not verify is bad_signature', async () => {
  const good = await mint(keys.rs256);
  const [h, , s] = good.split('.') as [string, string, string];
  const forged = b64({ iss: ISSUER, sub: 'admin', iat: now, exp: now + 600 });
  assert.equal(await reason(`${h}.${forged}.${s}`), 'bad_signature');
  assert.equal(await reason(`${h}.${forged}.`), 'bad_signature', 'empty signature');
  const es = (await mint(keys.es256)).split('.') as [string, string, string];
  assert.equal(await reason(`${es[0]}.${es[1]}.${es[2].slice(0, 20)}`), 'bad_signature', 'ECDSA signature of the wrong length');
  // Signed by a key that is not the issuer's, under the issuer's kid.
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  assert.equal(await reason(await mint({ ...keys.rs256, privateKey: other })), 'bad_signature');
});

test('exp, nbf and iat are checked with the leeway', async () => {
  assert.equal(await reason(await mint(keys.es256, { exp: now - 61 })), 'expired');
  assert.equal(await reason(await mint(keys.es256, { exp: now - 30 })), 'ok', 'within the leeway');
  assert.equal(await reason(await mint(keys.es256, { exp: now - 30 }), { leewaySeconds: 0 }), 'expired');
  assert.equal(await reason(await mint(keys.es256, { nbf: now + 120 })), 'not_yet_valid');
  assert.equal(await reason(await mint(keys.es256, { nbf: now + 30 })), 'ok');
  assert.equal(await reason(await mint(keys.es256, { iat: now + 3600 * 24 })), 'not_yet_valid', 'iat far in the future');
  assert.equal(await reason(await mint(keys.es256, { exp: undefined })), 'missing_claim');
});

test('registered claims of the wrong type are refused, never thrown', async () => {
  assert.equal(await reason(await mint(keys.es256, { exp: String(now + 600) })), 'malformed');
  assert.equal(await reason(await mint(keys.es256, { nbf: 'soon' })), 'malformed');
  assert.equal(await reason(await mint(keys.es256, { iat: [now] })), 'malformed');
  assert.equal(await reason(await mint(keys.es256, { iss: 42 })), 'issuer_mismatch');
  assert.equal(await reason(await mint(keys.es256, { aud: 42 }), { audience: 'api' }), 'audience_mismatch');
  assert.equal(await reason(await mint(keys.es256, { sub: 12345 })), 'missing_claim');
  assert.equal(await reason(await mint(keys.es256, { sub: '' })), 'missing_claim');
  assert.equal(await reason(await mint(keys.es256, { sub: { id: 'x' } })), 'missing_claim');
  assert.equal(await reason(await mint(keys.es256, { sub: undefined })), 'missing_claim');
});

test('the issuer is compared exactly, trailing slash included', async () => {
  for (const iss of ['https://issuer.example.com', 'https://issuer.example.com//', 'https://ISSUER.example.com/', 'https://other.example.com/', 'http://issuer.example.com/']) {
    assert.equal(await reason(await mint(keys.rs256, { iss })), 'issuer_mismatch', iss);
  }
  assert.equal(await reason(await mint(keys.rs256, { iss: undefined })), 'issuer_mismatch');
});

test('a token of another issuer is refused before any key lookup', async () => {
  const s = source([keys.rs256]);
  const foreign = await makeKey('RS256', 'foreign-kid');
  assert.equal(await reason(await mint(foreign, { iss: 'https://other.example.com/' }), {}, s), 'issuer_mismatch');
  assert.equal(s.refetches, 0);
});

test('aud is enforced when configured: a string or any element of an array', async () => {
  const p = { audience: 'https://api.example.com' };
  assert.equal(await reason(await mint(keys.rs256, { aud: 'https://api.example.com' }), p), 'ok');
  assert.equal(await reason(await mint(keys.rs256, { aud: ['x', 'https://api.example.com'] }), p), 'ok');
  assert.equal(await reason(await mint(keys.rs256, { aud: ['x'] }), p), 'audience_mismatch');
  assert.equal(await reason(await mint(keys.rs256, { aud: 'https://api.example.com/' }), p), 'audience_mismatch');
  assert.equal(await reason(await mint(keys.rs256), p), 'audience_mismatch', 'aud missing');
  assert.equal(await reason(await mint(keys.rs256, { aud: 'anything' })), 'ok', 'no audience configured');
  const r = await verifyJwt(await mint(keys.rs256, { aud: ['x'] }), { ...policy, ...p }, allKeys);
  assert.equal(!r.ok && r.detail, 'aud is ["x"]; expected "https://api.example.com"');
});

test('the user-id claim may be a path', async () => {
  const r = await verifyJwt(await mint(keys.rs256, { ext: { uid: 'okta-00u1' } }), { ...policy, userIdClaim: 'ext.uid' }, allKeys);
  assert.ok(r.ok);
  assert.equal(r.userId, 'okta-00u1');
});

test('JWKS parsing skips keys that cannot verify', () => {
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
  const { set, skipped } = parseJwks({
    keys: [keys.rs256.jwk, { ...weak, kid: 'weak' }, { kty: 'oct', k: 'c2VjcmV0', kid: 'sym' }, { ...keys.es256.jwk, use: 'enc' }, { kty: 'RSA', n: 'garbage', e: 'AQAB' }, 'nope'],
  });
  assert.deepEqual(set.keys.map((k) => k.kid), [keys.rs256.kid]);
  assert.equal(skipped.length, 5);
  assert.equal(parseJwks({ nokeys: true }).set.keys.length, 0);
  assert.equal(parseJwks('garbage').set.keys.length, 0);
});
