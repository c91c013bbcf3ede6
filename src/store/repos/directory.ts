// Reading the directory: an app's users with their groups, roles and sources, a user's memberships
// and lifecycle log, an app's groups with member counts, a group's members. Lists are pages in a
// stable order with an opaque cursor (the position after the last item), so that a client walking
// every page sees each row once even while rows are added.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../schema.js';
import { AlterError } from '../../errors.js';
import { parseSources, type Source, type UserStatus } from '../../directory/rules.js';
import type { UserRow } from './users.js';

export interface DirectoryUser {
  id: string;
  external_id: string;
  email: string | null;
  name: string | null;
  status: string;
  groups: string[];
  roles: string[];
  sources: Source[];
  last_seen_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface DirectoryGroup {
  id: string;
  kind: string;
  name: string;
  members: number;
  source: string;
  created_at: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface UserFilter {
  status?: UserStatus | undefined;
  /** A group or role name the user belongs to. */
  group?: string | undefined;
  kind?: 'group' | 'role' | undefined;
  /** Part of the external id, email or name, any case. */
  search?: string | undefined;
  externalId?: string | undefined;
}

function encodeCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, length: number): string[] | null {
  if (cursor === undefined) return null;
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === length && values.every((v) => typeof v === 'string')) return values;
  } catch {
    // fall through to the error below
  }
  throw new AlterError('invalid_request', 'cursor: not a cursor this server handed out (pass next_cursor back as it is)', { field: 'cursor' });
}

/** `%text%` for LIKE, with LIKE's own wildcards in `text` taken literally. */
function containing(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Newest first: (created_at, id) descending, strictly after the cursor's position. */
function afterNewest(eb: ExpressionBuilder<Database, 'users'>, cursor: string[] | null): Expression<SqlBool> {
  if (!cursor) return eb.lit(true);
  const [at, id] = cursor as [string, string];
  return eb.or([eb('users.created_at', '<', at), eb.and([eb('users.created_at', '=', at), eb('users.id', '<', id)])]);
}

/** The users of `rows` with their groups and roles, in one query for all of them. */
export async function withMemberships(db: Kysely<Database>, rows: UserRow[]): Promise<DirectoryUser[]> {
  const byUser = new Map<string, { groups: string[]; roles: string[] }>(rows.map((r) => [r.id, { groups: [], roles: [] }]));
  if (rows.length) {
    const memberships = await db
      .selectFrom('memberships')
      .innerJoin('groups', 'groups.id', 'memberships.group_id')
      .select(['memberships.user_id', 'groups.kind', 'groups.name'])
      .where('memberships.user_id', 'in', rows.map((r) => r.id))
      .orderBy('groups.name')
      .execute();
    for (const m of memberships) byUser.get(m.user_id)![m.kind === 'role' ? 'roles' : 'groups'].push(m.name);
  }
  return rows.map((r) => ({
    id: r.id,
    external_id: r.external_id,
    email: r.email,
    name: r.name,
    status: r.status,
    ...byUser.get(r.id)!,
    sources: parseSources(r.sources),
    last_seen_at: r.last_seen_at,
    created_at: r.created_at,
    updated_at: r.updated_at,
  }));
}

export function pageOf<T>(rows: T[], limit: number, position: (last: T) => string[]): { rows: T[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { rows: kept, next_cursor: more ? encodeCursor(position(kept.at(-1)!)) : null };
}

export async function listUsers(db: Kysely<Database>, appId: string, filter: UserFilter, page: { limit: number; cursor?: string | undefined }): Promise<Page<DirectoryUser>> {
  const cursor = decodeCursor(page.cursor, 2);
  let q = db
    .selectFrom('users')
    .selectAll('users')
    .where('users.app_id', '=', appId)
    .where((eb) => afterNewest(eb, cursor));
  if (filter.status) q = q.where('users.status', '=', filter.status);
  if (filter.externalId !== undefined) q = q.where('users.external_id', '=', filter.externalId);
  if (filter.search) {
    const pattern = containing(filter.search);
    q = q.where((eb) =>
      eb.or(
        (['users.external_id', 'users.email', 'users.name'] as const).map((col) => sql<SqlBool>`lower(${sql.ref(col)}) like ${pattern} escape '\\'`),
      ),
    );
  }
  if (filter.group !== undefined) {
    const { group, kind } = filter;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('memberships')
          .innerJoin('groups', 'groups.id', 'memberships.group_id')
          .select('memberships.user_id')
          .whereRef('memberships.user_id', '=', 'users.id')
          .where('groups.name', '=', group)
          .$if(kind !== undefined, (sub) => sub.where('groups.kind', '=', kind!)),
      ),
    );
  }
  const rows = await q.orderBy('users.created_at', 'desc').orderBy('users.id', 'desc').limit(page.limit + 1).execute();
  const { rows: kept, next_cursor } = pageOf(rows, page.limit, (last) => [last.created_at, last.id]);
  return { items: await withMemberships(db, kept), next_cursor };
}

export function findAppUser(db: Kysely<Database>, appId: string, userId: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('app_id', '=', appId).where('id', '=', userId).executeTakeFirst();
}

export const USER_EVENTS_SHOWN = 50;

