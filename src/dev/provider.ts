// A real OpenID Provider on loopback for development, demos and tests, built on oidc-provider:
// authorization code flow with PKCE (S256, required for every client), client_secret_basic and
// client_secret_post, RP-initiated logout honouring post_logout_redirect_uris, and oidc-provider's
// development login form (the login name is the user's `sub`, any password is accepted).
//
// Claims: scope `email` → email, email_verified; scope `profile` → name, groups, roles; scope
// `groups` → groups, roles (for clients that want the memberships without the profile). ID tokens
// carry the claims of the granted scopes. Consent is implied: the login form is the only page a
// user sees before being sent back, as with a first-party application at a hosted provider.
//
// Keys: one RS256 and one ES256 key, generated at start. `rotateKeys()` replaces both: the JWKS
// then serves only the new kids, so a verifier holding the old ones must refetch (that is what a
// rotation test wants to exercise). Access tokens minted by `mintAccessToken` are RS256 JWTs.
//
// oidc-provider fixes its keys and static clients when it is constructed, so a rotation or a new
// client builds a fresh Provider behind the same HTTP server. Sessions, grants and interactions
// live in one memory store and one set of cookie keys kept across rebuilds, so a sign-in in
// progress survives either.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { AlterError } from '../errors.js';
import { generateSigningKeys, type SigningKey } from './keys.js';
import { assertListenHost, urlHost } from './loopback.js';
import { loadOidcProvider } from './oidc-provider-module.js';
import { handleAdmin, type AdminActions } from './admin.js';
import type { AccountLike, Configuration, GrantLike, OidcContext } from 'oidc-provider';

export interface DevUser {
  sub: string;
  email?: string;
  name?: string;
  groups?: string[];
  roles?: string[];
}

export interface DevClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
}

export interface DevProvider {
  issuer: string;
  jwksUri: string;
  /** An RS256 JWT for the user, signed with the provider's current key; carries their groups and roles. */
  mintAccessToken(sub: string, opts?: { audience?: string; expiresInSeconds?: number; claims?: Record<string, unknown> }): Promise<string>;
  /** New signing keys (new kids); the old ones leave the JWKS at once. */
  rotateKeys(): Promise<void>;
  addClient(client: DevClient): void;
  close(): Promise<void>;
}

export interface DevProviderOptions {
  host?: string;
  port?: number;
  users: DevUser[];
  clients?: DevClient[];
  allowNonLoopback?: boolean;
  /** Serves the admin routes of admin.ts (minting, rotation) to loopback callers holding this secret. */
  adminSecret?: string;
}

const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600;
const SCOPE_CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'groups', 'roles'],
  groups: ['groups', 'roles'],
};

/** The user's claims as tokens carry them: absent fields are left out, lists default to empty. */
function userClaims(user: DevUser): Record<string, unknown> {
  return {
    sub: user.sub,
    ...(user.email !== undefined ? { email: user.email, email_verified: true } : {}),
    ...(user.name !== undefined ? { name: user.name } : {}),
    groups: user.groups ?? [],
    roles: user.roles ?? [],
  };
}

function clientMetadata(client: DevClient): Record<string, unknown> {
  return {
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // oidc-provider accepts client_secret_post as well for a client registered with _basic.
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new AlterError('usage', `the dev provider cannot listen on ${host}:${port}: ${err.code ?? err.message}`)),
    );
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startDevProvider(opts: DevProviderOptions): Promise<DevProvider> {
  const host = opts.host ?? '127.0.0.1';
  assertListenHost(host, opts.allowNonLoopback ?? false);
  const users = new Map(opts.users.map((u) => [u.sub, u]));
  const clients = new Map((opts.clients ?? []).map((c) => [c.client_id, c]));
  const { Provider, createMemoryAdapter } = await loadOidcProvider();
  const adapter = createMemoryAdapter();
  const cookieKeys = [randomBytes(32).toString('base64url')];
  let keys: SigningKey[] = await generateSigningKeys();

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const admin: AdminActions = {
    mint: (sub, mintOpts) => devProvider.mintAccessToken(sub, mintOpts),
    async rotate() {
      await devProvider.rotateKeys();
      return keys.map((k) => k.kid);
    },
  };
  const server = createServer((req, res) => {
    void (async () => {
      if (opts.adminSecret && (await handleAdmin(req, res, opts.adminSecret, admin))) return;
      if (handler) return handler(req, res);
      res.writeHead(503).end();
    })();
  });
  const port = await listen(server, host, opts.port ?? 0);
  const issuer = `http://${urlHost(host)}:${port}`;

  const configuration = (): Configuration => ({
    adapter,
    clients: [...clients.values()].map(clientMetadata),
    jwks: { keys: keys.map((k) => k.privateJwk) },
    cookies: { keys: cookieKeys },
    claims: SCOPE_CLAIMS,
    scopes: ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS).filter((s) => s !== 'openid')],
    // Put the granted scopes' claims in the ID token itself, as hosted providers do, not only at userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    findAccount: (_ctx: unknown, sub: string): AccountLike | undefined => {
      const user = users.get(sub);
      return user && { accountId: sub, claims: () => userClaims(user) };
    },
    loadExistingGrant: async (ctx: OidcContext): Promise<GrantLike | undefined> => {
      const { client, session, result } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return current.Grant.find(grantId);
      const grant = new current.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(Object.keys(SCOPE_CLAIMS).join(' '));
      await grant.save();
      return grant;
    },
  });

  let current = new Provider(issuer, configuration());
  const rebuild = (): void => {
    current = new Provider(issuer, configuration());
    handler = current.callback();
  };
  handler = current.callback();

  const devProvider: DevProvider = {
    issuer,
    jwksUri: `${issuer}/jwks`,
    async mintAccessToken(sub, mintOpts = {}) {
      const user = users.get(sub);
      if (!user) throw new AlterError('not_found', `no dev user with sub ${sub}; known: ${[...users.keys()].join(', ') || 'none'}`);
      const key = keys[0]!;
      const ttl = mintOpts.expiresInSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
      const now = Math.floor(Date.now() / 1000);
      const payload = { ...userClaims(user), ...mintOpts.claims };
      const jwt = new SignJWT(payload)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(sub)
        .setIssuedAt(now)
        .setExpirationTime(now + ttl)
        .setJti(randomUUID());
      if (mintOpts.audience !== undefined) jwt.setAudience(mintOpts.audience);
      return jwt.sign(key.privateKey);
    },
    async rotateKeys() {
      keys = await generateSigningKeys();
      rebuild();
    },
    addClient(client) {
      clients.set(client.client_id, client);
      rebuild();
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return devProvider;
}
