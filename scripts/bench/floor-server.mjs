#!/usr/bin/env node
// The floor of the write benchmarks: what answering a resolve costs when nothing but the signature
// check is done. Plain node:http, the same request body ({"token": …}), the key imported once into
// a KeyObject, the claims parsed and `sub` answered. No framework, no store, no cache.
// Usage: floor-server.mjs JWK_JSON — prints "listening PORT".
import { createServer } from 'node:http';
import { createPublicKey, verify } from 'node:crypto';

const jwk = JSON.parse(process.argv[2]);
const key = createPublicKey({ key: jwk, format: 'jwk' });
const options = jwk.kty === 'EC' ? { key, dsaEncoding: 'ieee-p1363' } : key;

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const { token } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const dot = token.lastIndexOf('.');
    const ok = verify('sha256', Buffer.from(token.slice(0, dot)), options, Buffer.from(token.slice(dot + 1), 'base64url'));
    const claims = JSON.parse(Buffer.from(token.slice(token.indexOf('.') + 1, dot), 'base64url').toString('utf8'));
    res.statusCode = ok ? 200 : 401;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(ok ? { user: { external_id: claims.sub } } : { error: 'invalid_token' }));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
