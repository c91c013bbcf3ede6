// Hono middleware: `app.use('/api/*', alterHono(alter, { required }))` puts the identity in the
// context, `c.get('alter')` (null for an optional request without a token).
import type { MiddlewareHandler } from 'hono';
import type { Alter } from './client.js';
import { decide, type AlterMiddlewareOptions } from './middleware.js';
import type { AlterIdentity } from './types.js';

export type { AlterMiddlewareOptions } from './middleware.js';
export type { AlterIdentity } from './types.js';

/** The Hono env this middleware provides: `new Hono<AlterEnv>()` types `c.get('alter')`. */
export interface AlterEnv {
  Variables: { alter: AlterIdentity | null };
}

export function alterHono(alter: Alter, options: AlterMiddlewareOptions = {}): MiddlewareHandler<AlterEnv> {
  return async (c, next) => {
    const d = await decide(alter, c.req.raw, options);
    if (!d.next) return new Response(JSON.stringify(d.body), { status: d.status, headers: { ...d.headers, 'content-type': 'application/json; charset=utf-8' } });
    c.set('alter', d.identity);
    await next();
  };
}
