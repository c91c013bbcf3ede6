// Verification of end users' JWTs against an identity provider: the hot path of resolution.
// Built on node:crypto with KeyObjects imported once per key (see verify/keys.ts): measured here,
// jose's jwtVerify ran at ≈0.25 of bare crypto.verify and this verifier at ≈0.9 (README, "Speed").
// Each check is a small exported function so that `test-token` (token-checks.ts) can run all of
// them and report each one, while `verifyJwt` stops at the first failure.
import { verify as cryptoVerify } from 'node:crypto';
import type { ProviderRow } from '../store/repos/identity-providers.js';
import { readClaim, type Claims } from './claims.js';
import { algorithmSpec, asymmetricOnly, verifyOptions, type AlgorithmSpec } from './verify/algorithms.js';
import type { KeySet, VerifyKey } from './verify/keys.js';

export type TokenFailureReason =
  | 'malformed'
  | 'bad_signature'
  | 'unknown_key'
  | 'algorithm_not_allowed'
  | 'expired'
  | 'not_yet_valid'
  | 'issuer_mismatch'
  | 'audience_mismatch'
  | 'missing_claim';

export interface TokenFailure {
  ok: false;
  reason: TokenFailureReason;
  /** Precise and safe to show the app's operators: never contains key material or the token. */
  detail: string;
}

export interface VerifiedToken {
  ok: true;
  claims: Claims;
  /** The value of the provider's user-id claim. */
  userId: string;
  /** Seconds since the epoch. */
  exp: number;
  iat: number | null;
}

export interface VerifyPolicy {
  issuer: string;
  audience: string | null;
  userIdClaim: string;
  leewaySeconds: number;
  /** Asymmetric algorithms the provider advertises; null when its document names none. */
  advertisedAlgorithms: ReadonlySet<string> | null;
}

