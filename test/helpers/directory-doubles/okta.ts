// The Okta Management API as a directory source sees it: `Authorization: SSWS token`, or an API
// service app's client-credentials token (POST /oauth2/v1/token with a private_key_jwt client
// assertion, verified here with the app's public key: iss = sub = client_id, aud = the token URL,
// a fresh jti, granted scopes) used as `Bearer`; lists paged by `Link: <…>; rel="next"` (after=
// cursor); the users list without DEPROVISIONED users, who are found by `search=status eq "…"`;
// the BUILT_IN Everyone group; Okta's {errorCode, errorSummary} bodies; 429s with X-Rate-Limit-*.
import { decodeJwt, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose';
import { DirectoryDouble, intParam, json, keysetPage, opaque, seqId, type Answer, type DoubleRequest } from './server.js';

export type OktaStatus = 'STAGED' | 'PROVISIONED' | 'ACTIVE' | 'RECOVERY' | 'PASSWORD_EXPIRED' | 'LOCKED_OUT' | 'SUSPENDED' | 'DEPROVISIONED';

export interface OktaUser {
  id: string;
  status: OktaStatus;
  created: string;
  lastUpdated: string;
  type: { id: string };
  profile: { login: string; email: string; firstName: string | null; lastName: string | null; secondEmail: string | null; mobilePhone: string | null };
}

export interface OktaGroup {
  id: string;
  type: 'OKTA_GROUP' | 'BUILT_IN';
  profile: { name: string; description: string | null };
  /** Ignored for BUILT_IN (Everyone), whose members are every user but the deprovisioned. */
  members: Set<string>;
}

export interface OktaDoubleOptions {
  users?: number;
  groups?: number;
  /** Serve the BUILT_IN Everyone group (default true), as every Okta org does. */
  everyone?: boolean;
}

interface ServiceApp {
  alg: 'RS256' | 'ES256';
  publicKey: CryptoKey;
  scopes: string[];
}

const USER_LIMIT = 200;
const GROUP_LIMIT = 10_000;
const MEMBER_LIMIT = 1_000;
const TOKEN_TTL = 3600;
const ALL_SCOPES = ['okta.users.read', 'okta.groups.read'];
const ERROR_CODES: Record<number, string> = { 400: 'E0000001', 401: 'E0000011', 403: 'E0000006', 404: 'E0000007', 429: 'E0000047', 500: 'E0000009', 503: 'E0000010' };
const EPOCH = Date.parse('2020-09-01T00:00:00.000Z');
// Deterministic statuses spread over the seeded users.
const SEEDED_STATUS: Record<number, OktaStatus> = { 3: 'SUSPENDED', 7: 'LOCKED_OUT', 11: 'DEPROVISIONED', 15: 'PASSWORD_EXPIRED', 17: 'STAGED', 19: 'RECOVERY' };

export class OktaDouble extends DirectoryDouble {
  /** Change it to make the next request fail as a revoked token would. */
  apiToken = `00${opaque('').slice(0, 40)}`;
  readonly users: OktaUser[] = [];
  readonly groups: OktaGroup[] = [];
  private readonly apps = new Map<string, ServiceApp>();
  private readonly tokens = new Map<string, { scopes: string[]; expiresAt: number }>();
  private readonly usedJtis = new Set<string>();
  private seq = 0;

  static async start(opts: OktaDoubleOptions = {}): Promise<OktaDouble> {
    const double = new OktaDouble();
    double.seed(opts.users ?? 10, opts.groups ?? 3, opts.everyone ?? true);
    await double.listen();
    return double;
  }

  get sswsCredentials(): { api_token: string; api_url: string } {
    return { api_token: this.apiToken, api_url: this.origin };
  }

  provider(groupClaim: string | null = 'groups'): { provider_type: 'okta'; issuer: string; group_claim: string | null; role_claim: string | null } {
    return { provider_type: 'okta', issuer: 'https://acme.okta.com/oauth2/default', group_claim: groupClaim, role_claim: null };
  }

  /** Registers an API service app with a fresh key pair; its credentials carry the private JWK. */
  async serviceApp(opts: { alg?: 'RS256' | 'ES256'; scopes?: string[] } = {}): Promise<{ client_id: string; private_key_jwk: JWK; api_url: string }> {
    const alg = opts.alg ?? 'RS256';
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const clientId = `0oa${opaque('').slice(0, 17)}`;
    this.apps.set(clientId, { alg, publicKey, scopes: opts.scopes ?? ALL_SCOPES });
    return { client_id: clientId, private_key_jwk: { ...(await exportJWK(privateKey)), kid: opaque('k').slice(0, 12), use: 'sig' }, api_url: this.origin };
  }

  private seed(users: number, groups: number, everyone: boolean): void {
    if (everyone) this.groups.push({ id: seqId('00g', 0, 20), type: 'BUILT_IN', profile: { name: 'Everyone', description: 'All users in your organization' }, members: new Set() });
    for (let g = 0; g < groups; g++) this.addGroup(`Engineering ${g}`);
    const own = this.groups.filter((g) => g.type === 'OKTA_GROUP');
    for (let k = 0; k < users; k++) {
      const u = this.addUser({ status: SEEDED_STATUS[k % 20] ?? 'ACTIVE', created: new Date(EPOCH + k * 3_600_000).toISOString() });
      if (own.length && k % 2 === 0) own[k % own.length]!.members.add(u.id);
      if (own.length > 1 && k % 3 === 0) own[(k + 1) % own.length]!.members.add(u.id);
    }
  }

  addUser(fields: Partial<Omit<OktaUser, 'profile'>> & { profile?: Partial<OktaUser['profile']> } = {}): OktaUser {
    const n = ++this.seq;
    const now = new Date().toISOString();
    const { profile, ...rest } = fields;
    const user: OktaUser = {
      id: seqId('00u', n, 20),
      status: 'ACTIVE',
      created: now,
      lastUpdated: now,
      type: { id: 'oty1abcdefghijklmn0h7' },
      ...rest,
      profile: { login: `user${n}@example.com`, email: `user${n}@example.com`, firstName: `Given${n}`, lastName: n % 5 === 0 ? null : `Family${n}`, secondEmail: null, mobilePhone: null, ...profile },
    };
    this.users.push(user);
    return user;
  }

  updateUser(id: string, fields: Partial<Omit<OktaUser, 'profile'>> & { profile?: Partial<OktaUser['profile']> }): OktaUser {
    const user = this.users.find((u) => u.id === id);
    if (!user) throw new Error(`no user ${id}`);
    const { profile, ...rest } = fields;
    Object.assign(user, rest, { lastUpdated: new Date().toISOString() });
    Object.assign(user.profile, profile);
    return user;
  }

  /** Deleting a (deprovisioned) user at Okta removes them from every group. */
  removeUser(id: string): void {
    const i = this.users.findIndex((u) => u.id === id);
    if (i >= 0) this.users.splice(i, 1);
    for (const g of this.groups) g.members.delete(id);
  }

  addGroup(name: string): OktaGroup {
    const group: OktaGroup = { id: seqId('00g', this.groups.length + 1, 20), type: 'OKTA_GROUP', profile: { name, description: null }, members: new Set() };
    this.groups.push(group);
    return group;
  }

  /** Every access token issued so far answers 401 from now on. */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  protected error(status: number, message: string): Answer {
    const code = ERROR_CODES[status] ?? 'E0000009';
    return json(status, { errorCode: code, errorSummary: message, errorLink: code, errorId: `oae${opaque('').slice(0, 19)}`, errorCauses: [] });
  }

  protected rateLimited(resetAtMs: number): Answer {
    return {
      ...this.error(429, 'API call exceeded rate limit due to too many requests.'),
      headers: { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(resetAtMs / 1000) },
    };
  }

  protected async route(req: DoubleRequest): Promise<Answer> {
    if (req.path === '/oauth2/v1/token' && req.method === 'POST') return this.token(req);
    const scopes = this.authenticate(req.headers.authorization ?? '');
    if (!scopes) return this.error(401, 'Invalid token provided');
    if (req.method !== 'GET') return this.error(405, 'The endpoint does not support the provided HTTP method');
    const need = req.path.startsWith('/api/v1/groups') ? 'okta.groups.read' : 'okta.users.read';
    if (!scopes.includes(need)) return this.error(403, 'You do not have permission to perform the requested action');
    if (req.path === '/api/v1/users') return this.listUsers(req);
    if (req.path === '/api/v1/groups') return this.linked(req, this.groups, GROUP_LIMIT, (g) => ({ id: g.id, created: new Date(EPOCH).toISOString(), objectClass: ['okta:user_group'], type: g.type, profile: g.profile }));
    const m = /^\/api\/v1\/groups\/([^/]+)\/users$/.exec(req.path);
    if (m) {
      const group = this.groups.find((g) => g.id === decodeURIComponent(m[1]!));
      if (!group) return this.error(404, `Not found: Resource not found: ${m[1]} (UserGroup)`);
      const members = group.type === 'BUILT_IN' ? this.users.filter((u) => u.status !== 'DEPROVISIONED') : this.users.filter((u) => group.members.has(u.id));
      return this.linked(req, members, MEMBER_LIMIT, (u) => u);
    }
    return this.error(404, `Not found: Resource not found: ${req.path} (GET)`);
  }

  /** The scopes the Authorization header carries (all of them for an API token), or null. */
  private authenticate(authorization: string): string[] | null {
    if (authorization === `SSWS ${this.apiToken}`) return ALL_SCOPES;
    const bearer = /^Bearer (.+)$/.exec(authorization);
    const token = bearer ? this.tokens.get(bearer[1]!) : undefined;
    return token && token.expiresAt > Date.now() ? token.scopes : null;
  }

  private async token(req: DoubleRequest): Promise<Answer> {
    const invalidClient = (description: string): Answer => json(401, { error: 'invalid_client', error_description: description });
    if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) return json(400, { error: 'invalid_request', error_description: 'The request must be form-encoded.' });
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported by the authorization server.' });
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return invalidClient('client_assertion_type is missing or invalid.');
    const assertion = form.get('client_assertion') ?? '';
    let iss: string | undefined;
    try {
      iss = decodeJwt(assertion).iss;
    } catch {
      return invalidClient('The client_assertion is not a valid JWT.');
    }
    const app = iss ? this.apps.get(iss) : undefined;
    if (!app || !iss) return invalidClient("Invalid value for 'client_id' parameter.");
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(assertion, app.publicKey, { issuer: iss, subject: iss, audience: `${this.origin}/oauth2/v1/token`, algorithms: [app.alg] }));
    } catch {
      return invalidClient('The client_assertion signature is invalid.');
    }
    const { jti, iat, exp } = claims;
    if (typeof jti !== 'string' || !jti) return invalidClient("The client_assertion token must contain a 'jti' claim.");
    if (this.usedJtis.has(jti)) return invalidClient('The client_assertion token has already been used.');
    if (typeof exp !== 'number' || typeof iat !== 'number' || exp - iat > 3600) return invalidClient('The client_assertion token has an expiration too far into the future.');
    this.usedJtis.add(jti);
    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const denied = requested.filter((s) => !app.scopes.includes(s));
    if (!requested.length || denied.length) return json(400, { error: 'invalid_scope', error_description: `The following scopes were requested, but not granted: ${denied.join(' ') || '(none requested)'}` });
    const token = opaque('eyJraWQ.');
    this.tokens.set(token, { scopes: requested, expiresAt: Date.now() + TOKEN_TTL * 1000 });
    return json(200, { token_type: 'Bearer', expires_in: TOKEN_TTL, access_token: token, scope: requested.join(' ') });
  }

  private listUsers(req: DoubleRequest): Answer {
    const search = req.query.get('search');
    if (search === null) return this.linked(req, this.users.filter((u) => u.status !== 'DEPROVISIONED'), USER_LIMIT, (u) => u);
    // This double understands the one search a source sends: status eq "…".
    const m = /^status eq "([A-Z_]+)"$/.exec(search);
    if (!m) return this.error(400, 'Invalid search criteria.');
    return this.linked(req, this.users.filter((u) => u.status === m[1]), USER_LIMIT, (u) => u);
  }

  /** One page after the `after` cursor, with Link headers to itself and (when more follow) the next page. */
  private linked<T extends { id: string }>(req: DoubleRequest, items: T[], maxLimit: number, shape: (item: T) => unknown): Answer {
    const limit = Math.min(intParam(req.query, 'limit', maxLimit), maxLimit);
    if (Number.isNaN(limit) || limit < 1) return this.error(400, 'Api validation failed: limit');
    const { page, more } = keysetPage(items, (i) => i.id, req.query.get('after'), limit);
    const link = (params: URLSearchParams): string => `${this.origin}${req.path}?${params.toString()}`;
    const links = [`<${link(req.query)}>; rel="self"`];
    if (more) {
      const next = new URLSearchParams(req.query);
      next.set('after', page[page.length - 1]!.id);
      links.push(`<${link(next)}>; rel="next"`);
    }
    return json(200, page.map(shape), { link: links });
  }
}
