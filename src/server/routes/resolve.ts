// POST /v1/identity/resolve: an app backend sends its end user's JWT with the app's runtime key and
// gets the user, groups, roles and claims back. It runs on every request of every end user, so:
// the runtime key is checked in onRequest from a per-process cache, before the body is even read;
// repeated tokens are answered from a bounded cache of verified answers; a fresh token costs one
// signature check plus a read (and a write only when the user changed).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { AlterError } from '../../errors.js';
import { resolveDuration, resolveRequests } from '../../metrics.js';
import { InvalidTokenError, ResolveAnswer } from '../wire.js';
import { verifyJwt, type TokenFailureReason } from '../../idp/verify.js';
import { identityFromToken } from '../../idp/identity.js';
import { syncUserAndLockMappings } from '../../store/repos/users.js';
import { runtimeCaches, runtimeKeyHook } from '../runtime-auth.js';
import { ProviderCache } from '../resolve/providers.js';
import { VerifiedTokenCache, tokenCacheKey } from '../resolve/verified-tokens.js';
import { KnownUsers } from '../resolve/known-users.js';

export const RESOLVE_BODY_LIMIT = 64 * 1024;

/**
 * Route options of resolve (the bench's constant endpoint uses them too, to compare like with
 * like). Access lines are logged at warn and above only: this route carries every request of every
 * end user, and an info line per call would multiply the log volume by the app's traffic.
 */
export const RESOLVE_ROUTE_OPTIONS = { bodyLimit: RESOLVE_BODY_LIMIT, logLevel: 'warn' } as const;

/** What resolve answers, for /openapi.json (the SDK's types are generated from it). */
const RESOLVE_DOC = { response: { 200: ResolveAnswer, 401: InvalidTokenError } };

export function invalidToken(reason: TokenFailureReason | 'deprovisioned' | 'no_identity_provider', message: string): AlterError {
  return new AlterError('invalid_token', message, { reason });
}

/** The body is read as text and parsed here, whatever its content type: non-JSON is a 400, never a 415. */
function tokenFrom(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new AlterError('invalid_request', 'send a JSON body: {"token": "<the end user\'s JWT>"}', { field: null });
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new AlterError('invalid_request', `request body is not valid JSON: ${(err as Error).message}`, { field: null });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AlterError('invalid_request', 'request body must be a JSON object', { field: null });
  const token = (parsed as { token?: unknown }).token;
  if (typeof token !== 'string') throw new AlterError('invalid_request', 'token: must be a string (the end user\'s JWT)', { field: 'token' });
  return token;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Why a resolve call failed, for its metrics. */
    resolveFailure: { code: string; reason: string } | null;
  }
}

/** The outcome label of a finished resolve call. */
function outcomeOf(status: number, failure: { code: string } | null): string {
  if (status === 200) return 'ok';
  if (failure?.code === 'invalid_token' || failure?.code === 'unauthorized') return failure.code;
  if (status === 503) return 'unavailable';
  return status < 500 ? 'bad_request' : 'error';
}

export function resolveRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;
  const { epochs } = runtimeCaches(ctx);
  const providers = new ProviderCache(db, epochs, { allowPrivate: ctx.settings.allowPrivateIssuers, log: ctx.log });
  const verified = new VerifiedTokenCache(epochs);
  const knownUsers = new KnownUsers(epochs);

  // Keys of every configured issuer are fetched at start-up, in the background: the first resolve
  // of each then finds them in place, and a provider that is down does not delay start-up.
  app.addHook('onReady', async () => {
    const rows = await db.selectFrom('identity_providers').select(['issuer', 'jwks_uri']).execute();
    for (const row of rows) void providers.keysFor(row).refresh();
  });

  const resolve = async (req: FastifyRequest): Promise<string> => {
    const appId = req.runtimeAppId;
    const token = tokenFrom(req.body);
    const now = Date.now() / 1000;
    const cacheKey = tokenCacheKey(appId, token);
    const hit = verified.get(appId, cacheKey, now);
    if (hit) return hit;
    const generation = epochs.generation(appId);
    const provider = await providers.get(appId);
    if (!provider) throw invalidToken('no_identity_provider', 'this app has no identity provider: configure one with `alter idp create`');
    const result = await verifyJwt(token, provider.policy, provider.keys, now);
    if (!result.ok) throw invalidToken(result.reason, result.detail);
    const identity = identityFromToken(result, provider.row, (message, details) => req.log.debug(details, message));
    let answer = provider.locked ? knownUsers.match(appId, provider.row.id, identity) : undefined;
    if (!answer) {
      const sync = await syncUserAndLockMappings(db, provider.row, identity, provider.locked);
      if (sync.refused) throw invalidToken('deprovisioned', `user ${JSON.stringify(sync.user.external_id)} is ${sync.user.status}`);
      provider.locked = true;
      answer = sync;
      knownUsers.remember(provider.row.id, sync, generation);
    }
    const body = JSON.stringify({ user: answer.user, groups: answer.groups, roles: answer.roles, claims: result.claims });
    verified.set(cacheKey, body, result.exp, generation);
    return body;
  };

  // Its own scope: the runtime-key hook and the raw-text body parser apply to this route only.
  void app.register((scope, _opts, done) => {
    scope.decorateRequest('runtimeAppId', '');
    scope.decorateRequest('resolveFailure', null);
    scope.addHook('onError', (req, _reply, err, done) => {
      req.resolveFailure = err instanceof AlterError ? { code: err.code, reason: typeof err.details.reason === 'string' ? err.details.reason : '' } : { code: 'error', reason: '' };
      done();
    });
    scope.addHook('onResponse', (req, reply, done) => {
      resolveDuration.observe(reply.elapsedTime / 1000);
      resolveRequests.inc({ outcome: outcomeOf(reply.statusCode, req.resolveFailure), reason: req.resolveFailure?.reason ?? '' });
      done();
    });
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: RESOLVE_BODY_LIMIT }, (_req, body, parsed) => parsed(null, body));
    scope.addHook('onRequest', runtimeKeyHook(ctx));
    scope.post('/v1/identity/resolve', { ...RESOLVE_ROUTE_OPTIONS, config: RESOLVE_DOC }, async (req, reply) => reply.type('application/json; charset=utf-8').send(await resolve(req)));
    done();
  });
}
