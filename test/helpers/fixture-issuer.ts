// A real OpenID Connect issuer on loopback, as far as alter can see one: it serves a discovery
// document (one of test/fixtures/discovery with {{BASE}} replaced by its own origin, or a plain
// generic document), a JWKS of freshly generated keys, and a token endpoint that refuses made-up
// authorization codes the way a real provider does. Tests bend it per path with override().
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { onCleanup } from './env.js';

/** Whatever jose signs with: a CryptoKey or a node KeyObject. */
export type SigningKeyLike = Parameters<SignJWT['sign']>[0];

type Alg = 'RS256' | 'ES256' | 'PS256' | 'EdDSA';

export interface FixtureAnswer {
  status?: number;
  body?: string;
  contentType?: string;
  delayMs?: number;
  headers?: Record<string, string>;
}

export interface TokenRequest {
  authorization: string | null;
  contentType: string | null;
  form: Record<string, string>;
}

export interface FixtureIssuer {
  issuer: string;
  origin: string;
  jwksUri: string;
  /** The parsed discovery document as served (before any override). */
  document: Record<string, unknown>;
  /** How many times the JWKS was served. */
  jwksFetches: number;
  /** Every request made to the token endpoint, in order. */
  tokenRequests: TokenRequest[];
  mint(claims: Record<string, unknown>, opts?: { kid?: string; alg?: string; header?: Record<string, unknown>; key?: SigningKeyLike }): Promise<string>;
  rotate(): Promise<void>;
  override(path: string, answer: FixtureAnswer | null): void;
  close(): Promise<void>;
}

interface SigningKey {
  kid: string;
  alg: Alg;
  privateKey: SigningKeyLike;
  jwk: JWK;
}

const FIXTURES = fileURLToPath(new URL('../fixtures/discovery/', import.meta.url));
let kidCounter = 0;

async function makeKeys(algs: Alg[]): Promise<SigningKey[]> {
  return Promise.all(
    algs.map(async (alg) => {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
      const kid = `fixture-${alg.toLowerCase()}-${++kidCounter}-${Date.now().toString(36)}`;
      const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
      return { kid, alg, privateKey, jwk };
    }),
  );
}

function genericDocument(base: string, algs: Alg[]): Record<string, unknown> {
  return {
    issuer: base,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    userinfo_endpoint: `${base}/userinfo`,
    jwks_uri: `${base}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: algs,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: ['openid', 'profile', 'email'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'email', 'name'],
    code_challenge_methods_supported: ['S256'],
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => resolve(body));
  });
}

export async function startFixtureIssuer(opts: { template?: string; issuerPath?: string; algs?: Alg[]; host?: string } = {}): Promise<FixtureIssuer> {
  const algs = opts.algs ?? ['RS256'];
  const host = opts.host ?? '127.0.0.1';
  let keys = await makeKeys(algs);
  const overrides = new Map<string, FixtureAnswer>();
  const sockets = new Set<Socket>();
  let documentText = '';
  let discoveryPath = '';
  let jwksPath = '';
  let tokenPath = '';

  const state = {
    jwksFetches: 0,
    tokenRequests: [] as TokenRequest[],
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const body = await readBody(req);
      const answer = overrides.get(path);
      if (path === jwksPath) state.jwksFetches++;
      if (path === tokenPath && req.method === 'POST') {
        state.tokenRequests.push({
          authorization: req.headers.authorization ?? null,
          contentType: req.headers['content-type'] ?? null,
          form: Object.fromEntries(new URLSearchParams(body)),
        });
      }
      if (answer?.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      if (answer) {
        res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json', ...answer.headers });
        res.end(answer.body ?? '');
        return;
      }
      const json = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(typeof value === 'string' ? value : JSON.stringify(value));
      };
      if (path === discoveryPath) return json(200, documentText);
      if (path === jwksPath) return json(200, { keys: keys.map((k) => k.jwk) });
      // A real provider refuses a made-up authorization code this way (RFC 6749 §5.2).
      if (path === tokenPath && req.method === 'POST') return json(400, { error: 'invalid_grant', error_description: 'Invalid authorization code' });
      json(404, { error: 'not_found' });
    })();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  const base = `${origin}${opts.issuerPath ?? ''}`;

  const document: Record<string, unknown> = opts.template
    ? (JSON.parse(readFileSync(FIXTURES + opts.template, 'utf8').replaceAll('{{BASE}}', base)) as Record<string, unknown>)
    : genericDocument(base, algs);
  documentText = JSON.stringify(document, null, 2);
  const issuer = String(document.issuer);
  discoveryPath = `${new URL(issuer).pathname.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const jwksUri = String(document.jwks_uri);
  jwksPath = new URL(jwksUri).pathname;
  tokenPath = new URL(String(document.token_endpoint)).pathname;

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  onCleanup(close);

  return {
    issuer,
    origin,
    jwksUri,
    document,
    get jwksFetches() {
      return state.jwksFetches;
    },
    get tokenRequests() {
      return state.tokenRequests;
    },
    async mint(claims, mintOpts = {}) {
      const signer = (mintOpts.alg && keys.find((k) => k.alg === mintOpts.alg)) || keys[0]!;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, iat: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: mintOpts.alg ?? signer.alg, kid: mintOpts.kid ?? signer.kid, typ: 'JWT', ...mintOpts.header })
        .sign(mintOpts.key ?? signer.privateKey);
    },
    async rotate() {
      keys = await makeKeys(algs);
    },
    override(path, answer) {
      if (answer) overrides.set(path, answer);
      else overrides.delete(path);
    },
    close,
  };
}