/** A user's memberships (with the source and time of the statement that made each) and latest events. */
export async function userHistory(db: Kysely<Database>, userId: string): Promise<{ memberships: Array<{ kind: string; name: string; source: string; since: string }>; events: Array<{ at: string; source: string; action: string; detail: unknown }> }> {
  const [memberships, events] = await Promise.all([
    db
      .selectFrom('memberships')
      .innerJoin('groups', 'groups.id', 'memberships.group_id')
      .select(['groups.kind', 'groups.name', 'memberships.source', 'memberships.created_at as since'])
      .where('memberships.user_id', '=', userId)
      .orderBy('groups.kind')
      .orderBy('groups.name')
      .execute(),
    db.selectFrom('user_events').select(['at', 'source', 'action', 'detail']).where('user_id', '=', userId).orderBy('at', 'desc').orderBy('id', 'desc').limit(USER_EVENTS_SHOWN).execute(),
  ]);
  return { memberships, events: events.map((e) => ({ ...e, detail: e.detail ? (JSON.parse(e.detail) as unknown) : null })) };
}

function groupsOfApp(db: Kysely<Database>, appId: string) {
  return db
    .selectFrom('groups')
    .innerJoin('identity_providers', 'identity_providers.id', 'groups.provider_id')
    .where('identity_providers.app_id', '=', appId)
    .select((eb) => [
      'groups.id',
      'groups.kind',
      'groups.name',
      'groups.source',
      'groups.created_at',
      eb.selectFrom('memberships').select((m) => m.fn.countAll<number>().as('n')).whereRef('memberships.group_id', '=', 'groups.id').as('members'),
    ]);
}

function groupView(r: { id: string; kind: string; name: string; source: string; created_at: string; members: number | string | null }): DirectoryGroup {
  return { id: r.id, kind: r.kind, name: r.name, members: Number(r.members ?? 0), source: r.source, created_at: r.created_at };
}

/** An app's groups and roles by kind then name. */
export async function listGroups(db: Kysely<Database>, appId: string, filter: { kind?: 'group' | 'role' | undefined; name?: string | undefined }, page: { limit: number; cursor?: string | undefined }): Promise<Page<DirectoryGroup>> {
  const cursor = decodeCursor(page.cursor, 3);
  let q = groupsOfApp(db, appId);
  if (filter.kind) q = q.where('groups.kind', '=', filter.kind);
  if (filter.name !== undefined) q = q.where('groups.name', '=', filter.name);
  if (cursor) {
    const [kind, name, id] = cursor as [string, string, string];
    q = q.where((eb) =>
      eb.or([
        eb('groups.kind', '>', kind),
        eb.and([eb('groups.kind', '=', kind), eb('groups.name', '>', name)]),
        eb.and([eb('groups.kind', '=', kind), eb('groups.name', '=', name), eb('groups.id', '>', id)]),
      ]),
    );
  }
  const rows = await q.orderBy('groups.kind').orderBy('groups.name').orderBy('groups.id').limit(page.limit + 1).execute();
  const { rows: kept, next_cursor } = pageOf(rows, page.limit, (last) => [last.kind, last.name, last.id]);
  return { items: kept.map(groupView), next_cursor };
}

export async function findAppGroup(db: Kysely<Database>, appId: string, groupId: string): Promise<DirectoryGroup | undefined> {
  const row = await groupsOfApp(db, appId).where('groups.id', '=', groupId).executeTakeFirst();
  return row && groupView(row);
}

/** The members of a group, newest users first. */
export async function groupMembers(db: Kysely<Database>, groupId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<DirectoryUser>> {
  const cursor = decodeCursor(page.cursor, 2);
  const rows = await db
    .selectFrom('users')
    .innerJoin('memberships', 'memberships.user_id', 'users.id')
    .selectAll('users')
    .where('memberships.group_id', '=', groupId)
    .where((eb) => afterNewest(eb, cursor))
    .orderBy('users.created_at', 'desc')
    .orderBy('users.id', 'desc')
    .limit(page.limit + 1)
    .execute();
  const { rows: kept, next_cursor } = pageOf(rows, page.limit, (last) => [last.created_at, last.id]);
  return { items: await withMemberships(db, kept), next_cursor };
}

/** How many users an app has by status (and in all), and how many groups and roles. */
export async function directorySummary(db: Kysely<Database>, appId: string): Promise<{ users: Record<UserStatus | 'total', number>; groups: number }> {
  const rows = await db.selectFrom('users').select(['status', db.fn.countAll<number>().as('n')]).where('app_id', '=', appId).groupBy('status').execute();
  const users: Record<UserStatus | 'total', number> = { total: 0, active: 0, blocked: 0, deprovisioned: 0 };
  for (const r of rows) {
    users[r.status as UserStatus] = Number(r.n);
    users.total += Number(r.n);
  }
  const groups = await db
    .selectFrom('groups')
    .innerJoin('identity_providers', 'identity_providers.id', 'groups.provider_id')
    .select(db.fn.countAll<number>().as('n'))
    .where('identity_providers.app_id', '=', appId)
    .executeTakeFirstOrThrow();
  return { users, groups: Number(groups.n) };
}
