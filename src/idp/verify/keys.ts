// Public keys of an issuer, imported once from its JWKS into KeyObjects. Importing is the costly
// part (parsing a JWK, building the key): doing it per request halves throughput, so a key set is
// built once per fetch and every verification reuses its KeyObjects.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { quote } from '../verify.js';
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

/** Members of private keys only (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2). */
export const PRIVATE_MEMBERS: readonly string[] = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

/** RFC 7517 §4.3: key_ops is an array of distinct strings; any other shape allows nothing. */
function allowsVerify(ops: unknown): boolean {
  return ops === undefined || (Array.isArray(ops) && ops.includes('verify') && ops.every((op) => typeof op === 'string') && new Set(ops).size === ops.length);
}

function importJwk(jwk: Record<string, unknown>): VerifyKey | string {
  const kty = jwk.kty;
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') return `kty ${quote(kty)} is not a signing key type`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return `use is ${quote(jwk.use)}`;
  if (!allowsVerify(jwk.key_ops)) return 'key_ops does not allow verify';
  // An alg that is not a name would otherwise read as no alg: the key would verify every algorithm of its type.
  if (jwk.alg !== undefined && typeof jwk.alg !== 'string') return 'alg is not a string';
  // WebCrypto's member (registered with the IANA): jose ignores a key whose ext is not a boolean, as must we to agree.
  if (jwk.ext !== undefined && typeof jwk.ext !== 'boolean') return 'ext is not a boolean';
  // A private key in a JWKS is everyone's: a signature made with it proves nothing (jose refuses it too).
  if (PRIVATE_MEMBERS.some((m) => jwk[m] !== undefined)) return 'holds private key material, so anyone who fetched the JWKS can sign with it';
  // Only the members that make the public key: nothing else of the JWK reaches createPublicKey.
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
