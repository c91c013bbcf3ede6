// Bearer credentials: personal access tokens (alter_pat_…) and runtime keys (alter_key_…).
// They are random, shown once, and stored only as SHA-256 hashes: a leaked database grants nothing.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomHex } from './random-hex.js';

export const PAT_PREFIX = 'alter_pat_';
export const KEY_PREFIX = 'alter_key_';
export const SCIM_TOKEN_PREFIX = 'alter_scim_';

/** 32 random bytes, URL-safe, behind a prefix that secret scanners can match. */
export function newSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string | Buffer): string {
  // One-shot hashing: runtime keys are hashed on every resolve call, and this skips a Hash object.
  return hash('sha256', value, 'hex');
}

/** Constant-time equality of two strings (lengths may differ: compared as fixed-size digests). */
export function safeEqual(a: string, b: string): boolean {
  const da = hash('sha256', a, 'buffer');
  const db = hash('sha256', b, 'buffer');
  return timingSafeEqual(da, db) && a.length === b.length;
}

/** Short random identifiers for rows: `app_…`, `tok_…`; not secrets. */
export function newId(prefix: string): string {
  return `${prefix}_${randomHex(10)}`;
}
