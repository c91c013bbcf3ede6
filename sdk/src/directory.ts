// createDirectory: the app backend's read-only view of its users and groups (the runtime
// directory routes, with the same runtime key as resolve).
import { call, checkOptions, type ClientOptions } from './http.js';
import { AlterUnavailableError } from './errors.js';
import type { DirectoryUser } from './types.js';

export type { DirectoryUser } from './types.js';
export type DirectoryOptions = ClientOptions;

export interface GroupMembersOptions {
  /** `group` (default) or `role`. */
  kind?: 'group' | 'role';
  /** Users asked per page (1–1000; the server's default when unset). All pages are read either way. */
  pageSize?: number;
}

export interface Directory {
  /** A user by alter's id (`usr_…`), or null. */
  user(id: string): Promise<DirectoryUser | null>;
  /** A user by the value of the token's user-id claim, or null. */
  userByExternalId(externalId: string): Promise<DirectoryUser | null>;
  /** Every member of a group (or role), following the pages to the end; [] for a group nobody is in. */
  groupMembers(name: string, options?: GroupMembersOptions): Promise<DirectoryUser[]>;
}

function dataOf(body: unknown): { data: DirectoryUser[]; next_cursor: string | null } {
  const b = body as { data?: unknown; next_cursor?: unknown } | null;
  if (!b || !Array.isArray(b.data)) throw new AlterUnavailableError('alter answered a directory call with a body that is not a list');
  return { data: b.data as DirectoryUser[], next_cursor: typeof b.next_cursor === 'string' ? b.next_cursor : null };
}

export function createDirectory(options: DirectoryOptions): Directory {
  const opts = checkOptions(options);
  return {
    async user(id) {
      const answer = await call(opts, 'GET', `/v1/directory/users/${encodeURIComponent(id)}`, undefined, (status) => status === 404);
      return answer.status === 404 ? null : (answer.body as DirectoryUser);
    },
    async userByExternalId(externalId) {
      const answer = await call(opts, 'GET', `/v1/directory/users?${new URLSearchParams({ external_id: externalId }).toString()}`, undefined);
      return dataOf(answer.body).data[0] ?? null;
    },
    async groupMembers(name, options = {}) {
      const users: DirectoryUser[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ kind: options.kind ?? 'group' });
        if (options.pageSize !== undefined) query.set('limit', String(options.pageSize));
        if (cursor) query.set('cursor', cursor);
        const answer = await call(opts, 'GET', `/v1/directory/groups/${encodeURIComponent(name)}/members?${query.toString()}`, undefined);
        const page = dataOf(answer.body);
        users.push(...page.data);
        cursor = page.next_cursor;
      } while (cursor);
      return users;
    },
  };
}
