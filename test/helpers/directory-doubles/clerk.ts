// The Clerk Backend API as a directory source sees it: `Authorization: Bearer sk_…` (401
// authentication_invalid otherwise), the users list as a bare JSON array (limit 1–500, offset,
// order_by), /v1/users/count, organizations and their memberships as {data, total_count}, Clerk's
// {errors:[…]} bodies (422 for a bad parameter), and 429s with Retry-After.
import { DirectoryDouble, intParam, json, opaque, seqId, type Answer, type DoubleRequest } from './server.js';

export interface ClerkUser {
  id: string;
  object: 'user';
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  image_url: string;
  primary_email_address_id: string | null;
  email_addresses: Array<{ id: string; object: 'email_address'; email_address: string; verification: { status: string; strategy: string }; linked_to: unknown[] }>;
  phone_numbers: unknown[];
  public_metadata: Record<string, unknown>;
  banned: boolean;
  locked: boolean;
  created_at: number;
  updated_at: number;
}

export interface ClerkOrganization {
  id: string;
  name: string;
  slug: string | null;
  created_at: number;
  /** user id → role ("org:admin", "org:member", custom "org:…"). */
  members: Map<string, string>;
}

export interface ClerkDoubleOptions {
  users?: number;
  organizations?: number;
}

const MAX_LIMIT = 500;
const EPOCH = Date.parse('2022-05-01T00:00:00.000Z');
const ORDER_BY = /^[+-]?(created_at|updated_at|last_sign_in_at|last_active_at|email_address|first_name|last_name|username|phone_number|web3wallet)$/;

export class ClerkDouble extends DirectoryDouble {
  /** Change it to make the next request fail as a rolled key would. */
  secretKey = `sk_test_${opaque('').slice(0, 40)}`;
  readonly users: ClerkUser[] = [];
  readonly organizations: ClerkOrganization[] = [];
  private seq = 0;

  static async start(opts: ClerkDoubleOptions = {}): Promise<ClerkDouble> {
    const double = new ClerkDouble();
    double.seed(opts.users ?? 10, opts.organizations ?? 2);
    await double.listen();
    return double;
  }

  get credentials(): { secret_key: string; api_url: string } {
    return { secret_key: this.secretKey, api_url: this.origin };
  }

  provider(groupClaim: string | null = 'org_slug'): { provider_type: 'clerk'; issuer: string; group_claim: string | null; role_claim: string | null } {
    return { provider_type: 'clerk', issuer: 'https://clerk.acme.example', group_claim: groupClaim, role_claim: 'org_role' };
  }

  /** Every other user is in one organization, every sixth in a second; every tenth is an admin. */
  private seed(users: number, organizations: number): void {
    for (let o = 0; o < organizations; o++) this.addOrganization(`Team ${o}`);
    for (let k = 0; k < users; k++) {
      const u = this.addUser({ created_at: EPOCH + k * 3_600_000, banned: k % 13 === 4, locked: k % 17 === 5 });
      if (!organizations || k % 2 !== 0) continue;
      this.organizations[k % organizations]!.members.set(u.id, k % 10 === 0 ? 'org:admin' : 'org:member');
      if (k % 6 === 0) this.organizations[(k + 1) % organizations]!.members.set(u.id, 'org:billing');
    }
  }

  addUser(fields: Partial<ClerkUser> & { email?: string } = {}): ClerkUser {
    const n = ++this.seq;
    const { email, ...rest } = fields;
    const emailId = seqId('idn_', n, 31);
    const now = Date.now();
    const user: ClerkUser = {
      id: seqId('user_', n, 32),
      object: 'user',
      username: null,
      first_name: `First${n}`,
      last_name: n % 4 === 0 ? null : `Last${n}`,
      image_url: `https://img.clerk.com/${n}`,
      primary_email_address_id: emailId,
      email_addresses: [
        { id: seqId('idn_x', n, 31), object: 'email_address', email_address: `old${n}@example.org`, verification: { status: 'verified', strategy: 'email_code' }, linked_to: [] },
        { id: emailId, object: 'email_address', email_address: email ?? `user${n}@example.com`, verification: { status: 'verified', strategy: 'email_code' }, linked_to: [] },
      ],
      phone_numbers: [],
      public_metadata: {},
      banned: false,
      locked: false,
      created_at: now,
      updated_at: now,
      ...rest,
    };
    this.users.push(user);
    return user;
  }

