// The Auth0 Management API v2 as a directory source sees it: the client-credentials token endpoint
// (JSON body, audience https://DOMAIN/api/v2/, 401 access_denied for a wrong client), users paged by
// number with include_totals and the 1,000-results cap of one query (400 beyond it) and the
// `q=created_at:[FROM TO TO]` range and `sort=created_at:±1` that get around it, roles paged by
// number, role members, organizations and their members paged by checkpoint (take/from/next), and
// 429s with x-ratelimit-limit/-remaining/-reset.
import { STATUS_CODES } from 'node:http';
import { DirectoryDouble, intParam, json, keysetPage, opaque, seqId, type Answer, type DoubleRequest } from './server.js';

export interface Auth0User {
  user_id: string;
  email: string;
  email_verified: boolean;
  name: string;
  nickname: string;
  picture: string;
  blocked?: boolean;
  created_at: string;
  updated_at: string;
  identities: Array<{ connection: string; provider: string; user_id: string; isSocial: boolean }>;
  logins_count: number;
}

export interface Auth0Role {
  id: string;
  name: string;
  description: string;
  members: Set<string>;
}

export interface Auth0Organization {
  id: string;
  name: string;
  display_name: string;
  members: Set<string>;
}

export interface Auth0DoubleOptions {
  /** The tenant's domain: the issuer is https://DOMAIN/ and the token audience https://DOMAIN/api/v2/. */
  domain?: string;
  users?: number;
  roles?: number;
  organizations?: number;
  /** expires_in of issued tokens, in seconds. */
  tokenTtl?: number;
  /** Scopes granted to the client (default: all a source needs). */
  scopes?: string[];
}

const QUERY_CAP = 1000;
const RANGE = /^created_at:\[(\S+) TO (\S+)\]$/;
const DAY_MS = 86_400_000;
const EPOCH = Date.parse('2021-03-01T00:00:00.000Z');

export class Auth0Double extends DirectoryDouble {
  readonly domain: string;
  readonly clientId = opaque('').slice(0, 32);
  /** Change it to make the next token request fail as a rotated secret would. */
  clientSecret = opaque('');
  readonly users: Auth0User[] = [];
  readonly roles: Auth0Role[] = [];
  readonly organizations: Auth0Organization[] = [];
  tokensIssued = 0;

  private readonly tokens = new Map<string, { expiresAt: number }>();
  private readonly scopes: string[];
  private readonly tokenTtl: number;
  private seq = 0;

  private constructor(opts: Auth0DoubleOptions) {
    super();
    this.domain = opts.domain ?? 'acme.eu.auth0.com';
    this.tokenTtl = opts.tokenTtl ?? 86_400;
    this.scopes = opts.scopes ?? ['read:users', 'read:roles', 'read:organizations', 'read:organization_members'];
  }

  static async start(opts: Auth0DoubleOptions = {}): Promise<Auth0Double> {
    const double = new Auth0Double(opts);
    double.seed(opts.users ?? 10, opts.roles ?? 3, opts.organizations ?? 2);
    await double.listen();
    return double;
  }

  get issuer(): string {
    return `https://${this.domain}/`;
  }

  /** What an operator would paste, pointed at the double. */
  get credentials(): { client_id: string; client_secret: string; api_url: string } {
    return { client_id: this.clientId, client_secret: this.clientSecret, api_url: this.origin };
  }

  provider(groupClaim: string | null = 'org_name'): { provider_type: 'auth0'; issuer: string; group_claim: string | null; role_claim: string | null } {
    return { provider_type: 'auth0', issuer: this.issuer, group_claim: groupClaim, role_claim: 'https://acme.example/roles' };
  }

  /** Users are spread from 2021 to now (one every 6 h at most), roles and organizations dealt round-robin. */
  private seed(users: number, roles: number, organizations: number): void {
    const step = Math.min(DAY_MS / 4, Math.floor((Date.now() - EPOCH) / (users + 1)));
    for (let r = 0; r < roles; r++) this.addRole(r === 0 ? 'admin' : `role-${r}`);
    for (let o = 0; o < organizations; o++) this.addOrganization(`org-${o}`);
    for (let k = 0; k < users; k++) {
      const u = this.addUser({ created_at: new Date(EPOCH + k * step + (k % 7)).toISOString(), blocked: k % 11 === 3 ? true : undefined });
      if (roles) this.roles[k % roles]!.members.add(u.user_id);
      if (roles > 1 && k % 5 === 0) this.roles[0]!.members.add(u.user_id);
      if (organizations && k % 2 === 0) this.organizations[k % organizations]!.members.add(u.user_id);
    }
  }

