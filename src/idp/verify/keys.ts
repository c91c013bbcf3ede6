// Public keys of an issuer, imported once from its JWKS into KeyObjects. Importing is the costly
// part (parsing a JWK, building the key): doing it per request halves throughput, so a key set is
// built once per fetch and every verification reuses its KeyObjects.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { KeyType } from './algorithms.js';

export interface VerifyKey {
  kid: string | undefined;
  kty: KeyType;
  crv: string | undefined;
  /** The JWK's `alg` when it names one: the key may then sign with that algorithm only. */
  alg: string | undefined;
  key: KeyObject;
}

export interface KeySet {
  keys: readonly VerifyKey[];
  byKid: ReadonlyMap<string, readonly VerifyKey[]>;
}

/** RSA keys below 2048 bits are refused, as jose and the JWA security considerations do. */
const MIN_RSA_BITS = 2048;

function importJwk(jwk: Record<string, unknown>): VerifyKey | string {
  const kty = jwk.kty;
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') return `kty ${JSON.stringify(kty)} is not a signing key type`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return `use is ${JSON.stringify(jwk.use)}`;
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return 'key_ops does not allow verify';
  // Only the public members: a JWKS that leaks a private part must not turn us into a signer.
  const pub: Record<string, unknown> = { kty };
  for (const m of kty === 'RSA' ? ['n', 'e'] : ['crv', 'x', 'y']) if (jwk[m] !== undefined) pub[m] = jwk[m];
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pub as JsonWebKey, format: 'jwk' });
  } catch (err) {
    return `cannot be imported: ${(err as Error).message}`;
  }
  if (kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return `RSA key shorter than ${MIN_RSA_BITS} bits`;
  return {
    kid: typeof jwk.kid === 'string' ? jwk.kid : undefined,
    kty,
    crv: typeof jwk.crv === 'string' ? jwk.crv : undefined,
    alg: typeof jwk.alg === 'string' ? jwk.alg : undefined,
    key,
  };
}

/** Parses a JWKS document; keys that cannot serve for verification are skipped and described. */
export function parseJwks(doc: unknown): { set: KeySet; skipped: string[] } {
  const list = typeof doc === 'object' && doc !== null && Array.isArray((doc as { keys?: unknown }).keys) ? (doc as { keys: unknown[] }).keys : null;
  if (!list) return { set: { keys: [], byKid: new Map() }, skipped: ['the document has no "keys" array'] };
  const keys: VerifyKey[] = [];
  const skipped: string[] = [];
  for (const [i, jwk] of list.entries()) {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      skipped.push(`keys[${i}] is not an object`);
      continue;
    }
    const imported = importJwk(jwk as Record<string, unknown>);
    if (typeof imported === 'string') skipped.push(`keys[${i}] ${imported}`);
    else keys.push(imported);
  }
  const byKid = new Map<string, VerifyKey[]>();
  for (const k of keys) if (k.kid !== undefined) byKid.set(k.kid, [...(byKid.get(k.kid) ?? []), k]);
  return { set: { keys, byKid }, skipped };
}
