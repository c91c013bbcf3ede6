// `test-token` and `discover --sample-token`: every check resolution makes, run to the end and
// reported one by one with a precise detail, so an operator sees at once why a token would be
// refused (and everything else that would also be wrong). Runs the same check functions as
// verifyJwt; nothing is written, no user is created, nothing is locked.
import { claimList, readClaim, stringClaim } from './claims.js';
import {
  checkAlgorithm,
  checkAudience,
  checkExpiry,
  checkIssuedAt,
  checkIssuer,
  checkNotBefore,
  checkSignature,
  isFailure,
  parseJwt,
  quote,
  selectKey,
  userIdOf,
  type KeySource,
  type ParsedJwt,
  type TokenFailure,
  type TokenFailureReason,
  type VerifyPolicy,
} from './verify.js';
import type { AlgorithmSpec } from './verify/algorithms.js';
import type { VerifyKey } from './verify/keys.js';
import type { ClaimMappings } from './identity.js';

export interface TokenCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface TokenReport {
  valid: boolean;
  /** The reason resolve would answer with (the first failing check's); null when valid. */
  reason: TokenFailureReason | 'deprovisioned' | null;
  checks: TokenCheck[];
  identity: { user_id: string | null; email: string | null; name: string | null; groups: string[]; roles: string[] };
}

/** The user's standing in the store, when a saved provider is tested (read-only). */
export type UserStanding = (externalId: string) => Promise<{ status: string } | undefined>;

export const CHECK_NAMES = ['format', 'algorithm', 'issuer', 'key', 'signature', 'expiry', 'not_before', 'issued_at', 'audience', 'user_id_claim'] as const;

function at(seconds: number): string {
  const d = new Date(seconds * 1000);
  // A finite time past year ±275760 (exp 1e300 verifies) has no ISO form: toISOString would throw.
  return Number.isNaN(d.getTime()) ? String(seconds) : d.toISOString();
}

class Report {
  readonly checks: TokenCheck[] = [];
  reason: TokenReport['reason'] = null;

  pass(name: string, detail: string): void {
    this.checks.push({ name, ok: true, detail });
  }

  fail(name: string, failure: { reason: NonNullable<TokenReport['reason']>; detail: string }): void {
    this.checks.push({ name, ok: false, detail: failure.detail });
    this.reason ??= failure.reason;
  }

  /** A check that could not run because an earlier one failed; it counts as not passed. */
  skip(name: string, because: string): void {
    this.checks.push({ name, ok: false, detail: `not checked: ${because}` });
  }
}

async function keyFor(jwt: ParsedJwt, alg: string, spec: AlgorithmSpec, policy: VerifyPolicy, keys: KeySource): Promise<VerifyKey | TokenFailure> {
  let key = selectKey(jwt, alg, spec, policy, await keys.current());
  if (isFailure(key) && key.reason === 'unknown_key' && jwt.kid !== undefined) {
    const fresh = await keys.refetchForUnknownKid();
    if (fresh) key = selectKey(jwt, alg, spec, policy, fresh);
  }
  return key;
}

function describeList(claim: string | null, claims: Record<string, unknown>, what: string): { names: string[]; detail: string } {
  if (!claim) return { names: [], detail: `no ${what} claim is mapped` };
  const value = readClaim(claims, claim);
  const notes: string[] = [];
  const names = claimList(claims, claim, (message) => notes.push(message));
  if (value === undefined) return { names, detail: `claim ${JSON.stringify(claim)} is absent: no ${what}s` };
  return { names, detail: `${JSON.stringify(names)} from claim ${JSON.stringify(claim)}${notes.length ? ` (${notes.join('; ')})` : ''}` };
}