export interface ParsedJwt {
  header: Record<string, unknown>;
  payload: Claims;
  alg: unknown;
  kid: string | undefined;
  /** `header.payload` exactly as received: what the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/** Where a verification gets its keys (the JWKS cache; a fixed set for discover --sample-token). */
export interface KeySource {
  /** The current key set; waits only when none has been fetched yet. */
  current(): KeySet | Promise<KeySet>;
  /** One refetch for an unknown kid (single-flight, then a cooldown); null when refused. */
  refetchForUnknownKid(): Promise<KeySet | null>;
}

/**
 * Far beyond any real JWT (the largest, with hundreds of groups, are tens of KiB), and checked
 * before any decoding so an oversized token costs nothing.
 */
export const MAX_TOKEN_LENGTH = 64 * 1024;

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function fail(reason: TokenFailureReason, detail: string): TokenFailure {
  return { ok: false, reason, detail };
}

export function isFailure(value: unknown): value is TokenFailure {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

export function policyFor(row: Pick<ProviderRow, 'issuer' | 'audience' | 'user_id_claim' | 'clock_leeway_seconds' | 'discovery'>): VerifyPolicy {
  let advertised: string[] = [];
  try {
    advertised = asymmetricOnly((JSON.parse(row.discovery) as { id_token_signing_alg_values_supported?: unknown }).id_token_signing_alg_values_supported);
  } catch {
    // A stored document that no longer parses advertises nothing: the key types still pin algorithms.
  }
  return {
    issuer: row.issuer,
    audience: row.audience,
    userIdClaim: row.user_id_claim,
    leewaySeconds: row.clock_leeway_seconds,
    advertisedAlgorithms: advertised.length ? new Set(advertised) : null,
  };
}

// Strict, as jose decodes: Buffer's decoder turns invalid bytes into U+FFFD, so a token holding
// them verified here and nowhere else. A leading BOM is kept, for JSON.parse to refuse (RFC 8259 §8.1).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Far deeper than any real claim. JSON.stringify recurses: the thousands of levels a token can hold throw a RangeError. */
const MAX_QUOTED_DEPTH = 64;

function nestedBeyond(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth === limit) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** A claim as JSON for a failure's detail; a hostile one nested too deeply is described instead. */
export function quote(value: unknown): string {
  return nestedBeyond(value, MAX_QUOTED_DEPTH) ? `a value nested more than ${MAX_QUOTED_DEPTH} levels deep` : JSON.stringify(value);
}

function decodeJsonObject(part: string, what: string): Record<string, unknown> | TokenFailure {
  let text: string;
  try {
    text = UTF8.decode(Buffer.from(part, 'base64url'));
  } catch {
    return fail('malformed', `the ${what} is not valid UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('malformed', `the ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('malformed', `the ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Splits and decodes a compact JWS; every structural problem is `malformed`. */
export function parseJwt(token: string): ParsedJwt | TokenFailure {
  if (token.length === 0) return fail('malformed', 'the token is empty');
  if (token.length > MAX_TOKEN_LENGTH) return fail('malformed', `the token is ${token.length} characters long; the limit is ${MAX_TOKEN_LENGTH}`);
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  if (first === -1 || last === first || token.indexOf('.', first + 1) !== last) {
    return fail('malformed', `a JWT has three parts separated by dots; this token has ${token.split('.').length}`);
  }
  if (first === 0) return fail('malformed', 'the header part is empty');
  const h = token.slice(0, first);
  const p = token.slice(first + 1, last);
  const s = token.slice(last + 1);
  if (!p) return fail('malformed', 'the payload part is empty');
  if (!BASE64URL.test(h) || !BASE64URL.test(p) || !BASE64URL.test(s)) return fail('malformed', 'the token contains characters outside base64url');
  // No base64url text is 4n+1 characters long: Buffer's decoder drops the last one, so such a token
  // verified with any character appended to a signature of 4n characters (ES384, ES512).
  if (h.length % 4 === 1 || p.length % 4 === 1 || s.length % 4 === 1) return fail('malformed', 'a part of the token is not base64url: its length is 4n+1');
  const header = decodeJsonObject(h, 'header');
  if (isFailure(header)) return header;
  const payload = decodeJsonObject(p, 'payload');
  if (isFailure(payload)) return payload;
  if (header.kid !== undefined && typeof header.kid !== 'string') return fail('malformed', 'the header\'s kid is not a string');
  return { header, payload, alg: header.alg, kid: header.kid, signingInput: token.slice(0, last), signature: Buffer.from(s, 'base64url') };
}

/** The algorithm must be an asymmetric one alter knows; `none` and HS* never pass. */
export function checkAlgorithm(jwt: ParsedJwt): AlgorithmSpec | TokenFailure {
  const { alg } = jwt;
  if (typeof alg !== 'string') return fail('malformed', 'the header has no alg');
  if (jwt.header.crit !== undefined) return fail('malformed', 'the header declares critical extensions (crit), which alter does not support');
  if (alg.toLowerCase() === 'none') return fail('algorithm_not_allowed', 'alg is "none": unsigned tokens are never accepted');
  const spec = algorithmSpec(alg);
  if (spec) return spec;
  if (/^HS\d+$/.test(alg)) return fail('algorithm_not_allowed', `alg is "${alg}": symmetric algorithms are not accepted; only RS*, PS*, ES* and EdDSA`);
  return fail('algorithm_not_allowed', `alg is ${JSON.stringify(alg)}; accepted: RS*, PS*, ES* and EdDSA`);
}

export function checkIssuer(jwt: ParsedJwt, policy: VerifyPolicy): TokenFailure | null {
  const iss = jwt.payload.iss;
  if (iss === policy.issuer) return null;
  if (iss === undefined) return fail('issuer_mismatch', `iss is missing; expected ${JSON.stringify(policy.issuer)}`);
  return fail('issuer_mismatch', `iss is ${quote(iss)}; expected ${JSON.stringify(policy.issuer)}`);
}

function describeKey(key: VerifyKey): string {
  return key.kid === undefined ? `the ${key.kty} key` : `key ${JSON.stringify(key.kid)} (${key.kty}${key.crv ? ` ${key.crv}` : ''})`;
}

/** Why `key` may not verify `alg`, or null when it may: the key type pins the algorithm family. */
function keyMisfit(key: VerifyKey, alg: string, spec: AlgorithmSpec, policy: VerifyPolicy): string | null {
  if (key.kty !== spec.kty) return `${describeKey(key)} cannot verify ${alg}, which needs a ${spec.kty} key`;
  if (spec.curves && !spec.curves.includes(key.crv ?? '')) return `${describeKey(key)} is not on the curve ${alg} needs (${spec.curves.join(' or ')})`;
  if (key.alg !== undefined) return key.alg === alg ? null : `${describeKey(key)} is for ${key.alg} only; the token says ${alg}`;
  if (policy.advertisedAlgorithms && !policy.advertisedAlgorithms.has(alg)) {
    return `${alg} is not among the algorithms the provider advertises (${[...policy.advertisedAlgorithms].join(', ')})`;
  }
  return null;
}

/**
 * The key that signed the token, looked up only in its issuer's set: by kid, or — without a kid —
 * the only key that fits the algorithm. `unknown_key` when the kid is absent from the set (the
 * caller may refetch once), `algorithm_not_allowed` when the key exists but cannot sign this alg.
 */
export function selectKey(jwt: ParsedJwt, alg: string, spec: AlgorithmSpec, policy: VerifyPolicy, set: KeySet): VerifyKey | TokenFailure {
  if (jwt.kid !== undefined) {
    const candidates = set.byKid.get(jwt.kid);
    if (!candidates) return fail('unknown_key', `kid ${JSON.stringify(jwt.kid)} is not in the issuer's JWKS (${set.byKid.size ? `kids: ${[...set.byKid.keys()].join(', ')}` : 'no usable keys'})`);
    let misfit = '';
    for (const key of candidates) {
      const why = keyMisfit(key, alg, spec, policy);
      if (why === null) return key;
      misfit ||= why;
    }
    return fail('algorithm_not_allowed', misfit);
  }
  const fitting = set.keys.filter((k) => keyMisfit(k, alg, spec, policy) === null);
  if (fitting.length === 1) return fitting[0]!;
  if (fitting.length === 0) return fail('unknown_key', `the token has no kid and no key of the issuer's JWKS fits ${alg}`);
  return fail('unknown_key', `the token has no kid and the issuer's JWKS has ${fitting.length} keys for ${alg}: cannot tell which one signed it`);
}

export function checkSignature(jwt: ParsedJwt, spec: AlgorithmSpec, key: VerifyKey): TokenFailure | null {
  if (jwt.signature.length === 0) return fail('bad_signature', 'the signature part is empty');
  let ok = false;
  try {
    ok = cryptoVerify(spec.hash, Buffer.from(jwt.signingInput, 'latin1'), { key: key.key, ...verifyOptions(spec) }, jwt.signature);
  } catch {
    // A signature of the wrong length or encoding is simply not a valid signature.
  }
  return ok ? null : fail('bad_signature', `the signature does not verify with ${describeKey(key)}`);
}

function numericDate(payload: Claims, name: 'exp' | 'nbf' | 'iat'): number | undefined | TokenFailure {
  const v = payload[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) return fail('malformed', `${name} is ${quote(v)}; it must be a number of seconds since the epoch`);
  return v;
}

function at(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? String(seconds) : d.toISOString();
}

/** exp is required: a token without one would be valid forever, and caches key on it. */
export function checkExpiry(jwt: ParsedJwt, policy: VerifyPolicy, now: number): number | TokenFailure {
  const exp = numericDate(jwt.payload, 'exp');
  if (isFailure(exp)) return exp;
  if (exp === undefined) return fail('missing_claim', 'exp is missing; tokens without an expiry are not accepted');
  if (exp <= now - policy.leewaySeconds) return fail('expired', `exp is ${at(exp)}, ${Math.round(now - exp)} s ago (leeway ${policy.leewaySeconds} s)`);
  return exp;
}

export function checkNotBefore(jwt: ParsedJwt, policy: VerifyPolicy, now: number): TokenFailure | null {
  const nbf = numericDate(jwt.payload, 'nbf');
  if (isFailure(nbf)) return nbf;
  if (nbf !== undefined && nbf > now + policy.leewaySeconds) return fail('not_yet_valid', `nbf is ${at(nbf)}, ${Math.round(nbf - now)} s from now (leeway ${policy.leewaySeconds} s)`);
  return null;
}

/** A token "issued" in the future comes from a broken clock or a forger: refused beyond the leeway. */
export function checkIssuedAt(jwt: ParsedJwt, policy: VerifyPolicy, now: number): number | null | TokenFailure {
  const iat = numericDate(jwt.payload, 'iat');
  if (isFailure(iat)) return iat;
  if (iat === undefined) return null;
  if (iat > now + policy.leewaySeconds) return fail('not_yet_valid', `iat is ${at(iat)}, ${Math.round(iat - now)} s in the future (leeway ${policy.leewaySeconds} s)`);
  return iat;
}

/** With an audience configured, `aud` must be it or an array holding it; without one, aud is not checked. */
export function checkAudience(jwt: ParsedJwt, policy: VerifyPolicy): TokenFailure | null {
  const expected = policy.audience;
  if (expected === null) return null;
  const aud = jwt.payload.aud;
  if (aud === expected || (Array.isArray(aud) && aud.includes(expected))) return null;
  if (aud === undefined) return fail('audience_mismatch', `aud is missing; expected ${JSON.stringify(expected)}`);
  return fail('audience_mismatch', `aud is ${quote(aud)}; expected ${JSON.stringify(expected)}`);
}

export function userIdOf(jwt: ParsedJwt, policy: VerifyPolicy): string | TokenFailure {
  const value = readClaim(jwt.payload, policy.userIdClaim);
  // PostgreSQL text cannot hold NUL, and no provider issues such an id: the token is malformed.
  if (typeof value === 'string' && value.includes('\u0000')) return fail('malformed', `the user-id claim ${JSON.stringify(policy.userIdClaim)} contains a NUL character`);
  if (typeof value === 'string' && value.length > 0) return value;
  if (value === undefined) return fail('missing_claim', `the user-id claim ${JSON.stringify(policy.userIdClaim)} is missing`);
  return fail('missing_claim', `the user-id claim ${JSON.stringify(policy.userIdClaim)} is ${quote(value)}; it must be a non-empty string`);
}

/** Claims-only checks after the signature, in the order a reader expects them reported. */
function checkClaims(jwt: ParsedJwt, policy: VerifyPolicy, now: number): VerifiedToken | TokenFailure {
  const exp = checkExpiry(jwt, policy, now);
  if (isFailure(exp)) return exp;
  const nbf = checkNotBefore(jwt, policy, now);
  if (nbf) return nbf;
  const iat = checkIssuedAt(jwt, policy, now);
  if (isFailure(iat)) return iat;
  const aud = checkAudience(jwt, policy);
  if (aud) return aud;
  const userId = userIdOf(jwt, policy);
  if (isFailure(userId)) return userId;
  return { ok: true, claims: jwt.payload, userId, exp, iat };
}

/**
 * Verifies `token` for the provider described by `policy`, with keys from `keys`. Never throws for
 * anything about the token: every problem is a TokenFailure with one of the contract's reasons.
 * The issuer is compared before any key lookup so that tokens of other issuers never cause a fetch.
 */
export async function verifyJwt(token: string, policy: VerifyPolicy, keys: KeySource, now = Date.now() / 1000): Promise<VerifiedToken | TokenFailure> {
  const jwt = parseJwt(token);
  if (isFailure(jwt)) return jwt;
  const spec = checkAlgorithm(jwt);
  if (isFailure(spec)) return spec;
  const alg = jwt.alg as string;
  const iss = checkIssuer(jwt, policy);
  if (iss) return iss;
  const set = await keys.current();
  let key = selectKey(jwt, alg, spec, policy, set);
  if (isFailure(key) && key.reason === 'unknown_key' && jwt.kid !== undefined) {
    const fresh = await keys.refetchForUnknownKid();
    if (fresh) key = selectKey(jwt, alg, spec, policy, fresh);
  }
  if (isFailure(key)) return key;
  const sig = checkSignature(jwt, spec, key);
  if (sig) return sig;
  return checkClaims(jwt, policy, now);
}
