// Auth0: the Management API v2, with the token of a machine-to-machine application (scopes
// read:users, read:roles, and read:organizations + read:organization_members when organizations are
// read). Users are page-numbered, but one query yields at most 1,000 of them: a larger tenant is read
// as several queries over ranges of created_at, halved until each range holds 1,000 or fewer.
// Roles are read always; organizations only when the group claim is Auth0's own org_name or org_id.
import { z } from 'zod';
import { apiUrl, credentialsObject, requiredString, type SourceOptions, type SourceProvider } from './config.js';
import { cachedToken, checkWith, endpoint, getJson, hasAccessToken, requestToken, type Api, type Call, type Session } from './http.js';
import { readPages } from './paging.js';
import { SnapshotBuilder } from './snapshot.js';
import { SourceError, type DirectorySource, type MembershipKind, type SnapshotUser } from './source.js';

export interface Auth0Credentials {
  provider_type: 'auth0';
  client_id: string;
  client_secret: string;
  api_url: string | null;
}

const ACCEPTS = 'Auth0 credentials are "client_id" and "client_secret" of a machine-to-machine application authorized for the Management API, and optionally "api_url"';

export function parseAuth0Credentials(raw: unknown): Auth0Credentials {
  const fields = credentialsObject(raw, ['client_id', 'client_secret', 'api_url'], ACCEPTS);
  return {
    provider_type: 'auth0',
    client_id: requiredString(fields, 'client_id', 'the Client ID of a machine-to-machine application'),
    client_secret: requiredString(fields, 'client_secret', 'the Client Secret of that application'),
    api_url: apiUrl(fields),
  };
}

const PER_PAGE = 100;
const QUERY_CAP = 1000;

const member = z.object({ user_id: z.string().min(1) });
const user = member.extend({ email: z.string().nullish(), name: z.string().nullish(), blocked: z.boolean().nullish(), created_at: z.string().nullish() });
const usersPage = z.object({ users: z.array(user), total: z.number().int().nonnegative() });
const rolesPage = z.object({ roles: z.array(z.object({ id: z.string().min(1), name: z.string().min(1) })), total: z.number().int().nonnegative() });
const checkpoint = { next: z.string().optional() };
const roleUsers = z.object({ users: z.array(member), ...checkpoint });
const organizations = z.object({ organizations: z.array(z.object({ id: z.string().min(1), name: z.string().min(1) })), ...checkpoint });
const organizationMembers = z.object({ members: z.array(member), ...checkpoint });

type User = z.infer<typeof user>;

function snapshotUser(u: User): SnapshotUser {
  return { externalId: u.user_id, email: u.email ?? null, name: u.name ?? null, status: u.blocked ? 'blocked' : 'active' };
}

/** Page `n` of a page-numbered list, with the total the query matches. */
async function numberedPage<S>(s: Session, path: string, query: Record<string, string>, n: number, schema: z.ZodType<S>): Promise<S> {
  return (await getJson(s, endpoint(s.api, path, { ...query, per_page: PER_PAGE, page: n, include_totals: 'true' }), schema)).data;
}

/** Every item of a page-numbered list, the first page possibly already in hand. */
async function numbered<S extends { total: number }, T>(s: Session, path: string, query: Record<string, string>, schema: z.ZodType<S>, items: (page: S) => T[], onPage: (items: T[], total: number) => void, first?: S): Promise<T[]> {
  return readPages(s.api, 0, async (n) => {
    const page = n === 0 && first ? first : await numberedPage(s, path, query, n, schema);
    const got = items(page);
    onPage(got, page.total);
    // A short page ends the list too: asking past it for a total that was off would meet the cap.
    return { items: got, next: got.length === PER_PAGE && (n + 1) * PER_PAGE < page.total ? n + 1 : null };
  });
}

/** Every item of a checkpoint-paged list (`take`/`from`; no `next` on the last page). */
async function checkpointed<S extends { next?: string | undefined }, T>(s: Session, path: string, schema: z.ZodType<S>, items: (page: S) => T[], onPage: (items: T[]) => void): Promise<T[]> {
  return readPages(
    s.api,
    '',
    async (from) => {
      const query: Record<string, string | number> = { take: PER_PAGE };
      if (from) query.from = from;
      const { data } = await getJson(s, endpoint(s.api, path, query), schema);
      return { items: items(data), next: data.next || null };
    },
    onPage,
  );
}

// Oldest first: users created during the read land on the last page instead of shifting the others.
const USERS_QUERY = { search_engine: 'v3', sort: 'created_at:1' };

