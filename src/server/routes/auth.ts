import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { authenticate } from '../auth.js';

export function authRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Who the presented token is: what `auth login` checks before storing a token.
  app.get('/v1/auth/whoami', async (req) => {
    const p = await authenticate(ctx.store.db, req);
    return { token_id: p.tokenId, name: p.name, scopes: p.scopes, app_id: p.appId, expires_at: p.expiresAt };
  });
}
