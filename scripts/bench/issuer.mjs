// The benchmark's identity provider: a loopback HTTP server with a discovery document and a JWKS
// (counting JWKS fetches), and token minting on node:crypto, spread over worker threads since
// RSA signing is what makes preparing tens of thousands of distinct tokens slow.
import { createServer } from 'node:http';
import { generateKeyPairSync, createPrivateKey, sign } from 'node:crypto';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function mintWith(key, claims) {
  const input = `${b64({ alg: key.alg, kid: key.kid, typ: 'JWT' })}.${b64(claims)}`;
  const privateKey = typeof key.privateKey === 'string' ? createPrivateKey(key.privateKey) : key.privateKey;
  const options = key.alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey;
  return `${input}.${sign('sha256', Buffer.from(input), options).toString('base64url')}`;
}

function newKey(alg, kid) {
  const { privateKey, publicKey } = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { alg, kid, privateKey, pem: privateKey.export({ format: 'pem', type: 'pkcs8' }), jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

export async function startIssuer() {
  const keys = [newKey('RS256', 'rs-1'), newKey('ES256', 'es-1')];
  const state = { jwksFetches: 0 };
  let origin = '';
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      return res.end(JSON.stringify({ issuer: origin, jwks_uri: `${origin}/jwks`, authorization_endpoint: `${origin}/authorize`, token_endpoint: `${origin}/token`, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256', 'ES256'] }));
    }
    if (req.url === '/jwks') {
      state.jwksFetches++;
      return res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
  return {
    issuer: origin,
    get jwksFetches() {
      return state.jwksFetches;
    },
    key: (alg) => keys.find((k) => k.alg === alg),
    /** A new key with a new kid, published next to the old ones (as providers do during rotation). */
    addKey(alg, kid) {
      const key = newKey(alg, kid);
      keys.push(key);
      return key;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

/** `count` distinct tokens signed by `key`, `claimsOf(i)` giving each one's claims; on all cores. */
export async function mintMany(key, count, claimsOf) {
  const threads = Math.max(1, availableParallelism());
  const per = Math.ceil(count / threads);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const from = t * per;
      const to = Math.min(count, from + per);
      const claims = [];
      for (let i = from; i < to; i++) claims.push(claimsOf(i));
      return new Promise((resolve, reject) => {
        const w = new Worker(new URL(import.meta.url), { workerData: { key: { alg: key.alg, kid: key.kid, privateKey: key.pem }, claims } });
        w.once('message', resolve);
        w.once('error', reject);
      });
    }),
  );
  return parts.flat();
}

if (!isMainThread) {
  parentPort.postMessage(workerData.claims.map((c) => mintWith(workerData.key, c)));
}
