import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSealer } from '../../src/crypto/sealed.js';
import { newSecret, safeEqual, sha256Hex, PAT_PREFIX } from '../../src/crypto/tokens.js';

test('sealed secrets open only with the same key and the same row id', () => {
  const key = randomBytes(32);
  const sealer = createSealer(key);
  const sealed = sealer.seal('whsec_topsecret', 'idp_1');
  assert.ok(!sealed.includes('topsecret'));
  assert.equal(sealer.open(sealed, 'idp_1'), 'whsec_topsecret');
  assert.throws(() => sealer.open(sealed, 'idp_2'), /could not be decrypted/);
  assert.throws(() => createSealer(randomBytes(32)).open(sealed, 'idp_1'), /could not be decrypted/);
});

test('every seal uses a fresh nonce', () => {
  const sealer = createSealer(randomBytes(32));
  assert.notEqual(sealer.seal('x', 'r'), sealer.seal('x', 'r'));
});

test('a tampered ciphertext is refused', () => {
  const sealer = createSealer(randomBytes(32));
  const sealed = sealer.seal('secret', 'r');
  const [v, body] = sealed.split('.');
  const raw = Buffer.from(body!, 'base64url');
  raw[14] = raw[14]! ^ 1;
  assert.throws(() => sealer.open(`${v}.${raw.toString('base64url')}`, 'r'));
});

test('tokens are 32 random bytes behind their prefix; hashes are SHA-256', () => {
  const t = newSecret(PAT_PREFIX);
  assert.match(t, /^alter_pat_[A-Za-z0-9_-]{43}$/);
  assert.notEqual(t, newSecret(PAT_PREFIX));
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('safeEqual compares exactly', () => {
  assert.ok(safeEqual('abc', 'abc'));
  assert.ok(!safeEqual('abc', 'abd'));
  assert.ok(!safeEqual('abc', 'abcd'));
  assert.ok(!safeEqual('', 'a'));
});
