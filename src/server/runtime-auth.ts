// How app backends authenticate: the runtime key (alter_key_…) of one app, checked in onRequest
// from a per-process cache before the body is read. Resolution and the runtime directory routes
// share one cache (and one view of which caches are current) per server.
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from './context.js';
import { bearer } from './auth.js';
import { AlterError } from '../errors.js';
import { storeUnavailable } from '../store/faults.js';
import { Epochs } from './resolve/epochs.js';
import { RuntimeKeyCache } from './resolve/runtime-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The app whose runtime key authenticated this call. */
    runtimeAppId: string;
  }
}

interface RuntimeCaches {
  epochs: Epochs;
  runtimeKeys: RuntimeKeyCache;
}

const perServer = new WeakMap<ServerContext['invalidation'], RuntimeCaches>();

/** This server's epochs and runtime-key cache (one of each, whichever route module asks first). */
export function runtimeCaches(ctx: ServerContext): RuntimeCaches {
  let caches = perServer.get(ctx.invalidation);
  if (!caches) {
    const epochs = new Epochs(ctx.invalidation);
    const runtimeKeys = new RuntimeKeyCache(ctx.store.db, epochs, (err) => ctx.log.warn({ err }, 'could not record the use of a runtime key'));
    caches = { epochs, runtimeKeys };
    perServer.set(ctx.invalidation, caches);
  }
  return caches;
}

/** The onRequest hook of every runtime route: sets req.runtimeAppId or refuses. */
export function runtimeKeyHook(ctx: ServerContext): (req: FastifyRequest) => Promise<void> {
  const { runtimeKeys } = runtimeCaches(ctx);
  return async (req) => {
    // Fail closed: every cache is only as good as the last invalidation poll. While polls fail,
    // another process's revocation or deprovisioning could be missed, so nothing is answered.
    if (!ctx.invalidation.isCurrent()) throw storeUnavailable('the store cannot be reached, so this server cannot confirm the user is still allowed: retry in a moment');
    const key = await runtimeKeys.check(bearer(req));
    if (typeof key === 'string') throw new AlterError('unauthorized', key);
    req.runtimeAppId = key.appId;
  };
}