  addUser(fields: Partial<Auth0User> = {}): Auth0User {
    const n = ++this.seq;
    const id = seqId('', n, 24);
    const now = new Date().toISOString();
    const user: Auth0User = {
      user_id: `auth0|${id}`,
      email: `user${n}@example.com`,
      email_verified: true,
      name: `User ${n}`,
      nickname: `user${n}`,
      picture: `https://s.gravatar.com/avatar/${id}.png`,
      created_at: now,
      updated_at: now,
      identities: [{ connection: 'Username-Password-Authentication', provider: 'auth0', user_id: id, isSocial: false }],
      logins_count: n % 9,
      ...fields,
    };
    if (user.blocked === undefined) delete user.blocked;
    this.users.push(user);
    return user;
  }

  updateUser(userId: string, fields: Partial<Auth0User>): Auth0User {
    const user = this.users.find((u) => u.user_id === userId);
    if (!user) throw new Error(`no user ${userId}`);
    Object.assign(user, fields, { updated_at: new Date().toISOString() });
    return user;
  }

  /** Deleting a user at Auth0 also drops them from every role and organization. */
  removeUser(userId: string): void {
    const i = this.users.findIndex((u) => u.user_id === userId);
    if (i >= 0) this.users.splice(i, 1);
    for (const g of [...this.roles, ...this.organizations]) g.members.delete(userId);
  }

  addRole(name: string): Auth0Role {
    const role = { id: seqId('rol_', this.roles.length + 1, 20), name, description: `The ${name} role`, members: new Set<string>() };
    this.roles.push(role);
    return role;
  }

  addOrganization(name: string): Auth0Organization {
    const org = { id: seqId('org_', this.organizations.length + 1, 20), name, display_name: name.toUpperCase(), members: new Set<string>() };
    this.organizations.push(org);
    return org;
  }

  /** Every token issued so far answers 401 "Expired token" from now on. */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  protected error(status: number, message: string, errorCode?: string): Answer {
    return json(status, { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, ...(errorCode ? { errorCode } : {}) });
  }

  protected rateLimited(resetAtMs: number): Answer {
    return json(429, { statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached', errorCode: 'too_many_requests' }, {
      'x-ratelimit-limit': '50',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(resetAtMs / 1000),
    });
  }

  protected route(req: DoubleRequest): Answer {
    if (req.path === '/oauth/token' && req.method === 'POST') return this.token(req);
    const refused = this.authenticate(req);
    if (refused) return refused;
    if (req.method !== 'GET') return this.error(404, 'Not Found');
    let m: RegExpExecArray | null;
    if (req.path === '/api/v2/users') return this.need('read:users') ?? this.listUsers(req.query);
    if (req.path === '/api/v2/roles') return this.need('read:roles') ?? this.listRoles(req.query);
    if ((m = /^\/api\/v2\/roles\/([^/]+)\/users$/.exec(req.path))) {
      const role = this.roles.find((r) => r.id === decodeURIComponent(m![1]!));
      if (!role) return this.error(404, 'The role does not exist.', 'inexistent_role');
      return this.need('read:users') ?? this.checkpoint(req.query, [...role.members], (id) => id, 'users', (id) => this.member(id));
    }
    if (req.path === '/api/v2/organizations') {
      return this.need('read:organizations') ?? this.checkpoint(req.query, this.organizations, (o) => o.id, 'organizations', (o) => ({ id: o.id, name: o.name, display_name: o.display_name }));
    }
    if ((m = /^\/api\/v2\/organizations\/([^/]+)\/members$/.exec(req.path))) {
      const org = this.organizations.find((o) => o.id === decodeURIComponent(m![1]!));
      if (!org) return this.error(404, 'No organization found by that id or name', 'not_found');
      return this.need('read:organization_members') ?? this.checkpoint(req.query, [...org.members], (id) => id, 'members', (id) => this.member(id));
    }
    return this.error(404, 'Not Found');
  }