type AddUsers = (users: User[], total: number) => void;

/** Reads every user `query` matches when Auth0 pages through them all; else returns its first page. */
async function readCapped(s: Session, query: Record<string, string>, add: AddUsers): Promise<z.infer<typeof usersPage> | null> {
  const first = await numberedPage(s, '/api/v2/users', query, 0, usersPage);
  if (first.total > QUERY_CAP) return first;
  await numbered(s, '/api/v2/users', query, usersPage, (p) => p.users, add, first);
  return null;
}

async function readUsers(s: Session, builder: SnapshotBuilder): Promise<void> {
  let total: number | null = null;
  const add: AddUsers = (users, pageTotal) => builder.addUsers(users.map(snapshotUser), total ?? pageTotal);
  const over = await readCapped(s, USERS_QUERY, add);
  if (!over) return;
  total = over.total;
  // The range to split runs from the oldest user to the newest, both asked of Auth0 itself: its
  // clock, not ours. Users created after this moment belong to the next run.
  const newest = await numberedPage(s, '/api/v2/users', { ...USERS_QUERY, sort: 'created_at:-1' }, 0, usersPage);
  const [from, to] = [over.users[0], newest.users[0]].map((u) => Date.parse(u?.created_at ?? '')) as [number, number];
  if (Number.isNaN(from) || Number.isNaN(to)) throw new SourceError('bad_answer', `${s.api.name} listed users without created_at; more than ${QUERY_CAP} users cannot be read without it`);
  await readRange(s, from, to, add);
}

async function readRange(s: Session, from: number, to: number, add: AddUsers): Promise<void> {
  const over = await readCapped(s, { ...USERS_QUERY, q: `created_at:[${new Date(from).toISOString()} TO ${new Date(to).toISOString()}]` }, add);
  if (!over) return;
  if (from >= to) throw new SourceError('bad_answer', `${s.api.name} has more than ${QUERY_CAP} users created in the same millisecond (${new Date(from).toISOString()}); they cannot be listed`);
  // Inclusive millisecond bounds: the halves neither overlap nor leave a gap.
  const mid = Math.floor((from + to) / 2);
  await readRange(s, from, mid, add);
  await readRange(s, mid + 1, to, add);
}

export function auth0Source(provider: SourceProvider, credentials: Auth0Credentials, opts: SourceOptions): DirectorySource {
  const domain = new URL(provider.issuer).host;
  const api: Api = { name: 'the Auth0 Management API', base: credentials.api_url ?? `https://${domain}`, allowPrivate: opts.allowPrivate, resetHeader: 'x-ratelimit-reset' };
  const tokenCall = (signal?: AbortSignal): Call => ({
    url: `${api.base}/oauth/token`,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: credentials.client_id, client_secret: credentials.client_secret, audience: `https://${domain}/api/v2/` }),
    signal,
  });
  // Kept across reads: a Management API token lives 24 h, and tenants cap how many are issued.
  const auth = cachedToken((signal) => requestToken(api, tokenCall(signal)));
  // Organizations are groups only when tokens carry them: Auth0's own org_name / org_id claims.
  const orgName = provider.group_claim === 'org_name' ? 'name' : provider.group_claim === 'org_id' ? 'id' : null;
  const kinds: MembershipKind[] = orgName ? ['role', 'group'] : ['role'];

  return {
    checkCredentials: () => checkWith(api, tokenCall(), hasAccessToken),
    async read(onProgress, signal) {
      const s: Session = { api, auth, signal };
      const builder = new SnapshotBuilder(kinds, onProgress);
      await readUsers(s, builder);
      const roles = await numbered(s, '/api/v2/roles', {}, rolesPage, (p) => p.roles, (page, total) => builder.addGroups('role', page.map((r) => r.name), total));
      const orgs = orgName ? await checkpointed(s, '/api/v2/organizations', organizations, (p) => p.organizations, (page) => builder.addGroups('group', page.map((o) => o[orgName]), null)) : [];
      for (const role of roles) {
        await checkpointed(s, `/api/v2/roles/${encodeURIComponent(role.id)}/users`, roleUsers, (p) => p.users, (page) => builder.addMembers('role', role.name, page.map((u) => u.user_id)));
      }
      for (const org of orgs) {
        if (orgName) await checkpointed(s, `/api/v2/organizations/${encodeURIComponent(org.id)}/members`, organizationMembers, (p) => p.members, (page) => builder.addMembers('group', org[orgName], page.map((m) => m.user_id)));
      }
      return builder.build();
    },
  };
}