  updateUser(id: string, fields: Partial<ClerkUser>): ClerkUser {
    const user = this.users.find((u) => u.id === id);
    if (!user) throw new Error(`no user ${id}`);
    Object.assign(user, fields, { updated_at: Date.now() });
    return user;
  }

  /** Deleting a user at Clerk also ends their memberships. */
  removeUser(id: string): void {
    const i = this.users.findIndex((u) => u.id === id);
    if (i >= 0) this.users.splice(i, 1);
    for (const o of this.organizations) o.members.delete(id);
  }

  addOrganization(name: string, slug: string | null = name.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-')): ClerkOrganization {
    const org = { id: seqId('org_', this.organizations.length + 1, 31), name, slug, created_at: Date.now(), members: new Map<string, string>() };
    this.organizations.push(org);
    return org;
  }

  protected error(status: number, message: string, long = message, code = 'api_error'): Answer {
    return json(status, { errors: [{ message, long_message: long, code }], clerk_trace_id: opaque('') });
  }

  protected rateLimited(resetAtMs: number): Answer {
    return { ...this.error(429, 'Too many requests', 'Too many requests, please try again later', 'too_many_requests'), headers: { 'retry-after': String(Math.max(1, Math.ceil((resetAtMs - Date.now()) / 1000))) } };
  }

  protected route(req: DoubleRequest): Answer {
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      return this.error(401, 'Invalid authentication', 'Unable to authenticate the request, you need to supply an active API key', 'authentication_invalid');
    }
    if (req.method !== 'GET') return this.error(404, 'not found', 'Resource not found', 'resource_not_found');
    if (req.path === '/v1/users/count') return json(200, { object: 'total_count', total_count: this.users.length });
    const paging = this.paging(req.query);
    if ('status' in paging) return paging;
    const { limit, offset } = paging;
    if (req.path === '/v1/users') {
      const order = req.query.get('order_by') ?? '-created_at';
      if (!ORDER_BY.test(order)) return this.invalidParam('order_by');
      const users = [...this.users];
      if (order.endsWith('created_at')) users.sort((a, b) => (order.startsWith('-') ? b.created_at - a.created_at : a.created_at - b.created_at));
      return json(200, users.slice(offset, offset + limit));
    }
    if (req.path === '/v1/organizations') {
      const page = this.organizations.slice(offset, offset + limit).map((o) => ({ object: 'organization', id: o.id, name: o.name, slug: o.slug, members_count: o.members.size, public_metadata: {}, created_at: o.created_at, updated_at: o.created_at }));
      return json(200, { data: page, total_count: this.organizations.length });
    }
    const m = /^\/v1\/organizations\/([^/]+)\/memberships$/.exec(req.path);
    const org = m && this.organizations.find((o) => o.id === decodeURIComponent(m[1]!) || o.slug === decodeURIComponent(m[1]!));
    if (m && !org) return this.error(404, 'not found', 'Given organization not found', 'resource_not_found');
    if (org) {
      const all = [...org.members].map(([userId, role]) => this.membership(org, userId, role));
      return json(200, { data: all.slice(offset, offset + limit), total_count: all.length });
    }
    return this.error(404, 'not found', 'Resource not found', 'resource_not_found');
  }

  private membership(org: ClerkOrganization, userId: string, role: string): Record<string, unknown> {
    const u = this.users.find((x) => x.id === userId);
    return {
      object: 'organization_membership',
      id: `orgmem_${org.id.slice(4, 14)}${userId.slice(5, 20)}`,
      role,
      role_name: role.replace(/^org:/, ''),
      permissions: [],
      public_metadata: {},
      organization: { object: 'organization', id: org.id, name: org.name, slug: org.slug },
      public_user_data: { user_id: userId, first_name: u?.first_name ?? null, last_name: u?.last_name ?? null, identifier: u?.email_addresses.at(-1)?.email_address ?? '', has_image: false, image_url: '' },
      created_at: org.created_at,
      updated_at: org.created_at,
    };
  }

  private invalidParam(name: string): Answer {
    return this.error(422, 'is invalid', `${name} is invalid`, 'form_param_value_invalid');
  }

  private paging(query: URLSearchParams): { limit: number; offset: number } | Answer {
    const limit = intParam(query, 'limit', 10);
    const offset = intParam(query, 'offset', 0);
    if (Number.isNaN(limit) || limit < 1 || limit > MAX_LIMIT) return this.invalidParam('limit');
    if (Number.isNaN(offset)) return this.invalidParam('offset');
    return { limit, offset };
  }
}
