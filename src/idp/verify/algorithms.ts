// The JWS algorithms alter accepts for end users' tokens: asymmetric only, each pinned to the key
// type (and curve) it needs. `none` and the HMAC family are absent on purpose: with a public JWKS,
// an HS256 "signature" keyed with the public key is something anyone can make.
import { constants } from 'node:crypto';

export type KeyType = 'RSA' | 'EC' | 'OKP';

export interface AlgorithmSpec {
  kty: KeyType;
  /** Digest for crypto.verify; null for EdDSA, which hashes internally. */
  hash: string | null;
  /** Curves the key must be on (EC, OKP); undefined for RSA. */
  curves?: readonly string[];
  /** RSASSA-PSS with the salt as long as the digest (RFC 7518 §3.5). */
  pssSaltLength?: number;
}

export const ALGORITHMS: Readonly<Record<string, AlgorithmSpec>> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pssSaltLength: 32 },
  PS384: { kty: 'RSA', hash: 'sha384', pssSaltLength: 48 },
  PS512: { kty: 'RSA', hash: 'sha512', pssSaltLength: 64 },
  ES256: { kty: 'EC', hash: 'sha256', curves: ['P-256'] },
  ES384: { kty: 'EC', hash: 'sha384', curves: ['P-384'] },
  ES512: { kty: 'EC', hash: 'sha512', curves: ['P-521'] },
  EdDSA: { kty: 'OKP', hash: null, curves: ['Ed25519', 'Ed448'] },
};

export function algorithmSpec(alg: string): AlgorithmSpec | undefined {
  return Object.hasOwn(ALGORITHMS, alg) ? ALGORITHMS[alg] : undefined;
}

/** The asymmetric algorithms among `values` (a discovery document's list); others are dropped. */
export function asymmetricOnly(values: unknown): string[] {
  if (!Array.isArray(values)) return [];
  return values.filter((v): v is string => typeof v === 'string' && algorithmSpec(v) !== undefined);
}

/** Options for crypto.verify with a key of this algorithm. */
export function verifyOptions(spec: AlgorithmSpec): { padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' } {
  if (spec.pssSaltLength !== undefined) return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: spec.pssSaltLength };
  // JWS carries ECDSA signatures as raw r‖s, not DER.
  if (spec.kty === 'EC') return { dsaEncoding: 'ieee-p1363' };
  return {};
}
