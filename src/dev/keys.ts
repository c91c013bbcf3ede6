// Signing keys of the dev provider: one RSA (RS256) and one P-256 (ES256) key, fresh at every start
// and every rotation, each with a random kid so a rotation is visible to verifiers by kid alone.
import { generateKeyPair as generateKeyPairCb, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPair = promisify(generateKeyPairCb);

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyObject;
  /** The private JWK, as oidc-provider's `jwks` configuration wants it. */
  privateJwk: Record<string, unknown>;
}

async function rsaKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  return withJwk(privateKey, 'RS256');
}

async function ecKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('ec', { namedCurve: 'P-256' });
  return withJwk(privateKey, 'ES256');
}

function withJwk(privateKey: KeyObject, alg: SigningKey['alg']): SigningKey {
  const kid = `dev-${alg.toLowerCase()}-${randomBytes(6).toString('hex')}`;
  return { kid, alg, privateKey, privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

/** A new key set; the RS256 key comes first, so it is the one access tokens are signed with. */
export async function generateSigningKeys(): Promise<SigningKey[]> {
  return Promise.all([rsaKey(), ecKey()]);
}