/** Runs every check of resolution on `token` and reports each; `standing` adds the user-status check. */
export async function checkToken(
  token: string,
  policy: VerifyPolicy,
  mappings: ClaimMappings,
  keys: KeySource,
  standing?: UserStanding,
  now = Date.now() / 1000,
): Promise<TokenReport> {
  const r = new Report();
  const identity: TokenReport['identity'] = { user_id: null, email: null, name: null, groups: [], roles: [] };
  const jwt = parseJwt(token);
  if (isFailure(jwt)) {
    r.fail('format', jwt);
    for (const name of CHECK_NAMES.slice(1)) r.skip(name, 'the token could not be parsed');
    return { valid: false, reason: r.reason, checks: r.checks, identity };
  }
  r.pass('format', `a JWT with header ${quote(jwt.header)}`);

  const spec = checkAlgorithm(jwt);
  if (isFailure(spec)) r.fail('algorithm', spec);
  else r.pass('algorithm', `alg ${String(jwt.alg)}`);

  const iss = checkIssuer(jwt, policy);
  if (iss) r.fail('issuer', iss);
  else r.pass('issuer', `iss is ${JSON.stringify(policy.issuer)}`);

  if (isFailure(spec)) {
    r.skip('key', 'the algorithm is not accepted');
    r.skip('signature', 'the algorithm is not accepted');
  } else if (iss) {
    // As in resolve: a token of another issuer never makes us fetch or search this issuer's keys.
    r.skip('key', "keys are looked up only in the provider's own issuer");
    r.skip('signature', 'no key of this issuer applies');
  } else {
    const key = await keyFor(jwt, jwt.alg as string, spec, policy, keys);
    if (isFailure(key)) {
      r.fail('key', key);
      r.skip('signature', 'no key to check it with');
    } else {
      r.pass('key', key.kid === undefined ? `the only ${key.kty} key of the JWKS` : `kid ${JSON.stringify(key.kid)} (${key.kty}${key.crv ? ` ${key.crv}` : ''}) from the issuer's JWKS`);
      const sig = checkSignature(jwt, spec, key);
      if (sig) r.fail('signature', sig);
      else r.pass('signature', 'verifies');
    }
  }

  const exp = checkExpiry(jwt, policy, now);
  if (isFailure(exp)) r.fail('expiry', exp);
  else r.pass('expiry', `exp is ${at(exp)}, in ${Math.round(exp - now)} s`);

  const nbf = checkNotBefore(jwt, policy, now);
  if (nbf) r.fail('not_before', nbf);
  else r.pass('not_before', typeof jwt.payload.nbf === 'number' ? `nbf is ${at(jwt.payload.nbf)}` : 'no nbf');

  const iat = checkIssuedAt(jwt, policy, now);
  if (isFailure(iat)) r.fail('issued_at', iat);
  else r.pass('issued_at', iat === null ? 'no iat' : `iat is ${at(iat)}`);

  const aud = checkAudience(jwt, policy);
  if (aud) r.fail('audience', aud);
  else r.pass('audience', policy.audience === null ? `no audience configured: aud (${quote(jwt.payload.aud ?? null)}) is not checked` : `aud includes ${JSON.stringify(policy.audience)}`);

  const userId = userIdOf(jwt, policy);
  if (isFailure(userId)) {
    r.fail('user_id_claim', userId);
  } else {
    r.pass('user_id_claim', `${policy.userIdClaim} is ${JSON.stringify(userId)}`);
    identity.user_id = userId;
  }

  const groups = describeList(mappings.group_claim, jwt.payload, 'group');
  const roles = describeList(mappings.role_claim, jwt.payload, 'role');
  r.pass('groups', groups.detail);
  r.pass('roles', roles.detail);
  Object.assign(identity, { email: stringClaim(jwt.payload, 'email'), name: stringClaim(jwt.payload, 'name'), groups: groups.names, roles: roles.names });

  if (standing && identity.user_id !== null) {
    const user = await standing(identity.user_id);
    if (user && user.status !== 'active') r.fail('user_status', { reason: 'deprovisioned', detail: `the user is ${user.status}: resolve refuses them whatever the token says` });
    else r.pass('user_status', user ? 'the user is active' : 'a new user: the first resolve will create them');
  }
  return { valid: r.reason === null && r.checks.every((c) => c.ok), reason: r.reason, checks: r.checks, identity };
}
