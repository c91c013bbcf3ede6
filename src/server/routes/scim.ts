// The SCIM 2.0 service provider of each identity provider, under
// {ALTER_PUBLIC_URL}/scim/v2/idp/{provider_id}: discovery documents, Users and Groups. Requests
// carry the provider's SCIM bearer token (alter_scim_…, compared by hash); bodies may be
// application/scim+json or application/json, up to 1 MiB; every answer is application/scim+json,
// errors in the SCIM error schema. Each request is counted in the provider's SCIM status figures.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { bearer } from '../auth.js';
import { AlterError } from '../../errors.js';
import { safeEqual, sha256Hex } from '../../crypto/tokens.js';
import { isStoreFault, RETRY_AFTER_SECONDS } from '../../store/faults.js';
import { scimRequests } from '../../metrics.js';
import { findProviderById } from '../../store/repos/identity-providers.js';
import { countScimRequest, findScimConfig } from '../../store/repos/scim.js';
import { scimBaseUrl } from '../../directory/scim/base-url.js';
import { ScimError, scimErrorBody } from '../../directory/scim/errors.js';
import { parseFilter } from '../../directory/scim/filter.js';
import { createScimGroup, deleteScimGroup, getScimGroup, listScimGroups, patchScimGroup, replaceScimGroup } from '../../directory/scim/groups.js';
import { createScimUser, deleteScimUser, getScimUser, listScimUsers, patchScimUser, replaceScimUser } from '../../directory/scim/users.js';
import { groupResource, listResponse, MAX_PAGE, resourceTypes, schemas, serviceProviderConfig, userResource } from '../../directory/scim/render.js';
import type { ScimScope } from '../../directory/scim/scope.js';

export const SCIM_BODY_LIMIT = 1024 * 1024;
const SCIM_TYPE = 'application/scim+json; charset=utf-8';

declare module 'fastify' {
  interface FastifyRequest {
    scim: ScimScope | null;
  }
}

type Params = { providerId: string };
type IdParams = Params & { id: string };
type ListQuery = { filter?: string; startIndex?: string; count?: string; excludedAttributes?: string; attributes?: string };

function paging(q: ListQuery): { startIndex: number; count: number } {
  const int = (v: string | undefined, name: string, dflt: number): number => {
    if (v === undefined || v === '') return dflt;
    if (!/^-?\d+$/.test(v)) throw new ScimError(400, 'invalidValue', `${name}: must be an integer`);
    return Number(v);
  };
  // RFC 7644 §3.4.2.4: a startIndex below 1 is 1, a negative count is 0; counts above the maximum are capped.
  return { startIndex: Math.max(1, int(q.startIndex, 'startIndex', 1)), count: Math.min(MAX_PAGE, Math.max(0, int(q.count, 'count', 100))) };
}

/** Any error as a SCIM error: ScimErrors as they are, the rest by their meaning. */
function asScimError(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  if (err instanceof AlterError) {
    if (err.code === 'store_unavailable') return new ScimError(503, null, err.message);
    if (err.code === 'payload_too_large') return new ScimError(413, null, 'request body is larger than 1 MiB');
    if (err.status === 400) return new ScimError(400, 'invalidValue', err.message);
    return new ScimError(err.status, null, err.message);
  }
  if (isStoreFault(err)) return new ScimError(503, null, 'the store is unavailable right now: retry in a moment');
  const fe = err as { code?: string; statusCode?: number; message?: string };
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) return new ScimError(413, null, 'request body is larger than 1 MiB');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) return new ScimError(415, null, 'send application/scim+json or application/json');
  if (fe.statusCode === 400) return new ScimError(400, 'invalidSyntax', fe.message ?? 'the request could not be read');
  return new ScimError(500, null, 'internal error');
}

