// The directory for operators (personal access token, scopes dashboard_directory:read/write) and
// for app backends (runtime key): users with their groups, roles, sources and history; groups with
// their members; an operator's block, unblock and deprovisioning.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { authenticate, requireApp, requireScope } from '../auth.js';
import { AlterError } from '../../errors.js';
import { STATUSES, type UserStatus } from '../../directory/rules.js';
import { applyOperatorAction, type OperatorAction } from '../../directory/operator.js';
import { directorySummary, findAppGroup, findAppUser, groupMembers, listGroups, listUsers, userHistory, withMemberships } from '../../store/repos/directory.js';
import { runtimeKeyHook } from '../runtime-auth.js';
import { limitParam } from '../validate.js';
import { DirectoryMembersPage, DirectoryUser, DirectoryUsersData } from '../wire.js';

/** Page sizes: lists default to 100; a group's members shown with it are at most 1000. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

type Query = Record<string, string | undefined>;

function limitOf(q: Query): number {
  return limitParam(q.limit, DEFAULT_PAGE, MAX_PAGE);
}

function statusOf(q: Query): UserStatus | undefined {
  if (q.status === undefined) return undefined;
  if (!(STATUSES as readonly string[]).includes(q.status)) throw new AlterError('invalid_request', `status: must be one of ${STATUSES.join(', ')}`, { field: 'status' });
  return q.status as UserStatus;
}

function kindOf(q: Query): 'group' | 'role' | undefined {
  if (q.kind === undefined) return undefined;
  if (q.kind !== 'group' && q.kind !== 'role') throw new AlterError('invalid_request', 'kind: must be group or role', { field: 'kind' });
  return q.kind;
}

interface AppParams {
  appId: string;
}

export function directoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;

  const principalFor = async (req: FastifyRequest<{ Params: AppParams }>, scope: 'dashboard_directory:read' | 'dashboard_directory:write') => {
    const p = await authenticate(db, req);
    requireScope(p, scope);
    await requireApp(db, p, req.params.appId);
    return p;
  };

  const userOr404 = async (appId: string, userId: string) => {
    const row = await findAppUser(db, appId, userId);
    if (!row) throw new AlterError('not_found', `user ${userId} not found in app ${appId}`);
    return row;
  };

  app.get<{ Params: AppParams; Querystring: Query }>('/v1/apps/:appId/users', async (req) => {
    await principalFor(req, 'dashboard_directory:read');
    const q = req.query;
    return listUsers(db, req.params.appId, { status: statusOf(q), group: q.group, kind: kindOf(q), search: q.search, externalId: q.external_id }, { limit: limitOf(q), cursor: q.cursor });
  });

  // The figures of the console's overview: users by status, groups and roles.
  app.get<{ Params: AppParams }>('/v1/apps/:appId/directory/summary', async (req) => {
    await principalFor(req, 'dashboard_directory:read');
    return directorySummary(db, req.params.appId);
  });

  app.get<{ Params: AppParams & { userId: string } }>('/v1/apps/:appId/users/:userId', async (req) => {
    await principalFor(req, 'dashboard_directory:read');
    const [user] = await withMemberships(db, [await userOr404(req.params.appId, req.params.userId)]);
    return { ...user, ...(await userHistory(db, req.params.userId)) };
  });

  for (const action of ['block', 'unblock', 'deprovision'] as const satisfies readonly OperatorAction[]) {
    app.post<{ Params: AppParams & { userId: string } }>(`/v1/apps/:appId/users/:userId/${action}`, async (req) => {
      const p = await principalFor(req, 'dashboard_directory:write');
      const row = await applyOperatorAction(db, ctx.invalidation, { appId: req.params.appId, userId: req.params.userId, action, actor: p.actor });
      const [user] = await withMemberships(db, [row]);
      return user;
    });
  }

  app.get<{ Params: AppParams; Querystring: Query }>('/v1/apps/:appId/groups', async (req) => {
    await principalFor(req, 'dashboard_directory:read');
    const q = req.query;
    return listGroups(db, req.params.appId, { kind: kindOf(q), name: q.name }, { limit: limitOf(q), cursor: q.cursor });
  });

  app.get<{ Params: AppParams & { groupId: string } }>('/v1/apps/:appId/groups/:groupId', async (req) => {
    await principalFor(req, 'dashboard_directory:read');
    const group = await findAppGroup(db, req.params.appId, req.params.groupId);
    if (!group) throw new AlterError('not_found', `group ${req.params.groupId} not found in app ${req.params.appId}`);
    const { items, next_cursor } = await groupMembers(db, group.id, { limit: MAX_PAGE });
    return { id: group.id, kind: group.kind, name: group.name, source: group.source, created_at: group.created_at, member_count: group.members, members: items, more_members: next_cursor !== null };
  });

  // For app backends: the same directory, through the app's runtime key, never another app's.
  void app.register((scope, _opts, done) => {
    scope.decorateRequest('runtimeAppId', '');
    scope.addHook('onRequest', runtimeKeyHook(ctx));

    scope.get<{ Params: { userId: string } }>('/v1/directory/users/:userId', { config: { response: { 200: DirectoryUser } } }, async (req) => {
      const row = await findAppUser(db, req.runtimeAppId, req.params.userId);
      if (!row) throw new AlterError('not_found', `user ${req.params.userId} not found`);
      const [user] = await withMemberships(db, [row]);
      return user;
    });

    scope.get<{ Querystring: Query }>('/v1/directory/users', { config: { response: { 200: DirectoryUsersData } } }, async (req) => {
      const externalId = req.query.external_id;
      if (!externalId) throw new AlterError('invalid_request', 'external_id: required (the value your tokens carry in the user-id claim)', { field: 'external_id' });
      const { items } = await listUsers(db, req.runtimeAppId, { externalId }, { limit: 1 });
      return { data: items };
    });

    scope.get<{ Params: { name: string }; Querystring: Query }>('/v1/directory/groups/:name/members', { config: { response: { 200: DirectoryMembersPage } } }, async (req) => {
      const kind = kindOf(req.query) ?? 'group';
      const { items } = await listGroups(db, req.runtimeAppId, { kind, name: req.params.name }, { limit: 1 });
      const group = items[0];
      if (!group) return { data: [], next_cursor: null };
      const page = await groupMembers(db, group.id, { limit: limitOf(req.query), cursor: req.query.cursor });
      return { data: page.items, next_cursor: page.next_cursor };
    });
    done();
  });
}
