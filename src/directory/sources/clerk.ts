// Clerk: the Backend API with the instance's secret key. Users, organizations and memberships are
// offset-paged (500 at most a page). Organizations are the groups, named by what the group claim
// carries (the id for org_id, else the slug); a membership's role ("org:admin") is a role.
import { z } from 'zod';
import { organisationIdentifier } from '../../idp/webhooks/svix.js';
import { apiUrl, credentialsObject, invalidCredential, requiredString, type SourceOptions, type SourceProvider } from './config.js';
import { checkWith, endpoint, getJson, type Api, type Authorizer, type Session } from './http.js';
import { nextOffset, readPages } from './paging.js';
import { personName, SnapshotBuilder } from './snapshot.js';
import type { DirectorySource, SnapshotUser } from './source.js';

export interface ClerkCredentials {
  provider_type: 'clerk';
  secret_key: string;
  api_url: string | null;
}

const ACCEPTS = 'Clerk credentials are "secret_key" (sk_live_… or sk_test_…), and optionally "api_url"';

export function parseClerkCredentials(raw: unknown): ClerkCredentials {
  const fields = credentialsObject(raw, ['secret_key', 'api_url'], ACCEPTS);
  const secretKey = requiredString(fields, 'secret_key', 'the secret key from the Clerk Dashboard, API keys');
  if (!secretKey.startsWith('sk_')) throw invalidCredential('secret_key', 'must be a Clerk secret key, which starts with sk_ (a publishable key, pk_…, cannot read users)');
  return { provider_type: 'clerk', secret_key: secretKey, api_url: apiUrl(fields) };
}

const LIMIT = 500;

const user = z.object({
  id: z.string().min(1),
  email_addresses: z.array(z.object({ id: z.string(), email_address: z.string() })),
  primary_email_address_id: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  banned: z.boolean().nullish(),
  locked: z.boolean().nullish(),
});
const organization = z.object({ id: z.string().min(1), slug: z.string().nullish() });
const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), total_count: z.number().int().nonnegative() });
const organizations = listOf(organization);
const memberships = listOf(z.object({ role: z.string().min(1), public_user_data: z.object({ user_id: z.string().min(1) }) }));

function snapshotUser(u: z.infer<typeof user>): SnapshotUser {
  const primary = u.email_addresses.find((e) => e.id === u.primary_email_address_id);
  return { externalId: u.id, email: primary?.email_address ?? null, name: personName(u.first_name, u.last_name), status: u.banned || u.locked ? 'blocked' : 'active' };
}

/** Every item of an offset-paged list; `items` takes the page out of its envelope. */
async function offsetPaged<S, T>(s: Session, path: string, query: Record<string, string>, schema: z.ZodType<S>, items: (page: S) => T[], onPage: (items: T[]) => void): Promise<T[]> {
  return readPages(
    s.api,
    0,
    async (offset) => {
      const got = items((await getJson(s, endpoint(s.api, path, { limit: LIMIT, offset, ...query }), schema)).data);
      return { items: got, next: nextOffset(offset, got.length, LIMIT) };
    },
    onPage,
  );
}

export function clerkSource(provider: SourceProvider, credentials: ClerkCredentials, opts: SourceOptions): DirectorySource {
  const api: Api = { name: 'the Clerk Backend API', base: credentials.api_url ?? 'https://api.clerk.com', allowPrivate: opts.allowPrivate, resetHeader: null };
  const authorization = { authorization: `Bearer ${credentials.secret_key}` };
  const auth: Authorizer = { headers: () => Promise.resolve(authorization) };
  const byId = organisationIdentifier(provider.group_claim) === 'id';
  // Instances with slugs turned off have none; the id is then the only name there is.
  const groupName = (org: z.infer<typeof organization>): string => (byId ? org.id : (org.slug ?? org.id));

  return {
    checkCredentials: () => checkWith(api, { url: endpoint(api, '/v1/users', { limit: 1 }), headers: { accept: 'application/json', ...authorization } }, Array.isArray),
    async read(onProgress, signal) {
      const s: Session = { api, auth, signal };
      const builder = new SnapshotBuilder(['group', 'role'], onProgress);
      const total = (await getJson(s, endpoint(api, '/v1/users/count'), z.object({ total_count: z.number().int().nonnegative() }))).data.total_count;
      // Newest first: a user created during the read shifts the pages by one, which repeats a user
      // (kept once) instead of skipping one.
      await offsetPaged(s, '/v1/users', { order_by: '-created_at' }, z.array(user), (p) => p, (page) => builder.addUsers(page.map(snapshotUser), total));
      const orgs = await offsetPaged(s, '/v1/organizations', {}, organizations, (p) => p.data, (page) => builder.addGroups('group', page.map(groupName), null));
      for (const org of orgs) {
        await offsetPaged(s, `/v1/organizations/${encodeURIComponent(org.id)}/memberships`, {}, memberships, (p) => p.data, (page) => {
          builder.addMembers('group', groupName(org), page.map((m) => m.public_user_data.user_id));
          const byRole = new Map<string, string[]>();
          for (const m of page) {
            if (!byRole.has(m.role)) byRole.set(m.role, []);
            byRole.get(m.role)!.push(m.public_user_data.user_id);
          }
          for (const [role, ids] of byRole) builder.addMembers('role', role, ids);
        });
      }
      return builder.build();
    },
  };
}
