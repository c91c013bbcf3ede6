// createAlter: the app backend's client of POST /v1/identity/resolve.
import { call, checkOptions, errorOf, type ClientOptions } from './http.js';
import { AlterUnavailableError } from './errors.js';
import { ResolveCache, type CacheOptions } from './cache.js';
import { bearerToken, type IncomingRequest } from './request.js';
import type { AlterIdentity, AlterRefusalReason, ResolveResult, ResolveSuccess } from './types.js';

export interface AlterOptions extends ClientOptions {
  /**
   * Reuse accepted answers in this process (off by default). Each is kept until the token's `exp`
   * or `ttlMs`, whichever comes first. The cost: a deprovisioning or block in alter takes up to
   * `ttlMs` to reach this backend, which keeps accepting the user's cached tokens until then.
   */
  cache?: boolean | CacheOptions;
}

export interface Alter {
  /** Asks alter who a token's bearer is. Throws AlterUnavailableError (fail closed) or AlterConfigError (bad runtime key). */
  resolve(token: string): Promise<ResolveResult>;
  /** resolve() of a request's `Authorization: Bearer` token; `{ ok: false, reason: 'missing_token' }`, without a call, when it has none. */
  resolveRequest(req: IncomingRequest): Promise<ResolveResult>;
  /** Empties the cache of resolve answers (when there is one). */
  clearCache(): void;
}

function identityOf(body: unknown): AlterIdentity {
  const b = body as Partial<AlterIdentity> | null;
  if (!b || typeof b !== 'object' || !b.user || typeof b.user.id !== 'string' || !Array.isArray(b.groups) || !Array.isArray(b.roles) || typeof b.claims !== 'object') {
    throw new AlterUnavailableError('alter answered resolve with a body that is not an identity', { status: 200 });
  }
  return { user: b.user, groups: b.groups, roles: b.roles, claims: b.claims };
}

export function createAlter(options: AlterOptions): Alter {
  const opts = checkOptions(options);
  const cache = options.cache ? new ResolveCache(options.cache === true ? {} : options.cache) : null;

  const resolve = async (token: string): Promise<ResolveResult> => {
    if (typeof token !== 'string' || token === '') return { ok: false, reason: 'malformed' };
    const hit = cache?.get(token);
    if (hit) return hit;
    // A 401 invalid_token is a refused token; any other 4xx (401 unauthorized: the runtime key) is a config error.
    // A 413 is a "token" too large to be one.
    const answer = await call(opts, 'POST', '/v1/identity/resolve', { token }, (status, body) => (status === 401 && errorOf(body).code === 'invalid_token') || status === 413);
    if (answer.status === 413) return { ok: false, reason: 'malformed' };
    if (answer.status !== 200) {
      const reason = errorOf(answer.body).reason;
      return { ok: false, reason: (typeof reason === 'string' ? reason : 'malformed') as AlterRefusalReason };
    }
    const result: ResolveSuccess = { ok: true, ...identityOf(answer.body) };
    cache?.set(token, result);
    return result;
  };

  return {
    resolve,
    async resolveRequest(req) {
      const token = bearerToken(req);
      if (token === null) return { ok: false, reason: 'missing_token' };
      return resolve(token);
    },
    clearCache() {
      cache?.clear();
    },
  };
}