export function scimRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;

  /** The provider's SCIM scope, or 404 (SCIM off) / 401 (no or wrong token). */
  async function authenticate(req: FastifyRequest<{ Params: Params }>): Promise<void> {
    const { providerId } = req.params;
    const [config, provider] = await Promise.all([findScimConfig(db, providerId), findProviderById(db, providerId)]);
    if (!config || !provider) throw new ScimError(404, null, 'SCIM is not enabled for this identity provider');
    const token = bearer(req);
    if (!token || !safeEqual(sha256Hex(token), config.token_hash)) throw new ScimError(401, null, 'send this provider’s SCIM token: Authorization: Bearer alter_scim_…');
    req.scim = { db, provider, config, invalidation: ctx.invalidation, actor: `scim:${provider.id}`, baseUrl: scimBaseUrl(ctx.settings.publicUrl, provider.id) };
  }

  const scopeOf = (req: FastifyRequest): ScimScope => req.scim!;
  const send = (reply: FastifyReply, status: number, body: unknown): FastifyReply => reply.status(status).type(SCIM_TYPE).send(body);

  void app.register(
    (scim, _opts, done) => {
      scim.decorateRequest('scim', null);
      scim.removeAllContentTypeParsers();
      scim.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'string', bodyLimit: SCIM_BODY_LIMIT }, (_req, body, next) => {
        if (body === '') return next(null, undefined);
        try {
          next(null, JSON.parse(body as string) as unknown);
        } catch (err) {
          next(new ScimError(400, 'invalidSyntax', `the body is not valid JSON: ${(err as Error).message}`));
        }
      });
      scim.addHook('onRequest', authenticate);
      scim.addHook('onResponse', (req, reply, next) => {
        scimRequests.inc({ method: req.method, status: String(reply.statusCode) });
        // Counted after the answer, off its path; a failed count is not the client's problem.
        if (req.scim) {
          const error = reply.statusCode >= 400 ? `${reply.statusCode} ${req.method} ${req.url.split('?')[0]}` : null;
          void countScimRequest(db, req.scim.provider.id, error).catch((err: unknown) => req.log.warn({ err }, 'could not count a SCIM request'));
        }
        next();
      });
      scim.setErrorHandler((err, req, reply) => {
        const e = asScimError(err);
        if (e.status >= 500 && e.status !== 503) req.log.error({ err }, 'SCIM: unhandled error');
        if (e.status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        if (e.status === 401) void reply.header('www-authenticate', 'Bearer');
        return send(reply, e.status, scimErrorBody(e));
      });
      scim.setNotFoundHandler((_req, reply) => send(reply, 404, scimErrorBody(new ScimError(404, null, 'no such SCIM endpoint'))));

      scim.get('/ServiceProviderConfig', async (req, reply) => send(reply, 200, serviceProviderConfig(scopeOf(req).baseUrl)));
      scim.get('/ResourceTypes', async (req, reply) => {
        const types = resourceTypes(scopeOf(req).baseUrl);
        return send(reply, 200, listResponse(types, types.length, 1));
      });
      scim.get('/Schemas', async (req, reply) => {
        const all = schemas(scopeOf(req).baseUrl);
        return send(reply, 200, listResponse(all, all.length, 1));
      });

      scim.get<{ Querystring: ListQuery }>('/Users', async (req, reply) => {
        const scope = scopeOf(req);
        const { startIndex, count } = paging(req.query);
        const filter = req.query.filter ? parseFilter(req.query.filter, 'User') : null;
        const { total, users } = await listScimUsers(scope, filter, startIndex, count);
        return send(reply, 200, listResponse(users.map((u) => userResource(u, scope.baseUrl)), total, startIndex));
      });
      scim.post('/Users', async (req, reply) => send(reply, 201, userResource(await createScimUser(scopeOf(req), req.body), scopeOf(req).baseUrl)));
      scim.get<{ Params: IdParams }>('/Users/:id', async (req, reply) => send(reply, 200, userResource(await getScimUser(scopeOf(req), req.params.id), scopeOf(req).baseUrl)));
      scim.put<{ Params: IdParams }>('/Users/:id', async (req, reply) => send(reply, 200, userResource(await replaceScimUser(scopeOf(req), req.params.id, req.body), scopeOf(req).baseUrl)));
      scim.patch<{ Params: IdParams }>('/Users/:id', async (req, reply) => send(reply, 200, userResource(await patchScimUser(scopeOf(req), req.params.id, req.body), scopeOf(req).baseUrl)));
      scim.delete<{ Params: IdParams }>('/Users/:id', async (req, reply) => {
        await deleteScimUser(scopeOf(req), req.params.id);
        return reply.status(204).send();
      });

      scim.get<{ Querystring: ListQuery }>('/Groups', async (req, reply) => {
        const scope = scopeOf(req);
        const { startIndex, count } = paging(req.query);
        const filter = req.query.filter ? parseFilter(req.query.filter, 'Group') : null;
        const withMembers = !/(^|,)\s*members\s*(,|$)/i.test(req.query.excludedAttributes ?? '');
        const { total, groups } = await listScimGroups(scope, filter, startIndex, count, withMembers);
        return send(reply, 200, listResponse(groups.map((g) => groupResource(g, scope.baseUrl, withMembers)), total, startIndex));
      });
      scim.post('/Groups', async (req, reply) => send(reply, 201, groupResource(await createScimGroup(scopeOf(req), req.body), scopeOf(req).baseUrl)));
      scim.get<{ Params: IdParams; Querystring: ListQuery }>('/Groups/:id', async (req, reply) => {
        const withMembers = !/(^|,)\s*members\s*(,|$)/i.test(req.query.excludedAttributes ?? '');
        return send(reply, 200, groupResource(await getScimGroup(scopeOf(req), req.params.id, withMembers), scopeOf(req).baseUrl, withMembers));
      });
      scim.put<{ Params: IdParams }>('/Groups/:id', async (req, reply) => send(reply, 200, groupResource(await replaceScimGroup(scopeOf(req), req.params.id, req.body), scopeOf(req).baseUrl)));
      scim.patch<{ Params: IdParams }>('/Groups/:id', async (req, reply) => send(reply, 200, groupResource(await patchScimGroup(scopeOf(req), req.params.id, req.body), scopeOf(req).baseUrl)));
      scim.delete<{ Params: IdParams }>('/Groups/:id', async (req, reply) => {
        await deleteScimGroup(scopeOf(req), req.params.id);
        return reply.status(204).send();
      });
      done();
    },
    { prefix: '/scim/v2/idp/:providerId' },
  );
}