  private token(req: DoubleRequest): Answer {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return json(400, { error: 'invalid_request', error_description: 'Invalid request body' });
    }
    if (body.grant_type !== 'client_credentials') return json(403, { error: 'unauthorized_client', error_description: 'Grant type not allowed for the client.' });
    if (body.client_id !== this.clientId || body.client_secret !== this.clientSecret) return json(401, { error: 'access_denied', error_description: 'Unauthorized' });
    if (body.audience !== `https://${this.domain}/api/v2/`) return json(403, { error: 'access_denied', error_description: `Service not enabled within domain: ${String(body.audience)}` });
    const token = opaque('eyJ.mgmt.');
    this.tokens.set(token, { expiresAt: Date.now() + this.tokenTtl * 1000 });
    this.tokensIssued++;
    return json(200, { access_token: token, scope: this.scopes.join(' '), expires_in: this.tokenTtl, token_type: 'Bearer' });
  }

  private authenticate(req: DoubleRequest): Answer | null {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m) return this.error(401, 'Missing authentication');
    const token = this.tokens.get(m[1]!);
    if (!token) return json(401, { statusCode: 401, error: 'Unauthorized', message: 'Invalid token', attributes: { error: 'Invalid token' } });
    if (token.expiresAt <= Date.now()) return json(401, { statusCode: 401, error: 'Unauthorized', message: 'Expired token', attributes: { error: 'Expired token' } });
    return null;
  }

  private need(scope: string): Answer | null {
    return this.scopes.includes(scope) ? null : this.error(403, `Insufficient scope, expected any of: ${scope}`, 'insufficient_scope');
  }

  private member(userId: string): Record<string, unknown> {
    const u = this.users.find((x) => x.user_id === userId);
    return { user_id: userId, email: u?.email, picture: u?.picture, name: u?.name };
  }

  /** page/per_page/include_totals, with the validation Auth0 applies. */
  private paging(query: URLSearchParams): { page: number; perPage: number; totals: boolean } | Answer {
    const perPage = intParam(query, 'per_page', 50);
    const page = intParam(query, 'page', 0);
    if (Number.isNaN(perPage) || perPage < 1 || perPage > 100) return this.error(400, 'Query validation error: \'Invalid value "per_page"\' on property per_page.', 'invalid_query_string');
    if (Number.isNaN(page)) return this.error(400, 'Query validation error: \'Invalid value "page"\' on property page.', 'invalid_query_string');
    return { page, perPage, totals: query.get('include_totals') === 'true' };
  }

  private listUsers(query: URLSearchParams): Answer {
    const paging = this.paging(query);
    if ('status' in paging) return paging;
    if (query.has('search_engine') && query.get('search_engine') !== 'v3') return this.error(400, 'You are not allowed to use search_engine=v2 or v1.', 'operation_not_supported');
    let users = [...this.users];
    const q = query.get('q');
    if (q !== null) {
      const m = RANGE.exec(q);
      const bound = (s: string, open: number): number => (s === '*' ? open : Date.parse(s));
      const from = m ? bound(m[1]!, -Infinity) : NaN;
      const to = m ? bound(m[2]!, Infinity) : NaN;
      if (Number.isNaN(from) || Number.isNaN(to)) return this.error(400, 'Query validation error: this double reads only q=created_at:[FROM TO TO]', 'invalid_query_string');
      users = users.filter((u) => Date.parse(u.created_at) >= from && Date.parse(u.created_at) <= to);
    }
    const sort = query.get('sort');
    if (sort !== null) {
      const m = /^created_at:(-?1)$/.exec(sort);
      if (!m) return this.error(400, 'Query validation error: this double sorts only by created_at', 'invalid_query_string');
      const dir = Number(m[1]);
      users.sort((a, b) => dir * (a.created_at.localeCompare(b.created_at) || a.user_id.localeCompare(b.user_id)));
    }
    // Auth0 serves at most the first 1,000 results of any one query.
    if ((paging.page + 1) * paging.perPage > QUERY_CAP) {
      return this.error(400, 'You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation', 'invalid_paging');
    }
    const start = paging.page * paging.perPage;
    const page = users.slice(start, start + paging.perPage);
    return json(200, paging.totals ? { start, limit: paging.perPage, length: page.length, total: users.length, users: page } : page);
  }

  private listRoles(query: URLSearchParams): Answer {
    const paging = this.paging(query);
    if ('status' in paging) return paging;
    const start = paging.page * paging.perPage;
    const page = this.roles.slice(start, start + paging.perPage).map((r) => ({ id: r.id, name: r.name, description: r.description }));
    return json(200, paging.totals ? { start, limit: paging.perPage, length: page.length, total: this.roles.length, roles: page } : page);
  }

  /** Checkpoint paging: `take` (≤ 100) items after the opaque `from`; `next` only when more follow. */
  private checkpoint<T>(query: URLSearchParams, items: T[], key: (item: T) => string, field: string, shape: (item: T) => unknown): Answer {
    const take = intParam(query, 'take', 50);
    if (Number.isNaN(take) || take < 1 || take > 100) return this.error(400, 'Query validation error: \'Invalid value "take"\' on property take.', 'invalid_query_string');
    const from = query.get('from');
    let after: string | null = null;
    if (from) {
      after = Buffer.from(from, 'base64url').toString('utf8');
      if (!after.startsWith('k:')) return this.error(400, 'Invalid checkpoint "from" value', 'invalid_query_string');
      after = after.slice(2);
    }
    const { page, more } = keysetPage(items, key, after, take);
    const next = more ? Buffer.from(`k:${key(page[page.length - 1]!)}`).toString('base64url') : undefined;
    return json(200, { [field]: page.map(shape), ...(next ? { next } : {}) });
  }
}
